using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;

namespace Platform.Stacks.Data;

/// <summary>
/// The session settings PostgreSQL applies to one app's role when it logs in (<c>ALTER ROLE … SET</c>), so they bind the
/// app's own sessions (directly or through PgBouncer) and never the platform's (provisioning, dumps, pgBackRest, the
/// metrics exporter). A null member is not set on the role (<c>ALTER ROLE … RESET</c>): the server's value applies.
/// </summary>
/// <param name="StatementTimeoutMs"><c>statement_timeout</c>: a statement running longer is cancelled (SQLSTATE 57014).</param>
/// <param name="IdleInTransactionSessionTimeoutMs"><c>idle_in_transaction_session_timeout</c>: a session idle inside an open transaction longer is terminated, releasing its locks.</param>
/// <param name="LogMinDurationStatementMs"><c>log_min_duration_statement</c> for this role: statements slower than this are logged; -1 logs none.</param>
public sealed record PostgresRoleSettings(int? StatementTimeoutMs = null, int? IdleInTransactionSessionTimeoutMs = null, int? LogMinDurationStatementMs = null)
{
    /// <summary>Nothing set on the role.</summary>
    public static readonly PostgresRoleSettings None = new();

    /// <summary>Each setting's PostgreSQL name and its value on the role (null: reset), in a fixed order.</summary>
    public IEnumerable<(string Name, int? Value)> Entries()
    {
        yield return ("statement_timeout", StatementTimeoutMs);
        yield return ("idle_in_transaction_session_timeout", IdleInTransactionSessionTimeoutMs);
        yield return ("log_min_duration_statement", LogMinDurationStatementMs);
    }

    /// <summary>What the plan says, e.g. <c>statement_timeout 30000 ms, slow-query log from 200 ms</c>; empty when nothing is set.</summary>
    public string Describe() => string.Join(", ", Entries().Where(e => e.Value is not null).Select(e => e.Name switch
    {
        "log_min_duration_statement" => e.Value < 0 ? "slow-query log off" : $"slow-query log from {Ms(e.Value!.Value)}",
        _ => $"{e.Name} {Ms(e.Value!.Value)}",
    }));

    internal static string Ms(int ms) => ms.ToString(CultureInfo.InvariantCulture) + " ms";
}

/// <summary>
/// The stack's PostgreSQL tuning (<c>platform:postgresTuning</c>): the server-wide slow-query log, and the timeouts every
/// app role gets unless its <c>needs.database</c> says otherwise.
/// </summary>
public sealed record PostgresTuning
{
    /// <summary><c>log_min_duration_statement</c> in postgresql.conf (every session): statements slower than this are logged, with their duration; -1 turns it off. Default: 1000.</summary>
    public int LogMinDurationStatementMs { get; init; } = 1000;

    /// <summary><c>statement_timeout</c> of every app role; 0: none. Default: 0.</summary>
    public int StatementTimeoutMs { get; init; }

    /// <summary><c>idle_in_transaction_session_timeout</c> of every app role; 0: none. Default: 0.</summary>
    public int IdleInTransactionSessionTimeoutMs { get; init; }

    /// <summary>
    /// The settings of one app's role: the app's own (<paramref name="app"/>, from <c>needs.database</c>) over the stack's.
    /// A timeout of 0 is PostgreSQL's own default and is not set on the role; the slow-query log is set on the role only
    /// when the app overrides it (otherwise postgresql.conf's applies).
    /// </summary>
    public PostgresRoleSettings ForRole(PostgresRoleSettings? app)
    {
        static int? NonZero(int value) => value == 0 ? null : value;
        return new PostgresRoleSettings(
            NonZero(app?.StatementTimeoutMs ?? StatementTimeoutMs),
            NonZero(app?.IdleInTransactionSessionTimeoutMs ?? IdleInTransactionSessionTimeoutMs),
            app?.LogMinDurationStatementMs);
    }
}

