using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>Backups, monitors and the containers that run them, as the operations core renders them.</summary>
public sealed record OperationsParts(
    ImmutableArray<BackupJob> Jobs,
    ImmutableArray<MonitorSpec> Monitors,
    ImmutableArray<OpsContainer> Containers,
    ImmutableArray<GeneratedSecret> Secrets,
    ImmutableArray<NotificationTarget> Channels,
    BackupPlan? Backup)
{
    /// <summary>The backup hooks a database container carries (labels, env, dump volume); null when backups are off.</summary>
    public DumpHooks? HooksFor(string container) => Backup?.Hooks.FirstOrDefault(h => h.Container == container);
}

public static partial class BlueprintBuilder
{
    public const string UptimeKumaAdminUser = "platform-admin";

    /// <summary>
    /// The operations containers, jobs and files. Asked for by the blueprint and by the memory budget (which the
    /// settings rules also compute), so computed once per settings object, keyed by the instance.
    /// </summary>
    public static OperationsParts Operations(StackSettings s) => OperationsMemo.GetValue(s, ComputeOperations);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings, OperationsParts> OperationsMemo = new();

    private static OperationsParts ComputeOperations(StackSettings s)
    {
        var networks = new OpsNetworks(ServiceNames.DataNetwork, ServiceNames.EdgeNetwork);
        var kumaUrl = UptimeKumaUrl;
        var plan = BackupsInput(s) is { } backups ? Backups.Plan(backups, MariaDbAgentDumps(s)) : null;
        var jobs = plan?.Jobs ?? [];
        var dataServices = Monitors.DefaultDataServices
            .AddRange(Parts.Redis.RedisNames.Of(s).Select(i => new DataService(Parts.Redis.RedisNames.MonitorName(i.Owner), i.Container, i.Port)));
        if (MariaDbPartOf(s) is { } mariadb) dataServices = dataServices.Add(mariadb.DataService);
        // Every alerting monitor notifies every channel; the id they carry says only that they alert.
        var channels = AlertChannels.Of(s);
        NotificationTarget? notification = channels.IsEmpty ? null : channels[0] with { Id = AlertChannels.MonitorsNotify };
        var monitors = Monitors.For(new MonitoringInput(MonitoredHosts(s), dataServices, Monitors.DefaultMinioHealthUrl, jobs, notification))
            .AddRange(HostMetrics.MonitorsFor(notification?.Id)).AddRange(JobMonitors(s, notification?.Id))
            .AddRange(s.Postgres.Pitr ? HostMetrics.PitrMonitorsFor(notification?.Id) : [])
            // Every app server (and cache or file server) of a split stack reports its own CPU, memory and disk.
            .AddRange((s.Topology?.ReportingServers ?? []).SelectMany(k => HostMetrics.MonitorsFor(notification?.Id, k)))
            // The load balancer quietly drops a failing Traefik from rotation; this says so.
            .AddRange(s.Topology is { LoadBalanced: true } t ? t.AppServers.Select(k => MonitorSpec.Http($"traefik-{k.Id}", $"Traefik on {k.Id} (load balancer health check)",
                $"http://{PrivateAddresses.Of(k)}:{TraefikPingPort.ToString(CultureInfo.InvariantCulture)}/ping", notification?.Id)) : [])
            .AddRange(Parts.Reboots.Monitors(s, notification?.Id))
            .Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var monitoring = new MonitoringServicesInput(s.UptimeKuma.Image, s.AutoKuma.Image, UptimeKumaAdminUser, SecretNames.UptimeKumaAdmin,
            monitors, channels, networks, kumaUrl, s.AutoKuma.MemoryMb);

        var containers = new List<OpsContainer>
        {
            AutoKuma.Container(monitoring),
            AutoKuma.SetupContainer(monitoring),
            HostMetrics.Container(new HostMetricsInput(s.Postgres.Service.Image, AlertThresholds.Default, ServiceNames.Postgres,
                SecretNames.PostgresMonitor, kumaUrl, networks, s.Monitoring.HostMetricsMemoryMb, s.Postgres.Pitr)),
        };
        if (plan is not null) containers.AddRange([plan.Runner, .. plan.Agents]);
        return new OperationsParts(jobs, monitors, [.. containers.OrderBy(c => c.Name, StringComparer.Ordinal)],
            [.. jobs.Select(j => j.PushToken).Concat(HostMetrics.Secrets).Concat(s.Postgres.Pitr ? HostMetrics.PitrSecrets : []).Concat((s.Topology?.ReportingServers ?? []).SelectMany(k => HostMetrics.SecretsFor(k)))
                .Concat(JobSecrets(s)).Concat(Parts.Reboots.Secrets(s)).OrderBy(t => t.Name, StringComparer.Ordinal)], channels, plan);
    }

