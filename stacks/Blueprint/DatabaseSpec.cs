using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>A database and its owner role for one app (and the apps sharing it).</summary>
/// <remarks>For <see cref="DatabaseEngine.MariaDb"/>, <c>Role</c> is the MariaDB user, limited to this database.</remarks>
public sealed record DatabaseSpec(string App, string Database, string Role, ImmutableArray<string> Extensions, int ConnectionLimit, string PasswordSecret, ImmutableArray<string> UsedBy)
{
    public DatabaseEngine Engine { get; init; } = DatabaseEngine.Postgres;
    /// <summary>PostgreSQL: the session settings of the role (the app's over the stack's <c>postgresTuning</c>). Default: none.</summary>
    public Data.PostgresRoleSettings Session { get; init; } = Data.PostgresRoleSettings.None;
}

public static class DatabaseSpecs
{
    /// <summary>
    /// The database <paramref name="app"/> uses (its own, or the one it shares), or null. Every app asks, so the
    /// list is indexed by user once per list (scanning it per app made planning quadratic in the number of apps).
    /// </summary>
    public static DatabaseSpec? UsedBy(this ImmutableArray<DatabaseSpec> databases, string app) =>
        databases.IsDefaultOrEmpty ? null : Indexes.GetValue(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(databases)!, Index).GetValueOrDefault(app);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DatabaseSpec[], Dictionary<string, DatabaseSpec>> Indexes = new();

    private static Dictionary<string, DatabaseSpec> Index(DatabaseSpec[] databases)
    {
        var index = new Dictionary<string, DatabaseSpec>(StringComparer.Ordinal);
        foreach (var d in databases)
            foreach (var user in d.UsedBy) index.TryAdd(user, d);
        return index;
    }
}
