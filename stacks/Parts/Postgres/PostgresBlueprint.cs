using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Postgres;

/// <summary>
/// The PostgreSQL part on the stack: PostgreSQL (with pgBackRest when point-in-time recovery is on) and PgBouncer in front
/// of it, the provisioning of every app's role and database, PgBouncer's files and their in-place reload.
/// </summary>
public static class PostgresBlueprint
{
    public const string ConfigPath = "/etc/postgresql/postgresql.conf";
    /// <summary>PostgreSQL's data volume (a declared upgrade moves the data to <c>postgres-data-&lt;major&gt;</c>) and where it is mounted (PGDATA is its <c>pgdata</c> folder).</summary>
    public const string DataVolume = "postgres-data";
    public const string DataMount = "/var/lib/postgresql/data";
    /// <summary>The superuser's password, read once by the image's initdb step (<c>POSTGRES_PASSWORD_FILE</c>).</summary>
    public const string PasswordFile = Platform.Stacks.Operations.Backups.PostgresPasswordFile;
    public const string HbaPath = "/etc/postgresql/pg_hba.conf";
    public const string PgBouncerIniPath = "/etc/pgbouncer/pgbouncer.ini";
    public const string PgBouncerUserlistPath = "/etc/pgbouncer/userlist.txt";

    /// <summary>Where PgBouncer's files live on the server; bind-mounted read-only at /etc/pgbouncer.</summary>
    public const string PgBouncerHostDirectory = "/srv/platform/pgbouncer";

    /// <summary>The uid and gid PgBouncer runs as in its image (the image's <c>postgres</c> user).</summary>
    public const int PgBouncerUid = 70;


    /// <summary>The core's PostgreSQL renderers' view of the app databases (the PostgreSQL ones).</summary>
    public static IEnumerable<AppDatabase> AppDatabases(IEnumerable<DatabaseSpec> databases) =>
        databases.Where(d => d.Engine == DatabaseEngine.Postgres).Select(d => new AppDatabase(d.Role, d.Database, d.Extensions, d.ConnectionLimit, d.PasswordSecret) { Session = d.Session });

    public static PostgresOptions Options(StackSettings s) =>
        new(s.Postgres.Service.MemoryMb)
        {
            MaxConnections = s.Postgres.MaxConnections, ArchiveCommand = s.Postgres.Pitr ? Pitr.ArchiveCommand : null,
            LogMinDurationStatementMs = s.Postgres.Tuning.LogMinDurationStatementMs,
        };

    /// <summary>pgBackRest's settings for the stack: its backup bucket, under <c>/&lt;project&gt;-&lt;stack&gt;/pgbackrest</c>, encrypted with the backup passphrase when archives are; null when PITR is off.</summary>
    public static PitrOptions? PitrOptions(StackSettings s)
    {
        if (!s.Postgres.Pitr) return null;
        var b = s.Backups;
        return new PitrOptions(
            new S3Repository(b.S3Endpoint, b.S3Bucket, b.S3Region, $"/{s.Project}-{s.Stack}/pgbackrest", "backupS3AccessKeyId", "backupS3SecretAccessKey"),
            b.Encrypt ? "backupEncryptionPassphrase" : null, s.Postgres.PitrRetentionDays);
    }

    /// <summary>The image PostgreSQL runs: the pinned one, or with PITR the pinned one plus pgBackRest, built on the server.</summary>
    public static string Image(StackSettings s) => s.Postgres.Pitr ? Pitr.DerivedImage(s.Postgres.Service.Image) : s.Postgres.Service.Image;

    public static PgBouncerOptions PgBouncerOptions(StackSettings s) => new()
    {
        PostgresHost = ServiceNames.Postgres,
        PostgresPort = AppEnvironment.PostgresPort,
        ListenPort = AppEnvironment.PgBouncerPort,
        AuthFile = PgBouncerUserlistPath,
        MaxClientConn = s.PgBouncer.MaxClientConn,
        DefaultPoolSize = s.PgBouncer.DefaultPoolSize,
        MinPoolSize = s.PgBouncer.MinPoolSize,
        ReservePoolSize = s.PgBouncer.ReservePoolSize,
        StatsPasswordSecret = SecretNames.PgBouncerStats,
        MonitorPasswordSecret = s.Observability.Enabled ? SecretNames.PgBouncerMonitor : null,
    };


