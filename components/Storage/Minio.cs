using Platform.Components.Edge;
using Platform.Components.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Storage;

/// <summary>Arguments of <see cref="Minio"/>.</summary>
public sealed class MinioArgs
{
    /// <summary>The object-storage part of the blueprint: MinIO, its volume, buckets, users and policies.</summary>
    public required PartNode Spec { get; init; }

    /// <summary>Docker target, SSH target, networks, images and secrets.</summary>
    public required PartInfrastructure Infrastructure { get; init; }
}

/// <summary>MinIO with a bucket set per app and one user per app limited to its buckets.</summary>
public sealed class Minio : PlatformPart
{
    /// <summary>The S3 endpoint apps use on the data network.</summary>
    [Output("endpoint")]
    public Output<string> Endpoint { get; private set; }

    public Minio(MinioArgs args, ComponentResourceOptions? opts = null)
        : base(Traefik.Expect(args.Spec, PartKind.ObjectStorage), args.Infrastructure, [], opts)
    {
        Endpoint = Output.Create($"http://{ServiceNames.Minio}:{AppEnvironment.MinioPort}");
        RegisterOutputs();
    }
}
