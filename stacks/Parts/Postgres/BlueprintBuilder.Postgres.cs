using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    public const string PostgresConfigPath = "/etc/postgresql/postgresql.conf";
    /// <summary>PostgreSQL's data volume (a declared upgrade moves the data to <c>postgres-data-&lt;major&gt;</c>) and where it is mounted (PGDATA is its <c>pgdata</c> folder).</summary>
    public const string PostgresDataVolume = "postgres-data";
    public const string PostgresDataMount = "/var/lib/postgresql/data";
    /// <summary>The superuser's password, read once by the image's initdb step (<c>POSTGRES_PASSWORD_FILE</c>).</summary>
    public const string PostgresPasswordFile = Platform.Stacks.Operations.Backups.PostgresPasswordFile;
    public const string PostgresHbaPath = "/etc/postgresql/pg_hba.conf";
    public const string PgBouncerIniPath = "/etc/pgbouncer/pgbouncer.ini";
    public const string PgBouncerUserlistPath = "/etc/pgbouncer/userlist.txt";

    /// <summary>Where PgBouncer's files live on the server; bind-mounted read-only at /etc/pgbouncer.</summary>
    public const string PgBouncerHostDirectory = "/srv/platform/pgbouncer";

    /// <summary>The uid and gid PgBouncer runs as in its image (the image's <c>postgres</c> user).</summary>
    public const int PgBouncerUid = 70;


    /// <summary>The core's PostgreSQL renderers' view of the app databases (the PostgreSQL ones).</summary>
    public static IEnumerable<AppDatabase> AppDatabases(IEnumerable<DatabaseSpec> databases) =>
        databases.Where(d => d.Engine == DatabaseEngine.Postgres).Select(d => new AppDatabase(d.Role, d.Database, d.Extensions, d.ConnectionLimit, d.PasswordSecret) { Session = d.Session });

    public static PostgresOptions PostgresOptions(StackSettings s) =>
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
    public static string PostgresImage(StackSettings s) => s.Postgres.Pitr ? Pitr.DerivedImage(s.Postgres.Service.Image) : s.Postgres.Service.Image;

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


    private static IEnumerable<ServiceSpec> PostgresServices(StackSettings s, ImmutableArray<DatabaseSpec> databases, OperationsParts ops)
    {
        var pg = PostgresOptions(s);
        var pitr = PitrOptions(s);
        var postgresHooks = ops.HooksFor(ServiceNames.Postgres);
        // With PITR, pgBackRest's archive pushes and the nightly base backup run inside the container: 128 MB more.
        var service = pitr is null ? s.Postgres.Service
            : s.Postgres.Service with { Image = PostgresImage(s), MemoryMb = s.Postgres.Service.MemoryMb + Pitr.MemoryMb };
        yield return Singleton(PartId.Postgres, ServiceNames.Postgres, ServiceKind.Data, service,
            [On(ServiceNames.DataNetwork, ServiceNames.Postgres)], PostgresConfig.HealthCheckTest(pg), startPeriod: 60) with
        {
            Command = ["postgres", "-c", $"config_file={PostgresConfigPath}", "-c", $"hba_file={PostgresHbaPath}"],
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                // Needed once, by initdb; provisioning itself uses the local socket with peer auth.
                // As a file the image's entrypoint reads (POSTGRES_PASSWORD_FILE), so an inspect of PostgreSQL shows no password.
                ["POSTGRES_PASSWORD_FILE"] = SecretText.Plain(PostgresPasswordFile),
                ["POSTGRES_INITDB_ARGS"] = SecretText.Plain("--auth-host=scram-sha-256 --auth-local=peer"),
                ["PGDATA"] = SecretText.Plain("/var/lib/postgresql/data/pgdata"),
            }.Concat(pitr is null ? [] : Pitr.Environment(pitr).Select(e => KeyValuePair.Create(e.Name, e.Value))).ToDictionary()),
            // The derived image is built on the server before the container is created from it.
            AfterHostCommands = pitr is null ? [] : [HostCommandNames.PostgresImage],
            ImageBuiltBy = pitr is null ? null : HostCommandNames.PostgresImage,
            InternalPorts = [AppEnvironment.PostgresPort],
            Mounts = [new MountSpec(MountKind.Volume, PostgresDataVolume, PostgresDataMount, ReadOnly: false), .. HookMounts(postgresHooks)],
            // The host's backup timers exec the dumps here, with the server's own pg_dump (see Backups.PostgresDumpScript).
            Files =
            [
                new FileSpec(PostgresConfigPath, SecretText.Plain(PostgresConfig.PostgresqlConf(pg))),
                new FileSpec(PostgresHbaPath, SecretText.Plain(PostgresConfig.PgHbaConf())),
                new FileSpec(PostgresPasswordFile, SecretText.Of(new SecretPart(SecretNames.PostgresSuperuser))),
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

    private static IEnumerable<HostCommandSpec> PostgresHostCommands(StackSettings s, ImmutableArray<DatabaseSpec> databases, ImmutableArray<BucketSpec> buckets)
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
