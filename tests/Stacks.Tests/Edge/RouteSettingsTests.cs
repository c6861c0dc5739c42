using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>Every route setting's validation: one error, at the key the user wrote, with a fix.</summary>
public sealed class RouteSettingsTests
{
    private const string FaceRoute = "- { host: app, path: /face, stripPrefix: true }";

    private static IReadOnlyList<SettingsError> WithRoute(string route, string? extra = null) =>
        TestStacks.Errors(EdgeStack.Yaml(EdgeStack.Apps.Replace(FaceRoute, route, StringComparison.Ordinal), extra));

    private static SettingsError One(IReadOnlyList<SettingsError> errors, string key)
    {
        Assert.True(errors.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors)}");
        Assert.Equal(key, errors[0].Key);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }

    [Fact]
    public void The_edge_stack_is_valid() => Assert.Empty(TestStacks.Errors(EdgeStack.Yaml()));

    [Theory]
    [InlineData("- { host: face, stripPrefix: true }", "stripPrefix", "without a path")]
    [InlineData("- { host: app, path: /face, stripPrefix: maybe }", "stripPrefix", "true or false")]
    [InlineData("- { host: app, path: /face, maxBodyMb: 0 }", "maxBodyMb", "out of range")]
    [InlineData("- { host: app, path: /face, rateLimit: { average: 10, burst: 5 } }", "rateLimit.burst", "below average")]
    [InlineData("- { host: app, path: /face, allowCidrs: [] }", "allowCidrs", "nobody")]
    [InlineData("- { host: app, path: /face, allowCidrs: [10.0.0.1/8] }", "allowCidrs[0]", "host bits")]
    [InlineData("- { host: app, path: /face, allowCidrs: [office] }", "allowCidrs[0]", "not a CIDR")]
    [InlineData("- { host: app, path: /face, basicAuth: MISSING_USERS }", "basicAuth", "no value")]
    [InlineData("- { host: app, path: /face, basicAuth: admin-users }", "basicAuth", "not a secret name")]
    [InlineData("- { host: app, path: /face, redirect: elsewhere }", "redirect", "elsewhere")]
    [InlineData("- { host: face, redirect: apex }", "redirect", "not a www host")]
    [InlineData("- { host: www, path: /face, redirect: apex }", "redirect", "with a path")]
    [InlineData("- { host: app, path: /face, compress: yes }", "compress", "true or false")]
    [InlineData("- { host: app, path: /face, headers: { preset: strict } }", "headers.preset", "strict")]
    [InlineData("- { host: app, path: /face, headers: { cors: { origins: [https://a.example.com/path] } } }", "headers.cors.origins[0]", "not an origin")]
    [InlineData("- { host: app, path: /face, headers: { cors: { origins: [] } } }", "headers.cors.origins", "at least one")]
    [InlineData("- { host: app, path: /face, headers: { cors: { origins: [\"*\"], credentials: true } } }", "headers.cors.credentials", "wildcard origin")]
    [InlineData("- { host: app, path: /face, headers: { cors: { origins: [https://a.example.com], methods: [FETCH] } } }", "headers.cors.methods[0]", "FETCH")]
    [InlineData("- { host: app, path: /face, headers: { contentSecurityPolicy: \"a, b\" } }", "headers.contentSecurityPolicy", "comma")]
    [InlineData("- { host: app, path: /face, headres: {} }", "headres", "headers")]
    [InlineData("- { host: app, domain: shop.other.org }", "domain", "together with host")]
    [InlineData("- { domain: \"not a domain\" }", "domain", "not a domain name")]
    [InlineData("- { domain: shop.example.com }", "domain", "inside the stack's zone")]
    public void A_bad_route_setting_is_one_error_at_its_key(string route, string field, string problem)
    {
        var e = One(WithRoute(route), $"platform:apps[2].routes[3].{field}");
        Assert.Contains(problem, e.Problem + " " + e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_routes_matching_the_same_requests_are_an_error_naming_both()
    {
        // Across apps: web (apps[4]) serves app.example.com without a path, as the api route now would.
        var e = One(WithRoute("- { host: app }"), "platform:apps[4].routes[0].host");
        Assert.Contains("platform:apps[2].routes[3]", e.Problem, StringComparison.Ordinal);
        Assert.Contains("platform:apps[4].routes[0]", e.Fix, StringComparison.Ordinal);
        // Within one app, on the wildcard too.
        var w = One(WithRoute("- { host: \"*\", path: /socket.io }"), "platform:apps[2].routes[3].host");
        Assert.Contains("platform:apps[1].routes[1]", w.Problem, StringComparison.Ordinal);
        // And on a custom domain.
        var d = One(WithRoute("- { domain: shop.customer.com }"), "platform:apps[2].routes[3].domain");
        Assert.Contains("platform:apps[1].routes[2]", d.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_custom_domain_behind_a_cloudflare_only_firewall_is_an_error_with_the_fix()
    {
        var errors = TestStacks.Errors(EdgeStack.Yaml(extra: EdgeStack.Extra.Replace("platform:cloudflareOnlyIngress: false", "platform:cloudflareOnlyIngress: true")));
        var e = One(errors, "platform:apps[1].routes[2].domain");
        Assert.Contains("HTTP-01", e.Problem, StringComparison.Ordinal);
        Assert.Contains("cloudflareOnlyIngress: false", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redirect_to_a_host_no_route_serves_is_an_error()
    {
        var apps = EdgeStack.Apps.Replace("- { host: \"@\", compress: true }", "- { host: landing }");
        var e = One(TestStacks.Errors(EdgeStack.Yaml(apps)), "platform:apps[0].routes[1].redirect");
        Assert.Contains("example.com", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_basic_auth_secret_needs_no_secret_env_entry_but_an_unused_secret_is_still_reported()
    {
        Assert.Empty(TestStacks.Errors(EdgeStack.Yaml()));
        var extra = EdgeStack.Extra + "\n    UNUSED:\n      secure: v1:abc";
        var e = One(TestStacks.Errors(EdgeStack.Yaml(extra: extra)), "platform:appSecrets.admin.UNUSED");
        Assert.Contains("basicAuth", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("platform:minioConsoleHost: minio-admin", "platform:minioConsoleAllowCidrs", "empty")]
    [InlineData("platform:minioConsoleHost: files\nplatform:minioConsoleAllowCidrs: [198.51.100.0/28]", "platform:minioConsoleHost", "platform host")]
    [InlineData("platform:minioConsoleHost: \"a.b\"\nplatform:minioConsoleAllowCidrs: [198.51.100.0/28]", "platform:minioConsoleHost", "not a subdomain label")]
    [InlineData("platform:minioConsoleAllowCidrs: [198.51.100.0/28]", "platform:minioConsoleAllowCidrs", "minioConsoleHost is not")]
    [InlineData("platform:minioConsoleHost: minio-admin\nplatform:minioConsoleAllowCidrs: [0.0.0.0/0]", "platform:minioConsoleAllowCidrs[0]", "whole internet")]
    public void The_minio_console_settings_are_checked(string extra, string key, string problem)
    {
        var e = One(TestStacks.Errors(TestStacks.Yaml(extra: extra)), key);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_in_one_route_is_reported_at_once()
    {
        var errors = WithRoute("- { host: face, stripPrefix: true, maxBodyMb: 0, redirect: nowhere, allowCidrs: [] }");
        Assert.Equal(
            ["platform:apps[2].routes[3].allowCidrs", "platform:apps[2].routes[3].maxBodyMb", "platform:apps[2].routes[3].redirect", "platform:apps[2].routes[3].stripPrefix"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }
}
