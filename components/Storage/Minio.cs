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

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public Minio(string name, MinioArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.ObjectStorage, [], opts)
    {
        Endpoint = Containers[ServiceNames.Minio].Name.Apply(host => $"http://{host}:{AppEnvironment.MinioPort}");
        RegisterOutputs();
    }
}
