using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Platform.Stacks.Settings;

/// <summary>The type of a config value, in Pulumi's terms.</summary>
public enum SettingType { String, Integer, Boolean, StringArray, Object, ObjectArray }

/// <summary>
/// One setting of the <c>platform</c> namespace. <see cref="InProjectFile"/> settings are also
/// declared in <c>Pulumi.yaml</c>'s <c>config:</c> block, so the Pulumi CLI checks their type
/// and applies their default; a test keeps the two in step. Pulumi can declare only strings,
/// integers, booleans and arrays of those, and treats a declared secret or a declaration without
/// default as required in every stack — so object settings and optional or conditional secrets
/// are declared here only (and documented in the README).
/// </summary>
public sealed record SettingDef(
    string Name,
    SettingType Type,
    string Description,
    object? Default = null,
    bool Secret = false,
    bool InProjectFile = true)
{
    public string Key => SettingsSchema.Namespace + ":" + Name;

    public bool Required => Default is null && InProjectFile;

    /// <summary>Smallest and largest value of an integer setting.</summary>
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>The values a string setting may have.</summary>
    public ImmutableArray<string> Enum { get; init; } = [];
    /// <summary>A regular expression every value (every item of a list) matches.</summary>
    public string? Pattern { get; init; }
    /// <summary>A list that must have at least one item when given.</summary>
    public bool NonEmpty { get; init; }
    /// <summary>The keys of an object setting, or of each item of a list of objects.</summary>
    public ObjectDef? Shape { get; init; }
    /// <summary>The value of each entry of a mapping whose keys the user chooses (appSecrets, imageDigests …).</summary>
    public FieldDef? Values { get; init; }

    /// <summary>The setting as a key of the stack file's <c>config:</c> mapping, for the JSON Schema.</summary>
    public FieldDef AsField() => new(Key, Secret && Type != SettingType.Object ? FieldType.Secret : Type switch
    {
        SettingType.String => FieldType.String,
        SettingType.Integer => FieldType.Integer,
        SettingType.Boolean => FieldType.Boolean,
        SettingType.StringArray => FieldType.StringList,
        SettingType.ObjectArray => FieldType.ObjectList,
        _ => Shape is null ? FieldType.Map : FieldType.Object,
    }, Description)
    {
        Default = Default, Required = Required && !Secret, Min = Min, Max = Max, Enum = Enum, Pattern = Pattern, NonEmpty = NonEmpty, Shape = Shape, Values = Values,
    };
}

/// <summary>Every setting a stack can have: name, type, description, default.</summary>
public static class SettingsSchema
{
    public const string Namespace = "platform";

    /// <summary>Config namespaces of the providers the program uses; their keys are passed through unchecked.</summary>
    public static readonly FrozenSet<string> ProviderNamespaces =
        new[] { "hcloud", "cloudflare", "docker", "command", "random", "pulumi" }.ToFrozenSet();

