using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Operations;

/// <summary>What <c>restore-script --into / --from-stack</c> was asked for.</summary>
/// <param name="Stack">The stack whose server the copy goes to.</param>
/// <param name="FromStack">The stack whose archive the dump comes from; null = <paramref name="Stack"/>.</param>
/// <param name="Database">The source database (an app database of the source stack).</param>
/// <param name="Job">The backup job the archive comes from (postgres-daily or postgres-hourly).</param>
/// <param name="Into">A new database name for the copy; null = replace the target stack's database of the same name (only with another stack).</param>
/// <param name="ScrubFile">A SQL file run on the copy before use.</param>
/// <param name="NoScrub">The operator states that the copy needs no scrubbing (required instead of a scrub file across stacks).</param>
public sealed record CopyRestoreRequest(string Stack, string? FromStack, string? Database, string? Job, string? Into, string? ScrubFile, bool NoScrub);

/// <summary>Checks a <see cref="CopyRestoreRequest"/> against the stack files (every error at once) and renders its script.</summary>
public static class RestoreAnywhereCommand
{
    public static PlanOutcome Render(string projectDirectory, CopyRestoreRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var target = SettingsReader.Load(projectDirectory, r.Stack);
        var source = r.FromStack is { } from && from != r.Stack ? SettingsReader.Load(projectDirectory, from) : target;
        var crossStack = !ReferenceEquals(source, target);
        var errors = new List<string>();
        var targetInput = BackupsBlueprint.BackupsInput(target);
        if (targetInput is null)
            errors.Add($"error: stack '{target.Stack}' has no backups (platform:backupsEnabled is false), so it has no restore tooling; turn backups on or restore by hand.");
        var sourceDatabases = PostgresDatabases(source);
        var targetDatabases = PostgresDatabases(target);
        var job = r.Job ?? "postgres-daily";
        if (!job.StartsWith("postgres-", StringComparison.Ordinal))
            errors.Add($"error: --job {job}: --into and --from-stack restore PostgreSQL dumps; use --job postgres-daily or postgres-hourly.");
        if (r.Database is null)
            errors.Add($"error: --into and --from-stack copy one database: add --database, one of {Names(sourceDatabases.Keys)}.");
        else if (!sourceDatabases.ContainsKey(r.Database))
            errors.Add($"error: --database {r.Database}: not a PostgreSQL app database of stack '{source.Stack}'. Use one of {Names(sourceDatabases.Keys)}.");
        if (r.Into is { } into)
            errors.AddRange(Backups.CopyNameErrors(into, targetDatabases.Keys).Select(e => "error: --into " + e));
        else if (!crossStack)
            errors.Add("error: a restore next to the live database needs a new name: add --into, e.g. --into " + (r.Database ?? "shop") + "_copy.");
        else if (r.Database is not null && !targetDatabases.ContainsKey(r.Database))
            errors.Add($"error: stack '{target.Stack}' has no database {r.Database} to replace. Add --into <new name> to restore next to its databases.");
        else if (r.Database is not null)
            errors.AddRange(Backups.CopyNameErrors(Incoming(r.Database), targetDatabases.Keys).Select(e => "error: the copy's working name " + e + " Use --into <new name>."));
        if (r.ScrubFile is not null && r.NoScrub)
            errors.Add("error: --scrub and --no-scrub exclude each other: keep the one you mean.");
        if (crossStack && r.ScrubFile is null && !r.NoScrub)
            errors.Add($"error: copying {source.Stack}'s data to {target.Stack} needs a decision on personal data: add --scrub <file.sql> (run on the copy before use), or --no-scrub.");
        string? scrub = null;
        if (r.ScrubFile is { } file)
        {
            if (!File.Exists(file)) errors.Add($"error: --scrub {file}: no such file.");
            else if ((scrub = File.ReadAllText(file)).Trim().Length == 0) errors.Add($"error: --scrub {file} is empty; write the SQL that scrubs the copy, or use --no-scrub.");
        }
        if (errors.Count > 0) return new PlanOutcome(1, "", string.Join("\n", errors) + "\n");

        var db = r.Database!;
        // The copy's owner is the target stack's role for that database when it has one (so its app can use the copy), else the source's role name when it exists here, else the superuser.
        var owner = targetDatabases.TryGetValue(db, out var role) ? role
            : targetDatabases.Values.Contains(sourceDatabases[db]) ? sourceDatabases[db]
            : targetInput!.Sources.PostgresUser;
        var copy = new CopyRestore(source.Stack, target.Stack, db,
            TargetDatabase: r.Into ?? Incoming(db),
            Owner: owner,
            Replaces: r.Into is null ? db : null,
            ScrubSql: scrub);
        return new PlanOutcome(0, Backups.CopyRestoreScript(targetInput!, copy, job), "");
    }

    /// <summary>The name a replacing copy is built under before it is switched in.</summary>
    public static string Incoming(string database) => (database.Length > 50 ? database[..50] : database) + "_incoming";

    private static Dictionary<string, string> PostgresDatabases(StackSettings s) =>
        BlueprintBuilder.Databases(s).Where(d => d.Engine == DatabaseEngine.Postgres).ToDictionary(d => d.Database, d => d.Role, StringComparer.Ordinal);

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "(none: the stack has no PostgreSQL app databases)" : string.Join(", ", list);
    }
}
