using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// The MariaDB part wired into a stack: what a WordPress-style app with <c>needs.database.engine: mariadb</c>
/// brings, and what a stack without one does not get. The part itself is tested in <c>Parts/MariaDb</c>.
/// </summary>
public sealed class MariaDbBlueprintTests
{
    private const string Shop = """
        - name: shop
          image: wordpress:6.7.1-php8.3-apache
          port: 80
          routes: [{ host: shop }]
          healthPath: /wp-login.php
          cpus: 1
          memoryMb: 512
          needs: { database: { engine: mariadb, connectionLimit: 30 } }
        - name: shop-cron
          image: wordpress:cli-2.11.0-php8.3
          healthCommand: [CMD, wp, --info]
          cpus: 0.25
          memoryMb: 128
          needs: { databaseOf: shop }
        """;

    private static PlatformBlueprint Blueprint(string environment = "staging") =>
        TestStacks.Build(TestStacks.Yaml(TestStacks.DefaultApps + "\n" + Shop, environment: environment));

    [Fact]
    public void A_wordpress_style_app_plans_with_its_database_user_backup_and_monitor()
    {
        var b = Blueprint();
        Assert.Empty(Policies.Check(b));

        var db = Assert.Single(b.Databases, d => d.Engine == DatabaseEngine.MariaDb);
        Assert.Equal(("shop", "shop", 30, "app.shop.mariadb"), (db.Database, db.Role, db.ConnectionLimit, db.PasswordSecret));
        Assert.Equal(["shop", "shop-cron"], db.UsedBy.AsEnumerable());
        Assert.Contains(b.Secrets, x => x.Name == "app.shop.mariadb" && x.Source == SecretSource.Generated);
        Assert.Contains(b.Secrets, x => x.Name == MariaDbNames.RootSecret);

        var provision = Assert.Single(b.HostCommands, c => c.Name == HostCommandNames.MariaDbProvision);
        Assert.Contains("`shop`", provision.Stdin!.Masked, StringComparison.Ordinal);
        Assert.DoesNotContain("`api`", provision.Stdin!.Masked, StringComparison.Ordinal);
        Assert.Equal([ServiceNames.MariaDb], provision.DependsOnServices.AsEnumerable());

        Assert.Equal(["mariadb-daily", "mariadb-hourly"], b.Backups.Where(j => j.Name.StartsWith("mariadb", StringComparison.Ordinal)).Select(j => j.Name));
        Assert.All(b.Backups.Where(j => j.Name.StartsWith("mariadb", StringComparison.Ordinal)), j => Assert.EndsWith(": shop", j.What, StringComparison.Ordinal));
        var pgDaily = b.Backups.Single(j => j.Name == "postgres-daily");
        var mariaDaily = b.Backups.Single(j => j.Name == "mariadb-daily");
        Assert.Equal((pgDaily.Schedule, pgDaily.Retention), (mariaDaily.Schedule, mariaDaily.Retention));
        Assert.DoesNotContain("shop", pgDaily.What, StringComparison.Ordinal);

        Assert.Contains(b.Monitors, m => m.Kind == "tcp" && m.Target == "mariadb:3306");
        Assert.Contains(b.Monitors, m => m.Kind == "http" && m.Target == "https://shop.example.com/wp-login.php");
        Assert.Contains(b.Monitors, m => m.Kind == "push" && m.Target == "heartbeat backup-mariadb-daily");
        Assert.Contains(b.Budget.Lines, l => l.Name == ServiceNames.MariaDb && l.Kind == "data" && l.MemoryMb == 1024);

        var plan = PlanText.Render(b);
        Assert.Contains("database shop (MariaDB): user shop (connection limit 30, password app.shop.mariadb), rights on this database only; used by shop, shop-cron", plan, StringComparison.Ordinal);
        Assert.Contains("backup mariadb-daily: MariaDB daily (every app database): shop;", plan, StringComparison.Ordinal);
        Assert.Contains("mariadb[(MariaDB)]", PlanMermaid.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void MariaDB_is_on_the_data_network_only_publishes_nothing_and_keeps_root_local()
    {
        var b = Blueprint(environment: "prod");
        var m = b.Service(ServiceNames.MariaDb);
        Assert.Equal([ServiceNames.DataNetwork], m.Networks.Select(n => n.Network));
        Assert.Empty(m.PublishedPorts);
        Assert.Equal([3306], m.InternalPorts.AsEnumerable());
        Assert.Equal("localhost", m.Env["MARIADB_ROOT_HOST"].Masked);
        // Containers are replaceable; what must survive is the volume, protected on prod.
        Assert.Contains(b.Volumes, v => v.Name == MariaDbNames.DataVolume && v.Protect);
        Assert.Contains(m.Mounts, x => x.Source == MariaDbNames.DataVolume && x.Target == "/var/lib/mysql" && !x.ReadOnly);
        Assert.DoesNotContain(m.Env, e => e.Key == "MARIADB_ROOT_PASSWORD");
        var cnf = Assert.Single(m.Files, f => f.Path == MariaDbNames.ConfigPath);
        Assert.Contains("innodb_buffer_pool_size = 512M", cnf.Content.Masked, StringComparison.Ordinal);
        Assert.Equal(m.Limits.MemoryMb, b.Budget.Lines.Single(l => l.Name == ServiceNames.MariaDb).MemoryMb);
    }

    [Fact]
    public void The_app_gets_mysql_connection_env_and_waits_for_its_user()
    {
        var b = Blueprint();
        foreach (var name in new[] { "shop-1", "shop-cron-1" })
        {
            var app = b.Service(name);
            var env = app.Env.ToDictionary(e => e.Key, e => e.Value.Masked);
            Assert.Equal("mysql://shop:<secret:app.shop.mariadb>@mariadb:3306/shop", env["MYSQL_URL"]);
            Assert.Equal(("mariadb", "3306", "shop", "<secret:app.shop.mariadb>", "shop"),
                (env["MYSQL_HOST"], env["MYSQL_PORT"], env["MYSQL_USER"], env["MYSQL_PASSWORD"], env["MYSQL_DATABASE"]));
            Assert.True(app.Env["MYSQL_PASSWORD"].IsSecret);
            Assert.False(env.ContainsKey("DATABASE_URL"));
            Assert.Contains(ServiceNames.MariaDb, app.DependsOn);
            Assert.Contains(HostCommandNames.MariaDbProvision, app.AfterHostCommands);
            Assert.DoesNotContain(ServiceNames.PgBouncer, app.DependsOn);
            // On the app's own data network, which MariaDB is joined to, and not on the platform's.
            Assert.Contains(app.Networks, n => n.Network == AppNames.DataNetwork(app.App!));
            Assert.Contains(AppNames.DataNetwork(app.App!), b.NetworksOf(ServiceNames.MariaDb));
            Assert.DoesNotContain(app.Networks, n => n.Network == ServiceNames.DataNetwork);
        }
        Assert.Contains(b.Outputs, o => o.Name == "databaseUrl.shop" && o.Secret && o.Value.Masked.StartsWith("mysql://", StringComparison.Ordinal));
        // The PostgreSQL apps are as before: their databases are not in MariaDB's script, and MariaDB's not in theirs.
        var pg = b.HostCommands.Single(c => c.Name == HostCommandNames.PostgresProvision).Stdin!.Masked;
        Assert.DoesNotContain("shop", pg, StringComparison.Ordinal);
        Assert.Contains("postgres://api:", b.Service("api-1").Env["DATABASE_URL"].Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dump_agents_run_the_parts_exact_dump_command_and_get_a_schedule_of_the_one_runner_and_heartbeat()
    {
        var b = Blueprint();
        var runner = b.Service(Backups.RunnerName);
        foreach (var job in new[] { "mariadb-daily", "mariadb-hourly" })
        {
            var agent = b.Service($"backup-{job}-agent");
            Assert.Equal(MariaDbNames.DefaultImage, agent.Image);
            Assert.Empty(agent.Env);
            Assert.Equal([ServiceNames.MariaDb], agent.DependsOn.AsEnumerable());
            Assert.Contains($"--socket={MariaDbNames.SocketPath}", agent.HealthCheck.Test);
            var dump = Backups.ToShell(MariaDbBackups.DumpCommand("shop", Backups.DumpDir));
            Assert.Empty(agent.Labels);
            // The host's timer of the job execs the dump in its own agent.
            var timers = b.HostCommands.Single(c => c.Name == BackupsBlueprint.BackupTimersCommand).Stdin!.Masked;
            Assert.Contains($"docker exec backup-{job}-agent sh -c ", timers, StringComparison.Ordinal);
            Assert.Contains(dump, timers, StringComparison.Ordinal);

            var config = runner.Files.Single(f => f.Path == $"{Backups.JobsDirectory}/{job}.env").Content.Masked;
            Assert.Contains($"BACKUP_PRUNING_PREFIX=\"{job}-\"", config, StringComparison.Ordinal);
            Assert.Contains($"BACKUP_SOURCES=\"/backup/{job}\"", config, StringComparison.Ordinal);
            Assert.Contains(runner.Mounts, x => x.Source == $"backup-{job}-dumps" && x.Target == $"/backup/{job}" && x.ReadOnly);
            Assert.Contains($"systemctl enable --now platform-backup-{job}.timer", timers, StringComparison.Ordinal);
            Assert.Contains(b.Secrets, x => x.Name == $"backup-{job}-push-token");
            Assert.Contains(b.Budget.Lines, l => l.Name == $"backup-{job}-agent");
        }
        // Each agent once in the budget, the server once, and still one runner for every schedule.
        Assert.Single(b.Budget.Lines, l => l.Name == "backup-mariadb-daily-agent");
        Assert.Single(b.Budget.Lines, l => l.Name == ServiceNames.MariaDb);
        Assert.Single(b.Services, x => x.Image.StartsWith("offen/docker-volume-backup", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stack_without_a_mariadb_app_runs_no_mariadb()
    {
        var b = TestStacks.Build(TestStacks.Yaml());
        Assert.DoesNotContain(b.Services, s => s.Name.Contains("mariadb", StringComparison.Ordinal));
        Assert.DoesNotContain(b.Volumes, v => v.Name.Contains("mariadb", StringComparison.Ordinal));
        Assert.DoesNotContain(b.Secrets, s => s.Name.Contains("mariadb", StringComparison.Ordinal));
        Assert.DoesNotContain(b.HostCommands, c => c.Name == HostCommandNames.MariaDbProvision);
        Assert.DoesNotContain(b.Monitors, m => m.Target.Contains("mariadb", StringComparison.Ordinal));
        Assert.DoesNotContain(b.Budget.Lines, l => l.Name.Contains("mariadb", StringComparison.Ordinal));
    }

    [Fact]
    public void The_restore_script_covers_the_stacks_mariadb_databases()
    {
        var settings = TestStacks.Read(TestStacks.Yaml(TestStacks.DefaultApps + "\n" + Shop));
        var databases = MariaDbBlueprint.Requests(settings).Select(x => x.Request.Database).ToList();
        Assert.Equal(["shop"], databases);
        var script = MariaDbBackups.RestoreScript(databases, "mariadb-daily", "shop");
        Assert.Contains($"docker exec -i mariadb {Backups.ToShell(MariaDbBackups.RestoreCommand())} < \"$dir/shop.sql\"\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("mariadb", Backups.RestoreScript(BackupsBlueprint.BackupsInput(settings)!, "postgres-daily"), StringComparison.Ordinal);
    }
}
