using Platform.Components.Data;
using Platform.Components.Edge;
using Platform.Components.Parts;
using Platform.Components.Storage;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Apps;

/// <summary>Arguments of <see cref="App"/>: one app's part (its instances, routes, grants), and the parts it uses.</summary>
public sealed class AppArgs : PartArgs
{
    /// <summary>The parts the app uses. Each default: none (required when the spec depends on it).</summary>
    public Traefik? Edge { get; init; }

    /// <inheritdoc cref="Edge"/>
    public Postgres? Postgres { get; init; }

    /// <inheritdoc cref="Edge"/>
    public MariaDb? MariaDb { get; init; }

    /// <inheritdoc cref="Edge"/>
    public Redis? Redis { get; init; }

    /// <inheritdoc cref="Edge"/>
    public Minio? Minio { get; init; }
}

/// <summary>One app: its instances, each replaced create-before-delete behind Traefik, after the data it needs is provisioned.</summary>
public sealed class App : PlatformPart
{
    /// <summary>How many instances run.</summary>
    [Output("instances")]
    public Output<int> Instances { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public App(string name, AppArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.App, [args.Edge, args.Postgres, args.MariaDb, args.Redis, args.Minio], opts)
    {
        Instances = AfterWorkloads(Containers.Count);
        RegisterOutputs();
    }
}
