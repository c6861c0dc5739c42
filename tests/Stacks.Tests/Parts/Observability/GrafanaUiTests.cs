using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Parts;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary>Grafana's UI: one admin host, the admin allowlist in front, Grafana's login behind, never public.</summary>
public sealed class GrafanaUiTests
{
    private static IReadOnlyList<SettingsError> Errors(string extra, string? apps = null) =>
        SettingsReader.TryRead(StackFiles.Parse("platform", "staging", TestStacks.Yaml(apps, extra))).Errors;

    [Fact]
    public void On_a_single_server_Traefik_routes_the_admin_host_to_Grafana_only_from_the_admin_cidrs()
    {
        var settings = TestStacks.Shipped("prod");
        var b = BlueprintBuilder.Build(settings);
        var grafana = b.Services.Single(s => s.Name == ObservabilityNames.Grafana);
        Assert.Contains(b.DnsRecords, d => d.Fqdn == "grafana.brightlane.io" && d.Proxied);
        // Traefik's middleware names carry a hash of their settings (versioned); the router uses the allowlist.
        var allowlist = grafana.Labels.Single(l => l.Key.StartsWith("traefik.http.middlewares.grafana-allowlist", StringComparison.Ordinal) && l.Key.EndsWith(".ipallowlist.sourcerange", StringComparison.Ordinal));
        Assert.Equal(string.Join(",", settings.AdminCidrs), allowlist.Value);
        var middleware = allowlist.Key["traefik.http.middlewares.".Length..^".ipallowlist.sourcerange".Length];
        Assert.Contains(middleware, grafana.Labels.Single(l => l.Key.StartsWith("traefik.http.routers.grafana", StringComparison.Ordinal) && l.Key.EndsWith(".middlewares", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        Assert.Empty(grafana.PublishedPorts);
        Assert.Equal("https://grafana.brightlane.io/", grafana.Env["GF_SERVER_ROOT_URL"].Masked);
        Assert.Equal("false", grafana.Env["GF_AUTH_ANONYMOUS_ENABLED"].Masked);
        Assert.True(grafana.Files.Single(f => f.Path == grafana.Env["GF_SECURITY_ADMIN_PASSWORD__FILE"].Masked).Content.IsSecret);
        // Uptime Kuma is outside the allowlist: the host is up when it answers 403, which proves the route and the guard.
        Assert.Contains(b.Monitors, m => m.Name.Contains("grafana", StringComparison.Ordinal) && m.Target.Contains("grafana.brightlane.io", StringComparison.Ordinal));
        Assert.Empty(Policies.Check(b));
    }

    [Fact]
    public void On_a_split_stack_every_Traefik_routes_it_to_the_data_servers_private_address_behind_the_allowlist()
    {
        var settings = TestStacks.Shipped("scale");
        var b = BlueprintBuilder.Build(settings);
        var route = b.FileRoutes.Single(r => r.Router == ObservabilityNames.Grafana);
        Assert.Equal("http://10.20.1.2:3000", route.ServiceUrl);
        Assert.Equal(settings.AdminCidrs, route.AllowCidrs);
        var grafana = b.Services.Single(s => s.Name == ObservabilityNames.Grafana);
        Assert.Equal(ServerKey.Data, grafana.Host);
        Assert.Equal(new PublishedPort("10.20.1.2", 3000, 3000, "tcp"), Assert.Single(grafana.PublishedPorts));
        Assert.DoesNotContain(grafana.Labels.Keys, k => k.StartsWith("traefik.", StringComparison.Ordinal));
        // The data server's firewall stays closed: Grafana is reached through the app servers' Traefik only.
        Assert.Empty(Policies.Check(b));
    }

    [Fact]
    public void Its_own_allowlist_and_host_are_checked_under_their_keys()
    {
        var errors = Errors("""
            platform:observability: { enabled: true, host: "no such host", allowCidrs: [10.0.0.1/8, nonsense] }
            """);
        Assert.Contains(errors, e => e.Key == "platform:observability.host");
        Assert.Contains(errors, e => e.Key == "platform:observability.allowCidrs[0]" && e.Fix.Contains("10.0.0.0/8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:observability.allowCidrs[1]");
        var empty = Errors("""
            platform:observability: { enabled: true, allowCidrs: [] }
            """);
        Assert.Contains(empty, e => e.Key == "platform:observability.allowCidrs" && e.Fix.Contains("adminCidrs", StringComparison.Ordinal));
    }

    [Fact]
    public void An_app_route_on_the_grafana_host_is_refused()
    {
        var errors = Errors("""
            platform:observability: { enabled: true }
            """, """
            - name: web
              image: ghcr.io/example/web:2.0.0
              port: 3000
              routes: [{ host: grafana }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 256
            """);
        Assert.Contains(errors, e => e.Key == "platform:apps[0].routes[0].host" && e.Problem.Contains("platform:observability.host", StringComparison.Ordinal));
    }
}

/// <summary>MinIO's metrics need no token once the part is on, so the public files host must never serve them.</summary>
public sealed class MinioMetricsExposureTests
{
    [Fact]
    public void On_a_single_server_the_files_host_refuses_every_metrics_path_above_its_own_route()
    {
        var minio = TestStacks.ShippedBlueprint("prod").Services.Single(s => s.Name == ServiceNames.Minio);
        string Label(string router, string suffix) =>
            minio.Labels.Single(l => l.Key.StartsWith($"traefik.http.{router}", StringComparison.Ordinal) && l.Key.EndsWith(suffix, StringComparison.Ordinal)
                && (router.Contains("metrics", StringComparison.Ordinal) || !l.Key.Contains("metrics", StringComparison.Ordinal))
                && !l.Key.Contains(MinioBlueprint.RefusedService, StringComparison.Ordinal)).Value;
        var filesPriority = int.Parse(Label("routers.minio-", ".priority"), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < ObservabilityNames.MinioMetricsPrefixes.Count; i++)
        {
            var router = ObservabilityNames.MinioMetricsRouter(i);
            Assert.Contains(ObservabilityNames.MinioMetricsPrefixes[i], Label($"routers.{router}-", ".rule"), StringComparison.Ordinal);
            Assert.True(int.Parse(Label($"routers.{router}-", ".priority"), System.Globalization.CultureInfo.InvariantCulture) > filesPriority);
            Assert.Equal("127.0.0.1/32", Label($"middlewares.{router}-allowlist", ".ipallowlist.sourcerange"));
        }
        Assert.Contains(ObservabilityNames.MinioMetricsPath, ObservabilityNames.MinioMetricsPrefixes.Select(p => p + "/cluster"));
    }

    [Fact]
    public void On_a_split_stack_every_Traefik_refuses_them_too()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var files = b.FileRoutes.Single(r => r.Router == "minio");
        foreach (var prefix in ObservabilityNames.MinioMetricsPrefixes)
        {
            var route = b.FileRoutes.Single(r => r.Rule.Contains($"Path(`{prefix}`)", StringComparison.Ordinal));
            Assert.Equal("127.0.0.1/32", Assert.Single(route.AllowCidrs));
            Assert.True(route.Priority > files.Priority);
        }
    }
}
