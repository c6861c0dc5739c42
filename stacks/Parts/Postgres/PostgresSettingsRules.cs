using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Postgres;

/// <summary>Rules between PostgreSQL and the apps: an app's name makes a valid role and database, and the apps' connection limits fit.</summary>
internal static class PostgresSettingsRules
{
    /// <summary>An app that takes the default names needs a name that is a valid PostgreSQL role and database.</summary>
    public static void CheckAppNames(StackSettings s, NodeReader r)
    {
        foreach (var app in s.Apps.Where(a => Names.IsAppName(a.Name)))
        {
            if (app.Database is { Engine: DatabaseEngine.Postgres, Name: null, Role: null } && Data.PostgresNames.Problem(BlueprintBuilder.DbName(app.Name)) is { } dbProblem)
                r.Error($"{app.Key}.name", $"'{app.Name}' cannot name a PostgreSQL role and database: '{BlueprintBuilder.DbName(app.Name)}' {dbProblem}.",
                    "Choose another app name, or name them with needs.database: { name: …, role: … }.");
        }
    }

    /// <summary>The app roles' connection limits and the platform's users fit in max_connections.</summary>
    public static void CheckConnections(StackSettings s, NodeReader r)
    {
        var budget = ConnectionBudget.Compute(s);
        if (budget.Fits) return;
        var apps = budget.Lines.Where(l => l.Kind == "app").ToList();
        var platform = budget.TotalConnections - apps.Sum(l => l.Connections);
        r.Error("platform:postgresMaxConnections",
            $"The connection budget does not fit: the app roles' connection limits ({string.Join(" + ", apps.Select(l => $"{l.Name} {l.Connections}"))}) + platform users {platform} = {budget.TotalConnections}, "
            + $"but PostgreSQL allows {budget.AvailableConnections} (max_connections {budget.MaxConnections} - {budget.SuperuserReserved} reserved for superusers).",
            $"Raise platform:postgresMaxConnections to at least {budget.TotalConnections + budget.SuperuserReserved}, or lower the apps' needs.database.connectionLimit.");
    }
}
