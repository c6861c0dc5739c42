using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Catalog;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>Derives the whole platform from validated settings. Pure and deterministic.</summary>
public static partial class BlueprintBuilder
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
        var ops = Operations(s);
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

        var volumes = OnDataVolume(s, Parts.Upgrades.UpgradesBlueprint.WithUpgradeVolumes(s, Volumes(s, ops)));
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
            Servers = [Server(s, type)],
            DataVolume = DataVolume(s, volumes),
            Firewalls = [Firewall(s)],
            DnsRecords = DnsRecords(s),
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
            Backups = [.. ops.Jobs.Select(j => View(j, s))],
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
            Cost = Cost(s, type),
            Outputs = Outputs(s, databases),
            AppConnections = Parts.PartConnections.Of(s, databases),
        };
        // Every container, the split stack's copies and the observability part's included, drops its privileges last; the
        // host packet filter sees every port the parts publish.
        var built = Parts.ServerGates.Apply(s, Parts.Reboots.Apply(s, WithHostFirewall(s, Parts.Hardening.ContainerHardening.Apply(Parts.Observability.ObservabilityBlueprint.WithObservability(s, s.Topology is { } topology ? Split(s, topology, one) : one)))));
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
        foreach (var service in OperationsServices(ops, s)) yield return service;
    }

    /// <summary>Public hosts of the stack in its zone (each gets a DNS record): every app route, the platform's own, the MinIO console.</summary>
    public static ImmutableArray<(string Host, string Fqdn)> PublicHosts(StackSettings s) =>
        s.Apps.SelectMany(a => a.Routes.Where(r => r.Domain is null).Select(r => r.Host))
            .Concat(ServiceNames.PlatformHosts)
            .Concat(s.MinioConsole is { } console ? [console.Host] : [])
            .Concat(s.Observability.Enabled ? [s.Observability.Host] : [])
            .Distinct(StringComparer.Ordinal)
            .Select(h => (h, Routing.Fqdn(h, s.Domain)))
            .OrderBy(h => h.Item2, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>Tenants' own domains outside the zone: routed and certified here, their DNS kept by their owners.</summary>
    public static ImmutableArray<string> CustomDomains(StackSettings s) =>
        [.. s.Apps.SelectMany(a => a.Routes).Select(r => r.Domain).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

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

    /// <summary>A server of the stack: the single one, or (with <paramref name="key"/>) a split stack's data or app server.</summary>
    private static ServerSpec Server(StackSettings s, ServerType type, ServerKey? key = null)
    {
        var keys = s.Server.SshPublicKeys.Select((k, i) => new SshKeySpec($"{s.Stack}-{Names.SshKeyName(k, i)}", k.Trim())).ToImmutableArray();
        var labels = new Dictionary<string, string> { ["project"] = s.Project, ["stack"] = s.Stack, ["environment"] = s.IsProd ? "prod" : "staging" };
        if (key is { Role: { } role }) labels["role"] = TopologySettings.RoleKey(key);
        return new ServerSpec(
            Name: key is null or { IsSingle: true } ? $"{s.Project}-{s.Stack}" : $"{s.Project}-{s.Stack}-{key.Id}",
            Type: type.Name,
            Location: s.Server.Location,
            Image: s.Server.Image,
            SshKeys: keys,
            DeployUser: s.Server.DeployUser,
            UserData: ServerUserData(s, type),
            Labels: Conventions.Labels(labels),
            Protect: s.IsProd,
            ReadinessCommand: ReadinessCommand,
            ReadinessTimeoutSeconds: (int)CloudInit.Readiness.Timeout.TotalSeconds,
            MemoryMb: type.MemoryGb * 1024,
            Vcpus: type.Vcpus) { Key = key ?? ServerKey.Single, Backups = s.ServerBackups };
    }

    /// <summary>The hardened server's first boot (see <see cref="CloudInit"/>); no secret is in it.</summary>
    private static string ServerUserData(StackSettings s, ServerType type) =>
        CloudInit.Render(new CloudInitInput(s.Server.SshPublicKeys, CloudInit.SwapMbForRam(type.MemoryGb * 1024), s.Server.DeployUser)
        {
            AdminCidrs = s.AdminCidrs,
            NonLocalBind = s.IsSplit,
        });

    /// <summary>Run over SSH before Docker is touched; bounded by <c>timeout</c> because a remote command has no deadline of its own.</summary>
    public static string ReadinessCommand { get; } =
        $"timeout {(int)CloudInit.Readiness.Timeout.TotalSeconds} bash -c {Shell.Quote(CloudInit.Readiness.Command)}";

    private static FirewallSpec Firewall(StackSettings s)
    {
        var web = s.CloudflareOnlyIngress ? CloudflareRanges.All : ["0.0.0.0/0", "::/0"];
        var webSource = s.CloudflareOnlyIngress ? "Cloudflare's ranges only" : "anywhere";
        return new FirewallSpec($"{s.Project}-{s.Stack}",
        [
            new($"SSH from admin CIDRs", "tcp", "22", s.AdminCidrs),
            new($"HTTP from {webSource} (redirects to HTTPS)", "tcp", "80", web),
            new($"HTTPS from {webSource}", "tcp", "443", web),
            new("ICMP (ping, path MTU discovery)", "icmp", null, ["0.0.0.0/0", "::/0"]),
        ]);
    }

    private static ImmutableArray<DnsRecordSpec> DnsRecords(StackSettings s)
    {
        var records = ImmutableArray.CreateBuilder<DnsRecordSpec>();
        foreach (var (host, fqdn) in PublicHosts(s))
        {
            var name = fqdn == s.Zone ? "@" : fqdn[..^(s.Zone.Length + 1)];
            var comment = $"{s.Project}/{s.Stack}: {host}";
            // Proxied records must use TTL 1 ("automatic"); Cloudflare answers with its own edge addresses.
            // A nested tenant wildcard is DNS only: Cloudflare's free certificate covers one level (Parts.Edge.NestedWildcards).
            var proxied = !Parts.Edge.NestedWildcards.IsHost(host);
            records.Add(new DnsRecordSpec(name, fqdn, "A", ServerAddress.Ipv4, Proxied: proxied, Ttl: 1, comment));
            records.Add(new DnsRecordSpec(name, fqdn, "AAAA", ServerAddress.Ipv6, Proxied: proxied, Ttl: 1, comment));
        }
        return records.ToImmutable();
    }

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
                    : "Dumps waiting for the backup runner; copies of data that is off-site too", false) { Part = OpsPart(c) });
            }
        }
        return [.. volumes.OrderBy(v => v.Name, StringComparer.Ordinal)];
    }

    /// <summary>Where the Hetzner data volume is mounted on the server.</summary>
    public const string DataVolumeMountPath = "/srv/platform/data";

    /// <summary>With a data volume, every durable Docker volume binds to its own directory on it.</summary>
    private static ImmutableArray<VolumeSpec> OnDataVolume(StackSettings s, ImmutableArray<VolumeSpec> volumes) =>
        s.DataVolumeGb == 0 ? volumes : [.. volumes.Select(v => v.Durable ? v with { HostPath = $"{DataVolumeMountPath}/{v.Name}" } : v)];

    private static DataVolumeSpec? DataVolume(StackSettings s, ImmutableArray<VolumeSpec> volumes) =>
        s.DataVolumeGb == 0 ? null : DataVolume(s, volumes, $"{s.Project}-{s.Stack}-data", s.DataVolumeGb);

    /// <summary>A Hetzner Volume of <paramref name="sizeGb"/> named <paramref name="name"/>, holding <paramref name="volumes"/>' directories.</summary>
    private static DataVolumeSpec DataVolume(StackSettings s, ImmutableArray<VolumeSpec> volumes, string name, int sizeGb)
    {
        var directories = volumes.Where(v => v.HostPath is not null).Select(v => v.HostPath!).Order(StringComparer.Ordinal);
        // Hetzner links each attached volume as /dev/disk/by-id/scsi-0HC_Volume_<id>; the server has exactly one.
        var script = string.Join("\n",
        [
            "set -eu",
            "set -- /dev/disk/by-id/scsi-0HC_Volume_*",
            "if [ \"$#\" -ne 1 ] || [ ! -e \"$1\" ]; then echo \"expected exactly one attached Hetzner Volume, found: $*\" >&2; exit 1; fi",
            $"sudo install -d -m 0755 {DataVolumeMountPath}",
            $"grep -q ' {DataVolumeMountPath} ' /etc/fstab || echo \"$1 {DataVolumeMountPath} ext4 discard,nofail,defaults 0 2\" | sudo tee -a /etc/fstab >/dev/null",
            $"mountpoint -q {DataVolumeMountPath} || sudo mount {DataVolumeMountPath}",
            .. directories.Select(d => $"sudo install -d -m 0755 {d}"),
            "",
        ]);
        return new DataVolumeSpec(name, sizeGb, s.Server.Location, "ext4", DataVolumeMountPath, s.IsProd, script);
    }

    /// <summary>The monthly cost from the price table, with the stack's <c>prices</c> overrides applied.</summary>
    private static CostEstimate Cost(StackSettings s, ServerType type)
    {
        decimal Price(string item, decimal listed) => s.Prices.TryGetValue(item, out var over) ? over : listed;
        var lines = new List<CostLine>
        {
            new($"Hetzner {type.Name} server ({type.Vcpus} vCPU, {type.MemoryGb} GB, {type.Cpu}; traffic included)", 1, "month", Price(type.Name, type.MonthlyEur)),
            new("Primary IPv4 address", 1, "month", Price("ipv4", Prices.PrimaryIpv4Eur)),
        };
        if (s.ServerBackups)
            lines.Add(ServerBackupsLine($"{type.Name} server", 1, Price(type.Name, type.MonthlyEur)));
        if (s.DataVolumeGb > 0)
            lines.Add(new($"Hetzner Volume for the stateful data (platform:dataVolumeGb)", s.DataVolumeGb, "GB-month", Price("volumePerGb", Prices.VolumePerGbEur)));
        if (s.Backups.Enabled)
            lines.Add(new($"Off-site backup storage at {s.Backups.S3Endpoint} (estimate, platform:backupStorageGb)", s.BackupStorageGb, "GB-month", Price("backupStoragePerGb", Prices.BackupStoragePerGbEur)));
        if (s.Backups is { Enabled: true, StorageBox: { } box })
            lines.Add(StorageBox.CostLine(box, Price));
        if (s.Postgres.Pitr)
            lines.Add(new($"Point-in-time recovery repository (pgBackRest: base backups and WAL) at {s.Backups.S3Endpoint} (estimate, platform:postgresPitrStorageGb)",
                s.Postgres.PitrStorageGb, "GB-month", Price("backupStoragePerGb", Prices.BackupStoragePerGbEur)));
        return new CostEstimate([.. lines]);
    }

    /// <summary>Hetzner's automatic backups of <paramref name="count"/> servers: a share of each one's price.</summary>
    internal static CostLine ServerBackupsLine(string servers, int count, decimal serverPriceEur) =>
        new($"Hetzner automatic backups of the {servers}{(count > 1 ? "s" : "")} (7 daily slots; {Prices.ServerBackupsPercent.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}% of the server price; platform:serverBackups)",
            count, "month", ServerBackupsEur(serverPriceEur));

    /// <summary>What Hetzner bills for one server's backups: 20% of its price, to the cent, as its price list shows it.</summary>
    internal static decimal ServerBackupsEur(decimal serverPriceEur) => decimal.Round(serverPriceEur * Prices.ServerBackupsPercent / 100m, 2);

    private static ImmutableArray<OutputSpec> Outputs(StackSettings s, ImmutableArray<DatabaseSpec> databases)
    {
        var outputs = new List<OutputSpec>
        {
            new("urls", SecretText.Plain(string.Join(" ", PublicHosts(s).Select(h => h.Fqdn).Concat(CustomDomains(s)).Select(h => "https://" + h))), false, "Every public URL"),
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
