using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Catalog;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// The edge part on the stack: Traefik and its Docker API proxy, Traefik's file-provider routes, the origin-pull TLS
/// options and the basic-auth files.
/// </summary>
public static class EdgeBlueprint
{
    public const int SocketProxyPort = 2375;
    /// <summary>Where Traefik reads the Cloudflare token for the DNS-01 challenge (<c>CF_DNS_API_TOKEN_FILE</c>).</summary>
    public const string TraefikCloudflareTokenFile = "/run/secrets/cloudflare-api-token";

    /// <summary>
    /// Traefik's Docker provider needs to list and inspect containers and follow their events; the Docker socket itself
    /// is root on the host. The proxy runs a rendered HAProxy configuration (<see cref="Parts.Edge.DockerApiProxy"/>)
    /// that allows exactly those reads and refuses everything else — no files (<c>archive</c>, <c>export</c>), no logs,
    /// no writes. The image's own switches cannot: <c>CONTAINERS=1</c> allows every read under <c>/containers</c>.
    /// </summary>
    internal static ServiceSpec SocketProxy(StackSettings s) => Singleton(PartId.Edge, ServiceNames.SocketProxy, ServiceKind.Edge, s.SocketProxy,
        [On(ServiceNames.ControlNetwork, ServiceNames.SocketProxy)],
        ["CMD-SHELL", $"wget -q -O /dev/null http://127.0.0.1:{SocketProxyPort}/_ping"]) with
    {
        // The image's entrypoint runs any haproxy command line it is given; ours points at the rendered file.
        Command = ["haproxy", "-f", Parts.Edge.DockerApiProxy.ConfigPath],
        Files = [new FileSpec(Parts.Edge.DockerApiProxy.ConfigPath, SecretText.Plain(Parts.Edge.DockerApiProxy.HaproxyConfig(Parts.Edge.DockerApiProxy.TraefikCalls, SocketProxyPort)))],
        InternalPorts = [SocketProxyPort],
        Mounts = [new MountSpec(MountKind.Bind, "/var/run/docker.sock", "/var/run/docker.sock", ReadOnly: true)],
    };

    /// <summary>Traefik: the only container that publishes host ports.</summary>
    internal static ServiceSpec Traefik(StackSettings s)
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

    /// <summary>Where Traefik's file-provider routes live on the server, and inside Traefik.</summary>
    public const string TraefikDynamicHostDirectory = "/srv/platform/traefik/dynamic";
    public const string TraefikDynamicDirectory = "/etc/traefik/dynamic";

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
                ["priority"] = TopologyBlueprint.ChallengeForwardPriority,
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

    /// <summary>Writes the origin-pull TLS options next to Traefik's other dynamic files (watched: no restart).</summary>
    internal static HostCommandSpec TraefikOriginPulls() =>
        HostFilesCommand(HostCommandNames.TraefikOriginPulls,
            "writes Traefik's default TLS options: a client certificate from Cloudflare's origin-pull CA is required (authenticated origin pulls)",
            TraefikDynamicHostDirectory, 0, 0, [(OriginPulls.FileName, SecretText.Plain(OriginPulls.DynamicYaml()))],
            ServiceNames.Traefik, SecretText.Plain("true"), PartId.Edge);

    /// <summary>Where Traefik reads basic-auth htpasswd files: on the server, and inside Traefik (read-only).</summary>
    public const string TraefikAuthHostDirectory = "/srv/platform/traefik/auth";
    public const string TraefikAuthDirectory = "/etc/traefik/auth";

    internal static string AuthFileName(string app, int route) => $"{Routing.AppRouter(app, route)}.htpasswd";

    /// <summary>
    /// Writes every basic-auth route's htpasswd file from its secret (never a label or a command line). Traefik reads
    /// a users file only when it builds the middleware, so a changed file applies by restarting Traefik: a second
    /// without the edge, and only when a basic-auth secret or route changed.
    /// </summary>
    internal static HostCommandSpec? TraefikAuthFiles(StackSettings s)
    {
        var files = s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal)
            .SelectMany(a => a.Routes.Select((r, i) => (r, i)).Where(x => x.r.BasicAuthSecret is not null)
                .Select(x => (AuthFileName(a.Name, x.i), SecretText.Of(new SecretPart($"appSecrets.{a.Name}.{x.r.BasicAuthSecret}")))))
            .ToList();
        if (files.Count == 0) return null;
        // Traefik runs as root in its image; 0600 root-owned files are readable to it and to nobody else.
        return HostFilesCommand(HostCommandNames.TraefikAuthFiles,
            "writes the htpasswd file of each basic-auth route from its secret; restarts Traefik so it rereads them",
            TraefikAuthHostDirectory, 0, 0, files, ServiceNames.Traefik, SecretText.Plain(ShellDecisions.RestartCommand(ServiceNames.Traefik)), PartId.Edge);
    }
}
