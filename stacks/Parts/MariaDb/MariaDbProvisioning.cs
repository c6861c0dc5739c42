using System.Globalization;
using Platform.Stacks.Model;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>
/// The idempotent provisioning script: one section per requested database. It is run as <c>root@localhost</c> over
/// the server's Unix socket (unix_socket authentication, no password) by
/// <c>mariadb --batch --binary-mode</c> in the container (<see cref="MariaDbPart.ProvisionHostCommand"/>), any number of times.
/// </summary>
/// <remarks>
/// What it guarantees, on every run:
/// <list type="bullet">
/// <item>root exists only as <c>root@localhost</c> and there is no anonymous user (any other root or '' account is dropped);</item>
/// <item>each database exists (utf8mb4);</item>
/// <item>each user exists as <c>'user'@'%'</c>, unlocked, never expiring, with its <c>MAX_USER_CONNECTIONS</c>, and its
/// password is the <c>mysql_native_password</c> hash of the app's secret (so a new secret value rotates it; the plaintext
/// never reaches the server, its logs or the script);</item>
/// <item>each user holds ALL on its own database and nothing else: a grant anywhere else (global, another database,
/// a table or routine elsewhere, a role, a proxy) or a GRANT OPTION makes the script revoke everything and grant
/// again. When nothing drifted nothing is revoked, so a re-run never takes a right away from a running app, not even
/// for a moment.</item>
/// </list>
/// It never drops a database or an app's user: an app removed from the stack keeps its data until an operator drops
/// it by hand (after a final backup). Every name is validated (<see cref="MariaDbNames"/>) and still quoted.
/// </remarks>
public static class MariaDbProvisioning
{
    /// <summary>
    /// The session's sql_mode, fixed so that string literals mean what <see cref="MariaDbNames.QuoteLiteral"/> escaped
    /// them for (a server default with NO_BACKSLASH_ESCAPES would change that).
    /// </summary>
    public const string SqlMode = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

    /// <summary>The whole script for <paramref name="requests"/>, sorted by database; password hashes are derived secret parts.</summary>
    public static SecretText Script(IEnumerable<MariaDbDatabaseRequest> requests, string? monitorPasswordSecret = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var list = requests.OrderBy(r => r.Database, StringComparer.Ordinal).ToList();
        if (MariaDbValidation.RequestErrors(list, maxConnections: int.MaxValue, i => $"requests[{i}]") is { Count: > 0 } errors)
            throw new ArgumentException("Invalid MariaDB database requests:\n  - " + string.Join("\n  - ", errors), nameof(requests));

        var b = new SecretTextBuilder();
        b.Line("-- Provisioning of the app databases — rendered by Platform.Stacks.Parts.MariaDb.MariaDbProvisioning; do not edit by hand.");
        b.Line("-- Idempotent. Run as root@localhost over the local socket: mariadb --batch --binary-mode < <this file>");
        b.Line("-- It never drops a database or an app's user: removing an app from the stack leaves its data in place.");
        b.Line($"SET SESSION sql_mode = {MariaDbNames.QuoteLiteral(SqlMode)};");
        b.Line();
        b.Line("-- Administrators only on the local socket: no root but root@localhost, no anonymous user.");
        b.Line("DELIMITER //");
        b.Line("BEGIN NOT ATOMIC");
        b.Line("  FOR a IN (SELECT User, Host FROM mysql.global_priv WHERE (User = 'root' AND Host <> 'localhost') OR User = '') DO");
        b.Line("    EXECUTE IMMEDIATE CONCAT('DROP USER ', QUOTE(a.User), '@', QUOTE(a.Host));");
        b.Line("  END FOR;");
        b.Line("END //");
        b.Line("DELIMITER ;");
        if (list.Count == 0) b.Line("-- (no app databases)");
        foreach (var request in list) Section(b, request);
        if (monitorPasswordSecret is not null) MonitorSection(b, monitorPasswordSecret);
        return b.Build();
    }

    /// <summary>
    /// The global privilege bits of the exporter's account once granted, as <c>mysql.global_priv</c> stores them: PROCESS
    /// (1 &lt;&lt; 8) and REPLICATION CLIENT, which MariaDB 10.5+ calls BINLOG MONITOR (1 &lt;&lt; 20). Anything else there (a
    /// global right added by hand) makes the script revoke and grant again; the integration test reads it back.
    /// </summary>
    public const long MonitorGlobalAccess = (1L << 8) | (1L << 20);

