using Platform.Components.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Data;

/// <summary>Arguments of <see cref="Redis"/>: the Redis part (Redis, its AOF volume, its ACL file).</summary>
public sealed class RedisArgs : PartArgs;

/// <summary>Redis with one ACL user per app, whose ACL file is written on the server and loaded in place.</summary>
public sealed class Redis : PlatformPart
{
    /// <summary>Redis's host name on the data network.</summary>
    [Output("host")]
    public Output<string> Host { get; private set; }

    /// <summary>Redis's port.</summary>
    [Output("port")]
    public Output<int> Port { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public Redis(string name, RedisArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.Redis, [], opts)
    {
        // Every instance answers to the same alias on its group's network.
        Host = AfterWorkloads(Stacks.Parts.Redis.RedisNames.Alias);
        Port = AfterWorkloads(AppEnvironment.RedisPort);
        RegisterOutputs();
    }

    /// <summary><paramref name="app"/>'s URL of its Redis instance (secret): what its <c>${redis.url}</c> is.</summary>
    public Output<string> ConnectionFor(string app) => Connection(app);
}
