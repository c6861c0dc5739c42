namespace Platform.Stacks.Blueprint;

/// <summary>Route paths as Traefik v3.3 matches them: what in a configured path no request could ever match.</summary>
public static class RoutePaths
{
    /// <summary>
    /// What in a route's path Traefik would never match (v3.3): it cleans every request path first (sanitizePath removes
    /// <c>//</c>, <c>.</c> and <c>..</c> segments) and matches the decoded path, so a rule holding any of them, or a
    /// percent-escape, waits for a path no request has after cleaning and decoding. Null when the path is fine.
    /// </summary>
    public static (string Problem, string Fix)? Problem(string path)
    {
        if (path.Contains('%', StringComparison.Ordinal))
            return ("holds a '%': Traefik matches the decoded request path, so an encoded character in the rule never matches what a client sends "
                + "(Path(`/a%20b`) misses /a%20b and takes /a%2520b).",
                "Write the path without percent-escapes, using letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ (e.g. /a-b).");
        if (!path.StartsWith('/')) return null;
        var segments = path[1..].Split('/');
        if (path.Contains("//", StringComparison.Ordinal) || segments.Any(x => x is "." or ".."))
            return ("has an empty, '.' or '..' segment: Traefik cleans every request path before routing (//, /./ and /../ are resolved), so this route would never match.",
                $"Give the cleaned path: '{CleanPath(path)}'.");
        return null;
    }

    private static string CleanPath(string path)
    {
        var kept = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..") { if (kept.Count > 0) kept.RemoveAt(kept.Count - 1); continue; }
            kept.Add(segment);
        }
        return "/" + string.Join('/', kept);
    }
}
