using System.Globalization;
using Npgsql;
using Platform.Stacks.Data;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Integration;

public sealed partial class MajorVersionUpgradeTests
{
    /// <summary>Runs <paramref name="commands"/> after the upgrade's PostgreSQL functions, with the two servers' clients defined as the server's script does (local binaries here).</summary>
    private static Task<ProcResult> PostgresUpgradeShell(PostgresServer old, PostgresServer fresh, string work, string commands)
    {
        static string Psql(PostgresServer pg) =>
            $"{Backups.ShellQuote(pg.Tool("psql"))} -h {Backups.ShellQuote(pg.SocketDirectory)} -p {pg.Port.ToString(CultureInfo.InvariantCulture)} -X -q -v ON_ERROR_STOP=1 \"$@\"";
        return Proc.RunAsync("sh", ["-c", string.Join("\n",
            "set -eu",
            $"work={Backups.ShellQuote(work)}",
            $"old_psql() {{ {Psql(old)}; }}",
            $"new_psql() {{ {Psql(fresh)}; }}",
            // The new server's client dumps the old server, as on the server (there: the new image's pg_dumpall over the data network).
            $"dumpall() {{ {Backups.ShellQuote(fresh.Tool("pg_dumpall"))} -h {Backups.ShellQuote(old.SocketDirectory)} -p {old.Port.ToString(CultureInfo.InvariantCulture)} -U postgres; }}",
            UpgradeCopy.PostgresFunctions(),
            commands)], asUser: PostgresServer.OsUser, timeout: TimeSpan.FromSeconds(300));
    }

