using System.Globalization;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Observability;

/// <summary>Every problem with the observability settings, each naming its config key and the fix; all at once.</summary>
public static class ObservabilityValidation
{
    /// <summary>Where the settings come from in the stack file.</summary>
    public const string DefaultSettingsKey = "platform:observability";

    public const int MinRetentionDays = 1;
    public const int MaxRetentionDays = 400;
    public const int MinScrapeIntervalSeconds = 5;
    public const int MaxScrapeIntervalSeconds = 300;

    /// <summary>The least memory each component was seen to start and run with on a small stack.</summary>
    public const int MinPrometheusMemoryMb = 128, MinLokiMemoryMb = 96, MinGrafanaMemoryMb = 128, MinCollectorMemoryMb = 64, MinExporterMemoryMb = 16;

    public static IReadOnlyList<SettingsError> Errors(ObservabilitySettings settings, string settingsKey = DefaultSettingsKey)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<SettingsError>();
        void Days(string key, int value, int @default)
        {
            if (value is < MinRetentionDays or > MaxRetentionDays)
                errors.Add(new($"{settingsKey}.{key}", $"{N(value)} is not a number of days between {MinRetentionDays} and {MaxRetentionDays}.",
                    $"Set {key} to a number of days such as {N(@default)} (the longer, the more disk the data server needs)."));
        }
        void Memory(string key, int value, int min)
        {
            if (value < min)
                errors.Add(new($"{settingsKey}.{key}", $"{N(value)} MB is too little.", $"Set {key} to {N(min)} or more."));
        }
        var defaults = new ObservabilitySettings();
        Days("retentionDays", settings.RetentionDays, defaults.RetentionDays);
        Days("logRetentionDays", settings.LogRetentionDays, defaults.LogRetentionDays);
        if (settings.ScrapeIntervalSeconds is < MinScrapeIntervalSeconds or > MaxScrapeIntervalSeconds)
            errors.Add(new($"{settingsKey}.scrapeIntervalSeconds", $"{N(settings.ScrapeIntervalSeconds)} is not an interval between {MinScrapeIntervalSeconds} and {MaxScrapeIntervalSeconds} seconds.",
                $"Set scrapeIntervalSeconds to e.g. {N(defaults.ScrapeIntervalSeconds)}."));
        Memory("prometheusMemoryMb", settings.PrometheusMemoryMb, MinPrometheusMemoryMb);
        Memory("lokiMemoryMb", settings.LokiMemoryMb, MinLokiMemoryMb);
        Memory("grafanaMemoryMb", settings.GrafanaMemoryMb, MinGrafanaMemoryMb);
        Memory("collectorMemoryMb", settings.CollectorMemoryMb, MinCollectorMemoryMb);
        Memory("exporterMemoryMb", settings.ExporterMemoryMb, MinExporterMemoryMb);
        return errors;
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
