using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Observability;

/// <summary>Reads <c>platform:observability</c> (a mapping; unset means off) into <see cref="ObservabilitySettings"/>.</summary>
internal static class ObservabilitySettingsReader
{
    public static readonly string[] Keys =
    [
        "enabled", "retentionDays", "logRetentionDays", "scrapeIntervalSeconds",
        "prometheusMemoryMb", "lokiMemoryMb", "grafanaMemoryMb", "collectorMemoryMb", "exporterMemoryMb",
    ];

    /// <summary>
    /// The settings, every problem reported under its key (<c>platform:observability.retentionDays</c>) with the fix; a
    /// value that cannot be read keeps its default so the rest is still checked.
    /// </summary>
    public static ObservabilitySettings Read(NodeReader r, YamlNode? node)
    {
        const string key = ObservabilityValidation.DefaultSettingsKey;
        var d = new ObservabilitySettings();
        if (node is null) return d;
        var map = r.Mapping(node, key, Keys);
        int Int(string name, int fallback) => map.TryGetValue(name, out var n) ? r.Int(n, $"{key}.{name}", fallback) : fallback;
        var settings = new ObservabilitySettings
        {
            Enabled = map.TryGetValue("enabled", out var enabled) ? r.Bool(enabled, $"{key}.enabled", false) : false,
            RetentionDays = Int("retentionDays", d.RetentionDays),
            LogRetentionDays = Int("logRetentionDays", d.LogRetentionDays),
            ScrapeIntervalSeconds = Int("scrapeIntervalSeconds", d.ScrapeIntervalSeconds),
            PrometheusMemoryMb = Int("prometheusMemoryMb", d.PrometheusMemoryMb),
            LokiMemoryMb = Int("lokiMemoryMb", d.LokiMemoryMb),
            GrafanaMemoryMb = Int("grafanaMemoryMb", d.GrafanaMemoryMb),
            CollectorMemoryMb = Int("collectorMemoryMb", d.CollectorMemoryMb),
            ExporterMemoryMb = Int("exporterMemoryMb", d.ExporterMemoryMb),
        };
        foreach (var e in ObservabilityValidation.Errors(settings, key)) r.Error(e.Key, e.Problem, e.Fix);
        return settings;
    }
}