    public static readonly IReadOnlyList<SettingDef> All =
    [
        new("environment", SettingType.String, "Which platform this stack is: staging or prod. Prod gets deletion protection and must have backups.") { Enum = ["staging", "prod"] },
        new("domain", SettingType.String, "Base domain of the stack; the apex host. App hosts are subdomains of it."),
        new("zone", SettingType.String, "Cloudflare zone that holds the records. Default: the domain.", ""),
        new("acmeEmail", SettingType.String, "Contact e-mail for Let's Encrypt certificates."),
        new("serverType", SettingType.String, "Hetzner Cloud server type (e.g. cx32, ccx23). Its RAM bounds the memory budget.", "ccx23") { Enum = [.. Catalog.ServerTypes.All.Keys.Order(StringComparer.Ordinal)] },
        new("serverLocation", SettingType.String, "Hetzner Cloud location (fsn1, nbg1, hel1, ash, hil, sin).", "fsn1") { Enum = [.. Catalog.ServerTypes.Locations.Order(StringComparer.Ordinal)] },
        new("serverImage", SettingType.String, "Server OS image.", "ubuntu-24.04"),
        new("serverBackups", SettingType.Boolean, "Hetzner's automatic backups of every server of the stack: a full-system image taken daily, the last 7 kept (Hetzner's slots); restore or rebuild from one in the Hetzner console. Costs 20% of each server's price.", false),
        new("sshPublicKeys", SettingType.StringArray, "SSH public keys (one line each, e.g. 'ssh-ed25519 AAAA… alice@example.com') allowed to log in as the deploy user.") { NonEmpty = true },
        new("deployUser", SettingType.String, "Unprivileged user that owns deployments and runs Docker over SSH.", "deploy") { Pattern = "^[a-z_][a-z0-9_-]{0,31}$" },
        new("osReserveMb", SettingType.Integer, "Memory kept for the OS, Docker and page cache outside every container limit.", 1024) { Min = 256, Max = 65536 },
        new("dataVolumeGb", SettingType.Integer, "Size of a Hetzner Volume (10–10000 GB) that holds every stateful part's data, so it outlives the server; 0 keeps the data on the server's disk. Turning it on for a live stack replaces the stateful volumes: back up, then restore.", 0) { Min = 0, Max = 10000 },
        new("servers", SettingType.Object, "Servers by role instead of one server: { app: { type, count }, data: { type, volumeGb }, cache: { type, volumeGb }, files: { type, volumeGb } }. App servers sit behind a load balancer when there are several; the data server holds every stateful part on a Hetzner Volume; the optional cache server takes the Redis instances, the optional file server MinIO (see docs/topology.md). Excludes serverType and dataVolumeGb.", InProjectFile: false) { Shape = Parts.Server.ServersSchema.Servers },
        new("adminCidrs", SettingType.StringArray, "CIDRs allowed to reach SSH (22) through the Hetzner firewall.") { NonEmpty = true },
        new("cloudflareOnlyIngress", SettingType.Boolean, "Allow 80/443 only from Cloudflare's published ranges (origin not reachable around the proxy).", true),
        new("cloudflareOriginPulls", SettingType.Boolean, "Authenticated origin pulls: Traefik accepts TLS only from clients presenting Cloudflare's origin-pull certificate (mTLS), and the zone setting is turned on; every other Cloudflare customer and every direct client is refused.", false),
        new("postgresImage", SettingType.String, "PostgreSQL image, pinned.", "postgres:16.6-alpine"),
        new("postgresMemoryMb", SettingType.Integer, "PostgreSQL memory limit; shared_buffers is 25% of it, effective_cache_size 75%.", 4096) { Min = 256, Max = 262144 },
        new("postgresMaxConnections", SettingType.Integer, "PostgreSQL max_connections.", 100) { Min = 10, Max = 10000 },
        new("postgresPitr", SettingType.Boolean, "Point-in-time recovery: WAL archived continuously with pgBackRest to the backup bucket, base backups nightly; PostgreSQL runs its image plus pgBackRest, built on the server, with 128 MB more memory. Needs backupsEnabled. See docs/operations.md.", false),
        new("postgresPitrRetentionDays", SettingType.Integer, "With postgresPitr: every moment of the last this many days can be restored to.", 14) { Min = 1, Max = 3650 },
        new("postgresPitrStorageGb", SettingType.Integer, "With postgresPitr: expected size in GB of pgBackRest's repository (full backups of the retention window, differentials, WAL), for the cost estimate.", 20) { Min = 0, Max = 1000000 },
        new("postgresUpgrade", SettingType.Object, "A declared major-version upgrade of PostgreSQL, set with postgresImage's new major: { from: \"16\", to: \"17\", previousVolume (default postgres-data), keepOld (true), rollback (false), dataGb (1, for the downtime estimate) }. The deployment copies every database into the volume postgres-data-<to>, verifies every table and switches; the old volume is kept. See docs/operations.md, Major-version upgrades.", InProjectFile: false) { Shape = Parts.Upgrades.UpgradeSchema.For("postgres", "postgres-data", "\"16\"") },
        new("postgresTuning", SettingType.Object, "PostgreSQL's slow-query log and the app roles' timeouts: { logMinDurationStatementMs (1000; -1 off: postgresql.conf, every session), statementTimeoutMs (0: none), idleInTransactionSessionTimeoutMs (0: none) }. The timeouts are set on each app's role (ALTER ROLE … SET), so the platform's own sessions (provisioning, dumps, pgBackRest) keep none; an app's needs.database sets its own over them.", InProjectFile: false) { Shape = Parts.Postgres.PostgresTuningSchema.Tuning },
        new("pgbouncerImage", SettingType.String, "PgBouncer image, pinned.", "edoburu/pgbouncer:v1.23.1-p3"),
        new("pgbouncerMemoryMb", SettingType.Integer, "PgBouncer memory limit (see docs/footprint.md).", 32) { Min = 16, Max = 262144 },
        new("pgbouncerMaxClientConn", SettingType.Integer, "PgBouncer max_client_conn.", 100) { Min = 1, Max = 100000 },
        new("pgbouncerDefaultPoolSize", SettingType.Integer, "PgBouncer default_pool_size (server connections per database/user pair).", 20) { Min = 1, Max = 10000 },
        new("pgbouncerMinPoolSize", SettingType.Integer, "PgBouncer min_pool_size.", 5) { Min = 0, Max = 10000 },
        new("pgbouncerReservePoolSize", SettingType.Integer, "PgBouncer reserve_pool_size.", 5) { Min = 0, Max = 10000 },
        new("mariadbImage", SettingType.String, "MariaDB image, a pinned 10.11 LTS patch release (another series with a declared mariadbUpgrade). Deployed only when an app needs a MariaDB database.", Parts.MariaDb.MariaDbNames.DefaultImage),
        new("mariadbMemoryMb", SettingType.Integer, "MariaDB memory limit; innodb_buffer_pool_size is half of it, in whole 128 MB chunks.", 1024) { Min = 1, Max = 262144 },
        new("mariadbMaxConnections", SettingType.Integer, "MariaDB max_connections; the MariaDB apps' connectionLimit values must add up to no more. 0: derived, their sum + 10 for the platform's own clients, at least 100.", 0) { Min = 0, Max = 10000 },
        new("mariadbUpgrade", SettingType.Object, "A declared major-version upgrade of MariaDB, set with mariadbImage's new series: { from: \"10.11\", to: \"11.4\", previousVolume (default mariadb-data), keepOld (true), rollback (false), dataGb (1) }, as postgresUpgrade.", InProjectFile: false) { Shape = Parts.Upgrades.UpgradeSchema.For("mariadb", Parts.MariaDb.MariaDbNames.DataVolume, "\"10.11\"") },
        new("redisImage", SettingType.String, "Redis image, pinned.", Parts.Redis.RedisSettings.Defaults.Image),
        new("redisMaxMemoryMb", SettingType.Integer, "Default maxmemory of each app's Redis instance (needs.redis.maxMemoryMb overrides it per app). Each container's limit is twice its maxmemory, for the copy-on-write of snapshots.", Parts.Redis.RedisSettings.Defaults.MaxMemoryMb) { Min = Parts.Redis.RedisSettings.MinMaxMemoryMb, Max = Parts.Redis.RedisSettings.MaxMaxMemoryMb },
        new("redisEvictionPolicy", SettingType.String, "Default maxmemory-policy of each app's Redis instance (needs.redis.evictionPolicy overrides it per app; a job queue wants noeviction).", Parts.Redis.RedisSettings.Defaults.EvictionPolicy) { Enum = [.. Parts.Redis.RedisSettings.EvictionPolicies] },
        new("minioImage", SettingType.String, "MinIO image, pinned.", "minio/minio:RELEASE.2025-04-22T22-12-26Z"),
        new("minioMemoryMb", SettingType.Integer, "MinIO memory limit.", 1024) { Min = 128, Max = 262144 },
        new("minioConsoleHost", SettingType.String, "Subdomain serving MinIO's console (port 9001) to minioConsoleAllowCidrs only, e.g. minio-admin. Default: empty, no public console.", ""),
        new("minioConsoleAllowCidrs", SettingType.StringArray, "Client CIDRs allowed to reach minioConsoleHost; everyone else gets 403. Required with minioConsoleHost.", InProjectFile: false),
        new("traefikImage", SettingType.String, "Traefik image, pinned.", "traefik:v3.3.6"),
        new("traefikMemoryMb", SettingType.Integer, "Traefik memory limit (see docs/footprint.md).", 128) { Min = 64, Max = 262144 },
        new("uptimeKumaImage", SettingType.String, "Uptime Kuma image, pinned.", "louislam/uptime-kuma:2.0.2"),
        new("uptimeKumaMemoryMb", SettingType.Integer, "Uptime Kuma memory limit (see docs/footprint.md).", 256) { Min = 128, Max = 262144 },
        new("autoKumaImage", SettingType.String, "AutoKuma image (syncs the monitors declared by the platform into Uptime Kuma), pinned; 2.x, matching Uptime Kuma 2.", "ghcr.io/bigboot/autokuma:2.0.0"),
        new("autoKumaMemoryMb", SettingType.Integer, "AutoKuma memory limit (see docs/footprint.md).", 64) { Min = 32, Max = 262144 },
        new("hostMetricsMemoryMb", SettingType.Integer, "Memory limit of the host-metrics agent that enforces the alert thresholds (see docs/footprint.md).", 24) { Min = 16, Max = 4096 },
        new("socketProxyImage", SettingType.String, "Docker socket proxy image (the read-only Docker API Traefik reads its routes from), pinned.", "tecnativa/docker-socket-proxy:0.3.0"),
        new("socketProxyMemoryMb", SettingType.Integer, "Memory limit of Traefik's Docker socket proxy (see docs/footprint.md).", 32) { Min = 16, Max = 262144 },
        new("backupsEnabled", SettingType.Boolean, "Run scheduled off-site backups. Prod requires them.", true),
        new("backupImage", SettingType.String, "Backup job image, pinned.", "offen/docker-volume-backup:v2.48.2"),
        new("backupMemoryMb", SettingType.Integer, "Memory limit of the backup runner, the one container that runs every backup schedule (see docs/footprint.md).", 64) { Min = 32, Max = 262144 },
        new("backupS3Endpoint", SettingType.String, "Off-site S3 endpoint host (e.g. s3.eu-central-003.backblazeb2.com). Required when backups are enabled.", ""),
        new("backupS3Bucket", SettingType.String, "Off-site S3 bucket. Required when backups are enabled.", ""),
        new("backupS3Region", SettingType.String, "Off-site S3 region.", ""),
        new("backupEncrypt", SettingType.Boolean, "Encrypt backups: to backupAgeRecipients when given (age, public keys), else symmetric GPG with the secret backupEncryptionPassphrase.", true),
        new("backupAgeRecipients", SettingType.StringArray, "Public keys the backup archives are encrypted to (age: age1… from age-keygen, or an ssh-ed25519/ssh-rsa public key). The private keys stay off the servers, so a compromised server cannot read its archives. Default: none (symmetric GPG).", InProjectFile: false),
        new("backupRetentionByBucket", SettingType.Boolean, "The bucket's own lifecycle rule deletes old archives instead of the runner, so the runner's S3 key needs only s3:PutObject: a compromised server can neither read nor delete its backups. Set the bucket's rule to the longest retention (docs/operations.md).", false),
        new("backupStorageBox", SettingType.Object, "A Hetzner Storage Box every backup archive is uploaded to over SFTP as well as to the S3 bucket: { host (u123456.your-storagebox.de), port (23), user (default: the host's first label), path (backups), hostKey (required: \"ssh-ed25519 AAAA…\" as ssh-keyscan prints it), product (bx11, for the cost) }. Logs in with the secret backupStorageBoxKey. pgBackRest's point-in-time archive stays on S3.", InProjectFile: false) { Shape = Operations.StorageBoxSchema.Shape },
        new("backupPostgresDailySchedule", SettingType.String, "Cron schedule (UTC) of the daily database dump.", "0 3 * * *"),
        new("backupPostgresDailyRetentionDays", SettingType.Integer, "Days daily database dumps are kept (1–3650).", 30) { Min = 1, Max = 3650 },
        new("backupHourlyEnabled", SettingType.Boolean, "Run the business-hours database dumps (postgres-hourly, and mariadb-hourly when an app uses MariaDB). false: the daily dumps only.", true),
        new("backupPostgresHourlySchedule", SettingType.String, "Cron schedule (UTC) of the business-hours database dump.", "0 8-18 * * 1-5"),
        new("backupPostgresHourlyRetentionHours", SettingType.Integer, "Hours business-hours dumps are kept (1–720).", 24) { Min = 1, Max = 720 },
        new("backupRedisSchedule", SettingType.String, "Cron schedule (UTC) of the Redis snapshot backup.", "*/15 * * * *"),
        new("backupRedisRetentionHours", SettingType.Integer, "Hours Redis snapshots are kept (1–720).", 24) { Min = 1, Max = 720 },
        new("backupMinioSchedule", SettingType.String, "Cron schedule (UTC) of the MinIO archive (its data volume, read-only, to the off-site bucket).", "30 3 * * *"),
        new("backupMinioRetentionDays", SettingType.Integer, "Days MinIO backups are kept (1–3650).", 30) { Min = 1, Max = 3650 },
        new("backupStorageGb", SettingType.Integer, "Expected off-site backup storage in GB, for the cost estimate.", 50) { Min = 0, Max = 1000000 },
        new("cloudflareApiToken", SettingType.String, "Cloudflare API token with Zone:DNS:Edit, used by Traefik for the DNS-01 challenge.", Secret: true),
        new("backupS3AccessKeyId", SettingType.String, "Off-site S3 access key id. Required when backups are enabled.", Secret: true, InProjectFile: false),
        new("backupS3SecretAccessKey", SettingType.String, "Off-site S3 secret key. Required when backups are enabled.", Secret: true, InProjectFile: false),
        new("backupStorageBoxKey", SettingType.String, "OpenSSH private key the backup runner logs in to backupStorageBox with (its public key in the box's .ssh/authorized_keys). Required with backupStorageBox.", Secret: true, InProjectFile: false),
        new("backupEncryptionPassphrase", SettingType.String, "Passphrase backups are encrypted with. Required when backupEncrypt is true.", Secret: true, InProjectFile: false),
        new("alertWebhookUrl", SettingType.String, "Webhook URL (e.g. Slack, ntfy) Uptime Kuma notifies. Required on prod.", Secret: true, InProjectFile: false),
        new("alertChannels", SettingType.ObjectArray, "Where alerts and deploy results go, besides alertWebhookUrl: a list of { name, kind (slack, discord, telegram, email, webhook) and per kind: slack { channel, username }, discord { username }, telegram { chatId (required), serverUrl }, email { smtpHost, from, to (required), smtpPort (587; 465 with tls), smtpSecurity (starttls or tls), smtpUsername (default: from) } }. Each channel's secret (webhook URL, bot token or SMTP password) is alertChannelSecrets.<name>. Every Uptime Kuma monitor notifies every channel; the workflow's notify step posts each deploy's result to them.", InProjectFile: false) { Shape = Operations.AlertChannelsSchema.Channel },
        new("alertChannelSecrets", SettingType.Object, "Each alert channel's secret: alertChannelSecrets.<name> (the Slack or Discord webhook URL, the Telegram bot token, the SMTP password, the webhook URL), set with `pulumi config set --secret --path`.", Secret: true, InProjectFile: false) { Values = SettingsShapes.SecretValue },
        new("lastDeployReleases", SettingType.String, "The appReleases output of the last successful deploy (JSON), handed back by the workflow before each preview and up so the next appReleases keeps each app's previous image; never written in a stack file (see README, 'Operating the platform', rollback).", InProjectFile: false),
        new("rebootWindow", SettingType.String, "Start (HH:MM, UTC) of the window in which servers reboot themselves when an upgrade requires it (unattended-upgrades' Automatic-Reboot-Time), one at a time on split stacks (20 min apart, app servers first). Unset: never by themselves; the reboot-required monitor turns red either way.", InProjectFile: false),
        new("maintenance", SettingType.Object, "Maintenance mode (see README, 'Operating the platform'): { apps (names, or \"*\" for every app; empty: off), retryAfterSeconds (300), pageUrl (an http(s) page served as the 503's body; default Traefik's text), allowCidrs (default: adminCidrs; they pass through to the app) }. Routes reload in place; no container is replaced.", InProjectFile: false) { Shape = Parts.Maintenance.MaintenanceSchema.Maintenance },
        new("observability", SettingType.Object, "Metrics, logs and dashboards (Prometheus, Loki, Grafana, exporters; see README, 'Observability'): { enabled, retentionDays (15), logRetentionDays (7), scrapeIntervalSeconds (30), prometheusMemoryMb (192), lokiMemoryMb (160), grafanaMemoryMb (160), collectorMemoryMb (96), exporterMemoryMb (32: node-exporter), host (grafana: Grafana's UI at grafana.<domain>), allowCidrs (default: adminCidrs; everyone else gets 403) }. Off unless enabled is true.", InProjectFile: false) { Shape = Parts.Observability.ObservabilitySchema.Observability },
        new("dnsRecords", SettingType.ObjectArray, "Records of the zone the platform does not serve: a list of { name (relative to the zone, @ for its apex), type (A, AAAA, CNAME, MX, TXT, CAA), content, proxied (false; A/AAAA/CNAME only), ttl (1: automatic), priority (MX), tag and flags (CAA: issue/issuewild only for letsencrypt.org, or iodef) }. Only these and the platform's own are created or deleted; no other record of the zone is touched.", InProjectFile: false) { Shape = Parts.Dns.DnsRecordsSchema.Record },
        new("apps", SettingType.ObjectArray, "The apps: one entry each with name, image, port, routes, health, limits, instances, env (with ${...} references), secretEnv, needs (database name/role, timeouts and extensions, redis, buckets with their own bucketName and grants), volumes, talksTo, egress (true: its containers may open connections to the internet; default false), release, jobs, cache (Cache-Control per path: { path, cacheControl }), staticFiles (a path served from one of its volumes: { host, path, volume, memoryMb }) (see README, 'Adding an app').", InProjectFile: false) { Shape = Parts.Apps.AppSchema.App },
        new("prices", SettingType.Object, "Price overrides for the cost estimate (EUR/month): a server type name, ipv4, backupStoragePerGb, volumePerGb, lb11 (the load balancer).", InProjectFile: false) { Shape = SettingsShapes.Prices },
        new("appSecrets", SettingType.Object, "Secret env values per app: appSecrets.<app>.<NAME>, set with `pulumi config set --secret --path`.", Secret: true, InProjectFile: false) { Values = new FieldDef("app", FieldType.Map, "The app's secrets: NAME: secure value.") { Pattern = Names.EnvNamePattern, Values = SettingsShapes.SecretValue } },
        new("imageDigests", SettingType.Object, "The digest each image the stack deploys had when `pin-images` last ran, by reference as the stack or the catalog writes it (\"ghcr.io/acme/api:1.4.0\": sha256:…): what deploys is image@digest. Written by `dotnet run --project stacks -- pin-images --stack <stack>`; prod warns while an image has none.", InProjectFile: false) { Values = new FieldDef("digest", FieldType.String, "sha256: and 64 lower-case hexadecimal digits.") { Pattern = Names.DigestPattern } },
        new("registries", SettingType.ObjectArray, "Private image registries the server pulls from: a list of { name, address, username }; each one's password or token is the secret registrySecrets.<name>.", InProjectFile: false) { Shape = SettingsShapes.Registry },
        new("registrySecrets", SettingType.Object, "Registry passwords or tokens: registrySecrets.<name>, set with `pulumi config set --secret --path`.", Secret: true, InProjectFile: false) { Values = SettingsShapes.SecretValue },
    ];

    public static readonly FrozenDictionary<string, SettingDef> ByName = All.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);
}
