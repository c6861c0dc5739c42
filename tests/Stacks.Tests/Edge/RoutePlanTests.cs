using System.Text.Json;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary><c>plan --route</c>: http and https URLs, trailing-dot and internationalised hosts, and JSON for CI.</summary>
public sealed class RoutePlanTests
{
    private static PlanOutcome Plan(string format, params string[] urls) =>
        PlanCommand.Evaluate(StackFiles.FromTexts(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml")), "edge", EdgeStack.Yaml()), format, urls);

    [Fact]
    public void Plan_route_answers_http_and_https_urls_trailing_dots_and_idn_hosts()
    {
        var outcome = Plan("text", "http://app.example.com/settings", "https://api.example.com./v1/users", "https://ÀPI.example.com/v1/users",
            "http://shop.customer.com/.well-known/acme-challenge/abc");
        Assert.Equal(PlanCommand.ExitOk, outcome.ExitCode);
        Assert.Equal("", outcome.Stderr);
        Assert.Contains("answered by Traefik: 301 redirect to https://app.example.com/settings", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("https://api.example.com./v1/users (host api.example.com., path /v1/users)", outcome.Stdout, StringComparison.Ordinal);
        // À is not a: its punycode is another label, which the tenants' wildcard takes, not api.
        Assert.Contains("(host xn--pi-iia.example.com, path /v1/users)\n  router app-tenants_r0-", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("router acme-http@internal on web", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_route_with_format_json_prints_json()
    {
        var outcome = Plan("json", "https://app.example.com/face/a%2Fb", "http://app.example.com/x", "ftp://example.com/");
        Assert.Equal(PlanCommand.ExitInvalidStack, outcome.ExitCode);
        using var doc = JsonDocument.Parse(outcome.Stdout);
        var routes = doc.RootElement.GetProperty("routes");
        Assert.Equal(3, routes.GetArrayLength());
        Assert.Equal("api", routes[0].GetProperty("router").GetProperty("target").GetString());
        Assert.Equal("/a%2Fb", routes[0].GetProperty("forwardedPath").GetString());
        Assert.Equal(301, routes[1].GetProperty("status").GetInt32());
        Assert.Equal("https://app.example.com/x", routes[1].GetProperty("redirectTo").GetString());
        Assert.Contains("not an http(s) URL", routes[2].GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_route_on_a_split_stack_answers_for_each_app_servers_traefik()
    {
        var outcome = PlanCommand.Evaluate(StackFiles.Load(TestStacks.RepoRoot, "scale"), "text", ["http://example.invalid/x"]);
        Assert.Equal(PlanCommand.ExitOk, outcome.ExitCode);
        foreach (var server in new[] { "app-1", "app-2", "app-3" })
            Assert.Contains($"http://example.invalid/x on {server} (host example.invalid, path /x)", outcome.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, outcome.Stdout.Split("301 redirect to https://example.invalid/x").Length - 1);
    }
}
