using System.Collections.Immutable;
using Platform.Stacks.Catalog;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    public const int SocketProxyPort = 2375;
    public const int UptimeKumaPort = 3001;
    public const int MinioConsolePort = 9001;
    public const string MinioConsoleRouter = "minio-console";

    /// <summary>Where Uptime Kuma is reached on the platform's networks (monitors push here).</summary>
    public static string UptimeKumaInternalUrl => $"http://{ServiceNames.UptimeKuma}:{UptimeKumaPort}";

    private static IEnumerable<ServiceSpec> PlatformServices(StackSettings s, ImmutableArray<DatabaseSpec> databases, OperationsParts ops)
    {
        yield return SocketProxy(s);
        yield return Traefik(s);
        foreach (var service in PostgresServices(s, databases, ops)) yield return service;
        if (MariaDbPartOf(s) is { } mariadb) yield return mariadb.Service;
        foreach (var service in Parts.Redis.RedisBlueprint.Services(s, ops)) yield return service;
        yield return Minio(s);
        yield return UptimeKuma(s);
        foreach (var service in OperationsServices(ops, s)) yield return service;
    }

    /// <summary>Where Traefik reads the Cloudflare token for the DNS-01 challenge (<c>CF_DNS_API_TOKEN_FILE</c>).</summary>
    public const string TraefikCloudflareTokenFile = "/run/secrets/cloudflare-api-token";

    /// <summary>
    /// Traefik's Docker provider needs to list and inspect containers and follow their events; the Docker socket itself
    /// is root on the host. The proxy runs a rendered HAProxy configuration (<see cref="Parts.Edge.DockerApiProxy"/>)
    /// that allows exactly those reads and refuses everything else — no files (<c>archive</c>, <c>export</c>), no logs,
    /// no writes. The image's own switches cannot: <c>CONTAINERS=1</c> allows every read under <c>/containers</c>.
    /// </summary>
    private static ServiceSpec SocketProxy(StackSettings s) => Singleton(PartId.Edge, ServiceNames.SocketProxy, ServiceKind.Edge, s.SocketProxy,
        [On(ServiceNames.ControlNetwork, ServiceNames.SocketProxy)],
        ["CMD-SHELL", $"wget -q -O /dev/null http://127.0.0.1:{SocketProxyPort}/_ping"]) with
    {
        // The image's entrypoint runs any haproxy command line it is given; ours points at the rendered file.
        Command = ["haproxy", "-f", Parts.Edge.DockerApiProxy.ConfigPath],
        Files = [new FileSpec(Parts.Edge.DockerApiProxy.ConfigPath, SecretText.Plain(Parts.Edge.DockerApiProxy.HaproxyConfig(Parts.Edge.DockerApiProxy.TraefikCalls, SocketProxyPort)))],
        InternalPorts = [SocketProxyPort],
        Mounts = [new MountSpec(MountKind.Bind, "/var/run/docker.sock", "/var/run/docker.sock", ReadOnly: true)],
    };

    private static ServiceSpec Traefik(StackSettings s)
    {
        var trusted = string.Join(",", CloudflareRanges.All);
        string[] command =
        [
            $"--providers.docker.endpoint=tcp://{ServiceNames.SocketProxy}:{SocketProxyPort}",
            "--providers.docker.exposedbydefault=false",
            $"--providers.docker.network={ServiceNames.EdgeNetwork}",
            "--entrypoints.web.address=:80",
            "--entrypoints.web.http.redirections.entrypoint.to=websecure",
            "--entrypoints.web.http.redirections.entrypoint.scheme=https",
            "--entrypoints.web.http.redirections.entrypoint.permanent=true",
            "--entrypoints.websecure.address=:443",
            $"--entrypoints.websecure.forwardedheaders.trustedips={trusted}",
            $"--entrypoints.websecure.http.tls.certresolver={Routing.CertResolver}",
            $"--entrypoints.websecure.http.tls.domains[0].main={s.Domain}",
            $"--entrypoints.websecure.http.tls.domains[0].sans=*.{s.Domain}",
            $"--certificatesresolvers.{Routing.CertResolver}.acme.email={s.AcmeEmail}",
            $"--certificatesresolvers.{Routing.CertResolver}.acme.storage=/letsencrypt/acme.json",
            $"--certificatesresolvers.{Routing.CertResolver}.acme.dnschallenge.provider=cloudflare",
            $"--certificatesresolvers.{Routing.CertResolver}.acme.dnschallenge.resolvers=1.1.1.1:53,1.0.0.1:53",
            // Domains outside the zone (tenants' own): HTTP-01 on port 80. Traefik answers /.well-known/acme-challenge/
            // on the web entry point with its own highest-priority router, ahead of the redirect to HTTPS above.
            $"--certificatesresolvers.{Routing.HttpCertResolver}.acme.email={s.AcmeEmail}",
            $"--certificatesresolvers.{Routing.HttpCertResolver}.acme.storage=/letsencrypt/acme-http.json",
            $"--certificatesresolvers.{Routing.HttpCertResolver}.acme.httpchallenge.entrypoint=web",
            .. EntryPointTimeouts.Flags,
            // Routes that must go live only after a step succeeded (see FileRouteSpec); watched, so a new file applies at once.
            $"--providers.file.directory={TraefikDynamicDirectory}",
            "--providers.file.watch=true",
            "--ping=true",
            "--log.level=INFO",
            "--accesslog=true",
            "--accesslog.format=json",
            "--global.checknewversion=false",
            "--global.sendanonymoususage=false",
        ];
        var labels = new Dictionary<string, string> { ["traefik.enable"] = "true" };
        foreach (var (k, v) in Routing.SecureHeaderFields) labels[$"traefik.http.middlewares.secure-headers.headers.{k}"] = v;
        return Singleton(PartId.Edge, ServiceNames.Traefik, ServiceKind.Edge, s.Traefik,
            [On(ServiceNames.ControlNetwork, ServiceNames.Traefik), On(ServiceNames.EdgeNetwork, ServiceNames.Traefik)],
            ["CMD", "traefik", "healthcheck", "--ping"]) with
        {
            Command = [.. command],
            // The DNS-01 token as a file (lego reads every credential from <name>_FILE), so an inspect of Traefik shows none.
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                ["CF_DNS_API_TOKEN_FILE"] = SecretText.Plain(TraefikCloudflareTokenFile),
            }),
            Files = [new FileSpec(TraefikCloudflareTokenFile, SecretText.Of(new SecretPart("cloudflareApiToken")))],
            InternalPorts = [80, 443],
            // On IPv4 and IPv6: the AAAA records point at the server too.
            PublishedPorts = [.. Canonical.DockerForms.Ports(
                from port in new[] { 80, 443 }
                from ip in Canonical.DockerForms.PublishAddresses
                select new Canonical.PortBinding(ip, port, port, "tcp"))
                .Select(b => new PublishedPort(b.HostIp, b.HostPort, b.ContainerPort, b.Protocol))],
            Mounts =
            [
                new MountSpec(MountKind.Volume, "traefik-acme", "/letsencrypt", ReadOnly: false),
                new MountSpec(MountKind.Bind, TraefikDynamicHostDirectory, TraefikDynamicDirectory, ReadOnly: true),
                new MountSpec(MountKind.Bind, TraefikAuthHostDirectory, TraefikAuthDirectory, ReadOnly: true),
            ],
            Labels = Conventions.Labels(labels),
            DependsOn = [ServiceNames.SocketProxy],
        };
    }

    /// <summary>
    /// MinIO's path prefixes that are not S3 and must not be public on the files host: the admin API
    /// (<c>cmd/admin-router.go</c>, <c>adminPathPrefix = minioReservedBucketPath + "/admin"</c>: users, policies, config,
    /// service restart) and the KMS API (<c>cmd/kms-router.go</c>, <c>kmsPathPrefix</c> <c>/minio/kms</c>). Both need the
    /// root credentials, but nothing outside the platform needs to try them: the operators use <c>mc</c> inside the container.
    /// </summary>
    public static readonly ImmutableArray<string> MinioRefusedPrefixes = ["/minio/admin", "/minio/kms"];

    /// <summary>The Traefik service of the refusing routers (never reached: their allowlist admits no client).</summary>
    public const string MinioRefusedService = "minio-refused";

    /// <summary>The files host's routers for MinIO's admin and KMS paths, each admitting no client (403), above the files route.</summary>
    public static ImmutableArray<RouteSpec> MinioRefusedRoutes(StackSettings s) =>
        [.. MinioRefusedPrefixes.Select(prefix => new RouteSpec($"{MinioRefusedService}-{prefix.Split('/')[^1]}", Routing.Fqdn(ServiceNames.FilesHost, s.Domain),
            ServiceNames.FilesHost, prefix, false) { AllowCidrs = Parts.Observability.ObservabilityNames.NoClient })];

    /// <summary>MinIO's root user (not a secret) and the file in its container that holds the root password.</summary>
    public const string MinioRootUser = "platform-admin";
    public const string MinioRootPasswordFile = "/run/secrets/minio-root-password";

    private static ServiceSpec Minio(StackSettings s)
    {
        var files = new RouteSpec(ServiceNames.Minio, Routing.Fqdn(ServiceNames.FilesHost, s.Domain), ServiceNames.FilesHost, null, false);
        var labels = Routing.Labels(ServiceNames.Minio, AppEnvironment.MinioPort, [files], s.Domain, "/minio/health/live", s.CloudflareOnlyIngress, sticky: false)
            .SetItems(Routing.Labels(MinioRefusedService, AppEnvironment.MinioPort, MinioRefusedRoutes(s), s.Domain, null, s.CloudflareOnlyIngress, sticky: false));
        if (s.MinioConsole is { } console)
        {
            // A second Traefik service on the same container: the console, on its own host, to the admin CIDRs only.
            var route = new RouteSpec(MinioConsoleRouter, Routing.Fqdn(console.Host, s.Domain), console.Host, null, false) { AllowCidrs = console.AllowCidrs };
            labels = labels.SetItems(Routing.Labels(MinioConsoleRouter, MinioConsolePort, [route], s.Domain, null, s.CloudflareOnlyIngress, sticky: false));
        }
        return Singleton(PartId.ObjectStorage, ServiceNames.Minio, ServiceKind.Data, s.Minio,
            [On(ServiceNames.DataNetwork, ServiceNames.Minio), On(ServiceNames.EdgeNetwork, ServiceNames.Minio)],
            ["CMD", "mc", "ready", "local"]) with
        {
            // The console listens only when it is routed (MINIO_BROWSER=off starts no console server: cmd/server-main.go,
            // `if globalBrowserEnabled { initConsoleServer() … }`), so nothing on the data networks reaches it otherwise.
            Command = s.MinioConsole is null ? ["server", "/data"] : ["server", "/data", "--console-address", $":{MinioConsolePort}"],
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                ["MINIO_ROOT_USER"] = SecretText.Plain(MinioRootUser),
                // A file, so an inspect shows no password: MinIO reads MINIO_ROOT_PASSWORD_FILE at start (cmd/common-main.go,
                // loadEnvVarsFromFiles; an absolute path is read as is) and refuses to start when the file is missing or empty
                // (a root user without password is "Missing credential environment variable"), never falling back to defaults.
                ["MINIO_ROOT_PASSWORD_FILE"] = SecretText.Plain(MinioRootPasswordFile),
                // Presigned URLs must carry the public host, or clients get signature errors.
                ["MINIO_SERVER_URL"] = SecretText.Plain($"https://{files.Fqdn}"),
                ["MINIO_BROWSER"] = SecretText.Plain(s.MinioConsole is null ? "off" : "on"),
            }),
            InternalPorts = s.MinioConsole is null ? [AppEnvironment.MinioPort] : [AppEnvironment.MinioPort, MinioConsolePort],
            Mounts = [new MountSpec(MountKind.Volume, "minio-data", "/data", ReadOnly: false)],
            Files = [new FileSpec(MinioRootPasswordFile, SecretText.Of(new SecretPart(SecretNames.MinioRoot)))],
            Labels = labels,
        };
    }

    /// <summary>
    /// Uptime Kuma carries no routing labels: a fresh instance serves its first-admin page to whoever comes
    /// first, so its public route is a file route written only after the setup one-shot succeeded.
    /// </summary>
    private static ServiceSpec UptimeKuma(StackSettings s) => Singleton(PartId.Monitoring, ServiceNames.UptimeKuma, ServiceKind.Operations, s.UptimeKuma,
            [On(ServiceNames.DataNetwork, ServiceNames.UptimeKuma), On(ServiceNames.EdgeNetwork, ServiceNames.UptimeKuma)],
            ["CMD-SHELL", $"curl -fsS -o /dev/null http://127.0.0.1:{UptimeKumaPort}/ || wget -q -O /dev/null http://127.0.0.1:{UptimeKumaPort}/"],
            startPeriod: 60) with
        {
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, AutoKuma.UptimeKumaEnv.Select(e => KeyValuePair.Create(e.Name, e.Value))),
            InternalPorts = [UptimeKumaPort],
            Mounts = [new MountSpec(MountKind.Volume, "uptime-kuma-data", "/app/data", ReadOnly: false)],
        };

    /// <summary>Where Traefik's file-provider routes live on the server, and inside Traefik.</summary>
    public const string TraefikDynamicHostDirectory = "/srv/platform/traefik/dynamic";
    public const string TraefikDynamicDirectory = "/etc/traefik/dynamic";

    /// <summary>
    /// The file routes, live once Uptime Kuma's first admin exists: <c>status.&lt;domain&gt;</c> serves the status pages
    /// and the front end they load only (<see cref="StatusPageRoutes"/>: two routers, pages and assets), and <c>status-admin.&lt;domain&gt;</c> all of Uptime Kuma (login, socket.io, API)
    /// to the admin CIDRs only (403 for everyone else).
    /// </summary>
    private static ImmutableArray<FileRouteSpec> FileRoutes(StackSettings s)
    {
        var status = new RouteSpec("status", Routing.Fqdn(ServiceNames.StatusHost, s.Domain), ServiceNames.StatusHost, null, true);
        var admin = new RouteSpec(StatusAdminRouter, Routing.Fqdn(ServiceNames.StatusAdminHost, s.Domain), ServiceNames.StatusAdminHost, null, true);
        var after = OneShotCheckName(AutoKuma.SetupContainerName);
        return
        [
            new FileRouteSpec(status.Router, status.Fqdn, StatusPageRoutes.PagesRule(status.Fqdn), UptimeKumaUrl, [Routing.SecureHeaders], after)
                { Priority = Routing.Priority(status), CertResolver = Routing.ZoneResolver(s) },
            new FileRouteSpec(StatusPageRoutes.AssetsRouter, status.Fqdn, StatusPageRoutes.AssetsRule(status.Fqdn), UptimeKumaUrl, [Routing.SecureHeaders], after)
                { Priority = Routing.Priority(status), CertResolver = Routing.ZoneResolver(s) },
            new FileRouteSpec(admin.Router, admin.Fqdn, Routing.Rule(admin, s.Domain), UptimeKumaUrl, [Routing.SecureHeaders], after)
                { Priority = Routing.Priority(admin), CertResolver = Routing.ZoneResolver(s), AllowCidrs = s.AdminCidrs },
        ];
    }

    /// <summary>The router of Uptime Kuma's admin host.</summary>
    public const string StatusAdminRouter = "status-admin";

    /// <summary>
    /// Traefik's dynamic configuration for the file routes (YAML, file provider), with each route's allow-list and, when
    /// every Traefik serves the stack's Origin CA certificate, that certificate as the default one.
    /// </summary>
    public static string FileRoutesYaml(IEnumerable<FileRouteSpec> routes, (string CertFile, string KeyFile)? defaultCertificate = null,
        (string Name, IReadOnlyList<string> SourceRange)? connectionAllowList = null,
        (IReadOnlyList<string> Domains, string IssuerIp)? tenantIssuer = null)
    {
        var routers = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var services = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var middlewares = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var r in routes)
        {
            var chain = r.Middlewares.ToList();
            if (!r.AllowCidrs.IsEmpty)
            {
                // The zone's hosts come through Cloudflare: the client is the address it appended (depth 1).
                var allow = $"{r.Router}-allowlist";
                chain.Add(allow);
                middlewares[allow] = new Dictionary<string, object>
                {
                    ["ipAllowList"] = new Dictionary<string, object> { ["sourceRange"] = r.AllowCidrs.ToArray(), ["ipStrategy"] = new Dictionary<string, object> { ["depth"] = 1 } },
                };
            }
            routers[r.Router] = new Dictionary<string, object>
            {
                ["rule"] = r.Rule,
                ["priority"] = r.Priority,
                ["entryPoints"] = new[] { Routing.EntryPoint },
                ["tls"] = r.CertResolver is { } resolver ? new Dictionary<string, object> { ["certResolver"] = resolver } : new Dictionary<string, object>(),
                ["service"] = r.Router,
                ["middlewares"] = chain.ToArray(),
            };
            services[r.Router] = new Dictionary<string, object>
            {
                ["loadBalancer"] = new Dictionary<string, object> { ["servers"] = new[] { new Dictionary<string, object> { ["url"] = r.ServiceUrl } } },
            };
        }
        // Checked against the connection's address (after the PROXY protocol: the client's), not a forwarded header.
        if (connectionAllowList is { } connections)
            middlewares[connections.Name] = new Dictionary<string, object> { ["ipAllowList"] = new Dictionary<string, object> { ["sourceRange"] = connections.SourceRange.ToArray() } };
        Dictionary<string, object>? tcp = null;
        if (tenantIssuer is { } tenants)
        {
            // HTTP-01 challenges of the tenants' domains go to the issuing Traefik, whichever server the balancer chose.
            var hosts = string.Join(" || ", tenants.Domains.Select(d => $"Host(`{d}`)"));
            routers[TenantChallengeRouter] = new Dictionary<string, object>
            {
                ["rule"] = $"({hosts}) && PathPrefix(`/.well-known/acme-challenge/`)",
                ["priority"] = Blueprint.BlueprintBuilder.ChallengeForwardPriority,
                ["entryPoints"] = new[] { "web" },
                ["service"] = TenantChallengeRouter,
            };
            services[TenantChallengeRouter] = new Dictionary<string, object>
            {
                ["loadBalancer"] = new Dictionary<string, object> { ["servers"] = new[] { new Dictionary<string, object> { ["url"] = $"http://{tenants.IssuerIp}:80" } } },
            };
            // Their TLS goes through untouched to the Traefik that holds their certificates, with the client's address.
            tcp = new Dictionary<string, object>
            {
                ["routers"] = new Dictionary<string, object>
                {
                    [TenantPassthroughRouter] = new Dictionary<string, object>
                    {
                        ["rule"] = string.Join(" || ", tenants.Domains.Select(d => $"HostSNI(`{d}`)")),
                        ["entryPoints"] = new[] { Routing.EntryPoint },
                        ["service"] = TenantPassthroughRouter,
                        ["tls"] = new Dictionary<string, object> { ["passthrough"] = true },
                    },
                },
                ["services"] = new Dictionary<string, object>
                {
                    [TenantPassthroughRouter] = new Dictionary<string, object>
                    {
                        ["loadBalancer"] = new Dictionary<string, object>
                        {
                            ["servers"] = new[] { new Dictionary<string, object> { ["address"] = $"{tenants.IssuerIp}:443" } },
                            ["proxyProtocol"] = new Dictionary<string, object> { ["version"] = 2 },
                        },
                    },
                },
            };
        }
        var http = new Dictionary<string, object> { ["routers"] = routers, ["services"] = services };
        if (middlewares.Count > 0) http["middlewares"] = middlewares;
        var doc = new Dictionary<string, object> { ["http"] = http };
        if (tcp is not null) doc["tcp"] = tcp;
        if (defaultCertificate is { } cert)
            doc["tls"] = new Dictionary<string, object>
            {
                ["stores"] = new Dictionary<string, object>
                {
                    ["default"] = new Dictionary<string, object>
                    {
                        ["defaultCertificate"] = new Dictionary<string, object> { ["certFile"] = cert.CertFile, ["keyFile"] = cert.KeyFile },
                    },
                },
            };
        return FileRoutesSerializer.Serialize(doc);
    }

    public const string TenantChallengeRouter = "tenant-acme-challenges";
    public const string TenantPassthroughRouter = "tenant-tls";

    private static readonly YamlDotNet.Serialization.ISerializer FileRoutesSerializer = new YamlDotNet.Serialization.SerializerBuilder().Build();

    private static HostCommandSpec TraefikFileRoutes(ImmutableArray<FileRouteSpec> routes) =>
        HostFilesCommand(HostCommandNames.TraefikFileRoutes,
            "writes Traefik's file routes (the status page) once the steps they wait for succeeded; Traefik watches the directory",
            TraefikDynamicHostDirectory, 0, 0, [("routes.yml", SecretText.Plain(FileRoutesYaml(routes)))],
            ServiceNames.Traefik, SecretText.Plain("true"), PartId.Monitoring) with
        {
            AfterCommands = [.. routes.Select(r => r.AfterCommand).Distinct().Order(StringComparer.Ordinal)],
        };

    public static string OneShotCheckName(string service) => $"{service}-check";

    /// <summary>
    /// The Docker provider waits for an attached one-shot to exit but ignores its exit code: this command
    /// fails the deployment (with the container's last log lines) unless the one-shot exited 0.
    /// </summary>
    private static HostCommandSpec OneShotCheck(ServiceSpec oneShot)
    {
        var name = oneShot.ContainerName ?? throw new InvalidOperationException($"One-shot {oneShot.Name} needs a fixed container name for its check.");
        return new HostCommandSpec(OneShotCheckName(oneShot.Name),
            $"fails the deployment unless the one-shot {oneShot.Name} exited 0",
            $"code=$(docker inspect -f '{{{{.State.ExitCode}}}}' {name}) && [ \"$code\" = 0 ] || {{ echo \"{name} exited with code ${{code:-unknown}}; its last log lines:\" >&2; docker logs --tail 50 {name} >&2; exit 1; }}",
            null, [oneShot.Name]) { Part = oneShot.Part };
    }

}

