using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// A tenant's own domain on a split stack behind the load balancer: whichever app server the balancer picks, the HTTP-01
/// challenge reaches the Traefik that asked for it, and the TLS handshake ends on the Traefik that holds the certificate.
/// Each step is the rendered configuration run through the model of Traefik v3.3.6 (cited per assertion).
/// </summary>
public sealed class TenantDomainsTests
{
    private const string Apps = """
        - name: shop
          image: ghcr.io/example/shop:1.0.0
          port: 8080
          routes: [{ host: shop }, { domain: shop.tenant.example.org }, { host: "*" }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 128
        """;

    private static readonly PlatformBlueprint B = TestStacks.Build(
        TestStacks.Yaml(Apps, extra: "platform:servers:\n  app: { type: cx32, count: 3 }\n  data: { type: ccx23, volumeGb: 100 }\nplatform:cloudflareOnlyIngress: false")
            .Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal));

    private static readonly ServerKey[] AppServers = [ServerKey.App(1), ServerKey.App(2), ServerKey.App(3)];

    public static TheoryData<int> Servers => [1, 2, 3];

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_challenge_reaches_the_issuing_traefik_from_every_app_server(int n)
    {
        var answer = RouteExplainer.Explain(B, "http://shop.tenant.example.org/.well-known/acme-challenge/tok3n", server: ServerKey.App(n));
        // On app-1 Traefik's own acme-http@internal (MaxInt, internal.go acme()) answers; elsewhere the forward router
        // (priority 10000) beats the entry point's redirect, lowered to 1 (entrypoints.go RedirectEntryPoint.Priority;
        // mux_test.go Test_addRoutePriority "Higher priority on first rule"), and sends the request with its Host
        // (passHostHeader default true, http_config.go) to app-1, whose challenge handler finds the token by Host
        // (acme/challenge_http.go ServeHTTP).
        var final = n == 1 ? answer : answer.Then!;
        Assert.Equal(RouteExplainer.AcmeHttpRouter, final.Router!.Router);
        Assert.Equal("app-1", final.Server);
        if (n != 1)
        {
            Assert.Equal(EdgeBlueprint.TenantChallengeRouter, answer.Router!.Router);
            Assert.Equal("http://10.20.1.11:80", answer.Router.Target);
            Assert.Contains(answer.Shadowed, r => r.Router == "web-to-websecure@internal" && r.Priority == 1);
        }
    }

    [Fact]
    public void The_issuer_believes_the_passthrough_proxy_header_of_the_other_app_servers_and_no_traefik_believes_anyone_else()
    {
        // Traefik ignores the PROXY header of a peer outside trustedIPs (server_entrypoint_tcp.go, buildProxyProtocolListener:
        // proxyproto.IGNORE): the issuer must trust app-2 and app-3, whose tenant-tls passthrough sends one (proxyProtocol
        // version 2), or a tenant's visitors would all count as those servers; nobody else on the subnet is trusted.
        string Trusted(ServerKey server, string entryPoint) =>
            B.Service(server.Qualify(ServiceNames.Traefik)).Command.Single(c => c.StartsWith($"--entrypoints.{entryPoint}.proxyprotocol.trustedips=", StringComparison.Ordinal)).Split('=')[1];
        Assert.Equal("10.20.1.254/32,10.20.1.12/32,10.20.1.13/32", Trusted(ServerKey.App(1), "websecure"));
        Assert.Equal("10.20.1.254/32", Trusted(ServerKey.App(1), "web"));
        foreach (var other in AppServers.Skip(1))
            foreach (var ep in new[] { "web", "websecure", "traefik" })
                Assert.Equal("10.20.1.254/32", Trusted(other, ep));
        var edgeYml = RouteExplainer.HostFile(B.HostCommands.Single(c => c.Name == ServerKey.App(2).Qualify(HostCommandNames.TraefikEdgeRoutes)), "edge.yml")!;
        Assert.Contains("address: 10.20.1.11:443", edgeYml, StringComparison.Ordinal);
        Assert.Contains("version: 2", edgeYml, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_handshake_ends_on_the_issuing_traefik_from_every_app_server(int n)
    {
        var answer = RouteExplainer.Explain(B, "https://shop.tenant.example.org/cart", server: ServerKey.App(n));
        // router.go ServeTCP: with no HTTPS router naming the SNI, the HostSNI passthrough router wins over the wildcard's
        // catch-all HTTPS router (router_test.go Test_Routing "TCP TLS router && HTTPS Path prefix router").
        var final = n == 1 ? answer : answer.Then!;
        Assert.Equal("app-1", final.Server);
        Assert.Equal("shop", final.Router!.Target);
        Assert.Equal("/cart", final.ForwardedPath);
        if (n != 1)
        {
            Assert.Equal(EdgeBlueprint.TenantPassthroughRouter, answer.PassedThrough!.Router);
            Assert.Equal("10.20.1.11:443", answer.PassedThrough.Address);
            Assert.True(answer.PassedThrough.ProxyProtocol);
        }
        else
            Assert.Null(answer.PassedThrough);
    }

    [Fact]
    public void No_https_router_beside_a_passthrough_names_the_tenants_host()
    {
        // router_test.go Test_Routing "TCP TLS router && HTTPS router": an HTTPS router with that Host would take the
        // connection and end TLS with the Origin CA certificate, which browsers refuse.
        foreach (var server in AppServers)
        {
            var edge = RouteExplainer.Edge(B, server);
            var hosts = edge.Https.SelectMany(r => RouteExplainer.HostDomains(r.Rule)).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(server == ServerKey.App(1), hosts.Contains("shop.tenant.example.org"));
            Assert.Equal(server == ServerKey.App(1), edge.Tcp.IsEmpty);
            // The app's other routes are on every server.
            Assert.Contains("shop.example.com", hosts);
        }
    }

    [Fact]
    public void Every_rendered_router_has_a_priority_traefik_accepts()
    {
        // router.go: a router not @internal above maxUserPriority (MaxInt-1000) is refused
        // (router_test.go "Router priority exceeding max user-defined priority").
        foreach (var server in AppServers)
        {
            var edge = RouteExplainer.Edge(B, server);
            foreach (var r in edge.Https.Concat(edge.Http).Where(r => !r.Router.EndsWith("@internal", StringComparison.Ordinal)))
                Assert.True(r.Priority is > 0 and <= RouteExplainer.MaxUserPriority, $"{r.Router} on {server}: {r.Priority}");
        }
        Assert.Contains(RouteExplainer.Edge(B, ServerKey.App(2)).Http, r => r.Router == EdgeBlueprint.TenantChallengeRouter);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void Other_http_requests_are_still_redirected_to_https(int n)
    {
        var answer = RouteExplainer.Explain(B, "http://shop.tenant.example.org/cart", server: ServerKey.App(n));
        Assert.Equal("https://shop.tenant.example.org/cart", answer.RedirectTo);
        Assert.Equal(301, answer.Status);
    }
}
