using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>Which router takes a request, modelled on the rendered rules and priorities, for every pair of route kinds.</summary>
public sealed class RouteOrderTests
{
    private static readonly PlatformBlueprint B = EdgeStack.Blueprint();

    [Theory]
    // apex vs wildcard: the wildcard's regex needs a label, the apex has none
    [InlineData("https://example.com/", "landing", "app-landing_r0", "/")]
    // www vs wildcard: www is exact, so it wins (and redirects)
    [InlineData("https://www.example.com/pricing", "landing", "app-landing_r1", null)]
    // exact host vs wildcard
    [InlineData("https://api.example.com/v1/users", "api", "app-api_r0", "/v1/users")]
    // path vs host on one exact host: the longer prefix wins
    [InlineData("https://api.example.com/v1/uploads/big.mp4", "api", "app-api_r1", "/v1/uploads/big.mp4")]
    // wildcard alone
    [InlineData("https://acme.example.com/dashboard", "tenants", "app-tenants_r0", "/dashboard")]
    // path on the wildcard vs the wildcard
    [InlineData("https://acme.example.com/socket.io/?EIO=4", "tenants", "app-tenants_r1", "/socket.io/")]
    // exact host vs path on the same host
    [InlineData("https://app.example.com/settings", "web", "app-web_r0", "/settings")]
    // path vs exact host
    [InlineData("https://app.example.com/api/orders", "api", "app-api_r2", "/api/orders")]
    // nested path vs path
    [InlineData("https://app.example.com/api/admin/users", "admin", "app-admin_r0", "/api/admin/users")]
    // a prefix matches whole segments only: /apix is not under /api
    [InlineData("https://app.example.com/apix", "web", "app-web_r0", "/apix")]
    // a stripped prefix: the app sees the rest
    [InlineData("https://app.example.com/face/img/1.png", "api", "app-api_r3", "/img/1.png")]
    [InlineData("https://app.example.com/face", "api", "app-api_r3", "/")]
    // custom domain vs wildcard: outside the zone, the wildcard's regex does not match it
    [InlineData("https://shop.customer.com/cart", "tenants", "app-tenants_r2", "/cart")]
    // the platform's exact hosts vs the wildcard
    [InlineData("https://status.example.com/", "http://uptime-kuma:3001", "status", "/")]
    [InlineData("https://files.example.com/uploads/a", "minio", "minio", "/uploads/a")]
    [InlineData("https://minio-admin.example.com/", "minio", "minio-console", "/")]
    public void The_request_goes_to_the_expected_router(string url, string app, string router, string? seenPath)
    {
        var answer = RouteExplainer.Explain(B, url);
        Assert.Null(answer.Problem);
        Assert.NotNull(answer.Router);
        Assert.Equal(app, answer.Router.Target);
        Assert.Matches($"^{router}(-[0-9a-f]{{{Routing.ConfigHashLength}}})?$", answer.Router.Router);
        Assert.Equal(seenPath, answer.ForwardedPath);
    }

    [Theory]
    [InlineData("https://deep.acme.example.com/")]
    [InlineData("https://other.org/")]
    [InlineData("https://customer.com/")]
    public void Nothing_matches_hosts_no_route_serves(string url)
    {
        var answer = RouteExplainer.Explain(B, url);
        Assert.Null(answer.Problem);
        Assert.Null(answer.Router);
        Assert.Contains("no router matches", RouteExplainer.Render(answer), StringComparison.Ordinal);
    }

    [Fact]
    public void The_www_host_redirects_to_the_apex_keeping_the_path()
    {
        var answer = RouteExplainer.Explain(B, "https://www.example.com/pricing?plan=pro");
        Assert.Equal("https://example.com/pricing?plan=pro", answer.RedirectTo);
    }

    [Fact]
    public void An_exact_host_beats_the_wildcard_that_also_matches_it()
    {
        var answer = RouteExplainer.Explain(B, "https://api.example.com/");
        Assert.Equal("api", answer.Router!.Target);
        Assert.Contains(answer.Shadowed, r => r.Target == "tenants");
    }

