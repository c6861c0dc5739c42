using System.Collections.Immutable;
using System.Text;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>
/// One scheduled MariaDB dump, shaped like a PostgreSQL job of <see cref="Backups"/>: in <see cref="Agent"/> (the server's
/// own image, idle) the host's backup timer execs the dump script, which writes fresh dumps into
/// <see cref="DumpVolume"/>; the runner archives that volume off-site on <see cref="Schedule"/> and keeps
/// <see cref="RetentionDays"/> days. The agent dumps over the server's Unix socket (shared through
/// <see cref="MariaDbNames.SocketVolume"/>) as root@localhost, so no password exists for it anywhere.
/// </summary>
public sealed record MariaDbBackupJob(
    string Name,
    string What,
    string Schedule,
    int RetentionDays,
    string DumpVolume,
    ImmutableArray<ImmutableArray<string>> DumpCommands,
    string DumpScript,
    OpsContainer Agent);

/// <summary>The exact dump, restore and restore-script of the app databases.</summary>
public static class MariaDbBackups
{
    /// <summary>
    /// The exact dump of one database into <c>&lt;directory&gt;/&lt;database&gt;.sql</c>: one consistent InnoDB snapshot
    /// (<c>--single-transaction</c>, so apps keep writing), with routines, triggers and events, binary columns in hex
    /// (safe in a text file), utf8mb4, and <c>--databases</c> so the dump creates its database with its character set
    /// (restorable into a fresh server). Users and grants are not in it: provisioning makes them.
    /// </summary>
    /// <param name="database">The app database (a valid name: see <see cref="MariaDbNames.DatabaseProblem"/>).</param>
    /// <param name="directory">Where the dump file goes.</param>
    /// <param name="socket">The server's socket (the tests pass their own; nothing else changes).</param>
    /// <param name="user">The socket-authenticated administrator.</param>
    public static ImmutableArray<string> DumpCommand(string database, string directory, string socket = MariaDbNames.SocketPath, string user = MariaDbNames.AdminUser) =>
    [
        "mariadb-dump",
        "--no-defaults",
        $"--socket={socket}",
        $"--user={user}",
        "--single-transaction",
        "--routines",
        "--triggers",
        "--events",
        "--hex-blob",
        "--default-character-set=utf8mb4",
        "--skip-dump-date",
        $"--result-file={directory}/{database}.sql",
        "--databases",
        database,
    ];

    /// <summary>
    /// The exact restore of a dump (on standard input) as the socket-authenticated administrator. <c>--binary-mode</c>
    /// keeps every byte as dumped. It drops and recreates each dumped table; run it with the app stopped.
    /// </summary>
    public static ImmutableArray<string> RestoreCommand(string socket = MariaDbNames.SocketPath, string user = MariaDbNames.AdminUser) =>
    [
        "mariadb",
        "--no-defaults",
        $"--socket={socket}",
        $"--user={user}",
        "--batch",
        "--binary-mode",
    ];

