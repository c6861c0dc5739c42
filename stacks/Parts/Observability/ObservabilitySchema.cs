using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Observability;

/// <summary>The keys of <c>platform:observability</c>, with the defaults of <see cref="ObservabilitySettings"/>.</summary>
public static class ObservabilitySchema
{
    private static readonly ObservabilitySettings D = new();

    private static FieldDef Memory(string name, string what, int min, int @default) =>
        Int(name, $"Memory limit of {what}, in MB.", min, int.MaxValue, @default);

    public static readonly ObjectDef Observability = new("observability", "Metrics, logs and dashboards (Prometheus, Loki, Grafana, exporters).",
    [
        Bool("enabled", "Deploy them."),
        Int("retentionDays", "Days metrics are kept.", ObservabilityValidation.MinRetentionDays, ObservabilityValidation.MaxRetentionDays, D.RetentionDays),
        Int("logRetentionDays", "Days logs are kept.", ObservabilityValidation.MinRetentionDays, ObservabilityValidation.MaxRetentionDays, D.LogRetentionDays),
        Int("scrapeIntervalSeconds", "Seconds between metric scrapes.", ObservabilityValidation.MinScrapeIntervalSeconds, ObservabilityValidation.MaxScrapeIntervalSeconds, D.ScrapeIntervalSeconds),
        Memory("prometheusMemoryMb", "Prometheus", ObservabilityValidation.MinPrometheusMemoryMb, D.PrometheusMemoryMb),
        Memory("lokiMemoryMb", "Loki", ObservabilityValidation.MinLokiMemoryMb, D.LokiMemoryMb),
        Memory("grafanaMemoryMb", "Grafana", ObservabilityValidation.MinGrafanaMemoryMb, D.GrafanaMemoryMb),
        Memory("collectorMemoryMb", "the log collector", ObservabilityValidation.MinCollectorMemoryMb, D.CollectorMemoryMb),
        Memory("exporterMemoryMb", "node-exporter", ObservabilityValidation.MinExporterMemoryMb, D.ExporterMemoryMb),
        Str("host", "Subdomain of Grafana's UI.", D.Host),
        List("allowCidrs", "Client CIDRs allowed to Grafana; everyone else gets 403. Default: platform:adminCidrs."),
    ]);
}
