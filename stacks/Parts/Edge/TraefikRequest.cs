using System.Globalization;
using System.Text;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// A request as Traefik v3.3 sees it before routing: the host canonicalised (lower case, its punycode form, any trailing dot
/// kept), and the path as Go's <c>net/url</c> parses it and Traefik's entry point cleans it. <c>Path</c> is the decoded,
/// cleaned path the matchers (<c>Path</c>, <c>PathPrefix</c>) and <c>stripPrefix</c> compare against; <c>RawPath</c> is the
/// encoded form Go keeps when decoding loses information (e.g. <c>%2F</c>), empty otherwise; <c>RequestUri</c> is what
/// a backend receives (the encoded path and the query).
/// </summary>
public sealed record TraefikRequest(string Scheme, string Host, string Path, string RawPath, string RawQuery)
{
    /// <summary>The Host header as sent (the canonical host; Traefik ignores a port when matching).</summary>
    public string RequestUri => GoUrl.RequestUri(Path, RawPath, RawQuery);

    /// <summary>The encoded path (Go's <c>URL.EscapedPath</c>).</summary>
    public string EscapedPath => GoUrl.EscapedPath(Path, RawPath);

    /// <summary>
    /// Reads <paramref name="url"/> as a client sends it: the host as its punycode (browsers and curl send the ASCII form of
    /// an internationalised name), the path percent-encoded where a browser encodes it, and the fragment never sent. Then
    /// applies Traefik's <c>sanitizePath</c> (on by default, <c>pkg/server/server_entrypoint_tcp.go</c>). Returns a problem
    /// instead when the URL cannot be read, or the answer Go's HTTP server gives before Traefik sees the request.
    /// </summary>
    public static (TraefikRequest? Request, string? Problem, string? ServerAnswer) Parse(string url)
    {
        var text = url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
            return (null, $"'{url}' is not an http(s) URL; give e.g. https://app.example.com/path.", null);
        var rest = text[(schemeEnd + 3)..];
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0) rest = rest[..hash];
        var authorityEnd = rest.IndexOfAny(['/', '?']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var target = authorityEnd < 0 ? "/" : rest[authorityEnd..];
        if (target.StartsWith('?')) target = "/" + target;
        if (authority.LastIndexOf('@') is var at and >= 0) authority = authority[(at + 1)..];
        string host;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) return (null, $"'{url}' has an unclosed IPv6 address.", null);
            host = authority[1..close];
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            if (colon >= 0 && !authority[(colon + 1)..].All(char.IsAsciiDigit))
                return (null, $"'{url}' has a port that is not a number.", null);
            host = colon >= 0 ? authority[..colon] : authority;
        }
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '/' or '\\' or '%'))
            return (null, $"'{url}' has no valid host; give e.g. https://app.example.com/path.", null);
        string ascii;
        try
        {
            ascii = Punycode(host);
        }
        catch (ArgumentException e)
        {
            return (null, $"'{url}': the host '{host}' is not a valid internationalised domain name ({e.Message}).", null);
        }

        var query = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = ClientEncode(query < 0 ? target : target[..query]);
        var rawQuery = query < 0 ? "" : ClientEncode(target[(query + 1)..]);
        // Go's url.ParseRequestURI refuses a malformed escape: net/http answers 400 before any handler runs.
        if (!GoUrl.TryUnescape(rawPath, out _))
            return (null, null, $"400 Bad Request from Go's HTTP server (malformed %-escape in '{rawPath}'); Traefik never routes it");
        var (path, raw) = GoUrl.SetPath(rawPath);
        (path, raw) = GoUrl.Sanitize(path, raw);
        return (new TraefikRequest(scheme, ascii, path, raw, rawQuery), null, null);
    }

    /// <summary>The host as a client puts it in SNI and the Host header: lower case, punycode labels, a trailing dot kept.</summary>
    public static string Punycode(string host)
    {
        var dot = host.EndsWith('.') ? "." : "";
        var name = dot.Length > 0 ? host[..^1] : host;
        if (name.Length == 0) throw new ArgumentException("empty host name");
        // Lower case first, as a browser's UTS #46 mapping does (Ü and ü are one name).
        var lower = name.ToLowerInvariant();
        return (lower.All(char.IsAscii) ? lower : new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false }.GetAscii(lower)) + dot;
    }

    /// <summary>What a browser percent-encodes in a path or query it sends (the WHATWG path set, and non-ASCII as UTF-8).</summary>
    private static string ClientEncode(string s)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            if (b <= 0x20 || b >= 0x7F || b is (byte)'"' or (byte)'<' or (byte)'>' or (byte)'`' or (byte)'{' or (byte)'}')
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            else
                sb.Append((char)b);
        }
        return sb.ToString();
    }
}

