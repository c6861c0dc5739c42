using Platform.Stacks.Data;
using Platform.Stacks.Model;

namespace Platform.Stacks.Tests.Data;

public sealed class ProvisioningAndPoolerTests
{
    private static readonly AppDatabase Api = new("api", "api", ["uuid-ossp", "pg_trgm"], 20, "postgres-api");
    private static readonly AppDatabase Crm = new("crm", "crm", [], 10, "postgres-crm");
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        ["postgres-api"] = "ApiPassw0rdApiPassw0rdApiPassw0rd",
        ["postgres-crm"] = "CrmPassw0rdCrmPassw0rdCrmPassw0rd",
        ["pgbouncer-stats"] = "StatsPassw0rdStatsPassw0rdStats",
    };

    private static string Resolve(SecretText t) => t.Resolve(n => Values[n]);

    [Fact]
    public void Script_sets_the_scram_verifier_and_never_the_password()
    {
        var script = PostgresProvisioning.Script([Api, Crm]);
        Assert.Equal(["postgres-api", "postgres-crm"], script.Secrets.ToArray());
        Assert.Contains(new DerivedSecretPart("postgres-api", SecretDerivation.ScramSha256, "api"), script.Parts);
        var resolved = Resolve(script);
        foreach (var value in Values.Values) Assert.DoesNotContain(value, resolved, StringComparison.Ordinal);
        Assert.Contains($"CONNECTION LIMIT 20 PASSWORD '{Scram.Verifier(Values["postgres-api"], "api")}';", resolved, StringComparison.Ordinal);
        Assert.Contains("PASSWORD '<scram-sha-256:postgres-api>'", script.Masked, StringComparison.Ordinal);
        foreach (var value in Values.Values) Assert.DoesNotContain(value, script.Masked, StringComparison.Ordinal);
        Assert.DoesNotContain("SCRAM-SHA-256$", script.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_is_idempotent_in_shape_and_never_drops()
    {
        var masked = PostgresProvisioning.Script([Crm, Api]).Masked;
        Assert.Equal(masked, PostgresProvisioning.Script([Api, Crm]).Masked); // order-independent
        Assert.DoesNotContain(masked.Split('\n'), l => !l.StartsWith("--", StringComparison.Ordinal) && l.Contains("DROP", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("SELECT format('CREATE ROLE %I', 'api') WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'api')\n\\gexec\n", masked, StringComparison.Ordinal);
        Assert.Contains("SELECT format('CREATE DATABASE %I OWNER %I', 'api', 'api') WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'api')\n\\gexec\n", masked, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"api\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT 20 PASSWORD", masked, StringComparison.Ordinal);
        Assert.Contains("ALTER DATABASE \"api\" OWNER TO \"api\";\nREVOKE ALL ON DATABASE \"api\" FROM PUBLIC;\nGRANT CONNECT, TEMPORARY ON DATABASE \"api\" TO \"api\";\n\\connect \"api\"\n", masked, StringComparison.Ordinal);
        Assert.Contains("REVOKE ALL ON SCHEMA public FROM PUBLIC;\nGRANT ALL ON SCHEMA public TO \"api\";\nCREATE EXTENSION IF NOT EXISTS \"pg_trgm\" CASCADE;\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" CASCADE;\n", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATE ROLE \"", masked, StringComparison.Ordinal); // only ever through the NOT EXISTS guard
        Assert.DoesNotContain("CREATE DATABASE \"", masked, StringComparison.Ordinal);
        Assert.StartsWith("-- Provisioning", masked, StringComparison.Ordinal);
        Assert.Contains("\\set ON_ERROR_STOP on\n", masked, StringComparison.Ordinal);
        Assert.Contains("SET log_statement = 'none'", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_password_gives_a_new_verifier_the_same_password_the_same_one()
    {
        var script = PostgresProvisioning.Script([Api]);
        var a = script.Resolve(_ => "first-password");
        Assert.Equal(a, script.Resolve(_ => "first-password"));
        Assert.NotEqual(a, script.Resolve(_ => "second-password"));
    }

    [Fact]
    public void Script_refuses_bad_input()
    {
        Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([Api with { Role = "api\"; --" }]));
        Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([Api with { Database = "postgres" }]));
        Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([Api with { Extensions = ["x; DROP"] }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresProvisioning.Script([Api with { ConnectionLimit = -2 }]));
        Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([Api, Api]));
        Assert.Throws<ArgumentException>(() => PostgresProvisioning.Script([Api, Crm with { Role = "api" }]));
    }

    [Fact]
    public void Pgbouncer_ini_has_the_plans_values_and_one_entry_per_database()
    {
        var ini = PgBouncerConfig.Ini(new PgBouncerOptions(), [Crm, Api]);
        var lines = ini.Split('\n');
        foreach (var expected in new[]
        {
            "auth_type = scram-sha-256", "auth_file = /etc/pgbouncer/userlist.txt", "pool_mode = transaction", "listen_addr = *", "listen_port = 6432",
            "max_client_conn = 100", "default_pool_size = 20", "min_pool_size = 5", "reserve_pool_size = 5", "reserve_pool_timeout = 3",
            "server_lifetime = 3600", "server_idle_timeout = 600", "admin_users = pgbouncer_stats", "stats_users = pgbouncer_stats",
            "ignore_startup_parameters = extra_float_digits,options",
            "api = host=postgres port=5432 dbname=api pool_size=20 max_db_connections=20",
            "crm = host=postgres port=5432 dbname=crm pool_size=10 max_db_connections=10",
        })
            Assert.Contains(expected, lines);
        Assert.True(Array.IndexOf(lines, "[databases]") < Array.IndexOf(lines, "api = host=postgres port=5432 dbname=api pool_size=20 max_db_connections=20"));
        Assert.True(Array.IndexOf(lines, "api = host=postgres port=5432 dbname=api pool_size=20 max_db_connections=20") < Array.IndexOf(lines, "crm = host=postgres port=5432 dbname=crm pool_size=10 max_db_connections=10"));
        Assert.DoesNotContain(lines, l => !l.StartsWith(";;", StringComparison.Ordinal) && l.Contains("user=", StringComparison.Ordinal)); // SCRAM pass-through needs user-less entries
        Assert.DoesNotContain("max_prepared_statements", ini, StringComparison.Ordinal);
        Assert.Contains("max_prepared_statements = 100", PgBouncerConfig.Ini(new PgBouncerOptions { MaxPreparedStatements = 100 }, [Api]).Split('\n'));
    }

    [Fact]
    public void Pgbouncer_ini_settings_come_from_the_input()
    {
        var lines = PgBouncerConfig.Ini(new PgBouncerOptions
        {
            PostgresHost = "db", PostgresPort = 5433, ListenPort = 7432, MaxClientConn = 500, DefaultPoolSize = 10, MinPoolSize = 2,
            ReservePoolSize = 1, ReservePoolTimeoutSeconds = 5, ServerLifetimeSeconds = 60, ServerIdleTimeoutSeconds = 30,
        }, [Api with { ConnectionLimit = -1 }]).Split('\n');
        foreach (var expected in new[] { "listen_port = 7432", "max_client_conn = 500", "default_pool_size = 10", "min_pool_size = 2", "reserve_pool_size = 1",
                     "reserve_pool_timeout = 5", "server_lifetime = 60", "server_idle_timeout = 30", "api = host=db port=5433 dbname=api" })
            Assert.Contains(expected, lines);
        Assert.Throws<ArgumentException>(() => PgBouncerConfig.Ini(new PgBouncerOptions { PostgresHost = "db port=1" }, [Api]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PgBouncerConfig.Ini(new PgBouncerOptions { MinPoolSize = 30 }, [Api]));
    }

    [Fact]
    public void Userlist_holds_exactly_the_verifiers_postgres_gets()
    {
        var o = new PgBouncerOptions();
        var userlist = PgBouncerConfig.Userlist(o, [Api, Crm]);
        var resolved = Resolve(userlist);
        var sql = Resolve(PostgresProvisioning.Script([Api, Crm]));
        foreach (var (role, secret) in new[] { ("api", "postgres-api"), ("crm", "postgres-crm") })
        {
            var verifier = Scram.Verifier(Values[secret], role);
            Assert.Contains($"\"{role}\" \"{verifier}\"", resolved.Split('\n'));
            Assert.Contains($"PASSWORD '{verifier}'", sql, StringComparison.Ordinal);
        }
        Assert.Contains($"\"pgbouncer_stats\" \"{Scram.Verifier(Values["pgbouncer-stats"], "pgbouncer_stats")}\"", resolved.Split('\n'));
        foreach (var value in Values.Values)
        {
            Assert.DoesNotContain(value, resolved, StringComparison.Ordinal);
            Assert.DoesNotContain(value, userlist.Masked, StringComparison.Ordinal);
        }
        Assert.Contains("\"api\" \"<scram-sha-256:postgres-api>\"", userlist.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_shared_by_two_entries_appears_once_in_the_userlist()
    {
        var resolved = Resolve(PgBouncerConfig.Userlist(new PgBouncerOptions(), [Api, Api with { Database = "api_reports" }]));
        Assert.Single(resolved.Split('\n'), l => l.StartsWith("\"api\"", StringComparison.Ordinal));
    }
}
