using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Parts.Observability;

/// <summary>An alert rule as rendered, kept for the plan and the tests.</summary>
public sealed record AlertRule(string Group, string Name, string Expr, string For, string Severity, string Summary);

/// <summary>Prometheus's configuration and alert rules. The output passes <c>promtool check config</c> / <c>check rules</c>.</summary>
public static class PrometheusConfig
{
    /// <summary>How long a condition must hold before its alert fires.</summary>
    public const string HoldFor = "5m";

    /// <summary>
    /// The scrape jobs whose targets are read from files (<c>file_sd_configs</c>) in <see cref="ObservabilityNames.PrometheusFilesDirectory"/>,
    /// with their metrics path: the data services', whose targets come and go with the apps (a Redis instance per app),
    /// so that adding an app rewrites a file Prometheus rereads instead of its configuration. Always listed; a stack
    /// without the service has an empty file.
    /// </summary>
    public static readonly ImmutableArray<(string Job, string MetricsPath)> FileJobs =
        [("mariadb", "/metrics"), ("pgbouncer", "/metrics"), ("postgres", "/metrics"), ("redis", "/scrape")];

    /// <summary>The file of a file-discovered job's targets.</summary>
    public static string TargetsFile(string job) => job + ".json";

    /// <summary>
    /// <c>prometheus.yml</c>: global interval and the stack's label, the Alertmanager alerts are sent to (when
    /// <paramref name="alertmanager"/>, host:port, is given), the rule file, one job per kind of target: the servers', Traefik's
    /// and MinIO's listed, the data services' read from <paramref name="filesDirectory"/> (<see cref="FileJobs"/>, <see cref="TargetsJson"/>).
    /// </summary>
    public static string Render(string stack, IReadOnlyList<ScrapeTarget> targets, int scrapeIntervalSeconds, string rulesPath = ObservabilityNames.PrometheusRulesPath,
        string? alertmanager = null, string filesDirectory = ObservabilityNames.PrometheusFilesDirectory)
    {
        var interval = Seconds(scrapeIntervalSeconds);
        var b = new StringBuilder();
        b.Append("# Rendered by the platform: the targets come from the stack's blueprint.\n");
        b.Append("global:\n");
        b.Append($"  scrape_interval: {interval}\n");
        b.Append($"  evaluation_interval: {interval}\n");
        b.Append("  external_labels:\n");
        b.Append($"    stack: {Q(stack)}\n");
        if (alertmanager is not null)
        {
            b.Append("alerting:\n");
            b.Append("  alertmanagers:\n");
            b.Append("    - static_configs:\n");
            b.Append($"        - targets: [{Q(alertmanager)}]\n");
        }
        b.Append("rule_files:\n");
        b.Append($"  - {Q(rulesPath)}\n");
        b.Append("scrape_configs:\n");
        var fileJobs = FileJobs.Select(j => j.Job).ToHashSet(StringComparer.Ordinal);
        foreach (var job in targets.Where(t => !fileJobs.Contains(t.Job)).GroupBy(t => t.Job, StringComparer.Ordinal))
        {
            b.Append($"  - job_name: {Q(job.Key)}\n");
            b.Append($"    metrics_path: {Q(job.First().MetricsPath)}\n");
            b.Append("    static_configs:\n");
            foreach (var t in job)
            {
                b.Append($"      - targets: [{Q(t.Address)}]\n");
                b.Append("        labels:\n");
                b.Append($"          server: {Q(t.Server)}\n");
                b.Append($"          instance: {Q(t.Instance)}\n");
                if (t.Target is { } target)
                    b.Append($"          __param_target: {Q(target)}\n");
            }
        }
        foreach (var (job, path) in FileJobs)
        {
            b.Append($"  - job_name: {Q(job)}\n");
            b.Append($"    metrics_path: {Q(path)}\n");
            b.Append("    file_sd_configs:\n");
            b.Append($"      - files: [{Q(filesDirectory + "/" + TargetsFile(job))}]\n");
        }
        return b.ToString();
    }