    /// <summary>
    /// The metrics exporter's account (observability part on): PROCESS (processlist and InnoDB tables), REPLICATION CLIENT
    /// (binary log status) and SELECT on performance_schema, nothing on any database; anything else it holds is revoked.
    /// </summary>
    private static void MonitorSection(SecretTextBuilder b, string secret)
    {
        var account = MariaDbNames.Account(MariaDbNames.MonitorUser);
        var user = MariaDbNames.QuoteLiteral(MariaDbNames.MonitorUser);
        b.Line();
        b.Line($"-- ── user {MariaDbNames.MonitorUser}: the metrics exporter, PROCESS, REPLICATION CLIENT and performance_schema only ──");
        b.Text($"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY PASSWORD '").Derived(secret, SecretDerivation.MysqlNativePassword, "").Line("';");
        b.Text($"ALTER USER {account} IDENTIFIED BY PASSWORD '").Derived(secret, SecretDerivation.MysqlNativePassword, "")
            .Line($"' WITH MAX_USER_CONNECTIONS {MariaDbNames.MonitorConnections.ToString(CultureInfo.InvariantCulture)} ACCOUNT UNLOCK PASSWORD EXPIRE NEVER;");
        RevokeBeyond(b, account, user, MonitorGlobalAccess, "Db <> 'performance_schema'", objectDb: null);
        b.Line($"GRANT PROCESS, REPLICATION CLIENT ON *.* TO {account};");
        b.Line($"GRANT SELECT ON performance_schema.* TO {account};");
    }

    private static void Section(SecretTextBuilder b, MariaDbDatabaseRequest r)
    {
        var db = MariaDbNames.QuoteIdent(r.Database);
        var account = MariaDbNames.Account(r.User);
        var user = MariaDbNames.QuoteLiteral(r.User);
        var dbLiteral = MariaDbNames.QuoteLiteral(r.Database);
        var pattern = MariaDbNames.GrantPattern(r.Database);
        var limit = r.ConnectionLimit.ToString(CultureInfo.InvariantCulture);

        b.Line();
        b.Line($"-- ── database {r.Database}, user {r.User} (app {r.App}) ──");
        b.Line($"CREATE DATABASE IF NOT EXISTS {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
        // The hash holds only '*' and [0-9A-F], so it needs no escaping inside the quotes.
        b.Text($"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY PASSWORD '")
            .Derived(r.PasswordSecret, SecretDerivation.MysqlNativePassword, "").Line("';");
        b.Text($"ALTER USER {account} IDENTIFIED BY PASSWORD '")
            .Derived(r.PasswordSecret, SecretDerivation.MysqlNativePassword, "")
            .Line($"' WITH MAX_USER_CONNECTIONS {limit} ACCOUNT UNLOCK PASSWORD EXPIRE NEVER;");
        b.Line("-- Anything beyond ALL on its own database (and no GRANT OPTION) is revoked; an exact match is left alone.");
        RevokeBeyond(b, account, user, 0, $"Db <> {MariaDbNames.QuoteLiteral(pattern)}", objectDb: dbLiteral);
        b.Line($"GRANT ALL PRIVILEGES ON {MariaDbNames.QuoteIdent(pattern)}.* TO {account};");
    }

    /// <summary>
    /// Revokes everything from <paramref name="account"/> when it holds any right beyond its own: global rights other
    /// than <paramref name="globalAccess"/>, a database grant matching <paramref name="otherDatabases"/> or with GRANT
    /// OPTION, table, column or routine rights outside <paramref name="objectDb"/> (anywhere when null), roles or
    /// proxies. An exact match is left alone, so a rerun changes nothing.
    /// </summary>
    private static void RevokeBeyond(SecretTextBuilder b, string account, string user, long globalAccess, string otherDatabases, string? objectDb)
    {
        var outside = objectDb is null ? "" : $" AND Db <> {objectDb}";
        b.Line("DELIMITER //");
        b.Line("BEGIN NOT ATOMIC");
        b.Line($"  IF EXISTS (SELECT 1 FROM mysql.global_priv WHERE User = {user} AND Host = '%' AND JSON_VALUE(Priv, '$.access') <> {globalAccess.ToString(CultureInfo.InvariantCulture)})");
        b.Line($"     OR EXISTS (SELECT 1 FROM mysql.db WHERE User = {user} AND Host = '%' AND ({otherDatabases} OR Grant_priv = 'Y'))");
        foreach (var table in new[] { "tables_priv", "columns_priv", "procs_priv" })
            b.Line($"     OR EXISTS (SELECT 1 FROM mysql.{table} WHERE User = {user} AND Host = '%'{outside})");
        foreach (var table in new[] { "roles_mapping", "proxies_priv" })
            b.Line($"     OR EXISTS (SELECT 1 FROM mysql.{table} WHERE User = {user} AND Host = '%')");
        b.Line("  THEN");
        b.Line($"    REVOKE ALL PRIVILEGES, GRANT OPTION FROM {account};");
        b.Line("  END IF;");
        b.Line("END //");
        b.Line("DELIMITER ;");
    }
}
