using System.Collections.Immutable;
using MySqlConnector;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Parts.MariaDb;

/// <summary>
/// A backup that was never restored is not a backup. This drill fills two app databases on a real MariaDB, dumps
/// them with the backup job's exact dump command (only the socket and the socket's user differ), provisions a fresh
/// server as a deploy would, restores with the exact restore command, and compares every table's row count and
/// <c>CHECKSUM TABLE</c>, and every routine, trigger, event and view.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MariaDbRestoreDrillTests
{
    private static readonly MariaDbDatabaseRequest Shop = new("shop", "shop", "shop", "mariadb-shop", 5);
    private static readonly MariaDbDatabaseRequest Faces = new("faces", "faces", "faces", "mariadb-faces", 5);
    private static readonly ImmutableArray<MariaDbDatabaseRequest> Apps = [Faces, Shop];

    private static string AppSchema(int rows) => $"""
        CREATE TABLE customers (
          id bigint AUTO_INCREMENT PRIMARY KEY,
          name varchar(200) NOT NULL,
          profile json,
          avatar blob,
          balance decimal(38, 12),
          kind enum('retail', 'wholesale') NOT NULL DEFAULT 'retail',
          created datetime(6) NOT NULL) ENGINE=InnoDB;
        CREATE TABLE orders (
          id int AUTO_INCREMENT PRIMARY KEY,
          customer_id bigint NOT NULL,
          total decimal(12, 2) NOT NULL,
          note text,
          placed date NOT NULL,
          KEY orders_customer (customer_id),
          CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB;
        CREATE TABLE `Settings ünïcode` (k varchar(40) PRIMARY KEY, v double, raw varbinary(64)) ENGINE=InnoDB;
        CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, what varchar(100)) ENGINE=InnoDB;
        CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('order ', NEW.id));
        CREATE PROCEDURE big_spenders(IN minimum decimal(12, 2)) SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id HAVING SUM(total) > minimum;
        CREATE EVENT nightly_cleanup ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DISABLE DO DELETE FROM audit WHERE id < 0;
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 500;
        INSERT INTO customers (name, profile, avatar, balance, kind, created)
          SELECT CONCAT('Zoë ', seq, ' 🚀 O''Brien "q" \\ back'),
                 JSON_OBJECT('i', seq, 'nested', JSON_ARRAY(seq, 'x', NULL, TRUE)),
                 CONCAT(UNHEX(MD5(seq)), 0x00FF00),
                 seq * 12345.678901234567 - 99999.5,
                 IF(seq % 3 = 0, 'wholesale', 'retail'),
                 '2025-01-01 00:00:00' + INTERVAL seq * 67 MINUTE + INTERVAL seq MICROSECOND
          FROM seq_1_to_{rows};
        INSERT INTO customers (name, profile, avatar, balance, created) VALUES ('line1\nline2\ttab', NULL, NULL, NULL, '2025-01-01');
        INSERT INTO orders (customer_id, total, note, placed)
          SELECT 1 + (seq % {rows}), ROUND(seq * 17.31, 2), IF(seq % 3 = 0, NULL, CONCAT('note ', seq, ' — ✓')), '2025-01-01' + INTERVAL (seq % 365) DAY
          FROM seq_1_to_{rows * 3};
        INSERT INTO `Settings ünïcode` VALUES ('pi', PI(), 0xDEADBEEF), ('empty', 0, ''), ('null', NULL, NULL);
        """;

    private static async Task RunAsAppAsync(MariaDbServer server, MariaDbDatabaseRequest app, string password, string sql)
    {
        await using var conn = new MySqlConnection(server.ConnectionString(app.Database, app.User, password));
        await conn.OpenAsync();
        // One statement at a time: the trigger and procedure bodies contain no semicolon of their own.
        foreach (var statement in sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var cmd = new MySqlCommand(statement.TrimEnd(';'), conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private static async Task<Dictionary<string, TableFingerprint>> FingerprintAsync(MariaDbServer server, string database)
    {
        var result = new Dictionary<string, TableFingerprint>(StringComparer.Ordinal);
        foreach (var row in await server.QueryAsync(MariaDbBackups.ListTablesSql(database)))
        {
            var table = row[0];
            var (count, checksum) = MariaDbBackups.FingerprintSql(table);
            var rows = long.Parse(await server.ScalarAsync(count), System.Globalization.CultureInfo.InvariantCulture);
            result[table] = new TableFingerprint(rows, (await server.QueryAsync(checksum)).Single()[1]);
        }
        foreach (var row in await server.QueryAsync(MariaDbBackups.ListObjectsSql(database)))
            result[row[0]] = new TableFingerprint(0, row[1]);
        return result;
    }

    [Fact]
    public async Task Dump_and_restore_into_a_fresh_server_keep_every_row_and_object_and_a_lost_row_is_caught()
    {
        var secrets = Apps.ToDictionary(a => a.PasswordSecret, _ => Integration.Secrets.NewPassword(), StringComparer.Ordinal);
        var sql = MariaDbProvisioning.Script(Apps).Resolve(n => secrets[n]);
        var dumpDir = Directory.CreateTempSubdirectory("mdb-dumps-");
        try
        {
            var expected = new Dictionary<string, Dictionary<string, TableFingerprint>>(StringComparer.Ordinal);
            await using (var source = await MariaDbServer.StartAsync())
            {
                await source.SqlAsync(sql);
                await RunAsAppAsync(source, Shop, secrets[Shop.PasswordSecret], AppSchema(400));
                await RunAsAppAsync(source, Faces, secrets[Faces.PasswordSecret], AppSchema(150));
                var job = MariaDbBackups.Jobs(MariaDbNames.DefaultImage, Apps.Select(a => a.Database), new BackupPolicy(), new OpsNetworks())[0];
                foreach (var app in Apps)
                {
                    expected[app.Database] = await FingerprintAsync(source, app.Database);
                    Assert.Contains(expected[app.Database], kv => kv.Key == "trigger orders_audit");
                    Assert.Equal(app == Shop ? 1200L : 450L, expected[app.Database]["`" + app.Database + "`.`orders`"].Rows);

                    // The job's own command, adapted only in where the socket is and whom it maps to.
                    var jobCommand = job.DumpCommands.Single(c => c[^1] == app.Database);
                    var command = MariaDbBackups.DumpCommand(app.Database, dumpDir.FullName, source.Socket, MariaDbServer.AdminUser);
                    Assert.Equal(
                        jobCommand.Select(a => a.Replace(Backups.DumpDir, dumpDir.FullName, StringComparison.Ordinal))
                            .Where(a => !a.StartsWith("--socket=", StringComparison.Ordinal) && !a.StartsWith("--user=", StringComparison.Ordinal)),
                        command.Where(a => !a.StartsWith("--socket=", StringComparison.Ordinal) && !a.StartsWith("--user=", StringComparison.Ordinal)));
                    await Proc.RunCheckedAsync(Proc.Require(command[0]), command.Skip(1), timeout: TimeSpan.FromSeconds(120));
                }
            }

            await using var fresh = await MariaDbServer.StartAsync();
            await fresh.SqlAsync(sql);
            foreach (var app in Apps)
            {
                var dump = await File.ReadAllTextAsync(Path.Combine(dumpDir.FullName, app.Database + ".sql"));
                Assert.DoesNotContain("IDENTIFIED", dump, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secrets[app.PasswordSecret], dump, StringComparison.Ordinal);
                var restore = MariaDbBackups.RestoreCommand(fresh.Socket, MariaDbServer.AdminUser);
                await Proc.RunCheckedAsync(Proc.Require(restore[0]), restore.Skip(1), stdin: dump, timeout: TimeSpan.FromSeconds(120));
            }

            foreach (var app in Apps)
                Assert.Empty(RestoreCheck.Compare(expected[app.Database], await FingerprintAsync(fresh, app.Database)));

            // The app logs in to its restored data with its provisioned user; the trigger still fires.
            await RunAsAppAsync(fresh, Shop, secrets[Shop.PasswordSecret], "INSERT INTO orders (customer_id, total, placed) VALUES (1, 1, '2025-06-01')");
            Assert.Equal("1201", await fresh.ScalarAsync("SELECT COUNT(*) FROM shop.audit"));

            // One lost row anywhere is caught.
            await fresh.SqlAsync("DELETE FROM faces.`Settings ünïcode` WHERE k = 'empty'");
            var differences = RestoreCheck.Compare(expected["faces"], await FingerprintAsync(fresh, "faces"));
            Assert.Equal("`faces`.`Settings ünïcode`: 3 rows in the source, 2 after restore.", Assert.Single(differences));
            // And so is a changed value with the same row count.
            await fresh.SqlAsync("UPDATE faces.customers SET balance = balance + 0.000000000001 WHERE id = 7");
            Assert.Contains(RestoreCheck.Compare(expected["faces"], await FingerprintAsync(fresh, "faces")),
                d => d.StartsWith("`faces`.`customers`: same row count", StringComparison.Ordinal));
        }
        finally
        {
            dumpDir.Delete(recursive: true);
        }
    }
}
