using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Parts.Observability;

/// <summary>What the part needs from the rest of the stack; <see cref="FromBlueprint"/> derives it.</summary>
public sealed record ObservabilityPartContext
{
    /// <summary>The stack's name: the <c>stack</c> label of every series and log stream.</summary>
    public required string Stack { get; init; }

    /// <summary>Every scrape target (see <see cref="ScrapeTargets.From"/>).</summary>
    public required ImmutableArray<ScrapeTarget> Targets { get; init; }

    /// <summary>Every server, each of which runs node-exporter and a log collector.</summary>
    public required ImmutableArray<ServerKey> Servers { get; init; }

    /// <summary>The server holding Prometheus, Loki and Grafana.</summary>
    public required ServerKey StorageServer { get; init; }

    /// <summary>How a collector on another server reaches Loki (the storage server's private address). Default: none (single server).</summary>
    public string? StoragePrivateIp { get; init; }

    /// <summary>The Redis instances (their service names) whose policy is <c>noeviction</c>: each gets a memory alert. Default: none.</summary>
    public ImmutableArray<string> NoEvictionRedis { get; init; } = [];

    /// <summary>The alert thresholds. Default: DESIGN.md's (<see cref="AlertThresholds.Default"/>).</summary>
    public AlertThresholds Thresholds { get; init; } = AlertThresholds.Default;

    /// <summary>The Docker API (the part's own read-only proxy on each server) the collectors list containers and read logs through.</summary>
    public string DockerHost { get; init; } = $"tcp://{ObservabilityNames.LogsProxy}:{EdgeBlueprint.SocketProxyPort}";

    /// <summary>On a split stack, each server's private address by server id (exporters off the storage server publish there). Default: none.</summary>
    public ImmutableSortedDictionary<string, string> PrivateIps { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The image and memory of the collectors' Docker API proxy (the platform's socket-proxy image, HAProxy). Default: the schema's.</summary>
    public string ProxyImage { get; init; } = "tecnativa/docker-socket-proxy:0.3.0";

    /// <inheritdoc cref="ProxyImage"/>
    public int ProxyMemoryMb { get; init; } = 32;

    /// <summary>
    /// The config secret holding the stack's alert channel (a webhook URL); Alertmanager routes every alert there. Default:
    /// none, so there is no Alertmanager and alerts are not routed (the plan says so).
    /// </summary>
    public string? AlertWebhookSecret { get; init; }

    /// <summary>Config key of the settings, for error messages. Default: <see cref="ObservabilityValidation.DefaultSettingsKey"/>.</summary>
    public string SettingsKey { get; init; } = ObservabilityValidation.DefaultSettingsKey;

    /// <summary>The context of a built blueprint (one without this part): its stack, servers and scrape targets.</summary>
    public static ObservabilityPartContext FromBlueprint(PlatformBlueprint bp)
    {
        ArgumentNullException.ThrowIfNull(bp);
        var storage = ScrapeTargets.StorageServer(bp);
        return new()
        {
            Stack = bp.Stack,
            Targets = ScrapeTargets.From(bp),
            Servers = [.. bp.Servers.Select(x => x.Key)],
            StorageServer = storage.Key,
            StoragePrivateIp = bp.Servers.Length > 1 ? storage.PrivateIp : null,
            PrivateIps = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                bp.Servers.Length > 1 ? bp.Servers.Where(x => x.PrivateIp is not null).Select(x => KeyValuePair.Create(x.Key.Id, x.PrivateIp!)) : []),
        };
    }
}

