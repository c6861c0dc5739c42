using System.Globalization;
using Platform.Stacks.Model;

namespace Platform.Stacks.Data;

/// <summary>
/// One app's database: its login role (password from the secret <paramref name="PasswordSecret"/>),
/// the database it owns, the extensions it needs and the role's connection limit (-1: none).
/// </summary>
public sealed record AppDatabase(string Role, string Database, IReadOnlyList<string> Extensions, int ConnectionLimit, string PasswordSecret)
{
    /// <summary>Timeouts and slow-query log set on the role (<c>ALTER ROLE … SET</c>); what is not set is reset. Default: none.</summary>
    public PostgresRoleSettings Session { get; init; } = PostgresRoleSettings.None;
}

/// <summary>
/// The metrics exporter's login role: member of <c>pg_monitor</c> (read every statistics view and setting) and nothing
/// else, allowed to connect to the maintenance database only, within <paramref name="ConnectionLimit"/>.
/// </summary>
public sealed record MonitorRole(string PasswordSecret, int ConnectionLimit = MonitorRole.DefaultConnectionLimit)
{
    /// <summary>The role's name: reserved, so no app can take it (<see cref="PostgresNames.Reserved"/>).</summary>
    public const string Name = "platform_monitor";

    /// <summary>postgres_exporter keeps at most one connection in each of its two database handles (its server and collector packages).</summary>
    public const int ExporterConnections = 2;

    /// <summary>The host-metrics agent: one psql at a time, every minute.</summary>
    public const int HostMetricsConnections = 1;

    /// <summary>Host metrics alone.</summary>
    public const int DefaultConnectionLimit = HostMetricsConnections;

    /// <summary>The role for a stack: host metrics always, postgres_exporter with the observability part.</summary>
    public static MonitorRole For(string passwordSecret, bool exporter) =>
        new(passwordSecret, HostMetricsConnections + (exporter ? ExporterConnections : 0));
}

