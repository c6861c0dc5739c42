using MountKind = Platform.Stacks.Blueprint.MountKind;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Parts;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Server;

/// <summary>
/// A split stack's optional cache server (every Redis instance) and file server (MinIO): placement, private addresses,
/// the host packet filter, backups, budgets, cost and validation. The stack is the shipped scale stack with the two roles
/// added (<see cref="RoleStacks.ScaleWithRoles"/>), so every other setting is a reviewed one.
/// </summary>
public sealed class RoleServersTests
{
    private static readonly StackSettings Settings = TestStacks.Read(RoleStacks.ScaleWithRoles, "scale");
    private static readonly PlatformBlueprint B = BlueprintBuilder.Build(Settings);

    private static readonly string Data = PrivateAddresses.Of(ServerKey.Data);
    private static readonly string Cache = PrivateAddresses.Of(ServerKey.Cache);
    private static readonly string Files = PrivateAddresses.Of(ServerKey.Files);

    [Fact]
    public void The_roles_are_read_with_their_type_and_optional_volume()
    {
        var t = Settings.Topology!;
        Assert.Equal(new RoleServerSettings("cx22", 0), t.Cache);
        Assert.Equal(new RoleServerSettings("cx22", 200), t.Files);
        Assert.Equal([ServerKey.Data, ServerKey.Cache, ServerKey.Files], t.DataServers.ToArray());
        // The shipped scale stack declares neither: nothing of this exists there.
        var scale = TestStacks.Shipped("scale").Topology!;
        Assert.Null(scale.Cache);
        Assert.Null(scale.Files);
        Assert.Equal(["data", "app-1", "app-2", "app-3"], TestStacks.ShippedBlueprint("scale").Servers.Select(s => s.Key.Id));
    }

    [Fact]
    public void The_servers_have_fixed_addresses_the_data_firewall_and_their_role_label()
    {
        Assert.Equal(["data", "cache", "files", "app-1", "app-2", "app-3"], B.Servers.Select(s => s.Key.Id));
        Assert.Equal(["10.20.1.2", "10.20.1.3", "10.20.1.4", "10.20.1.11", "10.20.1.12", "10.20.1.13"], B.Servers.Select(s => s.PrivateIp));
        Assert.Equal(["platform-scale-data", "platform-scale-cache", "platform-scale-files"], B.Servers.Take(3).Select(s => s.Name));
        Assert.Equal(["ccx23", "cx22", "cx22"], B.Servers.Take(3).Select(s => s.Type));
        var cache = B.ServerOf(ServerKey.Cache);
        Assert.Equal("platform-scale-data", cache.FirewallName);
        Assert.Equal("cache", cache.Labels["role"]);
        Assert.Equal("files", B.ServerOf(ServerKey.Files).Labels["role"]);
        Assert.False(cache.Spread);
        Assert.Equal("server-cache", ServerKey.Cache.ResourceName);
        Assert.NotNull(cache.PrivateIpReadyCommand);
        Assert.Contains(Cache, cache.PrivateIpReadyCommand, StringComparison.Ordinal);
        Assert.Equal("the data, cache and file servers", B.Firewalls.Single(f => f.ResourceName == "firewall-data").AppliesTo);
    }

