using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Catalog;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>Derives the whole platform from validated settings. Pure and deterministic.</summary>
public static class BlueprintBuilder
{
    public static PlatformBlueprint Build(StackSettings s)
    {
        var secrets = new SortedDictionary<string, SecretSpec>(StringComparer.Ordinal);
        void Generated(string name, string purpose) => secrets[name] = new SecretSpec(name, SecretSource.Generated, Conventions.PasswordLength, null, purpose);
        void Configured(string key, string purpose) => secrets[key] = new SecretSpec(key, SecretSource.Config, 0, $"{SettingsSchema.Namespace}:{key}", purpose);

        var databases = Databases(s);
        var mariadb = Parts.MariaDb.MariaDbBlueprint.PartOf(s);
        foreach (var secret in Parts.Postgres.PostgresBlueprint.Secrets(databases)) secrets[secret.Name] = secret;
        foreach (var secret in mariadb?.Secrets ?? []) secrets[secret.Name] = secret;
        var buckets = Parts.Storage.MinioBlueprint.Buckets(s);

        secrets[SecretNames.UptimeKumaAdmin] = Parts.Monitoring.MonitoringBlueprint.AdminSecret;
        foreach (var secret in Parts.Redis.RedisBlueprint.Secrets(s)) secrets[secret.Name] = secret;
        foreach (var secret in Parts.Storage.MinioBlueprint.Secrets(s)) secrets[secret.Name] = secret;
        // Behind a load balancer every Traefik serves the Origin CA certificate: none asks Let's Encrypt for DNS-01.
        if (s.Topology?.LoadBalanced != true) Configured("cloudflareApiToken", "Cloudflare DNS-01 challenge (Traefik)");
        var ops = OperationsBlueprint.Of(s);
        foreach (var token in ops.Secrets) Generated(token.Name, token.Purpose);
        if (s.Backups.Enabled)
        {
            Configured("backupS3AccessKeyId", "Off-site backup bucket");
            Configured("backupS3SecretAccessKey", "Off-site backup bucket");
            if (s.Backups.StorageBox is not null) Configured(StorageBoxSettings.KeySecret, "Storage Box login (SFTP key of the backup runner)");
            if (s.Backups.Encrypt && (s.Backups.AgeRecipients.IsEmpty || s.Postgres.Pitr))
                Configured("backupEncryptionPassphrase", s.Backups.AgeRecipients.IsEmpty ? "Backup encryption" : "Point-in-time archive encryption (pgBackRest)");
        }
        if (s.Monitoring.AlertWebhook) Configured("alertWebhookUrl", "Alert notifications");
        foreach (var channel in s.Monitoring.Channels)
            Configured(AlertChannels.SecretOf(channel), $"Alert channel {channel.Id} ({AlertChannels.KindOf(channel)}): {AlertChannels.SecretWhat(AlertChannels.KindOf(channel))}");
        // Secrets renamed into the app namespace keep their values: their password resources alias the former names.
        var platformNames = secrets.Keys.Where(k => !k.StartsWith(Identities.AppSecretPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        foreach (var app in s.Apps)
            foreach (var credential in Enum.GetValues<AppCredential>())
                if (secrets.TryGetValue(Identities.AppSecret(app.Name, credential), out var appSecret)
                    && Identities.FormerAppSecret(app.Name, credential) is var former && !platformNames.Contains(former) && !secrets.ContainsKey(former))
                    secrets[appSecret.Name] = appSecret with { FormerName = former };
        foreach (var registry in s.Registries)
            Configured(registry.SecretKey, $"Password or token of the registry {registry.Address} (image pulls)");
        foreach (var app in s.Apps)
        {
            foreach (var name in app.SecretEnv)
                Configured($"appSecrets.{app.Name}.{name}", $"{app.Name} env {name}");
            foreach (var (env, value) in app.Env)
                foreach (var name in EnvTemplate.References(value).Select(EnvTemplate.SecretName).OfType<string>().Where(n => !app.SecretEnv.Contains(n)))
                    Configured($"appSecrets.{app.Name}.{name}", $"{app.Name} secret {name} (referenced by env {env})");
        }
        foreach (var app in s.Apps)
            foreach (var name in app.Routes.Select(r => r.BasicAuthSecret).OfType<string>().Distinct(StringComparer.Ordinal).Where(n => !app.SecretEnv.Contains(n)))
                Configured($"appSecrets.{app.Name}.{name}", $"{app.Name} basic-auth users (htpasswd lines, read by Traefik)");

        var services = new List<ServiceSpec>();
        services.AddRange(PlatformServices(s, databases, ops));
        services.AddRange(s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal).SelectMany(a => Parts.Apps.AppsBlueprint.AppServices(s, a, databases)));

        var volumes = Parts.Server.ServerBlueprint.OnDataVolume(s, Parts.Upgrades.UpgradesBlueprint.WithUpgradeVolumes(s, Volumes(s, ops)));
        var fileRoutes = Parts.Monitoring.MonitoringBlueprint.FileRoutes(s);
        var hostCommands = HostCommands(s, databases, buckets, services, fileRoutes, ops);
        (services, hostCommands) = Parts.Upgrades.UpgradesBlueprint.WithDeclaredUpgrades(s, services, volumes, hostCommands);
        (services, hostCommands) = Parts.Upgrades.UpgradesBlueprint.WithMajorVersionGuards(s, services, hostCommands);
        var budget = MemoryBudget.Compute(s);
        var type = ServerTypes.All[s.Server.Type];

        var one = new PlatformBlueprint
        {
            Project = s.Project,
            Stack = s.Stack,
            Environment = s.Environment,
            CloudflareOriginPulls = s.CloudflareOriginPulls,
            Domain = s.Domain,
            Zone = s.Zone,
            Servers = [Parts.Server.ServerBlueprint.Server(s, type)],
            DataVolume = Parts.Server.ServerBlueprint.DataVolume(s, volumes),
            Firewalls = [Parts.Server.ServerBlueprint.Firewall(s)],
            DnsRecords = Parts.Dns.DnsBlueprint.Records(s),
            ZoneRecords = Parts.Dns.ZoneRecords.Specs(s),
            Networks = Parts.Apps.AppsBlueprint.Networks(s),
            NetworkJoins = Parts.Apps.AppsBlueprint.NetworkJoins(s),
            Volumes = volumes,
            Services = [.. services.OrderBy(x => x.Kind).ThenBy(x => x.Name, StringComparer.Ordinal)],
            Databases = databases,
            Buckets = buckets,
            HostCommands = hostCommands,
            FileRoutes = fileRoutes,
            PendingSecrets = [.. s.SecretPlaceholders.Select(k => (k, k.Contains('.', StringComparison.Ordinal)
                ? $"pulumi config set --secret --path '{k}' <value> --stack {s.Stack}"
                : $"pulumi config set --secret {k} <value> --stack {s.Stack}"))],
            Registries = [.. s.Registries.Select(x => new RegistrySpec(x.Address, x.Username, x.SecretKey)).OrderBy(x => x.Address, StringComparer.Ordinal)],
            Monitors = [.. ops.Monitors.Select(Parts.Monitoring.MonitoringBlueprint.View)],
            Backups = [.. ops.Jobs.Select(j => Parts.Backups.BackupsBlueprint.View(j, s))],
            MariaDbConnections = Parts.MariaDb.MariaDbBlueprint.Requests(s) is { IsEmpty: false } mariaDbApps
                ? (s.MariaDb.MaxConnections, s.MariaDb.MaxConnectionsDerived, mariaDbApps.Sum(x => x.Request.ConnectionLimit))
                : null,
            PostgresLogMinDurationStatementMs = services.Any(x => x.Name == ServiceNames.Postgres) ? s.Postgres.Tuning.LogMinDurationStatementMs : null,
            AlertChannels = [.. Platform.Stacks.Operations.AlertChannels.Of(s).Select(Platform.Stacks.Operations.AlertChannels.PlanLine)],
            BackupStorageBox = s.Backups is { Enabled: true, StorageBox: { } storageBox } ? StorageBox.Describe(storageBox, s.Postgres.Pitr) : null,
            BackupsOff = s.Backups is { Enabled: true, HourlyEnabled: false }
                ? [("postgres-hourly", BackupPolicy.HourlyOffReason), .. Parts.MariaDb.MariaDbBlueprint.Requests(s).Any() ? [("mariadb-hourly", BackupPolicy.HourlyOffReason)] : Array.Empty<(string, string)>()]
                : [],
            Secrets = [.. secrets.Values],
            Budgets = [budget],
            Connections = ConnectionBudget.Compute(s),
            Cost = Parts.Server.ServerBlueprint.Cost(s, type),
            Outputs = Outputs(s, databases),
            AppConnections = Parts.PartConnections.Of(s, databases),
        };
        // Every container, the split stack's copies and the observability part's included, drops its privileges last; the
        // host packet filter sees every port the parts publish.
        var built = Parts.ServerGates.Apply(s, Parts.Reboots.Apply(s, HostFirewall.WithHostFirewall(s, Parts.Hardening.ContainerHardening.Apply(Parts.Observability.ObservabilityBlueprint.WithObservability(s, s.Topology is { } topology ? Parts.Server.TopologyBlueprint.Split(s, topology, one) : one)))));
        // Last: every container's image, the split stack's copies and the observability part's included, by its recorded digest.
        return Parts.Images.ImageDigests.Apply(s.ImageDigests, built) with
        {
            ImageWarnings = [.. Parts.Images.ImageDigests.Warnings(s.IsProd, s.Stack, s.ImageDigests, built)],
        };
    }

    /// <summary>Every platform container, part by part (the apps' come from their own part).</summary>
    private static IEnumerable<ServiceSpec> PlatformServices(StackSettings s, ImmutableArray<DatabaseSpec> databases, OperationsParts ops)
    {
        yield return Parts.Edge.EdgeBlueprint.SocketProxy(s);
        yield return Parts.Edge.EdgeBlueprint.Traefik(s);
        foreach (var service in Parts.Postgres.PostgresBlueprint.Services(s, databases, ops)) yield return service;
        if (Parts.MariaDb.MariaDbBlueprint.PartOf(s) is { } mariadb) yield return mariadb.Service;
        foreach (var service in Parts.Redis.RedisBlueprint.Services(s, ops)) yield return service;
        yield return Parts.Storage.MinioBlueprint.Service(s);
        yield return Parts.Monitoring.MonitoringBlueprint.Service(s);
        foreach (var service in OperationsBlueprint.OperationsServices(ops, s)) yield return service;
    }

    /// <summary>Every app's own database (with the apps sharing it), sorted by name.</summary>
    public static ImmutableArray<DatabaseSpec> Databases(StackSettings s) =>
        s.Apps.Where(a => a.Database is not null)
            .Select(a =>
            {
                var (name, role) = DatabaseNames(a);
                var users = s.DatabaseUsers(a.Name);
                var engine = a.Database!.Engine;
                var secret = engine == DatabaseEngine.MariaDb ? Parts.MariaDb.MariaDbDatabaseRequest.ForApp(a.Name).PasswordSecret : SecretNames.Postgres(a.Name);
                return new DatabaseSpec(a.Name, name, role, a.Database.Extensions.Order(StringComparer.Ordinal).ToImmutableArray(), a.Database.ConnectionLimit, secret, users)
                {
                    Engine = engine,
                    Session = engine == DatabaseEngine.Postgres ? s.Postgres.Tuning.ForRole(a.Database.Session) : Data.PostgresRoleSettings.None,
                };
            })
            .OrderBy(d => d.Database, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>An app's database and role (MariaDB: user) names: as configured, or derived from the app's name.</summary>
    public static (string Database, string Role) DatabaseNames(AppSettings app)
    {
        var name = app.Database?.Name ?? DbName(app.Name);
        return (name, app.Database?.Role ?? name);
    }

    /// <summary>App names may hold hyphens; PostgreSQL and MariaDB identifiers get underscores so they never need quoting.</summary>
    public static string DbName(string app) => app.Replace('-', '_');

    private static ImmutableArray<VolumeSpec> Volumes(StackSettings s, OperationsParts ops)
    {
        var volumes = new List<VolumeSpec>
        {
            new("traefik-acme", ServiceNames.Traefik, "ACME account and certificates; survives restarts so certificates are never re-requested", s.IsProd) { Part = PartId.Edge, Durable = true },
            Parts.Postgres.PostgresBlueprint.Volume(s),
            Parts.Storage.MinioBlueprint.Volume(s),
            Parts.Monitoring.MonitoringBlueprint.Volume(s),
        };
        volumes.AddRange(Parts.Redis.RedisBlueprint.Volumes(s));
        volumes.AddRange(Parts.MariaDb.MariaDbBlueprint.PartOf(s)?.Volumes ?? []);
        volumes.AddRange(Parts.Apps.AppsBlueprint.AppVolumes(s));
        // A dump volume belongs to the database container that writes it (so that part comes first), not to the runner.
        foreach (var hooks in ops.Backup?.Hooks ?? [])
            foreach (var m in hooks.Mounts.Where(m => volumes.All(x => x.Name != m.Source)))
                volumes.Add(new(m.Source, hooks.Container, "Dumps waiting for the backup runner; copies of data that is off-site too",
                    // Written by a data container, so on prod it is protected like every volume a data service writes.
                    s.IsProd) { Part = Parts.Redis.RedisNames.IsContainer(hooks.Container) ? PartId.Redis : PartId.Postgres });
        foreach (var c in ops.Containers)
        {
            foreach (var volume in c.Volumes.Where(v => volumes.All(x => x.Name != v)))
            {
                // Dump volumes hold only copies of what is off-site; AutoKuma's state is rebuilt from the monitor files.
                volumes.Add(new(volume, c.Name, volume == AutoKuma.DataVolume ? "AutoKuma's sync state"
                    : volume == HostMetrics.DiskProbeVolume ? "Empty; its disk usage is the Docker disk's"
                    : "Dumps waiting for the backup runner; copies of data that is off-site too", false) { Part = OperationsBlueprint.OpsPart(c) });
            }
        }
        return [.. volumes.OrderBy(v => v.Name, StringComparer.Ordinal)];
    }

    private static ImmutableArray<OutputSpec> Outputs(StackSettings s, ImmutableArray<DatabaseSpec> databases)
    {
        var outputs = new List<OutputSpec>
        {
            new("urls", SecretText.Plain(string.Join(" ", Parts.Dns.DnsBlueprint.PublicHosts(s).Select(h => h.Fqdn).Concat(Parts.Dns.DnsBlueprint.CustomDomains(s)).Select(h => "https://" + h))), false, "Every public URL"),
            new(Rollback.Output, SecretText.Plain(Rollback.Json(Rollback.Next(s.LastDeployReleases, s.Apps))), false, "Each app's image and the one before it (what a rollback goes back to)"),
        };
        foreach (var db in databases)
            outputs.Add(db.Engine == DatabaseEngine.MariaDb
                ? new($"databaseUrl.{db.App}", Parts.MariaDb.MariaDbConnection.Url(AppEnvironment.MariaDbRequest(db)), true, $"{db.App}'s MariaDB connection string")
                : new($"databaseUrl.{db.App}", AppEnvironment.PooledDatabaseUrl(db), true, $"{db.App}'s pooled connection string (through PgBouncer)"));
        return [.. outputs.OrderBy(o => o.Name, StringComparer.Ordinal)];
    }

    private static ImmutableArray<HostCommandSpec> HostCommands(StackSettings s, ImmutableArray<DatabaseSpec> databases, ImmutableArray<BucketSpec> buckets,
        IReadOnlyList<ServiceSpec> services, ImmutableArray<FileRouteSpec> fileRoutes, OperationsParts ops)
    {
        var commands = new List<HostCommandSpec> { Parts.Monitoring.MonitoringBlueprint.AutoKumaMonitorFiles(ops), ImageHygiene.Command() };
        commands.AddRange(Parts.Postgres.PostgresBlueprint.HostCommands(s, databases, buckets));
        commands.AddRange(Parts.Redis.RedisBlueprint.HostCommands(s));
        if (Parts.MariaDb.MariaDbBlueprint.PartOf(s) is { } mariadb) commands.Add(mariadb.Provision);
        if (!buckets.IsEmpty) commands.Add(Parts.Storage.MinioBlueprint.Provision(buckets));
        commands.AddRange(services.Where(x => x.OneShot).Select(OneShotChecks.For));
        commands.AddRange(Parts.Apps.AppsBlueprint.AppHostCommands(s));
        if (!fileRoutes.IsEmpty) commands.Add(Parts.Monitoring.MonitoringBlueprint.TraefikFileRoutes(fileRoutes));
        if (s.CloudflareOriginPulls) commands.Add(Parts.Edge.EdgeBlueprint.TraefikOriginPulls());
        commands.Add(Parts.Maintenance.MaintenanceBlueprint.TraefikMaintenance(s, services));
        if (Parts.Edge.EdgeBlueprint.TraefikAuthFiles(s) is { } auth) commands.Add(auth);
        if (ops.Backup is { } backups) commands.Add(Parts.Backups.BackupsBlueprint.BackupTimersHostCommand(backups));
        return [.. commands.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }
}

/// <summary>Names of generated secrets: the platform's fixed ones, and the app namespace's (see <see cref="Identities"/>).</summary>
public static class SecretNames
{
    public const string PostgresSuperuser = "postgres-superuser";
    public const string RedisAdmin = "redis-admin";
    public const string PgBouncerStats = "pgbouncer-stats";
    public const string MinioRoot = "minio-root";
    public const string UptimeKumaAdmin = "uptime-kuma-admin";

    /// <summary>The metrics exporters' users (observability part on), one per engine, each with only what its exporter reads.</summary>
    public const string PostgresMonitor = "postgres-monitor";
    public const string PgBouncerMonitor = "pgbouncer-monitor";
    public const string RedisMonitor = "redis-monitor";
    public const string MariaDbMonitor = "mariadb-monitor";

    public static string Postgres(string app) => Identities.AppSecret(app, AppCredential.Postgres);

    public static string Redis(string app) => Identities.AppSecret(app, AppCredential.Redis);

    public static string Minio(string app) => Identities.AppSecret(app, AppCredential.Minio);
}
