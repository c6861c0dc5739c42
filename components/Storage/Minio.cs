using Platform.Components.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Storage;

/// <summary>Arguments of <see cref="Minio"/>: the object-storage part (MinIO, its volume, buckets, users, policies).</summary>
public sealed class MinioArgs : PartArgs;

/// <summary>MinIO with a bucket set per app and one user per app limited to its buckets.</summary>
public sealed class Minio : PlatformPart
{
    /// <summary>The S3 endpoint apps use on the data network.</summary>
    [Output("endpoint")]
    public Output<string> Endpoint { get; private set; }

    public Minio(MinioArgs args, ComponentResourceOptions? opts = null)
        : base(args, PartKind.ObjectStorage, [], opts)
    {
        Endpoint = Output.Create(AppEnvironment.MinioEndpoint);
        RegisterOutputs();
    }
}
