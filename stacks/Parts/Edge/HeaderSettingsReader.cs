using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Edge;

/// <summary>Reads a route's <c>headers</c>: the preset, frame and content-security policies, and CORS.</summary>
internal static class HeaderSettingsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> HeaderKeys => Apps.AppSchema.Headers.Keys;
    public static System.Collections.Immutable.ImmutableArray<string> CorsKeys => Apps.AppSchema.Cors.Keys;
    public static readonly string[] CorsMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    public static HeaderSettings Read(NodeReader r, YamlNode node, string hk)
    {
        var hm = r.Mapping(node, hk, HeaderKeys);
        var preset = HeaderPreset.Secure;
        if (hm.TryGetValue("preset", out var presetNode))
        {
            var text = r.String(presetNode, $"{hk}.preset");
            preset = text switch
            {
                "secure" => HeaderPreset.Secure,
                "minimal" => HeaderPreset.Minimal,
                _ => r.Fail($"{hk}.preset", $"is '{text}'.", "Use secure (the platform's headers, the default) or minimal (HSTS only, for an app that sets its own).", HeaderPreset.Secure),
            };
        }
        bool? frameDeny = hm.TryGetValue("frameDeny", out var fdNode) ? r.Bool(fdNode, $"{hk}.frameDeny", true) : null;
        string? csp = null;
        if (hm.TryGetValue("contentSecurityPolicy", out var cspNode))
        {
            csp = r.String(cspNode, $"{hk}.contentSecurityPolicy").Trim();
            if (csp.Length == 0 || csp.Any(c => c is '\r' or '\n' or ','))
                r.Error($"{hk}.contentSecurityPolicy", "is empty or holds a line break or a comma.", "Give one policy line, directives separated by ';', e.g. \"default-src 'self'\".");
        }
        CorsSettings? cors = null;
        if (hm.TryGetValue("cors", out var corsNode))
        {
            var ck = $"{hk}.cors";
            var cm = r.Mapping(corsNode, ck, CorsKeys);
            var origins = r.StringList(cm.GetValueOrDefault("origins"), $"{ck}.origins");
            if (origins.IsEmpty)
                r.Error($"{ck}.origins", "is required and must list at least one origin.", "List the sites allowed to call the API, e.g. [https://app.example.com].");
            for (var i = 0; i < origins.Length; i++)
            {
                if (origins[i] != "*" && !(Uri.TryCreate(origins[i], UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                    && uri.AbsolutePath == "/" && !origins[i].EndsWith('/') && uri.Query.Length == 0 && !origins[i].Contains(',')))
                    r.Error($"{ck}.origins[{i}]", $"'{origins[i]}' is not an origin.", "Write scheme and host (and port), without a path or trailing '/', e.g. https://app.example.com — or '*' for any site.");
            }
            var methods = cm.TryGetValue("methods", out var methodsNode) ? r.StringList(methodsNode, $"{ck}.methods") : ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
            for (var i = 0; i < methods.Length; i++)
            {
                if (!CorsMethods.Contains(methods[i]))
                    r.Error($"{ck}.methods[{i}]", $"'{methods[i]}' is not an HTTP method CORS allows here.", $"Use some of: {string.Join(", ", CorsMethods)} (upper case).");
            }
            var headerNames = cm.TryGetValue("headers", out var headersNode) ? r.StringList(headersNode, $"{ck}.headers") : ["Authorization", "Content-Type"];
            for (var i = 0; i < headerNames.Length; i++)
            {
                if (!System.Text.RegularExpressions.Regex.IsMatch(headerNames[i], "^[A-Za-z0-9-]+$"))
                    r.Error($"{ck}.headers[{i}]", $"'{headerNames[i]}' is not a header name.", "Use header names such as Authorization or X-Request-Id.");
            }
            var credentials = r.Flag(cm, "credentials", ck);
            if (credentials && origins.Contains("*"))
                r.Error($"{ck}.credentials", "is true with the origin '*'; browsers refuse credentials for a wildcard origin.", "List the exact origins, or set credentials: false.");
            var maxAge = r.OptionalInt(cm, "maxAgeSeconds", ck, 600, 0, 86400) ?? 600;
            cors = new CorsSettings(origins, methods, headerNames, credentials, maxAge);
        }
        return new HeaderSettings(preset, frameDeny, csp, cors);
    }
}
