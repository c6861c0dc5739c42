using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    public const string PostgresConfigPath = "/etc/postgresql/postgresql.conf";
    public const string PostgresHbaPath = "/etc/postgresql/pg_hba.conf";
    public const string PgBouncerIniPath = "/etc/pgbouncer/pgbouncer.ini";
    public const string PgBouncerUserlistPath = "/etc/pgbouncer/userlist.txt";
    public const string RedisConfPath = "/usr/local/etc/redis/redis.conf";

    /// <summary>The core's data-tier renderers' view of the app databases.</summary>
    public static IEnumerable<AppDatabase> AppDatabases(IEnumerable<DatabaseSpec> databases) =>
        databases.Select(d => new AppDatabase(d.Role, d.Database, d.Extensions, d.ConnectionLimit, d.PasswordSecret));

    public static PostgresOptions PostgresOptions(StackSettings s) =>
        new(s.Postgres.Service.MemoryMb) { MaxConnections = s.Postgres.MaxConnections };

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
    };

    public static RedisOptions RedisOptions(StackSettings s) => new()
    {
        Port = AppEnvironment.RedisPort,
        MaxMemoryMb = s.Redis.MaxMemoryMb,
        MaxMemoryPolicy = s.Redis.EvictionPolicy,
        AdminPasswordSecret = SecretNames.RedisAdmin,
    };

    public static IEnumerable<RedisAppUser> RedisUsers(StackSettings s) =>
        s.Apps.Where(a => a.Redis).OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => new RedisAppUser(a.Name, SecretNames.Redis(a.Name)));

    private static IEnumerable<ServiceSpec> DataServices(StackSettings s, ImmutableArray<DatabaseSpec> databases)
    {
        var pg = PostgresOptions(s);
        yield return Singleton(ServiceNames.Postgres, ServiceKind.Data, s.Postgres.Service,
            [On(ServiceNames.DataNetwork, ServiceNames.Postgres)], PostgresConfig.HealthCheckTest(pg), protect: s.IsProd, startPeriod: 60) with
        {
            Command = ["postgres", "-c", $"config_file={PostgresConfigPath}", "-c", $"hba_file={PostgresHbaPath}"],
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                // Needed once, by initdb; provisioning itself uses the local socket with peer auth.
                ["POSTGRES_PASSWORD"] = SecretText.Of(new SecretPart(SecretNames.PostgresSuperuser)),
                ["POSTGRES_INITDB_ARGS"] = SecretText.Plain("--auth-host=scram-sha-256 --auth-local=peer"),
                ["PGDATA"] = SecretText.Plain("/var/lib/postgresql/data/pgdata"),
            }),
            InternalPorts = [AppEnvironment.PostgresPort],
            Mounts = [new MountSpec(MountKind.Volume, "postgres-data", "/var/lib/postgresql/data", ReadOnly: false)],
            Files =
            [
                new FileSpec(PostgresConfigPath, SecretText.Plain(PostgresConfig.PostgresqlConf(pg))),
                new FileSpec(PostgresHbaPath, SecretText.Plain(PostgresConfig.PgHbaConf())),
            ],
            // A fast shutdown that checkpoints can take a while on a busy database.
            StopGraceSeconds = 120,
            // Parallel query workers exchange data through /dev/shm; Docker's 64 MB default makes them fail.
            ShmMb = 256,
        };

        var bouncer = PgBouncerOptions(s);
        var appDatabases = AppDatabases(databases).ToList();
        yield return Singleton(ServiceNames.PgBouncer, ServiceKind.Data, s.PgBouncer.Service,
            [On(ServiceNames.DataNetwork, ServiceNames.PgBouncer)],
            ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", AppEnvironment.PgBouncerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]) with
        {
            InternalPorts = [AppEnvironment.PgBouncerPort],
            Files =
            [
                new FileSpec(PgBouncerIniPath, SecretText.Plain(PgBouncerConfig.Ini(bouncer, appDatabases))),
                new FileSpec(PgBouncerUserlistPath, PgBouncerConfig.Userlist(bouncer, appDatabases)),
            ],
            DependsOn = [ServiceNames.Postgres],
            AfterHostCommands = [HostCommandNames.PostgresProvision],
        };

        var redis = RedisOptions(s);
        yield return Singleton(ServiceNames.Redis, ServiceKind.Data, s.Redis.Service,
            [On(ServiceNames.DataNetwork, ServiceNames.Redis)], RedisConfig.HealthCheckTest(redis), protect: s.IsProd) with
        {
            Command = ["redis-server", RedisConfPath],
            InternalPorts = [AppEnvironment.RedisPort],
            Mounts = [new MountSpec(MountKind.Volume, "redis-data", "/data", ReadOnly: false)],
            Files = [new FileSpec(RedisConfPath, RedisConfig.Conf(redis, RedisUsers(s)))],
        };
    }

    private static IEnumerable<HostCommandSpec> DataHostCommands(StackSettings s, ImmutableArray<DatabaseSpec> databases, ImmutableArray<BucketSpec> buckets)
    {
        yield return new HostCommandSpec(
            HostCommandNames.PostgresProvision,
            "creates or updates each app's role (SCRAM verifier) and database; idempotent, never drops",
            $"docker exec -i -u {PostgresConfig.Superuser} {ServiceNames.Postgres} psql -v ON_ERROR_STOP=1 --no-psqlrc -d postgres",
            PostgresProvisioning.Script(AppDatabases(databases)),
            [ServiceNames.Postgres]);
    }
}
