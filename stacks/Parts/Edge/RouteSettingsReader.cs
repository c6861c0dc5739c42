using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Edge;

/// <summary>Reads an app's routes (<c>apps[i].routes[j]</c>) and rate limits: host or domain, path, redirect, access and limits.</summary>
internal static class RouteSettingsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> RouteKeys => Apps.AppSchema.Route.Keys;

    public static System.Collections.Immutable.ImmutableArray<string> RateLimitKeys => Apps.AppSchema.RateLimit.Keys;

    /// <summary>Longest path prefix: router priorities add the path's length to the host kind's base (see <see cref="Blueprint.Routing.Priority(Blueprint.HostKind, string?)"/>).</summary>
    public const int MaxPathLength = 200;

    public static RateLimitSettings ReadRateLimit(NodeReader r, YamlNode node, string rk)
    {
        var rm = r.Mapping(node, rk, RateLimitKeys);
        var average = r.Int(rm.GetValueOrDefault("average"), $"{rk}.average", 100, 1, 100000);
        var burst = rm.TryGetValue("burst", out var burstNode) ? r.Int(burstNode, $"{rk}.burst", average * 2, 1, 1000000) : average * 2;
        if (!rm.ContainsKey("average")) r.Error($"{rk}.average", "is required.", "Give requests per second per client, e.g. 'average: 50'.");
        if (burst < average) r.Error($"{rk}.burst", $"({burst}) is below average ({average}).", "Make burst at least the average.");
        return new RateLimitSettings(average, burst);
    }

    public static RouteSettings Read(NodeReader r, YamlNode routeNode, string rk, string app, string stack, ImmutableSortedSet<string>.Builder secrets)
    {
        var rm = r.Mapping(routeNode, rk, RouteKeys);
        var host = r.String(rm.GetValueOrDefault("host"), $"{rk}.host").Trim().ToLowerInvariant();
        string? domain = null;
        if (rm.TryGetValue("domain", out var domainNode))
        {
            domain = r.String(domainNode, $"{rk}.domain").Trim().ToLowerInvariant();
            if (rm.ContainsKey("host"))
                r.Error($"{rk}.domain", "is set together with host.", "Keep one: host for a name under the stack's domain, domain for a tenant's own domain outside the zone.");
            if (!Names.IsDomain(domain))
                r.Error($"{rk}.domain", $"'{domain}' is not a domain name.", "Give a full lower-case domain such as shop.customer.com.");
            host = "";
        }
        else if (!rm.ContainsKey("host"))
            r.Error($"{rk}.host", "is required.", "Give a subdomain ('app'), '@' for the apex, or '*' for a wildcard — or domain: for a tenant's own domain.");
        else if (host.Contains('.') && !NestedWildcards.IsHost(host) && LooksLikeFullDomain(host))
            r.Error($"{rk}.host", $"'{host}' looks like a full domain name.", "Give only the subdomain of the stack's domain (e.g. 'app' for app.example.com), '@' for the apex, or '*' for a wildcard — not a full domain; a tenant's own domain outside the zone goes in 'domain:'.");
        else if (host != "@" && host != "*" && !NestedWildcards.IsHost(host) && !host.Split('.').All(Names.IsLabel))
            r.Error($"{rk}.host", $"'{host}' is not a host name.", "Give a subdomain of the stack's domain ('app'), '@' for the apex, or '*' for a wildcard — not a full domain.");

        string? path = null;
        if (rm.TryGetValue("path", out var pathNode))
        {
            path = r.String(pathNode, $"{rk}.path");
            if (Blueprint.RoutePaths.Problem(path) is { } problem)
                r.Error($"{rk}.path", $"'{path}' {problem.Problem}", problem.Fix);
            else if (!Names.IsPathPrefix(path))
                r.Error($"{rk}.path", $"'{path}' is not a path prefix.", "Start it with '/', without a trailing '/', spaces or '//', e.g. /api.");
            else if (path.Length > MaxPathLength)
                r.Error($"{rk}.path", $"is {path.Length} characters long.", $"Use a prefix of at most {MaxPathLength} characters.");
            if (path == "/") path = null;
        }
        var ws = r.Flag(rm, "websockets", rk);
        var strip = r.Flag(rm, "stripPrefix", rk);
        if (strip && path is null)
            r.Error($"{rk}.stripPrefix", "is set on a route without a path.", "Add 'path: /prefix' to the route, or remove stripPrefix.");
        // Traefik reads a list-valued label split on commas: stripprefix.prefixes=/a,b would strip "/a" and "b".
        if (strip && path is not null && path.Contains(',', StringComparison.Ordinal))
            r.Error($"{rk}.stripPrefix", $"is set on the path '{path}', which holds a ','; Traefik splits the stripprefix.prefixes label on commas, so the app would receive the path with part of the prefix left in it.",
                "Remove the ',' from the path, or remove stripPrefix and let the app handle the prefix.");

        var maxBody = r.OptionalInt(rm, "maxBodyMb", rk, 10, 1, 2048);
        // maxBodyMb and websockets go together: Traefik v3.3.6's buffering middleware (pkg/middlewares/buffering/buffering.go)
        // is vulcand/oxy v2.0.3's buffer, whose response writer passes Hijack through and stops buffering once the proxy has
        // hijacked the connection for the upgrade (buffer/buffer.go: bufferWriter.Hijack, "connection was hijacked
        // downstream"); the upgrade request itself has no body. See Routing.BodyLimitNote.

        var rateLimit = rm.TryGetValue("rateLimit", out var rlNode) ? ReadRateLimit(r, rlNode, $"{rk}.rateLimit") : null;

        ImmutableArray<string> allow = [];
        if (rm.TryGetValue("allowCidrs", out var allowNode))
        {
            var cidrs = r.StringList(allowNode, $"{rk}.allowCidrs");
            if (cidrs.IsEmpty)
                r.Error($"{rk}.allowCidrs", "is empty, so nobody could reach the route.", "List the CIDRs allowed in, e.g. [203.0.113.10/32], or remove allowCidrs.");
            allow = r.Cidrs(cidrs, $"{rk}.allowCidrs", "203.0.113.10/32 or 2001:db8::/48");
        }

        string? basicAuth = null;
        if (rm.TryGetValue("basicAuth", out var authNode))
        {
            basicAuth = r.String(authNode, $"{rk}.basicAuth");
            if (!Names.IsEnvName(basicAuth))
                r.Error($"{rk}.basicAuth", $"'{basicAuth}' is not a secret name.", "Name the secret that holds the htpasswd lines, e.g. 'basicAuth: ADMIN_USERS' (upper-case letters, digits, underscores).");
            else if (!secrets.Contains($"appSecrets.{app}.{basicAuth}"))
                r.Error($"{rk}.basicAuth", $"the secret appSecrets.{app}.{basicAuth} has no value in this stack.",
                    $"Create a line with 'htpasswd -nB <user>' and run: pulumi config set --secret --path 'appSecrets.{app}.{basicAuth}' '<user:$2y$…>' --stack {stack}");
        }

        RedirectTarget? redirect = null;
        if (rm.TryGetValue("redirect", out var redirectNode))
        {
            var text = r.String(redirectNode, $"{rk}.redirect");
            redirect = text switch
            {
                "apex" => RedirectTarget.Apex,
                "www" => RedirectTarget.Www,
                _ => r.Fail<RedirectTarget?>($"{rk}.redirect", $"is '{text}'.", "Use apex (www.<domain> to <domain>) or www (<domain> to www.<domain>).", null),
            };
            var isWww = domain is null ? host == "www" : domain.StartsWith("www.", StringComparison.Ordinal);
            var isApex = domain is null ? host == "@" : !domain.StartsWith("www.", StringComparison.Ordinal);
            if (redirect == RedirectTarget.Apex && !isWww)
                r.Error($"{rk}.redirect", "is apex on a route that is not a www host.", "Put 'redirect: apex' on the 'host: www' route (or a www. domain).");
            if (redirect == RedirectTarget.Www && !isApex)
                r.Error($"{rk}.redirect", "is www on a route that is not an apex.", "Put 'redirect: www' on the 'host: \"@\"' route (or a domain without www.).");
            if (redirect is not null && path is not null)
                r.Error($"{rk}.redirect", "is set on a route with a path, so only part of the host would redirect.", "Redirect a whole host: remove the path from this route.");
        }

        var compress = r.Flag(rm, "compress", rk);
        var headers = rm.TryGetValue("headers", out var headersNode) ? HeaderSettingsReader.Read(r, headersNode, $"{rk}.headers") : null;

        return new RouteSettings(host, path, ws)
        {
            Domain = domain,
            StripPrefix = strip,
            Headers = headers,
            MaxBodyMb = maxBody,
            RateLimit = rateLimit,
            AllowCidrs = allow,
            BasicAuthSecret = basicAuth,
            Redirect = redirect,
            Compress = compress,
        };
    }

    /// <summary>A host ending in a public-suffix-like label (com, io, dev, …) was almost surely written as a full domain.</summary>
    private static bool LooksLikeFullDomain(string host) =>
        host.Split('.')[^1] is "com" or "net" or "org" or "io" or "dev" or "app" or "de" or "eu" or "co" or "uk" or "fr" or "nl" or "ch" or "at" or "cloud" or "ai";
}
