using Platform.Components.Edge;
using Platform.Components.Parts;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.MariaDb;
using Pulumi;

namespace Platform.Components.Data;

/// <summary>Arguments of <see cref="MariaDb"/>.</summary>
public sealed class MariaDbArgs
{
    /// <summary>The MariaDB part of the blueprint: the server, its volumes, the provisioning of each app's database and user.</summary>
    public required PartNode Spec { get; init; }

    /// <summary>Docker target, SSH target, networks, images and secrets.</summary>
    public required PartInfrastructure Infrastructure { get; init; }
}

/// <summary>MariaDB for MySQL-protocol apps: one database and one user per app, no remote root, no published port.</summary>
public sealed class MariaDb : PlatformPart
{
    /// <summary>MariaDB's host name on the data network.</summary>
    [Output("host")]
    public Output<string> Host { get; private set; }

    /// <summary>MariaDB's port.</summary>
    [Output("port")]
    public Output<int> Port { get; private set; }

    public MariaDb(MariaDbArgs args, ComponentResourceOptions? opts = null)
        : base(Traefik.Expect(args.Spec, PartKind.MariaDb), args.Infrastructure, [], opts)
    {
        Host = Output.Create(MariaDbNames.Service);
        Port = Output.Create(MariaDbNames.Port);
        RegisterOutputs();
    }
}
