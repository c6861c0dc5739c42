using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;
using MountKind = Platform.Stacks.Blueprint.MountKind;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Parts.Monitoring;

/// <summary>
/// The monitoring part on the stack: Uptime Kuma, its status and admin hosts (file routes written once its first admin
/// exists), the monitored hosts and AutoKuma's monitor files.
/// </summary>
public static class MonitoringBlueprint
{
    public const int UptimeKumaPort = 3001;

    /// <summary>Where Uptime Kuma is reached on the platform's networks (monitors push here).</summary>
    public static string UptimeKumaInternalUrl => $"http://{ServiceNames.UptimeKuma}:{UptimeKumaPort}";

    public const string UptimeKumaAdminUser = "platform-admin";


    /// <summary>
    /// Uptime Kuma carries no routing labels: a fresh instance serves its first-admin page to whoever comes
    /// first, so its public route is a file route written only after the setup one-shot succeeded.
    /// </summary>
    internal static ServiceSpec Service(StackSettings s) => Singleton(PartId.Monitoring, ServiceNames.UptimeKuma, ServiceKind.Operations, s.UptimeKuma,
            [On(ServiceNames.DataNetwork, ServiceNames.UptimeKuma), On(ServiceNames.EdgeNetwork, ServiceNames.UptimeKuma)],
            ["CMD-SHELL", $"curl -fsS -o /dev/null http://127.0.0.1:{UptimeKumaPort}/ || wget -q -O /dev/null http://127.0.0.1:{UptimeKumaPort}/"],
            startPeriod: 60) with
        {
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, AutoKuma.UptimeKumaEnv.Select(e => KeyValuePair.Create(e.Name, e.Value))),
            InternalPorts = [UptimeKumaPort],
            Mounts = [new MountSpec(MountKind.Volume, DataVolume, "/app/data", ReadOnly: false)],
        };

    /// <summary>
    /// The file routes, live once Uptime Kuma's first admin exists: <c>status.&lt;domain&gt;</c> serves the status pages
    /// and the front end they load only (<see cref="StatusPageRoutes"/>: two routers, pages and assets), and <c>status-admin.&lt;domain&gt;</c> all of Uptime Kuma (login, socket.io, API)
    /// to the admin CIDRs only (403 for everyone else).
    /// </summary>
    internal static ImmutableArray<FileRouteSpec> FileRoutes(StackSettings s)
    {
        var status = new RouteSpec("status", Routing.Fqdn(ServiceNames.StatusHost, s.Domain), ServiceNames.StatusHost, null, true);
        var admin = new RouteSpec(StatusAdminRouter, Routing.Fqdn(ServiceNames.StatusAdminHost, s.Domain), ServiceNames.StatusAdminHost, null, true);
        var after = OneShotChecks.Name(AutoKuma.SetupContainerName);
        return
        [
            new FileRouteSpec(status.Router, status.Fqdn, StatusPageRoutes.PagesRule(status.Fqdn), UptimeKumaInternalUrl, [Routing.SecureHeaders], after)
                { Priority = Routing.Priority(status), CertResolver = Routing.ZoneResolver(s) },
            new FileRouteSpec(StatusPageRoutes.AssetsRouter, status.Fqdn, StatusPageRoutes.AssetsRule(status.Fqdn), UptimeKumaInternalUrl, [Routing.SecureHeaders], after)
                { Priority = Routing.Priority(status), CertResolver = Routing.ZoneResolver(s) },
            new FileRouteSpec(admin.Router, admin.Fqdn, Routing.Rule(admin, s.Domain), UptimeKumaInternalUrl, [Routing.SecureHeaders], after)
                { Priority = Routing.Priority(admin), CertResolver = Routing.ZoneResolver(s), AllowCidrs = s.AdminCidrs },
        ];
    }

    /// <summary>The router of Uptime Kuma's admin host.</summary>
    public const string StatusAdminRouter = "status-admin";

    /// <summary>Writes the file routes once the steps they wait for succeeded.</summary>
    internal static HostCommandSpec TraefikFileRoutes(ImmutableArray<FileRouteSpec> routes) =>
        HostFilesCommand(HostCommandNames.TraefikFileRoutes,
            "writes Traefik's file routes (the status page) once the steps they wait for succeeded; Traefik watches the directory",
            Parts.Edge.EdgeBlueprint.TraefikDynamicHostDirectory, 0, 0, [("routes.yml", SecretText.Plain(Parts.Edge.EdgeBlueprint.FileRoutesYaml(routes)))],
            ServiceNames.Traefik, SecretText.Plain("true"), PartId.Monitoring) with
        {
            AfterCommands = [.. routes.Select(r => r.AfterCommand).Distinct().Order(StringComparer.Ordinal)],
        };

    /// <summary>Every public host with the path its monitor checks: each app route (not wildcards), status and files.</summary>
    public static ImmutableArray<PublicHost> MonitoredHosts(StackSettings s)
    {
        var hosts = new List<PublicHost>();
        foreach (var app in s.Apps) hosts.AddRange(MonitoredHostsOf(s, app).Select(h => h.Host));
        hosts.AddRange(PlatformMonitoredHosts(s));
        return [.. hosts];
    }

    /// <summary>The platform's own monitored hosts: the status page, the files host and the MinIO console (when served).</summary>
    public static ImmutableArray<PublicHost> PlatformMonitoredHosts(StackSettings s) =>
    [
        // Up when Uptime Kuma answers the status page's path: 200 once a status page has the slug "default", its own 404
        // page before (both its index.html, which Traefik's 404 is not); proves TLS, the route and Uptime Kuma.
        new PublicHost("status-page", Routing.Fqdn(ServiceNames.StatusHost, s.Domain), StatusPageRoutes.MonitorPath, StatusPageRoutes.MonitorKeyword)
            { AcceptedStatusCodes = [.. MonitorSpec.DefaultStatusCodes, "404"] },
        // Uptime Kuma is not in the admin CIDRs: its admin host is up when it refuses it, which proves the route and the guard.
        new PublicHost("status-admin", Routing.Fqdn(ServiceNames.StatusAdminHost, s.Domain), "/") { AcceptedStatusCodes = ["403"] },
        new PublicHost("files", Routing.Fqdn(ServiceNames.FilesHost, s.Domain), "/minio/health/live"),
        // Uptime Kuma is not in the allowlist: the console is up when it refuses it, which proves the route and the guard.
        .. s.MinioConsole is { } console ? [new PublicHost("minio-console", Routing.Fqdn(console.Host, s.Domain), "/") { AcceptedStatusCodes = ["403"] }] : Array.Empty<PublicHost>(),
        // The same for Grafana, behind its allowlist (the admin CIDRs unless the stack says otherwise).
        .. s.Observability.Enabled ? [new PublicHost("grafana", Routing.Fqdn(s.Observability.Host, s.Domain), "/") { AcceptedStatusCodes = ["403"] }] : Array.Empty<PublicHost>(),
    ];

    /// <summary>
    /// An app's monitored hosts, each with the index of the first route it comes from (none without a health path):
    /// one per distinct health target (host and URL path), so several paths on one host give one monitor, not a clash.
    /// Wildcards get none (no one tenant stands for them); a tenant's custom domain gets one like any host.
    /// </summary>
    public static IEnumerable<(int RouteIndex, PublicHost Host)> MonitoredHostsOf(StackSettings s, AppSettings app)
    {
        if (app.HealthPath is null) yield break;
        var routes = app.Routes.Select((r, i) => (Route: r, Index: i)).Where(x => !x.Route.IsWildcard).ToList();
        // Only routes whose host takes the health path to this app (validation refuses an app with none: HealthRoutes.Problem).
        if (routes.Any(x => HealthRoutes.Serves(s, app, x.Route, app.HealthPath)))
            routes = [.. routes.Where(x => HealthRoutes.Serves(s, app, x.Route, app.HealthPath))];
        var targets = routes
            .Select(x => (x.Index, Label: HostLabel(x.Route), Fqdn: x.Route.Fqdn(s.Domain),
                // Through a stripping route the app's health path sits below the prefix.
                Path: HealthRoutes.MonitoredPath(x.Route, app.HealthPath),
                // A guarded route is up when it refuses the monitor (Uptime Kuma has no credentials and is not allowlisted).
                Codes: x.Route.BasicAuthSecret is not null ? ["401"] : !x.Route.AllowCidrs.IsEmpty ? ImmutableArray.Create("403") : MonitorSpec.DefaultStatusCodes))
            .DistinctBy(t => (t.Fqdn, t.Path))
            .ToList();
        foreach (var t in targets)
        {
            var name = targets.Count == 1 ? app.Name
                : targets.Count(o => o.Label == t.Label) > 1 ? $"{app.Name}-{t.Label}-{Monitors.Slug(t.Path)}"
                : $"{app.Name}-{t.Label}";
            yield return (t.Index, new PublicHost(name, t.Fqdn, t.Path) { Id = Monitors.AppRouteId(app.Name, t.Index), AcceptedStatusCodes = t.Codes });
        }
    }

    /// <summary>A route's host in a monitor's display name: the label, "apex", or a custom domain.</summary>
    private static string HostLabel(RouteSettings route) => route.Domain ?? (route.Host == "@" ? "apex" : route.Host);

    /// <summary>
    /// Writes AutoKuma's monitor files (one per monitor, and the notification's) into the server directory AutoKuma
    /// reads on every sync, and removes the files of monitors that are gone (AutoKuma then deletes those monitors).
    /// A host command rather than container uploads: a changed upload replaces the container, so every added app
    /// would restart AutoKuma. Files are root's, mode 0600 (push monitors hold their tokens), each replaced atomically.
    /// </summary>
    internal static HostCommandSpec AutoKumaMonitorFiles(OperationsParts ops)
    {
        var files = AutoKuma.Files(ops.Monitors, ops.Channels)
            .Select(f => (File: f.Path[(f.Path.LastIndexOf('/') + 1)..], f.Content)).ToList();
        var dir = AutoKuma.HostMonitorsDir;
        var b = new SecretTextBuilder()
            .Line("set -eu")
            .Line($"sudo install -d -o 0 -g 0 -m 0700 {dir}");
        foreach (var (file, content) in files)
        {
            b.Line($"sudo install -o 0 -g 0 -m 0600 /dev/null {dir}/.{file}.new");
            b.Line($"sudo tee {dir}/.{file}.new >/dev/null <<'PLATFORM_MONITOR'");
            b.Append(content);
            if (!content.Masked.EndsWith('\n')) b.Line();
            b.Line("PLATFORM_MONITOR");
            b.Line($"sudo mv -f {dir}/.{file}.new {dir}/{file}");
        }
        var keep = string.Join(" ", files.Select(f => f.File));
        b.Line($"sudo find {dir} -maxdepth 1 -type f -name '*.json' | while read -r f; do case \" {keep} \" in *\" ${{f##*/}} \"*) ;; *) sudo rm -f \"$f\";; esac; done");
        return new HostCommandSpec(HostCommandNames.AutoKumaMonitors,
            $"writes AutoKuma's {files.Count} monitor files to {dir} (read on every sync: monitors change without restarting AutoKuma) and removes those of monitors that are gone",
            "sh -s", b.Build(), []) { Part = PartId.Monitoring };
    }

    /// <summary>A monitor as the plan shows it.</summary>
    internal static MonitorSpecView View(MonitorSpec m) =>
        new(m.Name, m.Kind.ToString().ToLowerInvariant(), m.Kind == MonitorKind.Push ? $"heartbeat {m.Id}" : m.Target,
            m.IntervalSeconds, m.RetryIntervalSeconds, m.MaxRetries);

    /// <summary>The admin account AutoKuma logs in with.</summary>
    internal static SecretSpec AdminSecret => Generated(SecretNames.UptimeKumaAdmin, "Uptime Kuma admin account (used by AutoKuma)");

    /// <summary>Uptime Kuma's database.</summary>
    internal static VolumeSpec Volume(StackSettings s) =>
        new(DataVolume, ServiceNames.UptimeKuma, "Uptime Kuma database (monitor history)", s.IsProd) { Part = PartId.Monitoring, Durable = true };

    /// <summary>Uptime Kuma's data volume's name.</summary>
    public const string DataVolume = "uptime-kuma-data";
}
