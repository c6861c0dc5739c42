using Platform.Components.Parts;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.MariaDb;
using Pulumi;

namespace Platform.Components.Data;

/// <summary>Arguments of <see cref="MariaDb"/>: the MariaDB part (the server, its volumes, each app's database and user).</summary>
public sealed class MariaDbArgs : PartArgs;

/// <summary>MariaDB for MySQL-protocol apps: one database and one user per app, no remote root, no published port.</summary>
public sealed class MariaDb : PlatformPart
{
    /// <summary>MariaDB's host name on the data network.</summary>
    [Output("host")]
    public Output<string> Host { get; private set; }

    /// <summary>MariaDB's port.</summary>
    [Output("port")]
    public Output<int> Port { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public MariaDb(string name, MariaDbArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.MariaDb, [], opts)
    {
        Host = Containers[MariaDbNames.Service].Name;
        Port = AfterWorkloads(MariaDbNames.Port);
        RegisterOutputs();
    }

    /// <summary><paramref name="app"/>'s URL of its database (secret): what its <c>${database.url}</c> is.</summary>
    public Output<string> ConnectionFor(string app) => Connection(app);
}
