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

    public MariaDb(MariaDbArgs args, ComponentResourceOptions? opts = null)
        : base(args, PartKind.MariaDb, [], opts)
    {
        Host = Output.Create(MariaDbNames.Service);
        Port = Output.Create(MariaDbNames.Port);
        RegisterOutputs();
    }
}
