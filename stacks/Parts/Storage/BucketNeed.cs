using System.Collections.Immutable;

namespace Platform.Stacks.Parts.Storage;

/// <summary>Access another app is granted to a bucket.</summary>
public enum BucketAccess { Read, ReadWrite }

/// <summary>One grant: <paramref name="App"/> may read (or read and write) the bucket.</summary>
public sealed record BucketGrant(string App, BucketAccess Access);

public sealed record BucketNeed(string Name, bool PublicRead)
{
    /// <summary>Other apps' access to this bucket. Default: none (only the owner).</summary>
    public ImmutableArray<BucketGrant> Grants { get; init; } = [];

    /// <summary>The bucket's name in MinIO chosen by the stack (<c>bucketName</c>), checked against every other. Default: none, <c>&lt;app&gt;-&lt;name&gt;</c>.</summary>
    public string? BucketName { get; init; }

    /// <summary>The bucket's name in MinIO: <see cref="BucketName"/>, or <c>&lt;app&gt;-&lt;name&gt;</c>.</summary>
    public string FullName(string app) => BucketName ?? $"{app}-{Name}";
}
