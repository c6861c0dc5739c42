using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Maintenance;
using Platform.Stacks.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Parts.Maintenance;

/// <summary>
/// Maintenance mode as Traefik file routes: what the file holds, that switching it changes that file only, and what
/// <c>plan --route</c> says. Traefik's behaviour is taken from its source at v3.3.6 (see <see cref="MaintenanceBlueprint.MaintenanceYaml"/>).
/// </summary>
public sealed class MaintenanceTests
{
    private static PlatformBlueprint Stack(string? maintenance = null) =>
        TestStacks.Build(TestStacks.Yaml(extra: maintenance is null ? "" : $"platform:maintenance: {maintenance}"));

    private static string File(PlatformBlueprint b) =>
        RouteExplainer.HostFile(b.HostCommands.Single(c => c.Name == HostCommandNames.TraefikMaintenance), MaintenanceBlueprint.MaintenanceFile)!;

    private static YamlMappingNode Http(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["http"];
    }

    [Fact]
    public void Off_the_file_is_written_empty_so_switching_off_removes_every_maintenance_route()
    {
        var b = Stack();
        Assert.Equal("{}\n", File(b));
        Assert.Contains("no app in maintenance", b.HostCommands.Single(c => c.Name == HostCommandNames.TraefikMaintenance).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_in_maintenance_gets_a_router_above_each_of_its_own_with_retry_after_and_a_503_allow_list()
    {
        var b = Stack("{ apps: [web] }");
        var http = Http(File(b));
        var routers = (YamlMappingNode)http["routers"];
        var webRouters = b.Services.First(s => s.App == "web").Labels.Keys
            .Where(k => k.StartsWith("traefik.http.routers.", StringComparison.Ordinal) && k.EndsWith(".rule", StringComparison.Ordinal)).Select(k => k.Split('.')[3]).ToList();
        Assert.Equal(webRouters.Select(MaintenanceBlueprint.MaintenanceRouter).Order(StringComparer.Ordinal),
            routers.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal));
        var labels = b.Services.First(s => s.App == "web").Labels;
        foreach (var r in webRouters)
        {
            var m = (YamlMappingNode)routers[MaintenanceBlueprint.MaintenanceRouter(r)];
            Assert.Equal(labels[$"traefik.http.routers.{r}.rule"], ((YamlScalarNode)m["rule"]).Value);
            Assert.Equal(long.Parse(labels[$"traefik.http.routers.{r}.priority"], System.Globalization.CultureInfo.InvariantCulture) + 1,
                long.Parse(((YamlScalarNode)m["priority"]).Value!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(labels[$"traefik.http.routers.{r}.service"] + "@docker", ((YamlScalarNode)m["service"]).Value);
            var chain = ((YamlSequenceNode)m["middlewares"]).Children.Select(x => ((YamlScalarNode)x).Value!).ToList();
            Assert.Equal([MaintenanceBlueprint.MaintenanceRetryAfter, MaintenanceBlueprint.MaintenanceAllow], chain.Take(2));
            // Then the route's own middlewares, each defined by the docker provider.
            Assert.All(chain.Skip(2), x => Assert.EndsWith("@docker", x, StringComparison.Ordinal));
        }
        var middlewares = (YamlMappingNode)http["middlewares"];
        var allow = (YamlMappingNode)((YamlMappingNode)middlewares[MaintenanceBlueprint.MaintenanceAllow])["ipAllowList"];
        Assert.Equal("503", ((YamlScalarNode)allow["rejectStatusCode"]).Value);
        Assert.Equal(["203.0.113.0/24"], ((YamlSequenceNode)allow["sourceRange"]).Children.Select(x => ((YamlScalarNode)x).Value));
        var headers = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)middlewares[MaintenanceBlueprint.MaintenanceRetryAfter])["headers"])["customResponseHeaders"];
        Assert.Equal("300", ((YamlScalarNode)headers["Retry-After"]).Value);
    }

