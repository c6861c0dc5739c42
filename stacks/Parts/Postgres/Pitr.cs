using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Data;

/// <summary>Where pgBackRest keeps base backups and WAL.</summary>
public abstract record PgBackRestRepository;

/// <summary>The stack's off-site S3 bucket (the backup target), under <paramref name="Path"/>.</summary>
/// <param name="Endpoint">Host name only.</param>
/// <param name="Bucket">Bucket.</param>
/// <param name="Region">Region (S3 signs requests with it).</param>
/// <param name="Path">Folder in the bucket, absolute, e.g. <c>/platform-prod/pgbackrest</c>.</param>
/// <param name="AccessKeyIdSecret">Secret holding the access key id.</param>
/// <param name="SecretAccessKeySecret">Secret holding the secret access key.</param>
public sealed record S3Repository(string Endpoint, string Bucket, string Region, string Path, string AccessKeyIdSecret, string SecretAccessKeySecret) : PgBackRestRepository;

/// <summary>A directory on the same machine (the tests' repository; never a stack's, which must be off-site).</summary>
public sealed record PosixRepository(string Path) : PgBackRestRepository;

/// <summary>What pgBackRest needs to archive WAL, take base backups and restore one PostgreSQL server.</summary>
/// <param name="Repository">Where backups and WAL go.</param>
/// <param name="CipherPassSecret">Secret that encrypts the repository (aes-256-cbc); null = not encrypted.</param>
/// <param name="RetentionDays">Every moment of the last this many days can be restored to; older full backups and their WAL are expired.</param>
/// <param name="DataDirectory">PGDATA as the server sees it.</param>
/// <param name="SocketDirectory">The server's Unix socket directory (pgBackRest connects over it as the OS user).</param>
/// <param name="Port">The server's port.</param>
public sealed record PitrOptions(
    PgBackRestRepository Repository,
    string? CipherPassSecret,
    int RetentionDays,
    string DataDirectory = "/var/lib/postgresql/data/pgdata",
    string SocketDirectory = "/var/run/postgresql",
    int Port = 5432);

/// <summary>
/// Point-in-time recovery with pgBackRest. pgBackRest runs inside the PostgreSQL container, from an image derived from
/// the pinned PostgreSQL image on the server (<see cref="DerivedImage"/>): <c>archive_command</c> is run by the
/// server's archiver process, so the program it calls must be in the server's own container, and failures then show in
/// <c>pg_stat_archiver</c>, where the WAL-archive monitor reads them. Plain settings are environment variables of the
/// container (pgBackRest reads <c>PGBACKREST_*</c>); the S3 keys and the cipher passphrase are in pgBackRest's own
/// configuration file (<see cref="ConfigPath"/>, uploaded into the container like PostgreSQL's password file), so
/// <c>docker inspect</c> shows none of them. pgBackRest merges the two, so the archiver, the backup hook and a restore
/// container all read the same configuration.
/// </summary>
public static class Pitr
{
    /// <summary>The stanza: one PostgreSQL cluster per stack.</summary>
    public const string Stanza = "platform";

    /// <summary>Memory added to PostgreSQL's container limit: one archive-push process at a time and the nightly backup (process-max 1, zstd).</summary>
    public const int MemoryMb = 128;

    /// <summary>A WAL segment is closed and archived after at most this many seconds: the recovery point objective.</summary>
    public const int ArchiveTimeoutSeconds = 60;

    /// <summary>The backup runner's job that takes the base backups (and archives pgBackRest's own receipt of them).</summary>
    public const string JobName = "pitr-base";

    /// <summary>Base backups: a full one on Sundays, a differential one every other night.</summary>
    public const string DefaultSchedule = "0 1 * * *";

    /// <summary>What postgresql.conf's <c>archive_command</c> runs: push the finished segment to the repository; a non-zero exit keeps it in pg_wal and PostgreSQL retries.</summary>
    public static string ArchiveCommand => $"pgbackrest --stanza={Stanza} archive-push %p";

    /// <summary>
    /// Where pgBackRest reads its configuration file by default (so the archiver's <c>archive-push</c> and the
    /// <c>restore_command</c> a restore writes need no <c>--config</c>): it holds the secrets only.
    /// </summary>
    public const string ConfigPath = "/etc/pgbackrest/pgbackrest.conf";

