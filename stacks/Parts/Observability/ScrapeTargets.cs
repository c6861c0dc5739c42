using System.Collections.Immutable;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// One thing Prometheus scrapes.
/// </summary>
/// <param name="Job">The scrape job (one per kind of exporter), e.g. <c>node</c>.</param>
/// <param name="Address">host:port Prometheus connects to.</param>
/// <param name="Server">The server it measures (<c>server</c>, <c>data</c>, <c>app-1</c>…), a label on every series.</param>
/// <param name="Instance">The <c>instance</c> label: the service measured (not the exporter's address).</param>
/// <param name="MetricsPath">The HTTP path. Default: <c>/metrics</c>.</param>
/// <param name="Target">For multi-target exporters (redis_exporter's <c>/scrape</c>): the address the exporter reads; null otherwise.</param>
public sealed record ScrapeTarget(string Job, string Address, string Server, string Instance, string MetricsPath = "/metrics", string? Target = null);

/// <summary>
/// The scrape targets of a stack, derived from its blueprint: every server's node-exporter, Traefik on every server
/// it runs on, and an exporter (or the native endpoint) for every data service the blueprint has. Adding an app, a
/// Redis instance or a server adds its targets here, with no line of configuration.
/// </summary>
public static class ScrapeTargets
{
    /// <summary>The server that holds Prometheus, Loki and Grafana: the data server of a split stack, else the single one.</summary>
    public static ServerSpec StorageServer(PlatformBlueprint bp) =>
        bp.Servers.FirstOrDefault(x => x.Key == ServerKey.Data) ?? bp.Servers.First();

    public static ImmutableArray<ScrapeTarget> From(PlatformBlueprint bp)
    {
        ArgumentNullException.ThrowIfNull(bp);
        var storage = StorageServer(bp).Key;
        var servers = bp.Servers.ToDictionary(x => x.Key);
        // On the storage server Prometheus reaches a container by name on a shared Docker network; on another server,
        // at that server's private address, where the exporter publishes its port (private network only).
        string At(ServerKey host, string container, int port) =>
            host == storage || !servers.TryGetValue(host, out var server) || server.PrivateIp is null
                ? $"{container}:{port}"
                : $"{server.PrivateIp}:{port}";

        var targets = new List<ScrapeTarget> { new("prometheus", $"localhost:{ObservabilityNames.PrometheusPort}", storage.Id, ObservabilityNames.Prometheus) };
        targets.AddRange(bp.Servers.Select(x => new ScrapeTarget("node", At(x.Key, ObservabilityNames.NodeExporter, ObservabilityNames.NodeExporterPort), x.Key.Id, x.Key.Id)));
        foreach (var s in bp.Services.Where(x => !x.OneShot && x.Schedule is null).OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            var server = s.Host.Id;
            if (s.Part.Kind == PartKind.Edge && s.Name.StartsWith(ServiceNames.Traefik, StringComparison.Ordinal))
                targets.Add(new("traefik", At(s.Host, s.ContainerName ?? s.Name, ObservabilityNames.TraefikMetricsPort), server, s.Name));
            else if (s.Part.Kind == PartKind.Postgres && s.Name == ServiceNames.Postgres)
                targets.Add(new("postgres", At(s.Host, ObservabilityNames.PostgresExporter, ObservabilityNames.PostgresExporterPort), server, s.Name));
            else if (s.Part.Kind == PartKind.Postgres && s.Name == ServiceNames.PgBouncer)
                targets.Add(new("pgbouncer", At(s.Host, ObservabilityNames.PgBouncerExporter, ObservabilityNames.PgBouncerExporterPort), server, s.Name));
            else if (s.Part.Kind == PartKind.Redis)
                targets.Add(new("redis", At(s.Host, ObservabilityNames.RedisExporter, ObservabilityNames.RedisExporterPort), server, s.Name, "/scrape",
                    $"redis://{s.ContainerName ?? s.Name}:{(s.InternalPorts.IsDefaultOrEmpty ? ObservabilityNames.RedisPort : s.InternalPorts[0]).ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
            else if (s.Part.Kind == PartKind.MariaDb && s.Name == ServiceNames.MariaDb)
                targets.Add(new("mariadb", At(s.Host, ObservabilityNames.MysqldExporter, ObservabilityNames.MysqldExporterPort), server, s.Name));
            else if (s.Part.Kind == PartKind.ObjectStorage && s.Name == ServiceNames.Minio)
                targets.Add(new("minio", At(s.Host, s.ContainerName ?? s.Name, ObservabilityNames.MinioPort), server, s.Name, ObservabilityNames.MinioMetricsPath));
        }
        return [.. targets];
    }
}
