using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Catalog;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;
using MountKind = Platform.Stacks.Blueprint.MountKind;

namespace Platform.Stacks.Parts.Server;

/// <summary>
/// A split stack (<c>platform:servers</c>): the single-server blueprint placed onto a data server and app servers.
/// The data parts, monitoring and backups go to the data server and publish their ports on its private address only;
/// Traefik, its Docker API proxy and host metrics are copied onto every app server (names qualified with the server);
/// app instances are spread round-robin over the app servers and reach the data services by their usual names,
/// which resolve to the data server's private address.
/// </summary>
public static class TopologyBlueprint
{
    /// <summary>Parts whose containers run on the data server.</summary>
    private static readonly ImmutableHashSet<PartKind> DataServerParts =
        [PartKind.Postgres, PartKind.MariaDb, PartKind.Redis, PartKind.ObjectStorage, PartKind.Monitoring, PartKind.Backups];

    /// <summary>
    /// Data services' ports apps and Traefik reach on the data server's private address. PostgreSQL's own port too: an
    /// app's DATABASE_DIRECT_URL (migrations, session features) bypasses PgBouncer, as on a single server. Redis: the
    /// name apps resolve; each instance publishes its own port.
    /// </summary>
    private static readonly ImmutableDictionary<string, ImmutableArray<int>> PrivatePorts = new Dictionary<string, ImmutableArray<int>>
    {
        [ServiceNames.Postgres] = [AppEnvironment.PostgresPort],
        [ServiceNames.PgBouncer] = [AppEnvironment.PgBouncerPort],
        [ServiceNames.Redis] = [AppEnvironment.RedisPort],
        [ServiceNames.MariaDb] = [Parts.MariaDb.MariaDbNames.Port],
        [ServiceNames.Minio] = [AppEnvironment.MinioPort, Parts.Storage.MinioBlueprint.ConsolePort],
        [ServiceNames.UptimeKuma] = [Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort],
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>Traefik's ping entry point: its container health check and the load balancer's health check.</summary>
    public const int TraefikPingPort = 8080;

    /// <summary>Where an app server keeps the Origin CA certificate and key, and where Traefik reads them.</summary>
    public const string TraefikCertHostDirectory = "/srv/platform/traefik/certs";
    public const string TraefikCertDirectory = "/etc/traefik/certs";

    private const string TraefikAcmeVolume = "traefik-acme";

    /// <summary>
    /// Behind the load balancer (which Hetzner's firewalls do not cover), the Cloudflare-only rule moves into Traefik:
    /// every HTTPS request whose connection does not come from Cloudflare's ranges is refused.
    /// </summary>
    public const string CloudflareOnlyMiddleware = "cloudflare-only";

    public const string OriginKeySecret = "edge-origin-key";
    public const string OriginCertificateSecret = "edge-origin-certificate";

    /// <summary>Cloudflare's longest Origin CA validity (15 years): a certificate is requested once, not per server.</summary>
    public const int OriginValidityDays = 5475;

    internal static PlatformBlueprint Split(StackSettings s, TopologySettings t, PlatformBlueprint one)
    {
        var data = ServerKey.Data;
        var dataIp = PrivateAddresses.Of(data);
        var appServers = t.AppServers;
        var dataUrl = (int port) => $"http://{dataIp}:{port.ToString(CultureInfo.InvariantCulture)}";

        // What is copied onto every app server, by its single-server name.
        var edgeServices = one.Services.Where(x => x.Part == PartId.Edge).Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
        var hostMetrics = one.Services.Single(x => x.Name == HostMetrics.ContainerName);
        HashSet<string> perAppServer = [.. edgeServices];
        var perAppCommands = new HashSet<string>(StringComparer.Ordinal) { HostCommandNames.TraefikFileRoutes, HostCommandNames.TraefikAuthFiles, HostCommandNames.TraefikOriginPulls, HostCommandNames.TraefikMaintenance };
        perAppCommands.UnionWith(s.Apps.Select(a => AppNames.AttachCommand(a.Name)));

        // A name as seen from a server: a copied service or command is the copy on that server; from the data
        // server, every copy (e.g. the status page's route waits on the setup, which is on the data server).
        IEnumerable<string> Resolve(ServerKey from, string name, bool command) =>
            (command ? perAppCommands : perAppServer).Contains(name)
                ? from.Role == ServerRole.App ? [from.Qualify(name)] : appServers.Select(a => a.Qualify(name))
                : [name];
        ImmutableArray<string> Deps(ServerKey from, IEnumerable<string> names, bool command) => [.. names.SelectMany(n => Resolve(from, n, command)).Distinct()];

        var services = new List<ServiceSpec>();
        var internalNetworks = one.Networks.Where(n => n.Internal).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var svc in one.Services)
        {
            if (DataServerParts.Contains(svc.Part.Kind))
                services.Add(OnDataServer(s, svc, t.HostOf(svc.Part.Kind), internalNetworks));
            else if (svc.Part == PartId.Edge)
                services.AddRange(appServers.Select(a => TraefikSide(s, t, svc, a) with
                {
                    Name = a.Qualify(svc.Name),
                    Host = a,
                    DependsOn = Deps(a, svc.DependsOn, false),
                    AfterHostCommands = Deps(a, svc.AfterHostCommands, true),
                }));
            else if (svc.App is { } appName)
            {
                var app = s.Apps.Single(a => a.Name == appName);
                var host = InstanceIndex(svc, app) is { } i ? t.AppServerOf(i) : ServerKey.App(1);
                services.Add(svc with
                {
                    Host = host,
                    // A tenant domain's HTTPS router lives only next to the tenant issuer: an HTTPS router naming the host
                    // would win over the TCP passthrough on another app server (see TenantIssuer).
                    Labels = TenantIssuer(s, t) is { } issuerServer && host != issuerServer && !svc.Labels.IsEmpty
                        ? Parts.Apps.AppsBlueprint.AppLabels(s, app, [.. Parts.Apps.AppsBlueprint.AppRoutes(s, app).Where(r => r.CertResolver != Routing.HttpCertResolver)])
                        : svc.Labels,
                    // The data network is the data server's; the data services are reached at its private address.
                    Networks = [.. svc.Networks.Where(n => n.Network != AppNames.DataNetwork(app.Name))],
                    ExtraHosts = [.. Parts.Apps.AppsBlueprint.DataServicesOf(s, app).Select(Parts.Apps.AppsBlueprint.DataAlias).Where(PrivatePorts.ContainsKey).Select(d => new ExtraHost(d, PrivateAddresses.Of(Parts.Server.RoleServersBlueprint.AliasHost(t, d))))],
                    DependsOn = Deps(host, svc.DependsOn, false),
                    AfterHostCommands = Deps(host, svc.AfterHostCommands, true),
                });
            }
            else
                throw new InvalidOperationException($"The service {svc.Name} of the part {svc.Part} has no place on a split stack.");
        }
        // Every app server (and cache or file server) reports its own CPU, memory and disk to Uptime Kuma on the data server.
        foreach (var a in t.ReportingServers)
            services.Add(hostMetrics with
            {
                Name = a.Qualify(hostMetrics.Name),
                Host = a,
                Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
                {
                    ["INTERVAL"] = hostMetrics.Env["INTERVAL"],
                    ["KUMA_URL"] = SecretText.Plain(dataUrl(Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort)),
                    ["ROOT"] = hostMetrics.Env["ROOT"],
                }),
                // Its own push tokens, as files (no database here: no password, no connections token).
                Files = [.. hostMetrics.Files.Where(f => !f.Path.StartsWith(HostMetrics.SecretsDir + "/", StringComparison.Ordinal)),
                    .. HostMetrics.HostOnlyMetrics.Select(m => new FileSpec(HostMetrics.SecretFile(m.TokenEnv), SecretText.Of(new SecretPart(HostMetrics.TokenSecret(m.Id, a)))))],
                // No data network here (it is internal to the data server): the edge network reaches the private address.
                Networks = [new NetworkAttachment(ServiceNames.EdgeNetwork, [])],
                DependsOn = [ServiceNames.UptimeKuma],
                // No database here, so nothing to wait for but Uptime Kuma (the data server's copy waits for its role).
                AfterHostCommands = [],
            });

