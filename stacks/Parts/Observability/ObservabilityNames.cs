namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// The observability part's components, images, ports and memory. Chosen for a small company's server, where every
/// megabyte is taken from the apps:
/// <list type="bullet">
/// <item><b>Prometheus</b> (not VictoriaMetrics): its configuration and rules are checked and unit-tested by Debian's
/// <c>promtool</c> in CI, which is the only real engine for this part we can run here; a few thousand series from a
/// handful of targets need well under 192 MB.</item>
/// <item><b>node-exporter</b> on every server: host CPU, memory, disk, network, load.</item>
/// <item><b>No cAdvisor</b>: it needs the host's cgroup tree, Docker's data root and 100+ MB; per-container memory and
/// CPU are left to <c>docker stats</c>. Container <i>logs</i> are covered (Loki).</item>
/// <item>One exporter per data service the stack has: postgres_exporter, pgbouncer_exporter, redis_exporter (one
/// for every Redis instance, by its multi-target <c>/scrape</c> endpoint), mysqld_exporter; Traefik and MinIO expose
/// Prometheus metrics natively, so they need none.</item>
/// <item><b>Loki</b> (single binary, filesystem storage, retention by its compactor) and <b>Grafana Alloy</b> as the
/// collector on every server (Promtail reached end of life in 2026; Alloy is its replacement and tails Docker's logs
/// through the Docker API).</item>
/// <item><b>Grafana</b> with provisioned datasources and dashboards, behind the admin allowlist only.</item>
/// <item><b>Alertmanager</b> (only when the stack has an alert channel): routes Prometheus's alerts to it; a few alerts
/// and silences fit in 32 MB.</item>
/// </list>
/// </summary>
public static class ObservabilityNames
{
    public const string Prometheus = "prometheus";
    public const string NodeExporter = "node-exporter";
    public const string PostgresExporter = "postgres-exporter";
    public const string PgBouncerExporter = "pgbouncer-exporter";
    public const string RedisExporter = "redis-exporter";
    public const string MysqldExporter = "mysqld-exporter";
    public const string Loki = "loki";
    public const string Collector = "alloy";
    public const string Grafana = "grafana";
    public const string Alertmanager = "alertmanager";

    /// <summary>The collector's read-only Docker API on each server (container list, inspect, logs), on <see cref="LogsNetwork"/> only.</summary>
    public const string LogsProxy = "logs-proxy";

    /// <summary>The internal network of a server's collector and its Docker API proxy: no egress, no other member.</summary>
    public const string LogsNetwork = "logs";

    public const string PrometheusImage = "prom/prometheus:v2.53.3";
    public const string NodeExporterImage = "prom/node-exporter:v1.8.2";
    public const string PostgresExporterImage = "quay.io/prometheuscommunity/postgres-exporter:v0.15.0";
    public const string PgBouncerExporterImage = "quay.io/prometheuscommunity/pgbouncer-exporter:v0.9.0";
    public const string RedisExporterImage = "oliver006/redis_exporter:v1.66.0";
    public const string MysqldExporterImage = "prom/mysqld-exporter:v0.16.0";
    public const string LokiImage = "grafana/loki:3.3.2";
    public const string CollectorImage = "grafana/alloy:v1.5.1";
    public const string GrafanaImage = "grafana/grafana:11.4.0";
    public const string AlertmanagerImage = "prom/alertmanager:v0.27.0";

    public const int PrometheusPort = 9090;
    public const int NodeExporterPort = 9100;
    public const int PostgresExporterPort = 9187;
    public const int PgBouncerExporterPort = 9127;
    public const int RedisExporterPort = 9121;
    public const int MysqldExporterPort = 9104;
    public const int LokiPort = 3100;
    public const int GrafanaPort = 3000;
    public const int CollectorPort = 12345;
    public const int AlertmanagerPort = 9093;