    /// <summary>The agent's script: clear old dumps, dump every database one by one; stops at the first failure, and fails unless every dump is complete (its last line) and of a sane size.</summary>
    public static string DumpScript(IEnumerable<string> databases, string directory = Operations.Backups.DumpDir)
    {
        var lines = new List<string> { "set -eu", $"rm -f {directory}/*.sql" };
        var dbs = databases.Order(StringComparer.Ordinal).ToList();
        lines.AddRange(dbs.Select(db => Operations.Backups.ToShell(DumpCommand(db, directory))));
        // mariadb-dump writes this line last, so a dump cut short (disk full, killed) lacks it.
        lines.AddRange(dbs.Select(db =>
            $"tail -n 1 {directory}/{db}.sql | grep -q \"^-- Dump completed\" || {{ echo \"backup check: {db}.sql is incomplete\" >&2; exit 1; }}"));
        lines.Add(Operations.Backups.SizeCheck(directory, "*.sql", dbs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        lines.Add($"ls -l {directory}");
        return string.Join("; ", lines);
    }

    /// <summary>
    /// The jobs: daily and hourly-in-business-hours, on PostgreSQL's schedules and with PostgreSQL's retention
    /// (<paramref name="policy"/>), one agent each (each has its own dump volume).
    /// </summary>
    public static ImmutableArray<MariaDbBackupJob> Jobs(string image, IEnumerable<string> databases, BackupPolicy policy, OpsNetworks networks, int agentMemoryMb = 256)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(networks);
        var dbs = databases.Order(StringComparer.Ordinal).ToImmutableArray();
        var daily = Job("mariadb-daily", "MariaDB daily (every app database)", policy.PostgresDailySchedule, policy.PostgresDailyRetentionDays, image, dbs, networks, agentMemoryMb);
        return policy.HourlyEnabled
            ? [daily, Job("mariadb-hourly", "MariaDB hourly in business hours (every app database)", policy.PostgresHourlySchedule,
                Operations.Backups.HoursToDays(policy.PostgresHourlyRetentionHours), image, dbs, networks, agentMemoryMb)]
            : [daily];
    }

    private static MariaDbBackupJob Job(string name, string what, string schedule, int retentionDays, string image, ImmutableArray<string> dbs, OpsNetworks networks, int memoryMb)
    {
        var script = DumpScript(dbs);
        var dumpVolume = $"backup-{name}-dumps";
        var agent = new OpsContainer(
            Name: $"backup-{name}-agent",
            Image: image,
            Command: ["sleep", "infinity"],
            Env: [],
            Labels: ImmutableSortedDictionary<string, string>.Empty,
            Mounts: [Mount.Volume(dumpVolume, Operations.Backups.DumpDir), Mount.Volume(MariaDbNames.SocketVolume, MariaDbNames.SocketDirectory)],
            // It talks to the server over the socket only; the internal data network gives it no egress.
            Networks: [networks.Data],
            Files: [],
            Mode: RunMode.Service,
            MemoryMb: memoryMb);
        return new MariaDbBackupJob(name, what, schedule, retentionDays, dumpVolume,
            [.. dbs.Select(db => DumpCommand(db, Operations.Backups.DumpDir))], script, agent);
    }

    /// <summary>
    /// A shell script, to run on the server as the deploy user, that restores one database (or all) from an extracted
    /// archive directory, inside the running MariaDB container, as root over its socket. Into a fresh server: deploy
    /// (which provisions the databases and users) first, stop the apps, then run this.
    /// </summary>
    public static string RestoreScript(IEnumerable<string> databases, string jobName, string? only = null, string container = MariaDbNames.Service)
    {
        var dbs = databases.Order(StringComparer.Ordinal).ToList();
        if (only is not null)
        {
            if (!dbs.Contains(only, StringComparer.Ordinal))
                throw new ArgumentException($"'{only}' is not a MariaDB app database; known: {string.Join(", ", dbs)}.", nameof(only));
            dbs = [only];
        }
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Restore ").Append(only is null ? "every MariaDB app database" : $"the '{only}' MariaDB database").Append(" from an extracted ").Append(jobName).Append(" archive.\n");
        sb.Append("# Usage: restore.sh <directory holding the extracted backup/").Append(jobName).Append("/*.sql files>\n");
        sb.Append("# Stop the affected app containers first. Users and grants come from provisioning, not from the dump.\n");
        sb.Append("set -eu\n");
        sb.Append("dir=\"$(cd \"${1:?usage: restore.sh <dump directory>}\" && pwd)\"\n");
        foreach (var db in dbs)
        {
            sb.Append("docker exec -i ").Append(Operations.Backups.ShellQuote(container)).Append(' ')
                .Append(Operations.Backups.ToShell(RestoreCommand())).Append(" < \"$dir/").Append(db).Append(".sql\"\n");
            sb.Append("echo ").Append(Operations.Backups.ShellQuote($"Restored {db}.")).Append('\n');
        }
        sb.Append("echo 'Restore finished.'\n");
        return sb.ToString();
    }

    /// <summary>The base tables of one database, as <c>`db`.`table`</c>, sorted: what <see cref="FingerprintSql"/> is run on.</summary>
    public static string ListTablesSql(string database) =>
        "SELECT CONCAT('`', REPLACE(table_schema, '`', '``'), '`.`', REPLACE(table_name, '`', '``'), '`') FROM information_schema.tables " +
        $"WHERE table_schema = {MariaDbNames.QuoteLiteral(database)} AND table_type = 'BASE TABLE' ORDER BY table_name";

    /// <summary>Routines, triggers, events and views of one database with a digest of their definition, so a restore that loses one is caught.</summary>
    public static string ListObjectsSql(string database)
    {
        var d = MariaDbNames.QuoteLiteral(database);
        return string.Join(" UNION ALL ",
            $"SELECT CONCAT('routine ', routine_name), MD5(routine_definition) FROM information_schema.routines WHERE routine_schema = {d}",
            $"SELECT CONCAT('trigger ', trigger_name), MD5(action_statement) FROM information_schema.triggers WHERE trigger_schema = {d}",
            $"SELECT CONCAT('event ', event_name), MD5(event_definition) FROM information_schema.events WHERE event_schema = {d}",
            $"SELECT CONCAT('view ', table_name), MD5(view_definition) FROM information_schema.views WHERE table_schema = {d}") + " ORDER BY 1";
    }

    /// <summary>Row count and <c>CHECKSUM TABLE … EXTENDED</c> (reads every row) of a table named as by <see cref="ListTablesSql"/>.</summary>
    public static (string Count, string Checksum) FingerprintSql(string qualifiedTable) =>
        ($"SELECT COUNT(*) FROM {qualifiedTable}", $"CHECKSUM TABLE {qualifiedTable} EXTENDED");
}
