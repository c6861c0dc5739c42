using Platform.Components.Edge;
using Platform.Components.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Data;

/// <summary>Arguments of <see cref="Postgres"/>.</summary>
public sealed class PostgresArgs
{
    /// <summary>The PostgreSQL part of the blueprint: PostgreSQL, PgBouncer, the data volume, provisioning and PgBouncer's files.</summary>
    public required PartNode Spec { get; init; }

    /// <summary>Docker target, SSH target, networks, images and secrets.</summary>
    public required PartInfrastructure Infrastructure { get; init; }
}

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
        : base(Traefik.Expect(args.Spec, PartKind.Postgres), args.Infrastructure, [], opts)
    {
        PooledHost = Output.Create(ServiceNames.PgBouncer);
        PooledPort = Output.Create(AppEnvironment.PgBouncerPort);
        RegisterOutputs();
    }
}
