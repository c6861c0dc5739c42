using Platform.Components.Data;
using Platform.Components.Monitoring;
using Platform.Components.Parts;
using Platform.Components.Storage;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Backups;

/// <summary>Arguments of <see cref="Backups"/>: the backups part (runner, agents, their volumes), and the parts it uses.</summary>
public sealed class BackupsArgs : PartArgs
{
    /// <summary>The parts whose data is backed up, and the monitoring the jobs report to. Each default: none (required when the spec depends on it).</summary>
    public Postgres? Postgres { get; init; }

    /// <inheritdoc cref="Postgres"/>
    public MariaDb? MariaDb { get; init; }

    /// <inheritdoc cref="Postgres"/>
    public Redis? Redis { get; init; }

    /// <inheritdoc cref="Postgres"/>
    public Minio? Minio { get; init; }

    /// <inheritdoc cref="Postgres"/>
    public UptimeKuma? Monitoring { get; init; }

    /// <summary>The apps whose volumes the app-volumes job archives. Default: none.</summary>
    public IReadOnlyList<Apps.App> Apps { get; init; } = [];
}

/// <summary>Scheduled off-site backups of every stateful part, each job with a heartbeat monitor.</summary>
public sealed class Backups : PlatformPart
{
    /// <summary>How many backup containers run.</summary>
    [Output("containers")]
    public Output<int> ContainerCount { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public Backups(string name, BackupsArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.Backups, [args.Postgres, args.MariaDb, args.Redis, args.Minio, args.Monitoring, .. args.Apps], opts)
    {
        ContainerCount = AfterWorkloads(Containers.Count);
        RegisterOutputs();
    }
}
