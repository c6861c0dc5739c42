using System.Globalization;
using System.Text;
using Platform.Stacks.Model;

namespace Platform.Stacks.Data;

/// <summary>Input of <see cref="PgBouncerConfig"/>. Defaults are the platform plan's.</summary>
public sealed record PgBouncerOptions
{
    /// <summary>Host name of PostgreSQL on the private Docker network.</summary>
    public string PostgresHost { get; init; } = "postgres";
    public int PostgresPort { get; init; } = 5432;
    public string ListenAddr { get; init; } = "*";
    public int ListenPort { get; init; } = 6432;
    /// <summary>Where userlist.txt is inside the PgBouncer container.</summary>
    public string AuthFile { get; init; } = "/etc/pgbouncer/userlist.txt";
    /// <summary>Directory of PgBouncer's own Unix socket; null keeps PgBouncer's default (<c>/tmp</c>), "" turns it off.</summary>
    public string? UnixSocketDir { get; init; }
    public int MaxClientConn { get; init; } = 100;
    public int DefaultPoolSize { get; init; } = 20;
    public int MinPoolSize { get; init; } = 5;
    public int ReservePoolSize { get; init; } = 5;
    public int ReservePoolTimeoutSeconds { get; init; } = 3;
    public int ServerLifetimeSeconds { get; init; } = 3600;
    public int ServerIdleTimeoutSeconds { get; init; } = 600;
    /// <summary>
    /// Seconds PgBouncer waits before trying again after a failed server login (its default is 15).
    /// Short, so that after PostgreSQL restarts the pool is back within seconds.
    /// </summary>
    public int ServerLoginRetrySeconds { get; init; } = 3;
    /// <summary>Seconds a client's query may wait for a server connection (PgBouncer's default 120): a short PostgreSQL restart is absorbed, not surfaced.</summary>
    public int QueryWaitTimeoutSeconds { get; init; } = 120;
    /// <summary>
    /// PgBouncer ≥ 1.21's prepared-statement support in transaction mode; null leaves the setting out
    /// (required for PgBouncer &lt; 1.21). Apps connect with auto-prepare off either way.
    /// </summary>
    public int? MaxPreparedStatements { get; init; }
    /// <summary>The user of PgBouncer's admin console (SHOW, RELOAD). It exists only in PgBouncer, not in PostgreSQL.</summary>
    public string StatsUser { get; init; } = PgBouncerConfig.DefaultStatsUser;
    /// <summary>Secret holding the stats user's password.</summary>
    public string StatsPasswordSecret { get; init; } = "pgbouncer-stats";
    /// <summary>
    /// Secret of the metrics exporter's user <see cref="PgBouncerConfig.MonitorUser"/>, which is in <c>stats_users</c> only
    /// (read-only SHOW commands on the console; no RELOAD, PAUSE or SHUTDOWN); null: no such user. Default: none.
    /// </summary>
    public string? MonitorPasswordSecret { get; init; }
}

/// <summary>
/// pgbouncer.ini and userlist.txt. Clients authenticate to PgBouncer with SCRAM-SHA-256 against the
/// same verifier PostgreSQL holds; PgBouncer then logs in to PostgreSQL by SCRAM pass-through: it reuses
/// the client's proof-derived keys, which works only because (a) clients authenticate with SCRAM,
/// (b) the [databases] entries name no user, and (c) the verifiers are byte-identical in both places
/// (same salt and iterations) — all three hold by construction here.
/// </summary>
public static class PgBouncerConfig
{
    public const string DefaultStatsUser = "pgbouncer_stats";

    /// <summary>The metrics exporter's console user: a stats user, not an admin. It exists only in PgBouncer.</summary>
    public const string MonitorUser = "pgbouncer_monitor";

