using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Redis;

/// <summary>Rules between apps' Redis needs: an app shares (<c>needs.redisOf</c>) only another app's own instance.</summary>
internal static class RedisRules
{
    /// <summary><paramref name="app"/>'s <c>redisOf</c> names another app of <paramref name="byName"/> that has an instance of its own.</summary>
    public static void CheckShare(AppSettings app, IReadOnlyDictionary<string, AppSettings> byName, NodeReader r)
    {
        if (app.RedisOf is { } redisOf)
        {
            if (redisOf == app.Name)
                r.Error($"{app.Key}.needs.redisOf", "names the app itself.", "Use 'redis: true' for the app's own instance.");
            else if (!byName.TryGetValue(redisOf, out var owner))
                r.Error($"{app.Key}.needs.redisOf", $"names '{redisOf}', which is not an app of this stack.", $"Use one of: {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal))}.");
            else if (owner.RedisInstance is null)
                r.Error($"{app.Key}.needs.redisOf", $"names '{redisOf}', which has no Redis instance of its own{(owner.RedisOf is { } chained ? $" (it shares {chained}'s)" : "")}.",
                    owner.RedisOf is { } ownerOf ? $"Name the instance's owner: 'redisOf: {ownerOf}'." : $"Add 'needs: {{ redis: true }}' to {owner.Key}, or let this app have its own instance.");
        }
    }
}
