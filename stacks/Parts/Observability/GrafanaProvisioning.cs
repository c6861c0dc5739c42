using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Stacks.Parts.Observability;

/// <summary>One graph of a dashboard: a title, its unit and its PromQL queries (legend per query).</summary>
public sealed record Panel(string Title, string Unit, ImmutableArray<(string Expr, string Legend)> Queries);

/// <summary>A dashboard as code: its uid (stable across deployments), title, what it shows, and its panels.</summary>
public sealed record Dashboard(string Uid, string Title, string Shows, ImmutableArray<Panel> Panels);

/// <summary>Grafana's provisioning: the Prometheus and Loki datasources, the dashboard provider, and the dashboards.</summary>
public static class GrafanaProvisioning
{
    public const string PrometheusUid = "platform-prometheus";
    public const string LokiUid = "platform-loki";

    /// <summary>Host: CPU, memory, root disk, load and network of every server (node-exporter).</summary>
    public static Dashboard Host { get; } = new("platform-host", "Hosts", "CPU, memory, root disk, load and network of every server (node-exporter)",
    [
        new("CPU busy", "percent", [("100 * (1 - avg by (server) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))", "{{server}}")]),
        new("Memory used", "percent", [("100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", "{{server}}")]),
        new("Root disk used", "percent", [("100 * (1 - node_filesystem_avail_bytes{mountpoint=\"/\"} / node_filesystem_size_bytes{mountpoint=\"/\"})", "{{server}}")]),
        new("Load (1 min)", "short", [("node_load1", "{{server}}")]),
        new("Network", "Bps",
        [
            ("sum by (server) (rate(node_network_receive_bytes_total{device!=\"lo\"}[5m]))", "{{server}} in"),
            ("sum by (server) (rate(node_network_transmit_bytes_total{device!=\"lo\"}[5m]))", "{{server}} out"),
        ]),
    ]);

    /// <summary>Edge: requests, errors and latency per app service, and open connections (Traefik's own metrics).</summary>
    public static Dashboard Edge { get; } = new("platform-edge", "Edge traffic", "requests, 5xx errors and 95th-percentile latency per app (Traefik service), open connections per entry point",
    [
        new("Requests per second", "reqps", [("sum by (service) (rate(traefik_service_requests_total[5m]))", "{{service}}")]),
        new("5xx errors per second", "reqps", [("sum by (service) (rate(traefik_service_requests_total{code=~\"5..\"}[5m]))", "{{service}}")]),
        new("Latency p95", "s", [("histogram_quantile(0.95, sum by (service, le) (rate(traefik_service_request_duration_seconds_bucket[5m])))", "{{service}}")]),
        new("Open connections", "short", [("sum by (entrypoint) (traefik_open_connections)", "{{entrypoint}}")]),
    ]);

    /// <summary>
    /// Data services: PostgreSQL, PgBouncer, Redis (each instance) and MariaDB from their exporters. The same panels on every
    /// stack (a service the stack does not run shows no data), so that adding an app never changes Grafana's files.
    /// </summary>
    public static Dashboard Data { get; } = new("platform-data", "Data services",
        "each data service's up state; PostgreSQL connections by state against max_connections, commits and database sizes; PgBouncer clients active and waiting and the longest wait; Redis memory against maxmemory, commands, clients and evictions per instance; MariaDB threads against max_connections and queries",
    [
        new("Up (1) or down (0)", "short",
        [
            ("pg_up", "PostgreSQL {{instance}}"),
            ("pgbouncer_up", "PgBouncer {{instance}}"),
            ("redis_up", "Redis {{instance}}"),
            ("mysql_up", "MariaDB {{instance}}"),
        ]),
        new("PostgreSQL connections", "short",
        [
            ("sum by (state) (pg_stat_activity_count)", "{{state}}"),
            ("max(pg_settings_max_connections)", "max_connections"),
        ]),
        new("PostgreSQL commits per second", "ops", [("sum by (datname) (rate(pg_stat_database_xact_commit[5m]))", "{{datname}}")]),
        new("PostgreSQL database size", "bytes", [("pg_database_size_bytes", "{{datname}}")]),
        new("PgBouncer clients", "short",
        [
            ("sum by (database) (pgbouncer_pools_client_active_connections)", "{{database}} active"),
            ("sum by (database) (pgbouncer_pools_client_waiting_connections)", "{{database}} waiting"),
        ]),
        new("PgBouncer longest client wait", "s", [("max by (database) (pgbouncer_pools_client_maxwait_seconds)", "{{database}}")]),
        new("Redis memory", "bytes",
        [
            ("redis_memory_used_bytes", "{{instance}} used"),
            ("redis_memory_max_bytes", "{{instance}} maxmemory"),
        ]),
        new("Redis commands per second", "ops", [("rate(redis_commands_processed_total[5m])", "{{instance}}")]),
        new("Redis clients and evictions", "short",
        [
            ("redis_connected_clients", "{{instance}} clients"),
            ("rate(redis_evicted_keys_total[5m])", "{{instance}} evictions/s"),
        ]),
        new("MariaDB threads and queries", "short",
        [
            ("mysql_global_status_threads_connected", "{{instance}} threads connected"),
            ("mysql_global_variables_max_connections", "{{instance}} max_connections"),
            ("rate(mysql_global_status_queries[5m])", "{{instance}} queries/s"),
        ]),
    ]);

