using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Stacks.Data;

namespace Platform.Stacks.Operations;

/// <summary>
/// One app database's dump restored somewhere other than over itself: into a new database next to the live one
/// (<c>restore-script --database shop --into shop_copy</c>), or from another stack's archive onto this stack's server
/// (<c>restore-script --stack staging --from-stack prod --database shop</c>). The copy is always built in a database
/// that did not exist (the script refuses one that does), restored in one transaction, then scrubbed by the optional hook;
/// only then, and only when it replaces this stack's own database, is it renamed into place, the previous database kept
/// under <see cref="Backups.KeptName"/>. The source database, or the other stack, is only ever read from its archive.
/// </summary>
/// <param name="SourceStack">The stack whose archive the dump comes from.</param>
/// <param name="TargetStack">The stack whose server the script runs on.</param>
/// <param name="SourceDatabase">The database dumped in the archive (<c>&lt;dir&gt;/&lt;SourceDatabase&gt;.dump</c>).</param>
/// <param name="TargetDatabase">The new database the copy is built in; must not exist on the target server.</param>
/// <param name="Owner">The role that owns the copy and every object in it (the target stack's app role; grants of the source are not copied).</param>
/// <param name="Replaces">A database of the target stack the finished copy is renamed into (its predecessor kept), or null to leave the copy under <paramref name="TargetDatabase"/>.</param>
/// <param name="ScrubSql">SQL run on the copy, in one transaction, before anything can use it (e.g. anonymising personal data); null = none.</param>
public sealed record CopyRestore(
    string SourceStack,
    string TargetStack,
    string SourceDatabase,
    string TargetDatabase,
    string Owner,
    string? Replaces = null,
    string? ScrubSql = null);