    /// <summary>Each app role's password (its SCRAM verifier is set in PostgreSQL and PgBouncer) and the platform's own users.</summary>
    internal static IEnumerable<SecretSpec> Secrets(ImmutableArray<DatabaseSpec> databases) =>
    [
        .. databases.Where(d => d.Engine == DatabaseEngine.Postgres)
            .Select(db => Generated(db.PasswordSecret, $"PostgreSQL role {db.Role} (verifier in PostgreSQL and PgBouncer)")),
        Generated(SecretNames.PostgresSuperuser, "PostgreSQL superuser (initdb only; provisioning uses the local socket)"),
        Generated(SecretNames.PgBouncerStats, "PgBouncer admin/stats user"),
        Generated(SecretNames.PostgresMonitor, $"PostgreSQL role {MonitorRole.Name} (pg_monitor only): host metrics, and postgres_exporter with the observability part"),
    ];

    /// <summary>PostgreSQL's data volume.</summary>
    internal static VolumeSpec Volume(StackSettings s) =>
        new(DataVolume, ServiceNames.Postgres, "PostgreSQL data directory", s.IsProd) { Part = PartId.Postgres, Durable = true };

    /// <summary>PostgreSQL and PgBouncer, with the dump mounts the backup runner's hooks ask for.</summary>
    internal static IEnumerable<ServiceSpec> Services(StackSettings s, ImmutableArray<DatabaseSpec> databases, OperationsParts ops)
    {
        var pg = Options(s);
        var pitr = PitrOptions(s);
        var postgresHooks = ops.HooksFor(ServiceNames.Postgres);
        // With PITR, pgBackRest's archive pushes and the nightly base backup run inside the container: 128 MB more.
        var service = pitr is null ? s.Postgres.Service
            : s.Postgres.Service with { Image = Image(s), MemoryMb = s.Postgres.Service.MemoryMb + Pitr.MemoryMb };
        yield return Singleton(PartId.Postgres, ServiceNames.Postgres, ServiceKind.Data, service,
            [On(ServiceNames.DataNetwork, ServiceNames.Postgres)], PostgresConfig.HealthCheckTest(pg), startPeriod: 60) with
        {
            Command = ["postgres", "-c", $"config_file={ConfigPath}", "-c", $"hba_file={HbaPath}"],
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                // Needed once, by initdb; provisioning itself uses the local socket with peer auth.
                // As a file the image's entrypoint reads (POSTGRES_PASSWORD_FILE), so an inspect of PostgreSQL shows no password.
                ["POSTGRES_PASSWORD_FILE"] = SecretText.Plain(PasswordFile),
                ["POSTGRES_INITDB_ARGS"] = SecretText.Plain("--auth-host=scram-sha-256 --auth-local=peer"),
                ["PGDATA"] = SecretText.Plain("/var/lib/postgresql/data/pgdata"),
            }.Concat(pitr is null ? [] : Pitr.Environment(pitr).Select(e => KeyValuePair.Create(e.Name, e.Value))).ToDictionary()),
            // The derived image is built on the server before the container is created from it.
            AfterHostCommands = pitr is null ? [] : [HostCommandNames.PostgresImage],
            ImageBuiltBy = pitr is null ? null : HostCommandNames.PostgresImage,
            InternalPorts = [AppEnvironment.PostgresPort],
            Mounts = [new MountSpec(MountKind.Volume, DataVolume, DataMount, ReadOnly: false), .. HookMounts(postgresHooks)],
            // The host's backup timers exec the dumps here, with the server's own pg_dump (see Backups.PostgresDumpScript).
            Files =
            [
                new FileSpec(ConfigPath, SecretText.Plain(PostgresConfig.PostgresqlConf(pg))),
                new FileSpec(HbaPath, SecretText.Plain(PostgresConfig.PgHbaConf())),
                new FileSpec(PasswordFile, SecretText.Of(new SecretPart(SecretNames.PostgresSuperuser))),
                // pgBackRest's S3 keys and cipher passphrase: a file, so an inspect of PostgreSQL shows none.
                .. pitr is null ? Array.Empty<FileSpec>() : [new FileSpec(Pitr.ConfigPath, Pitr.ConfigFile(pitr))],
            ],
            // A fast shutdown that checkpoints can take a while on a busy database.
            StopGraceSeconds = 120,
            // Parallel query workers exchange data through /dev/shm; Docker's 64 MB default makes them fail.
            ShmMb = 256,
        };

        var bouncer = PgBouncerOptions(s);
        var appDatabases = AppDatabases(databases).ToList();
        yield return Singleton(PartId.Postgres, ServiceNames.PgBouncer, ServiceKind.Data, s.PgBouncer.Service,
            [On(ServiceNames.DataNetwork, ServiceNames.PgBouncer)],
            ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", AppEnvironment.PgBouncerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]) with
        {
            InternalPorts = [AppEnvironment.PgBouncerPort],
            // The files come from the host (written by the pgbouncer-config host command), so adding an
            // app reloads PgBouncer in place instead of replacing the container every app talks to.
            Mounts = [new MountSpec(MountKind.Bind, PgBouncerHostDirectory, "/etc/pgbouncer", ReadOnly: true)],
            // Its files and a running PostgreSQL are all it needs: the userlist holds the verifiers the provisioning sets, and
            // the apps, which wait for the provisioning themselves, are its only clients.
            DependsOn = [ServiceNames.Postgres],
            AfterHostCommands = [HostCommandNames.PgBouncerConfig],
        };


    }

    /// <summary>The provisioning, PgBouncer's files and, with point-in-time recovery, the image build and pgBackRest's stanza.</summary>
    internal static IEnumerable<HostCommandSpec> HostCommands(StackSettings s, ImmutableArray<DatabaseSpec> databases, ImmutableArray<BucketSpec> buckets)
    {
        yield return new HostCommandSpec(
            HostCommandNames.PostgresProvision,
            "creates or updates each app's role (SCRAM verifier) and database; idempotent, never drops",
            $"docker exec -i -u {PostgresConfig.Superuser} {ServiceNames.Postgres} psql -v ON_ERROR_STOP=1 --no-psqlrc -d postgres",
            // The monitoring role always exists: host metrics counts connections with it, never as the superuser.
            PostgresProvisioning.Script(AppDatabases(databases), MonitorRole.For(SecretNames.PostgresMonitor, exporter: s.Observability.Enabled)),
            [ServiceNames.Postgres]) { Part = PartId.Postgres };
        yield return PgBouncerConfigCommand(s, databases);
        if (s.Postgres.Pitr)
        {
            yield return new HostCommandSpec(
                HostCommandNames.PostgresImage,
                $"builds {Pitr.DerivedImage(s.Postgres.Service.Image)} on the server: {s.Postgres.Service.Image} plus the distribution's pgBackRest (point-in-time recovery)",
                "sh -s", SecretText.Plain(Pitr.BuildScript(s.Postgres.Service.Image)), []) { Part = PartId.Postgres };
            yield return new HostCommandSpec(
                HostCommandNames.PostgresPitrStanza,
                "creates pgBackRest's stanza in the backup bucket (idempotent) and checks that WAL reaches it",
                $"docker exec -u {PostgresConfig.Superuser} {ServiceNames.Postgres} sh -c '{Platform.Stacks.Operations.Backups.ToShell(Pitr.StanzaCreateCommand)} && {Platform.Stacks.Operations.Backups.ToShell(Pitr.CheckCommand)}'",
                null, [ServiceNames.Postgres]) { Part = PartId.Postgres };
        }
    }

    /// <summary>
    /// Writes pgbouncer.ini and userlist.txt on the server and, when PgBouncer runs, makes it reload them
    /// (SIGHUP): new databases and rotated verifiers apply without dropping a client connection.
    /// </summary>
    private static HostCommandSpec PgBouncerConfigCommand(StackSettings s, ImmutableArray<DatabaseSpec> databases)
    {
        var bouncer = PgBouncerOptions(s);
        var apps = AppDatabases(databases).ToList();
        return HostFilesCommand(HostCommandNames.PgBouncerConfig,
            "writes pgbouncer.ini and userlist.txt (same SCRAM verifiers as PostgreSQL) on the server and reloads PgBouncer in place",
            PgBouncerHostDirectory, PgBouncerUid, PgBouncerUid,
            [("pgbouncer.ini", SecretText.Plain(PgBouncerConfig.Ini(bouncer, apps))), ("userlist.txt", PgBouncerConfig.Userlist(bouncer, apps))],
            ServiceNames.PgBouncer,
            SecretText.Plain($"docker kill -s HUP {ServiceNames.PgBouncer} >/dev/null"), PartId.Postgres);
    }

}