    /// <summary>Every dashboard provisioned.</summary>
    public static ImmutableArray<Dashboard> Dashboards { get; } = [Host, Edge, Data];

    /// <summary>Datasources file: Prometheus (default) and Loki, with fixed uids the dashboards refer to.</summary>
    public static string Datasources() =>
        $"""
        apiVersion: 1
        datasources:
          - name: Prometheus
            uid: {PrometheusUid}
            type: prometheus
            access: proxy
            url: http://{ObservabilityNames.Prometheus}:{ObservabilityNames.PrometheusPort}
            isDefault: true
            editable: false
          - name: Loki
            uid: {LokiUid}
            type: loki
            access: proxy
            url: http://{ObservabilityNames.Loki}:{ObservabilityNames.LokiPort}
            editable: false

        """;

    /// <summary>Dashboard provider: the files in <see cref="ObservabilityNames.GrafanaDashboardsDirectory"/>, not editable in the UI (code is the source).</summary>
    public static string DashboardProvider() =>
        $"""
        apiVersion: 1
        providers:
          - name: platform
            type: file
            disableDeletion: true
            allowUiUpdates: false
            options:
              path: {ObservabilityNames.GrafanaDashboardsDirectory}

        """;

    /// <summary>A dashboard's JSON (Grafana's dashboard model, time-series panels on a 2-wide grid).</summary>
    public static string Json(Dashboard d)
    {
        var panels = new JsonArray();
        for (var i = 0; i < d.Panels.Length; i++)
        {
            var p = d.Panels[i];
            var targets = new JsonArray();
            for (var q = 0; q < p.Queries.Length; q++)
                targets.Add(new JsonObject
                {
                    ["refId"] = ((char)('A' + q)).ToString(),
                    ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = PrometheusUid },
                    ["expr"] = p.Queries[q].Expr,
                    ["legendFormat"] = p.Queries[q].Legend,
                });
            panels.Add(new JsonObject
            {
                ["id"] = i + 1,
                ["type"] = "timeseries",
                ["title"] = p.Title,
                ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = PrometheusUid },
                ["gridPos"] = new JsonObject { ["h"] = 8, ["w"] = 12, ["x"] = i % 2 * 12, ["y"] = i / 2 * 8 },
                ["fieldConfig"] = new JsonObject { ["defaults"] = new JsonObject { ["unit"] = p.Unit }, ["overrides"] = new JsonArray() },
                ["targets"] = targets,
            });
        }
        var root = new JsonObject
        {
            ["uid"] = d.Uid,
            ["title"] = d.Title,
            ["description"] = d.Shows,
            ["tags"] = new JsonArray("platform"),
            ["editable"] = false,
            ["schemaVersion"] = 39,
            ["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" },
            ["refresh"] = "1m",
            ["panels"] = panels,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
