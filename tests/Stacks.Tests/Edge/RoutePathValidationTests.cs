using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// Route paths Traefik v3.3.6 would route wrongly are refused, with the key and the fix; the explainer shows what
/// Traefik would have done with them.
/// </summary>
public sealed class RoutePathValidationTests
{
    private const string FaceRoute = "- { host: app, path: /face, stripPrefix: true }";

    private static IReadOnlyList<SettingsError> WithRoute(string route) =>
        TestStacks.Errors(EdgeStack.Yaml(EdgeStack.Apps.Replace(FaceRoute, route, StringComparison.Ordinal)));

    [Theory]
    [InlineData("- { host: app, path: /a%20b }", "path", "'%'", "without percent-escapes")]
    [InlineData("- { host: app, path: \"/face/%2e%2e\" }", "path", "'%'", "without percent-escapes")]
    [InlineData("- { host: app, path: /face/../admin }", "path", "'..' segment", "'/admin'")]
    [InlineData("- { host: app, path: /face/./img }", "path", "'.' or '..'", "'/face/img'")]
    [InlineData("- { host: app, path: /face//img }", "path", "cleans every request path", "'/face/img'")]
    [InlineData("- { host: app, path: \"/a,d\", stripPrefix: true }", "stripPrefix", "splits the stripprefix.prefixes label on commas", "Remove the ','")]
    public void A_path_traefik_would_route_wrongly_is_one_error_with_its_fix(string route, string field, string problem, string fix)
    {
        var errors = WithRoute(route);
        var e = Assert.Single(errors);
        Assert.Equal($"platform:apps[2].routes[3].{field}", e.Key);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Contains(fix, e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comma_in_a_path_without_stripPrefix_is_fine() =>
        // The rule holds the path in backticks; only the list-valued stripprefix label is split.
        Assert.Empty(WithRoute("- { host: app, path: \"/a,d\" }"));

    [Fact]
    public void Why_percent_in_a_rule_fails_path_matches_the_decoded_request_path()
    {
        // pkg/muxer/http/matcher.go path(): req.URL.Path == path, and Go decodes the request path:
        // /a%20b/x arrives as "/a b/x", /a%2520b/x as "/a%20b/x".
        const string rule = "Host(`app.example.com`) && (Path(`/a%20b`) || PathPrefix(`/a%20b/`))";
        static string Decoded(string raw) => GoUrl.SetPath(raw).Path;
        Assert.False(RouteExplainer.Rules.Matches(rule, "app.example.com", Decoded("/a%20b/x")));
        Assert.True(RouteExplainer.Rules.Matches(rule, "app.example.com", Decoded("/a%2520b/x")));
    }

    [Fact]
    public void Why_dot_segments_fail_the_request_path_is_cleaned_before_matching()
    {
        // server_entrypoint_tcp_test.go TestSanitizePath "/a/../b" -> "/b": no cleaned path still holds "/face/../admin".
        const string rule = "Host(`app.example.com`) && (Path(`/face/../admin`) || PathPrefix(`/face/../admin/`))";
        var (path, raw) = GoUrl.SetPath("/face/../admin");
        Assert.False(RouteExplainer.Rules.Matches(rule, "app.example.com", GoUrl.Sanitize(path, raw).Path));
    }

    [Fact]
    public void Why_a_comma_fails_with_stripPrefix_the_app_would_receive_part_of_the_prefix()
    {
        // traefik/paerser parser/element_fill.go setSlice: strings.Split(value, ",") -> prefixes ["/a", "d"];
        // strip_prefix.go cuts the first that matches ("/a") from "/a,d/x": the app would get "/,d/x".
        var b = EdgeStack.Blueprint();
        var api = b.Services.First(s => s.App == "api");
        var labels = api.Labels.ToDictionary(StringComparer.Ordinal);
        var strip = labels.Keys.Single(k => k.EndsWith(".stripprefix.prefixes", StringComparison.Ordinal));
        labels[strip] = "/a,d";
        var rule = labels.Single(l => l.Value.Contains("/face", StringComparison.Ordinal) && l.Key.EndsWith(".rule", StringComparison.Ordinal));
        labels[rule.Key] = rule.Value.Replace("/face", "/a,d", StringComparison.Ordinal);
        var broken = b with { Services = [.. b.Services.Select(s => s.App == "api" ? s with { Labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, labels) } : s)] };
        Assert.Equal("/,d/x", RouteExplainer.Explain(broken, "https://app.example.com/a,d/x").ForwardedPath);
    }
}
