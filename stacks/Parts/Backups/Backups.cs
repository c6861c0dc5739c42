using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Stacks.Model;

namespace Platform.Stacks.Operations;

/// <summary>Builds the backup schedules, the runner, and the exact dump and restore commands.</summary>
public static partial class Backups
{
    /// <summary>
    /// The runner's <c>conf.d</c>: it exists, so the runner's own scheduler reads no config from its env, and it holds
    /// only the <see cref="JobsDirectory"/> folder, which the scheduler skips — so the runner schedules nothing itself.
    /// </summary>
    public const string ConfDirectory = "/etc/dockervolumebackup/conf.d";

    /// <summary>One env file per job, read by the one-off <c>backup</c> run the host's timer execs (<see cref="RunCommand"/>).</summary>
    public const string JobsDirectory = ConfDirectory + "/jobs";

    /// <summary>Where the runner reads its secrets (<c>*_FILE</c> variables), so no inspect of it shows one.</summary>
    public const string SecretsDirectory = "/run/platform-secrets";

    /// <summary>Where a database container writes its dumps (the dump volume), and the runner's view of the volumes.</summary>
    public const string DumpDir = "/dumps";
    public const string ArchiveRoot = "/backup";

    public const string RunnerName = "backup";

    /// <summary>Where the PostgreSQL container holds its superuser's password (its image reads <c>POSTGRES_PASSWORD_FILE</c>).</summary>
    public const string PostgresPasswordFile = "/run/secrets/postgres-password";
    public const string PostgresDumpVolume = "backup-postgres-dumps";
    public const string RedisDumpVolume = "backup-redis-dumps";

    /// <summary>
    /// Seconds added to a schedule's longest gap to get the heartbeat interval: the job's own run time
    /// (dump + upload) plus slack.
    /// </summary>
    public const int HeartbeatGraceSeconds = 3600;

    /// <summary>
    /// PostgreSQL gives objects created after initdb OIDs from FirstNormalObjectId (16384) up, so this
    /// selects every database but template0, template1 and postgres, without a quote (labels cannot hold one).
    /// </summary>
    public const string ListDatabasesSql = "select datname from pg_database where oid >= 16384 order by 1";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseNameRegex();

    public static bool IsValidDatabaseName(string name) => DatabaseNameRegex().IsMatch(name);

    /// <summary>
    /// What the host runs in the runner for one job: the runner's own one-off mode (<c>backup</c> without
    /// <c>-foreground</c> reads its config from the env), with the job's file exported over the runner's env.
    /// </summary>
    public static ImmutableArray<string> RunCommand(string job) =>
        ["sh", "-c", $"set -a; . {JobsDirectory}/{job}.env; set +a; exec backup"];

    /// <summary>
    /// The schedules, in a fixed order: postgres-daily, postgres-hourly, redis, minio (when MinIO is deployed).
    /// Throws <see cref="ArgumentException"/> listing every problem (see <see cref="Problems"/>).
    /// </summary>
    public static ImmutableArray<BackupJob> Jobs(BackupsInput input) => Plan(input).Jobs;

