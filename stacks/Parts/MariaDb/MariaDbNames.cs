using System.Text.RegularExpressions;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>The MariaDB part's fixed names and ports, and the rules and quoting for database and user names.</summary>
public static partial class MariaDbNames
{
    /// <summary>Container name, and the DNS name apps reach it by on the data network.</summary>
    public const string Service = "mariadb";

    /// <summary>A patch release of the 10.11 LTS series (Debian 12's server, which the integration tests run, is 10.11 too).</summary>
    public const string DefaultImage = "mariadb:10.11.18";

    public const int Port = 3306;

    public const int DefaultConnectionLimit = 20;

    /// <summary>The data volume (mounted at <see cref="DataDirectory"/>).</summary>
    public const string DataVolume = "mariadb-data";
    public const string DataDirectory = "/var/lib/mysql";

    /// <summary>
    /// The volume holding the server's Unix socket (mounted at <see cref="SocketDirectory"/>): the backup agents mount it
    /// too, so they dump as root over the socket, with no password and nothing on the network.
    /// </summary>
    public const string SocketVolume = "mariadb-run";
    public const string SocketDirectory = "/run/mysqld";
    public const string SocketPath = SocketDirectory + "/mysqld.sock";

    /// <summary>Where the rendered server settings go: the image reads <c>/etc/mysql/conf.d</c> last, so they win.</summary>
    public const string ConfigPath = "/etc/mysql/conf.d/zz-platform.cnf";

    /// <summary>The administrative user: only <c>root@localhost</c>, reached over the local socket by unix_socket authentication.</summary>
    public const string AdminUser = "root";

    /// <summary>Generated secret whose hash becomes root@localhost's password (the image needs one; nobody logs in with it).</summary>
    public const string RootSecret = "mariadb-root";

    public const string ProvisionCommand = "mariadb-provision";

    /// <summary>The secret of an app's MariaDB password.</summary>
    public static string PasswordSecret(string app) => Model.Identities.AppSecret(app, Model.AppCredential.MariaDb);

    /// <summary>Longest database name MariaDB 10.11 accepts (<c>ERROR 1102</c> beyond; pinned by an integration test).</summary>
    public const int MaxDatabaseLength = 64;

    /// <summary>
    /// Longest user name MariaDB 10.11 accepts: 128 (<c>ERROR 1470</c> beyond; pinned by an integration test). Older
    /// documentation says 80, which was the limit before 10.6.
    /// </summary>
    public const int MaxUserLength = 128;

    /// <summary>Schemas of the server itself (and the test schema some installers create).</summary>
    public static readonly IReadOnlySet<string> ReservedDatabases = new HashSet<string>(StringComparer.Ordinal)
    {
        "mysql", "information_schema", "performance_schema", "sys", "test",
    };

    /// <summary>Accounts and role names the server or the image uses.</summary>
    public static readonly IReadOnlySet<string> ReservedUsers = new HashSet<string>(StringComparer.Ordinal)
    {
        "root", "mysql", "healthcheck", "public", "none", "mariadb_sys", MonitorUser,
    };

    /// <summary>The metrics exporter's account (<c>'platform_monitor'@'%'</c>), when the observability part is on.</summary>
    public const string MonitorUser = "platform_monitor";

    /// <summary>The most connections the exporter's account may hold (mysqld_exporter opens one per scrape).</summary>
    public const int MonitorConnections = 2;

    // Lower case only: with lower_case_table_names=0 (Linux) `Shop` and `shop` would be two databases, and two
    // apps must never get names that differ only in case.
    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex IdentifierRegex();

    /// <summary>Why <paramref name="name"/> cannot be a database name, or null when it can.</summary>
    public static string? DatabaseProblem(string? name) =>
        Problem(name, MaxDatabaseLength, ReservedDatabases, "database");

    /// <summary>Why <paramref name="name"/> cannot be a user name, or null when it can.</summary>
    public static string? UserProblem(string? name) =>
        Problem(name, MaxUserLength, ReservedUsers, "user");

    private static string? Problem(string? name, int max, IReadOnlySet<string> reserved, string what)
    {
        if (string.IsNullOrEmpty(name)) return $"the {what} name is empty";
        if (!IdentifierRegex().IsMatch(name))
            return $"the {what} name '{Printable(name)}' is not a lower-case letter followed by lower-case letters, digits or underscores";
        if (name.Length > max) return $"the {what} name '{name}' has {name.Length} characters; MariaDB allows at most {max}";
        if (reserved.Contains(name)) return $"the {what} name '{name}' is reserved for the server itself";
        return null;
    }

    /// <summary>A name as shown in an error: control characters escaped, so an error message cannot be forged across lines.</summary>
    private static string Printable(string name) =>
        string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>An identifier in backticks, a backtick doubled (valid names have none; quoting anyway costs nothing).</summary>
    public static string QuoteIdent(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("An identifier cannot hold a NUL character.", nameof(name));
        return "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    /// <summary>
    /// A string literal: backslash and quote escaped. Correct with and without <c>NO_BACKSLASH_ESCAPES</c> only for
    /// text without a backslash, so scripts that use it set <c>sql_mode</c> first (see <see cref="MariaDbProvisioning"/>).
    /// </summary>
    public static string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("A literal cannot hold a NUL character.", nameof(value));
        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>An account, <c>'user'@'%'</c>: apps connect from other containers, whose addresses Docker chooses.</summary>
    public static string Account(string user) => QuoteLiteral(user) + "@'%'";

    /// <summary>
    /// The database as a GRANT pattern: at database level <c>_</c> and <c>%</c> are wildcards, so <c>GRANT … ON `a_b`.*</c>
    /// would also cover a database <c>axb</c>. Escaped, the grant covers exactly this database.
    /// </summary>
    public static string GrantPattern(string database) =>
        database.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal);
}
