using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// Tenants at <c>&lt;tenant&gt;.app.&lt;domain&gt;</c> (<c>host: "*.app"</c>): DNS-only records and Traefik's own certificate for
/// <c>*.app.&lt;domain&gt;</c> by DNS-01. The certificate rules are Traefik v3.3.6's, run on its own test tables
/// (<c>pkg/tls/certificate_store_test.go</c> <c>TestGetBestCertificate</c>, <c>pkg/provider/acme/provider_test.go</c>
/// <c>TestProvider_sanitizeDomains</c>) through <see cref="TraefikTls"/>, the port of <c>matchDomain</c> and <c>sanitizeDomains</c>.
/// </summary>
public sealed class NestedWildcardTests
{
    private const string Tenants = """
        - name: portal
          image: ghcr.io/example/portal:1.0.0
          port: 3000
          routes:
            - { host: "*.app" }
            - { host: app }
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
        """;

    private const string Open = "platform:cloudflareOnlyIngress: false";

    private static PlatformBlueprint Build(string extra = Open) => TestStacks.Build(TestStacks.Yaml(Tenants, extra));

    // TestGetBestCertificate's rows (domainToCheck, dynamicCert, expected match).
    [Theory]
    [InlineData("snitest.com", "snitest.org", false)]
    [InlineData("snitest.com", "snitest.com", true)]
    [InlineData("www.snitest.com", "*.snitest.com", true)]
    [InlineData("bar.www.snitest.com", "*.www.snitest.com", true)]
    public void Traefik_picks_certificates_as_its_own_table_says(string serverName, string cert, bool matches) =>
        Assert.Equal(matches, TraefikTls.MatchDomain(serverName, cert));

    // TestProvider_sanitizeDomains's rows.
    [Theory]
    [InlineData(new[] { "*.traefik.wtf" }, null)]
    [InlineData(new[] { "traefik.wtf", "foo.traefik.wtf" }, null)]
    [InlineData(new string[0], "no domain was given")]
    [InlineData(new[] { "*.*.traefik.wtf", "foo.traefik.wtf" }, "unable to generate a wildcard certificate in ACME provider for domain \"*.*.traefik.wtf,foo.traefik.wtf\" : ACME does not allow '*.*' wildcard domain")]
    [InlineData(new[] { "*.traefik.wtf", "traefik.wtf" }, null)]
    [InlineData(new[] { "*.traefik.wtf", "*.acme.wtf" }, null)]
    public void Traefik_asks_acme_for_domains_as_its_own_table_says(string[] domains, string? error) =>
        Assert.Equal(error, TraefikTls.SanitizeDomains(domains));

    [Fact]
    public void A_tenant_two_levels_down_gets_the_nested_wildcards_certificate_which_the_zones_wildcard_cannot_serve()
    {
        var b = Build();
        var traefik = b.Service(ServiceNames.Traefik);
        var entryPointWildcard = traefik.Command.Single(c => c.StartsWith("--entrypoints.websecure.http.tls.domains[0].sans=", StringComparison.Ordinal)).Split('=')[1];
        Assert.Equal("*.example.com", entryPointWildcard);
        Assert.False(TraefikTls.MatchDomain("t1.app.example.com", entryPointWildcard));

        var labels = b.Services.First(s => s.App == "portal").Labels;
        var router = TraefikNames.Of(labels, "routers", Routing.AppRouter("portal", 0));
        var main = labels[$"traefik.http.routers.{router}.tls.domains[0].main"];
        Assert.Equal("*.app.example.com", main);
        Assert.Equal(Routing.CertResolver, labels[$"traefik.http.routers.{router}.tls.certresolver"]);
        Assert.Null(TraefikTls.SanitizeDomains([main]));
        Assert.True(TraefikTls.MatchDomain("t1.app.example.com", main));
        Assert.False(TraefikTls.MatchDomain("app.example.com", main));
        Assert.Contains("--certificatesresolvers.letsencrypt.acme.dnschallenge.provider=cloudflare", traefik.Command);
    }