    [Fact]
    public void Every_Redis_instance_runs_on_the_cache_server_and_MinIO_on_the_file_server_with_their_volumes_and_provisioning()
    {
        var instances = RedisNames.Of(Settings);
        Assert.NotEmpty(instances);
        foreach (var i in instances)
        {
            var redis = B.Service(i.Container);
            Assert.Equal(ServerKey.Cache, redis.Host);
            Assert.Equal([new PublishedPort(Cache, i.Port, i.Port, "tcp")], redis.PublishedPorts.ToArray());
        }
        var minio = B.Service(ServiceNames.Minio);
        Assert.Equal(ServerKey.Files, minio.Host);
        Assert.Contains(new PublishedPort(Files, 9000, 9000, "tcp"), minio.PublishedPorts);
        // Nothing of Redis or MinIO is left on the data server; PostgreSQL and Uptime Kuma stay there.
        Assert.DoesNotContain(B.Services, x => x.Host == ServerKey.Data && x.Part.Kind is PartKind.Redis or PartKind.ObjectStorage);
        Assert.Equal(ServerKey.Data, B.Service(ServiceNames.Postgres).Host);
        Assert.Equal(ServerKey.Data, B.Service(ServiceNames.UptimeKuma).Host);
        // Their volumes: the cache server has no Hetzner Volume (its data on its disk), the file server has one of 200 GB.
        Assert.All(B.Volumes.Where(v => v.Part.Kind == PartKind.Redis), v => Assert.Equal((ServerKey.Cache, (string?)null), (v.Host, v.HostPath)));
        var minioData = B.Volumes.Single(v => v.Name == "minio-data");
        Assert.Equal((ServerKey.Files, "/srv/platform/data/minio-data"), (minioData.Host, minioData.HostPath));
        var volume = Assert.Single(B.RoleVolumes);
        Assert.Equal(("platform-scale-files", 200, ServerKey.Files, true), (volume.Name, volume.SizeGb, volume.Server, volume.Protect));
        Assert.Contains("sudo install -d -m 0755 /srv/platform/data/minio-data", volume.MountScript, StringComparison.Ordinal);
        Assert.Same(volume, B.DataVolumeOf(ServerKey.Files));
        Assert.Null(B.DataVolumeOf(ServerKey.Cache));
        Assert.Equal(ServerKey.Data, B.DataVolume!.Server);
        Assert.DoesNotContain("minio-data", B.DataVolume.MountScript, StringComparison.Ordinal);
        // Provisioning runs where its service is.
        Assert.Equal(ServerKey.Files, B.HostCommands.Single(c => c.Name == "minio-provision").Host);
        Assert.All(B.HostCommands.Where(c => c.Part.Kind == PartKind.Redis), c => Assert.Equal(ServerKey.Cache, c.Host));
        // Docker networks and volumes of the same name on several servers stay apart.
        Assert.Equal(B.Networks.Length, B.Networks.Select(n => n.Key).Distinct().Count());
        Assert.Equal(B.Volumes.Length, B.Volumes.Select(v => v.Key).Distinct().Count());
        Assert.Contains(B.Networks, n => n.Name == ServiceNames.PublishNetwork && n.Host == ServerKey.Cache);
    }

    [Fact]
    public void Apps_reach_Redis_at_the_cache_server_and_MinIO_at_the_file_server_and_Traefik_routes_files_there()
    {
        var api = B.Services.First(x => x.App == "api");
        Assert.Contains(new ExtraHost(RedisNames.Alias, Cache), api.ExtraHosts);
        Assert.Contains(new ExtraHost(ServiceNames.Minio, Files), api.ExtraHosts);
        Assert.Contains(new ExtraHost(ServiceNames.PgBouncer, Data), api.ExtraHosts);
        Assert.Equal($"http://{Files}:9000", B.FileRoutes.Single(r => r.Router == "minio").ServiceUrl);
        Assert.All(B.FileRoutes.Where(r => r.Router.StartsWith("minio", StringComparison.Ordinal)), r => Assert.StartsWith($"http://{Files}:", r.ServiceUrl, StringComparison.Ordinal));
        // Uptime Kuma's monitors keep their names (app-api.redis:24567, minio:9000), which resolve to the servers' addresses.
        var kuma = B.Service(ServiceNames.UptimeKuma);
        Assert.Contains(new ExtraHost(ServiceNames.Minio, Files), kuma.ExtraHosts);
        Assert.All(RedisNames.Of(Settings), i => Assert.Contains(new ExtraHost(i.Container, Cache), kuma.ExtraHosts));
        // Prometheus scrapes the Redis exporter on the cache server (next to the instances) and MinIO on the file server.
        var exporter = B.Service(ObservabilityNames.RedisExporter);
        Assert.Equal(ServerKey.Cache, exporter.Host);
        Assert.Equal([new PublishedPort(Cache, ObservabilityNames.RedisExporterPort, ObservabilityNames.RedisExporterPort, "tcp")], exporter.PublishedPorts.ToArray());
        Assert.Equal(ServerKey.Cache, B.HostCommands.Single(c => c.Name == "redis-exporter-passwords").Host);
        var targets = ScrapeTargets.From(B);
        Assert.All(targets.Where(x => x.Job == "redis"), x => Assert.Equal($"{Cache}:{ObservabilityNames.RedisExporterPort}", x.Address));
        Assert.Equal($"{Files}:9000", targets.Single(x => x.Job == "minio").Address);
        Assert.Contains(targets, x => x.Job == "node" && x.Server == "cache");
    }