        var volumes = new List<VolumeSpec>();
        foreach (var v in one.Volumes)
        {
            // Behind the load balancer only the tenant issuer asks Let's Encrypt: no other Traefik has ACME state to keep.
            if (v.Part == PartId.Edge && t.LoadBalanced && v.Name == TraefikAcmeVolume)
            {
                if (TenantIssuer(s, t) is { } issuer) volumes.Add(v with { Host = issuer, HostPath = null });
                continue;
            }
            if (v.Part == PartId.Edge)
                volumes.AddRange(appServers.Select(a => v with { Host = a, HostPath = null }));
            else
            {
                // A cache or file server without a Hetzner Volume keeps its data on its own disk.
                var home = t.HostOf(v.Part.Kind);
                volumes.Add(v with { Host = home, HostPath = t.VolumeGbOf(home) > 0 ? v.HostPath : null });
                if (v.Name == HostMetrics.DiskProbeVolume)
                    volumes.AddRange(t.ReportingServers.Select(a => v with { Host = a, HostPath = null }));
            }
        }

        var fileRoutes = SplitFileRoutes(s, one, dataUrl, (int port) => $"http://{PrivateAddresses.Of(t.HostOf(PartKind.ObjectStorage))}:{port.ToString(CultureInfo.InvariantCulture)}");
        var commands = new List<HostCommandSpec>();
        foreach (var c in one.HostCommands)
        {
            if (c.Name == HostCommandNames.ImageHygiene)
                commands.AddRange(t.ReportingServers.Prepend(data).Select(h => c with { Name = h.Qualify(c.Name), Host = h }));
            else if (c.Name == HostCommandNames.TraefikFileRoutes)
                commands.AddRange(appServers.Select(a => Parts.Monitoring.MonitoringBlueprint.TraefikFileRoutes([.. fileRoutes.Where(r => r.AfterCommand.Length > 0)]) with
                {
                    Name = a.Qualify(c.Name), Host = a, DependsOnServices = Deps(a, c.DependsOnServices, false),
                }));
            else if (perAppCommands.Contains(c.Name) && s.Apps.FirstOrDefault(x => AppNames.AttachCommand(x.Name) == c.Name) is { } app)
                commands.AddRange(ServersOf(t, services, app).Select(a => SplitAttachCommand(app, a)));
            else if (perAppCommands.Contains(c.Name))
                commands.AddRange(appServers.Select(a => c with { Name = a.Qualify(c.Name), Host = a, DependsOnServices = Deps(a, c.DependsOnServices, false) }));
            else if (s.Apps.FirstOrDefault(x => AppNames.JobsCommand(x.Name) == c.Name) is { } jobsOf)
                commands.Add(Parts.Apps.AppsBlueprint.JobsCommand(jobsOf, dataUrl(Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort)) with { Host = ServerKey.App(1) });
            else
            {
                // Where what it works on runs: a one-shot's check next to the one-shot, provisioning next to its data service
                // (MinIO's on the file server, Redis's ACL files on the cache server), the rest on the data server.
                var host = c.DependsOnServices.Select(d => services.FirstOrDefault(x => x.Name == d)?.Host).OfType<ServerKey>().FirstOrDefault() ?? t.HostOf(c.Part.Kind);
                commands.Add(c with { Host = host, DependsOnServices = Deps(host, c.DependsOnServices, false), AfterCommands = Deps(host, c.AfterCommands, true) });
            }
        }
        // The routes Traefik serves for the data server (MinIO) and the Origin CA certificate, on every app server.
        var edgeRoutes = fileRoutes.Where(r => r.AfterCommand.Length == 0).ToImmutableArray();
        foreach (var a in appServers)
        {
            if (t.LoadBalanced)
                commands.Add(HostFilesCommand(HostCommandNames.TraefikCertificate,
                    "writes the stack's Cloudflare Origin CA certificate and its key, which every Traefik serves for the zone's hosts",
                    TraefikCertHostDirectory, 0, 0,
                    [("origin.crt", SecretText.Of(new SecretPart(OriginCertificateSecret))), ("origin.key", SecretText.Of(new SecretPart(OriginKeySecret)))],
                    ServiceNames.Traefik, SecretText.Plain("true"), PartId.Edge) with { Name = a.Qualify(HostCommandNames.TraefikCertificate), Host = a });
            commands.Add(HostFilesCommand(HostCommandNames.TraefikEdgeRoutes,
                "writes Traefik's routes to the data server's services (MinIO) and its default certificate; Traefik watches the directory",
                Parts.Edge.EdgeBlueprint.TraefikDynamicHostDirectory, 0, 0,
                [("edge.yml", SecretText.Plain(Parts.Edge.EdgeBlueprint.FileRoutesYaml(edgeRoutes,
                    t.LoadBalanced ? ($"{TraefikCertDirectory}/origin.crt", $"{TraefikCertDirectory}/origin.key") : null,
                    t.LoadBalanced && s.CloudflareOnlyIngress ? (CloudflareOnlyMiddleware, CloudflareRanges.All) : null,
                    TenantIssuer(s, t) is { } issuer && issuer != a ? (Parts.Dns.DnsBlueprint.CustomDomains(s), PrivateAddresses.Of(issuer)) : null)))],
                ServiceNames.Traefik, SecretText.Plain("true"), PartId.Edge) with
            {
                Name = a.Qualify(HostCommandNames.TraefikEdgeRoutes),
                Host = a,
                AfterCommands = t.LoadBalanced ? [a.Qualify(HostCommandNames.TraefikCertificate)] : [],
            });
        }