    /// <summary>pgBackRest's plain settings, as the container's env (sorted). No secret is among them: see <see cref="ConfigFile"/>.</summary>
    public static ImmutableArray<EnvVar> Environment(PitrOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.RetentionDays < 1) throw new ArgumentOutOfRangeException(nameof(o), "RetentionDays must be at least 1.");
        var env = new List<EnvVar>
        {
            EnvVar.Plain("PGBACKREST_STANZA", Stanza),
            EnvVar.Plain("PGBACKREST_PG1_PATH", o.DataDirectory),
            EnvVar.Plain("PGBACKREST_PG1_SOCKET_PATH", o.SocketDirectory),
            EnvVar.Plain("PGBACKREST_PG1_PORT", I(o.Port)),
            // Keep every moment of the last RetentionDays days: full backups older than that (and their WAL) expire.
            EnvVar.Plain("PGBACKREST_REPO1_RETENTION_FULL_TYPE", "time"),
            EnvVar.Plain("PGBACKREST_REPO1_RETENTION_FULL", I(o.RetentionDays)),
            EnvVar.Plain("PGBACKREST_COMPRESS_TYPE", "zst"),
            EnvVar.Plain("PGBACKREST_PROCESS_MAX", "1"),
            EnvVar.Plain("PGBACKREST_START_FAST", "y"),
            // Logs go to stderr (the container's log, rotated by Docker); no log directory to own or fill.
            EnvVar.Plain("PGBACKREST_LOG_LEVEL_CONSOLE", "info"),
            EnvVar.Plain("PGBACKREST_LOG_LEVEL_FILE", "off"),
        };
        switch (o.Repository)
        {
            case S3Repository s3:
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_TYPE", "s3"));
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_PATH", s3.Path));
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_S3_ENDPOINT", s3.Endpoint));
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_S3_BUCKET", s3.Bucket));
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_S3_REGION", s3.Region));
                break;
            case PosixRepository posix:
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_TYPE", "posix"));
                env.Add(EnvVar.Plain("PGBACKREST_REPO1_PATH", posix.Path));
                break;
            default:
                throw new ArgumentException("Unknown repository type.", nameof(o));
        }
        if (o.CipherPassSecret is not null)
            env.Add(EnvVar.Plain("PGBACKREST_REPO1_CIPHER_TYPE", "aes-256-cbc"));
        return [.. env.OrderBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// pgBackRest's configuration file (<see cref="ConfigPath"/>): the repository's S3 keys and cipher passphrase, as
    /// secret references, in its <c>[global]</c> section; the rest is in <see cref="Environment"/>.
    /// </summary>
    public static SecretText ConfigFile(PitrOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var b = new SecretTextBuilder()
            .Line("# pgBackRest's secrets (the platform's other settings are PGBACKREST_* env values of the container).")
            .Line("[global]");
        if (o.Repository is S3Repository s3)
        {
            b.Text("repo1-s3-key=").Secret(s3.AccessKeyIdSecret).Line();
            b.Text("repo1-s3-key-secret=").Secret(s3.SecretAccessKeySecret).Line();
        }
        if (o.CipherPassSecret is { } cipher)
            b.Text("repo1-cipher-pass=").Secret(cipher).Line();
        return b.Build();
    }

    /// <summary>Creates the stanza (idempotent: succeeds when it exists for this cluster) and checks that WAL reaches the repository.</summary>
    public static ImmutableArray<string> StanzaCreateCommand => ["pgbackrest", "stanza-create"];

    /// <summary>Checks that archive_command works end to end (it forces a WAL switch and waits for the segment in the repository).</summary>
    public static ImmutableArray<string> CheckCommand => ["pgbackrest", "check"];

    /// <summary>A base backup: <c>full</c> or <c>diff</c> (a diff with no full yet becomes a full).</summary>
    public static ImmutableArray<string> BackupCommand(string type) =>
        type is "full" or "diff" ? ["pgbackrest", $"--type={type}", "backup"] : throw new ArgumentException("full or diff", nameof(type));

    /// <summary>
    /// Restores into an empty (or absent) data directory the state as of <paramref name="target"/>: the newest base backup
    /// before it, then WAL replayed up to it; the server then promotes itself and starts a new timeline.
    /// </summary>
    public static ImmutableArray<string> RestoreCommand(DateTimeOffset target) =>
        ["pgbackrest", "--type=time", $"--target={TargetTime(target)}", "--target-action=promote", "restore"];

    /// <summary>A moment as PostgreSQL's recovery_target_time reads it, in UTC to the microsecond.</summary>
    public static string TargetTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";

    /// <summary>
    /// The base-backup job's script, run in the PostgreSQL container as its <c>postgres</c> user (pgBackRest refuses root): a full
    /// backup on Sundays, a differential one otherwise, then pgBackRest's JSON description of the repository into
    /// <paramref name="directory"/>, which the runner archives as the job's receipt. It fails unless the newest backup
    /// is from this run (a green job means a fresh base backup exists).
    /// </summary>
    public static string BackupScript(string directory) => string.Join("; ",
        "set -eu",
        $"rm -f {directory}/pgbackrest-info.json",
        "if [ \"$(date -u +%u)\" = 7 ]; then type=full; else type=diff; fi",
        "start=$(date -u +%s)",
        "pgbackrest --type=\"$type\" backup",
        $"pgbackrest --output=json info > {directory}/pgbackrest-info.json",
        $"stop=$(sed -n \"s/.*\\\"stop\\\":\\([0-9]*\\).*/\\1/p\" {directory}/pgbackrest-info.json | tail -n 1)",
        $"[ \"${{stop:-0}}\" -ge \"$start\" ] || {{ echo \"backup check: no backup newer than this run in the repository\" >&2; exit 1; }}",
        $"ls -l {directory}");

    /// <summary>
    /// The WAL-archive monitor's check: <c>failing</c> when the archiver's most recent attempt failed (so WAL piles up in
    /// pg_wal and the recovery point stops moving), <c>ok</c> otherwise — also before the first segment was archived.
    /// </summary>
    public const string ArchiveCheckSql =
        "select case when last_failed_time is not null and (last_archived_time is null or last_failed_time > last_archived_time) " +
        "then 'failing' else 'ok' end from pg_stat_archiver";

    /// <summary>
    /// The pg_wal monitor's measure: pg_wal's size in percent of four times max_wal_size. PostgreSQL keeps pg_wal near
    /// max_wal_size (25 %); it grows past it only when WAL cannot be recycled, e.g. while archiving fails.
    /// </summary>
    public const string WalSizePercentSql =
        "select (coalesce(sum(size), 0) * 100 / (4 * pg_size_bytes(current_setting('max_wal_size'))))::int from pg_ls_waldir()";

    /// <summary>pg_wal warns at twice max_wal_size and is critical at three times (percent of four times it).</summary>
    public static readonly Threshold WalSizeThreshold = new(50, 75);

    /// <summary>The image PostgreSQL runs when PITR is on: the pinned image plus pgBackRest, built on the server.</summary>
    public static string DerivedImage(string baseImage)
    {
        var slash = baseImage.LastIndexOf('/');
        var tagAt = baseImage.IndexOf(':', slash + 1);
        var tag = tagAt < 0 ? "pinned" : baseImage[(tagAt + 1)..].Replace('@', '-');
        if (baseImage.Contains('@', StringComparison.Ordinal))
            tag = "sha-" + baseImage[(baseImage.IndexOf('@', StringComparison.Ordinal) + 1)..].Replace("sha256:", "", StringComparison.Ordinal)[..12];
        return $"platform/postgres-pgbackrest:{tag}";
    }

    /// <summary>The Dockerfile of <see cref="DerivedImage"/>: the distribution's pgBackRest package on top of the pinned image.</summary>
    public static string Dockerfile(string baseImage)
    {
        var alpine = baseImage.Contains("alpine", StringComparison.Ordinal);
        var install = alpine
            ? "RUN apk add --no-cache pgbackrest && pgbackrest version"
            // The Debian-based images carry the PostgreSQL project's apt source, which has current pgBackRest.
            : "RUN apt-get update && apt-get install -y --no-install-recommends pgbackrest && rm -rf /var/lib/apt/lists/* && pgbackrest version";
        return $"FROM {baseImage}\n{install}\n";
    }

    /// <summary>The host command's script that builds <see cref="DerivedImage"/> (a no-op when it exists).</summary>
    public static string BuildScript(string baseImage) => string.Join("\n",
        "set -eu",
        $"if docker image inspect {DerivedImage(baseImage)} >/dev/null 2>&1; then exit 0; fi",
        $"docker build -t {DerivedImage(baseImage)} - <<'PLATFORM_DOCKERFILE'",
        Dockerfile(baseImage).TrimEnd('\n'),
        "PLATFORM_DOCKERFILE",
        "");

    private static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
}
