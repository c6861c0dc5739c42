using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Parts;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// What of the platform's own services the public hosts serve: MinIO's S3 API on <c>files</c> but not its admin or KMS API,
/// and its console only where it is routed; Uptime Kuma's status pages on <c>status</c> but none of its admin, which is on
/// <c>status-admin</c> behind the admin CIDRs. Each answer is the route explainer's, on the rendered labels and file routes.
/// </summary>
public sealed class AdminSurfaceTests
{
    private static readonly PlatformBlueprint Prod = TestStacks.ShippedBlueprint("prod");
    private static readonly PlatformBlueprint Scale = TestStacks.ShippedBlueprint("scale");

    public static TheoryData<string> AdminPaths => ["/minio/admin/v3/info", "/minio/admin/v3/add-user?accessKey=x", "/minio/admin", "/minio//admin/v3/config", "/minio/kms/v1/key/list"];

    [Theory]
    [MemberData(nameof(AdminPaths))]
    public void The_files_host_refuses_minios_admin_and_kms_api_on_a_single_server(string path)
    {
        var answer = RouteExplainer.Explain(Prod, "https://files.brightlane.io" + path);
        var router = answer.Router!;
        Assert.StartsWith(MinioBlueprint.RefusedService + "-", router.Router, StringComparison.Ordinal);
        // The allowlist admits loopback only, which no client reaching Traefik has: every request gets 403.
        var allow = Assert.Single(router.MiddlewareDetails, d => d.Value.ContainsKey("ipallowlist.sourcerange"));
        Assert.Equal("127.0.0.1/32", allow.Value["ipallowlist.sourcerange"]);
        Assert.Contains(answer.Shadowed, r => r.Target == ServiceNames.Minio && !r.Router.StartsWith(MinioBlueprint.RefusedService, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AdminPaths))]
    public void Every_traefik_of_a_split_stack_refuses_them_too(string path)
    {
        foreach (var server in Scale.AppServers)
        {
            var answer = RouteExplainer.Explain(Scale, "https://files.brightlane.cloud" + path, server: server.Key);
            Assert.StartsWith(MinioBlueprint.RefusedService + "-", answer.Router!.Router, StringComparison.Ordinal);
            Assert.Equal(["127.0.0.1/32"], Scale.FileRoutes.Single(r => r.Router == answer.Router.Router).AllowCidrs.ToArray());
            Assert.Contains(answer.Router.Router + "-allowlist", answer.Router.Middlewares);
        }
    }

    [Theory]
    [InlineData("/uploads/logo.png")]
    [InlineData("/minio/health/live")]
    [InlineData("/minio/administrator.txt")]
    public void Objects_and_the_health_path_still_reach_minio(string path)
    {
        Assert.Equal(ServiceNames.Minio, RouteExplainer.Explain(Prod, "https://files.brightlane.io" + path).Router!.Target);
        Assert.Equal($"http://{PrivateAddresses.Of(ServerKey.Data)}:9000", RouteExplainer.Explain(Scale, "https://files.brightlane.cloud" + path).Router!.Target);
    }