/// <summary>
/// The websecure entry point's timeouts, chosen rather than inherited. Traefik v3's readTimeout (default 60 s) bounds
/// reading a whole request, body included, so a 100 MB upload over a slow uplink fails at 60 s. writeTimeout bounds
/// writing the whole response (default 0, none) and idleTimeout a kept-alive connection between requests (default 180 s).
/// </summary>
public static class EntryPointTimeouts
{
    /// <summary>
    /// 600 s reads 100 MB at about 1.4 Mbit/s, a slow mobile uplink. It is also the most a slow client can hold a
    /// connection while sending one request: v3.3 has no separate header timeout, so this bounds slow-loris clients too.
    /// </summary>
    public const int ReadSeconds = 600;

    /// <summary>
    /// None: a response may stream as long as the client reads it (downloads, server-sent events). A client that stops
    /// reading is still dropped by the kernel's TCP retransmission limits, and Cloudflare cuts proxied ones.
    /// </summary>
    public const int WriteSeconds = 0;

    /// <summary>Keep-alive connections idle longer than this are closed (Traefik's default, stated on purpose).</summary>
    public const int IdleSeconds = 180;

    public static readonly System.Collections.Immutable.ImmutableArray<string> Flags =
    [
        $"--entrypoints.{Routing.EntryPoint}.transport.respondingtimeouts.readtimeout={ReadSeconds}s",
        $"--entrypoints.{Routing.EntryPoint}.transport.respondingtimeouts.writetimeout={WriteSeconds}s",
        $"--entrypoints.{Routing.EntryPoint}.transport.respondingtimeouts.idletimeout={IdleSeconds}s",
    ];

    /// <summary>For the plan.</summary>
    public static string Summary =>
        $"entry point {Routing.EntryPoint}: readTimeout {ReadSeconds}s (a whole request, body included: uploads), writeTimeout none (streaming responses), " +
        $"idleTimeout {IdleSeconds}s (kept-alive connections); websocket connections, once upgraded, are not cut by these and live until the client or the app closes them";
}
