using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Parts.Postgres;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Postgres;

/// <summary><c>platform:postgresTuning</c>, an app's <c>needs.database</c> timeouts and its extensions: read, validated, rendered, planned.</summary>
public sealed class PostgresTuningTests
{
    private const string Api = """
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes: [{ host: app }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          needs: { database: DB }
        - name: worker
          image: ghcr.io/example/api:1.0.0
          healthCommand: [CMD, worker, --check]
          cpus: 0.5
          memoryMb: 128
          needs: { databaseOf: api }
        """;

    private static string Apps(string database) => Api.Replace("DB", database, StringComparison.Ordinal);

    private static IReadOnlyList<SettingsError> Errors(string database, string extra = "") => TestStacks.Errors(TestStacks.Yaml(Apps(database), extra));

    private static PlatformBlueprint Build(string database, string extra = "") =>
        BlueprintBuilder.Build(TestStacks.Read(TestStacks.Yaml(Apps(database), extra)));

    private static string Provisioning(PlatformBlueprint b) =>
        b.HostCommands.Single(c => c.Name == HostCommandNames.PostgresProvision).Stdin!.Masked;

    private static string PostgresqlConf(PlatformBlueprint b) =>
        b.Services.Single(s => s.Name == ServiceNames.Postgres).Files.Single(f => f.Path == PostgresBlueprint.ConfigPath).Content.Masked;

    [Fact]
    public void Without_settings_the_slow_query_log_is_one_second_and_every_role_setting_is_reset()
    {
        var b = Build("true");
        Assert.Contains("log_min_duration_statement = 1000\n", PostgresqlConf(b), StringComparison.Ordinal);
        var sql = Provisioning(b);
        Assert.Contains("ALTER ROLE \"api\" RESET statement_timeout;", sql, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"api\" RESET idle_in_transaction_session_timeout;", sql, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"api\" RESET log_min_duration_statement;", sql, StringComparison.Ordinal);
        Assert.DoesNotContain(" SET statement_timeout", sql, StringComparison.Ordinal);
        Assert.Equal(1000, b.PostgresLogMinDurationStatementMs);
    }