    [Fact]
    public void Without_a_console_host_minio_starts_no_console_and_publishes_no_console_port()
    {
        foreach (var b in new[] { Prod, Scale })
        {
            var minio = b.Service(ServiceNames.Minio);
            Assert.Equal("off", minio.Env["MINIO_BROWSER"].Masked);
            Assert.DoesNotContain("--console-address", minio.Command);
            Assert.Equal([9000], minio.InternalPorts.ToArray());
            Assert.DoesNotContain(minio.PublishedPorts, p => p.ContainerPort == MinioBlueprint.ConsolePort);
            Assert.DoesNotContain(minio.Labels.Keys, k => k.Contains(MinioBlueprint.ConsoleRouter, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void With_a_console_host_it_listens_on_its_port_and_is_routed_behind_the_allowlist_only()
    {
        var extra = "platform:minioConsoleHost: minio-admin\nplatform:minioConsoleAllowCidrs: [198.51.100.7/32]";
        var single = TestStacks.Build(TestStacks.Yaml(extra: extra));
        var minio = single.Service(ServiceNames.Minio);
        Assert.Equal("on", minio.Env["MINIO_BROWSER"].Masked);
        Assert.Equal(["server", "/data", "--console-address", ":9001"], minio.Command.ToArray());
        Assert.Equal([9000, 9001], minio.InternalPorts.ToArray());
        var answer = RouteExplainer.Explain(single, "https://minio-admin.example.com/");
        Assert.Equal("198.51.100.7/32", Assert.Single(answer.Router!.MiddlewareDetails, d => d.Value.ContainsKey("ipallowlist.sourcerange")).Value["ipallowlist.sourcerange"]);

        var split = TestStacks.Build(TestStacks.Yaml(extra: extra + "\nplatform:servers:\n  app: { type: cx32, count: 2 }\n  data: { type: ccx23, volumeGb: 100 }")
            .Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal));
        Assert.Equal([9000, 9001], split.Service(ServiceNames.Minio).PublishedPorts.Select(p => p.HostPort).Order());
        Assert.Equal([9000], Scale.Service(ServiceNames.Minio).PublishedPorts.Select(p => p.HostPort));
    }

    // Uptime Kuma 2.0.2: what its status pages load (status-page-router.js, StatusPage.vue, server.js's dist and /upload).
    public static TheoryData<string, string> StatusPagePaths => new()
    {
        { "/", "status" },
        { "/status", "status" },
        { "/status/brightlane", "status" },
        { "/status/brightlane/rss", "status" },
        { "/status-page", "status" },
        { "/api/status-page/brightlane", "status" },
        { "/api/status-page/heartbeat/brightlane", "status" },
        { "/api/status-page/brightlane/manifest.json", "status" },
        { "/api/status-page/brightlane/badge?label=up", "status" },
        { "/upload/logo1.png", "status" },
        { "/assets/index-3f2a9c.js", StatusPageRoutes.AssetsRouter },
        { "/assets/index-3f2a9c.css", StatusPageRoutes.AssetsRouter },
        { "/icon.svg", StatusPageRoutes.AssetsRouter },
        { "/favicon.ico", StatusPageRoutes.AssetsRouter },
        { "/manifest.json", StatusPageRoutes.AssetsRouter },
        { "/icon-192x192.png", StatusPageRoutes.AssetsRouter },
        { "/apple-touch-icon.png", StatusPageRoutes.AssetsRouter },
    };

    // Its admin: the dashboard, socket.io (login and every admin action), the push, badge and metrics endpoints, the setup.
    public static TheoryData<string> UptimeKumaAdminPaths =>
    [
        "/dashboard", "/dashboard/1", "/settings/general", "/add", "/setup", "/setup-database", "/setup-database-info",
        "/socket.io/?EIO=4&transport=polling", "/socket.io/", "/api/push/abc123?status=up", "/api/badge/1/status", "/api/entry-page",
        "/metrics", "/statusx", "/status-pagex", "/api/status-pages", "/uploads/x", "/.well-known/change-password", "/_e2e/take-sqlite-snapshot",
    ];

    [Theory]
    [MemberData(nameof(StatusPagePaths))]
    public void The_status_host_serves_the_status_pages_and_what_they_load(string path, string router)
    {
        var answer = RouteExplainer.Explain(Prod, "https://status.brightlane.io" + path);
        Assert.Equal(router, answer.Router!.Router);
        Assert.Equal("http://uptime-kuma:3001", answer.Router.Target);
        Assert.DoesNotContain(answer.Router.Middlewares, m => m.EndsWith("-allowlist", StringComparison.Ordinal));
        foreach (var server in Scale.AppServers)
            Assert.Equal((router, $"http://{PrivateAddresses.Of(ServerKey.Data)}:3001"),
                (RouteExplainer.Explain(Scale, "https://status.brightlane.cloud" + path, server: server.Key).Router?.Router, RouteExplainer.Explain(Scale, "https://status.brightlane.cloud" + path, server: server.Key).Router?.Target));
    }

    [Theory]
    [MemberData(nameof(UptimeKumaAdminPaths))]
    public void The_status_host_serves_nothing_of_uptime_kumas_admin(string path)
    {
        foreach (var (b, host, server) in new[] { (Prod, "status.brightlane.io", (ServerKey?)null), (Scale, "status.brightlane.cloud", ServerKey.App(2)) })
        {
            var answer = RouteExplainer.Explain(b, $"https://{host}{path}", server: server);
            Assert.Null(answer.Router);
            Assert.Equal(404, answer.Status);
        }
    }

    [Theory]
    [MemberData(nameof(UptimeKumaAdminPaths))]
    public void The_admin_host_serves_all_of_uptime_kuma_to_the_admin_cidrs_only(string path)
    {
        var admins = TestStacks.Shipped("prod").AdminCidrs;
        var answer = RouteExplainer.Explain(Prod, "https://status-admin.brightlane.io" + path);
        Assert.Equal(MonitoringBlueprint.StatusAdminRouter, answer.Router!.Router);
        Assert.Equal("http://uptime-kuma:3001", answer.Router.Target);
        Assert.Equal(string.Join(",", admins), answer.Router.MiddlewareDetails[MonitoringBlueprint.StatusAdminRouter + "-allowlist"]["ipallowlist.sourcerange"]);
        var split = RouteExplainer.Explain(Scale, "https://status-admin.brightlane.cloud" + path, server: ServerKey.App(3));
        Assert.Equal(string.Join(",", TestStacks.Shipped("scale").AdminCidrs), split.Router!.MiddlewareDetails[MonitoringBlueprint.StatusAdminRouter + "-allowlist"]["ipallowlist.sourcerange"]);
    }

    [Fact]
    public void Plan_route_shows_the_status_page_the_refused_admin_path_and_the_guarded_admin_host()
    {
        var outcome = PlanCommand.Evaluate(StackFiles.Load(TestStacks.RepoRoot, "prod"), "text",
            ["https://status.brightlane.io/status/brightlane", "https://status.brightlane.io/socket.io/?EIO=4", "https://status-admin.brightlane.io/dashboard"]);
        Assert.Equal(PlanCommand.ExitOk, outcome.ExitCode);
        Assert.Contains("  router status on websecure (priority 10000): Host(`status.brightlane.io`) && (Path(`/`) ||", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("https://status.brightlane.io/socket.io/?EIO=4 (host status.brightlane.io, path /socket.io/)\n  no router matches: Traefik answers 404.", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("  router status-admin on websecure (priority 10000): Host(`status-admin.brightlane.io`)\n  goes to http://uptime-kuma:3001", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("status-admin-allowlist: ipallowlist.ipstrategy.depth=1, ipallowlist.sourcerange=", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_status_page_is_watched_on_its_path_and_the_admin_host_is_up_when_it_refuses_uptime_kuma()
    {
        var hosts = MonitoringBlueprint.PlatformMonitoredHosts(TestStacks.Shipped("prod"));
        var page = hosts.Single(h => h.Name == "status-page");
        Assert.Equal(("/status", "<div id=\"app\">"), (page.HealthPath, page.Keyword));
        Assert.Equal(["200-299", "404"], page.AcceptedStatusCodes.ToArray());
        // The monitor's path is one the status host serves (Traefik's own 404 would not carry the keyword).
        Assert.Equal("status", RouteExplainer.Explain(Prod, "https://status.brightlane.io" + page.HealthPath).Router!.Router);
        Assert.Equal(["403"], hosts.Single(h => h.Name == "status-admin").AcceptedStatusCodes.ToArray());
        Assert.Contains(Prod.DnsRecords, d => d.Fqdn == "status-admin.brightlane.io" && d.Proxied);
    }
}
