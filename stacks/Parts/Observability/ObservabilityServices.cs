using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Parts.Observability;

/// <summary>The rendered files the containers mount.</summary>
public sealed record ObservabilityFiles(
    string PrometheusYml, string RulesYml, string LokiYml, ImmutableSortedDictionary<string, string> Collectors,
    string GrafanaDatasources, string GrafanaDashboardProvider, ImmutableSortedDictionary<string, string> Dashboards, string? AlertmanagerYml = null);

/// <summary>
/// The part's containers. None publishes a port; Grafana's UI is reached only through Traefik on the admin host.
/// Every health check is the platform's static BusyBox probe (<see cref="HealthProbe"/>) on the component's own
/// readiness endpoint, so it works in each image whatever it holds (redis_exporter's is a bare binary, Loki's and
/// Alloy's have no HTTP client).
/// </summary>
public static class ObservabilityServices
{
    private const string Version = "^(/v[0-9]+[.][0-9]+)?";
    private const string Id = "[a-zA-Z0-9_.-]+";

    /// <summary>
    /// What the collector's Docker discovery and log source call (Alloy's <c>discovery.docker</c>, which is Prometheus's
    /// Docker SD: ContainerList and NetworkList; <c>loki.source.docker</c>: ContainerInspect and ContainerLogs; the client
    /// negotiates its API version with <c>_ping</c>). Reads only; no archive, export, exec or write.
    /// </summary>
    public static readonly ImmutableArray<DockerApiCall> CollectorCalls =
    [
        new("API version negotiation", ["GET", "HEAD"], Version + "/_ping$"),
        new("engine version", ["GET"], Version + "/version$"),
        new("list the containers", ["GET"], Version + "/containers/json$"),
        new("inspect a container (labels)", ["GET"], Version + $"/containers/{Id}/json$"),
        new("a container's log stream", ["GET"], Version + $"/containers/{Id}/logs$"),
        new("list the networks (discovery's network labels)", ["GET"], Version + "/networks$"),
    ];

    /// <summary>Where the proxy's HAProxy configuration is read.</summary>
    public const string LogsProxyConfigPath = "/usr/local/etc/haproxy/logs-api.cfg";

    /// <summary>The file in Grafana's container that holds its admin password.</summary>
    public const string GrafanaAdminPasswordFile = "/run/secrets/grafana-admin-password";

    /// <summary>A per-server container's logical name: plain on the storage server, <c>name@server</c> elsewhere.</summary>
    public static string NameOn(string name, ServerKey server, ServerKey storage) => server == storage ? name : $"{name}@{server.Id}";

    public static ImmutableArray<VolumeSpec> Volumes(ObservabilityPartContext c) =>
    [
        new VolumeSpec(ObservabilityNames.PrometheusVolume, ObservabilityNames.Prometheus, "Prometheus's samples (kept retentionDays)", false) { Part = PartId.Observability },
        new VolumeSpec(ObservabilityNames.LokiVolume, ObservabilityNames.Loki, "Loki's log chunks and index (kept logRetentionDays)", false) { Part = PartId.Observability },
        new VolumeSpec(ObservabilityNames.GrafanaVolume, ObservabilityNames.Grafana, "Grafana's database (users, sessions; dashboards come from code)", false) { Part = PartId.Observability },
        .. c.AlertWebhookSecret is null ? [] : new[] { new VolumeSpec(ObservabilityNames.AlertmanagerVolume, ObservabilityNames.Alertmanager,
            "Alertmanager's silences and notification log, so a restart neither forgets a silence nor repeats a notice", false) { Part = PartId.Observability } },
        // One per server, under the same Docker name on each (Docker volumes are per host; its key is qualified, and a
        // qualified name such as alloy-data@app-1 is no valid Docker volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]).
        .. c.Servers.Select(s => new VolumeSpec(ObservabilityNames.CollectorVolume, NameOn(ObservabilityNames.Collector, s, c.StorageServer),
            "the collector's read positions, so a restart neither loses nor repeats log lines", false) { Part = PartId.Observability }),
    ];