/// <summary>
/// The extensions an app database may ask for: contrib modules that ship with PostgreSQL itself, so they are in the pinned
/// official image (<c>postgres:*-alpine</c> builds and installs every contrib module, <c>uuid-ossp</c> with e2fsprogs'
/// libuuid: docker-library/postgres, <c>16/alpine3.*/Dockerfile</c>) and in Debian's <c>postgresql-contrib</c> the tests
/// create them on; each needs no <c>shared_preload_libraries</c> and gives the database's owner no reach outside its
/// database (no file, network or other-database access, unlike <c>dblink</c>, <c>postgres_fdw</c> or <c>file_fdw</c>).
/// </summary>
public static class PostgresExtensions
{
    public static readonly ImmutableArray<string> Allowed =
    [
        "btree_gin", "btree_gist", "citext", "cube", "earthdistance", "fuzzystrmatch", "hstore", "intarray", "isn", "ltree",
        "pg_trgm", "pgcrypto", "tablefunc", "unaccent", "uuid-ossp",
    ];

    private static readonly FrozenSet<string> AllowedSet = Allowed.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Why an extension the stack cannot have is refused, for the ones people ask for.</summary>
    private static readonly FrozenDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pg_stat_statements"] = "needs shared_preload_libraries, which the platform's postgresql.conf does not load",
        ["postgis"] = "is not in the pinned official image (it needs the postgis/postgis image)",
        ["vector"] = "(pgvector) is not in the pinned official image",
        ["timescaledb"] = "is not in the pinned official image",
        ["dblink"] = "opens connections to other databases and servers",
        ["postgres_fdw"] = "opens connections to other databases and servers",
        ["file_fdw"] = "reads files of the server",
        ["adminpack"] = "writes files of the server",
        ["plpgsql"] = "is always there",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsAllowed(string extension) => AllowedSet.Contains(extension);

    /// <summary>The problem with <paramref name="extension"/>, or null when an app database may have it.</summary>
    public static string? Problem(string extension) =>
        IsAllowed(extension) ? null
        : Refused.TryGetValue(extension, out var why) ? $"'{extension}' {why}."
        : $"'{Settings.SettingsError.Printable(extension, 63)}' is not one of the extensions the platform provides.";

    public static string Fix => $"Use one of: {string.Join(", ", Allowed)}.";
}

/// <summary>The limits of <see cref="PostgresTuning"/> and <see cref="PostgresRoleSettings"/>, each error with its key and fix.</summary>
public static class PostgresTuningValidation
{
    public const string DefaultSettingsKey = "platform:postgresTuning";

    /// <summary>A day: longer is no timeout and no slow query a person reads.</summary>
    public const int MaxMs = 86_400_000;
    /// <summary>Below this a timeout cancels ordinary queries (and a driver's own start-up queries) under load.</summary>
    public const int MinStatementTimeoutMs = 100;
    /// <summary>Below this a timeout ends sessions between two statements of one ordinary transaction.</summary>
    public const int MinIdleInTransactionTimeoutMs = 1000;

    public static IEnumerable<Settings.SettingsError> Errors(string key, int? logMs, int? statementMs, int? idleMs)
    {
        if (logMs is { } log && (log < -1 || log > MaxMs))
            yield return new($"{key}.logMinDurationStatementMs", $"is {N(log)}.",
                $"Set it to -1 (no slow-query log), or to the milliseconds above which a statement is logged with its duration, from 0 to {N(MaxMs)}, e.g. 500.");
        if (statementMs is { } st && st != 0 && (st < MinStatementTimeoutMs || st > MaxMs))
            yield return new($"{key}.statementTimeoutMs", $"is {N(st)}.",
                $"Set it to 0 (no timeout) or from {N(MinStatementTimeoutMs)} to {N(MaxMs)} milliseconds, e.g. 30000; below {N(MinStatementTimeoutMs)} ms ordinary queries are cancelled.");
        if (idleMs is { } idle && idle != 0 && (idle < MinIdleInTransactionTimeoutMs || idle > MaxMs))
            yield return new($"{key}.idleInTransactionSessionTimeoutMs", $"is {N(idle)}.",
                $"Set it to 0 (no timeout) or from {N(MinIdleInTransactionTimeoutMs)} to {N(MaxMs)} milliseconds, e.g. 60000.");
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
