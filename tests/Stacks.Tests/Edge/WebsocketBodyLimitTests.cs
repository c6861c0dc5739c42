using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// A route that takes large uploads and upgrades to websockets (a `/api` with `maxBodyMb: 100` and `websockets: true`).
/// Traefik v3.3.6's buffering middleware (pkg/middlewares/buffering/buffering.go) wraps vulcand/oxy v2.0.3's
/// buffer/buffer.go, whose bufferWriter implements Hijack by passing it to the client's connection and whose ServeHTTP
/// returns untouched once the proxy hijacked it ("connection was hijacked downstream"); the upgrade GET has no body. So
/// the two work on one route, and the platform renders both.
/// </summary>
public sealed class WebsocketBodyLimitTests
{
    private const string Route = """- { host: "*", path: /socket.io, websockets: true }""";
    private const string Both = """- { host: "*", path: /socket.io, websockets: true, maxBodyMb: 100 }""";

    private static string Yaml() => EdgeStack.Yaml(EdgeStack.Apps.Replace(Route, Both, StringComparison.Ordinal)
        .Replace("  memoryMb: 256\n- name: api", "  memoryMb: 256\n  instances: 2\n- name: api", StringComparison.Ordinal));

    [Fact]
    public void A_websockets_route_with_a_body_limit_is_accepted()
    {
        Assert.Contains(Both, Yaml(), StringComparison.Ordinal);
        Assert.Contains("instances: 2", Yaml(), StringComparison.Ordinal);
        Assert.Empty(TestStacks.Errors(Yaml()));
    }

    [Fact]
    public void The_edge_renders_the_body_limit_and_the_sticky_sessions_of_the_websockets_route()
    {
        var labels = TestStacks.Build(Yaml()).Service("tenants-1").Labels;
        var router = TraefikNames.Of(labels, "routers", "app-tenants_r1");
        var chain = labels[$"traefik.http.routers.{router}.middlewares"].Split(',');
        var bodyLimit = TraefikNames.Of(labels, "middlewares", "app-tenants_r1-bodylimit");
        Assert.Contains(bodyLimit, chain);
        Assert.Equal((100L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            labels[$"traefik.http.middlewares.{bodyLimit}.buffering.maxrequestbodybytes"]);
        // Several instances of a websockets route: sticky sessions as before.
        Assert.Contains(labels, l => l.Key.EndsWith(".loadbalancer.sticky.cookie", StringComparison.Ordinal) && l.Value == "true");
        // The other routes of the app have no body limit.
        Assert.DoesNotContain(labels[$"traefik.http.routers.{TraefikNames.Of(labels, "routers", "app-tenants_r0")}.middlewares"].Split(','), m => m.Contains("bodylimit", StringComparison.Ordinal));
    }

    [Fact]
    public void The_route_explainer_shows_the_body_limit_and_that_upgrades_pass()
    {
        var b = TestStacks.Build(Yaml());
        var answer = RouteExplainer.Explain(b, "https://acme.example.com/socket.io/?EIO=4&transport=websocket");
        Assert.Equal("tenants", answer.Router!.Target);
        var note = Assert.Single(answer.Notes);
        Assert.Contains("over 100 MB gets 413", note, StringComparison.Ordinal);
        Assert.Contains("websocket upgrade passes", note, StringComparison.Ordinal);
        Assert.Contains("vulcand/oxy v2.0.3 buffer/buffer.go", note, StringComparison.Ordinal);
        var text = RouteExplainer.Render(answer);
        Assert.Contains("buffering.maxrequestbodybytes=104857600", text, StringComparison.Ordinal);
        Assert.Contains(note, text, StringComparison.Ordinal);
        // A route without a body limit has no such note.
        Assert.Empty(RouteExplainer.Explain(b, "https://acme.example.com/").Notes);
    }
}
