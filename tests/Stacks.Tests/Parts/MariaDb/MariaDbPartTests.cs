using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.MariaDb;

namespace Platform.Stacks.Tests.Parts.MariaDb;

/// <summary>The MariaDB part's rendered settings, SQL, commands and spec, pinned value by value.</summary>
public sealed class MariaDbPartTests
{
    private static readonly MariaDbDatabaseRequest Shop = new("woocommerce", "woocommerce", "woocommerce", "mariadb-woocommerce", 30);
    private static readonly MariaDbDatabaseRequest Faces = new("faces", "faces", "faces_app", "mariadb-faces", 10);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData(1024, "512M", "128M")]
    [InlineData(2048, "1024M", "256M")]
    [InlineData(768, "384M", "96M")]
    [InlineData(1000, "384M", "96M")]
    [InlineData(256, "128M", "48M")]
    public void The_buffer_pool_is_half_the_memory_in_whole_chunks(int memoryMb, string pool, string redo)
    {
        var cnf = Lines(MariaDbConfig.ServerCnf(new MariaDbOptions(memoryMb)));
        Assert.Contains($"innodb_buffer_pool_size = {pool}", cnf);
        Assert.Contains($"innodb_log_file_size = {redo}", cnf);
    }

    [Fact]
    public void The_server_settings_are_pinned()
    {
        var cnf = MariaDbConfig.ServerCnf(new MariaDbOptions(1024));
        Assert.Equal(
        [
            "[mariadb]",
            "bind-address = 0.0.0.0", "port = 3306", "skip-name-resolve", "max_connections = 100", "max_connect_errors = 1000000", "local_infile = 0",
            "character_set_server = utf8mb4", "collation_server = utf8mb4_unicode_ci",
            "innodb_buffer_pool_size = 512M", "innodb_log_file_size = 128M", "tmp_table_size = 32M", "max_heap_table_size = 32M",
            "max_allowed_packet = 64M", "performance_schema = OFF",
            "innodb_flush_log_at_trx_commit = 1", "innodb_doublewrite = ON", "innodb_file_per_table = ON",
            "general_log = 0", "slow_query_log = 0", "long_query_time = 1", "log_warnings = 2",
            "default_time_zone = +00:00",
        ], Lines(cnf).Where(l => !l.StartsWith('#')));
        Assert.DoesNotContain("socket", cnf, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_that_would_not_fit_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MariaDbConfig.ServerCnf(new MariaDbOptions(200)));
        Assert.Throws<ArgumentOutOfRangeException>(() => MariaDbConfig.ServerCnf(new MariaDbOptions(1024) { BufferPoolMb = 1024 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MariaDbConfig.ServerCnf(new MariaDbOptions(1024) { BufferPoolMb = 300 }));
        Assert.Throws<ArgumentException>(() => MariaDbConfig.ServerCnf(new MariaDbOptions(1024) { Socket = "/tmp/x\nskip-grant-tables" }));
    }

    [Fact]
    public void The_provisioning_sql_is_pinned_and_holds_only_password_hashes()
    {
        var script = MariaDbProvisioning.Script([Shop, Faces]);
        var masked = script.Masked;
        Assert.Contains("SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';", masked, StringComparison.Ordinal);
        Assert.Contains("FOR a IN (SELECT User, Host FROM mysql.global_priv WHERE (User = 'root' AND Host <> 'localhost') OR User = '') DO", masked, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE IF NOT EXISTS `faces` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;", masked, StringComparison.Ordinal);
        Assert.Contains("CREATE USER IF NOT EXISTS 'faces_app'@'%' IDENTIFIED BY PASSWORD '<mysql-native-password:mariadb-faces>';", masked, StringComparison.Ordinal);
        Assert.Contains("ALTER USER 'faces_app'@'%' IDENTIFIED BY PASSWORD '<mysql-native-password:mariadb-faces>' WITH MAX_USER_CONNECTIONS 10 ACCOUNT UNLOCK PASSWORD EXPIRE NEVER;", masked, StringComparison.Ordinal);
        Assert.Contains("OR EXISTS (SELECT 1 FROM mysql.db WHERE User = 'faces_app' AND Host = '%' AND (Db <> 'faces' OR Grant_priv = 'Y'))", masked, StringComparison.Ordinal);
        Assert.Contains("    REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'faces_app'@'%';", masked, StringComparison.Ordinal);
        Assert.Contains("GRANT ALL PRIVILEGES ON `faces`.* TO 'faces_app'@'%';", masked, StringComparison.Ordinal);
        Assert.Contains("GRANT ALL PRIVILEGES ON `woocommerce`.* TO 'woocommerce'@'%';", masked, StringComparison.Ordinal);
        // Sorted by database, so the same requests in any order give the same script.
        Assert.True(masked.IndexOf("database faces,", StringComparison.Ordinal) < masked.IndexOf("database woocommerce,", StringComparison.Ordinal));
        Assert.Equal(script, MariaDbProvisioning.Script([Faces, Shop]));
        // Only derived parts: the plaintext password is never part of the script.
        Assert.DoesNotContain(script.Parts, p => p is SecretPart);
        Assert.Equal(["mariadb-faces", "mariadb-woocommerce"], script.Secrets.ToArray());
        var resolved = script.Resolve(_ => "plain-password-1");
        Assert.DoesNotContain("plain-password-1", resolved, StringComparison.Ordinal);
        Assert.Contains("IDENTIFIED BY PASSWORD '*" + Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(
            System.Security.Cryptography.SHA1.HashData("plain-password-1"u8.ToArray()))) + "'", resolved, StringComparison.Ordinal);
        Assert.DoesNotContain("DROP DATABASE", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Underscores_are_escaped_in_the_grant_pattern_only()
    {
        var masked = MariaDbProvisioning.Script([new MariaDbDatabaseRequest("a-b", "a_b", "a_b", "mariadb-a-b", 1)]).Masked;
        Assert.Contains("CREATE DATABASE IF NOT EXISTS `a_b` ", masked, StringComparison.Ordinal);
        Assert.Contains("GRANT ALL PRIVILEGES ON `a\\_b`.* TO 'a_b'@'%';", masked, StringComparison.Ordinal);
        Assert.Contains("AND (Db <> 'a\\\\_b' OR Grant_priv = 'Y')", masked, StringComparison.Ordinal);
        Assert.Contains("FROM mysql.tables_priv WHERE User = 'a_b' AND Host = '%' AND Db <> 'a_b')", masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x`y", "`x``y`")]
    [InlineData("plain", "`plain`")]
    public void Identifiers_are_quoted_with_backticks_doubled(string name, string quoted) => Assert.Equal(quoted, MariaDbNames.QuoteIdent(name));

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    [InlineData("\\'; DROP DATABASE x; --", "'\\\\''; DROP DATABASE x; --'")]
    public void Literals_escape_quote_and_backslash(string value, string quoted) => Assert.Equal(quoted, MariaDbNames.QuoteLiteral(value));

    [Fact]
    public void Nul_is_refused_in_names_and_literals()
    {
        Assert.Throws<ArgumentException>(() => MariaDbNames.QuoteIdent("a\0b"));
        Assert.Throws<ArgumentException>(() => MariaDbNames.QuoteLiteral("a\0b"));
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_its_key_and_fix()
    {
        var settings = new MariaDbSettings { Image = "mariadb:latest", MemoryMb = 128, Cpus = 0, MaxConnections = 20, BufferPoolMb = 100 };
        MariaDbDatabaseRequest[] requests =
        [
            new("shop", "Shop", "root", "", 0),
            new("blog", "mysql", "blog", "mariadb-blog", 15),
            new("crm", "blog", "blog", "mariadb-crm", 15),
            new("big", new string('d', 65), new string('u', 129), "mariadb-big", 5),
        ];
        var errors = MariaDbValidation.Errors(settings, requests, "platform:mariadb", i => $"platform:apps[{i}].needs.database");
        var keys = errors.Select(e => e.Key).ToList();
        Assert.Equal(
        [
            "platform:mariadb.image", "platform:mariadb.memoryMb", "platform:mariadb.cpus", "platform:mariadb.bufferPoolMb",
            "platform:apps[0].needs.database.database", "platform:apps[0].needs.database.user", "platform:apps[0].needs.database.passwordSecret",
            "platform:apps[0].needs.database.connectionLimit",
            "platform:apps[1].needs.database.database",
            "platform:apps[3].needs.database.database", "platform:apps[3].needs.database.user",
            "platform:apps[2].needs.database.user",
            "platform:mariadb.maxConnections",
        ], keys);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
        Assert.Contains("reserved", errors.Single(e => e.Key == "platform:apps[1].needs.database.database").Problem, StringComparison.Ordinal);
        Assert.Contains("at most 128", errors.Single(e => e.Key == "platform:apps[3].needs.database.user").Problem, StringComparison.Ordinal);
        Assert.Contains("35", errors.Single(e => e.Key == "platform:mariadb.maxConnections").Problem, StringComparison.Ordinal);
        Assert.Empty(MariaDbValidation.Errors(new MariaDbSettings(), [Shop, Faces]));
    }

    [Fact]
    public void Build_refuses_invalid_input_listing_every_error()
    {
        var e = Assert.Throws<ArgumentException>(() => MariaDbPart.Build(new MariaDbSettings { Image = "mariadb" }, [Shop with { Database = "a;b" }]));
        Assert.Contains("platform:mariadb.image", e.Message, StringComparison.Ordinal);
        Assert.Contains("platform:mariadb.databases[0].database", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_is_a_pinned_private_singleton_on_the_data_network()
    {
        var part = MariaDbPart.Build(new MariaDbSettings { Protect = true }, [Shop, Faces]);
        var s = part.Service;
        Assert.Equal("mariadb", s.Name);
        Assert.Equal("mariadb", s.ContainerName);
        Assert.Equal(Replacement.DeleteBeforeCreate, s.Replacement);
        Assert.Equal(ServiceKind.Data, s.Kind);
        Assert.Equal("mariadb:10.11.18", s.Image);
        Assert.Empty(s.PublishedPorts);
        Assert.Equal([3306], s.InternalPorts.ToArray());
        var network = Assert.Single(s.Networks);
        Assert.Equal("data", network.Network);
        Assert.Equal(["mariadb"], network.Aliases.ToArray());
        Assert.Equal(["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"], s.HealthCheck.Test.ToArray());
        Assert.Equal(60, s.HealthCheck.StartPeriodSeconds);
        Assert.Equal(new ResourceLimits(1024, 1.0), s.Limits);
        Assert.Equal(Conventions.RestartPolicy, s.RestartPolicy);
        Assert.Equal(Conventions.Log, s.Log);
        Assert.Contains(new MountSpec(Platform.Stacks.Blueprint.MountKind.Volume, "mariadb-data", "/var/lib/mysql", false), s.Mounts);
        Assert.Contains(new MountSpec(Platform.Stacks.Blueprint.MountKind.Volume, "mariadb-run", "/run/mysqld", false), s.Mounts);
        Assert.Equal(["mariadb-data", "mariadb-run"], part.Volumes.Select(v => v.Name));
        Assert.True(part.Volumes[0].Protect);
        var file = Assert.Single(s.Files);
        Assert.Equal("/etc/mysql/conf.d/zz-platform.cnf", file.Path);
        Assert.Equal(part.Config, file.Content.Masked);
        Assert.Contains("skip-name-resolve", part.Config, StringComparison.Ordinal);
        Assert.Equal("localhost", s.Env["MARIADB_ROOT_HOST"].Masked);
        Assert.Equal("<mysql-native-password:mariadb-root>", s.Env["MARIADB_ROOT_PASSWORD_HASH"].Masked);
        Assert.DoesNotContain(s.Env.Keys, k => k is "MARIADB_ROOT_PASSWORD" or "MARIADB_RANDOM_ROOT_PASSWORD" or "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD");
    }

    [Fact]
    public void The_provisioning_host_command_pipes_the_script_into_the_container()
    {
        var part = MariaDbPart.Build(new MariaDbSettings(), [Shop, Faces]);
        Assert.Equal("mariadb-provision", part.Provision.Name);
        Assert.Equal($"docker exec -i mariadb sh -c '{MariaDbPart.ProvisionClientScript}'", part.Provision.Create);
        Assert.Contains("mariadb --batch --binary-mode", MariaDbPart.ProvisionClientScript, StringComparison.Ordinal);
        Assert.Equal(MariaDbProvisioning.Script([Shop, Faces]), part.Provision.Stdin);
        Assert.Equal(["mariadb"], part.Provision.DependsOnServices.ToArray());
    }

    [Fact]
    public void Backups_follow_the_postgres_schedules_and_retention()
    {
        var part = MariaDbPart.Build(new MariaDbSettings(), [Shop, Faces]);
        var policy = new BackupPolicy();
        Assert.Equal(["mariadb-daily", "mariadb-hourly"], part.Backups.Select(j => j.Name));
        Assert.Equal((policy.PostgresDailySchedule, policy.PostgresDailyRetentionDays), (part.Backups[0].Schedule, part.Backups[0].RetentionDays));
        Assert.Equal((policy.PostgresHourlySchedule, 1), (part.Backups[1].Schedule, part.Backups[1].RetentionDays));
        var job = part.Backups[0];
        Assert.Equal(
        [
            "mariadb-dump", "--no-defaults", "--socket=/run/mysqld/mysqld.sock", "--user=root", "--single-transaction", "--routines", "--triggers",
            "--events", "--hex-blob", "--default-character-set=utf8mb4", "--skip-dump-date", "--result-file=/dumps/faces.sql", "--databases", "faces",
        ], job.DumpCommands[0].ToArray());
        Assert.Equal("woocommerce", job.DumpCommands[1][^1]);
        Assert.Empty(job.Agent.Labels);
        Assert.StartsWith("set -eu; rm -f /dumps/*.sql; mariadb-dump --no-defaults", job.DumpScript, StringComparison.Ordinal);
        Assert.Equal("mariadb:10.11.18", job.Agent.Image);
        Assert.Empty(job.Agent.Secrets);
        Assert.Contains(Mount.Volume("mariadb-run", "/run/mysqld"), job.Agent.Mounts);
        Assert.Contains(Mount.Volume("backup-mariadb-daily-dumps", "/dumps"), job.Agent.Mounts);
        Assert.Empty(MariaDbPart.Build(new MariaDbSettings(), [Shop], new MariaDbPartContext { Backups = null }).Backups);
    }

    [Fact]
    public void The_restore_script_restores_inside_the_container_per_database()
    {
        var script = MariaDbBackups.RestoreScript(["woocommerce", "faces"], "mariadb-daily", only: "faces");
        Assert.Contains("docker exec -i mariadb mariadb --no-defaults --socket=/run/mysqld/mysqld.sock --user=root --batch --binary-mode < \"$dir/faces.sql\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("woocommerce.sql", script, StringComparison.Ordinal);
        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        Assert.Contains("set -eu\n", script, StringComparison.Ordinal);
        Assert.Equal(2, Lines(MariaDbBackups.RestoreScript(["woocommerce", "faces"], "mariadb-daily")).Count(l => l.StartsWith("docker exec", StringComparison.Ordinal)));
        Assert.Throws<ArgumentException>(() => MariaDbBackups.RestoreScript(["faces"], "mariadb-daily", only: "shop"));
    }

    [Fact]
    public void Apps_get_a_url_and_its_parts_with_the_password_as_a_reference()
    {
        var part = MariaDbPart.Build(new MariaDbSettings(), [Shop, Faces]);
        var env = part.AppEnv["faces"];
        Assert.Equal("mysql://faces_app:<secret:mariadb-faces>@mariadb:3306/faces", env["MYSQL_URL"].Masked);
        Assert.Equal("mariadb", env["MYSQL_HOST"].Masked);
        Assert.Equal("3306", env["MYSQL_PORT"].Masked);
        Assert.Equal("faces_app", env["MYSQL_USER"].Masked);
        Assert.Equal("faces", env["MYSQL_DATABASE"].Masked);
        Assert.Equal(SecretText.Of(new SecretPart("mariadb-faces")), env["MYSQL_PASSWORD"]);
        Assert.All(env.Values.Where(v => v.IsSecret), v => Assert.Equal(["mariadb-faces"], v.Secrets.ToArray()));
    }

    [Fact]
    public void Monitor_budget_and_secrets_come_with_the_part()
    {
        var part = MariaDbPart.Build(new MariaDbSettings { MemoryMb = 1536 }, [Shop, Faces], new MariaDbPartContext { Notification = "alerts" });
        Assert.Equal(new DataService("MariaDB", "mariadb", 3306), part.DataService);
        Assert.Equal(MonitorKind.Tcp, part.Monitor.Kind);
        Assert.Equal("tcp-mariadb", part.Monitor.Id);
        Assert.Equal("mariadb:3306", part.Monitor.Target);
        Assert.Equal("alerts", part.Monitor.Notification);
        Assert.Equal(MonitorSpec.DefaultIntervalSeconds, part.Monitor.IntervalSeconds);
        Assert.Equal(new BudgetLine("mariadb", "data", 1, 1536), part.Budget[0]);
        Assert.Equal(1536 + 2 * 256, part.Budget.Sum(l => l.TotalMb));
        Assert.Equal(["mariadb-faces", "mariadb-root", "mariadb-woocommerce"], part.Secrets.Select(x => x.Name).Order(StringComparer.Ordinal));
        Assert.All(part.Secrets, x => Assert.Equal(SecretSource.Generated, x.Source));
    }

    [Fact]
    public void The_masked_hash_never_shows_a_value()
    {
        var text = SecretText.Of(new DerivedSecretPart("mariadb-root", SecretDerivation.MysqlNativePassword, ""));
        Assert.Equal("<mysql-native-password:mariadb-root>", text.Masked);
        Assert.Equal("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19", text.Resolve(_ => "password"));
    }
}
