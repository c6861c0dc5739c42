using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Redis;

/// <summary>The Redis part built from typed settings, with no stack file (<see cref="RedisPart.Build"/>).</summary>
public sealed class RedisPartTests
{
    [Fact]
    public void Typed_settings_give_one_instance_per_app_with_its_acl_file_and_connection()
    {
        var spec = RedisPart.Build(new RedisSettings { MaxMemoryMb = 256, EvictionPolicy = "noeviction" }, ["shop", "blog"]);
        Assert.Equal(["blog", "shop"], spec.Instances.Select(i => i.Owner));
        Assert.All(spec.Services, s => Assert.Equal((512, "redis:7.4.2-alpine"), (s.Limits.MemoryMb, s.Image)));
        Assert.All(spec.Services, s => Assert.Contains("maxmemory-policy noeviction", s.Files.Single().Content.Masked, StringComparison.Ordinal));
        Assert.Equal(spec.Services.Select(s => RedisNames.AclCommand(s.Name["app-".Length..^".redis".Length])), spec.HostCommands.Select(h => h.Name));
        Assert.Equal(2, spec.Volumes.Length);
        Assert.Equal("redis://:<secret:app.shop.redis>@redis:6379/0", spec.Connections["shop"].Masked);
        Assert.Equal([SecretNames.RedisAdmin, SecretNames.Redis("blog"), SecretNames.Redis("shop")], spec.Secrets.Select(s => s.Name));
        var part = spec.AsPart();
        Assert.Equal((PartId.Redis, 2, 2), (part.Id, part.Services.Length, part.HostCommands.Length));
        Assert.Equal(spec.Connections, part.Connections);
    }

    [Fact]
    public void A_stacks_redis_is_the_same_part_the_typed_settings_build()
    {
        // The default stack's api asks for its own Redis; with backups and observability off nothing else touches it.
        var blueprint = TestStacks.Build(TestStacks.Yaml(extra: "platform:backupsEnabled: false"));
        // A stack adds to each of its data services a guard against files of a newer format (Parts.Upgrades, a pass over all
        // of the stack's data services); a part used alone does not get it.
        var guard = Platform.Stacks.Data.MajorVersionGuard.CommandName(Platform.Stacks.Parts.Redis.RedisNames.Container("api"));
        bool IsGuard(string command) => command == guard;
        var fromStack = blueprint.Services.Where(s => s.Part == PartId.Redis)
            .Select(s => s with { AfterHostCommands = [.. s.AfterHostCommands.Where(c => !IsGuard(c))] }).ToList();
        Assert.NotEmpty(fromStack);
        Assert.Contains(blueprint.HostCommands, h => IsGuard(h.Name));
        var spec = RedisPart.Build(TestStacks.Read(TestStacks.Yaml(extra: "platform:backupsEnabled: false")).Redis, ["api"]);
        // Compared as JSON: the records hold immutable arrays, which compare by reference.
        Assert.Equal(Json(fromStack), Json(spec.Services));
        Assert.Equal(Json(fromStack.Select(Platform.Stacks.Canonical.ContainerConfigs.Of)), Json(spec.Services.Select(Platform.Stacks.Canonical.ContainerConfigs.Of)));
        Assert.Equal(Json(blueprint.HostCommands.Where(h => h.Part == PartId.Redis && !IsGuard(h.Name))), Json(spec.HostCommands));
        Assert.Equal(Json(blueprint.Volumes.Where(v => v.Part == PartId.Redis)), Json(spec.Volumes));
        Assert.Equal(PartGraph.Of(blueprint).Single(p => p.Id == PartId.Redis).Connections, spec.Connections);
    }

    private static string Json<T>(IEnumerable<T> items) => System.Text.Json.JsonSerializer.Serialize(items.ToList());

    [Fact]
    public void Every_error_is_reported_at_once_with_its_key_and_fix()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            RedisPart.Build(new RedisSettings { Image = "redis:latest", MaxMemoryMb = 1, EvictionPolicy = "lru" }, ["Shop", "blog", "blog"]));
        Assert.Contains("Redis has 5 configuration error(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("platform:redisImage", error.Message, StringComparison.Ordinal);
        Assert.Contains("platform:redisMaxMemoryMb: is 1, out of range. Fix: Use a value from 16", error.Message, StringComparison.Ordinal);
        Assert.Contains("platform:redisEvictionPolicy", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Shop' is not an app name", error.Message, StringComparison.Ordinal);
        Assert.Contains("'blog' is given twice", error.Message, StringComparison.Ordinal);
    }
}