    /// <summary>
    /// The memory limit of each data service's exporter, from its peak resident memory measured here (Debian's builds run by
    /// <c>ExporterIntegrationTests</c> against real servers, six scrapes, four of them at once: postgres_exporter 15.5 MB,
    /// redis_exporter 12.1 MB, mysqld_exporter 17.3 MB; the test keeps 15% of each limit to spare), and <c>GOMEMLIMIT</c> three quarters
    /// of it. pgbouncer_exporter (not in Debian) gets the larger figure unmeasured.
    /// </summary>
    public static readonly System.Collections.Immutable.ImmutableSortedDictionary<string, int> ExporterMemoryMb =
        System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, int>
        {
            ["mariadb"] = 24,
            ["pgbouncer"] = 24,
            ["postgres"] = 24,
            ["redis"] = 16,
        });

    /// <summary>Alertmanager's memory limit: its state is the alerts in flight, silences and the notification log.</summary>
    public const int AlertmanagerMemoryMb = 32;

    /// <summary>The stack's alert channel (config secret), which Alertmanager notifies.</summary>
    public const string AlertWebhookSecret = "alertWebhookUrl";
    public const int MinioPort = 9000;
    public const int RedisPort = 6379;

    /// <summary>Traefik's dedicated metrics entry point (internal only; never published).</summary>
    public const int TraefikMetricsPort = 8082;

    /// <summary>The Traefik flags that expose its metrics on <see cref="TraefikMetricsPort"/> (Traefik v3 static configuration).</summary>
    public static readonly IReadOnlyList<string> TraefikMetricsFlags =
    [
        $"--entrypoints.metrics.address=:{TraefikMetricsPort}",
        "--metrics.prometheus=true",
        "--metrics.prometheus.entrypoint=metrics",
        "--metrics.prometheus.addservicelabels=true",
        "--metrics.prometheus.addentrypointslabels=true",
    ];

    /// <summary>MinIO's cluster metrics (v2), public inside the data network with <c>MINIO_PROMETHEUS_AUTH_TYPE=public</c>.</summary>
    public const string MinioMetricsPath = "/minio/v2/metrics/cluster";

    /// <summary>
    /// The path prefixes of MinIO's metrics (v1, v2 and v3 endpoints). With <see cref="MinioPrometheusAuthEnv"/> public they
    /// need no token, so the public files host refuses them: a router per prefix, above the files route, lets no client in.
    /// </summary>
    public static readonly IReadOnlyList<string> MinioMetricsPrefixes = ["/minio/prometheus", "/minio/v2/metrics", "/minio/metrics"];

    /// <summary>The allowlist that admits no client (loopback inside Traefik's container is never a proxied client's address).</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<string> NoClient = ["127.0.0.1/32"];

    /// <summary>The routers that refuse MinIO's metrics paths on the files host.</summary>
    public static string MinioMetricsRouter(int i) => $"minio-metrics-{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>MinIO's switch that serves its metrics without a bearer token.</summary>
    public const string MinioPrometheusAuthEnv = "MINIO_PROMETHEUS_AUTH_TYPE";

    /// <summary>Docker labels on every container that the collector turns into the log labels part, app and instance.</summary>
    public const string PartLabel = "platform.part";
    public const string AppLabel = "platform.app";
    public const string InstanceLabel = "platform.instance";

    public const string PrometheusVolume = "prometheus-data";
    public const string LokiVolume = "loki-data";
    public const string GrafanaVolume = "grafana-data";
    public const string CollectorVolume = "alloy-data";
    public const string AlertmanagerVolume = "alertmanager-data";
    public const string GrafanaAdminSecret = "grafana-admin-password";

    /// <summary>Paths inside the containers.</summary>
    public const string PrometheusConfigPath = "/etc/prometheus/prometheus.yml";
    public const string PrometheusRulesPath = PrometheusFilesDirectory + "/platform.rules.yml";

    /// <summary>
    /// Prometheus's files that change with the apps (the data services' targets, the rules): written on the server by
    /// <see cref="PrometheusFilesCommand"/>, bind-mounted read-only here, reread on SIGHUP.
    /// </summary>
    public const string PrometheusFilesDirectory = "/etc/prometheus/platform";
    public const string PrometheusFilesHostDirectory = "/srv/platform/prometheus";
    public const string PrometheusFilesCommand = "prometheus-files";
    public const string LokiConfigPath = "/etc/loki/loki.yml";
    public const string CollectorConfigPath = "/etc/alloy/config.alloy";
    public const string GrafanaDatasourcesPath = "/etc/grafana/provisioning/datasources/platform.yml";
    public const string GrafanaDashboardProviderPath = "/etc/grafana/provisioning/dashboards/platform.yml";
    public const string GrafanaDashboardsDirectory = "/etc/grafana/dashboards";
    public const string AlertmanagerConfigPath = "/etc/alertmanager/alertmanager.yml";
    public const string AlertWebhookUrlFile = "/run/secrets/alert-webhook-url";
}