    /// <summary>A file-discovered job's targets file (Prometheus's <c>file_sd</c> JSON): each target with its server, instance and, for a multi-target exporter, its <c>target</c> parameter.</summary>
    public static string TargetsJson(IEnumerable<ScrapeTarget> targets)
    {
        var groups = new System.Text.Json.Nodes.JsonArray();
        foreach (var t in targets.OrderBy(t => t.Instance, StringComparer.Ordinal))
        {
            var labels = new System.Text.Json.Nodes.JsonObject { ["server"] = t.Server, ["instance"] = t.Instance };
            if (t.Target is { } target) labels["__param_target"] = target;
            groups.Add(new System.Text.Json.Nodes.JsonObject { ["targets"] = new System.Text.Json.Nodes.JsonArray(t.Address), ["labels"] = labels });
        }
        return groups.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The alert rules for <paramref name="thresholds"/> (the platform's, <see cref="AlertThresholds.Default"/>); the
    /// data services' rules only for the engines in <paramref name="jobs"/>; a memory rule for the Redis instances in
    /// <paramref name="noEvictionRedis"/> (policy <c>noeviction</c>: full, they refuse writes; the others evict, as a cache should).</summary>
    public static ImmutableArray<AlertRule> Rules(AlertThresholds thresholds, IReadOnlySet<string> jobs, IReadOnlyList<string>? noEvictionRedis = null)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var rules = new List<AlertRule>();
        void Pair(string group, string name, string what, string expr, Threshold t)
        {
            rules.Add(new(group, name + "Warning", $"{expr} > {N(t.WarnPercent)}", HoldFor, "warning", $"{what} of {{{{ $labels.server }}}} above {N(t.WarnPercent)}% for {HoldFor}"));
            rules.Add(new(group, name + "Critical", $"{expr} > {N(t.CriticalPercent)}", HoldFor, "critical", $"{what} of {{{{ $labels.server }}}} above {N(t.CriticalPercent)}% for {HoldFor}"));
        }
        Pair("host", "HostCpu", "CPU",
            "100 * (1 - avg by (server, instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))", thresholds.Cpu);
        Pair("host", "HostMemory", "Memory",
            "100 * (1 - max by (server, instance) (node_memory_MemAvailable_bytes) / max by (server, instance) (node_memory_MemTotal_bytes))", thresholds.Memory);
        Pair("host", "HostDisk", "Root disk",
            "100 * (1 - max by (server, instance) (node_filesystem_avail_bytes{mountpoint=\"/\"}) / max by (server, instance) (node_filesystem_size_bytes{mountpoint=\"/\"}))", thresholds.Disk);
        if (jobs.Contains("postgres"))
            Pair("database", "PostgresConnections", "PostgreSQL connections",
                "100 * sum by (server, instance) (pg_stat_activity_count) / max by (server, instance) (pg_settings_max_connections)", thresholds.DbConnections);
        if (jobs.Contains("mariadb"))
            Pair("database", "MariaDbConnections", "MariaDB connections",
                "100 * max by (server, instance) (mysql_global_status_threads_connected) / max by (server, instance) (mysql_global_variables_max_connections)", thresholds.DbConnections);
        if (jobs.Contains("pgbouncer"))
        {
            Pair("database", "PgBouncerClients", "PgBouncer client connections",
                "100 * sum by (server, instance) (pgbouncer_pools_client_active_connections + pgbouncer_pools_client_waiting_connections) / max by (server, instance) (pgbouncer_config_max_client_connections)",
                thresholds.DbConnections);
            rules.Add(new("database", "PgBouncerClientsWaiting", $"max by (server, instance) (pgbouncer_pools_client_maxwait_seconds) > {N(PgBouncerMaxWaitSeconds)}", HoldFor, "warning",
                $"clients of {{{{ $labels.instance }}}} on {{{{ $labels.server }}}} wait more than {N(PgBouncerMaxWaitSeconds)}s for a server connection (pool too small for the load, or PostgreSQL slow) for {HoldFor}"));
        }
        if (jobs.Contains("redis") && noEvictionRedis is { Count: > 0 } queues)
        {
            // Character classes, not escapes: the instance names hold dots, and PromQL and YAML quoting would each eat a backslash.
            var selector = $"{{instance=~\"{string.Join("|", queues.Order(StringComparer.Ordinal).Select(q => q.Replace(".", "[.]", StringComparison.Ordinal)))}\"}}";
            var expr = $"100 * max by (server, instance) (redis_memory_used_bytes{selector}) / max by (server, instance) (redis_memory_max_bytes{selector} > 0)";
            foreach (var (level, percent) in new[] { ("Warning", thresholds.Memory.WarnPercent), ("Critical", thresholds.Memory.CriticalPercent) })
                rules.Add(new("database", "RedisNoEvictionMemory" + level, $"{expr} > {N(percent)}", HoldFor, level.ToLowerInvariant(),
                    $"Redis {{{{ $labels.instance }}}} on {{{{ $labels.server }}}} (noeviction: it refuses writes when full) above {N(percent)}% of maxmemory for {HoldFor}"));
        }
        // An exporter that answers while its service does not: up is 1, the service's own up metric 0.
        foreach (var (job, metric, what) in ServiceUp.Where(x => jobs.Contains(x.Job)))
            rules.Add(new("database", what.Replace(" ", "", StringComparison.Ordinal) + "Down", $"{metric} == 0", HoldFor, "critical",
                $"{what} {{{{ $labels.instance }}}} on {{{{ $labels.server }}}} does not answer its exporter for {HoldFor}"));
        rules.Add(new("targets", "TargetDown", "up == 0", HoldFor, "critical",
            "{{ $labels.job }} target {{ $labels.instance }} on {{ $labels.server }} has not answered a scrape for " + HoldFor));
        return [.. rules];
    }

    /// <summary>Seconds the oldest client may wait for a PgBouncer server connection before <c>PgBouncerClientsWaiting</c> fires.</summary>
    public const int PgBouncerMaxWaitSeconds = 5;

    /// <summary>Each data service's own up metric (1 when its exporter reached it), by scrape job.</summary>
    public static readonly ImmutableArray<(string Job, string Metric, string What)> ServiceUp =
        [("postgres", "pg_up", "PostgreSQL"), ("pgbouncer", "pgbouncer_up", "PgBouncer"), ("redis", "redis_up", "Redis"), ("mariadb", "mysql_up", "MariaDB")];

    /// <summary>The rule file (<c>promtool check rules</c> format).</summary>
    public static string RenderRules(IReadOnlyList<AlertRule> rules)
    {
        var b = new StringBuilder();
        b.Append("groups:\n");
        foreach (var group in rules.GroupBy(r => r.Group, StringComparer.Ordinal))
        {
            b.Append($"  - name: {Q(group.Key)}\n");
            b.Append("    rules:\n");
            foreach (var r in group)
            {
                b.Append($"      - alert: {r.Name}\n");
                b.Append($"        expr: {Q(r.Expr)}\n");
                b.Append($"        for: {r.For}\n");
                b.Append("        labels:\n");
                b.Append($"          severity: {r.Severity}\n");
                b.Append("        annotations:\n");
                b.Append($"          summary: {Q(r.Summary)}\n");
            }
        }
        return b.ToString();
    }

    /// <summary>A YAML single-quoted scalar (the only escape is a doubled quote).</summary>
    public static string Q(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Seconds(int s) => s.ToString(CultureInfo.InvariantCulture) + "s";

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
