using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Rehearsal;

/// <summary>The rehearsal's plan, offline: image swaps, local adaptations (all printed), order, hashes.</summary>
public sealed class RehearsalPlanTests
{
    private static readonly ImageMap Map = ImageMap.Parse("""
        redis: local/redis:1
        traefik: { image: local/traefik:1, standIn: true }
        minio/minio: { image: local/minio:1, standIn: true }
        "*": { image: local/app:1, standIn: true }
        """, "map.yaml").Map!;

    private static RehearsalPlan Staging(ImageMap? map = null) =>
        RehearsalPlan.Build(TestStacks.ShippedBlueprint("staging"), TestStacks.ShippedBlueprint("staging").Server,
            new RehearsalTarget(map ?? Map, "/tmp/rehearsal", "/tmp/engine/docker.sock"));

    [Fact]
    public void The_image_map_takes_a_full_reference_then_the_repository_then_the_star()
    {
        var map = ImageMap.Parse("""{ "redis:7.4.2-alpine": "a", "redis": "b", "*": { "image": "c", "standIn": true } }""", "m.json").Map!;
        Assert.Equal("a", map.Resolve("redis:7.4.2-alpine")!.Value.Image.Image);
        Assert.Equal("b", map.Resolve("redis:7.0")!.Value.Image.Image);
        Assert.Equal(("c", true), (map.Resolve("ghcr.io/x/y@sha256:00")!.Value.Image.Image, map.Resolve("ghcr.io/x/y:1")!.Value.Image.StandIn));
        Assert.Null(ImageMap.None.Resolve("redis:7"));
        Assert.Equal("registry:5000/a/b", ImageMap.Repository("registry:5000/a/b:1.2@sha256:ab"));
    }

    [Fact]
    public void A_broken_image_map_names_each_key_and_the_fix()
    {
        var (map, errors) = ImageMap.Parse("redis: { image: x, standIn: maybe }\npostgres: [a]\n", "m.yaml");
        Assert.Null(map);
        Assert.Equal(2, errors.Length);
        Assert.Contains(errors, e => e.Contains("'redis'", StringComparison.Ordinal) && e.Contains("standIn: true|false", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'postgres'", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_swap_and_adaptation_is_printed_and_applied()
    {
        var plan = Staging();
        Assert.Contains(plan.Adaptations, a => a.StartsWith("image redis:7.4.2-alpine -> local/redis:1", StringComparison.Ordinal) && !a.Contains("stand-in", StringComparison.Ordinal));
        Assert.Contains(plan.Adaptations, a => a.StartsWith("image traefik:", StringComparison.Ordinal) && a.Contains("stand-in", StringComparison.Ordinal));
        Assert.Contains(plan.Adaptations, a => a.StartsWith("no ACME", StringComparison.Ordinal));
        Assert.Contains(plan.Adaptations, a => a.StartsWith("published ports", StringComparison.Ordinal));
        var traefik = plan.Containers.Single(c => c.Config.Service == "traefik").Config;
        Assert.DoesNotContain(traefik.Command, a => a.StartsWith("--certificatesresolvers.", StringComparison.Ordinal));
        Assert.All(traefik.Ports, p => Assert.Equal("127.0.0.1", p.HostIp));
        Assert.Equal(traefik.Ports.Length, traefik.Ports.Distinct().Count());
        Assert.All(plan.Containers.SelectMany(c => c.Config.Mounts).Where(m => m.Kind == MountKind.Bind),
            m => Assert.False(m.Source.StartsWith("/srv/platform", StringComparison.Ordinal) || m.Source == "/var/run/docker.sock", m.Source));
        // Provisioning inside a stand-in cannot run: it is skipped, saying why.
        var minio = plan.Commands.Single(c => c.Name == "minio-provision");
        Assert.Contains("minio", minio.SkipReason, StringComparison.Ordinal);
        var acl = plan.Commands.Single(c => c.Name == "app-web.redis-acl");
        Assert.Null(acl.SkipReason);
        Assert.DoesNotContain(" /srv/platform/redis", acl.Stdin!.Masked, StringComparison.Ordinal);
        Assert.Contains(" /tmp/rehearsal/srv/platform/redis", acl.Stdin!.Masked, StringComparison.Ordinal);
        // Timers are the server's systemd units: never installed on this machine.
        var timers = plan.Commands.Where(c => (c.Create + c.Stdin?.Masked).Contains("systemctl", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(timers);
        Assert.All(timers, c => Assert.NotNull(c.SkipReason));
    }

    [Fact]
    public void Steps_come_after_what_they_wait_for()
    {
        var plan = Staging();
        var position = plan.Order.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        Assert.Equal(plan.Containers.Length + plan.Commands.Length, plan.Order.Length);
        foreach (var step in plan.Containers.Select(c => (c.Id, c.After)).Concat(plan.Commands.Select(c => (c.Id, c.After))))
            Assert.All(step.After, d => Assert.True(position[d] < position[step.Id], $"{step.Id} before {d}"));
        Assert.True(position["command:app-web.redis-acl"] < position["container:app-web.redis"]);
        Assert.True(position["container:postgres"] < position["command:postgres-provision"]);
    }

    [Fact]
    public void The_configuration_hash_is_stable_and_changes_with_a_label_never_with_a_secret_value()
    {
        var a = Staging().Containers;
        var b = Staging().Containers;
        Assert.Equal(a.Select(c => c.Hash), b.Select(c => c.Hash));
        var web = a.Single(c => c.Config.Service.StartsWith("web", StringComparison.Ordinal)).Config;
        Assert.NotEqual(ContainerMapping.Hash(web), ContainerMapping.Hash(web with { Labels = web.Labels.SetItem("x", "y") }));
        Assert.Matches("^[0-9a-f]{16}$", ContainerMapping.Hash(web));
    }

    [Fact]
    public void The_create_call_carries_the_record_field_by_field()
    {
        var web = Staging().Containers.Single(c => c.Config.Service.StartsWith("web", StringComparison.Ordinal)).Config;
        var create = ContainerMapping.Create(web, "web-x", t => t.Masked, new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal(web.Image, create.Image);
        Assert.Equal(web.MemoryMb * 1024L * 1024L, create.HostConfig.Memory);
        Assert.Equal(web.MemorySwapMb * 1024L * 1024L, create.HostConfig.MemorySwap);
        Assert.Equal((long)(double.Parse(web.Cpus, System.Globalization.CultureInfo.InvariantCulture) * 1e9), create.HostConfig.NanoCPUs);
        Assert.Equal(web.Healthcheck.Tests, create.Healthcheck.Test);
        Assert.Equal(TimeSpan.FromSeconds(10), create.Healthcheck.Interval);
        Assert.Equal(web.Networks[0].Network, create.HostConfig.NetworkMode);
        Assert.Equal(web.Mounts.Length, create.HostConfig.Binds.Count);
        Assert.Contains($"{HealthProbe.HostPath}:{HealthProbe.ContainerPath}:ro", create.HostConfig.Binds);
        Assert.Equal("v", create.Labels["k"]);
        Assert.All(web.Env.Keys, k => Assert.Contains(create.Env, e => e.StartsWith(k + "=", StringComparison.Ordinal)));
        Assert.Equal(TimeSpan.FromSeconds(90), ContainerMapping.GoDuration(DockerForms.Duration(90)));
        Assert.Equal(TimeSpan.FromHours(1), ContainerMapping.GoDuration(DockerForms.Duration(3600)));
    }
}
