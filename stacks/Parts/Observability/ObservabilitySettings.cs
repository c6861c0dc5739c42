namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// The observability part of a stack (<c>platform:observability</c>): metrics with history, logs of every container,
/// dashboards and alert rules as code. Every member has a default; <see cref="ObservabilityValidation.Errors"/> reports
/// what is wrong with a value.
/// </summary>
public sealed record ObservabilitySettings
{
    /// <summary>Whether the stack runs the part. Default: false (the shipped prod and scale stacks turn it on).</summary>
    public bool Enabled { get; init; }

    /// <summary>Days Prometheus keeps samples (<c>--storage.tsdb.retention.time</c>). Default: 15.</summary>
    public int RetentionDays { get; init; } = 15;

    /// <summary>Days Loki keeps log lines (its compactor deletes older chunks). Default: 7.</summary>
    public int LogRetentionDays { get; init; } = 7;

    /// <summary>Seconds between two scrapes of a target (and between two rule evaluations). Default: 30.</summary>
    public int ScrapeIntervalSeconds { get; init; } = 30;

    /// <summary>Prometheus's memory limit. Default: 192.</summary>
    public int PrometheusMemoryMb { get; init; } = 192;

    /// <summary>Loki's memory limit. Default: 160.</summary>
    public int LokiMemoryMb { get; init; } = 160;

    /// <summary>Grafana's memory limit. Default: 160.</summary>
    public int GrafanaMemoryMb { get; init; } = 160;

    /// <summary>Memory limit of the log collector on each server. Default: 96.</summary>
    public int CollectorMemoryMb { get; init; } = 96;

    /// <summary>The subdomain Grafana's UI is served on (behind <see cref="AllowCidrs"/> and Grafana's login). Default: grafana.</summary>
    public string Host { get; init; } = "grafana";

    /// <summary>Client CIDRs allowed to reach Grafana; everyone else gets 403. Default: the stack's adminCidrs.</summary>
    public System.Collections.Immutable.ImmutableArray<string> AllowCidrs { get; init; } = [];

    /// <summary>Memory limit of node-exporter on each server (the data services' exporters have measured limits of their own, <see cref="ObservabilityNames.ExporterMemoryMb"/>). Default: 32.</summary>
    public int ExporterMemoryMb { get; init; } = 32;
}
