using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// A <c>Cache-Control</c> response header on one path of an app's routes (<c>cache: [{ path, cacheControl }]</c>), e.g. a year
/// of <c>public, max-age=31536000, immutable</c> on hashed static assets (<c>/_next/static</c>, <c>/assets</c>). Paths
/// without a rule (HTML) keep whatever the app sends.
/// </summary>
/// <param name="Path">The path prefix, whole segments (<c>/assets</c> takes <c>/assets</c> and <c>/assets/…</c>), no trailing slash.</param>
/// <param name="CacheControl">The header's value, set on every answer below the path (the app's own value is replaced).</param>
public sealed record CacheRule(string Path, string CacheControl);

/// <summary>
/// Cache rules as Traefik serves them. A rule below a route's path is a router of its own on the same host, with the rule's
/// longer path (so a higher priority: <see cref="Routing.Priority(HostKind, string?)"/>), the route's middlewares and a
/// headers middleware whose <c>customResponseHeaders</c> sets the value. Traefik v3.3.6's headers middleware
/// (<c>pkg/middlewares/headers/header.go</c>, <c>PostRequestModifyResponseHeaders</c>) does <c>res.Header.Set</c> for a
/// non-empty value, after the backend answered, so it replaces the app's own header (its test table:
/// <c>header_test.go</c>, <c>TestNewHeader_customResponseHeaders</c>). A rule on exactly a route's path joins that
/// route's own middlewares instead.
/// </summary>
public static class CacheRules
{
    public static System.Collections.Immutable.ImmutableArray<string> Keys => Apps.AppSchema.CacheRule.Keys;

