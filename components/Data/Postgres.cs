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

    public Postgres(PostgresArgs args, ComponentResourceOptions? opts = null)
        : base(args, PartKind.Postgres, [], opts)
    {
        PooledHost = Output.Create(ServiceNames.PgBouncer);
        PooledPort = Output.Create(AppEnvironment.PgBouncerPort);
        RegisterOutputs();
    }
}
