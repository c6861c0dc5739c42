using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Observability;

/// <summary>Reads <c>platform:observability</c> (a mapping; unset means off) into <see cref="ObservabilitySettings"/>.</summary>
internal static class ObservabilitySettingsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> Keys => ObservabilitySchema.Observability.Keys;

    /// <summary>
    /// The settings, every problem reported under its key (<c>platform:observability.retentionDays</c>) with the fix; a
    /// value that cannot be read keeps its default so the rest is still checked.
    /// </summary>
    public static ObservabilitySettings Read(NodeReader r, YamlNode? node, System.Collections.Immutable.ImmutableArray<string> adminCidrs)
    {
        const string key = ObservabilityValidation.DefaultSettingsKey;
        var d = new ObservabilitySettings { AllowCidrs = adminCidrs };
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
            Host = map.TryGetValue("host", out var host) ? r.String(host, $"{key}.host").Trim().ToLowerInvariant() : d.Host,
            AllowCidrs = map.TryGetValue("allowCidrs", out var cidrs) ? r.StringList(cidrs, $"{key}.allowCidrs") : adminCidrs,
        };
        if (!Names.IsLabel(settings.Host))
            r.Error($"{key}.host", $"'{settings.Host}' is not a subdomain label.", "Give one label under the stack's domain, e.g. grafana or metrics-admin.");
        if (settings.Enabled && settings.AllowCidrs.IsEmpty)
            r.Error($"{key}.allowCidrs", "is empty, so Grafana would be open to the internet (or to nobody).",
                "List the admin CIDRs allowed in, e.g. allowCidrs: [203.0.113.10/32], or leave it unset to use platform:adminCidrs.");
        r.Cidrs(settings.AllowCidrs, $"{key}.allowCidrs", "203.0.113.10/32");
        foreach (var e in ObservabilityValidation.Errors(settings, key)) r.Error(e.Key, e.Problem, e.Fix);
        return settings;
    }
}
