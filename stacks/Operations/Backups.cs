using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
    string PathPrefix);

/// <summary>What is backed up and how to reach it.</summary>
/// <param name="AppDatabases">Every app database, dumped one by one.</param>
/// <param name="PostgresImage">The PostgreSQL server's image: the dump agent uses it so pg_dump matches the server.</param>
/// <param name="PostgresPasswordSecret">Secret of <paramref name="PostgresUser"/>'s password.</param>
/// <param name="RedisImage">The Redis server's image (its redis-cli fetches the RDB snapshot).</param>
/// <param name="RedisPasswordSecret">Secret of the Redis password.</param>
/// <param name="MinioDataVolume">MinIO's data volume, archived read-only; null when MinIO is not deployed.</param>
/// <param name="PostgresHost">PostgreSQL container name on the data network.</param>
/// <param name="PostgresPort">PostgreSQL port (direct, not PgBouncer: pg_dump needs session features).</param>
/// <param name="PostgresUser">A role that can read every app database (the superuser).</param>
/// <param name="RedisHost">Redis container name on the data network.</param>
/// <param name="RedisPort">Redis port.</param>
/// <param name="RedisUser">The Redis ACL user the snapshot is fetched as (it needs SYNC, an admin command); null for the default user.</param>
/// <param name="AppVolumes">The apps' volumes (files an image keeps on disk, e.g. wp-content), archived read-only by one job; default none.</param>
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
    string RedisHost = "redis",
    int RedisPort = 6379,
    string? RedisUser = null,
    ImmutableArray<string> AppVolumes = default);

/// <summary>Schedules (five-field cron, UTC) and retention; defaults are DESIGN.md's.</summary>
public sealed record BackupPolicy(
    string PostgresDailySchedule = "0 3 * * *",
    int PostgresDailyRetentionDays = 30,
    string PostgresHourlySchedule = "0 8-18 * * 1-5",
    int PostgresHourlyRetentionHours = 24,
    string RedisSchedule = "*/15 * * * *",
    int RedisRetentionHours = 24,
    string MinioSchedule = "0 4 * * *",
    int MinioRetentionDays = 30);

/// <summary>Docker networks the operations containers join (names as the blueprint creates them).</summary>
/// <param name="Data">Internal network where PostgreSQL, PgBouncer, Redis, MinIO and Uptime Kuma are reachable (dump agents, AutoKuma).</param>
/// <param name="Egress">Network with internet egress on which Uptime Kuma is also reachable (backup runners: S3 upload and heartbeats).</param>
public sealed record OpsNetworks(string Data = "data", string Egress = "edge");

/// <summary>Everything <see cref="Backups.Jobs"/> needs.</summary>
/// <param name="Image">The backup runner image, pinned (<see cref="OperationsImages.Backup"/>).</param>
/// <param name="OffSite">The off-site bucket.</param>
/// <param name="Sources">What is backed up.</param>
/// <param name="Policy">Schedules and retention.</param>
/// <param name="Networks">Networks the containers join.</param>
/// <param name="UptimeKumaUrl">Uptime Kuma's internal URL, for heartbeats (no TLS, no public DNS involved).</param>
/// <param name="RunnerMemoryMb">Memory limit of each backup runner.</param>
/// <param name="AgentMemoryMb">Memory limit of each dump agent.</param>
public sealed record BackupsInput(
    string Image,
    S3Target OffSite,
    BackupSources Sources,
    BackupPolicy Policy,
    OpsNetworks Networks,
    string UptimeKumaUrl = "http://uptime-kuma:3001",
    int RunnerMemoryMb = 256,
    int AgentMemoryMb = 256);

/// <summary>What a backup job copies off-site.</summary>
public enum BackupSubject { Postgres, Redis, Minio, MariaDb, AppVolumes }

/// <summary>
/// One scheduled off-site backup. <see cref="Runner"/> is an offen/docker-volume-backup container that
/// runs on <see cref="Schedule"/>: it asks <see cref="Agent"/> (through a Docker exec label) to write
/// fresh dumps into a volume it mounts read-only, archives that volume, encrypts it when a passphrase
/// is set, uploads it to <see cref="Destination"/>, prunes archives older than
/// <see cref="RetentionDays"/>, and then pushes a heartbeat to <see cref="Heartbeat"/>. A failure at
/// any step pushes status=down at once; a job that stops running turns the monitor red when no
/// heartbeat arrived within its interval.
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
    OpsContainer Runner,
    OpsContainer? Agent,
    MonitorSpec Heartbeat,
    GeneratedSecret PushToken)
{
    /// <summary>The named volumes this job uses (the blueprint creates those it does not already have), sorted.</summary>
    public ImmutableArray<string> Volumes => Runner.Volumes.Concat(Agent?.Volumes ?? [])
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
}

