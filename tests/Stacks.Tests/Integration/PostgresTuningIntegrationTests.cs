using Npgsql;
using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// <c>platform:postgresTuning</c> and an app's own timeouts and extensions, as rendered, on a real PostgreSQL (Debian's,
/// with <c>postgresql-contrib</c>): the settings are valid and in effect for the app's role only, a slow statement is
/// cancelled, an idle transaction ended, a slow query logged, and every allowed extension is created and usable by the
/// database's owner.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PostgresTuningIntegrationTests
{
    private static readonly AppDatabase Tuned = new("tuned", "tuned", PostgresExtensions.Allowed, 10, "postgres-tuned")
    {
        Session = new PostgresTuning { StatementTimeoutMs = 30000, IdleInTransactionSessionTimeoutMs = 1000 }
            .ForRole(new PostgresRoleSettings(StatementTimeoutMs: 500, LogMinDurationStatementMs: 100)),
    };

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_tuning_binds_the_apps_sessions_only_and_every_allowed_extension_works()
    {
        await using var pg = await PostgresServer.StartAsync(new PostgresServerOptions
        {
            Configure = o => o with { LogMinDurationStatementMs = 5000 },
        });
        var password = Secrets.NewPassword();
        string Resolve(string name) => name == Tuned.PasswordSecret ? password : throw new InvalidOperationException(name);
        var script = PostgresProvisioning.Script([Tuned]).Resolve(Resolve);
        await pg.PsqlAsync(script);
        await pg.PsqlAsync(script);   // idempotent

        await using (var su = new NpgsqlConnection(pg.SuperuserConnectionString))
        {
            await su.OpenAsync();
            Assert.Equal(0L, await ScalarAsync<long>(su, "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL OR NOT applied"));
            Assert.Equal("5s", await ScalarAsync<string>(su, "SHOW log_min_duration_statement"));
            // The platform's own sessions keep the server's values.
            Assert.Equal("0", await ScalarAsync<string>(su, "SHOW statement_timeout"));
            Assert.Equal("0", await ScalarAsync<string>(su, "SHOW idle_in_transaction_session_timeout"));
            Assert.Equal("idle_in_transaction_session_timeout=1000,log_min_duration_statement=100,statement_timeout=500",
                await ScalarAsync<string>(su, """
                    SELECT string_agg(c, ',' ORDER BY c) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) c
                    WHERE r.rolname = 'tuned' AND s.setdatabase = 0
                    """));
        }

        var app = pg.ConnectionString("tuned", "tuned", password);
        await using (var conn = new NpgsqlConnection(app))
        {
            await conn.OpenAsync();
            Assert.Equal("500ms", await ScalarAsync<string>(conn, "SHOW statement_timeout"));
            Assert.Equal("1s", await ScalarAsync<string>(conn, "SHOW idle_in_transaction_session_timeout"));
            Assert.Equal("100ms", await ScalarAsync<string>(conn, "SHOW log_min_duration_statement"));

            // A statement longer than the timeout is cancelled.
            var cancelled = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(conn, "SELECT pg_sleep(2)"));
            Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);

            // A slower statement within the timeout is in the slow-query log (the role's 100 ms, not the server's 5 s).
            await ScalarAsync<object>(conn, "SELECT pg_sleep(0.3) AS tuning_slow_marker");
            await WaitForAsync(() => pg.Log.Contains("tuning_slow_marker", StringComparison.Ordinal));
            Assert.Contains("duration: ", pg.Log, StringComparison.Ordinal);

            // Every allowed extension exists and its owner can use it.
            foreach (var ext in PostgresExtensions.Allowed)
                Assert.Equal(1L, await ScalarAsync<long>(conn, $"SELECT count(*) FROM pg_extension WHERE extname = '{ext}'"));
            Assert.True(await ScalarAsync<float>(conn, "SELECT similarity('brightlane', 'brightlame')") > 0.5f);
            Assert.True(await ScalarAsync<bool>(conn, "SELECT 'Ops@Example.com'::citext = 'ops@example.com'::citext"));
            Assert.Equal("Hotel Zurich", await ScalarAsync<string>(conn, "SELECT unaccent('Hôtel Zürich')"));
            Assert.Equal(36, (await ScalarAsync<Guid>(conn, "SELECT uuid_generate_v4()")).ToString().Length);
            Assert.True(await ScalarAsync<bool>(conn, "SELECT crypt('pw', gen_salt('bf')) LIKE '$2a$%'"));
            Assert.Equal("b", await ScalarAsync<string>(conn, "SELECT ('a=>b'::hstore) -> 'a'"));
            Assert.True(await ScalarAsync<double>(conn, "SELECT earth_distance(ll_to_earth(52.52, 13.40), ll_to_earth(48.14, 11.58))") > 400_000);
            Assert.Equal("Top.Child", await ScalarAsync<string>(conn, "SELECT subpath('Top.Child.Leaf'::ltree, 0, 2)::text"));
            Assert.Equal(0, await ScalarAsync<int>(conn, "SELECT levenshtein('gin', 'gin')"));
            await ScalarAsync<object>(conn, "CREATE TABLE t (tags text[], name text); CREATE INDEX ON t USING gin (name gin_trgm_ops); CREATE INDEX ON t USING gist (name gist_trgm_ops); SELECT 1");
        }

        // An idle transaction is ended after the role's second.
        await using (var conn = new NpgsqlConnection(app))
        {
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await ScalarAsync<int>(conn, "SELECT 1");
            await Task.Delay(2500);
            var ended = await Assert.ThrowsAnyAsync<Exception>(() => ScalarAsync<int>(conn, "SELECT 1"));
            Assert.True(ended is PostgresException { SqlState: "25P03" } || ended is NpgsqlException, ended.ToString());
        }
        await WaitForAsync(() => pg.Log.Contains("idle-in-transaction timeout", StringComparison.Ordinal));

        // Taken out of the stack, the settings are reset: the role follows the server again.
        await pg.PsqlAsync(PostgresProvisioning.Script([Tuned with { Session = PostgresRoleSettings.None }]).Resolve(Resolve));
        await using (var conn = new NpgsqlConnection(app))
        {
            await conn.OpenAsync();
            Assert.Equal("0", await ScalarAsync<string>(conn, "SHOW statement_timeout"));
            Assert.Equal("5s", await ScalarAsync<string>(conn, "SHOW log_min_duration_statement"));
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 50 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition());
    }
}