    /// <summary>RFC 9111 section 5.2.2 response directives (and RFC 8246 immutable, RFC 5861 stale-*); those marked take delta-seconds.</summary>
    private static readonly ImmutableSortedDictionary<string, bool> Directives = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
        new Dictionary<string, bool>
        {
            ["public"] = false, ["private"] = false, ["no-cache"] = false, ["no-store"] = false, ["no-transform"] = false,
            ["must-revalidate"] = false, ["proxy-revalidate"] = false, ["must-understand"] = false, ["immutable"] = false,
            ["max-age"] = true, ["s-maxage"] = true, ["stale-while-revalidate"] = true, ["stale-if-error"] = true,
        });

    /// <summary>The value the issue's seeds ask for on hashed assets: cached for a year and never revalidated.</summary>
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>Reads an app's <c>cache</c> list: every problem under its key (<c>platform:apps[0].cache[1].path</c>) with the fix.</summary>
    internal static ImmutableArray<CacheRule> Read(NodeReader r, YamlNode? node, string appKey)
    {
        var rules = ImmutableArray.CreateBuilder<CacheRule>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (ruleNode, k) in r.Sequence(node, $"{appKey}.cache", $"Write each rule as '- {{ path: /assets, cacheControl: \"{Immutable}\" }}'."))
        {
            var m = r.Mapping(ruleNode, k, Keys);
            var path = r.String(m.GetValueOrDefault("path"), $"{k}.path").Trim();
            // "/_next/static/" as the seeds write it: the same directory as "/_next/static".
            if (path.Length > 1 && path.EndsWith('/')) path = path.TrimEnd('/');
            if (!m.ContainsKey("path"))
                r.Error($"{k}.path", "is required.", "Give the path of the hashed files, e.g. 'path: /assets'.");
            else if (RoutePaths.Problem(path) is { } problem)
                r.Error($"{k}.path", $"'{path}' {problem.Problem}", problem.Fix);
            else if (path == "/")
                r.Error($"{k}.path", "is '/', which covers every path of the host, HTML included, so a cached page would outlive a deployment.",
                    "Give the directory of the hashed files only, e.g. /assets or /_next/static.");
            else if (!Names.IsPathPrefix(path) || path.Length > RouteSettingsReader.MaxPathLength)
                r.Error($"{k}.path", $"'{path}' is not a path prefix.", $"Start it with '/', without spaces or '//', at most {RouteSettingsReader.MaxPathLength} characters, e.g. /assets.");
            else if (seen.TryGetValue(path, out var other))
                r.Error($"{k}.path", $"'{path}' has a rule at {other} already.", "Keep one rule per path.");
            else
                seen[path] = k;
            var value = r.String(m.GetValueOrDefault("cacheControl"), $"{k}.cacheControl").Trim();
            if (!m.ContainsKey("cacheControl"))
                r.Error($"{k}.cacheControl", "is required.", $"Give the header's value, e.g. 'cacheControl: \"{Immutable}\"'.");
            else if (Problem(value) is { } valueProblem)
                r.Error($"{k}.cacheControl", valueProblem.Problem, valueProblem.Fix);
            rules.Add(new CacheRule(path, value));
        }
        return rules.ToImmutable();
    }

    /// <summary>Why a Cache-Control value would not do what it says (a directive caches do not know, a bad number, both public and private); null when fine.</summary>
    public static (string Problem, string Fix)? Problem(string value)
    {
        const string fix = "Write directives from RFC 9111 separated by commas, e.g. \"" + Immutable + "\" or \"no-cache\".";
        if (value.Length == 0) return ("is empty.", fix);
        if (value.Any(c => char.IsControl(c) || c > '~')) return ("holds a control or non-ASCII character, which a response header cannot carry.", fix);
        var names = new List<string>();
        foreach (var part in value.Split(',').Select(p => p.Trim()))
        {
            var (name, arg) = part.Split('=', 2) is { Length: 2 } kv ? (kv[0].Trim().ToLowerInvariant(), kv[1].Trim()) : (part.ToLowerInvariant(), (string?)null);
            if (!Directives.TryGetValue(name, out var takesSeconds))
                return ($"has '{part}', which is no Cache-Control response directive (known: {string.Join(", ", Directives.Keys)}).", fix);
            if (takesSeconds && (arg is null || !uint.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > int.MaxValue))
                return ($"has '{part}': {name} takes a number of seconds (0 to {int.MaxValue}).", $"Write e.g. {name}=31536000 (a year).");
            if (!takesSeconds && arg is not null && name is not ("private" or "no-cache"))
                return ($"has '{part}': {name} takes no value.", $"Write {name} alone.");
            names.Add(name);
        }
        if (names.Contains("public") && names.Contains("private"))
            return ("has both public and private.", "Keep public for files any cache may keep (hashed assets), private for a user's own answers.");
        if (names.Contains("no-store") && names.Any(n => n is "max-age" or "s-maxage" or "immutable" or "public"))
            return ("has no-store together with directives that ask caches to keep the answer.", "Keep no-store alone, or drop it.");
        return null;
    }

    /// <summary>
    /// Which route of any app takes <c>https://<paramref name="fqdn"/><paramref name="path"/></c> by its path (the longest
    /// matching prefix on that host; wildcard routes are keyed <c>*.&lt;domain&gt;</c>), or null (404).
    /// </summary>
    public static (AppSettings App, RouteSettings Route)? Owner(StackSettings s, string fqdn, string path) =>
        Index.GetValue(s, Build).GetValueOrDefault(fqdn, [])
            .Where(x => x.Route.PathPrefix is not { } p || path == p || path.StartsWith(p + "/", StringComparison.Ordinal))
            .OrderByDescending(x => x.Route.PathPrefix?.Length ?? 0)
            .Select(x => ((AppSettings, RouteSettings)?)x).FirstOrDefault();

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings,
        Dictionary<string, List<(AppSettings App, RouteSettings Route)>>> Index = new();

    private static Dictionary<string, List<(AppSettings App, RouteSettings Route)>> Build(StackSettings s) =>
        s.Apps.SelectMany(a => a.Routes.Select(r => (App: a, Route: r)))
            .GroupBy(x => x.Route.Fqdn(s.Domain), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    /// <summary>The app's rules that <paramref name="route"/> serves: those whose path, on the route's host, this very route takes.</summary>
    public static ImmutableArray<CacheRule> Of(StackSettings s, AppSettings app, RouteSettings route) =>
        app.Cache.IsEmpty || route.Redirect is not null ? [] :
        [.. app.Cache.Where(c => Owner(s, route.Fqdn(s.Domain), c.Path) is { } owner && ReferenceEquals(owner.Route, route)
            && !app.StaticFiles.Any(f => f.Host == route.Host && Under(c.Path, f.Path)))];

    /// <summary>Whether <paramref name="path"/> is <paramref name="prefix"/> or below it (whole segments).</summary>
    public static bool Under(string path, string prefix) => path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal);

    /// <summary>A cache rule that no route of its app serves (it would set nothing, or take another app's path): the error with the fix.</summary>
    internal static void Check(StackSettings s, NodeReader r)
    {
        if (s.Domain.Length == 0) return;
        foreach (var app in s.Apps)
        {
            for (var i = 0; i < app.Cache.Length; i++)
            {
                var rule = app.Cache[i];
                if (rule.Path.Length < 2 || app.Routes.Any(route => Of(s, app, route).Contains(rule)) || app.StaticFiles.Any(f => Under(rule.Path, f.Path))) continue;
                var where = app.Routes.Select(route => (route, owner: Owner(s, route.Fqdn(s.Domain), rule.Path))).ToList();
                var other = where.FirstOrDefault(x => x.owner is { } o && o.App.Name != app.Name);
                var problem = app.Routes.IsEmpty
                    ? "is on an app without routes, so no request ever reaches it."
                    : other.owner is { } o
                        ? $"'{rule.Path}' is served by another app: on {other.route.Fqdn(s.Domain)} it goes to '{o.App.Name}' ({o.App.Key}), and a cache rule sets headers only on its own app's answers."
                        : app.Routes.All(x => x.Redirect is not null)
                            ? "is on an app whose routes only redirect."
                            : $"'{rule.Path}' is served by none of the app's routes (they take {string.Join(", ", app.Routes.Select(x => x.Fqdn(s.Domain) + (x.PathPrefix ?? "/")))}), so the rule would set nothing.";
                var prefix = app.Routes.FirstOrDefault(x => x.PathPrefix is not null)?.PathPrefix;
                r.Error($"{app.Key}.cache[{i}].path", problem,
                    $"Give a path below one of the app's routes{(prefix is null ? "" : $" (e.g. {prefix}/assets)")}, add a route for it to {app.Key}.routes, or remove the rule.");
            }
        }
    }
}
