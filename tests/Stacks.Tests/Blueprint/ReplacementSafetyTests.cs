using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// What keeps a create-before-delete replacement free of downtime and a one-shot's failure visible:
/// rules over the blueprint, so they hold for every stack.
/// </summary>
public sealed class ReplacementSafetyTests
{
    /// <summary>Traefik objects (kind, name) a container defines, with their full configuration.</summary>
    private static Dictionary<(string Kind, string Name), string> Objects(IReadOnlyDictionary<string, string> labels) =>
        labels.Where(l => l.Key.StartsWith("traefik.http.", StringComparison.Ordinal))
            .GroupBy(l => (Kind: l.Key.Split('.')[2], Name: l.Key.Split('.')[3]))
            .ToDictionary(g => g.Key, g => string.Join("\n", g.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)));

    /// <summary>
    /// Traefik drops every object that two containers define differently under one name. So an old and a
    /// new container, running side by side during a replacement, must never share a name with different
    /// configurations: over every label change the app settings allow.
    /// </summary>
    [Theory]
    [InlineData("path")]
    [InlineData("rateLimit")]
    [InlineData("healthPath")]
    [InlineData("sticky")]
    [InlineData("host")]
    [InlineData("port")]
    [InlineData("stripPrefix")]
    [InlineData("headers")]
    [InlineData("maxBodyMb")]
    [InlineData("routeRateLimit")]
    [InlineData("allowCidrs")]
    [InlineData("compress")]
    public void An_old_and_a_new_container_never_define_one_traefik_name_differently(string change)
    {
        var settings = TestStacks.Shipped("prod");
        var api = settings.Apps.Single(a => a.Name == "api");
        var changed = change switch
        {
            "path" => api with { Routes = [.. api.Routes.Select(r => r with { PathPrefix = "/api/v2" })] },
            "rateLimit" => api with { RateLimit = new RateLimitSettings(api.RateLimit!.Average + 1, api.RateLimit.Burst) },
            "healthPath" => api with { HealthPath = "/ready" },
            "sticky" => api with { Routes = [.. api.Routes.Select(r => r with { Websockets = !r.Websockets })] },
            "host" => api with { Routes = [.. api.Routes.Select(r => r with { Host = "api" })] },
            "port" => api with { Port = api.Port + 1 },
            "stripPrefix" => api with { Routes = [.. api.Routes.Select(r => r with { StripPrefix = true })] },
            "headers" => api with { Routes = [.. api.Routes.Select(r => r with { Headers = new HeaderSettings(HeaderPreset.Secure, false, null, null) })] },
            "maxBodyMb" => api with { Routes = [.. api.Routes.Select(r => r with { MaxBodyMb = 100, Websockets = false })] },
            "routeRateLimit" => api with { Routes = [.. api.Routes.Select(r => r with { RateLimit = new RateLimitSettings(5, 10) })] },
            "allowCidrs" => api with { Routes = [.. api.Routes.Select(r => r with { AllowCidrs = ["203.0.113.0/24"] })] },
            "compress" => api with { Routes = [.. api.Routes.Select(r => r with { Compress = true })] },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        var before = BlueprintBuilder.Build(settings).Service("api-1").Labels;
        var after = BlueprintBuilder.Build(settings with { Apps = settings.Apps.Replace(api, changed) }).Service("api-1").Labels;
        Assert.NotEqual(before, after);

        var old = Objects(before);
        var @new = Objects(after);
        Assert.NotEmpty(old);
        foreach (var (key, config) in @new)
            if (old.TryGetValue(key, out var oldConfig))
                Assert.Equal(oldConfig, config);
    }

    [Fact]
    public void Unchanged_labels_keep_their_names_so_old_and_new_instances_share_one_service()
    {
        var a = TestStacks.ShippedBlueprint("prod");
        var b = BlueprintBuilder.Build(TestStacks.Shipped("prod"));
        Assert.Equal(a.Service("api-1").Labels, b.Service("api-1").Labels);
        // Two instances of one app share their routers and service: Traefik balances across both.
        // (Only the log label naming the instance differs.)
        Assert.Equal(a.Service("api-1").Labels.Remove("platform.instance"), a.Service("api-2").Labels.Remove("platform.instance"));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Every_one_shot_is_checked_and_the_status_page_goes_public_only_after_the_setup_succeeded(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var oneShots = b.Services.Where(s => s.OneShot).ToList();
        Assert.NotEmpty(oneShots);
        foreach (var oneShot in oneShots)
        {
            var check = Assert.Single(b.HostCommands, c => c.Name == OneShotChecks.Name(oneShot.Name));
            Assert.Equal([oneShot.Name], check.DependsOnServices.ToArray());
            Assert.Contains($"docker inspect -f '{{{{.State.ExitCode}}}}' {oneShot.ContainerName}", check.Create, StringComparison.Ordinal);
            Assert.Contains("exit 1", check.Create, StringComparison.Ordinal);
        }

        // Uptime Kuma itself carries no route; its status page (pages and assets) and its admin host are file routes behind
        // the setup's check.
        Assert.DoesNotContain(b.Service("uptime-kuma").Labels.Keys, k => k.StartsWith("traefik.", StringComparison.Ordinal));
        Assert.Equal([$"status.{b.Domain}", $"status.{b.Domain}", $"status-admin.{b.Domain}"], b.FileRoutes.Select(r => r.Fqdn).ToArray());
        Assert.All(b.FileRoutes, r => Assert.Equal(OneShotChecks.Name("uptime-kuma-setup"), r.AfterCommand));
        var status = b.FileRoutes[0];
        var writer = Assert.Single(b.HostCommands, c => c.Name == HostCommandNames.TraefikFileRoutes);
        Assert.Equal([status.AfterCommand], writer.AfterCommands.ToArray());
        Assert.Contains($"Host(`status.{b.Domain}`)", writer.Stdin!.Masked, StringComparison.Ordinal);
        Assert.Contains("http://uptime-kuma:3001", writer.Stdin.Masked, StringComparison.Ordinal);
        Assert.Contains(b.Service("traefik").Mounts, m => m.Source == EdgeBlueprint.TraefikDynamicHostDirectory && m.ReadOnly);
    }

    [Fact]
    public void The_file_routes_are_valid_traefik_dynamic_configuration()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, Dictionary<string, Dictionary<string, Dictionary<string, object>>>>>(EdgeBlueprint.FileRoutesYaml(b.FileRoutes));
        var router = yaml["http"]["routers"]["status"];
        Assert.StartsWith("Host(`status.brightlane.io`) && (Path(`/`) || ", (string)router["rule"], StringComparison.Ordinal);
        Assert.Equal("status", router["service"]);
        Assert.Equal(["websecure"], ((List<object>)router["entryPoints"]).Cast<string>());
        var servers = (List<object>)((Dictionary<object, object>)yaml["http"]["services"]["status"]["loadBalancer"])["servers"];
        Assert.Equal("http://uptime-kuma:3001", ((Dictionary<object, object>)servers.Single())["url"]);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void No_container_is_protected_only_servers_and_stateful_volumes(string stack)
    {
        // The model has no protection for containers at all: a protected container could never be replaced
        // by an image bump or a config change. What must survive is the data (volumes) and the server.
        Assert.DoesNotContain(typeof(ServiceSpec).GetProperties(), p => p.Name.Contains("Protect", StringComparison.Ordinal));
        var b = TestStacks.ShippedBlueprint(stack);
        Assert.Equal(b.IsProd, b.Server.Protect);
        Assert.All(b.Volumes.Where(v => v.Name is "postgres-data" or "redis-data" or "minio-data" or "uptime-kuma-data"), v => Assert.Equal(b.IsProd, v.Protect));
    }
}
