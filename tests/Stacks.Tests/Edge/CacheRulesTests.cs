using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// Cache headers per path (<c>cache: [{ path, cacheControl }]</c>): a year of immutable caching on hashed assets, nothing on
/// HTML, answered by the route explainer on the rendered labels. Traefik's headers middleware sets a non-empty custom
/// response header with <c>Header.Set</c> after the backend answered (v3.3.6 <c>pkg/middlewares/headers/header.go</c>,
/// <c>PostRequestModifyResponseHeaders</c>; its table <c>header_test.go</c> <c>TestNewHeader_customResponseHeaders</c>), so
/// the value the route explainer shows is the one the client gets.
/// </summary>
public sealed class CacheRulesTests
{
    private const string WebRoute = "- { host: app, headers: { preset: minimal, frameDeny: true, contentSecurityPolicy: \"default-src 'self'\" } }";

    private static string Apps(string webCache, string? apiCache = null)
    {
        var apps = EdgeStack.Apps.Replace("  healthPath: /health\n", $"  healthPath: /health\n  cache:\n{webCache}\n", StringComparison.Ordinal);
        return apiCache is null ? apps : apps.Replace("  rateLimit: { average: 50, burst: 100 }\n", $"  rateLimit: {{ average: 50, burst: 100 }}\n  cache:\n{apiCache}\n", StringComparison.Ordinal);
    }

    private const string NextStatic = "    - { path: /_next/static/, cacheControl: \"public, max-age=31536000, immutable\" }";

    private static PlatformBlueprint Build(string webCache, string? apiCache = null) => TestStacks.Build(EdgeStack.Yaml(Apps(webCache, apiCache)));

    private static IReadOnlyList<SettingsError> Errors(string webCache, string? apiCache = null) => TestStacks.Errors(EdgeStack.Yaml(Apps(webCache, apiCache)));

    private static string? CacheControl(RouteAnswer a) =>
        a.Router!.MiddlewareDetails.Values.Select(d => d.GetValueOrDefault("headers.customresponseheaders.Cache-Control")).OfType<string>().SingleOrDefault();

    [Fact]
    public void Hashed_assets_get_a_year_of_immutable_caching_and_html_gets_none()
    {
        var b = Build(NextStatic);
        var asset = RouteExplainer.Explain(b, "https://app.example.com/_next/static/chunks/main-4f2a.js");
        Assert.Equal("web", asset.Router!.Target);
        Assert.Equal(CacheRules.Immutable, CacheControl(asset));
        Assert.Equal("/_next/static/chunks/main-4f2a.js", asset.ForwardedPath);
        // The cache router keeps the route's own middlewares: its headers first, then the cache header.
        Assert.Contains(asset.Shadowed, r => r.Target == "web" && r.Rule == "Host(`app.example.com`)");

        foreach (var html in new[] { "/", "/pricing", "/_next/staticx/a.js", "/_next/data/page.json" })
        {
            var page = RouteExplainer.Explain(b, "https://app.example.com" + html);
            Assert.Equal("web", page.Router!.Target);
            Assert.Null(CacheControl(page));
        }
    }

    [Fact]
    public void The_cache_router_wins_by_its_longer_path_and_never_takes_another_apps_path()
    {
        var b = Build(NextStatic);
        var asset = RouteExplainer.Explain(b, "https://app.example.com/_next/static/a.css");
        Assert.Equal(Routing.Priority(HostKind.Exact, "/_next/static"), asset.Router!.Priority);
        Assert.Equal("Host(`app.example.com`) && (Path(`/_next/static`) || PathPrefix(`/_next/static/`))", asset.Router.Rule);
        // The other apps on the host keep their paths.
        Assert.Equal("api", RouteExplainer.Explain(b, "https://app.example.com/api/orders").Router!.Target);
        Assert.Equal("admin", RouteExplainer.Explain(b, "https://app.example.com/api/admin/x").Router!.Target);
        Assert.Null(CacheControl(RouteExplainer.Explain(b, "https://app.example.com/api/orders")));
    }

    [Fact]
    public void Below_a_stripped_prefix_the_app_sees_the_stripped_path_with_the_header()
    {
        var b = Build(NextStatic, "    - { path: /face/assets, cacheControl: \"public, max-age=86400\" }");
        var a = RouteExplainer.Explain(b, "https://app.example.com/face/assets/logo.png");
        Assert.Equal("api", a.Router!.Target);
        Assert.Equal("/assets/logo.png", a.ForwardedPath);
        Assert.Equal("public, max-age=86400", CacheControl(a));
        // The route's own rate limit still applies on the cache router (same chain, plus the header).
        Assert.Contains(a.Router.MiddlewareDetails.Values, d => d.ContainsKey("ratelimit.average"));
        Assert.Null(CacheControl(RouteExplainer.Explain(b, "https://app.example.com/face/other")));
    }

