using System.Collections.Immutable;
using Platform.Stacks.Model;

namespace Platform.Stacks.Operations;

/// <summary>The off-site S3 bucket backups go to. Credentials and the optional encryption passphrase are secrets, by name.</summary>
/// <param name="Endpoint">Host name only, e.g. <c>s3.eu-central-003.backblazeb2.com</c>.</param>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Region">Bucket region (used by the restore tooling; the backup container discovers it).</param>
/// <param name="AccessKeyIdSecret">Secret holding the access key id.</param>
/// <param name="SecretAccessKeySecret">Secret holding the secret access key.</param>
/// <param name="EncryptionPassphraseSecret">Secret holding the GPG passphrase; null = archives are not encrypted.</param>
/// <param name="PathPrefix">Folder inside the bucket for this stack (e.g. the stack name), no leading or trailing slash.</param>
public sealed record S3Target(
    string Endpoint,
    string Bucket,
    string Region,
    string AccessKeyIdSecret,
    string SecretAccessKeySecret,
    string? EncryptionPassphraseSecret,
    string PathPrefix)
{
    /// <summary>Public keys archives are encrypted to with age instead of the passphrase (the private keys stay off the server). Default: none.</summary>
    public ImmutableArray<string> AgeRecipients { get; init; } = [];
    /// <summary>Whether the runner prunes old archives (it then needs list and delete rights); false leaves it to the bucket's lifecycle rule, so a write-only key suffices. Default: true.</summary>
    public bool RunnerPrunes { get; init; } = true;
}

/// <summary>What is backed up and how to reach it.</summary>
/// <param name="AppDatabases">Every app database, dumped one by one.</param>
/// <param name="PostgresImage">The PostgreSQL server's image: the restore script runs pg_restore from it, matching the server.</param>
/// <param name="PostgresPasswordSecret">Secret of <paramref name="PostgresUser"/>'s password.</param>
/// <param name="RedisImage">The Redis server's image (its redis-cli fetches the RDB snapshot).</param>
/// <param name="RedisPasswordSecret">Secret of the Redis password.</param>
/// <param name="MinioDataVolume">MinIO's data volume, archived read-only; null when MinIO is not deployed.</param>
/// <param name="PostgresHost">PostgreSQL container name on the data network.</param>
/// <param name="PostgresPort">PostgreSQL port (direct, not PgBouncer: pg_dump needs session features).</param>
/// <param name="PostgresUser">A role that can read every app database (the superuser).</param>
/// <param name="RedisInstances">The Redis instances, each snapshotted by a job of its own; default: one container <c>redis</c> on 6379 (job <c>redis</c>). Empty: no Redis job.</param>
/// <param name="RedisUser">The Redis ACL user the snapshot is fetched as (it needs SYNC, an admin command); null for the default user.</param>
/// <param name="AppVolumes">The apps' volumes (files an image keeps on disk, e.g. wp-content), archived read-only by one job; default none.</param>
/// <param name="PitrRetentionDays">With point-in-time recovery (pgBackRest in the PostgreSQL container): its retention, and the nightly base-backup job runs; null = off.</param>
public sealed record BackupSources(
    ImmutableArray<string> AppDatabases,
    string PostgresImage,
    string PostgresPasswordSecret,
    string RedisImage,
    string RedisPasswordSecret,
    string? MinioDataVolume,
    string PostgresHost = "postgres",
    int PostgresPort = 5432,
    string PostgresUser = "postgres",
    ImmutableArray<RedisDumpSource> RedisInstances = default,
    string? RedisUser = null,
    ImmutableArray<string> AppVolumes = default,
    int? PitrRetentionDays = null)
{
    /// <summary>The instances, with the default (one <c>redis</c> container, job <c>redis</c>) applied.</summary>
    public ImmutableArray<RedisDumpSource> Redis => RedisInstances.IsDefault ? [new RedisDumpSource("redis", "redis", 6379, Backups.RedisDumpVolume)] : RedisInstances;
}

/// <summary>
/// A Redis instance and its backup job: the job's name, the container its dump runs in, the port it listens on there, and
/// the dump volume of its own (jobs may run at the same minute; each clears only its own dumps).
/// </summary>
public sealed record RedisDumpSource(string Job, string Container, int Port, string DumpVolume);

/// <summary>Schedules (five-field cron, UTC) and retention; defaults are DESIGN.md's.</summary>
public sealed record BackupPolicy(
    string PostgresDailySchedule = "0 3 * * *",
    int PostgresDailyRetentionDays = 30,
    string PostgresHourlySchedule = "0 8-18 * * 1-5",
    int PostgresHourlyRetentionHours = 24,
    string RedisSchedule = "*/15 * * * *",
    int RedisRetentionHours = 24,
    string MinioSchedule = "0 4 * * *",
    int MinioRetentionDays = 30)
{
    /// <summary>Whether the business-hours dumps (postgres-hourly, mariadb-hourly) run. Default: true.</summary>
    public bool HourlyEnabled { get; init; } = true;

    /// <summary>The jobs a stack switched off, for the plan: <c>backupHourlyEnabled: false</c> drops the hourly dumps.</summary>
    public const string HourlyOffReason = "off (platform:backupHourlyEnabled: false): the daily dump is the newest copy";
}

