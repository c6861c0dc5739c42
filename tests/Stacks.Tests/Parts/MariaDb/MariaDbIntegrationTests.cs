using MySqlConnector;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Parts.MariaDb;

/// <summary>The rendered MariaDB settings and provisioning SQL, against a real MariaDB 10.11 server.</summary>
[Trait("Category", "Integration")]
public sealed class MariaDbIntegrationTests(MariaDbFixture f) : IClassFixture<MariaDbFixture>
{
    private static async Task<MySqlConnection> OpenAsync(string connectionString)
    {
        var conn = new MySqlConnection(connectionString);
        await conn.OpenAsync();
        return conn;
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = await OpenAsync(connectionString);
        await using var cmd = new MySqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<MySqlException> RefusedAsync(string connectionString, string? sql = null)
    {
        return await Assert.ThrowsAsync<MySqlException>(async () =>
        {
            await using var conn = await OpenAsync(connectionString);
            if (sql is not null)
            {
                await using var cmd = new MySqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        });
    }

    /// <summary>Everything provisioning decides: databases, accounts (as SHOW CREATE USER prints them) and every grant.</summary>
    private async Task<List<string>> SnapshotAsync()
    {
        var lines = new List<string>();
        lines.AddRange((await f.Server.QueryAsync("SELECT schema_name, default_character_set_name, default_collation_name FROM information_schema.schemata ORDER BY 1"))
            .Select(r => "db " + string.Join(' ', r)));
        foreach (var account in await f.Server.QueryAsync("SELECT QUOTE(User), QUOTE(Host) FROM mysql.global_priv ORDER BY User, Host"))
        {
            var name = $"{account[0]}@{account[1]}";
            lines.AddRange((await f.Server.QueryAsync($"SHOW CREATE USER {name}")).Select(r => "user " + r[0]));
            lines.AddRange((await f.Server.QueryAsync($"SHOW GRANTS FOR {name}")).Select(r => "grant " + r[0]));
        }
        // Every privilege table, in full except grant timestamps (which say when, not what).
        foreach (var sql in new[]
                 {
                     "SELECT User, Host, JSON_REMOVE(Priv, '$.password_last_changed') FROM mysql.global_priv ORDER BY 1, 2",
                     "SELECT * FROM mysql.db ORDER BY 1, 2, 3",
                     "SELECT Host, Db, User, Table_name, Grantor, Table_priv, Column_priv FROM mysql.tables_priv ORDER BY 1, 2, 3, 4",
                     "SELECT Host, Db, User, Table_name, Column_name, Column_priv FROM mysql.columns_priv ORDER BY 1, 2, 3, 4, 5",
                     "SELECT Host, Db, User, Routine_name, Routine_type, Grantor, Proc_priv FROM mysql.procs_priv ORDER BY 1, 2, 3, 4",
                     "SELECT * FROM mysql.roles_mapping ORDER BY 1, 2, 3",
                     "SELECT Host, User, Proxied_host, Proxied_user, With_grant FROM mysql.proxies_priv ORDER BY 1, 2, 3, 4",
                 })
            lines.AddRange((await f.Server.QueryAsync(sql)).Select(r => sql[..30] + " | " + string.Join(' ', r)));
        return lines;
    }

    [Fact]
    public async Task Rendered_settings_are_accepted_and_in_effect()
    {
        Assert.DoesNotContain("[ERROR]", f.Server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown variable", f.Server.Log, StringComparison.OrdinalIgnoreCase);
        var row = (await f.Server.QueryAsync(
            "SELECT @@innodb_buffer_pool_size, @@innodb_log_file_size, @@max_connections, @@skip_name_resolve, @@character_set_server, " +
            "@@collation_server, @@local_infile, @@general_log, @@slow_query_log, @@long_query_time, @@performance_schema, @@max_allowed_packet, " +
            "@@tmp_table_size, @@innodb_flush_log_at_trx_commit, @@time_zone, @@bind_address, @@port")).Single();
        Assert.Equal(
            ["134217728", "50331648", "100", "1", "utf8mb4", "utf8mb4_unicode_ci", "0", "0", "0", "1.000000", "0", "67108864", "33554432", "1", "+00:00",
                f.Server.Host, f.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            row);
    }

    [Fact]
    public async Task Each_user_holds_all_on_its_own_database_and_nothing_else()
    {
        var grants = (await f.Server.QueryAsync("SHOW GRANTS FOR 'a_b'@'%'")).Select(r => r[0]).ToList();
        Assert.Equal(2, grants.Count);
        Assert.StartsWith("GRANT USAGE ON *.* TO `a_b`@`%` IDENTIFIED BY PASSWORD '*", grants[0], StringComparison.Ordinal);
        Assert.EndsWith("WITH MAX_USER_CONNECTIONS 3", grants[0], StringComparison.Ordinal);
        Assert.Equal("GRANT ALL PRIVILEGES ON `a\\_b`.* TO `a_b`@`%`", grants[1]);
        var plugin = await f.Server.ScalarAsync("SELECT JSON_VALUE(Priv, '$.plugin') FROM mysql.global_priv WHERE User = 'shop'");
        Assert.Equal("mysql_native_password", plugin);
    }

    [Fact]
    public async Task Provisioning_twice_changes_nothing()
    {
        var before = await SnapshotAsync();
        Assert.Contains(before, l => l.Contains("GRANT ALL PRIVILEGES ON `shop`.* TO `shop`@`%`", StringComparison.Ordinal));
        await f.ProvisionAsync();
        var after = await SnapshotAsync();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task An_app_cannot_open_another_apps_database()
    {
        Assert.Equal(1L, Convert.ToInt64(await ScalarAsync(f.ConnectionString(MariaDbFixture.Shop), "SELECT 1"), System.Globalization.CultureInfo.InvariantCulture));
        var e = await RefusedAsync(f.ConnectionString(MariaDbFixture.Shop, database: "faces"));
        Assert.Equal(MySqlErrorCode.DatabaseAccessDenied, e.ErrorCode);

        await f.Server.SqlAsync("CREATE TABLE IF NOT EXISTS faces.embeddings (id int PRIMARY KEY); CREATE DATABASE IF NOT EXISTS axb; CREATE TABLE IF NOT EXISTS axb.t (i int);");
        e = await RefusedAsync(f.ConnectionString(MariaDbFixture.Shop), "SELECT * FROM faces.embeddings");
        Assert.Equal(MySqlErrorCode.TableAccessDenied, e.ErrorCode);
        e = await RefusedAsync(f.ConnectionString(MariaDbFixture.Shop), "CREATE DATABASE shop2");
        Assert.Equal(MySqlErrorCode.DatabaseAccessDenied, e.ErrorCode);

        // The underscore in a_b is escaped in the grant: its user reaches a_b, not axb.
        await ScalarAsync(f.ConnectionString(MariaDbFixture.Underscore), "CREATE TABLE IF NOT EXISTS t (i int)");
        e = await RefusedAsync(f.ConnectionString(MariaDbFixture.Underscore, database: "axb"));
        Assert.Equal(MySqlErrorCode.DatabaseAccessDenied, e.ErrorCode);
    }

    [Fact]
    public async Task Root_is_refused_over_tcp_and_a_remote_or_anonymous_account_is_dropped()
    {
        foreach (var password in new[] { "", "root", f.Secrets[MariaDbFixture.Shop.PasswordSecret] })
            Assert.Equal(MySqlErrorCode.AccessDenied, (await RefusedAsync(f.Server.ConnectionString(null, "root", password))).ErrorCode);

        await f.Server.SqlAsync("CREATE USER 'root'@'%' IDENTIFIED BY 'guessable'; GRANT ALL ON *.* TO 'root'@'%'; CREATE USER ''@'localhost';");
        await ScalarAsync(f.Server.ConnectionString(null, "root", "guessable"), "SELECT 1");
        await f.ProvisionAsync();
        Assert.Equal("localhost", await f.Server.ScalarAsync("SELECT GROUP_CONCAT(Host) FROM mysql.global_priv WHERE User IN ('root', '')"));
        Assert.Equal(MySqlErrorCode.AccessDenied, (await RefusedAsync(f.Server.ConnectionString(null, "root", "guessable"))).ErrorCode);
    }

    [Fact]
    public async Task Broader_grants_added_by_hand_are_revoked()
    {
        var before = await SnapshotAsync();
        await f.Server.SqlAsync("""
            GRANT PROCESS ON *.* TO 'faces'@'%';
            GRANT SELECT ON `shop`.* TO 'faces'@'%';
            GRANT ALL ON `faces`.* TO 'faces'@'%' WITH GRANT OPTION;
            CREATE TABLE IF NOT EXISTS shop.orders (id int PRIMARY KEY);
            GRANT SELECT (id) ON shop.orders TO 'faces'@'%';
            CREATE ROLE IF NOT EXISTS snoop; GRANT SELECT ON shop.* TO snoop; GRANT snoop TO 'faces'@'%';
            """);
        Assert.Equal(1L, Convert.ToInt64(await ScalarAsync(f.ConnectionString(MariaDbFixture.Faces), "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'shop'"),
            System.Globalization.CultureInfo.InvariantCulture));
        await f.ProvisionAsync();
        await f.Server.SqlAsync("DROP ROLE snoop; DROP TABLE shop.orders;");
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(0L, Convert.ToInt64(await ScalarAsync(f.ConnectionString(MariaDbFixture.Faces), "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'shop'"),
            System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Password_rotation_takes_effect_and_the_old_password_fails()
    {
        var app = MariaDbFixture.Rotor;
        var old = f.Secrets[app.PasswordSecret];
        await ScalarAsync(f.ConnectionString(app), "SELECT 1");
        f.Secrets[app.PasswordSecret] = Integration.Secrets.NewPassword();
        await f.ProvisionAsync();
        Assert.Equal(MySqlErrorCode.AccessDenied, (await RefusedAsync(f.ConnectionString(app, password: old))).ErrorCode);
        await ScalarAsync(f.ConnectionString(app), "SELECT 1");
    }

    [Fact]
    public async Task The_connection_limit_is_enforced()
    {
        var app = MariaDbFixture.Underscore;
        var open = new List<MySqlConnection>();
        try
        {
            for (var i = 0; i < app.ConnectionLimit; i++) open.Add(await OpenAsync(f.ConnectionString(app)));
            Assert.Equal(MySqlErrorCode.UserLimitReached, (await RefusedAsync(f.ConnectionString(app))).ErrorCode);
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_connection_env_reaches_the_apps_database()
    {
        var env = MariaDbConnection.Env(MariaDbFixture.Faces, f.Server.Host, f.Server.Port);
        Assert.Equal($"mysql://faces:<secret:mariadb-faces>@{f.Server.Host}:{f.Server.Port}/faces", env[MariaDbConnection.UrlEnv].Masked);
        var url = new Uri(f.Resolve(env[MariaDbConnection.UrlEnv]));
        var userInfo = url.UserInfo.Split(':');
        var cs = f.Server.ConnectionString(url.AbsolutePath.TrimStart('/'), userInfo[0], userInfo[1]);
        Assert.Equal("faces", await ScalarAsync(cs, "SELECT DATABASE()"));
        Assert.Equal(f.Secrets["mariadb-faces"], f.Resolve(env[MariaDbConnection.PasswordEnv]));
    }

    [Fact]
    public async Task The_derived_hash_is_the_servers_own()
    {
        foreach (var password in new[] { "abcDEF123", "ünïcode ✓", f.Secrets["mariadb-shop"] })
        {
            var serverHash = await f.Server.ScalarAsync($"SELECT PASSWORD({MariaDbNames.QuoteLiteral(password)})");
            Assert.Equal(serverHash, SecretDerivations.Apply(SecretDerivation.MysqlNativePassword, password, ""));
        }
    }

    [Fact]
    public async Task The_name_limits_are_the_servers()
    {
        var db = new string('d', MariaDbNames.MaxDatabaseLength);
        var user = new string('u', MariaDbNames.MaxUserLength);
        await f.Server.SqlAsync($"CREATE DATABASE {MariaDbNames.QuoteIdent(db)}; DROP DATABASE {MariaDbNames.QuoteIdent(db)};");
        await f.Server.SqlAsync($"CREATE USER {MariaDbNames.Account(user)}; DROP USER {MariaDbNames.Account(user)};");
        Assert.Contains("ERROR 1102", (await f.Server.TrySqlAsync($"CREATE DATABASE {MariaDbNames.QuoteIdent(db + "d")}")).Stderr, StringComparison.Ordinal);
        Assert.Contains("ERROR 1470", (await f.Server.TrySqlAsync($"CREATE USER {MariaDbNames.Account(user + "u")}")).Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shop`; DROP DATABASE faces; --")]
    [InlineData("x' OR '1'='1")]
    [InlineData("a\\'; DROP DATABASE faces; #")]
    [InlineData("evil`.* TO 'shop'@'%'; GRANT ALL ON *.* TO 'shop'@'%'; --")]
    public async Task Names_with_sql_metacharacters_are_refused_and_quoting_holds_anyway(string evil)
    {
        // Validation refuses the name as a database and as a user, naming the keys.
        var errors = MariaDbValidation.Errors(new MariaDbSettings(), [new MariaDbDatabaseRequest("evil", evil, evil, "mariadb-evil", 1)],
            requestKey: i => $"platform:apps[{i}].needs.database");
        Assert.Contains(errors, e => e.Key == "platform:apps[0].needs.database.database");
        Assert.Contains(errors, e => e.Key == "platform:apps[0].needs.database.user");
        Assert.Throws<ArgumentException>(() => MariaDbProvisioning.Script([new MariaDbDatabaseRequest("evil", evil, evil, "mariadb-evil", 1)]));

        // Bypassing validation, the quoting still makes the name one identifier and one string.
        var before = await SnapshotAsync();
        await f.Server.SqlAsync($"SET SESSION sql_mode = {MariaDbNames.QuoteLiteral(MariaDbProvisioning.SqlMode)}; CREATE DATABASE {MariaDbNames.QuoteIdent(evil)}; CREATE USER {MariaDbNames.Account(evil)};");
        try
        {
            Assert.Equal(evil, await f.Server.ScalarAsync($"SET SESSION sql_mode = {MariaDbNames.QuoteLiteral(MariaDbProvisioning.SqlMode)}; SELECT schema_name FROM information_schema.schemata WHERE schema_name = {MariaDbNames.QuoteLiteral(evil)}"));
            Assert.Equal("USAGE", await f.Server.ScalarAsync($"SET SESSION sql_mode = {MariaDbNames.QuoteLiteral(MariaDbProvisioning.SqlMode)}; SELECT IF(JSON_VALUE(Priv, '$.access') = 0, 'USAGE', 'MORE') FROM mysql.global_priv WHERE User = {MariaDbNames.QuoteLiteral(evil)}"));
        }
        finally
        {
            await f.Server.SqlAsync($"SET SESSION sql_mode = {MariaDbNames.QuoteLiteral(MariaDbProvisioning.SqlMode)}; DROP DATABASE {MariaDbNames.QuoteIdent(evil)}; DROP USER {MariaDbNames.Account(evil)};");
        }
        Assert.Equal(before, await SnapshotAsync());
    }
}
