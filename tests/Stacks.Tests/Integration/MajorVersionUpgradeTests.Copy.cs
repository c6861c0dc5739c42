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

public sealed partial class MajorVersionUpgradeTests
{
    private static readonly DataUpgradeSpec PgUpgrade = new(GuardedEngine.Postgres, "postgres", "postgresUpgrade", "16", "17", "postgres-data", "postgres-data-17",
        null, "/var/lib/postgresql/data", "postgres:17.2-alpine", 4096, "data");

    /// <summary>
    /// Runs the server's upgrade script as rendered, in a real shell, with <c>docker</c> and <c>sudo</c> as small programs on
    /// PATH: docker answers the inspections from the environment, logs every call, and fails psql when told to (the
    /// servers themselves are the copy tests' business); sudo runs the command.
    /// </summary>
    private static async Task<(ProcResult Result, string[] Calls)> ServerScript(Dictionary<string, string> state)
    {
        using var bin = await ServerDirectory.CreateAsync("upbin", null);
        var log = Path.Combine(bin.Path, "calls");
        await File.WriteAllTextAsync(Path.Combine(bin.Path, "docker"), """
            #!/bin/sh
            echo "docker $*" >> "$CALLS"
            case "$1 $2" in
              "volume inspect") [ "$NEW_EXISTS" = yes ] || exit 1; case "$*" in *Options*) echo '<no value>' ;; *Mountpoint*) echo "$NEW_DIR" ;; esac ;;
              "inspect -f") case "$*" in *State.Running*) echo "$RUNNING" ;; *Mounts*) echo "$MOUNTED" ;; *) exit 2 ;; esac ;;
              "inspect postgres") [ "$CONTAINER" != none ] || exit 1 ;;
              "exec postgres") [ "$3" != cat ] || [ "$4" != /var/lib/postgresql/data/pgdata/PG_VERSION ] || echo "$FOUND" ;;
            esac
            case "$*" in *psql*) [ "$PSQL_FAILS" != yes ] || { echo "psql: connection refused" >&2; exit 2; } ;; esac
            exit 0
            """);
        await File.WriteAllTextAsync(Path.Combine(bin.Path, "sudo"), "#!/bin/sh\nexec \"$@\"\n");
        await Proc.RunCheckedAsync("chmod", ["+x", Path.Combine(bin.Path, "docker"), Path.Combine(bin.Path, "sudo")]);
        var env = new Dictionary<string, string>(state)
        {
            ["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["CALLS"] = log,
        };
        var result = await Proc.RunAsync("sh", ["-s"], stdin: UpgradeScripts.Script(PgUpgrade), env: env, timeout: TimeSpan.FromSeconds(60));
        return (result, File.Exists(log) ? await File.ReadAllLinesAsync(log) : []);
    }

    private static Dictionary<string, string> Healthy(string newDir) => new()
    {
        ["NEW_EXISTS"] = "no", ["NEW_DIR"] = newDir, ["CONTAINER"] = "postgres", ["RUNNING"] = "true", ["MOUNTED"] = "postgres-data", ["FOUND"] = "16", ["PSQL_FAILS"] = "no",
    };

    private static int Index(string[] calls, string prefix) => Array.FindIndex(calls, c => c.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task MajorVersion_upgrade_script_checks_before_it_changes_anything_switches_last_and_undoes_a_failed_copy()
    {
        using var newVolume = await ServerDirectory.CreateAsync("upvol", null);
        static bool Changes(string c) => c.StartsWith("docker volume create", StringComparison.Ordinal) || c.StartsWith("docker stop", StringComparison.Ordinal) || c.StartsWith("docker run", StringComparison.Ordinal);

        // Each wrong precondition stops it before the first change, naming what to correct.
        foreach (var (key, value, message) in new[]
        {
            ("RUNNING", "false", "container postgres is not running: the upgrade copies from the running PostgreSQL 16"),
            ("MOUNTED", "postgres-data-16", "postgres runs on volume postgres-data-16, not on postgres-data: set postgresUpgrade.previousVolume to postgres-data-16."),
            ("FOUND", "15", "postgres's data is PostgreSQL 15, not 16 (postgresUpgrade.from): correct postgresUpgrade."),
        })
        {
            var (refused, calls) = await ServerScript(new(Healthy(newVolume.Path)) { [key] = value });
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("error: postgres-upgrade: " + message, refused.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(calls, Changes);
        }

        // A first deployment of a stack whose file declares the upgrade: no container, no old volume: nothing to copy.
        var (first, firstCalls) = await ServerScript(new(Healthy(newVolume.Path)) { ["CONTAINER"] = "none" });
        Assert.True(first.Ok, first.ToString());
        Assert.Contains("no container postgres and no data in postgres-data (a first start): nothing to copy", first.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(firstCalls, Changes);

        // A copy that fails (here psql cannot reach a server): the new volume is emptied, PgBouncer starts again, the old server is not stopped.
        var (failed, failedCalls) = await ServerScript(new(Healthy(newVolume.Path)) { ["PSQL_FAILS"] = "yes" });
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("nothing was switched: postgres runs PostgreSQL 16 on postgres-data as before, and postgres-data-17 is empty", failed.Stderr, StringComparison.Ordinal);
        Assert.True(Index(failedCalls, "docker stop pgbouncer") < Index(failedCalls, "docker run -d --name postgres-upgrade"));
        Assert.Contains(failedCalls, c => c.StartsWith("docker run --rm -v postgres-data-17:/v --entrypoint sh postgres:17.2-alpine -c rm -rf", StringComparison.Ordinal));
        Assert.Contains("docker start pgbouncer", failedCalls);
        Assert.Contains("docker rm -f postgres-upgrade", failedCalls);
        Assert.DoesNotContain(failedCalls, c => c.StartsWith("docker stop -t 120 postgres", StringComparison.Ordinal));

        // A copy that verifies (both servers empty here): receipt, the temporary server stopped, then the old container: the switch.
        var (done, calls2) = await ServerScript(Healthy(newVolume.Path));
        Assert.True(done.Ok, done.ToString());
        Assert.Contains("verified: 0 tables and other objects", done.Stdout, StringComparison.Ordinal);
        var receipt = Index(calls2, "docker exec postgres-upgrade sh -c echo");
        Assert.True(Index(calls2, "docker volume create postgres-data-17") < Index(calls2, "docker run -d --name postgres-upgrade"));
        Assert.True(receipt > Index(calls2, "docker run -d --name postgres-upgrade") && receipt < Index(calls2, "docker stop -t 120 postgres-upgrade"));
        Assert.True(Index(calls2, "docker stop -t 120 postgres-upgrade") < Array.IndexOf(calls2, "docker stop -t 120 postgres"));
        Assert.Equal("docker stop -t 120 postgres", calls2.Last(c => c.StartsWith("docker stop", StringComparison.Ordinal)));
        Assert.DoesNotContain("docker start pgbouncer", calls2);
        Assert.DoesNotContain(calls2, c => c.Contains("rm -rf", StringComparison.Ordinal));

        // Run again once the copy is verified: nothing to do. A copy without its receipt (an interrupted attempt) is refused.
        await File.WriteAllTextAsync(Path.Combine(newVolume.Path, PgUpgrade.Receipt), "verified");
        var (again, calls3) = await ServerScript(new(Healthy(newVolume.Path)) { ["NEW_EXISTS"] = "yes" });
        Assert.True(again.Ok, again.ToString());
        Assert.Contains("volume postgres-data-17 holds the verified PostgreSQL 17 copy already: nothing to do.", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(calls3, Changes);
        File.Delete(Path.Combine(newVolume.Path, PgUpgrade.Receipt));
        Directory.CreateDirectory(Path.Combine(newVolume.Path, "pgdata"));
        var (interrupted, calls4) = await ServerScript(new(Healthy(newVolume.Path)) { ["NEW_EXISTS"] = "yes" });
        Assert.Equal(1, interrupted.ExitCode);
        Assert.Contains("volume postgres-data-17 holds data but no verified copy (an interrupted attempt). Remove it (docker volume rm postgres-data-17)", interrupted.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(calls4, Changes);
    }
}
