using System.Collections.Immutable;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// A backup that was never restored is not a backup. This drill dumps real app databases with the exact
/// script the PostgreSQL container's backup hook runs (so every database with Backups.DumpCommand), restores them into a fresh PostgreSQL with the exact restore commands
/// from docs/operations.md, and compares every table's row count and checksum, and every sequence.
/// </summary>
[Trait("Category", "Integration")]
public class RestoreDrillTests
{
    private static readonly ImmutableArray<string> Apps = ["shop", "blog", "crm"];

    private static string Owner(string db) => $"{db}_app";

    /// <summary>What the platform creates for each app before a restore: its role and its (empty) database.</summary>
    private static async Task CreatePlatformRolesAndDatabases(DrillPostgres pg)
    {
        foreach (var db in Apps)
        {
            await pg.ExecAsync("postgres", $"CREATE ROLE {Owner(db)} LOGIN");
            await pg.ExecAsync("postgres", $"CREATE DATABASE {db} OWNER {Owner(db)} ENCODING 'UTF8' TEMPLATE template0");
        }
    }

    private static string AppSchema(string db, int rows) => $"""
        SET ROLE {Owner(db)};
        CREATE SEQUENCE invoice_no START 1000 INCREMENT 7;
        CREATE TABLE customers (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          name text NOT NULL,
          profile jsonb,
          avatar bytea,
          balance numeric(38, 12),
          tags text[],
          created timestamptz NOT NULL DEFAULT '2025-01-01 00:00:00+00');
        CREATE TABLE orders (
          id serial PRIMARY KEY,
          customer_id bigint NOT NULL REFERENCES customers(id),
          invoice bigint NOT NULL DEFAULT nextval('invoice_no'),
          total numeric NOT NULL,
          note text,
          placed date NOT NULL);
        CREATE INDEX orders_customer ON orders (customer_id);
        CREATE TABLE "Settings ünïcode" (k text PRIMARY KEY, v double precision, raw bytea);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 500;
        INSERT INTO customers (name, profile, avatar, balance, tags, created)
        SELECT 'Zoë ' || i || ' 🚀 {db}',
               jsonb_build_object('i', i, 'db', '{db}', 'nested', jsonb_build_array(i, 'x', null, true), 'quote', 'O''Brien "q" \ back'),
               decode(md5(i::text), 'hex') || '\x00ff00'::bytea,
               i * 12345.678901234567 - 99999.5,
               ARRAY['a', 'b"q', NULL, 'ünï'],
               '2025-01-01 00:00:00+00'::timestamptz + i * interval '1 hour 7 minutes'
        FROM generate_series(1, {rows}) AS i;
        INSERT INTO customers (name, profile, avatar, balance, tags) VALUES (E'line1\nline2\ttab', NULL, NULL, NULL, NULL);
        INSERT INTO orders (customer_id, total, note, placed)
        SELECT 1 + (i % {rows}), round((i * 17.31)::numeric, 2), CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i || ' — ✓' END,
               DATE '2025-01-01' + (i % 365)
        FROM generate_series(1, {rows * 3}) AS i;
        INSERT INTO "Settings ünïcode" VALUES ('pi', pi(), '\xdeadbeef'), ('nan', 'NaN', ''), ('neg-inf', '-Infinity', NULL);
        SELECT nextval('invoice_no') FROM generate_series(1, 5);
        """;

    private static async Task<Dictionary<string, TableFingerprint>> Fingerprint(DrillPostgres pg, string db)
    {
        var result = new Dictionary<string, TableFingerprint>(StringComparer.Ordinal);
        foreach (var row in await pg.QueryAsync(db, RestoreCheck.ListTablesSql))
        {
            var table = (string)row[0]!;
            var fp = (await pg.QueryAsync(db, RestoreCheck.FingerprintSql(table))).Single();
            result[table] = new TableFingerprint((long)fp[0]!, (string)fp[1]!);
        }
        foreach (var row in await pg.QueryAsync(db, RestoreCheck.SequencesSql))
            result["sequence " + (string)row[0]!] = new TableFingerprint(0, (string)row[1]!);
        foreach (var row in await pg.QueryAsync(db, "SELECT format('%I', tablename), tableowner FROM pg_tables WHERE schemaname = 'public'"))
            result["owner of " + (string)row[0]!] = new TableFingerprint(0, (string)row[1]!);
        return result;
    }

