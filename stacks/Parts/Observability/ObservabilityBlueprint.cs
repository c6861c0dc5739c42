using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// The observability part placed on a built blueprint (single server or split): its containers, volumes, networks and
/// secret; Traefik's metrics entry point and MinIO's public metrics (inside the platform's networks); each server's budget.
/// It is derived from the placed blueprint, so every server, Traefik and data service there is scraped, with no
/// configuration of its own.
/// </summary>
public static class ObservabilityBlueprint
{
    internal static PlatformBlueprint WithObservability(StackSettings s, PlatformBlueprint bp)
    {
        var off = bp with { Observability = ObservabilityView.Off(s, bp, ObservabilityOn(s, bp with { Observability = null }, s.Observability with { Enabled = true })) };
        return s.Observability.Enabled ? ObservabilityOn(s, bp, s.Observability) : off;
    }

    /// <summary>
    /// An exporter next to a data service off the storage server (a split stack's cache server): Prometheus scrapes it at
    /// that server's private address, so it publishes its port there, joining the publish network (Docker publishes no port
    /// of a container on internal networks only). On the storage server nothing changes.
    /// </summary>
    internal static ServiceSpec ExporterOffStorage(ServiceSpec svc, ObservabilityPartContext context) =>
        svc.Host != context.StorageServer && svc.Host.HoldsData && ObservabilityPart.ExporterOfJob.ContainsValue(svc.Name)
            && context.PrivateIps.TryGetValue(svc.Host.Id, out var ip)
            ? svc with
            {
                PublishedPorts = [.. svc.InternalPorts.Select(p => new PublishedPort(ip, p, p, "tcp"))],
                Networks = svc.Networks.Add(new NetworkAttachment(ServiceNames.PublishNetwork, [])),
            }
            : svc;