/// <summary>
/// The idempotent provisioning script: one section per app database. It is run as the
/// <c>postgres</c> superuser over the local socket by
/// <c>psql -v ON_ERROR_STOP=1 -d postgres -f provision.sql</c> (or on stdin), any number of times.
/// </summary>
/// <remarks>
/// What it guarantees, on every run:
/// <list type="bullet">
/// <item>the role exists, LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, with its
/// CONNECTION LIMIT, and its password is the SCRAM-SHA-256 verifier of the app's secret (so a new secret
/// value rotates it; the plaintext never reaches PostgreSQL, its logs or the script);</item>
/// <item>the database exists and is owned by the role; only the role (and superusers) may connect to it;</item>
/// <item>the role's session settings are the app's (<see cref="AppDatabase.Session"/>: set, or reset when not given);</item>
/// <item>inside it, PUBLIC has no right on schema <c>public</c> and the owner has all; the extensions exist.</item>
/// </list>
/// It never drops anything: an app removed from the stack keeps its role and data until an operator
/// drops them by hand (after a final backup). <c>CREATE ROLE</c>/<c>CREATE DATABASE</c> run only when
/// missing, through psql's <c>\gexec</c>, because <c>CREATE DATABASE</c> cannot run in a transaction or DO block.
/// Every name is validated by <see cref="PostgresNames.Validate"/> and still quoted.
/// </remarks>
public static class PostgresProvisioning
{
    /// <summary>The whole script for <paramref name="apps"/>, sorted by database; verifiers are derived secret parts.</summary>
    public static SecretText Script(IEnumerable<AppDatabase> apps, MonitorRole? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var list = apps.OrderBy(a => a.Database, StringComparer.Ordinal).ToList();
        foreach (var dup in list.GroupBy(a => a.Database, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new ArgumentException($"Database '{dup.Key}' is listed more than once.", nameof(apps));
        foreach (var dup in list.GroupBy(a => a.Role, StringComparer.Ordinal).Where(g => g.Select(a => a.PasswordSecret).Distinct(StringComparer.Ordinal).Count() > 1))
            throw new ArgumentException($"Role '{dup.Key}' is given different password secrets.", nameof(apps));

        var b = new SecretTextBuilder();
        b.Line("-- Provisioning of the app databases — rendered by Platform.Stacks.Data.PostgresProvisioning; do not edit by hand.");
        b.Line("-- Idempotent. Run as the postgres superuser: psql -v ON_ERROR_STOP=1 -d postgres -f <this file>");
        b.Line("-- It never drops a role or a database: removing an app from the stack leaves its data in place.");
        b.Line(@"\set ON_ERROR_STOP on");
        // An error message must not quote the statement: by default psql prints the failing line ("LINE 1: … PASSWORD
        // 'SCRAM-SHA-256$…'") and PL/pgSQL's CONTEXT the EXECUTEd text, and a failed host command's output lands in
        // the deployment's log. Terse keeps the message and the character position only.
        b.Line(@"\set VERBOSITY terse");
        b.Line(@"\set SHOW_CONTEXT never");
        b.Line();
        b.Line("-- Apps have no business in the maintenance database: only superusers (and roles granted it explicitly) connect.");
        b.Line(@"\connect postgres");
        QuietSession(b);
        b.Line("REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;");
        if (list.Count == 0) b.Line("-- (no app databases)");
        foreach (var app in list) AppSection(b, app);
        if (monitor is not null) MonitorSection(b, monitor);
        return b.Build();
    }

    /// <summary>
    /// The monitoring role (host metrics, and the metrics exporter with the observability part): <c>pg_monitor</c> is its only membership, the
    /// maintenance database its only one; no table of any app is readable to it.
    /// </summary>
    private static void MonitorSection(SecretTextBuilder b, MonitorRole monitor)
    {
        if (monitor.ConnectionLimit < 1) throw new ArgumentOutOfRangeException(nameof(monitor), "The monitor role needs at least one connection.");
        if (string.IsNullOrWhiteSpace(monitor.PasswordSecret)) throw new ArgumentException("The monitor role needs a password secret.", nameof(monitor));
        var r = PostgresNames.QuoteIdent(MonitorRole.Name);
        var rl = PostgresNames.QuoteLiteral(MonitorRole.Name);
        b.Line();
        b.Line($"-- ── role {MonitorRole.Name}: host metrics and the metrics exporter, pg_monitor only ──");
        b.Line(@"\connect postgres");
        QuietSession(b);
        b.Line($"SELECT format('CREATE ROLE %I', {rl}) WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {rl})");
        b.Line(@"\gexec");
        b.Text($"ALTER ROLE {r} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT {monitor.ConnectionLimit.ToString(CultureInfo.InvariantCulture)} PASSWORD '")
            .Derived(monitor.PasswordSecret, SecretDerivation.ScramSha256, MonitorRole.Name)
            .Line("';");
        b.Line($"GRANT pg_monitor TO {r};");
        b.Line($"GRANT CONNECT ON DATABASE postgres TO {r};");
    }

    /// <summary>The section of one app (also valid alone: it connects to <c>postgres</c> first).</summary>
    public static SecretText AppScript(AppDatabase app)
    {
        var b = new SecretTextBuilder();
        b.Line(@"\set ON_ERROR_STOP on");
        AppSection(b, app);
        return b.Build();
    }

    private static void AppSection(SecretTextBuilder b, AppDatabase app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var role = PostgresNames.Validate(app.Role, "role");
        var db = PostgresNames.Validate(app.Database, "database");
        if (app.ConnectionLimit < -1) throw new ArgumentOutOfRangeException(nameof(app), $"Connection limit of role '{role}' must be -1 (none) or more.");
        if (string.IsNullOrWhiteSpace(app.PasswordSecret)) throw new ArgumentException($"Role '{role}' needs a password secret.", nameof(app));
        var extensions = (app.Extensions ?? []).Select(PostgresNames.ValidateExtension).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var r = PostgresNames.QuoteIdent(role);
        var d = PostgresNames.QuoteIdent(db);
        var rl = PostgresNames.QuoteLiteral(role);
        var dl = PostgresNames.QuoteLiteral(db);
        var limit = app.ConnectionLimit.ToString(CultureInfo.InvariantCulture);

        b.Line();
        b.Line($"-- ── database {db}, role {role} ──");
        b.Line(@"\connect postgres");
        QuietSession(b);
        b.Line($"SELECT format('CREATE ROLE %I', {rl}) WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {rl})");
        b.Line(@"\gexec");
        // The verifier holds only [A-Za-z0-9+/=$:-], so it needs no escaping inside the quotes.
        b.Text($"ALTER ROLE {r} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT {limit} PASSWORD '")
            .Derived(app.PasswordSecret, SecretDerivation.ScramSha256, role)
            .Line("';");
        // The app's sessions only (directly or through PgBouncer); the platform's own sessions keep the server's values.
        foreach (var (name, value) in (app.Session ?? PostgresRoleSettings.None).Entries())
            b.Line(value is { } v ? $"ALTER ROLE {r} SET {name} = {v.ToString(CultureInfo.InvariantCulture)};" : $"ALTER ROLE {r} RESET {name};");
        b.Line($"SELECT format('CREATE DATABASE %I OWNER %I', {dl}, {rl}) WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = {dl})");
        b.Line(@"\gexec");
        b.Line($"ALTER DATABASE {d} OWNER TO {r};");
        b.Line($"REVOKE ALL ON DATABASE {d} FROM PUBLIC;");
        b.Line($"GRANT CONNECT, TEMPORARY ON DATABASE {d} TO {r};");
        b.Line($@"\connect {d}");
        QuietSession(b);
        b.Line("REVOKE ALL ON SCHEMA public FROM PUBLIC;");
        b.Line($"GRANT ALL ON SCHEMA public TO {r};");
        foreach (var ext in extensions)
            b.Line($"CREATE EXTENSION IF NOT EXISTS {PostgresNames.QuoteIdent(ext)} CASCADE;");
    }

    /// <summary>Keeps this session's statements (which hold verifiers) out of the server log, whatever log_statement says.</summary>
    private static void QuietSession(SecretTextBuilder b) =>
        b.Line("SET log_statement = 'none'; SET log_min_duration_statement = -1; SET log_min_error_statement = 'panic';");
}
