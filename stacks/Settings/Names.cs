using System.Collections.Frozen;
using System.Net;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Settings;

/// <summary>Syntax rules for the names a stack file contains.</summary>
public static partial class Names
{
    [GeneratedRegex("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")]
    private static partial Regex DomainRegex();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex LabelRegex();

    /// <summary>An app's (volume's, job's, channel's) name: also the stack file schema's pattern.</summary>
    public const string AppNamePattern = "^[a-z][a-z0-9-]{0,28}[a-z0-9]$";

    [GeneratedRegex(AppNamePattern)]
    private static partial Regex AppNameRegex();

    /// <summary>An environment variable's name: also the stack file schema's pattern.</summary>
    public const string EnvNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    [GeneratedRegex(EnvNamePattern)]
    private static partial Regex EnvNameRegex();

    [GeneratedRegex("^[^@\\s]+@[a-z0-9.-]+\\.[a-z]{2,}$")]
    private static partial Regex EmailRegex();

    [GeneratedRegex("^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")]
    private static partial Regex PathRegex();

    [GeneratedRegex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) ([A-Za-z0-9+/]+={0,2})( [^\\r\\n]*)?$")]
    private static partial Regex SshKeyRegex();

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryRegex();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagRegex();

    /// <summary>An image digest: also the stack file schema's pattern.</summary>
    public const string DigestPattern = "^sha256:[a-f0-9]{64}$";

    [GeneratedRegex(DigestPattern)]
    private static partial Regex DigestRegex();

    /// <summary>Whether <paramref name="value"/> is a digest as registries and Docker write it (<c>sha256:</c> and 64 hexadecimal digits).</summary>
    public static bool IsDigest(string value) => DigestRegex().IsMatch(value);

    /// <summary>Tags that move: an image with one of these is not pinned.</summary>
    public static readonly FrozenSet<string> FloatingTags = new[]
    {
        "latest", "stable", "edge", "main", "master", "nightly", "dev", "develop", "alpine", "lts", "current", "rolling", "beta", "next",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsDomain(string s) => DomainRegex().IsMatch(s);

    public static bool IsLabel(string s) => LabelRegex().IsMatch(s);

    public static bool IsAppName(string s) => AppNameRegex().IsMatch(s);

    public static bool IsEnvName(string s) => EnvNameRegex().IsMatch(s);

    public static bool IsEmail(string s) => EmailRegex().IsMatch(s);

    public static bool IsPathPrefix(string s) => PathRegex().IsMatch(s) && !s.Contains("//", StringComparison.Ordinal) && (s == "/" || !s.EndsWith('/'));

    /// <summary>Whether the text is one OpenSSH public key line with a well-formed base64 body.</summary>
    public static bool IsSshPublicKey(string s)
    {
        var m = SshKeyRegex().Match(s.Trim());
        if (!m.Success) return false;
        Span<byte> buffer = new byte[m.Groups[2].Value.Length];
        return Convert.TryFromBase64String(m.Groups[2].Value, buffer, out var written) && written > 16;
    }

    /// <summary>A short name for an SSH key: its comment, or its type and a fingerprint-like tail.</summary>
    public static string SshKeyName(string key, int index)
    {
        var parts = key.Trim().Split(' ', 3);
        var comment = parts.Length == 3 ? parts[2].Trim() : "";
        var cleaned = new string(comment.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return cleaned.Length > 0 ? cleaned : $"key-{index + 1}";
    }

    /// <summary>Parses a CIDR and says whether it is in canonical form (no host bits set).</summary>
    public static bool TryParseCidr(string s, out IPNetwork network, out bool canonical)
    {
        canonical = false;
        network = default;
        if (!s.Contains('/') || !IPNetwork.TryParse(s, out network))
        {
            // IPNetwork.TryParse rejects host bits; tell a non-canonical CIDR from garbage.
            var slash = s.IndexOf('/');
            if (slash > 0 && IPAddress.TryParse(s[..slash], out var addr) && int.TryParse(s[(slash + 1)..], out var len)
                && len >= 0 && len <= (addr.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            {
                network = new IPNetwork(Mask(addr, len), len);
                return true;
            }
            return false;
        }
        canonical = network.ToString() == s;
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }

    /// <summary>Checks an image reference is well formed and pinned; returns the problem, or null when fine.</summary>
    public static string? ImageProblem(string image)
    {
        if (string.IsNullOrWhiteSpace(image)) return "is empty.";
        var rest = image;
        string? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestRegex().IsMatch(digest)) return $"has a malformed digest '{digest}'.";
        }
        string? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        var firstSlash = rest.IndexOf('/');
        var repository = firstSlash > 0 && (rest[..firstSlash].Contains('.') || rest[..firstSlash].Contains(':') || rest[..firstSlash] == "localhost")
            ? rest[(firstSlash + 1)..]
            : rest;
        if (!RepositoryRegex().IsMatch(repository)) return $"'{image}' is not a valid image name.";
        if (tag is not null && !TagRegex().IsMatch(tag)) return $"has a malformed tag '{tag}'.";
        if (digest is null && tag is null) return $"'{image}' has no tag, so it means ':latest' and moves.";
        if (digest is null && FloatingTags.Contains(tag!)) return $"'{image}' uses the moving tag '{tag}'.";
        return null;
    }
}