        // The cache and file servers: Uptime Kuma reaches their data services at their addresses; each backs up its own data.
        Parts.Server.RoleServersBlueprint.WithRoleServers(s, t, services, commands, volumes);

        var networks = new List<NetworkSpec>();
        var appsByNetwork = s.Apps.ToDictionary(a => AppNames.Network(a.Name), StringComparer.Ordinal);
        foreach (var host in t.ReportingServers.Prepend(data))
        {
            var used = services.Where(x => x.Host == host).SelectMany(x => x.Networks.Select(n => n.Network))
                .Concat(commands.Where(c => c.Host == host).SelectMany(c => c.Networks)).ToHashSet(StringComparer.Ordinal);
            networks.AddRange(one.Networks.Append(PublishNetwork).Where(n => used.Contains(n.Name)).Select(n => n.Name == ServiceNames.PublishNetwork && host != data
                ? n with { Host = host, Purpose = $"Data services' ports on the {host.Description}'s private address; no masquerading, so no internet egress" }
                : OnServer(appsByNetwork, n, host)));
        }
        var joins = services.Where(x => x.Host.Role == ServerRole.App && x.App is not null)
            .Select(x => (x.Host, App: s.Apps.Single(a => a.Name == x.App)))
            .Where(x => !x.App.Routes.IsEmpty).Distinct()
            .Select(x => new NetworkJoinSpec(AppNames.Network(x.App.Name), x.Host.Qualify(ServiceNames.Traefik), x.Host.Qualify(AppNames.AttachCommand(x.App.Name))))
            .OrderBy(j => j.Network, StringComparer.Ordinal).ThenBy(j => j.Service, StringComparer.Ordinal);

