using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Data;

/// <summary>
/// Reads <c>platform:postgresTuning</c> (a mapping; unset keeps the defaults) and an app's PostgreSQL keys under
/// <c>needs.database</c> (the same timeouts per app, and its extensions).
/// </summary>
internal static class PostgresTuningReader
{
    public static System.Collections.Immutable.ImmutableArray<string> Keys => Parts.Postgres.PostgresTuningSchema.Tuning.Keys;

    /// <summary>The stack-wide tuning; a value that cannot be read keeps its default so the rest is still checked.</summary>
    public static PostgresTuning Read(NodeReader r, YamlNode? node)
    {
        const string key = PostgresTuningValidation.DefaultSettingsKey;
        var d = new PostgresTuning();
        if (node is null) return d;
        var map = r.Mapping(node, key, Keys);
        int Int(string name, int fallback) => map.TryGetValue(name, out var n) ? r.Int(n, $"{key}.{name}", fallback) : fallback;
        var tuning = new PostgresTuning
        {
            LogMinDurationStatementMs = Int("logMinDurationStatementMs", d.LogMinDurationStatementMs),
            StatementTimeoutMs = Int("statementTimeoutMs", d.StatementTimeoutMs),
            IdleInTransactionSessionTimeoutMs = Int("idleInTransactionSessionTimeoutMs", d.IdleInTransactionSessionTimeoutMs),
        };
        var errors = PostgresTuningValidation.Errors(key, tuning.LogMinDurationStatementMs, tuning.StatementTimeoutMs, tuning.IdleInTransactionSessionTimeoutMs).ToList();
        foreach (var e in errors) r.Error(e.Key, e.Problem, e.Fix);
        return errors.Count == 0 ? tuning : d;
    }

    /// <summary>
    /// An app database's own timeouts (<c>needs.database.statementTimeoutMs</c>, …) from its mapping <paramref name="dm"/>
    /// at <paramref name="key"/>; null when it sets none. On a MariaDB database they are an error.
    /// </summary>
    public static PostgresRoleSettings? ReadDatabase(NodeReader r, IReadOnlyDictionary<string, YamlNode> dm, string key, bool postgres)
    {
        int? Int(string name) => dm.TryGetValue(name, out var n) ? r.Int(n, $"{key}.{name}", 0) : null;
        var settings = new PostgresRoleSettings(Int("statementTimeoutMs"), Int("idleInTransactionSessionTimeoutMs"), Int("logMinDurationStatementMs"));
        if (settings == PostgresRoleSettings.None) return null;
        if (!postgres)
        {
            foreach (var name in Keys.Where(dm.ContainsKey))
                r.Error($"{key}.{name}", "is a PostgreSQL setting, set on a MariaDB database.", "Remove it, or use engine: postgres.");
            return null;
        }
        var errors = PostgresTuningValidation.Errors(key, settings.LogMinDurationStatementMs, settings.StatementTimeoutMs, settings.IdleInTransactionSessionTimeoutMs).ToList();
        foreach (var e in errors) r.Error(e.Key, e.Problem, e.Fix);
        return errors.Count == 0 ? settings : null;
    }

    /// <summary>An app database's <c>extensions</c>: each one of <see cref="PostgresExtensions.Allowed"/>; none on MariaDB.</summary>
    public static ImmutableArray<string> ReadExtensions(NodeReader r, IReadOnlyDictionary<string, YamlNode> dm, string key, bool postgres)
    {
        if (!dm.TryGetValue("extensions", out var node)) return [];
        var extensions = r.StringList(node, $"{key}.extensions");
        if (!postgres && !extensions.IsEmpty)
        {
            r.Error($"{key}.extensions", "is set on a MariaDB database; MariaDB has no extensions.", "Remove extensions, or use engine: postgres.");
            return [];
        }
        var ok = true;
        for (var j = 0; j < extensions.Length; j++)
        {
            if (PostgresExtensions.Problem(extensions[j]) is not { } problem) continue;
            r.Error($"{key}.extensions[{j}]", problem, PostgresExtensions.Fix);
            ok = false;
        }
        return ok ? [.. extensions.Distinct(StringComparer.Ordinal)] : [];
    }
}
