using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.MariaDb;

namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// A file the part writes on the storage server (not into a container): what changes when an app is added (the data
/// services' scrape targets, the alert rules, redis_exporter's passwords) or must be readable by the exporter's uid only
/// (PgBouncer's password file), so that adding an app replaces no container: the host command rewrites the directory
/// and reloads (Prometheus: SIGHUP) or restarts (an exporter) the container that reads it.
/// </summary>
/// <param name="Command">The host command's name.</param>
/// <param name="HostDirectory">Where on the server; bind-mounted read-only at <paramref name="ContainerDirectory"/>.</param>
/// <param name="ContainerDirectory">Where the container reads it.</param>
/// <param name="Uid">The uid the container runs as, which owns the directory and its files (mode 0600).</param>
/// <param name="Container">The container that reads it.</param>
/// <param name="Restart">Whether the container must restart to reread (else it is sent SIGHUP).</param>
/// <param name="Files">File name and contents.</param>
/// <param name="Description">What the command does, for the plan.</param>
public sealed record ObservabilityHostFiles(string Command, string HostDirectory, string ContainerDirectory, int Uid, string Container, bool Restart,
    ImmutableArray<(string Name, SecretText Content)> Files, string Description);

/// <summary>
/// The data services' exporters, each on the server of the service it measures, on that server's data network, reading
/// its credentials from a file (never from the environment), and logging in as a user that can read statistics only:
/// <list type="bullet">
/// <item>postgres_exporter as <c>platform_monitor</c>, member of <c>pg_monitor</c> only, its password in
/// <c>DATA_SOURCE_PASS_FILE</c> (v0.15.0 <c>cmd/postgres_exporter/datasource.go</c>);</item>
/// <item>pgbouncer_exporter as <c>pgbouncer_monitor</c>, a <c>stats_users</c> member (SHOW only), its password in a
/// libpq password file (<c>PGPASSFILE</c>, read by lib/pq 1.10.9, which ignores a file group or others can read: hence
/// a host file owned by the exporter's uid, mode 0600, not a container upload);</item>
/// <item>redis_exporter (one for every instance, <c>/scrape?target=</c>) as <c>platform_monitor</c>, whose ACL allows
/// INFO, PING, CLIENT SETNAME, SLOWLOG and LATENCY reads and no key; its passwords by target in
/// <c>REDIS_PASSWORD_FILE</c> (JSON, loaded at start: the host command restarts it when an instance is added); CONFIG GET
/// skipped (<c>REDIS_EXPORTER_CONFIG_COMMAND=-</c>);</item>
/// <item>mysqld_exporter as <c>platform_monitor</c> (PROCESS, REPLICATION CLIENT, SELECT on performance_schema), its
/// credentials in <c>--config.my-cnf</c>; the replica-status collector is off (it would need SLAVE MONITOR and the
/// platform runs no replica).</item>
/// </list>
/// Each is a Go program: <c>GOMEMLIMIT</c> keeps its heap well inside the container's limit.
/// </summary>
public static class ObservabilityExporters
{
    /// <summary>The secret of each data-service job's monitoring user.</summary>
    public static readonly ImmutableSortedDictionary<string, string> SecretOfJob = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
    {
        ["postgres"] = SecretNames.PostgresMonitor,
        ["pgbouncer"] = SecretNames.PgBouncerMonitor,
        ["redis"] = SecretNames.RedisMonitor,
        ["mariadb"] = SecretNames.MariaDbMonitor,
    });

    /// <summary>The monitoring user of each data-service job, for the plan and the secrets' purpose.</summary>
    public static readonly ImmutableSortedDictionary<string, string> UserOfJob = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
    {
        ["postgres"] = $"PostgreSQL role {MonitorRole.Name} (pg_monitor only)",
        ["pgbouncer"] = $"PgBouncer stats user {PgBouncerConfig.MonitorUser} (SHOW only)",
        ["redis"] = $"Redis user {RedisConfig.MonitorUser} in every instance (INFO, PING, SLOWLOG, LATENCY; no key)",
        ["mariadb"] = $"MariaDB user {MariaDbNames.MonitorUser} (PROCESS, REPLICATION CLIENT, SELECT on performance_schema)",
    });

    public const string PostgresPasswordFile = "/run/secrets/postgres-monitor-password";
    public const string MysqldConfigPath = "/etc/mysqld-exporter/my.cnf";

    /// <summary>redis_exporter's passwords by target and PgBouncer's libpq password file: host directories, read-only mounts.</summary>
    public const string RedisPasswordsCommand = "redis-exporter-passwords";
    public const string RedisPasswordsHostDirectory = "/srv/platform/redis-exporter";
    public const string RedisPasswordsDirectory = "/etc/redis-exporter";
    public const string RedisPasswordsFile = "passwords.json";

    /// <summary>The uid redis_exporter's image (v1.66.0, scratch) runs as.</summary>
    public const int RedisExporterUid = 59000;

    public const string PgPassCommand = "pgbouncer-exporter-pgpass";
    public const string PgPassHostDirectory = "/srv/platform/pgbouncer-exporter";
    public const string PgPassDirectory = "/etc/pgbouncer-exporter";
    public const string PgPassFile = "pgpass";

    /// <summary>The uid of <c>nobody</c>, which the Prometheus project's images (Prometheus, pgbouncer_exporter…) run as.</summary>
    public const int NobodyUid = 65534;

    /// <summary>How far below its container's limit an exporter's Go heap is held (<c>GOMEMLIMIT</c>), in percent.</summary>
    public const int GoMemoryLimitPercent = 75;

    /// <summary>The <c>GOMEMLIMIT</c> of a Go program in a container of <paramref name="memoryMb"/>.</summary>
    public static string GoMemLimit(int memoryMb) => (memoryMb * GoMemoryLimitPercent / 100).ToString(CultureInfo.InvariantCulture) + "MiB";

    /// <summary>The exporter containers of the data-service targets in <paramref name="targets"/>, each on <paramref name="host"/>'s server.</summary>
    public static ImmutableArray<ServiceSpec> Of(ObservabilitySettings s, ImmutableArray<ScrapeTarget> targets, Func<string, ServerKey> host)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(host);
        var services = new List<ServiceSpec>();
        foreach (var job in targets.Where(t => ObservabilityPart.ExporterOfJob.ContainsKey(t.Job)).GroupBy(t => t.Job, StringComparer.Ordinal))
        {
            var first = job.First();
            var name = ObservabilityPart.ExporterOfJob[job.Key];
            var memory = ObservabilityNames.ExporterMemoryMb[job.Key];
            var svc = new ServiceSpec
            {
                Name = name,
                Part = PartId.Observability,
                Kind = ServiceKind.Operations,
                ContainerName = name,
                Replacement = Replacement.DeleteBeforeCreate,
                Image = ImageOf(job.Key),
                InternalPorts = [PortOf(job.Key)],
                // Next to what it measures, on the data network Prometheus scrapes it on.
                Networks = [new NetworkAttachment(ServiceNames.DataNetwork, [name])],
                HealthCheck = Conventions.Health(HealthProbe.HttpCheck(PortOf(job.Key), job.Key == "redis" ? "/health" : "/")),
                Mounts = [HealthProbe.Mount],
                Limits = new ResourceLimits(memory, 0.25),
                RestartPolicy = Conventions.RestartPolicy,
                Log = Conventions.Log,
                Host = host(first.Server),
            };
            var goMem = KeyValuePair.Create("GOMEMLIMIT", SecretText.Plain(GoMemLimit(memory)));
            services.Add(job.Key switch
            {
                "postgres" => svc with
                {
                    Env = Env(goMem,
                        KeyValuePair.Create("DATA_SOURCE_URI", SecretText.Plain($"{ServiceNames.Postgres}:{D(AppEnvironment.PostgresPort)}/postgres?sslmode=disable")),
                        KeyValuePair.Create("DATA_SOURCE_USER", SecretText.Plain(MonitorRole.Name)),
                        KeyValuePair.Create("DATA_SOURCE_PASS_FILE", SecretText.Plain(PostgresPasswordFile))),
                    Files = [new FileSpec(PostgresPasswordFile, SecretText.Of(new SecretPart(SecretNames.PostgresMonitor)))],
                    AfterHostCommands = [HostCommandNames.PostgresProvision],
                },
                "pgbouncer" => svc with
                {
                    Command = [$"--pgBouncer.connectionString={PgBouncerConnectionString}"],
                    Env = Env(goMem, KeyValuePair.Create("PGPASSFILE", SecretText.Plain($"{PgPassDirectory}/{PgPassFile}"))),
                    Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Bind, PgPassHostDirectory, PgPassDirectory, ReadOnly: true)],
                    AfterHostCommands = [HostCommandNames.PgBouncerConfig, PgPassCommand],
                },
                "redis" => svc with
                {
                    Env = Env(goMem,
                        KeyValuePair.Create("REDIS_USER", SecretText.Plain(RedisConfig.MonitorUser)),
                        KeyValuePair.Create("REDIS_PASSWORD_FILE", SecretText.Plain($"{RedisPasswordsDirectory}/{RedisPasswordsFile}")),
                        KeyValuePair.Create("REDIS_EXPORTER_CONFIG_COMMAND", SecretText.Plain("-")),
                        // Only /scrape?target= is scraped; its own /metrics measures no instance.
                        KeyValuePair.Create("REDIS_ADDR", SecretText.Plain(""))),
                    Mounts = [HealthProbe.Mount, new MountSpec(MountKind.Bind, RedisPasswordsHostDirectory, RedisPasswordsDirectory, ReadOnly: true)],
                    AfterHostCommands = [RedisPasswordsCommand],
                },
                _ => svc with
                {
                    Command = [$"--config.my-cnf={MysqldConfigPath}", "--no-collect.slave_status"],
                    Env = Env(goMem),
                    Files = [new FileSpec(MysqldConfigPath, MyCnf(SecretNames.MariaDbMonitor))],
                    AfterHostCommands = [HostCommandNames.MariaDbProvision],
                },
            });
        }
        return [.. services];
    }

    /// <summary>pgbouncer_exporter's connection: the console database as the monitor user, no password (the libpq password file has it).</summary>
    public static string PgBouncerConnectionString { get; } =
        $"postgres://{PgBouncerConfig.MonitorUser}@{ServiceNames.PgBouncer}:{D(AppEnvironment.PgBouncerPort)}/pgbouncer?sslmode=disable";

    /// <summary>The libpq password file: any host, port and database, the monitor user. Generated passwords are alphanumeric, so nothing needs escaping.</summary>
    public static SecretText PgPass(string secret) =>
        new SecretTextBuilder().Text($"*:*:*:{PgBouncerConfig.MonitorUser}:").Secret(secret).Line().Build();

    /// <summary>redis_exporter's password file: each instance's target URI (as the exporter normalises it) to the monitor user's password.</summary>
    public static SecretText RedisPasswords(IEnumerable<string> targets, string secret)
    {
        var b = new SecretTextBuilder().Text("{");
        var first = true;
        foreach (var target in targets.Order(StringComparer.Ordinal))
        {
            b.Text((first ? "\n  " : ",\n  ") + System.Text.Json.JsonSerializer.Serialize(target) + ": \"").Secret(secret).Text("\"");
            first = false;
        }
        return b.Line("\n}").Build();
    }

    /// <summary>mysqld_exporter's my.cnf: the monitor user's credentials and MariaDB's address.</summary>
    public static SecretText MyCnf(string secret) => new SecretTextBuilder()
        .Line("[client]")
        .Line($"user = {MariaDbNames.MonitorUser}")
        .Text("password = ").Secret(secret).Line()
        .Line($"host = {MariaDbNames.Service}")
        .Line($"port = {D(MariaDbNames.Port)}")
        .Build();

    /// <summary>The host files the exporters of <paramref name="targets"/> read (PgBouncer's password file, redis_exporter's passwords).</summary>
    public static IEnumerable<ObservabilityHostFiles> HostFiles(ImmutableArray<ScrapeTarget> targets)
    {
        if (targets.Any(t => t.Job == "pgbouncer"))
            yield return new(PgPassCommand, PgPassHostDirectory, PgPassDirectory, NobodyUid, ObservabilityNames.PgBouncerExporter, Restart: true,
                [(PgPassFile, PgPass(SecretNames.PgBouncerMonitor))],
                $"writes pgbouncer_exporter's libpq password file ({PgBouncerConfig.MonitorUser}; mode 0600, owned by its uid) on the server and restarts it");
        var redis = targets.Where(t => t.Job == "redis" && t.Target is not null).Select(t => t.Target!).ToList();
        if (redis.Count > 0)
            yield return new(RedisPasswordsCommand, RedisPasswordsHostDirectory, RedisPasswordsDirectory, RedisExporterUid, ObservabilityNames.RedisExporter, Restart: true,
                [(RedisPasswordsFile, RedisPasswords(redis, SecretNames.RedisMonitor))],
                $"writes redis_exporter's passwords of {RedisConfig.MonitorUser} for each Redis instance ({redis.Count.ToString(CultureInfo.InvariantCulture)}) on the server and restarts it (it reads them at start)");
    }

    private static string ImageOf(string job) => job switch
    {
        "postgres" => ObservabilityNames.PostgresExporterImage,
        "pgbouncer" => ObservabilityNames.PgBouncerExporterImage,
        "redis" => ObservabilityNames.RedisExporterImage,
        _ => ObservabilityNames.MysqldExporterImage,
    };

    private static int PortOf(string job) => job switch
    {
        "postgres" => ObservabilityNames.PostgresExporterPort,
        "pgbouncer" => ObservabilityNames.PgBouncerExporterPort,
        "redis" => ObservabilityNames.RedisExporterPort,
        _ => ObservabilityNames.MysqldExporterPort,
    };

    private static ImmutableSortedDictionary<string, SecretText> Env(params KeyValuePair<string, SecretText>[] env) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, env);

    private static string D(int n) => n.ToString(CultureInfo.InvariantCulture);
}
