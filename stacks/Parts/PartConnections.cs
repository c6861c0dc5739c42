using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts;

/// <summary>How one app reaches one data part: the URL it is handed (its <c>${database.url}</c> or <c>${redis.url}</c>), secret.</summary>
public sealed record AppConnection(PartId Part, string App, SecretText Url);

/// <summary>
/// The connection each app has to each data part it uses, the same values its environment gets (<see cref="AppEnvironment"/>):
/// PostgreSQL through PgBouncer, MariaDB directly, Redis its instance. The shell offers them as the parts' <c>ConnectionFor(app)</c>.
/// </summary>
public static class PartConnections
{
    public static ImmutableArray<AppConnection> Of(StackSettings s, ImmutableArray<DatabaseSpec> databases)
    {
        var connections = ImmutableArray.CreateBuilder<AppConnection>();
        foreach (var app in s.Apps)
        {
            switch (databases.UsedBy(app.Name))
            {
                case { Engine: DatabaseEngine.Postgres } db:
                    connections.Add(new AppConnection(PartId.Postgres, app.Name, AppEnvironment.PooledDatabaseUrl(db)));
                    break;
                case { Engine: DatabaseEngine.MariaDb } db:
                    connections.Add(new AppConnection(PartId.MariaDb, app.Name, MariaDbConnection.Url(AppEnvironment.MariaDbRequest(db))));
                    break;
            }
            if (Redis.RedisNames.For(s, app) is { } instance)
                connections.Add(new AppConnection(PartId.Redis, app.Name, AppEnvironment.RedisUrl(app.Name, instance)));
        }
        return connections.ToImmutable();
    }
}
