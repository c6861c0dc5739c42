using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Data;

/// <summary>
/// Names the data tier puts into SQL, pg_hba.conf, pgbouncer.ini and userlist.txt. Two layers:
/// <see cref="Validate"/> admits only plain lower-case identifiers that never need quoting and are
/// no reserved or system name; every renderer still quotes (<see cref="QuoteIdent"/>,
/// <see cref="QuoteLiteral"/>) as defence in depth.
/// </summary>
public static partial class PostgresNames
{
    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex ExtensionRegex();

    /// <summary>
    /// Names a role or database of an app may not have: PostgreSQL's own roles and databases,
    /// the PgBouncer admin console, stats and monitor users, the metrics exporter's role, and the keywords pg_hba.conf, pgbouncer.ini or
    /// role specifications give a meaning of their own.
    /// </summary>
    public static readonly FrozenSet<string> Reserved = new[]
    {
        "postgres", "template0", "template1", "pgbouncer", PgBouncerConfig.DefaultStatsUser, PgBouncerConfig.MonitorUser, MonitorRole.Name, "public",
        "all", "sameuser", "samerole", "samegroup", "replication", "none",
        "current_user", "current_role", "session_user", "user", "information_schema",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> may be an app's role or database name.</summary>
    public static bool IsValid(string? name) =>
        name is not null && NameRegex().IsMatch(name) && !Reserved.Contains(name) && !name.StartsWith("pg_", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="name"/> matches <c>^[a-z][a-z0-9_]{0,62}$</c> (reserved names included).</summary>
    public static bool IsPlainIdentifier(string? name) => name is not null && NameRegex().IsMatch(name);

    /// <summary>Why <paramref name="name"/> is not a valid name, or null when it is.</summary>
    public static string? Problem(string? name) => name switch
    {
        null or "" => "is empty",
        _ when !NameRegex().IsMatch(name) => "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)",
        _ when Reserved.Contains(name) => "is a reserved or system name",
        _ when name.StartsWith("pg_", StringComparison.Ordinal) => "starts with pg_, which PostgreSQL reserves",
        _ => null,
    };

    /// <summary>Returns <paramref name="name"/> if valid; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static string Validate(string name, string what = "name") =>
        Problem(name) is { } problem ? throw new ArgumentException($"PostgreSQL {what} '{Printable(name)}' {problem}.", what) : name;

    /// <summary>The role/database name for an app name (hyphens become underscores), validated.</summary>
    public static string ForApp(string appName) => Validate(appName.Replace('-', '_'), "role");

    /// <summary>Whether <paramref name="extension"/> is a plausible extension name (see <see cref="ValidateExtension"/>).</summary>
    public static bool IsExtension(string? extension) => extension is not null && ExtensionRegex().IsMatch(extension);

    /// <summary>Returns <paramref name="extension"/> if it is a plausible extension name (e.g. <c>pg_trgm</c>, <c>uuid-ossp</c>).</summary>
    public static string ValidateExtension(string extension) =>
        IsExtension(extension)
            ? extension
            : throw new ArgumentException($"PostgreSQL extension name '{Printable(extension ?? "")}' must start with a lower-case letter and hold only a-z, 0-9, _ and - (at most 63 characters).", nameof(extension));

    /// <summary>A double-quoted SQL identifier, like PostgreSQL's <c>quote_ident</c> but always quoted.</summary>
    public static string QuoteIdent(string identifier)
    {
        RejectNul(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// A SQL string literal, like PostgreSQL's <c>quote_literal</c>: quotes doubled, and when the text
    /// holds a backslash, backslashes doubled inside an <c>E'...'</c> literal, so the result means the
    /// same whatever <c>standard_conforming_strings</c> is.
    /// </summary>
    public static string QuoteLiteral(string text)
    {
        RejectNul(text);
        var body = text.Replace("'", "''", StringComparison.Ordinal);
        return text.Contains('\\', StringComparison.Ordinal)
            ? "E'" + body.Replace("\\", "\\\\", StringComparison.Ordinal) + "'"
            : "'" + body + "'";
    }

    private static void RejectNul(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("SQL text cannot contain a NUL character.", nameof(text));
    }

    private static string Printable(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Length > 80 ? s[..80] + "…" : s)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return sb.ToString();
    }
}