    [Fact]
    public void The_cache_and_file_servers_admit_their_ports_only_from_the_servers_that_need_them()
    {
        var apps = B.AppServers.Select(a => a.PrivateIp!).ToArray();
        var cache = HostFirewall.PrivatePortRules(Settings, B, ServerKey.Cache).ToDictionary(r => r.Port);
        // api's instance runs on every app server; so does web: each Redis instance from the app servers and the data server (monitors).
        foreach (var i in RedisNames.Of(Settings))
            Assert.Equal([.. apps, Data], cache[i.Port].Sources.ToArray());
        Assert.Equal([Data], cache[ObservabilityNames.RedisExporterPort].Sources.ToArray());
        Assert.Equal([Data], cache[ObservabilityNames.NodeExporterPort].Sources.ToArray());
        Assert.Equal(B.Services.Where(x => x.Host == ServerKey.Cache).SelectMany(x => x.PublishedPorts).Select(p => p.HostPort).Order(), cache.Keys.Order());
        var files = HostFirewall.PrivatePortRules(Settings, B, ServerKey.Files).ToDictionary(r => r.Port);
        Assert.Equal([.. apps, Data], files[9000].Sources.ToArray());
        Assert.Equal([Data], files[ObservabilityNames.NodeExporterPort].Sources.ToArray());
        // The data server: PostgreSQL only from the app servers; Uptime Kuma and Loki also from the cache and file servers
        // (their host metrics, backup heartbeats and logs).
        var data = HostFirewall.PrivatePortRules(Settings, B, ServerKey.Data).ToDictionary(r => r.Port);
        Assert.DoesNotContain(Cache, data[5432].Sources);
        Assert.DoesNotContain(Files, data[6432].Sources);
        Assert.Equal([.. apps, Cache, Files], data[MonitoringBlueprint.UptimeKumaPort].Sources.ToArray());
        Assert.Equal([.. apps, Cache, Files], data[ObservabilityNames.LokiPort].Sources.ToArray());
        // Nothing of Redis or MinIO is published on the data server any more.
        Assert.DoesNotContain(9000, data.Keys);
        Assert.All(RedisNames.Of(Settings), i => Assert.DoesNotContain(i.Port, data.Keys));
        var script = B.HostCommands.Single(c => c.Name == "host-firewall@cache").Stdin!.Masked;
        Assert.Contains($"-A {HostFirewall.PrivateChain} -s {Data}/32 -p tcp -m conntrack --ctorigdstport {ObservabilityNames.RedisExporterPort} -j RETURN", script, StringComparison.Ordinal);
        Assert.Contains($"-d {Cache}/32 -p tcp -m conntrack --ctstate NEW -j {HostFirewall.PrivateChain}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_server_archives_its_own_data_with_its_own_runner_and_reports_to_Uptime_Kuma_on_the_data_server()
    {
        var jobs = B.Backups.Select(j => j.Name).Order(StringComparer.Ordinal).ToArray();
        var timers = B.HostCommands.Where(c => c.Name.StartsWith(BackupsBlueprint.BackupTimersCommand, StringComparison.Ordinal)).ToDictionary(c => c.Host);
        Assert.Equal([ServerKey.Data, ServerKey.Cache, ServerKey.Files], timers.Keys.OrderBy(k => k.Role));
        string[] JobsOf(ServerKey k) => [.. jobs.Where(j => timers[k].Stdin!.Masked.Contains($"{BackupTimers.Unit(j)}.timer", StringComparison.Ordinal))];
        Assert.Equal(["postgres-daily", "postgres-hourly"], JobsOf(ServerKey.Data));
        Assert.Equal(["redis-api", "redis-web"], JobsOf(ServerKey.Cache));
        Assert.Equal(["minio"], JobsOf(ServerKey.Files));
        // Every job is on exactly one server: none is lost, none runs twice.
        Assert.Equal(jobs, timers.Keys.SelectMany(JobsOf).Order(StringComparer.Ordinal));
        // The cache server's runner mounts the Redis dumps, and only those; its timers push to the data server's address.
        var runner = B.Service("backup@cache");
        Assert.Equal((ServerKey.Cache, Backups.RunnerName), (runner.Host, runner.ContainerName));
        Assert.Equal(["app-api.redis.dumps", "app-web.redis.dumps"], runner.Mounts.Where(m => m.Kind == MountKind.Volume).Select(m => m.Source).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(runner.Files, f => f.Path.EndsWith("/postgres-daily.env", StringComparison.Ordinal));
        Assert.Contains(runner.Files, f => f.Path.EndsWith("/redis-api.env", StringComparison.Ordinal));
        var cacheTimers = timers[ServerKey.Cache].Stdin!.Masked;
        Assert.Contains($"http://{Data}:{MonitoringBlueprint.UptimeKumaPort}/api/push/", cacheTimers, StringComparison.Ordinal);
        Assert.DoesNotContain("docker inspect", cacheTimers, StringComparison.Ordinal);
        Assert.Contains("backup@cache", timers[ServerKey.Cache].DependsOnServices);
        Assert.DoesNotContain(ServiceNames.UptimeKuma, timers[ServerKey.Cache].DependsOnServices);
        Assert.Equal(["minio-data"], B.Service("backup@files").Mounts.Where(m => m.Kind == MountKind.Volume).Select(m => m.Source));
        // The data server's runner keeps PostgreSQL's dumps only.
        Assert.Equal(["backup-postgres-dumps"], B.Service(Backups.RunnerName).Mounts.Where(m => m.Kind == MountKind.Volume).Select(m => m.Source));
        // The heartbeat monitors are the same ones, on Uptime Kuma.
        Assert.Contains(B.Monitors, m => m.Target.Contains("backup-redis-api", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cache_and_file_servers_report_their_host_metrics_and_reboots_like_app_servers()
    {
        foreach (var k in new[] { ServerKey.Cache, ServerKey.Files })
        {
            var metrics = B.Service(k.Qualify(Platform.Stacks.Operations.HostMetrics.ContainerName));
            Assert.Equal(k, metrics.Host);
            Assert.Contains(B.Monitors, m => m.Target.Contains($"threshold-cpu-{k.Id}", StringComparison.Ordinal));
            Assert.Contains(B.Monitors, m => m.Target.Contains(Reboots.MonitorId(k), StringComparison.Ordinal));
            Assert.Contains(B.HostCommands, c => c.Name == k.Qualify("image-hygiene") && c.Host == k);
            Assert.Contains(B.HostCommands, c => c.Name == k.Qualify(HostCommandNames.HostFirewall) && c.Host == k);
        }
        Assert.Equal("reboot-required-cache", Reboots.MonitorId(ServerKey.Cache));
        Assert.Empty(Policies.Check(B));
    }

    [Fact]
    public void With_a_reboot_window_the_cache_and_file_servers_reboot_between_the_app_servers_and_the_data_server()
    {
        var yaml = RoleStacks.ScaleWithRoles.Replace("  platform:serverLocation: fsn1\n", "  platform:serverLocation: fsn1\n  platform:rebootWindow: \"03:00\"\n", StringComparison.Ordinal);
        var b = BlueprintBuilder.Build(TestStacks.Read(yaml, "scale"));
        Assert.Equal(["03:00", "03:20", "03:40", "04:00", "04:20", "04:40"],
            new[] { ServerKey.App(1), ServerKey.App(2), ServerKey.App(3), ServerKey.Cache, ServerKey.Files, ServerKey.Data }.Select(k => b.ServerOf(k).RebootAt));
        Assert.Contains("Redis is down for about 2 minutes", b.HostCommands.Single(c => c.Name == "reboot-policy@cache").Description, StringComparison.Ordinal);
        var data = b.HostCommands.Single(c => c.Name == ServerKey.Data.Qualify(Reboots.CommandName)).Description;
        Assert.Contains("the databases and Uptime Kuma are down", data, StringComparison.Ordinal);
        Assert.DoesNotContain("MinIO", data, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_server_has_its_own_memory_budget_and_cost_line()
    {
        Assert.Equal(B.Servers.Select(s => s.Key), B.Budgets.Select(b => b.Server));
        Assert.All(B.Budgets, b => Assert.True(b.Fits, $"{b.Server}: {b.TotalMb} MB of {b.ServerMemoryMb} MB"));
        var cache = B.Budgets.Single(b => b.Server == ServerKey.Cache);
        Assert.Equal(4096, cache.ServerMemoryMb);
        Assert.Equal(RedisNames.Of(Settings).Sum(i => B.Service(i.Container).Limits.MemoryMb), cache.Lines.Where(l => RedisNames.IsContainer(l.Name)).Sum(l => l.TotalMb));
        Assert.Contains(B.Budgets.Single(b => b.Server == ServerKey.Files).Lines, l => l.Name == ServiceNames.Minio);
        // The data server's budget lost exactly what moved.
        var scale = TestStacks.ShippedBlueprint("scale");
        var moved = B.Budgets.Where(b => b.Server.Role is ServerRole.Cache or ServerRole.Files).Sum(b => b.Lines.Where(l => l.Kind == "data").Sum(l => l.TotalMb));
        Assert.Equal(scale.Budgets[0].Lines.Where(l => l.Kind == "data").Sum(l => l.TotalMb) - moved, B.Budgets[0].Lines.Where(l => l.Kind == "data").Sum(l => l.TotalMb));

        Assert.Contains(B.Cost.Lines, l => l.Item.StartsWith("Hetzner cx22 cache server", StringComparison.Ordinal) && l.Quantity == 1);
        Assert.Contains(B.Cost.Lines, l => l.Item.StartsWith("Hetzner cx22 file server", StringComparison.Ordinal));
        Assert.Equal(6, B.Cost.Lines.Single(l => l.Item.StartsWith("Primary IPv4", StringComparison.Ordinal)).Quantity);
        Assert.Equal(200, B.Cost.Lines.Single(l => l.Item.Contains("platform:servers.files.volumeGb", StringComparison.Ordinal)).Quantity);
        Assert.DoesNotContain(B.Cost.Lines, l => l.Item.Contains("servers.cache.volumeGb", StringComparison.Ordinal));
        Assert.Equal(B.Servers.Select(s => s.Key), B.Cost.PerServer.Select(c => c.Server));
        // What the servers cost alone plus what they share is the total.
        var shared = B.Cost.Lines.Where(l => l.Item.Contains("load balancer", StringComparison.Ordinal) || l.Item.StartsWith("Off-site", StringComparison.Ordinal)).Sum(l => l.MonthlyEur);
        Assert.Equal(B.Cost.MonthlyEur, B.Cost.PerServer.Sum(c => c.MonthlyEur) + shared);
        Assert.Equal(13.89m, B.Cost.PerServer.Single(c => c.Server == ServerKey.Files).MonthlyEur);
        // The figures docs/topology.md gives for this stack.
        Assert.Equal([6312, 1672, 2296], B.Budgets.Take(3).Select(b => b.TotalMb).ToArray());
        Assert.Equal(82.23m, B.Cost.MonthlyEur);
        Assert.Equal([32.49m, 5.09m, 13.89m], B.Cost.PerServer.Take(3).Select(c => c.MonthlyEur).ToArray());
    }

    [Fact]
    public void The_plan_shows_the_roles_servers()
    {
        var text = Platform.Stacks.Plan.PlanText.Render(B);
        Assert.Contains("cache: platform-scale-cache, cache server, Hetzner cx22", text, StringComparison.Ordinal);
        Assert.Contains("files: platform-scale-files, file server, Hetzner cx22", text, StringComparison.Ordinal);
        Assert.Contains("no Hetzner Volume: its data stays on the server's own disk (platform:servers.cache.volumeGb adds one)", text, StringComparison.Ordinal);
        Assert.Contains("data volume platform-scale-files: Hetzner Volume, 200 GB", text, StringComparison.Ordinal);
        Assert.Contains("minio [data] minio/minio:", text, StringComparison.Ordinal);
        Assert.Contains(" on files\n", text, StringComparison.Ordinal);
        var mermaid = Platform.Stacks.Plan.PlanMermaid.Render(B);
        Assert.Contains("subgraph server_cache[\"platform-scale-cache (cx22) 10.20.1.3\"]", mermaid, StringComparison.Ordinal);
        Assert.Contains("backup__files -->|off-site, encrypted| s3", mermaid, StringComparison.Ordinal);
        Assert.Contains("\"role\": \"cache\"", Platform.Stacks.Plan.PlanJson.Render(B), StringComparison.Ordinal);
    }

    private static IReadOnlyList<SettingsError> Errors(string servers, string? stack = null) =>
        TestStacks.TryRead(RoleStacks.WithServers(servers, stack), "scale").Errors;

    [Fact]
    public void An_unknown_role_is_refused_at_its_key_with_the_known_ones()
    {
        var e = Assert.Single(Errors("    redis: { type: cx22 }\n"));
        Assert.Equal("platform:servers.redis", e.Key);
        Assert.Contains("cache", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_server_without_any_Redis_is_refused_with_the_fix()
    {
        var scale = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml"));
        var noRedis = scale.Replace("      needs:\n        redis: true                      # its own instance (sessions): 64 MB, allkeys-lru\n", "", StringComparison.Ordinal)
            .Replace("        redis: { maxMemoryMb: 128, evictionPolicy: noeviction }   # the job queue: nothing may be evicted\n", "", StringComparison.Ordinal)
            .Replace("        redisOf: api                     # pops the jobs the API pushes: one keyspace\n", "", StringComparison.Ordinal);
        Assert.Empty(RedisNames.Of(TestStacks.Read(noRedis, "scale")));
        var e = Assert.Single(Errors("    cache: { type: cx22 }\n", noRedis));
        Assert.Equal("platform:servers.cache", e.Key);
        Assert.Contains("no app uses Redis", e.Problem, StringComparison.Ordinal);
        Assert.Contains("Remove platform:servers.cache", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    cache: { type: cx99 }\n", "platform:servers.cache.type", "cx22")]
    [InlineData("    files: { volumeGb: 100 }\n", "platform:servers.files.type", "cx22")]
    [InlineData("    files: { type: cx22, volumeGb: 5 }\n", "platform:servers.files.volumeGb", "")]
    [InlineData("    cache: { type: cx22, count: 2 }\n", "platform:servers.cache.count", "Remove cache.count")]
    [InlineData("    cache: { type: cx22, disk: 10 }\n", "platform:servers.cache.disk", "volumeGb")]
    [InlineData("    files: cx22\n", "platform:servers.files", "type")]
    public void A_bad_role_server_is_refused_at_its_key(string servers, string key, string fix)
    {
        var e = Assert.Single(Errors(servers));
        Assert.Equal(key, e.Key);
        Assert.Contains(fix, e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_server_too_small_for_its_Redis_is_refused_with_a_type_that_fits()
    {
        // Two instances of 2 GB maxmemory: each container is given twice that (copy-on-write of snapshots).
        var big = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml"))
            .Replace("redis: { maxMemoryMb: 128,", "redis: { maxMemoryMb: 2048,", StringComparison.Ordinal)
            .Replace("        redis: true                      # its own instance (sessions): 64 MB, allkeys-lru", "        redis: { maxMemoryMb: 2048 }", StringComparison.Ordinal);
        var e = Assert.Single(Errors("    cache: { type: cx22 }\n", big));
        Assert.True(e.Problem.Contains("The memory budget of cache does not fit", StringComparison.Ordinal), e.Problem + " | " + e.Fix);
        Assert.Equal("platform:servers.cache.type", e.Key);
        Assert.Contains("The memory budget of cache does not fit", e.Problem, StringComparison.Ordinal);
        Assert.Contains("e.g. cx42", e.Fix, StringComparison.Ordinal);
        Assert.Contains("redisMaxMemoryMb", e.Fix, StringComparison.Ordinal);
        // The same Redis fits on a larger cache server.
        Assert.Empty(Errors("    cache: { type: cx42 }\n", big));
    }
}

/// <summary>The shipped scale stack with a cache server and a file server, as <c>docs/topology.md</c> shows it.</summary>
public static class RoleStacks
{
    /// <summary>The lines that declare the two roles, under <c>platform:servers</c>.</summary>
    public const string Roles = "    cache:\n      type: cx22\n    files:\n      type: cx22\n      volumeGb: 200\n";

    public static string ScaleWithRoles => WithServers(Roles);

    /// <summary><paramref name="stack"/> (default: the shipped scale stack) with <paramref name="servers"/> added under <c>platform:servers</c>.</summary>
    public static string WithServers(string servers, string? stack = null)
    {
        const string data = "    data:\n      type: ccx23\n      volumeGb: 100\n";
        var scale = stack ?? File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml"));
        Assert.Contains(data, scale, StringComparison.Ordinal);
        return scale.Replace(data, data + servers, StringComparison.Ordinal);
    }
}
