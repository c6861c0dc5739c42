using System.Collections.Concurrent;
using Npgsql;
using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Integration;

/// <summary>The rendered PostgreSQL settings, provisioning SQL and PgBouncer files, against real servers.</summary>
[Trait("Category", "Integration")]
public sealed class PostgresIntegrationTests(DataTierFixture f) : IClassFixture<DataTierFixture>
{
    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Rendered_settings_are_all_valid_and_in_effect()
    {
        var su = f.Postgres.SuperuserConnectionString;
        Assert.Equal(0L, await ScalarAsync<long>(su, "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL OR NOT applied"));
        Assert.Equal(0L, await ScalarAsync<long>(su, "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL"));
        Assert.Equal("64MB", await ScalarAsync<string>(su, "SHOW shared_buffers"));
        Assert.Equal("192MB", await ScalarAsync<string>(su, "SHOW effective_cache_size"));
        Assert.Equal("32MB", await ScalarAsync<string>(su, "SHOW work_mem"));
        Assert.Equal("256MB", await ScalarAsync<string>(su, "SHOW maintenance_work_mem"));
        Assert.Equal("32MB", await ScalarAsync<string>(su, "SHOW wal_buffers"));
        Assert.Equal("100", await ScalarAsync<string>(su, "SHOW max_connections"));
        Assert.Equal("scram-sha-256", await ScalarAsync<string>(su, "SHOW password_encryption"));
        // Only scram-sha-256 over TCP (the superuser's rejected except from loopback); the local socket only for postgres by peer.
        var methods = await ScalarAsync<string>(su, "SELECT string_agg(DISTINCT type || ':' || auth_method || ':' || array_to_string(user_name, ','), ' ' ORDER BY type || ':' || auth_method || ':' || array_to_string(user_name, ',')) FROM pg_hba_file_rules");
        Assert.Equal("host:reject:postgres host:scram-sha-256:all host:scram-sha-256:postgres local:peer:postgres", methods);
        // The app roles' passwords are the verifiers we computed: byte for byte.
        Assert.Equal(Scram.Verifier(f.Secret(DataTierFixture.Shop.PasswordSecret), "shop"),
            await ScalarAsync<string>(su, "SELECT rolpassword FROM pg_authid WHERE rolname = 'shop'"));
        // The health check command works.
        var hc = PostgresConfig.HealthCheckTest(new PostgresOptions(256) { Port = f.Postgres.Port });
        Assert.True((await Proc.RunAsync(f.Postgres.Tool(hc[1]), hc.Skip(2))).Ok);
    }