    [Theory]
    [InlineData("https://acme.app.example.com/", "portal", "Host")]
    [InlineData("https://acme-2.app.example.com/dashboard", "portal", "HostRegexp")]
    [InlineData("https://app.example.com/", "portal", "Host(`app.example.com`)")]
    public void Route_explains_which_router_takes_a_tenant(string url, string app, string ruleHas)
    {
        var a = RouteExplainer.Explain(Build(), url);
        Assert.Equal(app, a.Router!.Target);
        Assert.Contains(ruleHas, a.Router.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://a.b.app.example.com/")]
    [InlineData("https://acme.example.com/")]
    public void Deeper_or_shallower_names_are_not_the_nested_wildcards(string url)
    {
        var a = RouteExplainer.Explain(Build(), url);
        Assert.True(a.Router is null || !a.Router.Rule.Contains("\\.app\\.", StringComparison.Ordinal));
    }

    [Fact]
    public void Its_records_are_dns_only_and_its_requests_count_the_connections_address()
    {
        var b = Build();
        var records = b.DnsRecords.Where(d => d.Fqdn == "*.app.example.com").ToList();
        Assert.Equal(["A", "AAAA"], records.Select(r => r.Type));
        Assert.All(records, r => Assert.False(r.Proxied));
        Assert.All(b.DnsRecords.Where(d => d.Fqdn != "*.app.example.com"), r => Assert.True(r.Proxied));
        var plan = PlanText.Render(b);
        Assert.Contains("  *.app.example.com A -> server IPv4 DNS only", plan, StringComparison.Ordinal);
        Assert.Contains("certificate by DNS-01 for *.app.example.com: " + NestedWildcards.TlsNote, plan, StringComparison.Ordinal);

        // With a rate limit, the client is the connection (no Cloudflare in front), not CF-Connecting-IP.
        var limited = TestStacks.Build(TestStacks.Yaml(Tenants.Replace("- { host: \"*.app\" }", "- { host: \"*.app\", rateLimit: { average: 5 } }", StringComparison.Ordinal), Open));
        var labels = limited.Services.First(s => s.App == "portal").Labels;
        Assert.DoesNotContain(labels, l => l.Key.Contains("_r0-ratelimit", StringComparison.Ordinal) && l.Key.Contains("sourcecriterion", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.Key.Contains("_r0-ratelimit", StringComparison.Ordinal) && l.Key.EndsWith(".ratelimit.average", StringComparison.Ordinal));
    }

    [Fact]
    public void Behind_a_cloudflare_only_firewall_or_origin_pulls_it_is_refused_with_the_fix()
    {
        var closed = TestStacks.Errors(TestStacks.Yaml(Tenants));
        var e = Assert.Single(closed);
        Assert.Equal("platform:apps[0].routes[0].host", e.Key);
        Assert.Contains("cloudflareOnlyIngress", e.Problem + e.Fix, StringComparison.Ordinal);

        var pulls = TestStacks.Errors(TestStacks.Yaml(Tenants, Open + "\nplatform:cloudflareOriginPulls: true"));
        Assert.Equal("platform:apps[0].routes[0].host", Assert.Single(pulls).Key);
        Assert.Contains("cloudflareOriginPulls: false", pulls[0].Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.*.app", "full domain")]
    [InlineData("*.APP_X", "not a host name")]
    [InlineData("api.app", "more than one level")]
    public void Other_deep_hosts_are_still_refused(string host, string problem)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(Tenants.Replace("\"*.app\"", $"\"{host}\"", StringComparison.Ordinal), Open));
        Assert.Contains(errors, x => x.Key == "platform:apps[0].routes[0].host" && (x.Problem + x.Fix).Contains(problem, StringComparison.Ordinal));
    }
}