    /// <summary>The schedules, the runner that runs them all, the hooks of the database containers, and <paramref name="agentDumps"/> of other parts.</summary>
    public static BackupPlan Plan(BackupsInput input, IEnumerable<AgentDump>? agentDumps = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var extra = agentDumps?.ToList() ?? [];
        var problems = Problems(input).ToList();
        foreach (var d in extra)
        {
            if (CronSchedule.Problem(d.Schedule) is { } problem) problems.Add($"Schedule '{d.Schedule}' of {d.Name} is not a valid cron schedule: {problem}");
            if (d.RetentionDays < 1) problems.Add($"Retention of {d.Name} is {d.RetentionDays} days; it must be at least 1.");
        }
        if (problems.Count > 0)
            throw new ArgumentException("Invalid backup settings:\n  - " + string.Join("\n  - ", problems), nameof(input));

        var p = input.Policy;
        var s = input.Sources;
        var dbs = s.AppDatabases.IsDefault ? [] : s.AppDatabases;
        var postgresScript = PostgresDumpScript(expectDatabases: !dbs.IsEmpty);
        var dumps = dbs.Order(StringComparer.Ordinal).Select(db => DumpCommand(db, DumpDir)).ToImmutableArray();
        // PostgreSQL dumps as its OS user over the local socket (peer authentication): no password at all. Redis's
        // password reaches only the dump's exec, from the host's root-only job file.
        var jobs = new List<BackupJob>
        {
            Job(input, "postgres-daily", "PostgreSQL daily (every app database)", BackupSubject.Postgres, p.PostgresDailySchedule, p.PostgresDailyRetentionDays, PostgresDumpVolume, dumps, postgresScript, s.PostgresHost) with { DumpUser = s.PostgresUser },
        };
        if (p.HourlyEnabled)
            jobs.Add(Job(input, "postgres-hourly", "PostgreSQL hourly in business hours (every app database)", BackupSubject.Postgres, p.PostgresHourlySchedule, HoursToDays(p.PostgresHourlyRetentionHours), PostgresDumpVolume, dumps, postgresScript, s.PostgresHost) with { DumpUser = s.PostgresUser });
        // One job per Redis instance: its own schedule file, archive, off-site folder and heartbeat. The legacy single job
        // keeps its archive directory; an instance's is /backup/<job>, so the runner mounts each dump volume apart.
        jobs.AddRange(s.Redis.Select(r => Job(input, r.Job, $"Redis RDB snapshot of {r.Container}", BackupSubject.Redis, p.RedisSchedule, HoursToDays(p.RedisRetentionHours),
                r.DumpVolume, [], RedisDumpScript(r.Port, user: s.RedisUser), r.Container, r.Job == "redis" ? null : $"{ArchiveRoot}/{r.Job}")
            with { DumpEnv = [EnvVar.Secret("REDISCLI_AUTH", s.RedisPasswordSecret)] }));
        if (s.MinioDataVolume is { } minioVolume)
            jobs.Add(Job(input, "minio", "MinIO data volume (every bucket)", BackupSubject.Minio, p.MinioSchedule, p.MinioRetentionDays, minioVolume, [], null, null));
        // Files like objects: on MinIO's schedule and retention.
        if (!s.AppVolumes.IsDefaultOrEmpty)
            jobs.Add(AppVolumesJob(input, p.MinioSchedule, p.MinioRetentionDays, s.AppVolumes));
        if (s.PitrRetentionDays is { } pitrDays) jobs.Add(PitrJob(input, pitrDays));
        // Each agent has its own dump volume, so its job archives it under its own name.
        jobs.AddRange(extra.Select(d => Job(input, d.Name, d.What, d.Subject, d.Schedule, d.RetentionDays, d.DumpVolume, d.DumpCommands, d.DumpScript, d.Agent.Name,
            $"{ArchiveRoot}/{d.Name}")));
        var hooks = ImmutableArray.Create(s.PitrRetentionDays is null
                ? new DumpHooks(s.PostgresHost, [Mount.Volume(PostgresDumpVolume, DumpDir)])
                : new DumpHooks(s.PostgresHost, [Mount.Volume(PostgresDumpVolume, DumpDir), Mount.Volume(PitrReceiptVolume, PitrReceiptDir)]))
            .AddRange(s.Redis.Select(r => new DumpHooks(r.Container, [Mount.Volume(r.DumpVolume, DumpDir)])));
        return new BackupPlan([.. jobs], Runner(input, jobs), hooks, [.. extra.Select(d => d.Agent)]);
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
    /// from an extracted archive directory, through a throwaway container of the PostgreSQL image in the
    /// PostgreSQL container's network namespace (the superuser logs in from loopback only). The superuser password is read from the running PostgreSQL container's env, so it is
    /// never typed or stored.
    /// </summary>
    public static string RestoreScript(BackupsInput input, string jobName, string? only = null)
    {
        var s = input.Sources;
        var commands = RestoreCommands(s.AppDatabases, "/restore", only);
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Restore ").Append(only is null ? "every app database" : $"the '{only}' database").Append(" from an extracted ").Append(jobName).Append(" archive.\n");
        sb.Append("# Usage: restore.sh <directory holding the extracted backup/postgres/*.dump files>\n");
        sb.Append("# Stop the affected app containers first; each database is restored in one transaction.\n");
        sb.Append("set -eu\n");
        sb.Append("dir=\"$(cd \"${1:?usage: restore.sh <dump directory>}\" && pwd)\"\n");
        sb.Append("PGPASSWORD=\"$(docker exec ").Append(ShellQuote(s.PostgresHost)).Append(" cat ").Append(PostgresPasswordFile).Append(")\"\n");
        sb.Append("export PGPASSWORD\n");
        foreach (var cmd in commands)
        {
            // In PostgreSQL's own network namespace: the superuser logs in only from the loopback address (pg_hba.conf).
            sb.Append("docker run --rm --network container:").Append(ShellQuote(s.PostgresHost))
                .Append(" -e PGPASSWORD")
                .Append(" -e PGHOST=127.0.0.1")
                .Append(" -e PGPORT=").Append(s.PostgresPort.ToString(CultureInfo.InvariantCulture))
                .Append(" -e PGUSER=").Append(ShellQuote(s.PostgresUser))
                .Append(" -v \"$dir\":/restore:ro ")
                .Append(ShellQuote(s.PostgresImage)).Append(' ')
                .Append(ToShell(cmd)).Append('\n');
        }
        sb.Append("echo 'Restore finished.'\n");
        return sb.ToString();
    }

    /// <summary>
    /// The smallest dump file a job accepts. PostgreSQL 15's custom-format dump of an empty database is 844 bytes and
    /// an empty Redis RDB file about 100; a zero-byte or cut-off file is below this.
    /// </summary>
    public const int MinDumpBytes = 64;

    /// <summary>
    /// Shell lines that fail the hook (so the job and its heartbeat) unless every <paramref name="glob"/> file in
    /// <paramref name="directory"/> holds at least <see cref="MinDumpBytes"/> bytes, and at least
    /// <paramref name="minFiles"/> such files exist. An empty green backup is the worst kind: nobody looks at it.
    /// </summary>
    public static string SizeCheck(string directory, string glob, string minFiles = "1") => string.Join("; ",
        $"n=0; for f in {directory}/{glob}; do [ -e \"$f\" ] || continue; size=$(wc -c < \"$f\"); [ \"$size\" -ge {MinDumpBytes.ToString(CultureInfo.InvariantCulture)} ] || {{ echo \"backup check: $f is only $size bytes\" >&2; exit 1; }}; n=$((n + 1)); done",
        $"[ \"$n\" -ge {minFiles} ] || {{ echo \"backup check: $n dump files in {directory}, expected at least {minFiles}\" >&2; exit 1; }}");

    /// <summary>
    /// The PostgreSQL container's dump script: clear old dumps, then dump every database created after
    /// initdb with exactly <see cref="DumpCommand"/>, stopping at the first failure. It lists the databases
    /// when it runs, so the script is the same for every set of apps. It runs as the <c>postgres</c> OS user and
    /// connects over the local socket (peer authentication: no password); PG* variables already set win, which is
    /// how the restore drill points it at its own server.
    /// It fails — so the job and its heartbeat do — when <paramref name="expectDatabases"/> and the listing is
    /// empty, when a dump is smaller than <see cref="MinDumpBytes"/>, when pg_restore cannot read a dump's table of
    /// contents, or when there are fewer dump files than databases listed.
    /// </summary>
    /// <param name="directory">Where the dumps go.</param>
    /// <param name="expectDatabases">Whether the stack has app databases (false only for a stack without any, whose archive is then rightly empty).</param>
    public static string PostgresDumpScript(string directory = DumpDir, bool expectDatabases = true)
    {
        const string placeholder = "DATABASE_PLACEHOLDER";
        var dump = ToShell(DumpCommand(placeholder, directory)).Replace(placeholder, "\"$db\"", StringComparison.Ordinal);
        var lines = new List<string>
        {
            "set -eu",
            "export PGUSER=\"${PGUSER:-postgres}\"",
            $"rm -f {directory}/*.dump",
            $"dbs=$(psql -XAtq -d postgres -c \"{ListDatabasesSql}\")",
        };
        if (expectDatabases)
            lines.Add("[ -n \"$dbs\" ] || { echo \"backup check: the server lists no app database, so there is nothing to back up (wrong server or lost data?)\" >&2; exit 1; }");
        lines.Add($"count=0; for db in $dbs; do {dump}; pg_restore --list {directory}/\"$db\".dump >/dev/null || {{ echo \"backup check: $db.dump is unreadable\" >&2; exit 1; }}; count=$((count + 1)); done");
        lines.Add(SizeCheck(directory, "*.dump", "$count"));
        lines.Add($"ls -l {directory}");
        return string.Join("; ", lines);
    }

    /// <summary>The Redis container's dump script: fetch a fresh RDB snapshot over the replication protocol from its own server; fails unless it is an RDB file of a sane size.</summary>
    public static string RedisDumpScript(int port, string directory = DumpDir, string? user = null) => string.Join("; ",
        "set -eu",
        $"rm -f {directory}/*.rdb",
        $"redis-cli{(user is null ? "" : " --user " + user)} -h 127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)} --rdb {directory}/redis.rdb",
        SizeCheck(directory, "*.rdb"),
        $"[ \"$(head -c 5 {directory}/redis.rdb)\" = REDIS ] || {{ echo \"backup check: redis.rdb is not an RDB file\" >&2; exit 1; }}",
        $"ls -l {directory}");

    /// <summary>Where the runner mounts a job's source (read-only); the archive holds it as <c>backup/&lt;subject&gt;/…</c>.</summary>
    public static string ArchiveDirectory(BackupSubject subject) => $"{ArchiveRoot}/{subject.ToString().ToLowerInvariant()}";
    /// <summary>The job that archives the apps' volumes, each read-only under <c>/backup/app-volumes/&lt;volume&gt;</c>.</summary>
    public const string AppVolumesJobName = "app-volumes";

    /// <summary>One schedule for every app volume (files an image keeps on disk), each read-only at <c>/backup/app-volumes/&lt;volume&gt;</c>.</summary>
    private static BackupJob AppVolumesJob(BackupsInput input, string schedule, int retentionDays, ImmutableArray<string> volumes)
    {
        var sorted = volumes.Order(StringComparer.Ordinal).ToList();
        var directory = $"{ArchiveRoot}/{AppVolumesJobName}";
        var job = Job(input, AppVolumesJobName, "App volumes (every app's)", BackupSubject.AppVolumes, schedule, retentionDays, sorted[0], [], null, null, directory);
        return job with { SourceMounts = [.. sorted.Select(v => Mount.Volume(v, $"{directory}/{v}", readOnly: true))] };
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


    private static BackupJob Job(BackupsInput input, string name, string what, BackupSubject subject, string schedule, int retentionDays,
        string volume, ImmutableArray<ImmutableArray<string>> dumps, string? script, string? dumpContainer, string? sourceDirectory = null)
    {
        var o = input.OffSite;
        var tokenSecret = $"backup-{name}-push-token";
        var s3Path = string.IsNullOrEmpty(o.PathPrefix) ? name : $"{o.PathPrefix}/{name}";
        var config = new StringBuilder();
        config.Append("# ").Append(name).Append(": ").Append(what).Append(". Rendered by the platform; do not edit by hand.\n");
        config.Append("# Read by the one-off run the host's timer execs ('").Append(schedule).Append("' UTC); shared settings and secrets (as files) come from the runner's env.\n");
        void Set(string key, string value) => config.Append(key).Append("=\"").Append(value).Append("\"\n");
        Set("BACKUP_FILENAME", name + "-%Y-%m-%dT%H-%M-%S.{{ .Extension }}");
        Set("BACKUP_PRUNING_PREFIX", name + "-");
        // Without it the runner never lists or deletes (offen's default -1): the bucket's lifecycle rule prunes.
        if (o.RunnerPrunes) Set("BACKUP_RETENTION_DAYS", retentionDays.ToString(CultureInfo.InvariantCulture));
        Set("BACKUP_SOURCES", sourceDirectory ?? ArchiveDirectory(subject));
        Set("AWS_S3_PATH", s3Path);
        if (input.StorageBox is { } box) Set("SSH_REMOTE_PATH", StorageBox.RemotePath(box, o.PathPrefix, name));

        var gap = CronSchedule.Parse(schedule).LongestGap() ?? TimeSpan.FromDays(366);
        var heartbeat = MonitorSpec.Push($"backup-{name}", $"Backup {what}", (int)gap.TotalSeconds + HeartbeatGraceSeconds, tokenSecret, null);
        var extension = !o.AgeRecipients.IsEmpty ? "tar.gz.age" : o.EncryptionPassphraseSecret is null ? "tar.gz" : "tar.gz.gpg";
        return new BackupJob(
            Name: name,
            What: what,
            Subject: subject,
            Schedule: schedule,
            RetentionDays: retentionDays,
            Destination: $"s3://{o.Bucket}/{s3Path}/{name}-<UTC time>.{extension}"
                + (input.StorageBox is { } sftp ? $" and sftp://{sftp.User}@{sftp.Host}:{sftp.Port}/{StorageBox.RemotePath(sftp, o.PathPrefix, name)}/" : ""),
            FilePrefix: name + "-",
            DumpCommands: dumps,
            DumpScript: script,
            DumpContainer: dumpContainer,
            SourceDirectory: sourceDirectory ?? ArchiveDirectory(subject),
            SourceMounts: [Mount.Volume(volume, sourceDirectory ?? ArchiveDirectory(subject), readOnly: true)],
            Config: new UploadedFile($"{JobsDirectory}/{name}.env", SecretText.Plain(config.ToString())),
            Heartbeat: heartbeat,
            PushToken: new GeneratedSecret(tokenSecret, 32, true, $"Uptime Kuma push token of the {name} backup heartbeat"))
        { StorageBoxCheck = input.StorageBox is { } pinned ? StorageBox.HostKeyCheck(pinned) : null };
    }

    /// <summary>The file of a runner secret (read through the image's <c>*_FILE</c> variables).</summary>
    public static string SecretFile(string variable) => $"{SecretsDirectory}/{variable.ToLowerInvariant().Replace('_', '-')}";

    /// <summary>
    /// The one runner: it schedules nothing and reaches no Docker API. Its main process idles (its <c>conf.d</c> holds
    /// only the jobs folder); the host's timers exec one-off runs in it (<see cref="RunCommand"/>), serialized by the
    /// runner's own lock. It mounts the sources read-only and reaches only the internet (S3). Its secrets are files
    /// (<c>AWS_*_FILE</c>, <c>GPG_PASSPHRASE_FILE</c>), so an inspect of it shows none; push tokens stay on the host.
    /// </summary>
    private static OpsContainer Runner(BackupsInput input, IReadOnlyList<BackupJob> jobs)
    {
        var o = input.OffSite;
        var secrets = new List<(string Variable, string Secret)>
        {
            ("AWS_ACCESS_KEY_ID", o.AccessKeyIdSecret),
            ("AWS_SECRET_ACCESS_KEY", o.SecretAccessKeySecret),
        };
        if (o.AgeRecipients.IsEmpty && o.EncryptionPassphraseSecret is { } passphrase) secrets.Add(("GPG_PASSPHRASE", passphrase));
        var env = new List<EnvVar>
        {
            EnvVar.Plain("AWS_ENDPOINT", o.Endpoint),
            EnvVar.Plain("AWS_S3_BUCKET_NAME", o.Bucket),
            EnvVar.Plain("BACKUP_COMPRESSION", "gz"),
            EnvVar.Plain("TZ", "UTC"),
        };
        env.AddRange(secrets.Select(x => EnvVar.Plain(x.Variable + "_FILE", SecretFile(x.Variable))));
        // Public keys, not secrets: offen splits the list on commas (envconfig) and parses each as age does.
        if (!o.AgeRecipients.IsEmpty) env.Add(EnvVar.Plain("AGE_PUBLIC_KEYS", string.Join(",", o.AgeRecipients)));
        if (input.StorageBox is { } box) env.AddRange(StorageBox.RunnerEnv(box));
        var sources = jobs.SelectMany(j => j.SourceMounts).Distinct();
        return new OpsContainer(
            Name: RunnerName,
            Image: input.Image,
            Command: [],
            Env: [.. env.OrderBy(e => e.Name, StringComparer.Ordinal)],
            Labels: ImmutableSortedDictionary<string, string>.Empty,
            Mounts: [.. sources],
            Networks: [input.Networks.Egress],
            Files: [.. jobs.Select(j => j.Config), .. secrets.Select(x => new UploadedFile(SecretFile(x.Variable), SecretText.Of(new SecretPart(x.Secret)))),
                .. input.StorageBox is null ? Array.Empty<UploadedFile>() : [StorageBox.IdentityUpload]],
            Mode: RunMode.Service,
            MemoryMb: input.RunnerMemoryMb);
    }

    /// <summary>Joins an argv into one POSIX shell command line, quoting where needed.</summary>
    public static string ToShell(IEnumerable<string> argv) => string.Join(' ', argv.Select(ShellQuote));

    public static string ShellQuote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./:@%+,".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
