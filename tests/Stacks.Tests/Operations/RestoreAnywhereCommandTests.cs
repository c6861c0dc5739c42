using Platform.Stacks.Operations;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Operations;

/// <summary><c>restore-script --into / --from-stack</c> on the shipped stack files: what it refuses (every reason at once) and what it renders.</summary>
public sealed class RestoreAnywhereCommandTests
{
    private static Platform.Stacks.Plan.PlanOutcome Render(CopyRestoreRequest r) => RestoreAnywhereCommand.Render(TestStacks.RepoRoot, r);

    [Fact]
    public void A_copy_next_to_the_live_database_is_built_under_the_new_name_owned_by_the_apps_role_and_replaces_nothing()
    {
        var outcome = Render(new("prod", null, "api", null, "api_yesterday", null, false));
        Assert.Equal(0, outcome.ExitCode);
        var script = outcome.Stdout;
        Assert.Contains("CREATE DATABASE \"api_yesterday\" OWNER \"api\"", script, StringComparison.Ordinal);
        Assert.Contains("pg pg_restore --no-password --no-owner --no-privileges --role=api --single-transaction --exit-on-error --dbname=api_yesterday \"$in\"/api.dump", script, StringComparison.Ordinal);
        Assert.DoesNotContain("RENAME", script, StringComparison.Ordinal);
        Assert.DoesNotContain("pg_terminate_backend", script, StringComparison.Ordinal);
        Assert.DoesNotContain("--clean", script, StringComparison.Ordinal);
        // The body is the one the integration test runs, after the server's preamble.
        Assert.EndsWith(Backups.CopyRestoreBody(new CopyRestore("prod", "prod", "api", "api_yesterday", "api")), script, StringComparison.Ordinal);
        Assert.Contains("pg() { docker run --rm -i --network ", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Prod_to_staging_replaces_stagings_database_after_the_scrub_hook()
    {
        var scrub = Path.GetTempFileName();
        try
        {
            File.WriteAllText(scrub, "UPDATE users SET email = 'user' || id || '@example.invalid';\n");
            var outcome = Render(new("staging", "prod", "api", "postgres-hourly", null, scrub, false));
            Assert.Equal(0, outcome.ExitCode);
            Assert.Contains("Restore prod's 'api' database from an extracted postgres-hourly archive into 'api' (built as 'api_incoming', then switched) on staging's server", outcome.Stdout, StringComparison.Ordinal);
            Assert.Contains("UPDATE users SET email = 'user' || id || '@example.invalid';\nPLATFORM_SCRUB_SQL\n", outcome.Stdout, StringComparison.Ordinal);
            Assert.True(outcome.Stdout.IndexOf("PLATFORM_SCRUB_SQL\n", StringComparison.Ordinal) < outcome.Stdout.IndexOf("RENAME TO", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(scrub);
        }
    }

    [Fact]
    public void Bad_requests_get_every_reason_at_once_with_the_fix()
    {
        var across = Render(new("staging", "prod", "nope", "mariadb-daily", null, null, false));
        Assert.Equal(1, across.ExitCode);
        Assert.Equal("", across.Stdout);
        Assert.Contains("--job mariadb-daily: --into and --from-stack restore PostgreSQL dumps", across.Stderr, StringComparison.Ordinal);
        Assert.Contains("--database nope: not a PostgreSQL app database of stack 'prod'. Use one of admin, api.", across.Stderr, StringComparison.Ordinal);
        Assert.Contains("copying prod's data to staging needs a decision on personal data: add --scrub <file.sql> (run on the copy before use), or --no-scrub.", across.Stderr, StringComparison.Ordinal);

        var over = Render(new("prod", null, "api", null, "admin", null, false));
        Assert.Contains("--into 'admin' is a live app database of the stack; a copy never goes over one", over.Stderr, StringComparison.Ordinal);
        Assert.Contains("--into 'postgres' is a system database", Render(new("prod", null, "api", null, "postgres", null, false)).Stderr, StringComparison.Ordinal);
        Assert.Contains("--into 'Api-Copy' is not a database name", Render(new("prod", null, "api", null, "Api-Copy", null, false)).Stderr, StringComparison.Ordinal);
        Assert.Contains("a restore next to the live database needs a new name: add --into, e.g. --into api_copy.", Render(new("prod", null, "api", null, null, null, true)).Stderr, StringComparison.Ordinal);
        Assert.Contains("--scrub and --no-scrub exclude each other", Render(new("staging", "prod", "api", null, null, "x.sql", true)).Stderr, StringComparison.Ordinal);
    }
}