/// <summary>Everything the observability part renders, ready for its containers' files and the plan.</summary>
/// <param name="Targets">What Prometheus scrapes.</param>
/// <param name="PrometheusYml">Prometheus's configuration.</param>
/// <param name="Rules">The alert rules.</param>
/// <param name="RulesYml">The rule file.</param>
/// <param name="LokiYml">Loki's configuration.</param>
/// <param name="Collectors">The collector configuration of each server, by server id.</param>
/// <param name="GrafanaDatasources">Grafana's datasources file.</param>
/// <param name="GrafanaDashboardProvider">Grafana's dashboard provider file.</param>
/// <param name="Dashboards">Each dashboard's JSON, by file name.</param>
/// <param name="Budget">Memory budget lines, one per container.</param>
/// <param name="Retention">What is stored and for how long, as plan lines.</param>
/// <param name="Services">The part's containers, the data services' exporters among them.</param>
/// <param name="Volumes">Prometheus's, Loki's, Grafana's and each collector's volume.</param>
/// <param name="Secrets">Grafana's admin password and the data services' monitoring users' passwords (generated).</param>
public sealed record ObservabilityPartSpec(
    ImmutableArray<ScrapeTarget> Targets,
    string PrometheusYml,
    ImmutableArray<AlertRule> Rules,
    string RulesYml,
    string LokiYml,
    ImmutableSortedDictionary<string, string> Collectors,
    string GrafanaDatasources,
    string GrafanaDashboardProvider,
    ImmutableSortedDictionary<string, string> Dashboards,
    ImmutableArray<BudgetLine> Budget,
    ImmutableArray<string> Retention,
    ImmutableArray<ServiceSpec> Services,
    ImmutableArray<VolumeSpec> Volumes,
    ImmutableArray<SecretSpec> Secrets)
{
    /// <summary>Alertmanager's configuration; null when the stack has no alert channel (alerts are not routed).</summary>
    public string? AlertmanagerYml { get; init; }

    /// <summary>The files written on the storage server (Prometheus's targets and rules, the exporters' credentials), with the container each reloads. Default: none.</summary>
    public ImmutableArray<ObservabilityHostFiles> HostFiles { get; init; } = [];

    /// <summary>Whether alerts reach the stack's alert channel.</summary>
    public bool AlertsRouted => AlertmanagerYml is not null;

    public int MemoryMb => Budget.Sum(l => l.MemoryMb * l.Instances);
}