    private static async Task<T> Scalar<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task MajorVersion_upgrade_copies_every_postgres_database_to_a_new_server_verifies_it_and_catches_a_changed_row()
    {
        await using var old = await PostgresServer.StartAsync();
        var appPassword = Secrets.NewPassword();
        await old.PsqlAsync($"CREATE ROLE shop LOGIN PASSWORD '{Scram.Verifier(appPassword, "shop")}'; CREATE DATABASE shop OWNER shop; CREATE DATABASE blog;");
        await old.PsqlAsync("""
            SET ROLE shop;
            CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text, total numeric(12,2), tags text[], doc jsonb, raw bytea, at timestamptz);
            INSERT INTO orders (note, total, tags, doc, raw, at)
              SELECT 'order ' || i || E' \u00e9\n''q''', i * 1.25, ARRAY['a', i::text], jsonb_build_object('i', i), decode(lpad(to_hex(i), 8, '0'), 'hex'), '2026-01-01'::timestamptz + i * interval '1 minute'
              FROM generate_series(1, 500) AS i;
            INSERT INTO orders (note) VALUES (NULL);
            CREATE SEQUENCE invoice_no START 1000;
            SELECT nextval('invoice_no');
            SELECT nextval('invoice_no');
            CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
            """, "shop");
        await old.PsqlAsync("CREATE SCHEMA cms; CREATE TABLE cms.posts (slug text PRIMARY KEY, body text); INSERT INTO cms.posts VALUES ('a', 'x'), ('b', NULL);", "blog");

        await using var fresh = await PostgresServer.StartAsync();
        using var work = await ServerDirectory.CreateAsync("pgup", PostgresServer.OsUser);
        var copy = await PostgresUpgradeShell(old, fresh, work.Path, "upgrade_copy");
        Assert.True(copy.Ok, copy.ToString());
        Assert.Matches(@"^verified: \d+ tables and other objects, the same row counts and checksums on the old and the new server$", copy.Stdout.Trim());

        // What the comparison covered: roles, each database's tables (with their counts) and sequences.
        var before = await File.ReadAllLinesAsync(Path.Combine(work.Path, "before"));
        Assert.Contains("role shop", before);
        Assert.Contains(before, l => l.StartsWith("shop.public.orders 501 ", StringComparison.Ordinal));
        Assert.Contains(before, l => l.StartsWith("blog.cms.posts 2 ", StringComparison.Ordinal));
        Assert.Contains("shop.sequence public.invoice_no 1001", before);
        Assert.Contains("shop.sequence public.orders_id_seq 501", before);

        // The copy serves: the app's role logs in with its own password (its SCRAM verifier was carried) and owns its data.
        var app = fresh.ConnectionString("shop", "shop", appPassword);
        Assert.Equal(501L, await Scalar<long>(app, "select count(*) from orders"));
        Assert.Equal(502L, await Scalar<long>(app, "insert into orders (note) values ('next') returning id"));
        Assert.Equal(0L, await Scalar<long>(app, "select count(*) from big_orders where total <= 100"));

        // A row that differs is caught, named, and fails the step that would switch.
        await fresh.PsqlAsync("DELETE FROM orders WHERE note = 'next'; SELECT setval('orders_id_seq', 501); UPDATE orders SET total = total + 0.01 WHERE id = 7;", "shop");
        var verify = await PostgresUpgradeShell(old, fresh, work.Path, "upgrade_verify");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("the copy on the new server differs from the old server (< old, > new), so nothing is switched", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains("< shop.public.orders 501 ", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains("> shop.public.orders 501 ", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("blog.cms.posts", verify.Stderr, StringComparison.Ordinal);

        // A dump that fails part-way never verifies: the copy fails (here into a third, empty server).
        await using var third = await PostgresServer.StartAsync();
        using var work2 = await ServerDirectory.CreateAsync("pgup2", PostgresServer.OsUser);
        var broken = await PostgresUpgradeShell(old, third, work2.Path, "dumpall() { echo 'CREATE DATABASE shop;'; return 1; }\nupgrade_copy");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.DoesNotContain("verified:", broken.Stdout, StringComparison.Ordinal);

        // The old server was only read: its data directory, started again as the rollback does, has every row.
        await old.RestartAsync();
        Assert.Equal(501L, await Scalar<long>(old.ConnectionString("shop", old.SuperuserName, old.SuperuserPassword), "select count(*) from orders"));
    }
}

public sealed partial class MajorVersionUpgradeTests
{
    /// <summary>Runs <paramref name="commands"/> after the upgrade's MariaDB functions, with the two servers' clients as the server's script defines them (there: <c>docker exec</c> as root over the socket).</summary>
    private static Task<ProcResult> MariaDbUpgradeShell(MariaDbServer old, MariaDbServer fresh, string work, string commands)
    {
        static string Client(string program, MariaDbServer db) =>
            $"{Backups.ShellQuote(Proc.Require(program))} --no-defaults --socket={Backups.ShellQuote(db.Socket)} --user={MariaDbServer.AdminUser}";
        return Proc.RunAsync("sh", ["-c", string.Join("\n",
            "set -eu",
            $"work={Backups.ShellQuote(work)}",
            $"old_sql() {{ {Client("mariadb", old)} --batch --raw \"$@\"; }}",
            $"new_sql() {{ {Client("mariadb", fresh)} --batch --raw \"$@\"; }}",
            $"dump() {{ {Client("mariadb-dump", old)} \"$@\"; }}",
            UpgradeCopy.MariaDbFunctions(),
            commands)], timeout: TimeSpan.FromSeconds(300));
    }

    [Fact]
    public async Task MajorVersion_upgrade_copies_every_mariadb_database_to_a_new_server_verifies_it_and_catches_a_changed_row()
    {
        await using var old = await MariaDbServer.StartAsync();
        await old.SqlAsync("""
            CREATE DATABASE shop;
            USE shop;
            CREATE TABLE shop.orders (id int AUTO_INCREMENT PRIMARY KEY, note varchar(200), total decimal(12,2), ratio double, raw blob, at datetime(6), doc json);
            INSERT INTO shop.orders (note, total, ratio, raw, at, doc)
              SELECT CONCAT('order ', seq, ' é\n\'q\''), seq * 1.25, seq / 7, UNHEX(LPAD(HEX(seq), 8, '0')), TIMESTAMP('2026-01-01') + INTERVAL seq MINUTE, JSON_OBJECT('i', seq)
              FROM seq_1_to_500 AS s;
            INSERT INTO shop.orders (note) VALUES (NULL);
            CREATE TABLE shop.audit (at datetime, what text);
            CREATE TRIGGER shop.orders_audit AFTER INSERT ON shop.orders FOR EACH ROW INSERT INTO shop.audit VALUES (NOW(), NEW.note);
            CREATE DATABASE blog;
            CREATE TABLE blog.posts (slug varchar(40) PRIMARY KEY, body text);
            INSERT INTO blog.posts VALUES ('a', 'x'), ('b', NULL);
            """);

        await using var fresh = await MariaDbServer.StartAsync();
        using var work = await ServerDirectory.CreateAsync("mdbup", null);
        var copy = await MariaDbUpgradeShell(old, fresh, work.Path, "upgrade_copy");
        Assert.True(copy.Ok, copy.ToString());
        Assert.Matches(@"^verified: \d+ tables and other objects, the same row counts and checksums on the old and the new server$", copy.Stdout.Trim());
        var before = await File.ReadAllLinesAsync(Path.Combine(work.Path, "before"));
        Assert.Contains(before, l => l.StartsWith("shop.orders\t501\t", StringComparison.Ordinal));
        Assert.Contains(before, l => l.StartsWith("blog.posts\t2\t", StringComparison.Ordinal));
        Assert.Contains(before, l => l.StartsWith("shop.audit\t0\t", StringComparison.Ordinal));
        Assert.DoesNotContain(before, l => l.StartsWith("mysql.", StringComparison.Ordinal));

        // The copy serves, with its trigger and its AUTO_INCREMENT position.
        var nextId = await old.ScalarAsync("SELECT AUTO_INCREMENT FROM information_schema.tables WHERE table_schema = 'shop' AND table_name = 'orders'");
        await fresh.SqlAsync("INSERT INTO shop.orders (note) VALUES ('next');");
        Assert.Equal(nextId, await fresh.ScalarAsync("SELECT MAX(id) FROM shop.orders"));
        Assert.Equal("next", await fresh.ScalarAsync("SELECT what FROM shop.audit"));

        // A row that differs is caught and named; the equal tables are not.
        await fresh.SqlAsync("DELETE FROM shop.orders WHERE note = 'next'; DELETE FROM shop.audit; UPDATE shop.orders SET ratio = ratio + 0.000001 WHERE id = 7;");
        var verify = await MariaDbUpgradeShell(old, fresh, work.Path, "upgrade_verify");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("the copy on the new server differs from the old server (< old, > new), so nothing is switched", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains("< shop.orders\t501\t", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains("> shop.orders\t501\t", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("blog.posts", verify.Stderr, StringComparison.Ordinal);

        // A dump that fails part-way never verifies.
        await using var third = await MariaDbServer.StartAsync();
        using var work2 = await ServerDirectory.CreateAsync("mdbup2", null);
        var broken = await MariaDbUpgradeShell(old, third, work2.Path, "dump() { echo 'CREATE DATABASE shop;'; return 1; }\nupgrade_copy");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.DoesNotContain("verified:", broken.Stdout, StringComparison.Ordinal);
        Assert.Equal("501", await old.ScalarAsync("SELECT COUNT(*) FROM shop.orders"));
    }
}