    [Fact]
    public async Task Each_app_commits_work_through_PgBouncer_in_transaction_mode()
    {
        var config = await f.PgBouncer.AdminAsync(PgBouncerConfig.DefaultStatsUser, f.Secret(DataTierFixture.StatsSecret), "SHOW CONFIG;");
        Assert.Contains("pool_mode|transaction", config, StringComparison.Ordinal);
        Assert.Contains("auth_type|scram-sha-256", config, StringComparison.Ordinal);

        foreach (var app in new[] { DataTierFixture.Shop, DataTierFixture.Blog })
        {
            var cs = f.ViaBouncer(app, pooling: true);
            await ExecAsync(cs, "CREATE TABLE IF NOT EXISTS work (id int PRIMARY KEY, who text NOT NULL)");
            await ExecAsync(cs, "TRUNCATE work");
            // Concurrent clients, one transaction each, multiplexed over the pool.
            await Parallel.ForEachAsync(Enumerable.Range(1, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                await using var conn = new NpgsqlConnection(cs);
                await conn.OpenAsync(ct);
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand("INSERT INTO work VALUES ($1, current_user)", conn, tx))
                {
                    cmd.Parameters.AddWithValue(i);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
            });
            Assert.Equal(40L, await ScalarAsync<long>(f.Direct(app), $"SELECT count(*) FROM work WHERE who = '{app.Role}'"));
            // The extensions were created by provisioning.
            foreach (var ext in app.Extensions)
                Assert.Equal(1L, await ScalarAsync<long>(f.ViaBouncer(app), $"SELECT count(*) FROM pg_extension WHERE extname = '{ext}'"));
            NpgsqlConnection.ClearAllPools();
        }

        var pools = await f.PgBouncer.AdminAsync(PgBouncerConfig.DefaultStatsUser, f.Secret(DataTierFixture.StatsSecret), "SHOW POOLS;");
        Assert.Contains("shop|shop|", pools, StringComparison.Ordinal);
        Assert.Contains("|transaction", pools, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_cannot_open_another_apps_database_directly_or_through_PgBouncer()
    {
        var shop = DataTierFixture.Shop;
        var direct = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(f.Direct(shop, database: "blog"), "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, direct.SqlState);
        var bounced = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(f.ViaBouncer(shop, database: "blog"), "SELECT 1"));
        Assert.Contains("permission denied for database", bounced.MessageText, StringComparison.Ordinal);
        // Nor the maintenance database (provisioning revokes PUBLIC's CONNECT there too), nor as another role with its own password.
        var pg = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(f.Direct(shop, database: "postgres"), "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, pg.SqlState);
        var wrong = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(f.Direct(DataTierFixture.Blog, password: f.Secret(shop.PasswordSecret)), "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, wrong.SqlState);
        // PUBLIC has nothing on schema public inside an app database; the owner has all.
        Assert.Equal("{pg_database_owner=UC/pg_database_owner,shop=UC/pg_database_owner}",
            await ScalarAsync<string>(f.Direct(shop), "SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'"));
        Assert.False(await ScalarAsync<bool>(f.Direct(shop), "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = current_user"));
    }

    private const string CatalogSnapshotSql = """
        SELECT string_agg(line, E'\n' ORDER BY line) FROM (
          SELECT format('role %s oid=%s login=%s super=%s createdb=%s createrole=%s repl=%s bypass=%s limit=%s pw=%s',
                        rolname, oid, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolconnlimit, rolpassword) AS line
            FROM pg_authid WHERE rolname NOT LIKE 'pg\_%'
          UNION ALL
          SELECT format('db %s oid=%s owner=%s acl=%s', datname, oid, datdba::regrole, datacl) FROM pg_database
        ) s
        """;

    private const string DatabaseSnapshotSql = """
        SELECT string_agg(line, E'\n' ORDER BY line) FROM (
          SELECT format('schema %s owner=%s acl=%s', nspname, nspowner::regrole, nspacl) AS line FROM pg_namespace WHERE nspname = 'public'
          UNION ALL
          SELECT format('ext %s oid=%s version=%s', extname, oid, extversion) FROM pg_extension
        ) s
        """;

    private async Task<string> SnapshotAsync()
    {
        var su = f.Postgres.SuperuserConnectionString;
        var parts = new List<string> { await ScalarAsync<string>(su, CatalogSnapshotSql) };
        foreach (var app in DataTierFixture.Apps)
            parts.Add(await ScalarAsync<string>(f.Postgres.ConnectionString(app.Database, "postgres", f.Postgres.SuperuserPassword), DatabaseSnapshotSql));
        return string.Join("\n", parts);
    }

    [Fact]
    public async Task Re_running_the_provisioning_script_succeeds_and_changes_nothing()
    {
        var script = f.Resolve(PostgresProvisioning.Script(DataTierFixture.Apps));
        var before = await SnapshotAsync();
        await f.Postgres.PsqlAsync(script);
        await f.Postgres.PsqlAsync(script);
        var after = await SnapshotAsync();
        Assert.Equal(before, after);
        Assert.Contains("role shop oid=", before, StringComparison.Ordinal);
        Assert.Contains("ext pg_trgm", before, StringComparison.Ordinal);
        Assert.Contains("ext uuid-ossp", before, StringComparison.Ordinal);
        Assert.DoesNotContain(f.Secret(DataTierFixture.Shop.PasswordSecret), before, StringComparison.Ordinal);
    }

    /// <summary>
    /// A failing statement's text never reaches the log: psql would otherwise quote it ("LINE 1: … PASSWORD
    /// 'SCRAM-SHA-256$…'"), and PL/pgSQL's CONTEXT the EXECUTEd statement, and the host command's output is the
    /// deployment's log. The rendered script's own settings make psql terse.
    /// </summary>
    [Fact]
    public async Task A_statement_that_fails_after_the_rendered_header_is_reported_without_its_text()
    {
        var script = f.Resolve(PostgresProvisioning.Script(DataTierFixture.Apps));
        const string verifier = "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5$c2VydmVya2V5";
        var failing = script
            + $"ALTER ROLE shop PASSWORD '{verifier}' VALID UNTIL bogus;\n";
        var plain = await f.Postgres.TryPsqlAsync($"ALTER ROLE shop PASSWORD '{verifier}' VALID UNTIL bogus;\n");
        Assert.False(plain.Ok);
        // What psql prints without the header: the line around the error, with the verifier's tail in it.
        Assert.Contains("LINE 1:", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains("c2VydmVya2V5", plain.Stderr, StringComparison.Ordinal);
        var result = await f.Postgres.TryPsqlAsync(failing);
        Assert.False(result.Ok);
        Assert.Contains("syntax error", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SCRAM-SHA-256$", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VydmVya2V5", result.Stderr + result.Stdout, StringComparison.Ordinal);

        var inBlock = script + $"DO $b$ BEGIN EXECUTE format('ALTER ROLE no_such_role PASSWORD %L', '{verifier}'); END $b$;\n";
        var blockResult = await f.Postgres.TryPsqlAsync(inBlock);
        Assert.False(blockResult.Ok);
        Assert.Contains("no_such_role", blockResult.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VydmVya2V5", blockResult.Stderr + blockResult.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_an_app_from_the_script_drops_nothing()
    {
        var before = await SnapshotAsync();
        await f.Postgres.PsqlAsync(f.Resolve(PostgresProvisioning.Script([DataTierFixture.Shop])));
        await f.Postgres.PsqlAsync(f.Resolve(PostgresProvisioning.Script([])));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_rotated_password_works_and_the_old_one_fails_directly_and_through_PgBouncer()
    {
        var rotor = DataTierFixture.Rotor;
        var oldPassword = f.Secret(rotor.PasswordSecret);
        Assert.Equal(1, await ScalarAsync<int>(f.Direct(rotor), "SELECT 1"));
        Assert.Equal(1, await ScalarAsync<int>(f.ViaBouncer(rotor), "SELECT 1"));

        var newPassword = Secrets.NewPassword();
        f.Secrets[rotor.PasswordSecret] = newPassword;
        await f.Postgres.PsqlAsync(f.Resolve(PostgresProvisioning.Script(DataTierFixture.Apps)));
        await f.PgBouncer.ReloadAsync(PgBouncerConfig.DefaultStatsUser, f.Secret(DataTierFixture.StatsSecret), f.Userlist());

        Assert.Equal(1, await ScalarAsync<int>(f.Direct(rotor, password: newPassword), "SELECT 1"));
        Assert.Equal(1, await ScalarAsync<int>(f.ViaBouncer(rotor, password: newPassword), "SELECT 1"));
        var direct = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(f.Direct(rotor, password: oldPassword), "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, direct.SqlState);
        var bounced = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(f.ViaBouncer(rotor, password: oldPassword), "SELECT 1"));
        Assert.Contains("authentication failed", bounced.MessageText, StringComparison.Ordinal); // PgBouncer: 08P01 "SASL authentication failed"

        // PgBouncer opens NEW server connections with the new keys too (not only reuses pooled ones).
        await f.PgBouncer.AdminAsync(PgBouncerConfig.DefaultStatsUser, f.Secret(DataTierFixture.StatsSecret), "KILL rotor;");
        await f.PgBouncer.AdminAsync(PgBouncerConfig.DefaultStatsUser, f.Secret(DataTierFixture.StatsSecret), "RESUME rotor;");
        Assert.Equal(1, await ScalarAsync<int>(f.ViaBouncer(rotor, password: newPassword), "SELECT 1"));
    }

    [Fact]
    public async Task PostgreSQL_restarted_behind_PgBouncer_loses_no_acknowledged_commit_and_serves_new_transactions()
    {
        var shop = DataTierFixture.Shop;
        var cs = f.ViaBouncer(shop, pooling: true);
        await ExecAsync(cs, "CREATE TABLE IF NOT EXISTS acked (id int PRIMARY KEY)");
        await ExecAsync(cs, "TRUNCATE acked");

        var acknowledged = new ConcurrentBag<int>();
        var failures = 0;
        var next = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Interlocked.Increment(ref next);
                try
                {
                    await using var conn = new NpgsqlConnection(cs);
                    await conn.OpenAsync();
                    await using var tx = await conn.BeginTransactionAsync();
                    await using (var cmd = new NpgsqlCommand("INSERT INTO acked VALUES ($1)", conn, tx))
                    {
                        cmd.Parameters.AddWithValue(id);
                        await cmd.ExecuteNonQueryAsync();
                    }
                    await tx.CommitAsync();
                    acknowledged.Add(id); // only after COMMIT returned
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
                {
                    Interlocked.Increment(ref failures);
                    await Task.Delay(100);
                }
            }
        })).ToList();

        await WaitForAsync(() => acknowledged.Count >= 50);
        var beforeRestart = acknowledged.Count;
        await f.Postgres.RestartAsync(immediate: true); // crash-like: no shutdown checkpoint
        await WaitForAsync(() => acknowledged.Count >= beforeRestart + 50, TimeSpan.FromSeconds(45));
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        NpgsqlConnection.ClearAllPools();

        var present = new HashSet<int>();
        await using (var conn = new NpgsqlConnection(f.Direct(shop)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT id FROM acked", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) present.Add(reader.GetInt32(0));
        }
        var lost = acknowledged.Where(id => !present.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"Acknowledged commits lost after the restart: {string.Join(", ", lost)}");
        Assert.True(acknowledged.Count >= beforeRestart + 50);
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition not met in time.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Hostile_names_are_rejected_and_quoting_alone_still_injects_nothing()
    {
        string[] hostile = ["x\"; CREATE ROLE pwned SUPERUSER; --", "a'b", "shop; DROP DATABASE blog", "shop--", "x\\\" \\! touch /tmp/pwned-by-psql"];
        foreach (var name in hostile)
        {
            Assert.False(PostgresNames.IsValid(name));
            Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([new AppDatabase(name, "ok", [], 1, "s")]));
            Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([new AppDatabase("ok", name, [], 1, "s")]));
            Assert.Throws<ArgumentException>(() => PgBouncerConfig.Ini(new PgBouncerOptions(), [new AppDatabase(name, name, [], 1, "s")]));
        }

        // Defence in depth: even when the validator is bypassed, the quoting functions hold —
        // through psql (which runs the real script, and has its own backslash commands) and through Npgsql.
        var marker = $"/tmp/pw-{Guid.NewGuid():N}"[..16]; // short: role names stop at 63 bytes
        string[] payloads =
        [
            "x\"; CREATE ROLE pwned SUPERUSER; --",
            $"y'); CREATE ROLE pwned2; -- \\! touch {marker}",
            $"z\\'; \\! touch {marker}\n\\gexec",
            "w:'ON_ERROR_STOP' :\"x\" \\\\",
        ];
        foreach (var payload in payloads)
        {
            var ident = PostgresNames.QuoteIdent(payload);
            var literal = PostgresNames.QuoteLiteral(payload);
            var script = $"CREATE ROLE {ident};\nCOMMENT ON ROLE {ident} IS {literal};\n";
            await f.Postgres.PsqlAsync(script);
            var su = f.Postgres.SuperuserConnectionString;
            await using var conn = new NpgsqlConnection(su);
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand($"SELECT {literal}, (SELECT count(*) FROM pg_roles WHERE rolname = $1), shobj_description((SELECT oid FROM pg_roles WHERE rolname = $1), 'pg_authid')", conn))
            {
                cmd.Parameters.AddWithValue(payload);
                await using var reader = await cmd.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                Assert.Equal(payload, reader.GetString(0));
                Assert.Equal(1L, reader.GetInt64(1));
                Assert.Equal(payload, reader.GetString(2));
            }
            await using (var drop = new NpgsqlCommand($"DROP ROLE {ident}", conn)) await drop.ExecuteNonQueryAsync();
        }
        Assert.Equal(0L, await ScalarAsync<long>(f.Postgres.SuperuserConnectionString, "SELECT count(*) FROM pg_roles WHERE rolname IN ('pwned', 'pwned2')"));
        Assert.False(File.Exists(marker), "a psql backslash command was injected");
    }
}
