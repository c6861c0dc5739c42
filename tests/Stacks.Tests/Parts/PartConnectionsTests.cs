using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts;

/// <summary>
/// What a data part's <c>ConnectionFor(app)</c> hands out (<see cref="PartConnections"/>, carried by each <see cref="PartNode"/>)
/// is the URL the app's own container gets by default: the same text, naming the same secret.
/// </summary>
public sealed class PartConnectionsTests
{
    [Theory, MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Each_apps_connection_is_the_url_in_its_environment(string stack)
    {
        var blueprint = TestStacks.ShippedBlueprint(stack);
        var parts = PartGraph.Of(blueprint).ToDictionary(p => p.Id);
        var compared = 0;
        foreach (var app in blueprint.Services.Where(s => s.Part.Kind == PartKind.App && s.Kind == ServiceKind.App))
        {
            var name = app.Part.AppName!;
            foreach (var (part, env) in new[] { (PartId.Postgres, "DATABASE_URL"), (PartId.MariaDb, MariaDbConnection.UrlEnv), (PartId.Redis, "REDIS_URL") })
            {
                var connection = parts.TryGetValue(part, out var node) ? node.Connections.GetValueOrDefault(name) : null;
                // An app that set its own env may name the variable otherwise; where the default is there, they agree.
                if (app.Env.TryGetValue(env, out var url) && (part != PartId.Postgres || url.Masked.StartsWith("postgres://", StringComparison.Ordinal)))
                {
                    Assert.NotNull(connection);
                    Assert.Equal(url.Masked, connection.Masked);
                    Assert.True(connection.IsSecret);
                    compared++;
                }
            }
        }
        Assert.True(compared > 0, $"{stack}: no app of the stack has a default connection variable");
        // Only data parts have connections, and only for apps that use them.
        Assert.All(parts.Values.Where(p => p.Id.Kind is not (PartKind.Postgres or PartKind.MariaDb or PartKind.Redis)), p => Assert.Empty(p.Connections));
        var apps = blueprint.Services.Where(s => s.Part.Kind == PartKind.App).Select(s => s.Part.AppName!).ToHashSet(StringComparer.Ordinal);
        Assert.All(parts.Values.SelectMany(p => p.Connections.Keys), a => Assert.Contains(a, apps));
    }
}
