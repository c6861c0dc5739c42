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

    public Observability(ObservabilityArgs args, ComponentResourceOptions? opts = null)
        : base(args, PartKind.Observability, args.Watched, opts)
    {
        PrometheusUrl = Output.Create($"http://{ObservabilityNames.Prometheus}:{ObservabilityNames.PrometheusPort}");
        RegisterOutputs();
    }
}
