using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// An app's public monitor requests its health path on a route's host. When no route of the app takes that path to the
/// app (its only route is /api/inngest; or another app's longer prefix takes it), the monitor would watch a 404 or
/// another app forever: the stack is refused at the app's healthPath with the route to add. Every monitor the shipped
/// stacks plan is checked against the route explainer, which reads the rendered Traefik rules.
/// </summary>
public sealed class HealthMonitorRouteTests
{
    private const string Inngest = """
        - name: jobs
          image: ghcr.io/example/jobs:1.0.0
          port: 3000
          routes: [{ host: app, path: /api/inngest }]
          healthPath: /api/health
          cpus: 0.5
          memoryMb: 256
        """;

    private static SettingsErrorView OnlyError(string apps)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(apps));
        Assert.True(errors.Count == 1, string.Join("\n", errors));
        return new(errors[0].Key, errors[0].Problem, errors[0].Fix);
    }

    private sealed record SettingsErrorView(string Key, string Problem, string Fix);

    [Fact]
    public void A_health_path_no_route_of_the_app_serves_is_refused_with_the_route_to_add()
    {
        var e = OnlyError(Inngest);
        Assert.Equal("platform:apps[0].healthPath", e.Key);
        Assert.Contains("https://app.example.com/api/health", e.Problem, StringComparison.Ordinal);
        Assert.Contains("no route (Traefik answers 404)", e.Problem, StringComparison.Ordinal);
        Assert.Contains("- { host: app, path: /api/health }", e.Fix, StringComparison.Ordinal);
        Assert.Contains("/api/inngest/health", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Following_the_fix_plans_a_monitor_that_reaches_the_app()
    {
        var apps = Inngest.Replace("routes: [{ host: app, path: /api/inngest }]", "routes: [{ host: app, path: /api/inngest }, { host: app, path: /api/health }]", StringComparison.Ordinal);
        var b = TestStacks.Build(TestStacks.Yaml(apps));
        var monitor = Assert.Single(b.Monitors, m => m.Kind == "http" && m.Target.StartsWith("https://app.", StringComparison.Ordinal));
        Assert.Equal("https://app.example.com/api/health", monitor.Target);
        Assert.Equal("jobs", RouteExplainer.Explain(b, monitor.Target).Router!.Target);
    }

    [Fact]
    public void A_health_path_another_apps_longer_prefix_takes_is_refused_naming_that_app()
    {
        // web serves the whole host, but /api/... belongs to api: web's monitor of /api/health would watch the API.
        var apps = TestStacks.DefaultApps.Replace("healthPath: /health\n", "healthPath: /api/health\n", StringComparison.Ordinal);
        var appOnly = apps.Replace("routes: [{ host: app }, { host: \"@\" }]", "routes: [{ host: app }]", StringComparison.Ordinal);
        Assert.NotEqual(apps, appOnly);
        var e = OnlyError(appOnly);
        Assert.Equal("platform:apps[1].healthPath", e.Key);
        Assert.Contains("https://app.example.com/api/health, which goes to the app 'api'", e.Problem, StringComparison.Ordinal);
        // With its apex route web serves /api/health on the apex: that route's monitor watches it, and nothing is refused.
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(apps)));
        Assert.Contains(TestStacks.Build(TestStacks.Yaml(apps)).Monitors, m => m.Target == "https://example.com/api/health");
    }

    [Fact]
    public void Stripping_and_wildcard_routes_keep_their_rules()
    {
        // Through a stripping route the health path is below the prefix; a wildcard-only app has no public monitor.
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(Inngest.Replace("path: /api/inngest }", "path: /api/inngest, stripPrefix: true }", StringComparison.Ordinal))));
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(Inngest.Replace("{ host: app, path: /api/inngest }", "{ host: \"*\", path: /api/inngest }", StringComparison.Ordinal))));
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Every_app_monitor_of_a_shipped_stack_reaches_its_app(string stack)
    {
        var settings = TestStacks.Shipped(stack);
        var b = BlueprintBuilder.Build(settings);
        var checkedUrls = 0;
        foreach (var app in settings.Apps)
        {
            foreach (var (_, host) in MonitoringBlueprint.MonitoredHostsOf(settings, app))
            {
                var url = $"https://{host.Host}{host.HealthPath}";
                Assert.Contains(b.Monitors, m => m.Target == url);
                var answer = RouteExplainer.Explain(b, url);
                Assert.True(answer.Router?.Target == app.Name, $"{stack}: the monitor of {url} reaches {answer.Router?.Target ?? "nothing"}, not {app.Name}");
                checkedUrls++;
            }
        }
        Assert.True(checkedUrls >= 3, $"{stack}: only {checkedUrls} app monitors");
    }
}