    private static async Task Run(IReadOnlyList<string> argv, DrillPostgres pg) =>
        await DrillPostgres.RunAsync(Path.Combine(DrillPostgres.BinDir, argv[0]), argv.Skip(1), pg.ClientEnv);

    [Fact]
    public async Task Dump_with_the_hooks_script_and_restore_into_a_fresh_server_loses_nothing()
    {
        var dumpDir = Directory.CreateTempSubdirectory("opsdrill-dumps-").FullName;
        try
        {
            var expected = new Dictionary<string, Dictionary<string, TableFingerprint>>();
            await using (var source = await DrillPostgres.StartAsync())
            {
                await CreatePlatformRolesAndDatabases(source);
                var rows = 40;
                foreach (var db in Apps)
                {
                    await source.ExecAsync(db, AppSchema(db, rows));
                    rows += 25;
                    expected[db] = await Fingerprint(source, db);
                }
                // The very script the PostgreSQL container's backup hook runs (Backups.PostgresDumpScript), with the
                // server's client tools first on PATH as they are in its image.
                var env = new Dictionary<string, string>(source.ClientEnv)
                {
                    ["PATH"] = DrillPostgres.BinDir + ":" + Environment.GetEnvironmentVariable("PATH"),
                };
                await DrillPostgres.RunAsync("sh", ["-c", Backups.PostgresDumpScript(dumpDir)], env);
            }
            // Every app database, and nothing initdb made (postgres, templates), was dumped.
            Assert.Equal(Apps.Order(StringComparer.Ordinal).Select(db => db + ".dump"),
                Directory.GetFiles(dumpDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            await using var fresh = await DrillPostgres.StartAsync();
            await CreatePlatformRolesAndDatabases(fresh);
            foreach (var cmd in Backups.RestoreCommands(Apps, dumpDir))
                await Run(cmd, fresh);

            foreach (var db in Apps)
            {
                var actual = await Fingerprint(fresh, db);
                Assert.True(expected[db].Count >= 8, $"{db}: the drill fingerprinted too little ({expected[db].Count} items).");
                Assert.Equal(expected[db]["public.customers"].Rows, actual["public.customers"].Rows);
                var differences = RestoreCheck.Compare(expected[db], actual);
                Assert.True(differences.IsEmpty, $"{db} lost data in the restore:\n" + string.Join("\n", differences));
            }

            // The comparison really catches loss: drop one row from a restored table.
            await fresh.ExecAsync("crm", "DELETE FROM orders WHERE id = (SELECT max(id) FROM orders)");
            var lost = RestoreCheck.Compare(expected["crm"], await Fingerprint(fresh, "crm"));
            Assert.Contains(lost, d => d.StartsWith("public.orders:", StringComparison.Ordinal) && d.Contains("270 rows in the source, 269 after restore", StringComparison.Ordinal));

            // Restoring one app again (the "one database" path) over live data brings it back, atomically.
            foreach (var cmd in Backups.RestoreCommands(Apps, dumpDir, only: "crm"))
                await Run(cmd, fresh);
            Assert.Empty(RestoreCheck.Compare(expected["crm"], await Fingerprint(fresh, "crm")));
        }
        finally
        {
            Directory.Delete(dumpDir, recursive: true);
        }
    }
}

/// <summary>Unit tests of the restore comparer (no server needed).</summary>
public class RestoreCheckTests
{
    [Fact]
    public void Comparer_reports_dropped_changed_missing_and_extra_tables()
    {
        var source = new Dictionary<string, TableFingerprint>
        {
            ["public.a"] = new(3, "aaa"), ["public.b"] = new(2, "bbb"), ["public.c"] = new(1, "ccc"), ["public.d"] = new(0, "ddd"),
        };
        Assert.Empty(RestoreCheck.Compare(source, new Dictionary<string, TableFingerprint>(source)));

        var restored = new Dictionary<string, TableFingerprint>
        {
            ["public.a"] = new(2, "aa"),    // a dropped row
            ["public.b"] = new(2, "bbX"),   // a changed value
            ["public.d"] = new(0, "ddd"),   // fine
            ["public.e"] = new(5, "eee"),   // not in the source
        };                                  // public.c missing
        Assert.Equal(
        [
            "public.a: 3 rows in the source, 2 after restore.",
            "public.b: same row count (2) but different content (checksum bbb vs bbX).",
            "public.c: missing after restore (source has 1 rows).",
            "public.e: present after restore but not in the source.",
        ], RestoreCheck.Compare(source, restored).AsEnumerable());
    }
}