/// <summary>Docker networks the operations containers join (names as the blueprint creates them).</summary>
/// <param name="Data">Internal network where PostgreSQL, PgBouncer, Redis, MinIO and Uptime Kuma are reachable (AutoKuma, host metrics).</param>
/// <param name="Egress">Network with internet egress on which Uptime Kuma is also reachable (the backup runner's S3 upload; the host's heartbeats find Uptime Kuma's address there).</param>
public sealed record OpsNetworks(string Data = "data", string Egress = "edge");

/// <summary>Everything <see cref="Backups.Plan"/> needs.</summary>
/// <param name="Image">The backup runner image, pinned (<see cref="OperationsImages.Backup"/>).</param>
/// <param name="OffSite">The off-site bucket.</param>
/// <param name="Sources">What is backed up.</param>
/// <param name="Policy">Schedules and retention.</param>
/// <param name="Networks">Networks the runner joins.</param>
/// <param name="UptimeKumaUrl">Uptime Kuma's internal URL, for heartbeats (no TLS, no public DNS involved).</param>
/// <param name="RunnerMemoryMb">Memory limit of the runner (see docs/footprint.md).</param>
public sealed record BackupsInput(
    string Image,
    S3Target OffSite,
    BackupSources Sources,
    BackupPolicy Policy,
    OpsNetworks Networks,
    string UptimeKumaUrl = "http://uptime-kuma:3001",
    int RunnerMemoryMb = 64)
{
    /// <summary>A Storage Box every archive also goes to (SFTP). Default: none.</summary>
    public StorageBoxSettings? StorageBox { get; init; }
}

/// <summary>What a backup job copies off-site.</summary>
public enum BackupSubject { Postgres, Redis, Minio, MariaDb, AppVolumes }

/// <summary>
/// One backup schedule. At <see cref="Schedule"/> a systemd timer on the host (<see cref="BackupTimers"/>, run as
/// root) execs <see cref="DumpScript"/> inside the database container named <see cref="DumpContainer"/> (which writes
/// fresh dumps into <see cref="SourceVolume"/> with the server's own client tools), then execs the runner once with
/// the job's settings (<see cref="Config"/>): it archives the read-only source, encrypts it when a passphrase is set,
/// uploads it to <see cref="Destination"/> and prunes archives older than <see cref="RetentionDays"/>. The host then
/// pushes up or down to <see cref="Heartbeat"/>; a schedule that stops running turns the monitor red when no
/// heartbeat arrived within its interval. Neither the runner nor any other container holds a Docker API.
/// </summary>
public sealed record BackupJob(
    string Name,
    string What,
    BackupSubject Subject,
    string Schedule,
    int RetentionDays,
    string Destination,
    string FilePrefix,
    ImmutableArray<ImmutableArray<string>> DumpCommands,
    string? DumpScript,
    string? DumpContainer,
    string SourceDirectory,
    ImmutableArray<Mount> SourceMounts,
    UploadedFile Config,
    MonitorSpec Heartbeat,
    GeneratedSecret PushToken)
{
    /// <summary>The (first) volume this job archives.</summary>
    public string SourceVolume => SourceMounts[0].Source;

    /// <summary>The user the dump runs as in <see cref="DumpContainer"/> (it owns the dump directory); null = the image's. Default: null.</summary>
    public string? DumpUser { get; init; }

    /// <summary>Env the host passes to the dump's exec only (never in the container's own env, so no inspect shows it). Default: none.</summary>
    public ImmutableArray<EnvVar> DumpEnv { get; init; } = [];

    /// <summary>The host's test that the Storage Box shows its pinned key (<see cref="StorageBox.HostKeyCheck"/>); null without a box. Default: null.</summary>
    public string? StorageBoxCheck { get; init; }
}

/// <summary>
/// What a database container gets so the host can dump it in place: the dump volume it writes into (static: it does
/// not change when apps change, so the database is never recreated for a new app). No label, no env: the host's
/// timer says what to run.
/// </summary>
public sealed record DumpHooks(string Container, ImmutableArray<Mount> Mounts);

/// <summary>
/// A dump another part makes with a container of its own (e.g. MariaDB's agent, which reaches its server
/// over a shared socket): the host's timer execs <paramref name="DumpScript"/> in it, and the job gets the
/// off-site upload, retention, encryption and heartbeat every job has.
/// </summary>
public sealed record AgentDump(
    string Name,
    string What,
    BackupSubject Subject,
    string Schedule,
    int RetentionDays,
    string DumpVolume,
    OpsContainer Agent,
    ImmutableArray<ImmutableArray<string>> DumpCommands,
    string DumpScript);

/// <summary>Every backup schedule, the one runner container that archives them all, the dump volumes the database containers carry, and other parts' dump agents.</summary>
public sealed record BackupPlan(ImmutableArray<BackupJob> Jobs, OpsContainer Runner, ImmutableArray<DumpHooks> Hooks, ImmutableArray<OpsContainer> Agents)
{
    /// <summary>The named volumes backups use (the blueprint creates those it does not already have), sorted.</summary>
    public ImmutableArray<string> Volumes => Jobs.SelectMany(j => j.SourceMounts).Select(m => m.Source)
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
}
