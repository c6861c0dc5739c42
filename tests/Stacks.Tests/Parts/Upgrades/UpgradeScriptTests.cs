using System.Diagnostics;
using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Parts.Upgrades;

/// <summary>The server half of a declared upgrade: what it checks before it touches anything, and the order of its steps.</summary>
public sealed class UpgradeScriptTests
{
    private static readonly DataUpgradeSpec Pg = new(GuardedEngine.Postgres, "postgres", "postgresUpgrade", "16", "17", "postgres-data", "postgres-data-17",
        null, "/var/lib/postgresql/data", "postgres:17.2-alpine", 4096, "data");

    private static readonly DataUpgradeSpec Maria = new(GuardedEngine.MariaDb, "mariadb", "mariadbUpgrade", "10.11", "11.4", "mariadb-data", "mariadb-data-11.4",
        "/srv/platform/data/volumes/mariadb-data-11.4", "/var/lib/mysql", "mariadb:11.4.5", 1024, "data");

    private static void AssertShellSyntax(string script)
    {
        var check = Process.Start(new ProcessStartInfo("sh", ["-n", "-c", script]) { RedirectStandardError = true })!;
        var err = check.StandardError.ReadToEnd();
        check.WaitForExit();
        Assert.True(check.ExitCode == 0, err);
    }

    private static int At(string script, string text)
    {
        var i = script.IndexOf(text, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{text}' is not in the script");
        return i;
    }

    [Fact]
    public void The_postgres_upgrade_checks_first_copies_and_verifies_then_switches_and_leaves_the_old_volume_alone()
    {
        var s = UpgradeScripts.Script(Pg);
        AssertShellSyntax(s);
        AssertShellSyntax(UpgradeScripts.FinishScript(Pg));
        // The engine half is the tested one, verbatim.
        Assert.Contains(UpgradeCopy.PostgresFunctions().TrimEnd('\n'), s, StringComparison.Ordinal);
        // Idempotent: a verified copy means done; a copy without its receipt is refused with the fix.
        Assert.True(At(s, "upgrade-from-16.verified\"; then log") < At(s, "docker stop pgbouncer"));
        Assert.Contains("(an interrupted attempt). Remove it (docker volume rm postgres-data-17) and deploy again", s, StringComparison.Ordinal);
        // Checks before anything changes: the running container, its volume and its data's major.
        var firstChange = At(s, "docker volume create");
        Assert.True(At(s, "is not running: the upgrade copies from the running PostgreSQL 16") < firstChange);
        Assert.True(At(s, "not on postgres-data: set postgresUpgrade.previousVolume to $mounted") < firstChange);
        Assert.True(At(s, "not 16 (postgresUpgrade.from)") < firstChange);
        // Copy and verification before the switch; the old container stops only after the receipt is written.
        Assert.True(At(s, "  upgrade_copy") < At(s, "> /var/lib/postgresql/data/upgrade-from-16.verified'"));
        Assert.True(At(s, "> /var/lib/postgresql/data/upgrade-from-16.verified'") < At(s, "docker stop -t 120 postgres >/dev/null"));
        Assert.Contains("docker run -d --name postgres-upgrade --memory 4096m -v postgres-data-17:/var/lib/postgresql/data --network data", s, StringComparison.Ordinal);
        Assert.Contains("postgres:17.2-alpine", s, StringComparison.Ordinal);
        // The old volume is only ever named in checks and messages: nothing mounts or writes it.
        Assert.DoesNotContain("postgres-data:/", s, StringComparison.Ordinal);
        Assert.DoesNotContain("-v postgres-data ", s, StringComparison.Ordinal);
        // A failure empties the new volume only and brings PgBouncer back.
        Assert.Contains("docker run --rm -v postgres-data-17:/v --entrypoint sh postgres:17.2-alpine -c 'rm -rf /v/* /v/.[!.]*'", s, StringComparison.Ordinal);
        Assert.Contains("[ \"${stopped:-}\" != yes ] || docker start pgbouncer", s, StringComparison.Ordinal);
        // No client reads the script itself: everything runs in main, with an empty stdin.
        Assert.EndsWith("main </dev/null\n", s, StringComparison.Ordinal);
    }

    [Fact]
    public void The_postgres_finish_brings_pgbouncer_back_and_upgrades_the_pitr_stanza_only_with_pitr()
    {
        var plain = UpgradeScripts.FinishScript(Pg);
        Assert.True(At(plain, "pg_isready") < At(plain, "docker start pgbouncer"));
        // On a first start (no copy, no receipt) or once finished it does nothing more; PgBouncer is started only where it exists.
        Assert.Contains("if docker inspect pgbouncer >/dev/null 2>&1; then docker start pgbouncer", plain, StringComparison.Ordinal);
        Assert.True(At(plain, "test -e /var/lib/postgresql/data/upgrade-from-16.verified") < At(plain, "vacuumdb"));
        Assert.Contains("vacuumdb --all --analyze-in-stages", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("pgbackrest", plain, StringComparison.Ordinal);
        var pitr = UpgradeScripts.FinishScript(Pg with { Pitr = true });
        Assert.Contains("pgbackrest stanza-upgrade && pgbackrest check && pgbackrest --type=full backup", pitr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mariadb_upgrade_stops_writes_not_reads_and_creates_the_new_volume_on_the_data_disk()
    {
        var s = UpgradeScripts.Script(Maria);
        AssertShellSyntax(s);
        Assert.Contains(UpgradeCopy.MariaDbFunctions().TrimEnd('\n'), s, StringComparison.Ordinal);
        Assert.True(At(s, "sudo install -d -m 0755 /srv/platform/data/volumes/mariadb-data-11.4") < At(s, "docker volume create --driver local --opt type=none --opt o=bind --opt device=/srv/platform/data/volumes/mariadb-data-11.4 mariadb-data-11.4"));
        Assert.True(At(s, "SET GLOBAL read_only = ON") < At(s, "  upgrade_copy"));
        Assert.Contains("SET GLOBAL read_only = OFF", s, StringComparison.Ordinal);
        Assert.Contains("grep '^MARIADB_ROOT_' > \"$work/env\"", s, StringComparison.Ordinal);
        Assert.Contains("healthcheck.sh --connect --innodb_initialized", s, StringComparison.Ordinal);
        Assert.Contains("not 10.11 (mariadbUpgrade.from)", s, StringComparison.Ordinal);
        Assert.DoesNotContain("pgbouncer", s, StringComparison.Ordinal);
        Assert.Equal([UpgradeScripts.CommandName("mariadb")], UpgradeScripts.Commands(Maria).AsEnumerable());
    }
}
