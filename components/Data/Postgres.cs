using Platform.Components.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Data;

/// <summary>Arguments of <see cref="Postgres"/>: the PostgreSQL part (PostgreSQL, PgBouncer, the data volume, provisioning, PgBouncer's files).</summary>
public sealed class PostgresArgs : PartArgs;

/// <summary>
/// PostgreSQL behind PgBouncer: the database server with its data volume, a database and a role per app
/// (provisioned over SSH with the same SCRAM verifiers PgBouncer holds), and PgBouncer reloaded in place.
/// </summary>
public sealed class Postgres : PlatformPart
{
    /// <summary>Where apps connect: PgBouncer's host name on the data network.</summary>
    [Output("pooledHost")]
    public Output<string> PooledHost { get; private set; }

    /// <summary>PgBouncer's port.</summary>
    [Output("pooledPort")]
    public Output<int> PooledPort { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public Postgres(string name, PostgresArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.Postgres, [], opts)
    {
        PooledHost = Containers[ServiceNames.PgBouncer].Name;
        PooledPort = AfterWorkloads(AppEnvironment.PgBouncerPort);
        RegisterOutputs();
    }

    /// <summary><paramref name="app"/>'s URL of its database through PgBouncer (secret): what its <c>${database.url}</c> is.</summary>
    public Output<string> ConnectionFor(string app) => Connection(app);
}
