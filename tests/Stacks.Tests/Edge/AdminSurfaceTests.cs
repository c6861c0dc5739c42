using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// What of the platform's own services the public hosts serve: MinIO's S3 API on <c>files</c> but not its admin or KMS API,
/// and its console only where it is routed. Each answer is the route explainer's, on the rendered labels and file routes.
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
        Assert.StartsWith(BlueprintBuilder.MinioRefusedService + "-", router.Router, StringComparison.Ordinal);
        // The allowlist admits loopback only, which no client reaching Traefik has: every request gets 403.
        var allow = Assert.Single(router.MiddlewareDetails, d => d.Value.ContainsKey("ipallowlist.sourcerange"));
        Assert.Equal("127.0.0.1/32", allow.Value["ipallowlist.sourcerange"]);
        Assert.Contains(answer.Shadowed, r => r.Target == ServiceNames.Minio && !r.Router.StartsWith(BlueprintBuilder.MinioRefusedService, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AdminPaths))]
    public void Every_traefik_of_a_split_stack_refuses_them_too(string path)
    {
        foreach (var server in Scale.AppServers)
        {
            var answer = RouteExplainer.Explain(Scale, "https://files.brightlane.cloud" + path, server: server.Key);
            Assert.StartsWith(BlueprintBuilder.MinioRefusedService + "-", answer.Router!.Router, StringComparison.Ordinal);
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
            Assert.DoesNotContain(minio.PublishedPorts, p => p.ContainerPort == BlueprintBuilder.MinioConsolePort);
            Assert.DoesNotContain(minio.Labels.Keys, k => k.Contains(BlueprintBuilder.MinioConsoleRouter, StringComparison.Ordinal));
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
}