    /// <summary>What the backup jobs (and the restore script) are rendered from; null when backups are off.</summary>
    public static BackupsInput? BackupsInput(StackSettings s)
    {
        if (!s.Backups.Enabled) return null;
        var b = s.Backups;
        var networks = new OpsNetworks(ServiceNames.DataNetwork, ServiceNames.EdgeNetwork);
        return new BackupsInput(
                b.Service.Image,
                new S3Target(b.S3Endpoint, b.S3Bucket, b.S3Region, "backupS3AccessKeyId", "backupS3SecretAccessKey",
                    b.Encrypt ? "backupEncryptionPassphrase" : null, $"{s.Project}-{s.Stack}")
                {
                    AgeRecipients = b.Encrypt ? b.AgeRecipients : [],
                    RunnerPrunes = !b.RetentionByBucket,
                },
                new BackupSources(
                    [.. DatabaseNames(s, DatabaseEngine.Postgres)],
                    s.Postgres.Service.Image, SecretNames.PostgresSuperuser,
                    s.Redis.Service.Image, SecretNames.RedisAdmin,
                    "minio-data",
                    ServiceNames.Postgres, AppEnvironment.PostgresPort, PostgresConfig.Superuser,
                    [.. Parts.Redis.RedisNames.Of(s).Select(i => new RedisDumpSource(Parts.Redis.RedisNames.BackupJob(i.Owner), i.Container, i.Port, Parts.Redis.RedisNames.DumpVolume(i.Owner)))], RedisConfig.AdminUser,
                    [.. s.Apps.SelectMany(a => a.Volumes.Select(v => AppNames.Volume(a.Name, v.Name))).Order(StringComparer.Ordinal)],
                    s.Postgres.Pitr ? s.Postgres.PitrRetentionDays : null),
                new BackupPolicy(b.PostgresDailySchedule, b.PostgresDailyRetentionDays, b.PostgresHourlySchedule, b.PostgresHourlyRetentionHours,
                    b.RedisSchedule, b.RedisRetentionHours, b.MinioSchedule, b.MinioRetentionDays) { HourlyEnabled = b.HourlyEnabled },
                networks, UptimeKumaUrl, b.Service.MemoryMb) { StorageBox = b.StorageBox };
    }

    /// <summary>The stack's app databases on one engine, sorted.</summary>
    private static IEnumerable<string> DatabaseNames(StackSettings s, DatabaseEngine engine) =>
        s.Apps.Where(a => a.Database?.Engine == engine).Select(a => DatabaseNames(a).Database).Order(StringComparer.Ordinal);

    private static string UptimeKumaUrl => $"http://{ServiceNames.UptimeKuma}:{UptimeKumaPort}";

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

    private static IEnumerable<ServiceSpec> OperationsServices(OperationsParts ops, StackSettings s) =>
        ops.Containers.Select(c => OpsService(c, s));