    /// <summary>pgbouncer.ini: one [databases] entry per app database. Holds no secret.</summary>
    public static string Ini(PgBouncerOptions o, IEnumerable<AppDatabase> apps)
    {
        ArgumentNullException.ThrowIfNull(o);
        var list = Sorted(apps);
        if (!PostgresNames.IsPlainIdentifier(o.StatsUser)) throw new ArgumentException($"Stats user '{o.StatsUser}' must be a plain lower-case identifier.", nameof(o));
        Port(o.ListenPort, nameof(o.ListenPort));
        Port(o.PostgresPort, nameof(o.PostgresPort));
        SafeValue(o.PostgresHost, nameof(o.PostgresHost));
        SafeValue(o.ListenAddr, nameof(o.ListenAddr));
        SafeValue(o.AuthFile, nameof(o.AuthFile));
        if (o.UnixSocketDir is not null && o.UnixSocketDir.Length > 0) SafeValue(o.UnixSocketDir, nameof(o.UnixSocketDir));
        if (o.MinPoolSize > o.DefaultPoolSize) throw new ArgumentOutOfRangeException(nameof(o), "min_pool_size cannot exceed default_pool_size.");
        foreach (var (value, name) in new[]
        {
            (o.MaxClientConn, nameof(o.MaxClientConn)), (o.DefaultPoolSize, nameof(o.DefaultPoolSize)),
            (o.ServerLifetimeSeconds, nameof(o.ServerLifetimeSeconds)), (o.ServerIdleTimeoutSeconds, nameof(o.ServerIdleTimeoutSeconds)),
            (o.ServerLoginRetrySeconds, nameof(o.ServerLoginRetrySeconds)), (o.QueryWaitTimeoutSeconds, nameof(o.QueryWaitTimeoutSeconds)),
        })
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(o), $"{name} must be positive (is {value}).");
        foreach (var (value, name) in new[] { (o.MinPoolSize, nameof(o.MinPoolSize)), (o.ReservePoolSize, nameof(o.ReservePoolSize)), (o.ReservePoolTimeoutSeconds, nameof(o.ReservePoolTimeoutSeconds)) })
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(o), $"{name} cannot be negative (is {value}).");

        static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');
        void Set(string key, string value) => Line($"{key} = {value}");

        Line(";; pgbouncer.ini — rendered by Platform.Stacks.Data.PgBouncerConfig; do not edit by hand.");
        Line("[databases]");
        Line(";; No user= on any entry: PgBouncer logs in to PostgreSQL as the client's own role, by SCRAM pass-through.");
        Line(";; max_db_connections keeps PgBouncer within the role's CONNECTION LIMIT.");
        foreach (var db in list.DistinctBy(a => a.Database))
        {
            var entry = $"{db.Database} = host={o.PostgresHost} port={I(o.PostgresPort)} dbname={db.Database}";
            if (db.ConnectionLimit >= 0)
                entry += $" pool_size={I(PoolSize(o, db.ConnectionLimit))} max_db_connections={I(Math.Max(1, db.ConnectionLimit))}";
            Line(entry);
        }
        Line();
        Line("[pgbouncer]");
        Set("listen_addr", o.ListenAddr);
        Set("listen_port", I(o.ListenPort));
        if (o.UnixSocketDir is not null) Set("unix_socket_dir", o.UnixSocketDir);
        Line();
        Line(";; Authentication: SCRAM-SHA-256 only, against the same verifiers PostgreSQL holds.");
        Set("auth_type", "scram-sha-256");
        Set("auth_file", o.AuthFile);
        Set("admin_users", o.StatsUser);
        Set("stats_users", o.MonitorPasswordSecret is null ? o.StatsUser : $"{o.StatsUser}, {MonitorUser}");
        Line();
        Line(";; Pooling");
        Set("pool_mode", "transaction");
        Set("max_client_conn", I(o.MaxClientConn));
        Set("default_pool_size", I(o.DefaultPoolSize));
        Set("min_pool_size", I(o.MinPoolSize));
        Set("reserve_pool_size", I(o.ReservePoolSize));
        Set("reserve_pool_timeout", I(o.ReservePoolTimeoutSeconds));
        Set("server_lifetime", I(o.ServerLifetimeSeconds));
        Set("server_idle_timeout", I(o.ServerIdleTimeoutSeconds));
        Set("server_login_retry", I(o.ServerLoginRetrySeconds));
        Set("query_wait_timeout", I(o.QueryWaitTimeoutSeconds));
        Line(";; In transaction mode the reset query is not run (server_reset_query_always = 0): apps must not rely on session state.");
        Set("server_reset_query", "DISCARD ALL");
        Set("server_reset_query_always", "0");
        if (o.MaxPreparedStatements is { } mps)
        {
            if (mps < 0) throw new ArgumentOutOfRangeException(nameof(o), "max_prepared_statements cannot be negative.");
            Set("max_prepared_statements", I(mps));
        }
        Line(";; Startup parameters common drivers send (JDBC: extra_float_digits; libpq/Npgsql: options) that transaction pooling cannot honour.");
        Set("ignore_startup_parameters", "extra_float_digits,options");
        Line();
        Line(";; Logging: to stderr, which Docker keeps");
        Set("log_connections", "0");
        Set("log_disconnections", "0");
        Set("log_pooler_errors", "1");
        Set("stats_period", "60");
        return sb.ToString();
    }

    /// <summary>
    /// userlist.txt: for each app role, and for the stats user, <c>"name" "SCRAM-SHA-256$…"</c> — the
    /// very verifier the provisioning SQL sets in PostgreSQL (same derivation, same salt). No plaintext.
    /// </summary>
    public static SecretText Userlist(PgBouncerOptions o, IEnumerable<AppDatabase> apps)
    {
        ArgumentNullException.ThrowIfNull(o);
        var b = new SecretTextBuilder();
        b.Line(";; userlist.txt — rendered by Platform.Stacks.Data.PgBouncerConfig; SCRAM-SHA-256 verifiers only.");
        var users = Sorted(apps)
            .Select(a => (User: a.Role, a.PasswordSecret))
            .Append((User: o.StatsUser, PasswordSecret: o.StatsPasswordSecret))
            .Concat(o.MonitorPasswordSecret is { } monitor ? [(User: MonitorUser, PasswordSecret: monitor)] : [])
            .DistinctBy(u => u.User)
            .OrderBy(u => u.User, StringComparer.Ordinal);
        foreach (var (user, secret) in users)
        {
            if (user.Contains('"', StringComparison.Ordinal)) throw new ArgumentException($"User name '{user}' cannot hold a double quote.", nameof(apps));
            b.Text($"\"{user}\" \"").Derived(secret, SecretDerivation.ScramSha256, user).Line("\"");
        }
        return b.Build();
    }

    /// <summary>The pool_size of a database whose role has <paramref name="connectionLimit"/> (−1: none): the default, but never above the limit.</summary>
    public static int PoolSize(PgBouncerOptions o, int connectionLimit) =>
        connectionLimit < 0 ? o.DefaultPoolSize : Math.Max(1, Math.Min(o.DefaultPoolSize, connectionLimit));

    /// <summary>The admin-console command that makes PgBouncer re-read pgbouncer.ini and userlist.txt (also: SIGHUP).</summary>
    public const string ReloadCommand = "RELOAD;";

    private static List<AppDatabase> Sorted(IEnumerable<AppDatabase> apps)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var list = apps.OrderBy(a => a.Database, StringComparer.Ordinal).ThenBy(a => a.Role, StringComparer.Ordinal).ToList();
        foreach (var a in list)
        {
            PostgresNames.Validate(a.Role, "role");
            PostgresNames.Validate(a.Database, "database");
        }
        foreach (var dup in list.GroupBy(a => a.Role, StringComparer.Ordinal).Where(g => g.Select(a => a.PasswordSecret).Distinct(StringComparer.Ordinal).Count() > 1))
            throw new ArgumentException($"Role '{dup.Key}' is given different password secrets.", nameof(apps));
        return list;
    }

    private static void Port(int port, string name)
    {
        if (port is < 1 or > 65535) throw new ArgumentOutOfRangeException(name, $"{name} {port} is not a TCP port.");
    }

    private static void SafeValue(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Any(c => char.IsControl(c) || c is ';' or '#' or '=' or '\'' or '"' or ' '))
            throw new ArgumentException($"{name} '{value}' is not a safe pgbouncer.ini value.", name);
    }
}