    [Fact]
    public void The_stack_sets_every_app_role_and_an_app_overrides_it()
    {
        const string tuning = "platform:postgresTuning: { logMinDurationStatementMs: 250, statementTimeoutMs: 30000, idleInTransactionSessionTimeoutMs: 60000 }";
        var b = Build("true", tuning);
        Assert.Contains("log_min_duration_statement = 250\n", PostgresqlConf(b), StringComparison.Ordinal);
        var sql = Provisioning(b);
        Assert.Contains("ALTER ROLE \"api\" SET statement_timeout = 30000;", sql, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"api\" SET idle_in_transaction_session_timeout = 60000;", sql, StringComparison.Ordinal);
        // The role's slow-query log follows the server's unless the app sets its own.
        Assert.Contains("ALTER ROLE \"api\" RESET log_min_duration_statement;", sql, StringComparison.Ordinal);

        var own = Build("{ statementTimeoutMs: 0, idleInTransactionSessionTimeoutMs: 5000, logMinDurationStatementMs: -1 }", tuning);
        var ownSql = Provisioning(own);
        Assert.Contains("ALTER ROLE \"api\" RESET statement_timeout;", ownSql, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"api\" SET idle_in_transaction_session_timeout = 5000;", ownSql, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"api\" SET log_min_duration_statement = -1;", ownSql, StringComparison.Ordinal);
        var db = Assert.Single(own.Databases);
        Assert.Equal(new PostgresRoleSettings(null, 5000, -1), db.Session);
        // The worker shares the role, so the database's settings: the plan says who uses it.
        Assert.Contains("database api: owner role api (connection limit 20, password app.api.postgres); role settings: idle_in_transaction_session_timeout 5000 ms, slow-query log off; used by api, worker",
            PlanText.Render(own), StringComparison.Ordinal);
        Assert.Contains("PostgreSQL slow-query log: every statement slower than 250 ms", PlanText.Render(own), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("platform:postgresTuning: { statementTimeoutMs: 50 }", "platform:postgresTuning.statementTimeoutMs", "from 100 to 86400000")]
    [InlineData("platform:postgresTuning: { statementTimeoutMs: -1 }", "platform:postgresTuning.statementTimeoutMs", "0 (no timeout)")]
    [InlineData("platform:postgresTuning: { idleInTransactionSessionTimeoutMs: 500 }", "platform:postgresTuning.idleInTransactionSessionTimeoutMs", "from 1000")]
    [InlineData("platform:postgresTuning: { logMinDurationStatementMs: -2 }", "platform:postgresTuning.logMinDurationStatementMs", "-1 (no slow-query log)")]
    [InlineData("platform:postgresTuning: { logMinDurationStatementMs: 90000000 }", "platform:postgresTuning.logMinDurationStatementMs", "86400000")]
    [InlineData("platform:postgresTuning: { statementTimeout: 30s }", "platform:postgresTuning.statementTimeout", "statementTimeoutMs")]
    [InlineData("platform:postgresTuning: { statementTimeoutMs: 30s }", "platform:postgresTuning.statementTimeoutMs", "digits")]
    public void A_bad_stack_value_names_its_key_and_the_fix(string extra, string key, string fix)
    {
        var error = Assert.Single(Errors("true", extra));
        Assert.Equal(key, error.Key);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ statementTimeoutMs: 10 }", "platform:apps[0].needs.database.statementTimeoutMs", "e.g. 30000")]
    [InlineData("{ idleInTransactionSessionTimeoutMs: 99 }", "platform:apps[0].needs.database.idleInTransactionSessionTimeoutMs", "e.g. 60000")]
    [InlineData("{ logMinDurationStatementMs: -5 }", "platform:apps[0].needs.database.logMinDurationStatementMs", "e.g. 500")]
    [InlineData("{ engine: mariadb, statementTimeoutMs: 30000 }", "platform:apps[0].needs.database.statementTimeoutMs", "engine: postgres")]
    [InlineData("{ extensions: [postgis] }", "platform:apps[0].needs.database.extensions[0]", "pg_trgm")]
    [InlineData("{ extensions: [pg_trgm, pg_stat_statements] }", "platform:apps[0].needs.database.extensions[1]", "uuid-ossp")]
    [InlineData("{ extensions: [dblink] }", "platform:apps[0].needs.database.extensions[0]", "citext")]
    [InlineData("{ extensions: [\"Robert'); DROP\"] }", "platform:apps[0].needs.database.extensions[0]", "Use one of")]
    public void A_bad_app_value_names_its_key_and_the_fix(string database, string key, string fix)
    {
        var errors = Errors(database);
        var error = Assert.Single(errors, e => e.Key == key);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_extensions_say_why()
    {
        Assert.Contains("shared_preload_libraries", Assert.Single(Errors("{ extensions: [pg_stat_statements] }")).Problem, StringComparison.Ordinal);
        Assert.Contains("not in the pinned official image", Assert.Single(Errors("{ extensions: [postgis] }")).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_allowed_extension_is_accepted_and_created_with_its_dependencies()
    {
        var list = string.Join(", ", PostgresExtensions.Allowed.Select(e => $"\"{e}\""));
        var b = Build($"{{ extensions: [{list}] }}");
        var sql = Provisioning(b);
        foreach (var ext in PostgresExtensions.Allowed)
            Assert.Contains($"CREATE EXTENSION IF NOT EXISTS \"{ext}\" CASCADE;", sql, StringComparison.Ordinal);
        Assert.Equal(PostgresExtensions.Allowed.Order(StringComparer.Ordinal), Assert.Single(b.Databases).Extensions);
    }

    [Fact]
    public void The_shipped_prod_stack_tunes_postgres_and_the_plan_shows_it()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        Assert.Equal(500, b.PostgresLogMinDurationStatementMs);
        var admin = b.Databases.Single(d => d.Database == "admin");
        Assert.Equal(new PostgresRoleSettings(120000, 60000, 2000), admin.Session);
        Assert.Equal(["citext", "unaccent"], admin.Extensions.ToArray());
        Assert.Equal(new PostgresRoleSettings(30000, 60000, null), b.Databases.Single(d => d.Database == "api").Session);
        var plan = PlanText.Render(b);
        Assert.Contains("role settings: statement_timeout 120000 ms, idle_in_transaction_session_timeout 60000 ms, slow-query log from 2000 ms; used by admin", plan, StringComparison.Ordinal);
    }
}
