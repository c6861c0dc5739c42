using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// Restore anywhere, on real PostgreSQL servers (Debian's binaries): a dump made by the backup hook's exact script is
/// restored by the exact body of <c>restore-script --into / --from-stack</c> (<see cref="Backups.CopyRestoreBody"/>), run
/// by a real shell. Only the preamble differs from the server's script: there <c>pg</c> runs each client in a throwaway
/// container of the PostgreSQL image; here it runs Debian's client with PGHOST/PGPORT pointing at the throw-away server.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RestoreAnywhereTests
{
    private const string Schema = """
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL);
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total numeric NOT NULL);
        """;

    private static async Task CreateApp(DrillPostgres pg, string db, string role, int customers, string tag)
    {
        await pg.ExecAsync("postgres", $"CREATE ROLE {role} LOGIN");
        await pg.ExecAsync("postgres", $"CREATE DATABASE {db} OWNER {role} ENCODING 'UTF8' TEMPLATE template0");
        await pg.ExecAsync(db, $"""
            SET ROLE {role};
            {Schema}
            INSERT INTO customers SELECT i, '{tag} customer ' || i, 'person' || i || '@{tag}.example' FROM generate_series(1, {customers}) AS i;
            INSERT INTO orders (customer_id, total) SELECT 1 + i % {customers}, i * 1.5 FROM generate_series(1, {customers * 2}) AS i;
            """);
    }

    private static async Task<Dictionary<string, TableFingerprint>> Fingerprint(DrillPostgres pg, string db)
    {
        var result = new Dictionary<string, TableFingerprint>(StringComparer.Ordinal);
        foreach (var row in await pg.QueryAsync(db, RestoreCheck.ListTablesSql))
        {
            var fp = (await pg.QueryAsync(db, RestoreCheck.FingerprintSql((string)row[0]!))).Single();
            result[(string)row[0]!] = new TableFingerprint((long)fp[0]!, (string)fp[1]!);
        }
        return result;
    }

    /// <summary>Dumps every app database of <paramref name="pg"/> with the backup hook's exact script.</summary>
    private static async Task<string> Dump(DrillPostgres pg)
    {
        var dir = Directory.CreateTempSubdirectory("copyrestore-dumps-").FullName;
        await DrillPostgres.RunAsync("sh", ["-c", Backups.PostgresDumpScript(dir)], Env(pg));
        return dir;
    }

    private static Dictionary<string, string> Env(DrillPostgres pg) => new(pg.ClientEnv)
    {
        ["PATH"] = DrillPostgres.BinDir + ":" + Environment.GetEnvironmentVariable("PATH"),
    };

    /// <summary>The rendered body under a local preamble, run by sh against <paramref name="target"/>.</summary>
    private static Task<(int Exit, string Output)> RunCopy(DrillPostgres target, string dumpDir, CopyRestore copy) =>
        DrillPostgres.RunAsync("sh", ["-c", "set -eu\npg() { \"$@\"; }\nin=" + Backups.ShellQuote(dumpDir) + "\n" + Backups.CopyRestoreBody(copy)], Env(target), check: false);

    private static async Task<long> Count(DrillPostgres pg, string db, string sql) => (long)(await pg.QueryAsync(db, sql)).Single()[0]!;

    [Fact]
    public async Task A_copy_next_to_the_live_database_has_every_row_and_the_live_one_is_untouched()
    {
        await using var pg = await DrillPostgres.StartAsync();
        await CreateApp(pg, "shop", "shop", 300, "prod");
        var dumpDir = await Dump(pg);
        try
        {
            var before = await Fingerprint(pg, "shop");
            // The app keeps working meanwhile: rows written after the dump are in the live database only.
            await pg.ExecAsync("shop", "INSERT INTO customers VALUES (1000, 'late', 'late@prod.example')");
            var live = await Fingerprint(pg, "shop");

            var (exit, output) = await RunCopy(pg, dumpDir, new CopyRestore("prod", "prod", "shop", "shop_copy", "shop"));
            Assert.True(exit == 0, output);
            Assert.Contains("into the new database shop_copy on prod; the live databases were not touched", output, StringComparison.Ordinal);

            Assert.Empty(RestoreCheck.Compare(before, await Fingerprint(pg, "shop_copy")));
            Assert.Empty(RestoreCheck.Compare(live, await Fingerprint(pg, "shop")));
            Assert.Equal(0L, await Count(pg, "shop_copy", "select count(*) from pg_tables where schemaname = 'public' and tableowner <> 'shop'"));
            Assert.Equal("shop", (string)(await pg.QueryAsync("postgres", "select pg_get_userbyid(datdba)::text from pg_database where datname = 'shop_copy'")).Single()[0]!);

            // A second run refuses the now existing name and changes nothing.
            await pg.ExecAsync("shop_copy", "DELETE FROM orders WHERE id = 1");
            var copied = await Fingerprint(pg, "shop_copy");
            var (again, message) = await RunCopy(pg, dumpDir, new CopyRestore("prod", "prod", "shop", "shop_copy", "shop"));
            Assert.NotEqual(0, again);
            Assert.Contains("database shop_copy exists already on this server", message, StringComparison.Ordinal);
            Assert.Empty(RestoreCheck.Compare(copied, await Fingerprint(pg, "shop_copy")));
            Assert.Empty(RestoreCheck.Compare(live, await Fingerprint(pg, "shop")));
        }
        finally
        {
            Directory.Delete(dumpDir, recursive: true);
        }
    }

    [Fact]
    public async Task Prod_to_staging_is_scrubbed_before_it_replaces_stagings_database_which_is_kept_and_prod_is_untouched()
    {
        await using var prod = await DrillPostgres.StartAsync();
        await using var staging = await DrillPostgres.StartAsync();
        // Different role names on the two stacks: the copy belongs to staging's role, not prod's.
        await CreateApp(prod, "shop", "shop_prod", 250, "prod");
        await CreateApp(staging, "shop", "shop", 20, "staging");
        var prodBefore = await Fingerprint(prod, "shop");
        var stagingBefore = await Fingerprint(staging, "shop");
        var dumpDir = await Dump(prod);
        try
        {
            // A scrub that fails leaves staging's database as it was, and the half-made copy is never switched in.
            var broken = new CopyRestore("prod", "staging", "shop", RestoreAnywhereCommand.Incoming("shop"), "shop", Replaces: "shop",
                ScrubSql: "UPDATE customers SET email = 'x';\nUPDATE no_such_table SET a = 1;\n");
            var (failed, why) = await RunCopy(staging, dumpDir, broken);
            Assert.NotEqual(0, failed);
            Assert.Contains("no_such_table", why, StringComparison.Ordinal);
            Assert.Empty(RestoreCheck.Compare(stagingBefore, await Fingerprint(staging, "shop")));
            Assert.Contains("The scrub hook failed, so the copy shop_incoming was dropped", why, StringComparison.Ordinal);
            // No unscrubbed copy of prod's data is left on staging.
            Assert.Equal(0L, await Count(staging, "postgres", "select count(*) from pg_database where datname = 'shop_incoming'"));

            // staging's app is connected (as PgBouncer would be): the switch ends its sessions.
            await using var session = new Npgsql.NpgsqlConnection(staging.ConnectionString("shop"));
            await session.OpenAsync();

            var copy = broken with { ScrubSql = "UPDATE customers SET name = 'Customer ' || id, email = 'customer' || id || '@example.invalid';\n" };
            var (exit, output) = await RunCopy(staging, dumpDir, copy);
            Assert.True(exit == 0, output);
            Assert.Contains("Scrubbed shop_incoming with the scrub hook.", output, StringComparison.Ordinal);
            Assert.Contains("Restored prod's shop as staging's shop; the previous one is shop_before_", output, StringComparison.Ordinal);

            Assert.Equal(250L, await Count(staging, "shop", "select count(*) from customers"));
            Assert.Equal(500L, await Count(staging, "shop", "select count(*) from orders"));
            Assert.Equal(0L, await Count(staging, "shop", "select count(*) from customers where email not like '%@example.invalid' or name like '%prod%'"));
            Assert.Equal(0L, await Count(staging, "shop", "select count(*) from pg_tables where schemaname = 'public' and tableowner <> 'shop'"));
            // Orders are prod's, unscrubbed: the copy is prod's data apart from what the hook changed.
            Assert.Equal(prodBefore["public.orders"], (await Fingerprint(staging, "shop"))["public.orders"]);

            var kept = (string)(await staging.QueryAsync("postgres", "select datname::text from pg_database where datname like 'shop_before_%'")).Single()[0]!;
            Assert.Empty(RestoreCheck.Compare(stagingBefore, await Fingerprint(staging, kept)));
            Assert.Empty(RestoreCheck.Compare(prodBefore, await Fingerprint(prod, "shop")));
            Assert.Equal(0L, await Count(staging, "postgres", "select count(*) from pg_database where datname = 'shop_incoming'"));
        }
        finally
        {
            Directory.Delete(dumpDir, recursive: true);
        }
    }
}