    /// <summary>An operations container as a service: same conventions as every other container.</summary>
    private static ServiceSpec OpsService(OpsContainer c, StackSettings s) => new()
    {
        Name = c.Name,
        Part = OpsPart(c),
        Kind = ServiceKind.Operations,
        ContainerName = c.Name,
        Replacement = Replacement.DeleteBeforeCreate,
        Image = c.Image,
        Command = c.Command,
        Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, c.Env.Select(e => KeyValuePair.Create(e.Name, e.Value))),
        Mounts = [.. c.Mounts.Select(m => new MountSpec(m.Kind == Platform.Stacks.Operations.MountKind.Volume ? MountKind.Volume : MountKind.Bind, m.Source, m.Target, m.ReadOnly))],
        Networks = [.. c.Networks.Select(n => new NetworkAttachment(n, [c.Name]))],
        Labels = c.Labels,
        HealthCheck = Conventions.Health(OpsHealthCheck(c, s)),
        Limits = new ResourceLimits(c.MemoryMb, 0.5),
        RestartPolicy = c.Mode == RunMode.OneShot ? "no" : Conventions.RestartPolicy,
        OneShot = c.Mode == RunMode.OneShot,
        Log = Conventions.Log,
        Files = [.. c.Files.Select(f => new FileSpec(f.Path, f.Content))],
        DependsOn = OpsDependencies(c, s),
        AfterHostCommands = c.Name switch
        {
            AutoKuma.ContainerName => [HostCommandNames.AutoKumaMonitors],
            // Its role is created by the provisioning; before that every psql would fail and report "could not be measured".
            HostMetrics.ContainerName => [HostCommandNames.PostgresProvision],
            _ => [],
        },
        WaitHealthy = c.Mode == RunMode.Service,
    };

    /// <summary>
    /// Writes AutoKuma's monitor files (one per monitor, and the notification's) into the server directory AutoKuma
    /// reads on every sync, and removes the files of monitors that are gone (AutoKuma then deletes those monitors).
    /// A host command rather than container uploads: a changed upload replaces the container, so every added app
    /// would restart AutoKuma. Files are root's, mode 0600 (push monitors hold their tokens), each replaced atomically.
    /// </summary>
    private static HostCommandSpec AutoKumaMonitorFiles(OperationsParts ops)
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

    /// <summary>Backup runners and their dump agents are the backups part; AutoKuma, the setup and host metrics are monitoring.</summary>
    private static PartId OpsPart(OpsContainer c) =>
        c.Name is AutoKuma.ContainerName or AutoKuma.SetupContainerName or HostMetrics.ContainerName ? PartId.Monitoring : PartId.Backups;

    private static ImmutableArray<string> OpsDependencies(OpsContainer c, StackSettings s) => c.Name switch
    {
        AutoKuma.ContainerName => [ServiceNames.UptimeKuma, AutoKuma.SetupContainerName],
        AutoKuma.SetupContainerName => [ServiceNames.UptimeKuma],
        HostMetrics.ContainerName => [ServiceNames.UptimeKuma, ServiceNames.Postgres],
        _ when IsMariaDbAgent(c) => [ServiceNames.MariaDb],
        // The runner reaches no other container: the host's timers exec the dumps and its runs; it only reads volumes.
        Backups.RunnerName => [],
        _ => [ServiceNames.UptimeKuma],
    };

    /// <summary>
    /// What "healthy" means for each operations container. The backup runner, AutoKuma and the one-shot setup
    /// are checked for being alive — whether a backup or a monitor sync really worked is what the backup
    /// heartbeat monitors and AutoKuma's own logs tell.
    /// </summary>
    private static ImmutableArray<string> OpsHealthCheck(OpsContainer c, StackSettings s)
    {
        if (IsMariaDbAgent(c))
            // Over the shared socket as root, exactly as its dumps log in: healthy means a dump could run now.
            return ["CMD", "mariadb", "--no-defaults", $"--socket={Parts.MariaDb.MariaDbNames.SocketPath}", $"--user={Parts.MariaDb.MariaDbNames.AdminUser}",
                "--batch", "--execute=SELECT 1"];
        if (c.Name == HostMetrics.ContainerName) return HostMetrics.HealthCheck;
        return c.Name == AutoKuma.ContainerName || c.Name == AutoKuma.SetupContainerName
            ? ["CMD-SHELL", "kill -0 1"]
            : ["CMD-SHELL", "pgrep -x backup >/dev/null"];
    }

    private static MonitorSpecView View(MonitorSpec m) =>
        new(m.Name, m.Kind.ToString().ToLowerInvariant(), m.Kind == MonitorKind.Push ? $"heartbeat {m.Id}" : m.Target,
            m.IntervalSeconds, m.RetryIntervalSeconds, m.MaxRetries);

    private static BackupJobView View(BackupJob j, StackSettings s)
    {
        string Dbs(DatabaseEngine engine) => string.Join(", ", DatabaseNames(s, engine));
        var what = j.Subject switch
        {
            BackupSubject.Postgres => $"{j.What}: {Dbs(DatabaseEngine.Postgres)}",
            BackupSubject.MariaDb => $"{j.What}: {Dbs(DatabaseEngine.MariaDb)}",
            BackupSubject.AppVolumes => $"{j.What}: {string.Join(", ", j.SourceMounts.Select(m => m.Source).Order(StringComparer.Ordinal))}",
            _ => j.What,
        };
        var keep = j.RetentionDays == 1 ? "1 day" : $"{j.RetentionDays} days";
        // Pruned by the bucket's lifecycle rule: the plan says what that rule must keep, for each prefix.
        if (s.Backups.RetentionByBucket) keep += " (by the bucket's lifecycle rule; the runner's key only writes)";
        if (s.Backups.Encrypt && !s.Backups.AgeRecipients.IsEmpty && j.Name != Data.Pitr.JobName)
            keep += $"; encrypted to {s.Backups.AgeRecipients.Length} age recipient{(s.Backups.AgeRecipients.Length == 1 ? "" : "s")} (no key to read it on the server)";
        return new BackupJobView(j.Name, what, j.Schedule, j.Destination, keep);
    }

    /// <summary>
    /// Each MinIO user's policy statements (JSON), by app: on its own buckets, listing and every object operation
    /// (multipart uploads included) but nothing on the bucket itself — no policy, lifecycle, versioning, lock or deletion,
    /// so an app cannot make its bucket public or drop it (the platform sets public reads with its own account); on a
    /// bucket granted to it, listing and reading objects, and for readwrite also putting and deleting them.
    /// </summary>
    public static readonly ImmutableArray<string> OwnBucketActions = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"];

    public static readonly ImmutableArray<string> OwnObjectActions =
        ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"];

    public static ImmutableSortedDictionary<string, ImmutableArray<string>> MinioPolicies(IEnumerable<BucketSpec> buckets)
    {
        static string Statement(IEnumerable<string> actions, IEnumerable<string> resources) =>
            $"{{\"Effect\":\"Allow\",\"Action\":[{string.Join(",", actions.Select(a => $"\"{a}\""))}],\"Resource\":[{string.Join(",", resources.Select(r => $"\"arn:aws:s3:::{r}\""))}]}}";
        var users = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        List<string> Of(string user) => users.TryGetValue(user, out var list) ? list : users[user] = [];
        foreach (var owner in buckets.GroupBy(x => x.App))
        {
            var own = owner.OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
            Of(owner.Key).Add(Statement(OwnBucketActions, own.Select(x => x.Name)));
            Of(owner.Key).Add(Statement(OwnObjectActions, own.Select(x => $"{x.Name}/*")));
        }
        foreach (var bucket in buckets.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            foreach (var grant in bucket.Grants)
            {
                Of(grant.App).Add(Statement(["s3:GetBucketLocation", "s3:ListBucket"], [bucket.Name]));
                Of(grant.App).Add(Statement(grant.Access == BucketAccess.ReadWrite ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] : ["s3:GetObject"], [$"{bucket.Name}/*"]));
            }
        }
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, users.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToImmutableArray())));
    }

    /// <summary>Buckets, per-app users and policies in MinIO, created or updated by a script run inside the MinIO container.</summary>
    private static HostCommandSpec MinioProvision(ImmutableArray<BucketSpec> buckets)
    {
        var b = new SecretTextBuilder();
        b.Line("set -eu");
        // No secret on a command line (any user of the server can list them): the alias comes from MC_HOST_local, set by
        // this shell from the root password file; each app user's secret key reaches mc on its stdin (mc admin user add
        // with two arguments reads the secret key from a non-terminal stdin: cmd/admin-user-add.go, fetchUserKeys).
        b.Line($"MC_HOST_local=\"http://$MINIO_ROOT_USER:$(cat {MinioRootPasswordFile})@127.0.0.1:9000\"");
        b.Line("export MC_HOST_local");
        foreach (var bucket in buckets)
        {
            b.Line($"mc mb --ignore-existing local/{bucket.Name}");
            b.Line($"mc anonymous set {(bucket.PublicRead ? "download" : "none")} local/{bucket.Name}");
        }
        foreach (var (user, statements) in MinioPolicies(buckets))
        {
            var policy = Identities.MinioPolicy(user);
            var minioUser = Identities.MinioUser(user);
            b.Line($"printf '%s' '{{\"Version\":\"2012-10-17\",\"Statement\":[{string.Join(",", statements)}]}}' > /tmp/{policy}.json");
            b.Line($"mc admin policy create local {policy} /tmp/{policy}.json");
            // Adding an existing user sets its secret key: rotation is a re-run.
            b.Line($"mc admin user add local {minioUser} >/dev/null <<'PLATFORM_SECRET'").Secret(SecretNames.Minio(user)).Line().Line("PLATFORM_SECRET");
            b.Line($"mc admin policy attach local {policy} --user {minioUser} >/dev/null 2>&1 || mc admin user info local {minioUser} | grep -q {policy}");
            b.Line($"rm -f /tmp/{policy}.json");
        }
        return new HostCommandSpec(HostCommandNames.MinioProvision,
            "creates buckets (public-read only where asked), one MinIO user per app limited to its own buckets and those granted to it; idempotent, never deletes",
            $"docker exec -i {ServiceNames.Minio} sh -s", b.Build(), [ServiceNames.Minio]) { Part = PartId.ObjectStorage };
    }
}