    [Fact]
    public void Without_explicit_priorities_traefik_would_send_exact_hosts_to_the_wildcard()
    {
        // Traefik's default priority is the rule's length; the wildcard's HostRegexp is the longest rule.
        var unprioritised = B with
        {
            Services = [.. B.Services.Select(s => s with { Labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, s.Labels.Where(l => !l.Key.EndsWith(".priority", StringComparison.Ordinal))) })],
            FileRoutes = [.. B.FileRoutes.Select(f => f with { Priority = f.Rule.Length })],
        };
        Assert.Equal("tenants", RouteExplainer.Explain(unprioritised, "https://api.example.com/v1/users").Router!.Target);
        Assert.Equal("api", RouteExplainer.Explain(B, "https://api.example.com/v1/users").Router!.Target);
    }

    [Fact]
    public void Priorities_rank_exact_hosts_above_wildcards_and_longer_paths_above_shorter()
    {
        Assert.True(Routing.Priority(HostKind.Exact, null) > Routing.Priority(HostKind.Wildcard, "/" + new string('a', Platform.Stacks.Parts.Edge.RouteSettingsReader.MaxPathLength - 1)));
        Assert.True(Routing.Priority(HostKind.Exact, "/api/admin") > Routing.Priority(HostKind.Exact, "/api"));
        Assert.True(Routing.Priority(HostKind.Wildcard, "/socket.io") > Routing.Priority(HostKind.Wildcard, null));
        var routers = RouteExplainer.Routers(B);
        Assert.Equal(routers.Select(r => r.Router).Distinct().Count(), routers.Length);
        Assert.Equal(routers.OrderByDescending(r => r.Priority).Select(r => r.Priority), routers.Select(r => r.Priority));
    }

    [Fact]
    public void The_explanation_names_router_app_and_middlewares_in_order()
    {
        var text = RouteExplainer.Render(RouteExplainer.Explain(B, "https://app.example.com/api/admin/users"));
        Assert.Contains("goes to admin", text, StringComparison.Ordinal);
        var order = new[] { "secure-headers@docker", "app-admin_r0-allowlist", "app-admin_r0-auth", "app-admin_r0-ratelimit" }
            .Select(m => text.IndexOf(m, StringComparison.Ordinal)).ToList();
        // The admin app has no rate limit: only the first three are there, in this order.
        Assert.Equal(-1, order[3]);
        Assert.True(order[0] >= 0 && order[0] < order[1] && order[1] < order[2]);
        Assert.Contains("ipallowlist.sourcerange=203.0.113.0/24", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/")]
    public void A_bad_url_is_an_answer_not_a_crash(string url)
    {
        var answer = RouteExplainer.Explain(B, url);
        Assert.NotNull(answer.Problem);
        Assert.Null(answer.Router);
    }

    [Theory]
    [InlineData("Host(`a.example.com`) && (Path(`/p`) || PathPrefix(`/p/`))", "a.example.com", "/p", true)]
    [InlineData("Host(`a.example.com`) && (Path(`/p`) || PathPrefix(`/p/`))", "a.example.com", "/px", false)]
    [InlineData("Host(`a.example.com`)", "A.EXAMPLE.COM", "/", true)]
    [InlineData("HostRegexp(`^[a-z0-9-]+\\.example\\.com$`)", "x.example.com", "/", true)]
    [InlineData("HostRegexp(`^[a-z0-9-]+\\.example\\.com$`)", "example.com", "/", false)]
    [InlineData("!Host(`a.example.com`)", "b.example.com", "/", true)]
    public void The_rule_model_follows_traefiks_matchers(string rule, string host, string path, bool expected) =>
        Assert.Equal(expected, RouteExplainer.Rules.Matches(rule, host, path));

    [Theory]
    [InlineData("Host(`a`")]
    [InlineData("Query(`a`, `b`)")]
    [InlineData("Host(a)")]
    public void An_unreadable_rule_is_reported(string rule) =>
        Assert.Throws<FormatException>(() => RouteExplainer.Rules.Matches(rule, "a", "/"));
}