public static partial class Backups
{
    private static readonly Regex DatabaseName = new("^[a-z][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant);

    /// <summary>Names a copy may never take: what initdb makes.</summary>
    public static readonly ImmutableArray<string> SystemDatabases = ["postgres", "template0", "template1"];

    /// <summary>Where the previous database goes when a copy replaces it (the rollback: rename the two back).</summary>
    public const string KeptName = "<database>_before_<UTC time>";

    /// <summary>
    /// Every reason <paramref name="name"/> cannot take a copy on a server whose app databases are
    /// <paramref name="appDatabases"/> (empty when it can). Used for <c>--into</c>.
    /// </summary>
    public static ImmutableArray<string> CopyNameErrors(string name, IEnumerable<string> appDatabases)
    {
        var errors = new List<string>();
        if (!DatabaseName.IsMatch(name))
            errors.Add($"'{name}' is not a database name the platform uses: lower-case letters, digits and _, starting with a letter, at most 63 characters (e.g. shop_copy).");
        if (SystemDatabases.Contains(name, StringComparer.Ordinal))
            errors.Add($"'{name}' is a system database; choose a new name, e.g. {name}_copy.");
        if (appDatabases.Contains(name, StringComparer.Ordinal))
            errors.Add($"'{name}' is a live app database of the stack; a copy never goes over one. Choose a new name, e.g. {name}_copy.");
        return [.. errors];
    }

    /// <summary>
    /// The script's body: it runs every PostgreSQL client through the shell function <c>pg</c> (which the preamble
    /// defines: a throwaway container of the PostgreSQL image on the data network on a server) and reads the dump as
    /// <c>"$in"/&lt;database&gt;.dump</c>.
    /// </summary>
    public static string CopyRestoreBody(CopyRestore c)
    {
        ArgumentNullException.ThrowIfNull(c);
        foreach (var name in new[] { c.SourceDatabase, c.TargetDatabase, c.Owner, c.Replaces ?? "x" })
            if (!DatabaseName.IsMatch(name)) throw new ArgumentException($"'{name}' is not a platform database or role name.", nameof(c));
        var target = PostgresNames.QuoteIdent(c.TargetDatabase);
        var owner = PostgresNames.QuoteIdent(c.Owner);
        var lines = new List<string>
        {
            $"exists=\"$(pg psql -XAtq -d postgres -c {ShellQuote($"select 1 from pg_database where datname = '{c.TargetDatabase}'")})\"",
            $"[ -z \"$exists\" ] || {{ echo {ShellQuote($"database {c.TargetDatabase} exists already on this server; the copy needs a new one: choose another --into name, or drop {c.TargetDatabase} first.")} >&2; exit 1; }}",
            $"pg psql -XAtq -v ON_ERROR_STOP=1 -d postgres -c {ShellQuote($"CREATE DATABASE {target} OWNER {owner} ENCODING 'UTF8' TEMPLATE template0")}",
            // The objects belong to the target's owner role; the source's grants name roles that may not exist here.
            $"pg {ToShell(["pg_restore", "--no-password", "--no-owner", "--no-privileges", $"--role={c.Owner}", "--single-transaction", "--exit-on-error", $"--dbname={c.TargetDatabase}"])} \"$in\"/{ShellQuote(c.SourceDatabase + ".dump")}",
        };
        if (c.ScrubSql is { } scrub)
        {
            var fence = "PLATFORM_SCRUB_SQL";
            while (scrub.Contains(fence, StringComparison.Ordinal)) fence += "_";
            // A copy whose scrub failed would hold unscrubbed data: it is dropped.
            lines.Add($"if ! pg psql -XAtq -v ON_ERROR_STOP=1 --single-transaction -d {ShellQuote(c.TargetDatabase)} <<'{fence}'");
            lines.Add(scrub.TrimEnd('\n'));
            lines.Add(fence);
            lines.Add("then");
            lines.Add($"  pg psql -XAtq -d postgres -c {ShellQuote($"DROP DATABASE {target}")}");
            lines.Add($"  echo {ShellQuote($"The scrub hook failed, so the copy {c.TargetDatabase} was dropped; nothing else changed. Fix the hook and run again.")} >&2");
            lines.Add("  exit 1");
            lines.Add("fi");
            lines.Add($"echo {ShellQuote($"Scrubbed {c.TargetDatabase} with the scrub hook.")}");
        }
        if (c.Replaces is { } live)
        {
            // Kept under a name that stays within PostgreSQL's 63 characters (longer ones would be cut silently).
            var keptPrefix = (live.Length > 40 ? live[..40] : live) + "_before_";
            var kept = keptPrefix + "\"$stamp\"";
            lines.Add("stamp=\"$(date -u +%Y%m%dT%H%M%S)\"");
            lines.Add($"pg psql -XAtq -d postgres -c {ShellQuote($"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{live}' and pid <> pg_backend_pid()")} >/dev/null");
            // The terminated sessions take a moment to leave; a client that reconnects meanwhile makes the rename fail, so it is retried.
            lines.Add("tries=0");
            lines.Add($"until pg psql -XAtq -v ON_ERROR_STOP=1 -d postgres -c \"ALTER DATABASE \\\"{live}\\\" RENAME TO \\\"{keptPrefix}$stamp\\\"\"; do");
            lines.Add($"  tries=$((tries + 1)); [ \"$tries\" -lt 10 ] || {{ echo {ShellQuote($"{live} is still in use: stop the apps using it, then rename {c.TargetDatabase} to {live} by hand.")} >&2; exit 1; }}");
            lines.Add("  sleep 1");
            lines.Add("done");
            lines.Add($"pg psql -XAtq -v ON_ERROR_STOP=1 -d postgres -c {ShellQuote($"ALTER DATABASE {target} RENAME TO {PostgresNames.QuoteIdent(live)}")}");
            lines.Add($"echo {ShellQuote($"Restored {c.SourceStack}'s {c.SourceDatabase} as {c.TargetStack}'s {live}; the previous one is ")}{kept}{ShellQuote(" (rollback: rename the two back; drop it once the copy is verified).")}");
        }
        else
        {
            lines.Add($"echo {ShellQuote($"Restored {c.SourceStack}'s {c.SourceDatabase} into the new database {c.TargetDatabase} on {c.TargetStack}; the live databases were not touched.")}");
        }
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>
    /// The script to run on the target stack's server as the deploy user: <see cref="CopyRestoreBody"/> with <c>pg</c>
    /// running each client in a throwaway container of the PostgreSQL image on the data network, as the superuser
    /// whose password it reads from the running PostgreSQL container's secret file.
    /// </summary>
    public static string CopyRestoreScript(BackupsInput target, CopyRestore c, string jobName)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(c);
        var s = target.Sources;
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Restore ").Append(c.SourceStack).Append("'s '").Append(c.SourceDatabase).Append("' database from an extracted ").Append(jobName)
            .Append(" archive into ").Append(c.Replaces is null ? $"the new database '{c.TargetDatabase}'" : $"'{c.Replaces}' (built as '{c.TargetDatabase}', then switched)")
            .Append(" on ").Append(c.TargetStack).Append("'s server").Append(c.ScrubSql is null ? "" : ", scrubbed by the hook before use").Append(".\n");
        sb.Append("# Usage: restore.sh <directory holding the extracted backup/postgres/*.dump files>\n");
        if (c.Replaces is not null)
            sb.Append("# Stop the apps using '").Append(c.Replaces).Append("' first; the previous database is kept as ").Append(KeptName.Replace("<database>", c.Replaces, StringComparison.Ordinal)).Append(".\n");
        sb.Append("set -eu\n");
        sb.Append("dir=\"$(cd \"${1:?usage: restore.sh <dump directory>}\" && pwd)\"\n");
        sb.Append("[ -s \"$dir\"/").Append(ShellQuote(c.SourceDatabase + ".dump")).Append(" ] || { echo \"$dir has no ").Append(c.SourceDatabase).Append(".dump\" >&2; exit 1; }\n");
        sb.Append("PGPASSWORD=\"$(docker exec ").Append(ShellQuote(s.PostgresHost)).Append(" cat ").Append(PostgresPasswordFile).Append(")\"\n");
        sb.Append("export PGPASSWORD\n");
        sb.Append("in=/restore\n");
        sb.Append("pg() { docker run --rm -i --network container:").Append(ShellQuote(s.PostgresHost))
            .Append(" -e PGPASSWORD -e PGHOST=127.0.0.1")
            .Append(" -e PGPORT=").Append(s.PostgresPort.ToString(CultureInfo.InvariantCulture))
            .Append(" -e PGUSER=").Append(ShellQuote(s.PostgresUser))
            .Append(" -v \"$dir\":/restore:ro ").Append(ShellQuote(s.PostgresImage)).Append(" \"$@\"; }\n");
        sb.Append(CopyRestoreBody(c));
        return sb.ToString();
    }
}
