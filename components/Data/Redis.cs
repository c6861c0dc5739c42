using Platform.Components.Edge;
using Platform.Components.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Data;

/// <summary>Arguments of <see cref="Redis"/>.</summary>
public sealed class RedisArgs
{
    /// <summary>The Redis part of the blueprint: Redis, its AOF volume, its ACL file (one user per app).</summary>
    public required PartNode Spec { get; init; }

    /// <summary>Docker target, SSH target, networks, images and secrets.</summary>
    public required PartInfrastructure Infrastructure { get; init; }
}

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
        : base(Traefik.Expect(args.Spec, PartKind.Redis), args.Infrastructure, [], opts)
    {
        Host = Output.Create(ServiceNames.Redis);
        Port = Output.Create(AppEnvironment.RedisPort);
        RegisterOutputs();
    }
}
