using System.Text.RegularExpressions;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Storage;

/// <summary>
/// The names of MinIO buckets. An app's bucket is <c>&lt;app&gt;-&lt;name&gt;</c> unless the stack gives it its own
/// (<c>needs.buckets[].bucketName</c>, e.g. <c>tour-images</c> that a CDN rule points at). Every bucket of the stack,
/// derived or chosen, is in one namespace that the rules check: no two entries make the same bucket, and none takes a
/// name the platform keeps for itself (<see cref="PlatformPrefix"/>, and MinIO's own <c>minio</c>).
/// </summary>
public static partial class BucketNames
{
    /// <summary>Bucket names the platform keeps for its own buckets: no app's bucket starts with it.</summary>
    public const string PlatformPrefix = "platform-";

    /// <summary>
    /// MinIO's reserved bucket: <c>minio</c> is where its admin, KMS and metrics APIs live (<c>/minio/…</c>), which
    /// Traefik refuses on the public files host (minio/minio <c>cmd/</c>, <c>isMinioReservedBucket</c>: "a reserved minio bucket 'minio'").
    /// </summary>
    public const string MinioReserved = "minio";

    // S3's rules (AWS, "Bucket naming rules"), without dots: a dot breaks TLS for virtual-hosted-style URLs.
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex S3NameRegex();

    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"];

    /// <summary>Why <paramref name="name"/> cannot be a bucket an app chooses, or null.</summary>
    public static string? Problem(string name)
    {
        if (!S3NameRegex().IsMatch(name))
            return "is not a valid S3 bucket name (3–63 lower-case letters, digits and hyphens, starting and ending with a letter or digit)";
        if (ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
            return $"starts with '{prefix}', which S3 reserves";
        if (ReservedSuffixes.FirstOrDefault(s => name.EndsWith(s, StringComparison.Ordinal)) is { } suffix)
            return $"ends with '{suffix}', which S3 reserves";
        return PlatformProblem(name);
    }

    /// <summary>Why <paramref name="bucket"/> (derived or chosen) is a name the platform keeps, or null.</summary>
    public static string? PlatformProblem(string bucket) =>
        bucket == MinioReserved ? "is MinIO's reserved bucket (its admin API's path)"
        : bucket.StartsWith(PlatformPrefix, StringComparison.Ordinal) ? $"starts with '{PlatformPrefix}', which the platform keeps for its own buckets"
        : null;

    /// <summary>An app bucket's <c>bucketName</c> at <paramref name="key"/>, or null when not given (or wrong: reported).</summary>
    internal static string? ReadChosen(NodeReader r, IReadOnlyDictionary<string, YamlNode> bucket, string key, string app, string name)
    {
        if (!bucket.TryGetValue("bucketName", out var node)) return null;
        var chosen = r.String(node, key).Trim();
        if (Problem(chosen) is not { } problem) return chosen;
        r.Error(key, $"'{SettingsError.Printable(chosen, 63)}' {problem}.",
            $"Choose another name of lower-case letters, digits and hyphens, e.g. {app}-{name}-public, or remove bucketName to get {app}-{name}.");
        return null;
    }
}
