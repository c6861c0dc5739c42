using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Parts.Server;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The cache server and the file server of the scale stack with both roles (<see cref="RoleStacks.ScaleWithRoles"/>), each
/// server's Docker layer applied to the real engine by the rehearsal's code: every container of that server comes up
/// healthy (the real Redis and redis_exporter from Debian on the cache server), with the host commands placed there
/// (the Redis ACL files, the exporter's passwords, the backup timers), and the backup runner there mounts only its
/// server's data. MinIO and the backup runner are stand-ins (not in Debian).
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class RoleServersRehearsalTests(LocalImages images)
{
    private static PlatformBlueprint Blueprint() => BlueprintBuilder.Build(TestStacks.Read(RoleStacks.ScaleWithRoles, "scale"));

    [DockerFact]
    public async Task The_cache_servers_layer_comes_up_healthy_with_the_real_Redis_instances_and_their_backup_runner()
    {
        var blueprint = Blueprint();
        await using var rehearsal = Rehearsal.Open(blueprint, images.Map, ServerKey.Cache);
        await rehearsal.UpAsync();
        var services = rehearsal.Plan.Containers.Select(c => c.Config.Service).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(blueprint.Services.Where(s => s.Host == ServerKey.Cache).Select(s => s.Name).ToHashSet(StringComparer.Ordinal), services);
        Assert.Contains("backup@cache", services);
        foreach (var c in rehearsal.Plan.Containers.Where(c => !blueprint.Service(c.Config.Service).OneShot))
        {
            var state = (await rehearsal.Docker.Containers.InspectContainerAsync(await rehearsal.ContainerOf(c.Config.Service))).State;
            Assert.True(state.Running && (state.Health is null || state.Health.Status == "healthy"), $"{c.Config.Service}: {state.Status}, health {state.Health?.Status}\n{rehearsal.Log}");
        }
        // Each Redis instance is healthy by its own check: the health user's PING, whose ACL file the host command here wrote.
        Assert.All(Platform.Stacks.Parts.Redis.RedisNames.Of(TestStacks.Read(RoleStacks.ScaleWithRoles, "scale")), i => Assert.Contains(i.Container, services));
        // The runner here has the Redis dumps and nothing of PostgreSQL or MinIO.
        var runner = await rehearsal.Docker.Containers.InspectContainerAsync(await rehearsal.ContainerOf("backup@cache"));
        Assert.Equal(["app-api.redis.dumps", "app-web.redis.dumps"], runner.Mounts.Where(m => m.Type == "volume").Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    [DockerFact]
    public async Task The_file_servers_layer_comes_up_healthy_with_MinIO_and_its_backup_runner()
    {
        var blueprint = Blueprint();
        await using var rehearsal = Rehearsal.Open(blueprint, images.Map, ServerKey.Files);
        await rehearsal.UpAsync();
        var services = rehearsal.Plan.Containers.Select(c => c.Config.Service).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(ServiceNames.Minio, services);
        Assert.Contains("backup@files", services);
        Assert.DoesNotContain(ServiceNames.Postgres, services);
        var runner = await rehearsal.Docker.Containers.InspectContainerAsync(await rehearsal.ContainerOf("backup@files"));
        Assert.Equal(["minio-data"], runner.Mounts.Where(m => m.Type == "volume").Select(m => m.Name));
        Assert.True((await rehearsal.Docker.Containers.InspectContainerAsync(await rehearsal.ContainerOf(ServiceNames.Minio))).State.Health?.Status == "healthy", rehearsal.Log.ToString());
    }
}
