using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Policy;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>Each route setting's Traefik labels, pinned; and what the edge stack's blueprint makes of custom domains.</summary>
public sealed class RouteMiddlewareTests
{
    private static readonly PlatformBlueprint B = EdgeStack.Blueprint();

    private static IReadOnlyDictionary<string, string> Labels(string service) => B.Service(service).Labels;

    /// <summary>The settings of one middleware of <paramref name="service"/>, keyed without the name prefix.</summary>
    private static Dictionary<string, string> Middleware(string service, string logical)
    {
        var labels = Labels(service);
        var name = TraefikNames.Of(labels, "middlewares", logical);
        var prefix = $"traefik.http.middlewares.{name}.";
        return labels.Where(l => l.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(l => l.Key[prefix.Length..], l => l.Value);
    }

    private static string[] Chain(string service, string router)
    {
        var labels = Labels(service);
        return [.. labels[$"traefik.http.routers.{TraefikNames.Of(labels, "routers", router)}.middlewares"].Split(',')
            .Select(m => System.Text.RegularExpressions.Regex.Replace(m, "-[0-9a-f]{8}$", ""))];
    }

    [Fact]
    public void Strip_prefix_removes_the_routes_path()
    {
        Assert.Equal(new Dictionary<string, string> { ["stripprefix.prefixes"] = "/face" }, Middleware("api-1", "app-api_r3-strip"));
        Assert.Equal(["secure-headers@docker", "app-api_r3-ratelimit", "app-api_r3-strip"], Chain("api-1", "app-api_r3"));
    }

    [Fact]
    public void Cors_headers_keep_the_secure_preset_and_add_the_apis_origins()
    {
        var headers = Middleware("api-1", "app-api_r0-headers");
        Assert.Equal("https://app.example.com", headers["headers.accesscontrolalloworiginlist"]);
        Assert.Equal("GET,POST", headers["headers.accesscontrolallowmethods"]);
        Assert.Equal("Authorization,Content-Type", headers["headers.accesscontrolallowheaders"]);
        Assert.Equal("300", headers["headers.accesscontrolmaxage"]);
        Assert.Equal("true", headers["headers.addvaryheader"]);
        Assert.False(headers.ContainsKey("headers.accesscontrolallowcredentials"));
        foreach (var (k, v) in Routing.SecureHeaderFields) Assert.Equal(v, headers[$"headers.{k}"]);
        // Its own headers replace the shared ones, so a preset can also relax them.
        Assert.Equal("app-api_r0-headers", Chain("api-1", "app-api_r0")[0]);
        Assert.DoesNotContain("secure-headers@docker", Chain("api-1", "app-api_r0"));
    }

    [Fact]
    public void The_minimal_preset_keeps_hsts_and_only_what_the_route_asks_for()
    {
        Assert.Equal(new Dictionary<string, string>
        {
            ["headers.stsseconds"] = "31536000",
            ["headers.framedeny"] = "true",
            ["headers.contentsecuritypolicy"] = "default-src 'self'",
        }, Middleware("web-1", "app-web_r0-headers"));
    }

    [Fact]
    public void A_body_limit_buffers_up_to_the_limit_and_a_route_rate_limit_overrides_the_apps()
    {
        Assert.Equal(new Dictionary<string, string>
        {
            ["buffering.maxrequestbodybytes"] = (100L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["buffering.memrequestbodybytes"] = "2097152",
        }, Middleware("api-1", "app-api_r1-bodylimit"));
        Assert.Equal("2", Middleware("api-1", "app-api_r1-ratelimit")["ratelimit.average"]);
        // The app's rateLimit is the default of its other routes; without Cloudflare in front, per connection address.
        Assert.Equal(new Dictionary<string, string>
        {
            ["ratelimit.average"] = "50", ["ratelimit.burst"] = "100", ["ratelimit.period"] = "1s", ["ratelimit.sourcecriterion.ipstrategy.depth"] = "1",
        }, Middleware("api-1", "app-api_r2-ratelimit"));
        Assert.Equal(["secure-headers@docker", "app-api_r1-ratelimit", "app-api_r1-bodylimit"], Chain("api-1", "app-api_r1"));
    }

    [Fact]
    public void Admin_routes_check_the_allowlist_then_basic_auth_from_a_file_never_a_label()
    {
        Assert.Equal(new Dictionary<string, string> { ["ipallowlist.sourcerange"] = "203.0.113.0/24", ["ipallowlist.ipstrategy.depth"] = "1" },
            Middleware("admin-1", "app-admin_r0-allowlist"));
        Assert.Equal(new Dictionary<string, string>
        {
            ["basicauth.usersfile"] = "/etc/traefik/auth/app-admin_r0.htpasswd", ["basicauth.removeheader"] = "true",
        }, Middleware("admin-1", "app-admin_r0-auth"));
        Assert.Equal(["secure-headers@docker", "app-admin_r0-allowlist", "app-admin_r0-auth"], Chain("admin-1", "app-admin_r0"));

        var writer = Assert.Single(B.HostCommands, c => c.Name == HostCommandNames.TraefikAuthFiles);
        Assert.True(writer.Stdin!.IsSecret);
        Assert.Contains("app-admin_r0.htpasswd", writer.Stdin.Masked, StringComparison.Ordinal);
        Assert.Contains(HostCommandNames.TraefikAuthFiles, B.Service("admin-1").AfterHostCommands);
        Assert.Contains(B.Service("traefik").Mounts, m => m.Source == EdgeBlueprint.TraefikAuthHostDirectory && m.Target == EdgeBlueprint.TraefikAuthDirectory && m.ReadOnly);
        Assert.Contains(B.Secrets, x => x.Name == "appSecrets.admin.ADMIN_USERS" && x.Source == SecretSource.Config);
        // The secret's value never reaches the plan: only its name.
        Assert.DoesNotContain("v1:abc", Platform.Stacks.Plan.PlanText.Render(B), StringComparison.Ordinal);
    }

    [Fact]
    public void Proxied_hosts_judge_the_address_cloudflare_saw_and_custom_domains_the_connections_own()
    {
        // Proxied (the stack's own host), with and without a Cloudflare-only firewall.
        Assert.Equal("1", Middleware("admin-1", "app-admin_r0-allowlist")["ipallowlist.ipstrategy.depth"]);
        var apps = EdgeStack.Apps.Replace("- { domain: shop.customer.com, rateLimit: { average: 10, burst: 20 } }", "");
        var b = TestStacks.Build(EdgeStack.Yaml(apps, EdgeStack.Extra.Replace("platform:cloudflareOnlyIngress: false", "platform:cloudflareOnlyIngress: true")));
        var labels = b.Service("admin-1").Labels;
        Assert.Equal("1", labels[$"traefik.http.middlewares.{TraefikNames.Of(labels, "middlewares", "app-admin_r0-allowlist")}.ipallowlist.ipstrategy.depth"]);
        var api = b.Service("api-1").Labels;
        Assert.Equal("CF-Connecting-IP", api[$"traefik.http.middlewares.{TraefikNames.Of(api, "middlewares", "app-api_r2-ratelimit")}.ratelimit.sourcecriterion.requestheadername"]);

        // A tenant's own domain is reached directly: no forwarded address to read, the connection's own counts.
        Assert.Equal(new Dictionary<string, string>
        {
            ["ratelimit.average"] = "10", ["ratelimit.burst"] = "20", ["ratelimit.period"] = "1s",
        }, Middleware("tenants-1", "app-tenants_r2-ratelimit"));
    }

    [Fact]
    public void Redirect_and_compress_render_their_middlewares()
    {
        Assert.Equal(new Dictionary<string, string>
        {
            ["redirectregex.regex"] = "^https?://[^/]+/(.*)",
            ["redirectregex.replacement"] = "https://example.com/${1}",
            ["redirectregex.permanent"] = "true",
        }, Middleware("landing-1", "app-landing_r1-redirect"));
        Assert.Equal(new Dictionary<string, string> { ["compress"] = "true" }, Middleware("landing-1", "app-landing_r0-compress"));
    }

    [Fact]
    public void Routers_carry_their_priority_and_path_rules_match_whole_segments()
    {
        var labels = Labels("api-1");
        string Router(string logical, string field) => labels[$"traefik.http.routers.{TraefikNames.Of(labels, "routers", logical)}.{field}"];
        Assert.Equal("10000", Router("app-api_r0", "priority"));
        Assert.Equal("10011", Router("app-api_r1", "priority"));
        Assert.Equal("Host(`api.example.com`) && (Path(`/v1/uploads`) || PathPrefix(`/v1/uploads/`))", Router("app-api_r1", "rule"));
        var tenants = Labels("tenants-1");
        Assert.Equal("1000", tenants[$"traefik.http.routers.{TraefikNames.Of(tenants, "routers", "app-tenants_r0")}.priority"]);
        Assert.Equal("1010", tenants[$"traefik.http.routers.{TraefikNames.Of(tenants, "routers", "app-tenants_r1")}.priority"]);
    }

    [Fact]
    public void A_custom_domain_gets_an_http01_certificate_a_monitor_and_no_dns_record()
    {
        var tenants = Labels("tenants-1");
        var router = TraefikNames.Of(tenants, "routers", "app-tenants_r2");
        Assert.Equal("Host(`shop.customer.com`)", tenants[$"traefik.http.routers.{router}.rule"]);
        Assert.Equal(Routing.HttpCertResolver, tenants[$"traefik.http.routers.{router}.tls.certresolver"]);
        Assert.DoesNotContain(B.DnsRecords, d => d.Fqdn.Contains("customer", StringComparison.Ordinal));
        Assert.Contains(B.Monitors, m => m.Target == "https://shop.customer.com/healthz");
        Assert.Empty(Policies.Check(B));

        var command = B.Service("traefik").Command;
        Assert.Contains($"--certificatesresolvers.{Routing.HttpCertResolver}.acme.httpchallenge.entrypoint=web", command);
        // The redirect to HTTPS stays: Traefik serves the challenge path ahead of it.
        Assert.Contains("--entrypoints.web.http.redirections.entrypoint.to=websecure", command);
        Assert.All(B.Firewall.Rules.Where(r => r.Port is "80" or "443"), r => Assert.Contains("0.0.0.0/0", r.SourceIps));
    }

    [Fact]
    public void A_custom_domain_router_without_the_http_resolver_breaks_the_public_hosts_rule()
    {
        var service = B.Service("tenants-1");
        var router = TraefikNames.Of(service.Labels, "routers", "app-tenants_r2");
        var broken = B with
        {
            Services = B.Services.Replace(service, service with { Labels = service.Labels.SetItem($"traefik.http.routers.{router}.tls.certresolver", Routing.CertResolver) }),
        };
        Assert.Contains(Policies.Check(broken), v => v.Rule == "public-hosts-complete" && v.Subject == "shop.customer.com");
    }

    [Fact]
    public void The_entry_point_timeouts_are_set_on_purpose_and_stated_in_the_plan()
    {
        var command = B.Service("traefik").Command;
        Assert.Contains("--entrypoints.websecure.transport.respondingtimeouts.readtimeout=600s", command);
        Assert.Contains("--entrypoints.websecure.transport.respondingtimeouts.writetimeout=0s", command);
        Assert.Contains("--entrypoints.websecure.transport.respondingtimeouts.idletimeout=180s", command);
        Assert.Contains("readTimeout 600s", Platform.Stacks.Plan.PlanText.Render(B), StringComparison.Ordinal);
    }

    [Fact]
    public void The_minio_console_is_served_on_its_host_to_the_allowlist_only()
    {
        var labels = Labels("minio");
        var service = TraefikNames.Of(labels, "services", MinioBlueprint.ConsoleRouter);
        Assert.Equal("9001", labels[$"traefik.http.services.{service}.loadbalancer.server.port"]);
        var router = TraefikNames.Of(labels, "routers", MinioBlueprint.ConsoleRouter);
        Assert.Equal("Host(`minio-admin.example.com`)", labels[$"traefik.http.routers.{router}.rule"]);
        Assert.Equal(service, labels[$"traefik.http.routers.{router}.service"]);
        var allow = TraefikNames.Of(labels, "middlewares", "minio-console-allowlist");
        Assert.Equal("198.51.100.0/28", labels[$"traefik.http.middlewares.{allow}.ipallowlist.sourcerange"]);
        Assert.Contains(B.DnsRecords, d => d.Fqdn == "minio-admin.example.com");
        var monitor = Assert.Single(B.Monitors, m => m.Target == "https://minio-admin.example.com/");
        Assert.NotNull(monitor);

        // Off by default: no console route at all.
        var plain = TestStacks.ShippedBlueprint("prod");
        Assert.DoesNotContain(plain.Service("minio").Labels.Keys, k => k.Contains("minio-console", StringComparison.Ordinal));
    }

    [Fact]
    public void Guarded_routes_are_monitored_as_up_when_they_refuse_strangers()
    {
        var ops = OperationsBlueprint.Of(TestStacks.Read(EdgeStack.Yaml()));
        Assert.Equal(["401"], ops.Monitors.Single(m => m.Target == "https://app.example.com/api/admin/healthz").AcceptedStatusCodes.ToArray());
        Assert.Equal(["403"], ops.Monitors.Single(m => m.Target == "https://minio-admin.example.com/").AcceptedStatusCodes.ToArray());
    }

    [Fact]
    public void A_host_with_several_paths_gets_one_monitor_per_distinct_health_target()
    {
        var ops = OperationsBlueprint.Of(TestStacks.Read(EdgeStack.Yaml()));
        var api = ops.Monitors.Where(m => m.Name.StartsWith("api", StringComparison.Ordinal)).Select(m => m.Target).ToList();
        // api.example.com twice (host and /v1/uploads) is one target; /face strips, so it is its own; app.example.com/api
        // does not reach /healthz (that URL is web's), so it has none.
        Assert.Equal(["https://api.example.com/healthz", "https://app.example.com/face/healthz"], api.Order(StringComparer.Ordinal));
        Assert.Equal(ops.Monitors.Length, ops.Monitors.Select(m => m.Id).Distinct().Count());
    }
}