/// <summary>
/// Go's <c>net/url</c> path handling, byte for byte (strings here hold one byte per char): <c>setPath</c>,
/// <c>EscapedPath</c>, <c>RequestURI</c>, <c>JoinPath</c> (which Traefik's <c>sanitizePath</c> calls) and <c>path.Clean</c>.
/// </summary>
public static class GoUrl
{
    /// <summary>Traefik's sanitizePath: <c>r.URL = r.URL.JoinPath()</c>.</summary>
    public static (string Path, string RawPath) Sanitize(string path, string rawPath)
    {
        var escaped = EscapedPath(path, rawPath);
        string p;
        if (!escaped.StartsWith('/'))
            p = Join("/" + escaped)[1..];
        else
            p = Join(escaped);
        if (escaped.EndsWith('/') && !p.EndsWith('/')) p += "/";
        return SetPath(p);
    }

    /// <summary>url.setPath: the decoded path, and the encoded form only when it differs from the default encoding.</summary>
    public static (string Path, string RawPath) SetPath(string p)
    {
        if (!TryUnescape(p, out var path)) return ("", "");
        return (path, Escape(path) == p ? "" : p);
    }

    public static string EscapedPath(string path, string rawPath)
    {
        if (rawPath.Length > 0 && ValidEncoded(rawPath) && TryUnescape(rawPath, out var p) && p == path) return rawPath;
        if (path == "*") return "*";
        return Escape(path);
    }

    public static string RequestUri(string path, string rawPath, string rawQuery)
    {
        var result = EscapedPath(path, rawPath);
        if (result.Length == 0) result = "/";
        return rawQuery.Length > 0 ? result + "?" + rawQuery : result;
    }

    public static bool TryUnescape(string s, out string result)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%')
            {
                if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                {
                    result = "";
                    return false;
                }
                sb.Append((char)Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
                sb.Append(s[i]);
        }
        result = sb.ToString();
        return true;
    }

    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (ShouldEscape(c)) sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>shouldEscape(c, encodePath).</summary>
    private static bool ShouldEscape(char c) =>
        !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '@');

    private static bool ValidEncoded(string s) =>
        s.All(c => c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@' or '[' or ']' or '%' || !ShouldEscape(c));

    /// <summary>path.Join of one element: "" stays "", anything else is cleaned.</summary>
    private static string Join(string elem) => elem.Length == 0 ? "" : Clean(elem);

    /// <summary>Go's path.Clean.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0) return ".";
        var rooted = path[0] == '/';
        var n = path.Length;
        var output = new StringBuilder();
        int r = 0, dotdot = 0;
        if (rooted)
        {
            output.Append('/');
            r = 1;
            dotdot = 1;
        }
        while (r < n)
        {
            if (path[r] == '/')
                r++;
            else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
                r++;
            else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/'))
            {
                r += 2;
                if (output.Length > dotdot)
                {
                    // Back to the last '/', which goes too (Go: out.w--, then down while out.index(out.w) != '/').
                    var w = output.Length - 1;
                    while (w > dotdot && output[w] != '/') w--;
                    output.Length = w;
                }
                else if (!rooted)
                {
                    if (output.Length > 0) output.Append('/');
                    output.Append("..");
                    dotdot = output.Length;
                }
            }
            else
            {
                if ((rooted && output.Length != 1) || (!rooted && output.Length != 0)) output.Append('/');
                for (; r < n && path[r] != '/'; r++) output.Append(path[r]);
            }
        }
        return output.Length == 0 ? "." : output.ToString();
    }

    /// <summary>A byte string (one byte per char) as readable text: UTF-8 where it decodes.</summary>
    public static string Text(string bytes) => Encoding.UTF8.GetString(bytes.Select(c => (byte)c).ToArray());
}
