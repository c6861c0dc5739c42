using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// What the plan says of the observability part: when on, where it runs, what it keeps and for how long, its memory per
/// component, its dashboards; when off, what turning it on would take and whether that fits (with the fix when not).
/// </summary>
/// <param name="Enabled">Whether the stack runs the part.</param>
/// <param name="Lines">The plan's lines, in order.</param>
/// <param name="Fits">Whether the part fits every server's memory (when off: would fit).</param>
public sealed record ObservabilityView(bool Enabled, ImmutableArray<string> Lines, bool Fits)
{
    public static ObservabilityView Of(StackSettings s, PlatformBlueprint bp, ObservabilityPartSpec spec)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(bp);
        ArgumentNullException.ThrowIfNull(spec);
        var storage = ScrapeTargets.StorageServer(bp).Key.IsSingle ? "the server" : $"the {ScrapeTargets.StorageServer(bp).Key.Id} server";
        List<string> lines =
        [
            $"on (platform:observability): Prometheus, Loki and Grafana on {storage}; a log collector, its Docker API proxy and node-exporter on every server ({N(bp.Servers.Length)})",
            .. spec.Retention,
            $"UI: https://{Settings.SettingsRules.Fqdn(s.Observability.Host, s.Domain)}/ (Grafana), only from {string.Join(", ", s.Observability.AllowCidrs)} (everyone else gets 403), then Grafana's login: user admin, password the generated secret {ObservabilityNames.GrafanaAdminSecret}",
            $"scrape targets ({N(spec.Targets.Length)}): {string.Join(", ", spec.Targets.GroupBy(t => t.Job, StringComparer.Ordinal).Select(g => $"{g.Key} x{N(g.Count())}"))}",
            ExportersLine(spec),
            $"alert rules ({N(spec.Rules.Length)}): {string.Join(", ", spec.Rules.Select(r => r.Name))}",
            AlertRouting.PlanLine(spec.AlertsRouted, ObservabilityNames.AlertmanagerMemoryMb),
            .. spec.Dashboards.Keys.Select(k => GrafanaProvisioning.Dashboards.Single(d => d.Uid + ".json" == k)).Select(d => $"dashboard '{d.Title}': {d.Shows}"),
            $"memory: {N(spec.MemoryMb)} MB in all — {Components(spec.Budget)}",
        ];
        return new(true, [.. lines], bp.Budgets.All(b => b.Fits));
    }

    /// <summary>The part off: what it would take on each server (from the blueprint <paramref name="on"/>, the same stack with it on), and whether it fits.</summary>
    public static ObservabilityView Off(StackSettings s, PlatformBlueprint bp, PlatformBlueprint on)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(bp);
        ArgumentNullException.ThrowIfNull(on);
        var lines = new List<string> { "off (platform:observability.enabled is false): no metrics history, no log search; Uptime Kuma still watches every host and data service" };
        var fits = true;
        foreach (var budget in on.Budgets)
        {
            var part = budget.Lines.Where(IsPart).ToList();
            if (part.Count == 0) continue;
            var before = bp.Budgets.Single(b => b.Server == budget.Server);
            var need = part.Sum(l => l.TotalMb);
            var where = bp.IsSplit ? $"on {budget.Server}: " : "";
            if (budget.Fits)
                lines.Add($"{where}turned on it takes {N(need)} MB ({Components(part)}); it fits in the {N(before.FreeMb)} MB free");
            else
            {
                fits = false;
                var type = Catalog.ServerTypes.All[budget.ServerType];
                var bigger = Catalog.ServerTypes.All.Values.Where(x => x.MemoryGb * 1024 >= budget.TotalMb + budget.OneShotPeakMb && x.Cpu == type.Cpu).OrderBy(x => x.MemoryGb).FirstOrDefault();
                var key = !bp.IsSplit ? "platform:serverType" : TopologySettings.TypeKey(budget.Server);
                lines.Add($"{where}turned on it takes {N(need)} MB ({Components(part)}), but only {N(before.FreeMb - before.OneShotPeakMb)} MB are free: it does NOT fit on a {type.Name}. "
                    + $"Fix: set {key} to {(bigger is null ? "a larger type" : $"{bigger.Name} ({N(bigger.MemoryGb)} GB)")}, or lower the apps' memory by {N(budget.TotalMb + budget.OneShotPeakMb - budget.ServerMemoryMb)} MB, before turning it on");
            }
        }
        return new(false, [.. lines], fits);
    }

    /// <summary>The data services' exporters and the user each logs in as (its password in a file, never in its environment).</summary>
    private static string ExportersLine(ObservabilityPartSpec spec)
    {
        var jobs = ObservabilityPart.ExporterOfJob.Where(x => spec.Services.Any(s => s.Name == x.Value)).ToList();
        return jobs.Count == 0
            ? "data exporters: none (no data service)"
            : $"data exporters ({N(jobs.Count)}), each logging in with a password it reads from a file: "
                + string.Join("; ", jobs.Select(x => $"{x.Value} as {ObservabilityExporters.UserOfJob[x.Key]}"));
    }

    /// <summary>Whether a budget line is one of the part's containers.</summary>
    public static bool IsPart(BudgetLine line) => PartContainers.Contains(line.Name.Split('@')[0]);

    private static readonly ImmutableHashSet<string> PartContainers =
    [
        ObservabilityNames.Prometheus, ObservabilityNames.Loki, ObservabilityNames.Grafana, ObservabilityNames.Alertmanager, ObservabilityNames.Collector, ObservabilityNames.LogsProxy,
        ObservabilityNames.NodeExporter, .. ObservabilityPart.ExporterOfJob.Values,
    ];

    private static string Components(IEnumerable<BudgetLine> lines) =>
        string.Join(", ", lines.GroupBy(l => l.Name.Split('@')[0], StringComparer.Ordinal)
            .Select(g => g.Sum(l => l.Instances) == 1 ? $"{g.Key} {N(g.First().MemoryMb)} MB" : $"{g.Key} {N(g.Sum(l => l.Instances))} x {N(g.First().MemoryMb)} MB"));

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
