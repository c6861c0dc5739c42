using Platform.Stacks.Settings;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// Which app a public URL of the stack reaches, from the settings (the route explainer answers the same from the rendered
/// labels): on one exact host the route with the longest matching path prefix wins (Routing.Priority), whole segments
/// only; exact hosts always beat the wildcard. An app's public monitor is only useful on a route that takes its health path.
/// </summary>
public static class HealthRoutes
{
    /// <summary>The app and route that take <c>https://<paramref name="fqdn"/><paramref name="path"/></c>, or null (Traefik answers 404).</summary>
    public static (AppSettings App, RouteSettings Route)? Owner(StackSettings s, string fqdn, string path)
    {
        var p = PathOnly(path);
        return Indexes.GetValue(s, BuildIndex).GetValueOrDefault(fqdn.ToLowerInvariant(), [])
            .Where(x => Matches(x.Route.PathPrefix, p))
            .OrderByDescending(x => x.Route.PathPrefix?.Length ?? 0)
            .Select(x => ((AppSettings, RouteSettings)?)x).FirstOrDefault();
    }

    /// <summary>
    /// Every app's monitor asks who owns its URL: the exact-host routes are indexed by host once per settings object (a
    /// scan of every route per app would make planning quadratic in the number of apps; PlanScalingTests).
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings,
        Dictionary<string, List<(AppSettings App, RouteSettings Route)>>> Indexes = new();

    private static Dictionary<string, List<(AppSettings App, RouteSettings Route)>> BuildIndex(StackSettings s) =>
        s.Apps.SelectMany(a => a.Routes.Where(r => !r.IsWildcard).Select(r => (App: a, Route: r)))
            .GroupBy(x => x.Route.Fqdn(s.Domain).ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    /// <summary>The path its monitor requests through a route: below the prefix when the route strips it.</summary>
    public static string MonitoredPath(RouteSettings route, string healthPath) =>
        route.StripPrefix && route.PathPrefix is { } prefix ? prefix + healthPath : healthPath;

    /// <summary>Whether the app's health path, requested through <paramref name="route"/>'s host, reaches the app itself.</summary>
    public static bool Serves(StackSettings s, AppSettings app, RouteSettings route, string healthPath)
    {
        var path = MonitoredPath(route, healthPath);
        return Matches(route.PathPrefix, PathOnly(path)) && Owner(s, route.Fqdn(s.Domain), path) is { } owner && owner.App.Name == app.Name;
    }

    /// <summary>
    /// Why the app's public monitor would watch something else forever (no route of the app takes its health path), with the
    /// fix; null when one of its exact-host routes takes it, or when it has no health path or no exact-host route.
    /// </summary>
    public static (string Problem, string Fix)? Problem(StackSettings s, AppSettings app)
    {
        if (app.HealthPath is not { } health) return null;
        var routes = app.Routes.Where(r => !r.IsWildcard).ToList();
        if (routes.Count == 0 || routes.Any(r => Serves(s, app, r, health))) return null;
        var first = routes[0];
        var url = $"https://{first.Fqdn(s.Domain)}{MonitoredPath(first, health)}";
        var goesTo = Owner(s, first.Fqdn(s.Domain), MonitoredPath(first, health)) is { } other
            ? $"goes to {(other.App.Name == app.Name ? "this app's route without the path" : $"the app '{other.App.Name}'")}"
            : "matches no route (Traefik answers 404)";
        var host = first.Domain is { } domain ? $"domain: {domain}" : $"host: {(first.Host == "@" ? "\"@\"" : first.Host)}";
        return ($"'{health}' is served by none of the app's routes: its public monitor would request {url}, which {goesTo}, and report that forever.",
            $"Add a route for it to {app.Key}.routes, e.g. '- {{ {host}, path: {PathOnly(health)} }}', or set healthPath to a path under one of its routes"
            + (first.PathPrefix is { } prefix ? $" (e.g. {prefix}/health)." : "."));
    }

    private static string PathOnly(string path) => path.Split('?', 2)[0];

    private static bool Matches(string? prefix, string path) =>
        prefix is null || path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal);
}
