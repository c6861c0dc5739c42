using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// The route explainer follows Traefik v3.3.6's request handling, not only its matchers. Each case names the Traefik file
/// and test (or, where Traefik's tables have no row for it, the line of code) it is taken from.
/// </summary>
public sealed class TraefikRequestTests
{
    private static readonly PlatformBlueprint B = EdgeStack.Blueprint();

    // pkg/server/server_entrypoint_tcp_test.go, TestSanitizePath: every row of its table (sanitizePath = URL.JoinPath()).
    [Theory]
    [InlineData("/b", "/b")]
    [InlineData("/b/", "/b/")]
    [InlineData("/../../b/", "/b/")]
    [InlineData("/../../b", "/b")]
    [InlineData("/a/b/..", "/a")]
    [InlineData("/a/b/../", "/a/")]
    [InlineData("/a/../../b", "/b")]
    [InlineData("/..///b///", "/b/")]
    [InlineData("/a/../b", "/b")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a//b", "/a/b")]
    [InlineData("/a/../c/../b", "/b")]
    [InlineData("/a/../../../c/../b", "/b")]
    [InlineData("/a/../c/../../b", "/b")]
    [InlineData("/a/..//c/.././b", "/b")]
    public void The_path_is_cleaned_as_traefiks_TestSanitizePath(string path, string expected)
    {
        var (p, raw) = GoUrl.SetPath(path);
        Assert.Equal(expected, GoUrl.Sanitize(p, raw).Path);
    }

    [Fact]
    public void A_double_slash_is_routed_as_the_cleaned_path()
    {
        // TestSanitizePath "/a//b" -> "/a/b": `//api/orders` reaches the /api route, not app's catch-all.
        var answer = RouteExplainer.Explain(B, "https://app.example.com//api/orders");
        Assert.Equal("api", answer.Router!.Target);
        Assert.Equal("/api/orders", answer.Path);
        Assert.Equal("/api/orders", answer.ForwardedPath);
        // TestSanitizePath "/a/../b" -> "/b": a dot-dot climbs out of /api/admin before routing.
        Assert.Equal("api", RouteExplainer.Explain(B, "https://app.example.com/api/admin/../orders").Router!.Target);
        Assert.Equal("admin", RouteExplainer.Explain(B, "https://app.example.com/api/./admin/users").Router!.Target);
    }

    [Fact]
    public void The_matchers_compare_the_decoded_path_and_the_app_receives_the_encoded_one()
    {
        // pkg/muxer/http/matcher.go, path and pathPrefix compare req.URL.Path (Go's decoded path): /api%2Forders is /api/orders.
        var answer = RouteExplainer.Explain(B, "https://app.example.com/api%2Forders");
        Assert.Equal("api", answer.Router!.Target);
        Assert.Equal("/api/orders", answer.Path);
        // The backend gets the request URI, which keeps the encoding Go recorded in RawPath.
        Assert.Equal("/api%2Forders", answer.ForwardedPath);
        // pkg/middlewares/stripprefix/strip_prefix_test.go, "raw path is also stripped": /stat/a%2Fb -> /a%2Fb.
        var stripped = RouteExplainer.Explain(B, "https://app.example.com/face/a%2Fb");
        Assert.Equal("api", stripped.Router!.Target);
        Assert.Equal("/a%2Fb", stripped.ForwardedPath);
        // Encoded dots are not cleaned (JoinPath works on the escaped path) but match decoded: /api/%2e%2e/admin is under /api/.
        var dots = RouteExplainer.Explain(B, "https://app.example.com/api/%2e%2e/admin/users");
        Assert.Equal("api", dots.Router!.Target);
        Assert.Equal("/api/%2e%2e/admin/users", dots.ForwardedPath);
    }

    [Theory]
    // pkg/middlewares/stripprefix/strip_prefix_test.go
    [InlineData("https://app.example.com/face", "/")]          // "prefix and path matching": path "" -> request URI "/"
    [InlineData("https://app.example.com/face/", "/")]         // "general prefix on matching path": /stat/ -> /
    [InlineData("https://app.example.com/face/us?x=1", "/us")] // "path prefix on matching longer path"
    public void A_stripped_prefix_leaves_the_app_what_traefiks_stripprefix_tests_expect(string url, string seen) =>
        Assert.Equal(seen, RouteExplainer.Explain(B, url).ForwardedPath);

    [Fact]
    public void A_malformed_escape_is_refused_by_gos_http_server_before_routing()
    {
        // net/http parses the request target with url.ParseRequestURI, which fails on "%zz": 400, no router sees it.
        var answer = RouteExplainer.Explain(B, "https://app.example.com/a%zz");
        Assert.Equal(400, answer.Status);
        Assert.Null(answer.Router);
    }

    // pkg/muxer/http/matcher_test.go, TestHostMatcher.
    [Theory]
    [InlineData("Host(`example.com`)", "example.com", true)]         // "valid Host matcher"
    [InlineData("Host(`example.com`)", "EXAMPLE.COM", true)]         // "valid Host matcher" (https://EXAMPLE.COM/path)
    [InlineData("Host(`example.com`)", "example.org", false)]        // "valid Host matcher"
    [InlineData("Host(`example.com.`)", "example.com", true)]        // "valid Host matcher - matcher ending with a dot"
    [InlineData("Host(`example.com.`)", "example.com.", true)]       // "valid Host matcher - matcher ending with a dot"
    [InlineData("Host(`example.com.`)", "example.org.", false)]      // "valid Host matcher - matcher ending with a dot"
    [InlineData("Host(`example.com`)", "example.com.", true)]        // "valid Host matcher - URL ending with a dot"
    [InlineData("Host(`example.com`)", "example.org.", false)]       // "valid Host matcher - URL ending with a dot"
    [InlineData("Host(`EXAMPLE.COM`)", "example.com", true)]         // "valid Host matcher - matcher with UPPER case"
    [InlineData("Host(`xn--9t9h.com`)", "xn--9t9h.com", true)]       // "valid Host matcher - puny-coded emoji"
    [InlineData("Host(`xn--9t9h.com`)", "example.com", false)]       // "valid Host matcher - puny-coded emoji"
    // TestHostRegexpMatcher, "valid HostRegexp matcher" and "... with case sensitive regexp"
    [InlineData("HostRegexp(`^[a-zA-Z-]+\\.com$`)", "example.com", true)]
    [InlineData("HostRegexp(`^[a-zA-Z-]+\\.com$`)", "example.org", false)]
    [InlineData("HostRegexp(`^[A-Z]+\\.com$`)", "example.com", false)]
    public void Host_matching_follows_traefiks_TestHostMatcher(string rule, string host, bool expected) =>
        // The request's host is canonicalised first (request_decorator.go: types.CanonicalDomain lower-cases it).
        Assert.Equal(expected, RouteExplainer.Rules.Matches(rule, host.ToLowerInvariant(), "/"));

    [Fact]
    public void A_non_ascii_host_rule_is_refused_as_traefik_refuses_it() =>
        // TestHostMatcher "invalid Host matcher (non-ASCII)": Host(`🦭.com`) is an error.
        Assert.Throws<FormatException>(() => RouteExplainer.Rules.Matches("Host(`🦭.com`)", "xn--9t9h.com", "/"));

    // pkg/muxer/http/matcher_test.go, TestPathMatcher "valid Path matcher" and TestPathPrefixMatcher "valid PathPrefix matcher".
    [Theory]
    [InlineData("Path(`/css`)", "/css", true)]
    [InlineData("Path(`/css`)", "/css/", false)]
    [InlineData("Path(`/css`)", "/css/main.css", false)]
    [InlineData("Path(`/css`)", "/html", false)]
    [InlineData("PathPrefix(`/css`)", "/css", true)]
    [InlineData("PathPrefix(`/css`)", "/css/", true)]
    [InlineData("PathPrefix(`/css`)", "/css/main.css", true)]
    [InlineData("PathPrefix(`/css`)", "/html", false)]
    public void Path_matching_follows_traefiks_path_tables(string rule, string path, bool expected) =>
        Assert.Equal(expected, RouteExplainer.Rules.Matches(rule, "example.com", path));

    [Fact]
    public void A_trailing_dot_host_reaches_exact_hosts_but_not_the_wildcards_regex()
    {
        // TestHostMatcher "valid Host matcher - URL ending with a dot".
        var exact = RouteExplainer.Explain(B, "https://api.example.com./v1/users");
        Assert.Equal("api", exact.Router!.Target);
        Assert.Equal("api.example.com.", exact.Host);
        // matcher.go hostRegexp matches the canonical host, trailing dot included: ^[a-z0-9-]+\.example\.com$ does not.
        var wildcard = RouteExplainer.Explain(B, "https://acme.example.com./dashboard");
        Assert.Null(wildcard.Router);
        Assert.Equal(404, wildcard.Status);
    }

    [Fact]
    public void An_internationalised_host_is_routed_as_the_punycode_clients_send()
    {
        // Browsers send the ASCII form (what TestHostMatcher's "puny-coded emoji" rule expects); Traefik refuses non-ASCII rules.
        Assert.Equal("xn--9t9h.com", TraefikRequest.Punycode("🦭.com"));
        Assert.Equal("xn--mller-kva.example.", TraefikRequest.Punycode("MÜLLER.example."));
        var yaml = EdgeStack.Yaml(EdgeStack.Apps.Replace("domain: shop.customer.com", "domain: shop.xn--mller-kva.de", StringComparison.Ordinal));
        var b = Support.TestStacks.Build(yaml);
        var answer = RouteExplainer.Explain(b, "https://shop.müller.de/cart");
        Assert.Equal("shop.xn--mller-kva.de", answer.Host);
        Assert.Equal("tenants", answer.Router!.Target);
    }

    [Fact]
    public void Plain_http_meets_the_entry_points_redirect_with_traefiks_status_per_method()
    {
        // pkg/provider/traefik/internal.go redirection(): router web-to-websecure, HostRegexp(`^.+$`), priority from
        // pkg/config/static/entrypoints.go (default MaxInt-1), middleware redirectScheme (fixture redirection.json).
        var get = RouteExplainer.Explain(B, "http://app.example.com//a/../settings?tab=1");
        Assert.Equal("web-to-websecure@internal", get.Router!.Router);
        Assert.Equal(RouteExplainer.MaxInt - 1, get.Router.Priority);
        // The path is cleaned before the redirect is built (sanitizePath wraps the router), the query kept.
        Assert.Equal("https://app.example.com/settings?tab=1", get.RedirectTo);
        // redirect_scheme_test.go "HTTP to HTTPS permanent": 301 for GET.
        Assert.Equal(301, get.Status);
        // redirect_regex_test.go "HTTP to HTTP POST permanent": 308; redirect.go moveHandler gives 308 to every method
        // but GET, so HEAD gets 308 too.
        Assert.Equal(308, RouteExplainer.Explain(B, "http://app.example.com/", "POST").Status);
        Assert.Equal(308, RouteExplainer.Explain(B, "http://app.example.com/", "HEAD").Status);
        Assert.Null(get.ForwardedPath);
    }

    [Fact]
    public void An_acme_challenge_on_http_is_answered_by_traefik_above_the_redirect()
    {
        // internal.go acme(): PathPrefix(`/.well-known/acme-challenge/`) at MaxInt on the HTTP-01 entry point; the muxer
        // sorts by priority (pkg/muxer/http/mux_test.go Test_addRoutePriority "Higher priority on second rule").
        var answer = RouteExplainer.Explain(B, "http://shop.customer.com/.well-known/acme-challenge/token123");
        Assert.Equal(RouteExplainer.AcmeHttpRouter, answer.Router!.Router);
        Assert.Equal(RouteExplainer.MaxInt, answer.Router.Priority);
        Assert.Contains(answer.Shadowed, r => r.Router == "web-to-websecure@internal");
        Assert.Null(answer.RedirectTo);
        Assert.Contains("ACME HTTP-01 challenge", RouteExplainer.Render(answer), StringComparison.Ordinal);
        // A route-level permanent redirect (www -> apex) answers 301 / 308 the same way.
        Assert.Equal(308, RouteExplainer.Explain(B, "https://www.example.com/pricing", "PUT").Status);
        Assert.Equal(301, RouteExplainer.Explain(B, "https://www.example.com/pricing").Status);
    }
}