    [Fact]
    public void A_rule_on_exactly_a_routes_path_joins_that_routes_chain_without_a_router_of_its_own()
    {
        var b = Build(NextStatic, "    - { path: /v1/uploads, cacheControl: no-cache }");
        var a = RouteExplainer.Explain(b, "https://api.example.com/v1/uploads/x");
        Assert.Equal("no-cache", CacheControl(a));
        Assert.DoesNotContain("-cache", a.Router!.Router, StringComparison.Ordinal);
        Assert.DoesNotContain(RouteExplainer.Routers(b), r => r.Rule.Contains("/v1/uploads", StringComparison.Ordinal) && r.Router.Contains("-cache0", StringComparison.Ordinal));
    }

    [Fact]
    public void The_plan_shows_the_header_on_its_route()
    {
        var plan = PlanText.Render(Build(NextStatic));
        Assert.Contains("PathPrefix(`/_next/static/`)) -> web", plan, StringComparison.Ordinal);
        Assert.Contains($"      sets Cache-Control: {CacheRules.Immutable} (replacing the app's)", plan, StringComparison.Ordinal);
        Assert.Single(plan.Split('\n'), l => l.Contains("sets Cache-Control", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_on_a_path_another_app_serves_is_refused_naming_it()
    {
        var e = Assert.Single(Errors("    - { path: /api/static, cacheControl: \"public, max-age=60\" }"));
        Assert.Equal("platform:apps[4].cache[0].path", e.Key);
        Assert.Contains("'api'", e.Problem, StringComparison.Ordinal);
        Assert.Contains("platform:apps[2]", e.Problem, StringComparison.Ordinal);
        Assert.Contains("routes", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_on_a_path_no_route_of_the_app_serves_is_refused()
    {
        // admin serves app.example.com/api/admin only.
        var apps = EdgeStack.Apps.Replace("  healthPath: /api/admin/healthz\n", "  healthPath: /api/admin/healthz\n  cache: [{ path: /static, cacheControl: \"public, max-age=60\" }]\n", StringComparison.Ordinal);
        var e = Assert.Single(TestStacks.Errors(EdgeStack.Yaml(apps)));
        Assert.Equal("platform:apps[3].cache[0].path", e.Key);
        Assert.Contains("web", e.Problem, StringComparison.Ordinal);
        Assert.Contains("/api/admin/assets", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ path: /assets, cacheControl: \"public, max-age=1y\" }", "cacheControl", "seconds")]
    [InlineData("{ path: /assets, cacheControl: \"public, forever\" }", "cacheControl", "no Cache-Control response directive")]
    [InlineData("{ path: /assets, cacheControl: \"public, private\" }", "cacheControl", "both public and private")]
    [InlineData("{ path: /assets, cacheControl: \"no-store, max-age=60\" }", "cacheControl", "no-store")]
    [InlineData("{ path: /assets, cacheControl: \"immutable=1\" }", "cacheControl", "takes no value")]
    [InlineData("{ path: /assets }", "cacheControl", "required")]
    [InlineData("{ cacheControl: no-cache }", "path", "required")]
    [InlineData("{ path: /, cacheControl: no-cache }", "path", "HTML included")]
    [InlineData("{ path: /a%20b, cacheControl: no-cache }", "path", "%")]
    [InlineData("{ path: assets, cacheControl: no-cache }", "path", "not a path prefix")]
    [InlineData("{ path: /assets, cacheControl: no-cache, ttl: 5 }", "ttl", "not a known setting")]
    public void A_bad_rule_is_one_error_at_its_key_with_the_fix(string rule, string field, string problem)
    {
        var errors = Errors("    - " + rule);
        var e = Assert.Single(errors, x => x.Key.StartsWith("platform:apps[4].cache[0]", StringComparison.Ordinal));
        Assert.Equal($"platform:apps[4].cache[0].{field}", e.Key);
        Assert.Contains(problem, e.Problem + " " + e.Fix, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
    }

    [Fact]
    public void Two_rules_on_one_path_are_refused()
    {
        var e = Assert.Single(Errors(NextStatic + "\n    - { path: /_next/static, cacheControl: no-cache }"));
        Assert.Equal("platform:apps[4].cache[1].path", e.Key);
    }

    [Theory]
    [InlineData("public, max-age=31536000, immutable")]
    [InlineData("no-cache")]
    [InlineData("private, max-age=0, must-revalidate")]
    [InlineData("public, s-maxage=600, stale-while-revalidate=60")]
    public void Common_values_are_accepted(string value) => Assert.Null(CacheRules.Problem(value));
}