    public static ImmutableArray<ServiceSpec> Of(ObservabilitySettings s, ObservabilityPartContext c, ObservabilityFiles files)
    {
        var storage = c.StorageServer;
        // Off the storage server there is no data network (it is the data server's): the edge network reaches the private network.
        string Home(ServerKey host) => host == storage ? ServiceNames.DataNetwork : ServiceNames.EdgeNetwork;
        ImmutableArray<PublishedPort> OnPrivate(ServerKey host, int port) =>
            c.PrivateIps.TryGetValue(host.Id, out var ip) ? [new PublishedPort(ip, port, port, "tcp")] : [];
        ServiceSpec Base(string name, string container, string image, int memoryMb, int port, string path, ServerKey host) => new()
        {
            Name = name,
            Part = PartId.Observability,
            Kind = ServiceKind.Operations,
            ContainerName = container,
            Replacement = Replacement.DeleteBeforeCreate,
            Image = image,
            InternalPorts = [port],
            Networks = [new NetworkAttachment(Home(host), [container])],
            HealthCheck = Conventions.Health(HealthProbe.HttpCheck(port, path)),
            Mounts = [HealthProbe.Mount],
            Limits = new ResourceLimits(memoryMb, 0.5),
            RestartPolicy = Conventions.RestartPolicy,
            Log = Conventions.Log,
            Host = host,
        };
        var services = new List<ServiceSpec>
        {
            Base(ObservabilityNames.Prometheus, ObservabilityNames.Prometheus, ObservabilityNames.PrometheusImage, s.PrometheusMemoryMb,
                ObservabilityNames.PrometheusPort, "/-/ready", storage) with
            {
                Command =
                [
                    $"--config.file={ObservabilityNames.PrometheusConfigPath}",
                    "--storage.tsdb.path=/prometheus",
                    $"--storage.tsdb.retention.time={D(s.RetentionDays)}d",
                    $"--web.listen-address=:{D(ObservabilityNames.PrometheusPort)}",
                ],
                // Traefik's metrics entry point is on the edge network.
                Networks =
                [
                    new NetworkAttachment(ServiceNames.DataNetwork, [ObservabilityNames.Prometheus]),
                    new NetworkAttachment(ServiceNames.EdgeNetwork, [ObservabilityNames.Prometheus]),
                ],
                Mounts =
                [
                    HealthProbe.Mount,
                    new MountSpec(MountKind.Volume, ObservabilityNames.PrometheusVolume, "/prometheus", ReadOnly: false),
                    // The rules and the data services' targets: written by the prometheus-files host command, reread on SIGHUP.
                    new MountSpec(MountKind.Bind, ObservabilityNames.PrometheusFilesHostDirectory, ObservabilityNames.PrometheusFilesDirectory, ReadOnly: true),
                ],
                Files = [new FileSpec(ObservabilityNames.PrometheusConfigPath, SecretText.Plain(files.PrometheusYml))],
                AfterHostCommands = [ObservabilityNames.PrometheusFilesCommand],
                StopGraceSeconds = 60,
            },
            Base(ObservabilityNames.Loki, ObservabilityNames.Loki, ObservabilityNames.LokiImage, s.LokiMemoryMb, ObservabilityNames.LokiPort, "/ready", storage) with
            {
                Command = [$"-config.file={ObservabilityNames.LokiConfigPath}"],
                // The other servers' collectors push to it on the data server's private address.
                PublishedPorts = OnPrivate(storage, ObservabilityNames.LokiPort),
                Networks = c.PrivateIps.IsEmpty
                    ? [new NetworkAttachment(ServiceNames.DataNetwork, [ObservabilityNames.Loki])]
                    : [new NetworkAttachment(ServiceNames.DataNetwork, [ObservabilityNames.Loki]), new NetworkAttachment(ServiceNames.PublishNetwork, [])],
                Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Volume, ObservabilityNames.LokiVolume, "/loki", ReadOnly: false)],
                Files = [new FileSpec(ObservabilityNames.LokiConfigPath, SecretText.Plain(files.LokiYml))],
                HealthCheck = Conventions.Health(HealthProbe.HttpCheck(ObservabilityNames.LokiPort, "/ready"), startPeriodSeconds: 60),
            },
            Base(ObservabilityNames.Grafana, ObservabilityNames.Grafana, ObservabilityNames.GrafanaImage, s.GrafanaMemoryMb, ObservabilityNames.GrafanaPort, "/api/health", storage) with
            {
                Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
                {
                    ["GF_SECURITY_ADMIN_USER"] = SecretText.Plain("admin"),
                    // A file, so an inspect shows no password: the image's run.sh exports every GF_*__FILE variable's file
                    // content as the variable without the suffix (packaging/docker/run.sh) before starting Grafana.
                    ["GF_SECURITY_ADMIN_PASSWORD__FILE"] = SecretText.Plain(GrafanaAdminPasswordFile),
                    ["GF_AUTH_ANONYMOUS_ENABLED"] = SecretText.Plain("false"),
                    ["GF_USERS_ALLOW_SIGN_UP"] = SecretText.Plain("false"),
                    ["GF_ANALYTICS_REPORTING_ENABLED"] = SecretText.Plain("false"),
                    ["GF_ANALYTICS_CHECK_FOR_UPDATES"] = SecretText.Plain("false"),
                }),
                Networks =
                [
                    new NetworkAttachment(ServiceNames.DataNetwork, [ObservabilityNames.Grafana]),
                    new NetworkAttachment(ServiceNames.EdgeNetwork, [ObservabilityNames.Grafana]),
                ],
                Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Volume, ObservabilityNames.GrafanaVolume, "/var/lib/grafana", ReadOnly: false)],
                Files =
                [
                    new FileSpec(GrafanaAdminPasswordFile, SecretText.Of(new SecretPart(ObservabilityNames.GrafanaAdminSecret))),
                    new FileSpec(ObservabilityNames.GrafanaDatasourcesPath, SecretText.Plain(files.GrafanaDatasources)),
                    new FileSpec(ObservabilityNames.GrafanaDashboardProviderPath, SecretText.Plain(files.GrafanaDashboardProvider)),
                    .. files.Dashboards.Select(d => new FileSpec($"{ObservabilityNames.GrafanaDashboardsDirectory}/{d.Key}", SecretText.Plain(d.Value))),
                ],
            },
        };
        if (c.AlertWebhookSecret is { } webhook && files.AlertmanagerYml is { } alertmanagerYml)
            services.Add(Base(ObservabilityNames.Alertmanager, ObservabilityNames.Alertmanager, ObservabilityNames.AlertmanagerImage, ObservabilityNames.AlertmanagerMemoryMb,
                ObservabilityNames.AlertmanagerPort, "/-/ready", storage) with
            {
                Command =
                [
                    $"--config.file={ObservabilityNames.AlertmanagerConfigPath}",
                    "--storage.path=/alertmanager",
                    $"--web.listen-address=:{D(ObservabilityNames.AlertmanagerPort)}",
                    // One instance: no cluster gossip port.
                    "--cluster.listen-address=",
                ],
                // The edge network is where Prometheus reaches it and where its notices leave for the webhook (the data
                // network has no egress). No port is published and Traefik has no route to it.
                Networks = [new NetworkAttachment(ServiceNames.EdgeNetwork, [ObservabilityNames.Alertmanager])],
                Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Volume, ObservabilityNames.AlertmanagerVolume, "/alertmanager", ReadOnly: false)],
                Files =
                [
                    new FileSpec(ObservabilityNames.AlertmanagerConfigPath, SecretText.Plain(alertmanagerYml)),
                    new FileSpec(ObservabilityNames.AlertWebhookUrlFile, SecretText.Of(new SecretPart(webhook))),
                ],
                Limits = new ResourceLimits(ObservabilityNames.AlertmanagerMemoryMb, 0.25),
            });
        foreach (var server in c.Servers)
        {
            services.Add(Base(NameOn(ObservabilityNames.NodeExporter, server, storage), ObservabilityNames.NodeExporter, ObservabilityNames.NodeExporterImage,
                s.ExporterMemoryMb, ObservabilityNames.NodeExporterPort, "/", server) with
            {
                Command = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"],
                // Prometheus scrapes it by name on the storage server, at the private address elsewhere.
                PublishedPorts = server == storage ? [] : OnPrivate(server, ObservabilityNames.NodeExporterPort),
                Mounts =
                [
                    HealthProbe.Mount,
                    new MountSpec(MountKind.Bind, "/proc", "/host/proc", ReadOnly: true),
                    new MountSpec(MountKind.Bind, "/sys", "/host/sys", ReadOnly: true),
                    new MountSpec(MountKind.Bind, "/", "/host/root", ReadOnly: true),
                ],
            });
            services.Add(Base(NameOn(ObservabilityNames.Collector, server, storage), ObservabilityNames.Collector, ObservabilityNames.CollectorImage,
                s.CollectorMemoryMb, ObservabilityNames.CollectorPort, "/-/ready", server) with
            {
                Command = ["run", $"--server.http.listen-addr=0.0.0.0:{D(ObservabilityNames.CollectorPort)}", "--storage.path=/var/lib/alloy/data", ObservabilityNames.CollectorConfigPath],
                // Its own Docker API proxy is on the logs network; Loki on the data network (or at the private address).
                Networks =
                [
                    new NetworkAttachment(Home(server), [ObservabilityNames.Collector]),
                    new NetworkAttachment(ObservabilityNames.LogsNetwork, [ObservabilityNames.Collector]),
                ],
                Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Volume, ObservabilityNames.CollectorVolume, "/var/lib/alloy/data", ReadOnly: false)],
                Files = [new FileSpec(ObservabilityNames.CollectorConfigPath, SecretText.Plain(files.Collectors[server.Id]))],
                DependsOn = [NameOn(ObservabilityNames.LogsProxy, server, storage)],
            });
            // The Docker socket is root on the server: the proxy lets the collector's reads through and nothing else, and
            // sits on an internal network with the collector only (no egress).
            services.Add(Base(NameOn(ObservabilityNames.LogsProxy, server, storage), ObservabilityNames.LogsProxy, c.ProxyImage, c.ProxyMemoryMb,
                EdgeBlueprint.SocketProxyPort, "/_ping", server) with
            {
                Command = ["haproxy", "-f", LogsProxyConfigPath],
                Networks = [new NetworkAttachment(ObservabilityNames.LogsNetwork, [ObservabilityNames.LogsProxy])],
                Files = [new FileSpec(LogsProxyConfigPath, SecretText.Plain(DockerApiProxy.HaproxyConfig(CollectorCalls, EdgeBlueprint.SocketProxyPort)))],
                Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Bind, "/var/run/docker.sock", "/var/run/docker.sock", ReadOnly: true)],
                Limits = new ResourceLimits(c.ProxyMemoryMb, 0.25),
            });
        }
        return [.. services];
    }

    private static string D(int n) => n.ToString(CultureInfo.InvariantCulture);
}
