using Docker.DotNet.Models;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The shipped staging stack's Docker layer on the real engine, by the rehearsal's code: every container comes up
/// (healthy, or a one-shot that exited 0), a second apply recreates nothing, only Traefik publishes ports, and
/// <c>--down</c> leaves nothing behind.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class StagingRehearsalTests(LocalImages images)
{
    [DockerFact]
    public async Task Staging_comes_up_healthy_a_second_apply_recreates_nothing_and_down_leaves_nothing()
    {
        var blueprint = TestStacks.ShippedBlueprint("staging");
        await using var rehearsal = Rehearsal.Open(blueprint, images.Map);
        var first = await rehearsal.UpAsync();

        var planned = rehearsal.Plan.Containers;
        Assert.Equal(planned.Length, first.Created.Count);
        foreach (var c in planned)
        {
            var container = Assert.Single(await rehearsal.ContainersOf(c.Config.Service, all: true));
            var state = (await rehearsal.Docker.Containers.InspectContainerAsync(container.ID)).State;
            if (c.Config.RunToCompletion)
                Assert.True(state.ExitCode == 0 && !state.Running, $"{c.Config.Service}: the one-shot did not exit 0 ({state.Status}, exit {state.ExitCode})");
            else if (c.Config.MustRun)
                Assert.True(state.Running && state.Health?.Status == "healthy", $"{c.Config.Service}: {state.Status}, health {state.Health?.Status}");
        }
        // The apps' health checks are the probe's exec (no shell): they passed in images without curl or wget.
        Assert.Contains(planned, c => c.Config.Service.StartsWith("web", StringComparison.Ordinal)
            && c.Config.Healthcheck.Tests[1] == HealthProbe.ContainerPath);

        // Ports: the blueprint publishes only Traefik's, and the engine binds exactly those (on loopback here).
        Assert.All(blueprint.Services.Where(s => s.Kind != ServiceKind.Edge), s => Assert.Empty(s.PublishedPorts));
        foreach (var c in planned.Where(c => c.Config.MustRun))
        {
            var inspect = await rehearsal.Docker.Containers.InspectContainerAsync(Assert.Single(await rehearsal.ContainersOf(c.Config.Service)).ID);
            var bound = (inspect.NetworkSettings.Ports ?? new Dictionary<string, IList<global::Docker.DotNet.Models.PortBinding>>())
                .Where(p => p.Value is { Count: > 0 })
                .SelectMany(p => p.Value.Select(b => $"{b.HostIP}:{b.HostPort}->{p.Key}")).Order(StringComparer.Ordinal).ToList();
            var expected = c.Config.Ports.Select(p => $"{p.HostIp}:{p.HostPort}->{p.ContainerPort}/{p.Protocol}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, bound);
            Assert.DoesNotContain(bound, b => b.StartsWith("0.0.0.0:", StringComparison.Ordinal));
        }

        var second = await rehearsal.UpAsync();
        Assert.Empty(second.Created);
        Assert.Empty(second.Removed);
        Assert.Empty(second.CommandsRun);
        Assert.Equal(planned.Length, second.Unchanged.Count);

        await rehearsal.DisposeAsync();
        var label = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{RehearsalEngine.StackLabel}={blueprint.Stack}"] = true },
        };
        using var docker = DockerEngine.Client();
        Assert.Empty(await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = label }));
        Assert.Empty(await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = label }));
        Assert.Empty((await docker.Volumes.ListAsync(new VolumesListParameters { Filters = label })).Volumes ?? []);
        Assert.False(Directory.Exists(rehearsal.State.Directory));
    }
}