    internal static PlatformBlueprint ObservabilityOn(StackSettings s, PlatformBlueprint bp, ObservabilitySettings settings)
    {
        var context = ObservabilityPartContext.FromBlueprint(bp) with
        {
            ProxyImage = s.SocketProxy.Image,
            ProxyMemoryMb = s.SocketProxy.MemoryMb,
            AlertWebhookSecret = s.Monitoring.AlertWebhook ? ObservabilityNames.AlertWebhookSecret : null,
            NoEvictionRedis = [.. Parts.Redis.RedisNames.Of(s).Where(i => i.EvictionPolicy == "noeviction").Select(i => i.Container)],
        };
        var spec = ObservabilityPart.Build(settings, context);

        var ips = context.PrivateIps;
        var services = bp.Services.Select(svc => svc switch
        {
            // Traefik's metrics on their own entry point, never routed; off the storage server, at the private address only.
            { Part.Kind: PartKind.Edge } when svc.Name == ServiceNames.Traefik || svc.Name.StartsWith(ServiceNames.Traefik + "@", StringComparison.Ordinal) => svc with
            {
                Command = svc.Command.AddRange(ObservabilityNames.TraefikMetricsFlags),
                InternalPorts = svc.InternalPorts.Add(ObservabilityNames.TraefikMetricsPort),
                PublishedPorts = svc.Host != context.StorageServer && ips.TryGetValue(svc.Host.Id, out var ip)
                    ? svc.PublishedPorts.Add(new PublishedPort(ip, ObservabilityNames.TraefikMetricsPort, ObservabilityNames.TraefikMetricsPort, "tcp"))
                    : svc.PublishedPorts,
            },
            // MinIO's cluster metrics without a token: reachable on the data network (and, on a split stack, the private
            // address); Traefik's route to files.<domain> refuses its metrics paths.
            { Part.Kind: PartKind.ObjectStorage } when svc.Name == ServiceNames.Minio => svc with
            {
                Env = svc.Env.SetItem(ObservabilityNames.MinioPrometheusAuthEnv, SecretText.Plain("public")),
                // On a single server its routes are its labels (a split stack's are file routes, see SplitFileRoutes).
                Labels = bp.IsSplit ? svc.Labels : svc.Labels.SetItems(Routing.Labels("minio-metrics", AppEnvironment.MinioPort, MinioMetricsRoutes(s), s.Domain, null, s.CloudflareOnlyIngress, sticky: false)),
            },
            _ => svc,
        }).Concat(spec.Services.Select(svc => svc.Name == ObservabilityNames.Grafana ? GrafanaUi(s, settings, svc, ips) : ExporterOffStorage(svc, context))).Select(LogLabels).OrderBy(x => x.Kind).ThenBy(x => x.Name, StringComparer.Ordinal).ToImmutableArray();

        // Networks are per server: add those the part's containers use where the server has none of that name yet.
        var templates = bp.Networks.GroupBy(n => n.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        templates[ObservabilityNames.LogsNetwork] = new NetworkSpec(ObservabilityNames.LogsNetwork, Internal: true,
            "The log collector and its read-only Docker API proxy; no egress");
        var networks = bp.Networks.ToList();
        foreach (var svc in services.Where(x => x.Part == PartId.Observability))
            foreach (var attachment in svc.Networks)
                if (!networks.Any(n => n.Name == attachment.Network && n.Host == svc.Host))
                    networks.Add(templates[attachment.Network] with { Host = svc.Host });

        var volumes = bp.Volumes.AddRange(spec.Volumes.Select(v => v with { Host = context.Servers.Single(x => NameOnServer(v.Service, x, context.StorageServer)) }))
            .OrderBy(v => v.Key, StringComparer.Ordinal).ToImmutableArray();
        // The platform's own (e.g. the PostgreSQL monitoring role's, which host metrics uses too) come first.
        var secrets = bp.Secrets.AddRange(spec.Secrets.Where(x => !bp.Secrets.Any(o => o.Name == x.Name))).OrderBy(x => x.Name, StringComparer.Ordinal).ToImmutableArray();
        ImmutableArray<MemoryBudget> budgets = bp.IsSplit
            ? [.. bp.Servers.Select(x => MemoryBudget.ForServer(x, s.Server.OsReserveMb, services.Where(y => y.Host == x.Key)))]
            // The single server's budget holds the part's lines when it is on (MemoryBudget.Compute); a test pins them to the containers.
            : bp.Budget.Lines.Any(ObservabilityView.IsPart) ? bp.Budgets : [bp.Budget with { Lines = bp.Budget.Lines.AddRange(ObservabilityBudget(s, settings)) }];
        var commands = bp.HostCommands.AddRange(spec.HostFiles.Select(f => HostFilesCommand(f.Command, f.Description, f.HostDirectory, f.Uid, f.Uid,
                [.. f.Files], f.Container,
                SecretText.Plain(f.Restart ? ShellDecisions.RestartCommand(f.Container) : $"docker kill -s HUP {f.Container} >/dev/null"), PartId.Observability)
            // Next to the container that reads the files (an exporter sits next to what it measures, e.g. on a cache server).
            with { Host = spec.Services.FirstOrDefault(x => (x.ContainerName ?? x.Name) == f.Container)?.Host ?? context.StorageServer }))
            .OrderBy(c => c.Name, StringComparer.Ordinal).ToImmutableArray();
        var placed = bp with
        {
            Services = services,
            HostCommands = commands,
            Networks = [.. networks],
            Volumes = volumes,
            Secrets = secrets,
            Budgets = budgets,
        };
        return placed with { Observability = ObservabilityView.Of(s, placed, spec) };
    }

    /// <summary>The files host's routers for MinIO's metrics paths, each admitting no client (403), above the files route.</summary>
    internal static ImmutableArray<RouteSpec> MinioMetricsRoutes(StackSettings s) =>
        [.. ObservabilityNames.MinioMetricsPrefixes.Select((prefix, i) => new RouteSpec(ObservabilityNames.MinioMetricsRouter(i), Routing.Fqdn(ServiceNames.FilesHost, s.Domain),
            ServiceNames.FilesHost, prefix, false) { AllowCidrs = ObservabilityNames.NoClient })];

    /// <summary>
    /// Grafana's UI at <c>https://&lt;host&gt;.&lt;domain&gt;</c>, to the allowed CIDRs only (403 for everyone else), then Grafana's
    /// own login: Traefik's labels on a single server; on a split stack every app server's Traefik routes to the data
    /// server's private address (a file route, the split stack's file routes), where Grafana publishes its port.
    /// </summary>
    internal static ServiceSpec GrafanaUi(StackSettings s, ObservabilitySettings settings, ServiceSpec grafana, ImmutableSortedDictionary<string, string> ips)
    {
        var route = new RouteSpec(ObservabilityNames.Grafana, Routing.Fqdn(settings.Host, s.Domain), settings.Host, null, false) { AllowCidrs = settings.AllowCidrs };
        var env = grafana.Env.SetItem("GF_SERVER_ROOT_URL", SecretText.Plain($"https://{route.Fqdn}/"));
        return ips.TryGetValue(grafana.Host.Id, out var ip)
            ? grafana with { Env = env, PublishedPorts = [new PublishedPort(ip, ObservabilityNames.GrafanaPort, ObservabilityNames.GrafanaPort, "tcp")] }
            : grafana with { Env = env, Labels = Routing.Labels(ObservabilityNames.Grafana, ObservabilityNames.GrafanaPort, [route], s.Domain, null, s.CloudflareOnlyIngress, sticky: false) };
    }

    /// <summary>
    /// The Docker labels the collector turns into each log stream's <c>part</c>, <c>app</c> and <c>instance</c> labels
    /// (<c>stack</c> and <c>server</c> are the collector's own): <c>app</c> for every app's containers, else the part.
    /// </summary>
    internal static ServiceSpec LogLabels(ServiceSpec svc) => svc with
    {
        Labels = svc.Labels
            .SetItem(ObservabilityNames.PartLabel, svc.Part.Kind == PartKind.App ? "app" : svc.Part.ResourceName)
            .SetItem(ObservabilityNames.AppLabel, svc.App ?? "")
            .SetItem(ObservabilityNames.InstanceLabel, svc.Name),
    };

    /// <summary>The part's memory on a single server, from the settings alone (the settings' budget check runs before any blueprint).</summary>
    internal static ImmutableArray<BudgetLine> ObservabilityBudget(StackSettings s, ObservabilitySettings settings) =>
        ObservabilityPart.BudgetLines(settings, 1, s.SocketProxy.MemoryMb, DataJobs(s), s.Monitoring.AlertWebhook);

    /// <summary>The data services' scrape jobs a stack has, from its settings alone (PostgreSQL and PgBouncer always run).</summary>
    internal static IReadOnlySet<string> DataJobs(StackSettings s)
    {
        var jobs = new HashSet<string>(StringComparer.Ordinal) { "postgres", "pgbouncer" };
        if (!Parts.Redis.RedisNames.Of(s).IsEmpty) jobs.Add("redis");
        if (s.UsesMariaDb) jobs.Add("mariadb");
        return jobs;
    }

    /// <summary>Whether a per-server volume's service is the part's container on <paramref name="server"/>.</summary>
    internal static bool NameOnServer(string service, ServerKey server, ServerKey storage) =>
        server == storage ? !service.Contains('@', StringComparison.Ordinal) : service.EndsWith("@" + server.Id, StringComparison.Ordinal);
}
