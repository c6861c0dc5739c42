using System.Text.RegularExpressions;

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
public sealed partial record ImageReference(string Registry, string Repository, string Tag, string? Digest)
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
    public static bool IsDigest(string value) => DigestPattern().IsMatch(value);

    /// <summary>The reference, or null with the reason.</summary>
    public static (ImageReference? Reference, string? Problem) Parse(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.Any(char.IsWhiteSpace))
            return (null, "an image reference has no spaces and is not empty");
        string? digest = null;
        var name = reference;
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = reference[(at + 1)..];
            name = reference[..at];
            if (!IsDigest(digest)) return (null, $"'{digest}' is not a sha256 digest");
        }
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tag = "latest";
        if (colon > slash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!TagPattern().IsMatch(tag)) return (null, $"'{tag}' is not a tag (letters, digits, '_', '.', '-'; up to 128)");
        }
        var first = name.IndexOf('/');
        string registry, repository;
        if (first > 0 && (name[..first].Contains('.') || name[..first].Contains(':') || name[..first] == "localhost"))
        {
            registry = name[..first];
            repository = name[(first + 1)..];
        }
        else
        {
            registry = DockerHub;
            repository = first < 0 ? $"library/{name}" : name;
        }
        if (!RepositoryPattern().IsMatch(repository)) return (null, $"'{repository}' is not a repository path (lower-case components separated by '/')");
        return (new ImageReference(registry, repository, tag, digest), null);
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
