using Platform.Components.Parts;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.Observability;
using Pulumi;

namespace Platform.Components.Observability;

/// <summary>Arguments of <see cref="Observability"/>: the observability part (Prometheus, Loki, Grafana, collectors, exporters).</summary>
public sealed class ObservabilityArgs : PartArgs
{
    /// <summary>The parts whose services its exporters watch (PostgreSQL, PgBouncer, Redis, MariaDB): their containers and commands come first. Default: none.</summary>
    public IReadOnlyList<PlatformPart?> Watched { get; init; } = [];
}

/// <summary>Metrics, logs and dashboards: the part's containers, volumes and files, each on the server the core placed it on.</summary>
public sealed class Observability : PlatformPart
{
    /// <summary>Prometheus's address on the storage server's data network (for Grafana and for ad-hoc queries over SSH).</summary>
    [Output("prometheusUrl")]
    public Output<string> PrometheusUrl { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public Observability(string name, ObservabilityArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.Observability, args.Watched, opts)
    {
        PrometheusUrl = Containers[ObservabilityNames.Prometheus].Name.Apply(host => $"http://{host}:{ObservabilityNames.PrometheusPort}");
        RegisterOutputs();
    }
}