        var placedVolumes = volumes.OrderBy(v => v.Key, StringComparer.Ordinal).ToImmutableArray();
        var servers = SplitServers(s, t);
        var secrets = one.Secrets;
        OriginCertificateSpec? origin = null;
        if (t.LoadBalanced)
        {
            origin = new OriginCertificateSpec([s.Domain, $"*.{s.Domain}"], OriginValidityDays, OriginKeySecret, OriginCertificateSecret);
            secrets = [.. secrets.Add(new SecretSpec(OriginKeySecret, SecretSource.PrivateKey, 0, null, "Private key (ECDSA P-256) of the Origin CA certificate every Traefik serves"))
                .Add(new SecretSpec(OriginCertificateSecret, SecretSource.OriginCertificate, 0, null, $"Cloudflare Origin CA certificate for {s.Domain} and *.{s.Domain}"))
                .OrderBy(x => x.Name, StringComparer.Ordinal)];
        }
        var labels = Conventions.Labels(new Dictionary<string, string> { ["project"] = s.Project, ["stack"] = s.Stack, ["environment"] = s.IsProd ? "prod" : "staging" });
        var placedServices = services.OrderBy(x => x.Kind).ThenBy(x => x.Name, StringComparer.Ordinal).ToImmutableArray();
        return one with
        {
            Servers = servers,
            Firewalls = SplitFirewalls(s, t),
            PrivateNetwork = new PrivateNetworkSpec($"{s.Project}-{s.Stack}", PrivateAddresses.NetworkRange, PrivateAddresses.SubnetRange,
                PrivateAddresses.NetworkZone(s.Server.Location), labels) { Protect = s.IsProd },
            PlacementGroup = new PlacementGroupSpec($"{s.Project}-{s.Stack}-app", appServers, labels),
            LoadBalancer = t.LoadBalanced ? LoadBalancer(s, t, labels) : null,
            OriginCertificate = origin,
            TenantIssuer = TenantIssuer(s, t) is { } tenantIssuer ? new TenantIssuerSpec(tenantIssuer, Parts.Dns.DnsBlueprint.CustomDomains(s)) : null,
            DataVolume = Parts.Server.ServerBlueprint.DataVolume(s, [.. placedVolumes.Where(v => v.Host == data)]) is { } dv ? dv with { Server = data } : null,
            RoleVolumes = Parts.Server.RoleServersBlueprint.RoleVolumes(s, t, placedVolumes),
            DnsRecords = [.. one.DnsRecords.Select(d => d with { Target = t.LoadBalanced ? AddressTarget.LoadBalancer : AddressTarget.Of(ServerKey.App(1)) })],
            Networks = [.. networks],
            NetworkJoins = [.. joins],
            Volumes = placedVolumes,
            Services = placedServices,
            HostCommands = [.. commands.OrderBy(c => c.Name, StringComparer.Ordinal)],
            FileRoutes = fileRoutes,
            Secrets = secrets,
            Budgets = [.. servers.Select(x => MemoryBudget.ForServer(x, s.Server.OsReserveMb, placedServices.Where(y => y.Host == x.Key)))],
            Cost = Parts.Server.ServerBlueprint.SplitCost(s, t),
        };
    }

    /// <summary>An app instance's number (1-based) from its name; null for its release and jobs (which run on app-1).</summary>
    internal static int? InstanceIndex(ServiceSpec svc, AppSettings app) =>
        !svc.OneShot && svc.Schedule is null && svc.Name.StartsWith(app.Name + "-", StringComparison.Ordinal)
            && int.TryParse(svc.Name.AsSpan(app.Name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary>The app servers an app has containers on.</summary>
    internal static IEnumerable<ServerKey> ServersOf(TopologySettings t, IEnumerable<ServiceSpec> services, AppSettings app) =>
        t.AppServers.Where(a => services.Any(x => x.App == app.Name && x.Host == a));

    /// <summary>
    /// A network's copy on <paramref name="host"/>. On an app server, the own network of an app without egress keeps its
    /// gateway (its containers reach the data server's private address through it) and gets a fixed bridge name, by which
    /// the server's host packet filter refuses it everything but the private network (<see cref="AppEgress"/>).
    /// </summary>
    internal static NetworkSpec OnServer(Dictionary<string, AppSettings> appsByNetwork, NetworkSpec n, ServerKey host)
    {
        if (host.Role == ServerRole.App && n.Internal && appsByNetwork.GetValueOrDefault(n.Name) is { Egress: false } app)
            return n with
            {
                Host = host,
                Internal = false,
                Options = AppEgress.BridgeOptions(app.Name),
                Purpose = n.Purpose.Replace("no internet egress", $"no internet egress: the host packet filter lets its bridge ({AppEgress.BridgeName(app.Name)}) reach only the private network", StringComparison.Ordinal),
            };
        return n with { Host = host };
    }

    /// <summary>The data server's network for published ports: a bridge without masquerading (see <see cref="ServiceNames.PublishNetwork"/>).</summary>
    internal static NetworkSpec PublishNetwork => new(ServiceNames.PublishNetwork, Internal: false,
        "Data services' ports on the data server's private address; no masquerading, so no internet egress")
    {
        Options = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("com.docker.network.bridge.enable_ip_masquerade", "false")]),
    };

    /// <summary>
    /// A data-server container: its data ports published on the private address only, no Traefik labels (no Traefik there).
    /// A container on internal networks only gets no published port from Docker: those join the publish network.
    /// </summary>
    internal static ServiceSpec OnDataServer(StackSettings s, ServiceSpec svc, ServerKey host, ISet<string> internalNetworks)
    {
        var dataIp = PrivateAddresses.Of(host);
        // An app's Redis instance listens on its own port (see RedisNames.Of), published as it is.
        if (!PrivatePorts.TryGetValue(svc.Name, out var ports) && !(Parts.Redis.RedisNames.IsContainer(svc.Name) && svc.Part == PartId.Redis && (ports = svc.InternalPorts).Length > 0))
            return svc with { Host = host };
        // Only what the container listens on (MinIO's console only when it is routed).
        ports = [.. ports.Where(svc.InternalPorts.Contains)];
        var networks = svc.Networks.All(n => internalNetworks.Contains(n.Network)) ? svc.Networks.Add(new NetworkAttachment(ServiceNames.PublishNetwork, [])) : svc.Networks;
        return svc with
        {
            Host = host,
            PublishedPorts = [.. ports.Select(p => new PublishedPort(dataIp, p, p, "tcp"))],
            Networks = networks,
            Labels = svc.Labels.RemoveRange(svc.Labels.Keys.Where(k => k.StartsWith("traefik.", StringComparison.Ordinal))),
        };
    }

    /// <summary>
    /// Traefik (or its API proxy) on an app server. Behind the load balancer it listens on the server's private address
    /// only, takes the PROXY protocol from the load balancer only (the client's address survives the balancer) and serves the Origin CA
    /// certificate from a file instead of asking Let's Encrypt; with one app server it is the single server's Traefik.
    /// </summary>
    internal static ServiceSpec TraefikSide(StackSettings s, TopologySettings t, ServiceSpec svc, ServerKey server)
    {
        if (svc.Name != ServiceNames.Traefik || !t.LoadBalanced) return svc;
        var ip = PrivateAddresses.Of(server);
        var fromBalancer = ProxyProtocolSources(s, t, server, "web");
        var websecureSources = ProxyProtocolSources(s, t, server, Routing.EntryPoint);
        // The tenant issuer keeps the HTTP-01 resolver (and its ACME state) for the tenants' own domains.
        var issuer = TenantIssuer(s, t) == server;
        var command = svc.Command
            .Where(c => !(c.StartsWith($"--certificatesresolvers.", StringComparison.Ordinal)
                    && !(issuer && c.StartsWith($"--certificatesresolvers.{Routing.HttpCertResolver}.", StringComparison.Ordinal)))
                && !c.StartsWith("--entrypoints.websecure.http.tls.", StringComparison.Ordinal))
            .ToList();
        // Next to the tenant issuer's challenge forward (edge.yml), the entry point's redirect to HTTPS steps down from
        // MaxInt-1 to the lowest priority, so the forward (a user router, at most MaxInt-1000) is reached.
        var tenantIssuer = TenantIssuer(s, t);
        if (tenantIssuer is not null && tenantIssuer != server)
            command.Insert(command.IndexOf("--entrypoints.web.http.redirections.entrypoint.permanent=true") + 1,
                $"--entrypoints.web.http.redirections.entrypoint.priority={RedirectPriorityBesideChallengeForward.ToString(CultureInfo.InvariantCulture)}");
        var at = command.IndexOf("--ping=true");
        command.InsertRange(at,
        [
            $"--entrypoints.web.proxyprotocol.trustedips={fromBalancer}",
            $"--entrypoints.websecure.proxyprotocol.trustedips={websecureSources}",
            "--entrypoints.websecure.http.tls=true",
            .. s.CloudflareOnlyIngress ? [$"--entrypoints.websecure.http.middlewares={CloudflareOnlyMiddleware}@file"] : Array.Empty<string>(),
            // The ping entry point, named as Traefik's default so that `traefik healthcheck --ping` finds it; the
            // load balancer checks it, with or without a PROXY header.
            $"--entrypoints.traefik.address=:{TraefikPingPort.ToString(CultureInfo.InvariantCulture)}",
            $"--entrypoints.traefik.proxyprotocol.trustedips={fromBalancer}",
        ]);
        return svc with
        {
            Command = [.. command],
            // No DNS-01 challenge: nothing asks Let's Encrypt for the zone.
            Env = svc.Env.Remove("CF_DNS_API_TOKEN_FILE"),
            Files = [.. svc.Files.Where(f => f.Path != Parts.Edge.EdgeBlueprint.TraefikCloudflareTokenFile)],
            InternalPorts = [80, 443, TraefikPingPort],
            PublishedPorts = [.. new[] { 80, 443, TraefikPingPort }.Select(p => new PublishedPort(ip, p, p, "tcp"))],
            Mounts = [.. svc.Mounts.Where(m => issuer || m.Source != TraefikAcmeVolume), new MountSpec(MountKind.Bind, TraefikCertHostDirectory, TraefikCertDirectory, ReadOnly: true)],
        };
    }

    /// <summary>
    /// Whose PROXY protocol header a Traefik behind the load balancer believes, per entry point: the load balancer's own
    /// private address, and on the tenant issuer's <c>websecure</c> also the other app servers, whose Traefiks pass the
    /// tenants' TLS through to it with a PROXY header (<see cref="Parts.Edge.EdgeBlueprint.FileRoutesYaml"/>). Anyone else on the private network (a
    /// container on another server, masqueraded to that server's address) cannot claim a client address: Traefik ignores
    /// the header of an untrusted peer and sees the peer itself (<c>pkg/server/server_entrypoint_tcp.go</c>,
    /// buildProxyProtocolListener: <c>proxyproto.IGNORE</c> outside <c>trustedIPs</c>).
    /// </summary>
    public static string ProxyProtocolSources(StackSettings s, TopologySettings t, ServerKey server, string entryPoint)
    {
        var sources = new List<string> { PrivateAddresses.LoadBalancer + "/32" };
        if (entryPoint == Routing.EntryPoint && TenantIssuer(s, t) == server)
            sources.AddRange(t.AppServers.Where(a => a != server).Select(a => PrivateAddresses.Of(a) + "/32"));
        return string.Join(",", sources);
    }

    /// <summary>
    /// Behind the load balancer, the one app server whose Traefik gets the certificates of the tenants' own domains
    /// (HTTP-01): app-1, when any route has a domain outside the zone; null otherwise. The other Traefiks forward the
    /// challenges to it and pass those domains' TLS through to it, so Let's Encrypt sees one requester per domain.
    /// </summary>
    public static ServerKey? TenantIssuer(StackSettings s, TopologySettings t) =>
        t.LoadBalanced && !Parts.Dns.DnsBlueprint.CustomDomains(s).IsEmpty ? ServerKey.App(1) : null;

    /// <summary>
    /// The priority of the challenge forward on the app servers that do not issue: an ordinary user priority (Traefik
    /// refuses any above MaxInt-1000 on a router not its own), above <see cref="RedirectPriorityBesideChallengeForward"/>.
    /// </summary>
    public const int ChallengeForwardPriority = Routing.ExactHostPriority;

    /// <summary>The entry point's redirect to HTTPS where a challenge forward must pass it: below every router (default MaxInt-1).</summary>
    public const int RedirectPriorityBesideChallengeForward = 1;

    /// <summary>The status page's route, and MinIO's (it has no Traefik next to it): every app server's Traefik routes them to the data server.</summary>
    internal static ImmutableArray<FileRouteSpec> SplitFileRoutes(StackSettings s, PlatformBlueprint one, Func<int, string> dataUrl, Func<int, string> filesUrl)
    {
        var zone = Routing.ZoneResolver(s);
        var routes = one.FileRoutes.Select(r => r with { ServiceUrl = dataUrl(Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort), CertResolver = zone }).ToList();
        var files = new RouteSpec(ServiceNames.Minio, Routing.Fqdn(ServiceNames.FilesHost, s.Domain), ServiceNames.FilesHost, null, false);
        routes.Add(new FileRouteSpec("minio", files.Fqdn, Routing.Rule(files, s.Domain), filesUrl(AppEnvironment.MinioPort), [Routing.SecureHeaders], "")
            { Priority = Routing.Priority(files), CertResolver = zone });
        foreach (var refused in Parts.Storage.MinioBlueprint.RefusedRoutes(s))
            routes.Add(new FileRouteSpec(refused.Router, refused.Fqdn, Routing.Rule(refused, s.Domain), filesUrl(AppEnvironment.MinioPort), [Routing.SecureHeaders], "")
                { Priority = Routing.Priority(refused), CertResolver = zone, AllowCidrs = refused.AllowCidrs });
        if (s.MinioConsole is { } console)
        {
            var route = new RouteSpec(Parts.Storage.MinioBlueprint.ConsoleRouter, Routing.Fqdn(console.Host, s.Domain), console.Host, null, false);
            routes.Add(new FileRouteSpec(Parts.Storage.MinioBlueprint.ConsoleRouter, route.Fqdn, Routing.Rule(route, s.Domain), filesUrl(Parts.Storage.MinioBlueprint.ConsolePort), [Routing.SecureHeaders], "")
                { Priority = Routing.Priority(route), CertResolver = zone, AllowCidrs = console.AllowCidrs });
        }
        if (s.Observability.Enabled)
        {
            foreach (var metrics in Parts.Observability.ObservabilityBlueprint.MinioMetricsRoutes(s))
                routes.Add(new FileRouteSpec(metrics.Router, metrics.Fqdn, Routing.Rule(metrics, s.Domain), filesUrl(AppEnvironment.MinioPort), [Routing.SecureHeaders], "")
                    { Priority = Routing.Priority(metrics), CertResolver = zone, AllowCidrs = metrics.AllowCidrs });
            var route = new RouteSpec(Parts.Observability.ObservabilityNames.Grafana, Routing.Fqdn(s.Observability.Host, s.Domain), s.Observability.Host, null, false);
            routes.Add(new FileRouteSpec(Parts.Observability.ObservabilityNames.Grafana, route.Fqdn, Routing.Rule(route, s.Domain), dataUrl(Parts.Observability.ObservabilityNames.GrafanaPort), [Routing.SecureHeaders], "")
                { Priority = Routing.Priority(route), CertResolver = zone, AllowCidrs = s.Observability.AllowCidrs });
        }
        return [.. routes.OrderBy(r => r.Router, StringComparer.Ordinal)];
    }

    /// <summary>An app's attach command on one app server: Traefik there joins the app's network when the app is routed.</summary>
    internal static HostCommandSpec SplitAttachCommand(AppSettings app, ServerKey server)
    {
        var routed = !app.Routes.IsEmpty;
        var network = AppNames.Network(app.Name);
        var set = Parts.Apps.AppsBlueprint.UsesProbe(app) ? "set -eu; " + HealthProbe.EnsureInstalled : "set -eu";
        var create = routed
            ? $"{set}; attached() {{ docker inspect -f '{{{{range $k, $v := .NetworkSettings.Networks}}}}{{{{println $k}}}}{{{{end}}}}' \"$2\" | grep -qxF \"$1\"; }}; attached {network} {ServiceNames.Traefik} || docker network connect --alias {ServiceNames.Traefik} {network} {ServiceNames.Traefik}"
            : set;
        return new HostCommandSpec(server.Qualify(AppNames.AttachCommand(app.Name)),
            routed ? $"joins {ServiceNames.Traefik} to {network} on {server}; removing the app disconnects it"
                : $"nothing of the platform joins {app.Name}'s network on {server} (no route; data services are on the data server)",
            create, null, routed ? [server.Qualify(ServiceNames.Traefik)] : [])
        {
            Part = PartId.App(app.Name),
            Host = server,
            Delete = routed ? $"docker network disconnect -f {network} {ServiceNames.Traefik} 2>/dev/null || true" : "true",
            Networks = [network],
        };
    }

    /// <summary>How long a server may take to bring up its private interface (Hetzner configures it by DHCP).</summary>
    public const int PrivateIpTimeoutSeconds = 300;

    public static string PrivateIpReady(string ip, int timeoutSeconds = PrivateIpTimeoutSeconds) =>
        $"timeout {timeoutSeconds.ToString(CultureInfo.InvariantCulture)} sh -c 'until ip -4 -o addr show | grep -q \" inet {ip}/\"; do sleep 2; done' || {{ echo 'the private address {ip} did not come up on this server; check the network attachment in the Hetzner console' >&2; exit 1; }}";

    internal static ImmutableArray<ServerSpec> SplitServers(StackSettings s, TopologySettings t)
    {
        ServerSpec Make(ServerKey key) => Parts.Server.ServerBlueprint.Server(s, ServerTypes.All[t.TypeOf(key)], key) with
        {
            PrivateIp = PrivateAddresses.Of(key),
            PrivateIpReadyCommand = PrivateIpReady(PrivateAddresses.Of(key)),
            // The cache and file servers have the data server's firewall: nothing public but SSH.
            FirewallName = $"{s.Project}-{s.Stack}-{(key.HoldsData ? "data" : "app")}",
            Spread = key.Role == ServerRole.App,
        };
        return [.. t.DataServers.Select(Make), .. t.AppServers.Select(Make)];
    }

    /// <summary>
    /// App servers: SSH from the admin CIDRs; 80/443 only with one app server (from Cloudflare, as a single server), since
    /// the load balancer reaches them over the private network, which Hetzner's firewalls do not filter. The data server:
    /// nothing public but SSH from the admin CIDRs.
    /// </summary>
    internal static ImmutableArray<FirewallSpec> SplitFirewalls(StackSettings s, TopologySettings t)
    {
        var single = Parts.Server.ServerBlueprint.Firewall(s);
        var ssh = single.Rules.Where(r => r.Port is "22" || r.Protocol == "icmp").ToImmutableArray();
        return
        [
            new FirewallSpec($"{s.Project}-{s.Stack}-data", ssh) { ResourceName = "firewall-data", AppliesTo = t.RoleServers.IsEmpty ? "the data server" : "the data, cache and file servers" },
            new FirewallSpec($"{s.Project}-{s.Stack}-app", t.LoadBalanced ? ssh : single.Rules) { ResourceName = "firewall-app", AppliesTo = "the app servers" },
        ];
    }

    internal static LoadBalancerSpec LoadBalancer(StackSettings s, TopologySettings t, ImmutableSortedDictionary<string, string> labels) =>
        new($"{s.Project}-{s.Stack}", Prices.LoadBalancerType, s.Server.Location, PrivateAddresses.LoadBalancer, t.AppServers,
        [
            new LoadBalancerServiceSpec(80, 80, ProxyProtocol: true, TraefikPingPort, "/ping", 10, 5, 3),
            new LoadBalancerServiceSpec(443, 443, ProxyProtocol: true, TraefikPingPort, "/ping", 10, 5, 3),
        ], labels) { Protect = s.IsProd };
}
