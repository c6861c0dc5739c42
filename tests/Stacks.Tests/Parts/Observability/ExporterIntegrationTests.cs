using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;
using Xunit.Abstractions;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary>
/// The data services' exporters from Debian (prometheus-postgres-exporter 0.11, prometheus-redis-exporter 1.45,
/// prometheus-mysqld-exporter 0.14) run for real against real PostgreSQL 15, Redis 7.0 and MariaDB 10.11 provisioned with
/// the rendered monitoring users, with the container's rendered environment and credential files (addresses moved to
/// loopback): each reaches its service, exposes every metric the rules and dashboards read, and its user can do nothing
/// else. Debian's PgBouncer exporter is another program (a Python one, other metric names), so PgBouncer is checked
/// through libpq with the rendered password file and the SHOW commands pgbouncer_exporter v0.9.0 runs.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExporterIntegrationTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exporters-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ObservabilitySettings Settings = new() { Enabled = true };

    /// <summary>The exporter containers of the shipped prod stack (it runs PostgreSQL, PgBouncer and Redis) plus MariaDB's.</summary>
    private static Platform.Stacks.Blueprint.ServiceSpec Exporter(string job)
    {
        var bp = TestStacks.ShippedBlueprint("prod");
        var targets = ScrapeTargets.From(bp).Add(new ScrapeTarget("mariadb", "mysqld-exporter:9104", "server", "mariadb"));
        return ObservabilityExporters.Of(Settings, targets, _ => ServerKey.Single).Single(s => s.Name == ObservabilityPart.ExporterOfJob[job]);
    }

    /// <summary>Every metric name of <paramref name="prefix"/> that a rule or a dashboard reads.</summary>
    private static HashSet<string> Used(string prefix)
    {
        var rules = PrometheusConfig.Rules(Platform.Stacks.Operations.AlertThresholds.Default, new HashSet<string>(ObservabilityPart.ExporterOfJob.Keys));
        return rules.SelectMany(r => PromQl.MetricNames(r.Expr))
            .Concat(GrafanaProvisioning.Dashboards.SelectMany(d => d.Panels).SelectMany(p => p.Queries).SelectMany(q => PromQl.MetricNames(q.Expr)))
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
    }

    private static HashSet<string> Names(string exposition) =>
        exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('{', ' ')[0]).ToHashSet(StringComparer.Ordinal);

    private static string Value(string exposition, string series) =>
        exposition.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..].Trim();

    /// <summary>The container's env with its file paths moved into this test's directory.</summary>
    private Dictionary<string, string> Env(Platform.Stacks.Blueprint.ServiceSpec svc, Func<string, string, string> map) =>
        svc.Env.ToDictionary(kv => kv.Key, kv => map(kv.Key, kv.Value.Masked), StringComparer.Ordinal);

    private async Task<string> ScrapeAsync(ServerProcess exporter, string url, string upMetric, string job)
    {
        var limit = ObservabilityNames.ExporterMemoryMb[job];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = "";
        await exporter.WaitUntilAsync(async () =>
        {
            try { body = await http.GetStringAsync(url); }
            catch (HttpRequestException) { return false; }
            return body.Contains(upMetric + " 1", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30));
        // More scrapes, four of them at once (Prometheus scrapes every Redis instance's target together), then its peak
        // resident memory against the container's limit.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => http.GetStringAsync(url)));
        body = await http.GetStringAsync(url);
        var hwm = File.ReadAllLines($"/proc/{exporter.Pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = int.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        output.WriteLine($"{exporter.Name}: peak resident memory {kb / 1024.0:F1} MB (limit {limit} MB)");
        // At least 15% of the limit to spare (the pinned image is a newer build than Debian's).
        Assert.True(kb < limit * 1024 * 85 / 100, $"{exporter.Name} peaked at {kb} kB, too close to its {limit} MB limit");
        return body;
    }

    private void AssertExposes(string body, string prefix, string exporter)
    {
        var used = Used(prefix);
        Assert.NotEmpty(used);
        var missing = used.Where(n => !Names(body).Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"not exposed by {exporter}: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task Postgres_exporter_logs_in_as_the_pg_monitor_role_and_exposes_every_metric_the_rules_and_dashboards_read()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SecretNames.PostgresMonitor] = Secrets.NewPassword(),
            [DataTierFixture.Shop.PasswordSecret] = Secrets.NewPassword(),
        };
        await using var pg = await PostgresServer.StartAsync();
        await pg.PsqlAsync(PostgresProvisioning.Script([DataTierFixture.Shop], MonitorRole.For(SecretNames.PostgresMonitor, exporter: true)).Resolve(n => secrets[n]));
        await pg.PsqlAsync("CREATE TABLE secret_rows (v text); INSERT INTO secret_rows VALUES ('x');", "shop");

        var svc = Exporter("postgres");
        var passFile = Path.Combine(_dir, "pass");
        File.WriteAllText(passFile, svc.Files.Single(f => f.Path == ObservabilityExporters.PostgresPasswordFile).Content.Resolve(n => secrets[n]));
        var port = Proc.FreePort();
        var env = Env(svc, (k, v) => k switch
        {
            "DATA_SOURCE_URI" => v.Replace($"{ServiceNames.Postgres}:{AppEnvironment.PostgresPort}", $"{pg.Host}:{pg.Port}", StringComparison.Ordinal),
            "DATA_SOURCE_PASS_FILE" => passFile,
            _ => v,
        });
        Assert.Equal(MonitorRole.Name, env["DATA_SOURCE_USER"]);
        Assert.DoesNotContain(env.Values, v => v.Contains(secrets[SecretNames.PostgresMonitor], StringComparison.Ordinal));
        await using var exporter = ServerProcess.Start("postgres_exporter", Proc.Require("prometheus-postgres-exporter"), [$"--web.listen-address=127.0.0.1:{port}"], asUser: null, env);
        var body = await ScrapeAsync(exporter, $"http://127.0.0.1:{port}/metrics", "pg_up", "postgres");
        AssertExposes(body, "pg_", "postgres_exporter");
        // pg_monitor shows every session (not only its own): the exporter's own connection is counted under its state.
        Assert.Contains("pg_stat_activity_count{", body, StringComparison.Ordinal);
        // It holds exactly its CONNECTION LIMIT (one per database handle): stopped, the checks below can log in as it.
        await exporter.StopAsync();

        // The role reads statistics, not data: no app database, no table, no superuser view.
        var monitor = pg.ConnectionString("postgres", MonitorRole.Name, secrets[SecretNames.PostgresMonitor]);
        await using (var c = new Npgsql.NpgsqlConnection(monitor))
        {
            await c.OpenAsync();
            await using var roles = new Npgsql.NpgsqlCommand("SELECT string_agg(b.rolname, ',' ORDER BY b.rolname) FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'platform_monitor'", c);
            Assert.Equal("pg_monitor", await roles.ExecuteScalarAsync());
            await using var authid = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_authid", c);
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => authid.ExecuteScalarAsync());
        }
        var denied = await Assert.ThrowsAsync<Npgsql.PostgresException>(async () =>
        {
            await using var c = new Npgsql.NpgsqlConnection(pg.ConnectionString("shop", MonitorRole.Name, secrets[SecretNames.PostgresMonitor]));
            await c.OpenAsync();
        });
        Assert.Equal("42501", denied.SqlState);
    }

    [Fact]
    public async Task Redis_exporter_scrapes_an_instance_as_the_monitor_user_whose_acl_allows_what_it_runs_and_no_key()
    {
        var instance = RedisNames.Of(TestStacks.Shipped("prod")).First();
        var secrets = instance.Members.ToDictionary(SecretNames.Redis, _ => Secrets.NewPassword(), StringComparer.Ordinal);
        secrets[SecretNames.RedisAdmin] = Secrets.NewPassword();
        secrets[SecretNames.RedisMonitor] = Secrets.NewPassword();
        await using var redis = await RedisServer.CreateAsync();
        var aclPath = Path.Combine(redis.Directory, "users.acl");
        var options = RedisBlueprint.Options(instance, monitored: true) with { Bind = "127.0.0.1", Port = redis.Port, Dir = redis.Directory, AclFile = aclPath };
        await ServerDirectory.WriteFileAsync(aclPath, RedisConfig.Acl(options, RedisBlueprint.Members(instance)).Resolve(n => secrets[n]), Proc.IsRoot ? RedisServer.OsUser : null);
        await redis.StartAsync(RedisConfig.Conf(options, RedisBlueprint.Members(instance)).Resolve(n => secrets[n]), RedisConfig.AdminUser, secrets[SecretNames.RedisAdmin]);
        Assert.Equal("OK", (await redis.CliAsync(null, secrets[SecretNames.Redis(instance.Owner)], "SET", "app:key", "v")).Stdout.Trim());

        var svc = Exporter("redis");
        var target = $"redis://127.0.0.1:{redis.Port}";
        var passwords = Path.Combine(_dir, ObservabilityExporters.RedisPasswordsFile);
        File.WriteAllText(passwords, ObservabilityExporters.RedisPasswords([target], SecretNames.RedisMonitor).Resolve(n => secrets[n]));
        var port = Proc.FreePort();
        var env = Env(svc, (k, v) => k == "REDIS_PASSWORD_FILE" ? passwords : v);
        Assert.Equal(RedisConfig.MonitorUser, env["REDIS_USER"]);
        await using var exporter = ServerProcess.Start("redis_exporter", Proc.Require("prometheus-redis-exporter"), [$"-web.listen-address=127.0.0.1:{port}"], asUser: null, env);
        var body = await ScrapeAsync(exporter, $"http://127.0.0.1:{port}/scrape?target={Uri.EscapeDataString(target)}", "redis_up", "redis");
        AssertExposes(body, "redis_", "redis_exporter");
        Assert.NotEqual("0", Value(body, "redis_memory_max_bytes"));

        // Nothing the exporter ran was refused (the ACL log is empty), and its user reaches no key and no setting.
        var admin = (string[] cmd) => redis.CliAsync(RedisConfig.AdminUser, secrets[SecretNames.RedisAdmin], cmd);
        Assert.Equal("", (await admin(["ACL", "LOG"])).Stdout.Trim());
        var monitor = (string[] cmd) => redis.CliAsync(RedisConfig.MonitorUser, secrets[SecretNames.RedisMonitor], cmd);
        Assert.Contains("NOPERM", (await monitor(["GET", "app:key"])).Stdout, StringComparison.Ordinal);
        Assert.Contains("NOPERM", (await monitor(["CONFIG", "GET", "maxmemory"])).Stdout, StringComparison.Ordinal);
        Assert.Contains("NOPERM", (await monitor(["KEYS", "*"])).Stdout, StringComparison.Ordinal);
        Assert.Equal("PONG", (await monitor(["PING"])).Stdout.Trim());
        await exporter.StopAsync();
    }

    [Fact]
    public async Task Mysqld_exporter_logs_in_as_the_monitor_user_with_process_replication_client_and_performance_schema_only()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SecretNames.MariaDbMonitor] = Secrets.NewPassword(),
            [MariaDbFixture.Shop.PasswordSecret] = Secrets.NewPassword(),
        };
        await using var db = await MariaDbServer.StartAsync();
        var provision = MariaDbProvisioning.Script([MariaDbFixture.Shop], SecretNames.MariaDbMonitor).Resolve(n => secrets[n]);
        await db.SqlAsync(provision);
        Assert.Equal(MariaDbProvisioning.MonitorGlobalAccess.ToString(CultureInfo.InvariantCulture),
            await db.ScalarAsync("SELECT JSON_VALUE(Priv, '$.access') FROM mysql.global_priv WHERE User = 'platform_monitor' AND Host = '%'"));
        // Idempotent: a second run changes nothing, and rights granted by hand (on a database, or global) are taken away again.
        await db.SqlAsync($"GRANT SELECT ON shop.* TO {MariaDbNames.Account(MariaDbNames.MonitorUser)};");
        await db.SqlAsync(provision);
        await db.SqlAsync($"GRANT SUPER, SELECT ON *.* TO {MariaDbNames.Account(MariaDbNames.MonitorUser)};");
        await db.SqlAsync(provision);
        var grants = (await db.QueryAsync($"SHOW GRANTS FOR {MariaDbNames.Account(MariaDbNames.MonitorUser)}")).Select(r => r[0]).ToList();
        Assert.Equal(2, grants.Count);
        Assert.Contains(grants, g => g.StartsWith("GRANT PROCESS, BINLOG MONITOR ON *.* TO `platform_monitor`@`%`", StringComparison.Ordinal));
        Assert.Contains("GRANT SELECT ON `performance_schema`.* TO `platform_monitor`@`%`", grants);

        var svc = Exporter("mariadb");
        var cnf = Path.Combine(_dir, "my.cnf");
        File.WriteAllText(cnf, svc.Files.Single(f => f.Path == ObservabilityExporters.MysqldConfigPath).Content.Resolve(n => secrets[n])
            .Replace($"host = {MariaDbNames.Service}", $"host = {db.Host}", StringComparison.Ordinal)
            .Replace($"port = {MariaDbNames.Port}", $"port = {db.Port}", StringComparison.Ordinal));
        var port = Proc.FreePort();
        var args = svc.Command.Select(a => a == $"--config.my-cnf={ObservabilityExporters.MysqldConfigPath}" ? $"--config.my-cnf={cnf}" : a).Append($"--web.listen-address=127.0.0.1:{port}");
        await using var exporter = ServerProcess.Start("mysqld_exporter", Proc.Require("prometheus-mysqld-exporter"), args, asUser: null, Env(svc, (_, v) => v));
        var body = await ScrapeAsync(exporter, $"http://127.0.0.1:{port}/metrics", "mysql_up", "mariadb");
        AssertExposes(body, "mysql_", "mysqld_exporter");
        // Every collector it runs succeeds with these rights (the replica-status one is off).
        Assert.DoesNotContain("mysql_exporter_collector_success{collector=\"slave_status\"}", body, StringComparison.Ordinal);
        Assert.DoesNotContain(body.Split('\n'), l => l.StartsWith("mysql_exporter_last_scrape_error 1", StringComparison.Ordinal));

        var denied = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var c = new MySqlConnector.MySqlConnection(db.ConnectionString("shop", MariaDbNames.MonitorUser, secrets[SecretNames.MariaDbMonitor]));
            await c.OpenAsync();
        });
        Assert.Contains("denied", denied.Message, StringComparison.OrdinalIgnoreCase);
        await exporter.StopAsync();
    }

    /// <summary>
    /// pgbouncer_exporter v0.9.0 (<c>collector.go</c>) runs SHOW STATS, POOLS, DATABASES, CONFIG, LISTS and VERSION on the console
    /// through lib/pq, which reads the password from <c>PGPASSFILE</c> as libpq does and, like libpq, ignores a file others can
    /// read. psql (libpq) with the rendered connection string and password file does the same here: every SHOW works as the
    /// monitor user, no admin command does, and a group-readable copy of the file is ignored (why it is a 0600 host file).
    /// </summary>
    [Fact]
    public async Task The_pgbouncer_monitor_user_runs_every_show_the_exporter_runs_and_no_admin_command()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [DataTierFixture.Shop.PasswordSecret] = Secrets.NewPassword(),
            [DataTierFixture.StatsSecret] = Secrets.NewPassword(),
            [SecretNames.PgBouncerMonitor] = Secrets.NewPassword(),
        };
        await using var pg = await PostgresServer.StartAsync();
        await pg.PsqlAsync(PostgresProvisioning.Script([DataTierFixture.Shop]).Resolve(n => secrets[n]));
        await using var bouncer = await PgBouncerServer.CreateAsync();
        var options = new PgBouncerOptions
        {
            PostgresHost = pg.Host, PostgresPort = pg.Port, ListenAddr = bouncer.Host, ListenPort = bouncer.Port, AuthFile = bouncer.UserlistPath,
            UnixSocketDir = bouncer.Directory, StatsPasswordSecret = DataTierFixture.StatsSecret, MonitorPasswordSecret = SecretNames.PgBouncerMonitor,
        };
        await bouncer.StartAsync(PgBouncerConfig.Ini(options, [DataTierFixture.Shop]), PgBouncerConfig.Userlist(options, [DataTierFixture.Shop]).Resolve(n => secrets[n]));

        var svc = Exporter("pgbouncer");
        var pgpass = Path.Combine(_dir, ObservabilityExporters.PgPassFile);
        File.WriteAllText(pgpass, ObservabilityExporters.PgPass(SecretNames.PgBouncerMonitor).Resolve(n => secrets[n]));
        File.SetUnixFileMode(pgpass, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal($"{ObservabilityExporters.PgPassDirectory}/{ObservabilityExporters.PgPassFile}", svc.Env["PGPASSFILE"].Masked);
        var dsn = svc.Command.Single()["--pgBouncer.connectionString=".Length..]
            .Replace($"{ServiceNames.PgBouncer}:{AppEnvironment.PgBouncerPort}", $"{bouncer.Host}:{bouncer.Port}", StringComparison.Ordinal);
        var psql = Path.Combine(PostgresServer.FindBinDirectory(), "psql");
        Task<ProcResult> Console(string command, string file) =>
            Proc.RunAsync(psql, ["-X", "-A", "-w", "-d", dsn, "-c", command], env: new Dictionary<string, string> { ["PGPASSFILE"] = file });

        foreach (var show in new[] { "SHOW STATS;", "SHOW POOLS;", "SHOW DATABASES;", "SHOW CONFIG;", "SHOW LISTS;", "SHOW VERSION;" })
        {
            var r = await Console(show, pgpass);
            Assert.True(r.Ok, $"{show} as {PgBouncerConfig.MonitorUser}: {r}");
        }
        foreach (var admin in new[] { "RELOAD;", "PAUSE;", "SHUTDOWN;", "KILL shop;" })
        {
            var r = await Console(admin, pgpass);
            Assert.False(r.Ok, $"{admin} as {PgBouncerConfig.MonitorUser} was allowed");
            Assert.Contains("admin access needed", r.Stderr, StringComparison.Ordinal);
        }
        var readable = Path.Combine(_dir, "pgpass-readable");
        File.Copy(pgpass, readable);
        File.SetUnixFileMode(readable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.False((await Console("SHOW VERSION;", readable)).Ok);
    }
}
