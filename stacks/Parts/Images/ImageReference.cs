namespace Platform.Stacks.Parts.Images;

/// <summary>
/// An image reference as Docker reads it (<c>distribution/reference</c>'s <c>ParseNormalizedNamed</c>): the first path
/// component is a registry host when it holds a <c>.</c> or a <c>:</c> or is <c>localhost</c>; otherwise the image is on
/// Docker Hub, where a one-component name is under <c>library/</c>. No tag means <c>latest</c>.
/// </summary>
/// <param name="Registry">The registry's host (and port) as written, or <c>docker.io</c>.</param>
/// <param name="Repository">The repository path on it, e.g. <c>library/postgres</c>.</param>
/// <param name="Tag">The tag (<c>latest</c> when none is written).</param>
/// <param name="Digest">The digest after <c>@</c>, when the reference is already pinned.</param>
public sealed record ImageReference(string Registry, string Repository, string Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary>The host the registry API answers on (Docker Hub's API is not on docker.io itself).</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>
    /// Plain HTTP only for a registry on this machine (localhost, 127.0.0.0/8, ::1), as Docker treats those as insecure by
    /// default; every other registry over HTTPS.
    /// </summary>
    public bool IsLoopback
    {
        get
        {
            var host = Registry.StartsWith('[') ? Registry[1..Registry.IndexOf(']', StringComparison.Ordinal)] : Registry.Split(':')[0];
            return host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
        }
    }

    /// <summary>A digest as registries and Docker write it.</summary>
    public static bool IsDigest(string value) => Settings.Names.IsDigest(value);

    /// <summary>
    /// The reference, or null with the reason: what <see cref="Settings.Names.ImageProblem"/> says of it (the same rule the
    /// stack's images and the policy <c>pinned-images</c> follow, so a version tag or a digest is required).
    /// </summary>
    public static (ImageReference? Reference, string? Problem) Parse(string reference)
    {
        if (Settings.Names.ImageProblem(reference) is { } problem) return (null, problem.TrimEnd('.'));
        string? digest = null;
        var name = reference;
        if (reference.IndexOf('@', StringComparison.Ordinal) is var at and >= 0)
            (name, digest) = (reference[..at], reference[(at + 1)..]);
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tag = "latest";
        if (colon > slash) (name, tag) = (name[..colon], name[(colon + 1)..]);
        var first = name.IndexOf('/');
        return first > 0 && (name[..first].Contains('.') || name[..first].Contains(':') || name[..first] == "localhost")
            ? (new ImageReference(name[..first], name[(first + 1)..], tag, digest), null)
            : (new ImageReference(DockerHub, first < 0 ? $"library/{name}" : name, tag, digest), null);
    }
}