    [Fact]
    public void Switching_it_on_changes_the_maintenance_file_only_no_container()
    {
        var off = Stack();
        var on = Stack("{ apps: [\"*\"], retryAfterSeconds: 900 }");
        // Every container's exact configuration is the same: none is replaced.
        static string Hash(ServiceSpec s) => Platform.Stacks.Rehearsal.ContainerMapping.Hash(Platform.Stacks.Canonical.ContainerConfigs.Of(s));
        Assert.Equal(off.Services.Select(Hash), on.Services.Select(Hash));
        static string Text(HostCommandSpec c) => c.Create + "\n" + c.Stdin?.Masked;
        Assert.Equal(off.HostCommands.Select(c => c.Name), on.HostCommands.Select(c => c.Name));
        var changed = on.HostCommands.Where(c => Text(off.HostCommands.Single(o => o.Name == c.Name)) != Text(c)).Select(c => c.Name).ToList();
        Assert.Equal([HostCommandNames.TraefikMaintenance], changed);
        Assert.Contains("in maintenance: every app (503 with Retry-After 900 s; 203.0.113.0/24 pass through)",
            on.HostCommands.Single(c => c.Name == HostCommandNames.TraefikMaintenance).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_page_its_errors_middleware_serves_the_page_for_the_503_from_the_pages_own_host()
    {
        var http = Http(File(Stack("{ apps: [web], pageUrl: \"https://files.example.com/public/maintenance.html\" }")));
        var errors = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)http["middlewares"])[MaintenanceBlueprint.MaintenancePage])["errors"];
        Assert.Equal("/public/maintenance.html", ((YamlScalarNode)errors["query"]).Value);
        Assert.Equal(["503"], ((YamlSequenceNode)errors["status"]).Children.Select(x => ((YamlScalarNode)x).Value));
        var lb = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)http["services"])[MaintenanceBlueprint.MaintenancePage])["loadBalancer"];
        Assert.Equal("false", ((YamlScalarNode)lb["passHostHeader"]).Value);
        Assert.Equal("https://files.example.com", ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)lb["servers"]).Children[0])["url"]).Value);
    }

    [Fact]
    public void The_route_explainer_shows_the_maintenance_router_and_leaves_other_apps_paths_alone()
    {
        var b = Stack("{ apps: [web] }");
        var web = RouteExplainer.Explain(b, "https://app.example.com/dashboard");
        Assert.StartsWith("maintenance-", web.Router!.Router, StringComparison.Ordinal);
        Assert.Contains(web.Notes, n => n.StartsWith("maintenance: a client outside 203.0.113.0/24 gets 503 with Retry-After: 300", StringComparison.Ordinal));
        Assert.Contains("maintenance: a client outside", RouteExplainer.Render(web), StringComparison.Ordinal);
        // api's path on the same host has the higher priority of its longer prefix: api is not in maintenance.
        var api = RouteExplainer.Explain(b, "https://app.example.com/api/items");
        Assert.DoesNotContain("maintenance", api.Router!.Router, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Notes, n => n.StartsWith("maintenance", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{ apps: [nope] }", "platform:maintenance.apps[0]")]
    [InlineData("{ apps: [web], pageUrl: \"ftp://x.example.com/p\" }", "platform:maintenance.pageUrl")]
    [InlineData("{ apps: [web], allowCidrs: [] }", "platform:maintenance.allowCidrs")]
    [InlineData("{ apps: [web], allowCidrs: [10.0.0.1/8] }", "platform:maintenance.allowCidrs[0]")]
    [InlineData("{ apps: [web], retryAfterSeconds: 0 }", "platform:maintenance.retryAfterSeconds")]
    [InlineData("{ app: [web] }", "platform:maintenance.app")]
    public void Bad_input_is_an_error_naming_its_key(string maintenance, string key)
    {
        var (_, errors) = TestStacks.TryRead(TestStacks.Yaml(extra: $"platform:maintenance: {maintenance}"));
        Assert.Contains(errors, e => e.Key == key);
    }
}