/// <summary>Builds the backup jobs and the exact dump and restore commands.</summary>
public static partial class Backups
{
    public const string ExecLabel = "docker-volume-backup.exec-label";
    public const string ArchivePreLabel = "docker-volume-backup.archive-pre";
    public const string PrunePreLabel = "docker-volume-backup.prune-pre";

    /// <summary>Where an agent writes dumps (its dump volume).</summary>
    public const string AgentDumpDir = "/dumps";

    /// <summary>Env var of the runner holding the success heartbeat URL (a secret: it contains the push token).</summary>
    public const string HeartbeatEnv = "BACKUP_HEARTBEAT_URL";

    /// <summary>
    /// Seconds added to a schedule's longest gap to get the heartbeat interval: the job's own run time
    /// (dump + upload) plus slack.
    /// </summary>
    public const int HeartbeatGraceSeconds = 3600;

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseNameRegex();

    public static bool IsValidDatabaseName(string name) => DatabaseNameRegex().IsMatch(name);

    /// <summary>
    /// The jobs, in a fixed order: postgres-daily, postgres-hourly, redis, minio (when MinIO is deployed).
    /// Throws <see cref="ArgumentException"/> listing every problem (see <see cref="Problems"/>).
    /// </summary>
    public static ImmutableArray<BackupJob> Jobs(BackupsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Problems(input) is { Count: > 0 } problems)
            throw new ArgumentException("Invalid backup settings:\n  - " + string.Join("\n  - ", problems), nameof(input));

