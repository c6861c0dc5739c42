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

    public Redis(RedisArgs args, ComponentResourceOptions? opts = null)
        : base(args, PartKind.Redis, [], opts)
    {
        Host = Output.Create(ServiceNames.Redis);
        Port = Output.Create(AppEnvironment.RedisPort);
        RegisterOutputs();
    }
}