/// <summary>The observability part: settings and context in, rendered files and budget out. Pure.</summary>
public static class ObservabilityPart
{
    /// <summary>The exporter container each scrape job needs (jobs with native metrics need none).</summary>
    public static readonly ImmutableSortedDictionary<string, string> ExporterOfJob = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
    {
        ["postgres"] = ObservabilityNames.PostgresExporter,
        ["pgbouncer"] = ObservabilityNames.PgBouncerExporter,
        ["redis"] = ObservabilityNames.RedisExporter,
        ["mariadb"] = ObservabilityNames.MysqldExporter,
    });

    /// <summary>Throws <see cref="ArgumentException"/> listing every error (see <see cref="ObservabilityValidation.Errors"/>).</summary>
    public static ObservabilityPartSpec Build(ObservabilitySettings settings, ObservabilityPartContext context)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(context);
        if (ObservabilityValidation.Errors(settings, context.SettingsKey) is { Count: > 0 } errors)
            throw new ArgumentException($"Observability has {errors.Count} configuration error(s):\n" + string.Join("\n", errors.Select(e => "  - " + e)), nameof(settings));

        var jobs = context.Targets.Select(t => t.Job).ToHashSet(StringComparer.Ordinal);
        var rules = PrometheusConfig.Rules(context.Thresholds, jobs, context.NoEvictionRedis);
        var lokiPush = $"/loki/api/v1/push";
        var collectors = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, context.Servers.Select(server =>
            KeyValuePair.Create(server.Id, LogsConfig.Alloy(context.Stack, server.Id, context.DockerHost,
                server == context.StorageServer || context.StoragePrivateIp is null
                    ? $"http://{ObservabilityNames.Loki}:{ObservabilityNames.LokiPort}{lokiPush}"
                    : $"http://{context.StoragePrivateIp}:{ObservabilityNames.LokiPort}{lokiPush}"))));

        var routed = context.AlertWebhookSecret is not null;
        var budget = BudgetLines(settings, context.Servers.Length, context.ProxyMemoryMb, jobs, routed);
        var prometheusYml = PrometheusConfig.Render(context.Stack, context.Targets, settings.ScrapeIntervalSeconds,
            alertmanager: routed ? $"{ObservabilityNames.Alertmanager}:{D(ObservabilityNames.AlertmanagerPort)}" : null);
        var alertmanagerYml = routed ? AlertRouting.Render(ObservabilityNames.AlertWebhookUrlFile) : null;

        var on = context.StorageServer.IsSingle ? "the server" : $"the {context.StorageServer.Id} server";
        var retention = ImmutableArray.Create(
            $"metrics: every target every {D(settings.ScrapeIntervalSeconds)} s, kept {D(settings.RetentionDays)} days (Prometheus, on {on})",
            $"logs: every container's stdout and stderr, kept {D(settings.LogRetentionDays)} days (Loki, on {on})");

        var files = new ObservabilityFiles(
            prometheusYml,
            PrometheusConfig.RenderRules(rules),
            LogsConfig.Loki(settings.LogRetentionDays),
            collectors,
            GrafanaProvisioning.Datasources(),
            GrafanaProvisioning.DashboardProvider(),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                GrafanaProvisioning.Dashboards.Select(d => KeyValuePair.Create(d.Uid + ".json", GrafanaProvisioning.Json(d)))),
            alertmanagerYml);
        var servers = context.Servers.ToDictionary(x => x.Id, StringComparer.Ordinal);
        var services = ObservabilityServices.Of(settings, context, files)
            .AddRange(ObservabilityExporters.Of(settings, context.Targets, id => servers.TryGetValue(id, out var key) ? key : context.StorageServer));
        // Everything that changes with the apps is in files on the server, reread in place: the data services' targets, the rules.
        var prometheusFiles = new ObservabilityHostFiles(ObservabilityNames.PrometheusFilesCommand, ObservabilityNames.PrometheusFilesHostDirectory,
            ObservabilityNames.PrometheusFilesDirectory, ObservabilityExporters.NobodyUid, ObservabilityNames.Prometheus, Restart: false,
            [
                .. PrometheusConfig.FileJobs.Select(j => (PrometheusConfig.TargetsFile(j.Job), SecretText.Plain(PrometheusConfig.TargetsJson(context.Targets.Where(t => t.Job == j.Job))))),
                (System.IO.Path.GetFileName(ObservabilityNames.PrometheusRulesPath), SecretText.Plain(files.RulesYml)),
            ],
            "writes Prometheus's alert rules and the data services' scrape targets on the server and has Prometheus reread them (SIGHUP)");
        var secrets = ImmutableArray.Create(new SecretSpec(ObservabilityNames.GrafanaAdminSecret, SecretSource.Generated, Conventions.PasswordLength, null, "Grafana's admin password (user admin)"))
            .AddRange(ObservabilityExporters.SecretOfJob.Where(x => jobs.Contains(x.Key)).Select(x => new SecretSpec(x.Value, SecretSource.Generated, Conventions.PasswordLength, null,
                $"{ObservabilityExporters.UserOfJob[x.Key]}, the metrics exporter's login")));
        return new(
            context.Targets,
            prometheusYml,
            rules,
            PrometheusConfig.RenderRules(rules),
            LogsConfig.Loki(settings.LogRetentionDays),
            collectors,
            GrafanaProvisioning.Datasources(),
            GrafanaProvisioning.DashboardProvider(),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                GrafanaProvisioning.Dashboards.Select(d => KeyValuePair.Create(d.Uid + ".json", GrafanaProvisioning.Json(d)))),
            budget,
            retention,
            services,
            ObservabilityServices.Volumes(context),
            secrets)
        {
            AlertmanagerYml = alertmanagerYml,
            HostFiles = [prometheusFiles, .. ObservabilityExporters.HostFiles(context.Targets)],
        };
    }

    /// <summary>
    /// The part's memory: Prometheus, Loki and Grafana once; a collector, its Docker API proxy and node-exporter on each
    /// of <paramref name="servers"/>; an exporter for each data-service job in <paramref name="jobs"/>; Alertmanager when
    /// <paramref name="alertmanager"/> (the stack has an alert channel). Kind
    /// <c>operations</c>, as the budget counts every platform container that is neither edge nor data.
    /// </summary>
    public static ImmutableArray<BudgetLine> BudgetLines(ObservabilitySettings settings, int servers, int proxyMemoryMb, IReadOnlySet<string> jobs, bool alertmanager)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var budget = ImmutableArray.CreateBuilder<BudgetLine>();
        budget.Add(new(ObservabilityNames.Prometheus, "operations", 1, settings.PrometheusMemoryMb));
        budget.Add(new(ObservabilityNames.Loki, "operations", 1, settings.LokiMemoryMb));
        budget.Add(new(ObservabilityNames.Grafana, "operations", 1, settings.GrafanaMemoryMb));
        if (alertmanager) budget.Add(new(ObservabilityNames.Alertmanager, "operations", 1, ObservabilityNames.AlertmanagerMemoryMb));
        budget.Add(new(ObservabilityNames.Collector, "operations", servers, settings.CollectorMemoryMb));
        budget.Add(new(ObservabilityNames.LogsProxy, "operations", servers, proxyMemoryMb));
        budget.Add(new(ObservabilityNames.NodeExporter, "operations", servers, settings.ExporterMemoryMb));
        foreach (var (job, exporter) in ExporterOfJob.Where(x => jobs.Contains(x.Key)))
            budget.Add(new(exporter, "operations", 1, ObservabilityNames.ExporterMemoryMb[job]));
        return budget.ToImmutable();
    }

    private static string D(int n) => n.ToString(CultureInfo.InvariantCulture);
}