        var p = input.Policy;
        var s = input.Sources;
        var jobs = new List<BackupJob>
        {
            PostgresJob(input, "postgres-daily", "PostgreSQL daily (every app database)", p.PostgresDailySchedule, p.PostgresDailyRetentionDays),
            PostgresJob(input, "postgres-hourly", "PostgreSQL hourly in business hours (every app database)", p.PostgresHourlySchedule, HoursToDays(p.PostgresHourlyRetentionHours)),
            RedisJob(input, "redis", "Redis RDB snapshot", p.RedisSchedule, HoursToDays(p.RedisRetentionHours)),
        };
        if (s.MinioDataVolume is { } minioVolume)
            jobs.Add(MinioJob(input, "minio", "MinIO data volume (every bucket)", p.MinioSchedule, p.MinioRetentionDays, minioVolume));
        // Files like objects: on MinIO's schedule and retention.
        if (!s.AppVolumes.IsDefaultOrEmpty)
            jobs.Add(AppVolumesJob(input, p.MinioSchedule, p.MinioRetentionDays, s.AppVolumes));
        return [.. jobs];
    }

    /// <summary>Every problem with the input, as sentences; empty when it is valid.</summary>
    public static IReadOnlyList<string> Problems(BackupsInput input)
    {
        var problems = new List<string>();
        var p = input.Policy;
        foreach (var (name, cron) in new[]
                 {
                     ("PostgreSQL daily schedule", p.PostgresDailySchedule), ("PostgreSQL hourly schedule", p.PostgresHourlySchedule),
                     ("Redis schedule", p.RedisSchedule), ("MinIO schedule", p.MinioSchedule),
                 })
        {
            if (CronSchedule.Problem(cron) is { } problem) problems.Add($"{name} '{cron}' is not a valid cron schedule: {problem}");
        }
        foreach (var (name, value) in new[]
                 {
                     ("PostgreSQL daily retention (days)", p.PostgresDailyRetentionDays), ("PostgreSQL hourly retention (hours)", p.PostgresHourlyRetentionHours),
                     ("Redis retention (hours)", p.RedisRetentionHours), ("MinIO retention (days)", p.MinioRetentionDays),
                 })
        {
            if (value < 1) problems.Add($"{name} is {value}; it must be at least 1.");
        }
        var dbs = input.Sources.AppDatabases.IsDefault ? [] : input.Sources.AppDatabases;
        foreach (var db in dbs.Where(d => !IsValidDatabaseName(d)))
            problems.Add($"App database '{db}' is not a plain lower-case identifier (a-z, 0-9, _), so it cannot be dumped safely by name.");
        if (dbs.Distinct(StringComparer.Ordinal).Count() != dbs.Length) problems.Add("An app database is listed twice.");
        if (string.IsNullOrWhiteSpace(input.OffSite.Endpoint) || input.OffSite.Endpoint.Contains("://", StringComparison.Ordinal) || input.OffSite.Endpoint.Contains('/', StringComparison.Ordinal))
            problems.Add($"Off-site endpoint '{input.OffSite.Endpoint}' must be a host name only (no scheme, no path).");
        if (string.IsNullOrWhiteSpace(input.OffSite.Bucket)) problems.Add("Off-site bucket is empty.");
        if (input.OffSite.PathPrefix.StartsWith('/') || input.OffSite.PathPrefix.EndsWith('/'))
            problems.Add($"Off-site path prefix '{input.OffSite.PathPrefix}' must not start or end with '/'.");
        return problems;
    }

    /// <summary>Retention in whole days as the runner prunes (it counts days): hours are rounded up.</summary>
    public static int HoursToDays(int hours) => (hours + 23) / 24;

    /// <summary>
    /// The exact dump of one app database: custom format (compressed, restorable table by table,
    /// restored with <see cref="RestoreCommand"/>). Connection comes from libpq's PGHOST, PGPORT,
    /// PGUSER, PGPASSWORD, so the command holds no secret.
    /// </summary>
    public static ImmutableArray<string> DumpCommand(string database, string directory) =>
    [
        "pg_dump",
        "--format=custom",
        "--no-password",
        "--lock-wait-timeout=300000",
        $"--file={directory}/{database}.dump",
        $"--dbname={database}",
    ];

    /// <summary>
    /// The exact restore of one app database from its dump, into the existing (empty or not) database of
    /// the same name, in one transaction: it drops and recreates the dumped objects, keeps their owners
    /// and grants (the app roles exist: the platform creates them), and either restores everything or
    /// changes nothing. Run as the superuser via PGHOST/PGPORT/PGUSER/PGPASSWORD with the app stopped.
    /// </summary>
    public static ImmutableArray<string> RestoreCommand(string database, string dumpFile) =>
    [
        "pg_restore",
        "--no-password",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        $"--dbname={database}",
        dumpFile,
    ];

    /// <summary>Restore commands for one app (<paramref name="only"/>) or, when null, every app database.</summary>
    public static ImmutableArray<ImmutableArray<string>> RestoreCommands(IEnumerable<string> appDatabases, string dumpDirectory, string? only = null)
    {
        var dbs = appDatabases.Order(StringComparer.Ordinal).ToList();
        if (only is not null)
        {
            if (!dbs.Contains(only, StringComparer.Ordinal))
                throw new ArgumentException($"'{only}' is not an app database; known: {string.Join(", ", dbs)}.", nameof(only));
            dbs = [only];
        }
        return [.. dbs.Select(db => RestoreCommand(db, $"{dumpDirectory}/{db}.dump"))];
    }

    /// <summary>
    /// A shell script, to run on the server as the deploy user, that restores one app database (or all)
    /// from an extracted archive directory, through a throwaway container of the PostgreSQL image on the
    /// data network. The password is read from the job's running dump agent (its <c>PGPASSWORD</c>),
    /// so it is never typed or stored.
    /// </summary>
    public static string RestoreScript(BackupsInput input, string jobName, string? only = null)
    {
        var s = input.Sources;
        var commands = RestoreCommands(s.AppDatabases, "/restore", only);
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Restore ").Append(only is null ? "every app database" : $"the '{only}' database").Append(" from an extracted ").Append(jobName).Append(" archive.\n");
        sb.Append("# Usage: restore.sh <directory holding the extracted backup/").Append(jobName).Append("/*.dump files>\n");
        sb.Append("# Stop the affected app containers first; each database is restored in one transaction.\n");
        sb.Append("set -eu\n");
        sb.Append("dir=\"$(cd \"${1:?usage: restore.sh <dump directory>}\" && pwd)\"\n");
        sb.Append("PGPASSWORD=\"$(docker exec ").Append(ShellQuote($"backup-{jobName}-agent")).Append(" printenv PGPASSWORD)\"\n");
        sb.Append("export PGPASSWORD\n");
        foreach (var cmd in commands)
        {
            sb.Append("docker run --rm --network ").Append(ShellQuote(input.Networks.Data))
                .Append(" -e PGPASSWORD")
                .Append(" -e PGHOST=").Append(ShellQuote(s.PostgresHost))
                .Append(" -e PGPORT=").Append(s.PostgresPort.ToString(CultureInfo.InvariantCulture))
                .Append(" -e PGUSER=").Append(ShellQuote(s.PostgresUser))
                .Append(" -v \"$dir\":/restore:ro ")
                .Append(ShellQuote(s.PostgresImage)).Append(' ')
                .Append(ToShell(cmd)).Append('\n');
        }
        sb.Append("echo 'Restore finished.'\n");
        return sb.ToString();
    }

    /// <summary>The agent's script for a PostgreSQL job: clear old dumps, then dump every app database; stops at the first failure.</summary>
    public static string PostgresDumpScript(IEnumerable<string> appDatabases, string directory = AgentDumpDir)
    {
        var lines = new List<string> { "set -eu", $"rm -f {directory}/*.dump" };
        lines.AddRange(appDatabases.Order(StringComparer.Ordinal).Select(db => ToShell(DumpCommand(db, directory))));
        lines.Add($"ls -l {directory}");
        return string.Join("; ", lines);
    }

    /// <summary>The agent's script for the Redis job: fetch a fresh RDB snapshot over the replication protocol.</summary>
    public static string RedisDumpScript(string host, int port, string directory = AgentDumpDir, string? user = null) => string.Join("; ",
        "set -eu",
        $"rm -f {directory}/*.rdb",
        $"redis-cli{(user is null ? "" : " --user " + user)} -h {host} -p {port.ToString(CultureInfo.InvariantCulture)} --rdb {directory}/redis.rdb",
        $"ls -l {directory}");

    private static BackupJob PostgresJob(BackupsInput input, string name, string what, string schedule, int retentionDays)
    {
        var s = input.Sources;
        var dbs = s.AppDatabases.IsDefault ? [] : s.AppDatabases;
        var script = PostgresDumpScript(dbs);
        var dumpVolume = $"backup-{name}-dumps";
        var agent = new OpsContainer(
            Name: $"backup-{name}-agent",
            Image: s.PostgresImage,
            Command: ["sleep", "infinity"],
            Env:
            [
                EnvVar.Plain("PGHOST", s.PostgresHost),
                EnvVar.Plain("PGPORT", s.PostgresPort.ToString(CultureInfo.InvariantCulture)),
                EnvVar.Plain("PGUSER", s.PostgresUser),
                EnvVar.Secret("PGPASSWORD", s.PostgresPasswordSecret),
            ],
            Labels: AgentLabels(name, script),
            Mounts: [Mount.Volume(dumpVolume, AgentDumpDir)],
            Networks: [input.Networks.Data],
            Files: [],
            Mode: RunMode.Service,
            MemoryMb: input.AgentMemoryMb);
        var dumps = dbs.Order(StringComparer.Ordinal).Select(db => DumpCommand(db, AgentDumpDir)).ToImmutableArray();
        return Job(input, name, what, BackupSubject.Postgres, schedule, retentionDays, Mount.Volume(dumpVolume, $"/backup/{name}", readOnly: true), agent, dumps, script);
    }

    private static BackupJob RedisJob(BackupsInput input, string name, string what, string schedule, int retentionDays)
    {
        var s = input.Sources;
        var script = RedisDumpScript(s.RedisHost, s.RedisPort, user: s.RedisUser);
        var dumpVolume = $"backup-{name}-dumps";
        var agent = new OpsContainer(
            Name: $"backup-{name}-agent",
            Image: s.RedisImage,
            Command: ["sleep", "infinity"],
            // redis-cli reads the password from REDISCLI_AUTH, so it never appears in a command line.
            Env: [EnvVar.Secret("REDISCLI_AUTH", s.RedisPasswordSecret)],
            Labels: AgentLabels(name, script),
            Mounts: [Mount.Volume(dumpVolume, AgentDumpDir)],
            Networks: [input.Networks.Data],
            Files: [],
            Mode: RunMode.Service,
            MemoryMb: input.AgentMemoryMb);
        return Job(input, name, what, BackupSubject.Redis, schedule, retentionDays, Mount.Volume(dumpVolume, $"/backup/{name}", readOnly: true), agent, [], script);
    }

    /// <summary>
    /// A job around a dump agent another part built (e.g. MariaDB's): the runner archives the agent's
    /// <paramref name="dumpVolume"/> (read-only) and gets the same off-site upload, retention, encryption and
    /// heartbeat as every job here.
    /// </summary>
    public static BackupJob ForAgent(BackupsInput input, string name, string what, BackupSubject subject, string schedule, int retentionDays,
        string dumpVolume, OpsContainer agent, ImmutableArray<ImmutableArray<string>> dumpCommands, string dumpScript)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(agent);
        if (CronSchedule.Problem(schedule) is { } problem) throw new ArgumentException($"Schedule '{schedule}' of {name}: {problem}", nameof(schedule));
        if (retentionDays < 1) throw new ArgumentOutOfRangeException(nameof(retentionDays), $"Retention of {name} must be at least 1 day.");
        return Job(input, name, what, subject, schedule, retentionDays, Mount.Volume(dumpVolume, $"/backup/{name}", readOnly: true), agent, dumpCommands, dumpScript);
    }

    private static BackupJob MinioJob(BackupsInput input, string name, string what, string schedule, int retentionDays, string minioVolume) =>
        Job(input, name, what, BackupSubject.Minio, schedule, retentionDays, Mount.Volume(minioVolume, $"/backup/{name}", readOnly: true), null, [], null);

    /// <summary>The job that archives the apps' volumes, each read-only under <c>/backup/app-volumes/&lt;volume&gt;</c>.</summary>
    public const string AppVolumesJobName = "app-volumes";

    private static BackupJob AppVolumesJob(BackupsInput input, string schedule, int retentionDays, ImmutableArray<string> volumes)
    {
        var sorted = volumes.Order(StringComparer.Ordinal).ToList();
        var job = Job(input, AppVolumesJobName, "App volumes (every app's)", BackupSubject.AppVolumes, schedule, retentionDays,
            Mount.Volume(sorted[0], $"/backup/{AppVolumesJobName}/{sorted[0]}", readOnly: true), null, [], null);
        var mounts = sorted.Select(v => Mount.Volume(v, $"/backup/{AppVolumesJobName}/{v}", readOnly: true)).Append(Mount.DockerSocket());
        return job with { Runner = job.Runner with { Mounts = [.. mounts] } };
    }

    /// <summary>
    /// A shell script, to run on the server as the deploy user, that restores one app volume from an extracted
    /// app-volumes archive: it stops the containers using the volume, replaces the volume's contents with the
    /// archived ones (owners and modes kept) in a throwaway container, and starts them again.
    /// </summary>
    public static string VolumeRestoreScript(BackupsInput input, string volume)
    {
        var q = ShellQuote(volume);
        return string.Join("\n",
            "#!/bin/sh",
            $"# Restore the app volume {volume} from an extracted {AppVolumesJobName} archive.",
            $"# Usage: restore.sh <directory holding the extracted backup/{AppVolumesJobName}/ folders>",
            "set -eu",
            "dir=\"$(cd \"${1:?usage: restore.sh <archive directory>}\" && pwd)\"",
            $"[ -d \"$dir\"/{q} ] || {{ echo \"$dir has no {volume} folder\" >&2; exit 1; }}",
            $"ids=\"$(docker ps -q --filter volume={q})\"",
            "[ -z \"$ids\" ] || docker stop $ids >/dev/null",
            $"docker run --rm -v {q}:/target -v \"$dir\"/{q}:/restore:ro {ShellQuote(input.Sources.PostgresImage)} sh -c 'find /target -mindepth 1 -delete && cp -a /restore/. /target/'",
            "[ -z \"$ids\" ] || docker start $ids >/dev/null",
            $"echo 'Restored {volume}.'",
            "");
    }

    private static ImmutableSortedDictionary<string, string> AgentLabels(string job, string script)
    {
        if (script.Contains('\'', StringComparison.Ordinal)) throw new InvalidOperationException("A labelled command must not contain a single quote.");
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            [ExecLabel] = job,
            [ArchivePreLabel] = $"/bin/sh -c '{script}'",
        });
    }

    private static BackupJob Job(BackupsInput input, string name, string what, BackupSubject subject, string schedule, int retentionDays,
        Mount source, OpsContainer? agent, ImmutableArray<ImmutableArray<string>> dumps, string? script)
    {
        var o = input.OffSite;
        var tokenSecret = $"backup-{name}-push-token";
        var pushUrl = $"{input.UptimeKumaUrl.TrimEnd('/')}/api/push/";
        var s3Path = string.IsNullOrEmpty(o.PathPrefix) ? name : $"{o.PathPrefix}/{name}";
        var env = new List<EnvVar>
        {
            EnvVar.Plain("BACKUP_CRON_EXPRESSION", schedule),
            EnvVar.Plain("BACKUP_FILENAME", name + "-%Y-%m-%dT%H-%M-%S.{{ .Extension }}"),
            EnvVar.Plain("BACKUP_PRUNING_PREFIX", name + "-"),
            EnvVar.Plain("BACKUP_RETENTION_DAYS", retentionDays.ToString(CultureInfo.InvariantCulture)),
            EnvVar.Plain("BACKUP_SOURCES", "/backup"),
            EnvVar.Plain("BACKUP_COMPRESSION", "gz"),
            EnvVar.Plain("AWS_ENDPOINT", o.Endpoint),
            EnvVar.Plain("AWS_S3_BUCKET_NAME", o.Bucket),
            EnvVar.Plain("AWS_S3_PATH", s3Path),
            EnvVar.Secret("AWS_ACCESS_KEY_ID", o.AccessKeyIdSecret),
            EnvVar.Secret("AWS_SECRET_ACCESS_KEY", o.SecretAccessKeySecret),
            EnvVar.Plain("EXEC_LABEL", name),
            EnvVar.Plain("EXEC_FORWARD_OUTPUT", "true"),
            // On any failure: push status=down at once (shoutrrr "generic+" forwards the query string).
            new("NOTIFICATION_URLS", new SecretTextBuilder().Text("generic+" + pushUrl).Secret(tokenSecret).Text("?status=down&msg=backup%20" + name + "%20failed").Build()),
            EnvVar.Plain("NOTIFICATION_LEVEL", "error"),
            // On success (after the upload, before pruning): push status=up.
            new(HeartbeatEnv, new SecretTextBuilder().Text(pushUrl).Secret(tokenSecret).Text("?status=up&msg=OK").Build()),
            EnvVar.Plain("TZ", "UTC"),
        };
        if (o.EncryptionPassphraseSecret is { } passphrase) env.Add(EnvVar.Secret("GPG_PASSPHRASE", passphrase));

        var runnerLabels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            [ExecLabel] = name,
            [PrunePreLabel] = $"/bin/sh -c 'wget -q -O /dev/null \"${HeartbeatEnv}\"'",
        });
        var runner = new OpsContainer(
            Name: $"backup-{name}",
            Image: input.Image,
            Command: [],
            Env: [.. env.OrderBy(e => e.Name, StringComparer.Ordinal)],
            Labels: runnerLabels,
            Mounts: [source, Mount.DockerSocket()],
            Networks: [input.Networks.Egress],
            Files: [],
            Mode: RunMode.Service,
            MemoryMb: input.RunnerMemoryMb);

        var gap = CronSchedule.Parse(schedule).LongestGap() ?? TimeSpan.FromDays(366);
        var heartbeat = MonitorSpec.Push($"backup-{name}", $"Backup {what}", (int)gap.TotalSeconds + HeartbeatGraceSeconds, tokenSecret, null);
        var extension = o.EncryptionPassphraseSecret is null ? "tar.gz" : "tar.gz.gpg";
        return new BackupJob(
            Name: name,
            What: what,
            Subject: subject,
            Schedule: schedule,
            RetentionDays: retentionDays,
            Destination: $"s3://{o.Bucket}/{s3Path}/{name}-<UTC time>.{extension}",
            FilePrefix: name + "-",
            DumpCommands: dumps,
            DumpScript: script,
            Runner: runner,
            Agent: agent,
            Heartbeat: heartbeat,
            PushToken: new GeneratedSecret(tokenSecret, 32, true, $"Uptime Kuma push token of the {name} backup heartbeat"));
    }

    /// <summary>Joins an argv into one POSIX shell command line, quoting where needed.</summary>
    public static string ToShell(IEnumerable<string> argv) => string.Join(' ', argv.Select(ShellQuote));

    public static string ShellQuote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./:@%+,".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
