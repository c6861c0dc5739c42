using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Settings;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Blueprint;

/// <summary>Which kind of host a router matches: its base priority comes from it.</summary>
public enum HostKind { Exact, Wildcard }

/// <summary>
/// A public host and path served by a container behind Traefik, with what happens on the way
/// (the middlewares, in <see cref="Routing.Labels"/>'s order).
/// </summary>
public sealed record RouteSpec(string Router, string Fqdn, string Host, string? PathPrefix, bool Websockets)
{
    public HostKind Kind { get; init; } = Host == "*" ? HostKind.Wildcard : HostKind.Exact;
    /// <summary>
    /// The certificate resolver: DNS-01 for the zone, HTTP-01 for a domain outside it; null when Traefik serves the
    /// stack's Origin CA certificate from a file (several Traefiks behind a load balancer).
    /// </summary>
    public string? CertResolver { get; init; } = Routing.CertResolver;
    public bool StripPrefix { get; init; }
    public HeaderSettings? Headers { get; init; }
    public int? MaxBodyMb { get; init; }
    public RateLimitSettings? RateLimit { get; init; }
    public ImmutableArray<string> AllowCidrs { get; init; } = [];
    /// <summary>Path of the htpasswd file inside Traefik; null for no basic auth.</summary>
    public string? BasicAuthFile { get; init; }
    /// <summary>Host every request is redirected to (permanently, same path); null for none.</summary>
    public string? RedirectTo { get; init; }
    public bool Compress { get; init; }
    /// <summary>Cache-Control rules on this route's path or below it (<see cref="Parts.Edge.CacheRules"/>). Default: none.</summary>
    public ImmutableArray<Parts.Edge.CacheRule> CacheRules { get; init; } = [];
    /// <summary>Whether Cloudflare proxies the host (the client is the address it appends); false for a DNS-only nested wildcard. Default: true.</summary>
    public bool Proxied { get; init; } = true;
    /// <summary>The certificate the router asks its resolver for (<c>*.app.example.com</c>); null: the entry point's. Default: null.</summary>
    public string? TlsDomain { get; init; }
}

/// <summary>Traefik's Docker labels for routing, TLS, priorities and each route's middlewares.</summary>
public static class Routing
{
    public const string EntryPoint = "websecure";
    public const string CertResolver = "letsencrypt";
    /// <summary>The HTTP-01 resolver for domains outside the zone (no DNS access there); answered on the web entry point.</summary>
    public const string HttpCertResolver = "letsencrypt-http";
    public const string SecureHeaders = "secure-headers@docker";

    /// <summary>The zone's resolver for a stack: none when every Traefik serves the Origin CA certificate (see <see cref="PlatformBlueprint.OriginCertificate"/>).</summary>
    public static string? ZoneResolver(StackSettings s) => s.Topology?.LoadBalanced == true ? null : CertResolver;

    /// <summary>
    /// Router priorities. Traefik ranks routers by the length of their rule unless told otherwise, so a wildcard's
    /// long HostRegexp would beat every exact host. Explicit priorities: an exact host always beats a wildcard,
    /// and on one host a longer path prefix beats a shorter one (paths are at most <see cref="Parts.Edge.RouteSettingsReader.MaxPathLength"/> long).
    /// </summary>
    public const int ExactHostPriority = 10_000;
    public const int WildcardHostPriority = 1_000;

    public static int Priority(HostKind kind, string? pathPrefix) =>
        (kind == HostKind.Exact ? ExactHostPriority : WildcardHostPriority) + (pathPrefix?.Length ?? 0);

    public static int Priority(RouteSpec route) => Priority(route.Kind, route.PathPrefix);

    /// <summary>The platform's baseline response headers (the secure-headers middleware, and the <c>secure</c> preset).</summary>
    public static readonly ImmutableSortedDictionary<string, string> SecureHeaderFields = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
        new Dictionary<string, string>
        {
            ["stsseconds"] = "31536000",
            ["stsincludesubdomains"] = "true",
            ["contenttypenosniff"] = "true",
            ["framedeny"] = "true",
            ["referrerpolicy"] = "strict-origin-when-cross-origin",
            ["permissionspolicy"] = "camera=(), microphone=(), geolocation=()",
        });

    public static string Fqdn(string host, string domain) => SettingsRules.Fqdn(host, domain);

    /// <summary>
    /// The rule: the host, and for a path prefix the path itself or anything below it. Traefik's PathPrefix is a
    /// plain string prefix (<c>/api</c> would also take <c>/apis</c>), so the rule matches whole segments only.
    /// </summary>
    public static string Rule(RouteSpec route, string domain)
    {
        // One label in front of what the wildcard stands under: the domain, or for a nested wildcard "app.<domain>".
        var under = route.Fqdn.StartsWith("*.", StringComparison.Ordinal) ? route.Fqdn[2..] : domain;
        var host = route.Kind == HostKind.Wildcard
            ? $"HostRegexp(`^[a-z0-9-]+\\.{under.Replace(".", "\\.", StringComparison.Ordinal)}$`)"
            : $"Host(`{route.Fqdn}`)";
        return route.PathPrefix is null ? host : $"{host} && (Path(`{route.PathPrefix}`) || PathPrefix(`{route.PathPrefix}/`))";
    }

    /// <summary>Labels that route <paramref name="routes"/> to <paramref name="port"/> of the container, as Traefik service <paramref name="service"/>.</summary>
    public static ImmutableSortedDictionary<string, string> Labels(
        string service, int port, IReadOnlyList<RouteSpec> routes, string domain, string? healthPath, bool cloudflareOnlyIngress, bool sticky,
        string network = ServiceNames.EdgeNetwork)
    {
        var labels = new Dictionary<string, string>
        {
            ["traefik.enable"] = "true",
            // The network Traefik reaches the container on; it must be one both are attached to.
            ["traefik.docker.network"] = network,
            [$"traefik.http.services.{service}.loadbalancer.server.port"] = Num(port),
        };
        if (healthPath is not null)
        {
            // Traefik's own check takes a failing container out of rotation within seconds,
            // independently of Docker's health status.
            labels[$"traefik.http.services.{service}.loadbalancer.healthcheck.path"] = healthPath;
            labels[$"traefik.http.services.{service}.loadbalancer.healthcheck.interval"] = "10s";
            labels[$"traefik.http.services.{service}.loadbalancer.healthcheck.timeout"] = "3s";
        }
        if (sticky)
        {
            labels[$"traefik.http.services.{service}.loadbalancer.sticky.cookie"] = "true";
            labels[$"traefik.http.services.{service}.loadbalancer.sticky.cookie.secure"] = "true";
            labels[$"traefik.http.services.{service}.loadbalancer.sticky.cookie.httponly"] = "true";
        }
        var own = new List<string>();
        var routers = new List<string>();
        foreach (var route in routes)
        {
            var middlewares = Middlewares(route, cloudflareOnlyIngress, labels);
            // A cache rule on the route's own path joins its chain; one below it gets a router of its own (CacheRouter).
            var whole = route.CacheRules.FirstOrDefault(c => c.Path == route.PathPrefix);
            if (whole is not null) middlewares.Insert(1, CacheHeaders(route.Router, whole, labels));
            own.AddRange(middlewares.Where(m => !m.Contains('@', StringComparison.Ordinal)));
            Router(route, route.Router, Rule(route, domain), Priority(route), middlewares);
            foreach (var (rule, i) in route.CacheRules.Where(c => c != whole).Select((c, i) => (c, i)))
            {
                var name = CacheRouter(route.Router, i);
                var chain = new List<string>(middlewares);
                chain.Insert(1, CacheHeaders(name, rule, labels));
                own.Add(chain[1]);
                Router(route, name, Rule(route with { PathPrefix = rule.Path }, domain), Priority(route.Kind, rule.Path), chain);
            }
        }
        return Conventions.Labels(Versioned(labels, [service, .. routes.Select(r => r.Router), .. routers, .. own]));

        void Router(RouteSpec route, string name, string rule, int priority, List<string> middlewares)
        {
            if (name != route.Router) routers.Add(name);
            var prefix = $"traefik.http.routers.{name}";
            labels[$"{prefix}.rule"] = rule;
            labels[$"{prefix}.priority"] = Num(priority);
            labels[$"{prefix}.entrypoints"] = EntryPoint;
            labels[$"{prefix}.tls"] = "true";
            if (route.CertResolver is { } resolver) labels[$"{prefix}.tls.certresolver"] = resolver;
            if (route.TlsDomain is { } tlsDomain) labels[$"{prefix}.tls.domains[0].main"] = tlsDomain;
            labels[$"{prefix}.service"] = service;
            labels[$"{prefix}.middlewares"] = string.Join(",", middlewares);
        }
    }

    /// <summary>
    /// The router of a route's <paramref name="index"/>th cache rule below its path: the route's name (<c>app-web_r0</c>) and
    /// <c>-cache&lt;n&gt;</c>, which no app router can be (those end in <c>_r&lt;digits&gt;</c>).
    /// </summary>
    public static string CacheRouter(string router, int index) => $"{router}-cache{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The headers middleware setting <paramref name="rule"/>'s Cache-Control on every answer of <paramref name="router"/>.</summary>
    private static string CacheHeaders(string router, Parts.Edge.CacheRule rule, Dictionary<string, string> labels)
    {
        var name = $"{router}-cacheheaders";
        labels[$"traefik.http.middlewares.{name}.headers.customresponseheaders.Cache-Control"] = rule.CacheControl;
        return name;
    }

    /// <summary>
    /// A route's middlewares in the order a request passes them, each defined in <paramref name="labels"/>:
    /// headers first (so every answer, refusals included, carries them, and CORS preflights are answered before
    /// any check), then redirect, allowlist, basic auth and rate limit (cheap refusals before work), compression,
    /// the body limit, and the prefix strip last (what the app sees).
    /// </summary>
    private static List<string> Middlewares(RouteSpec route, bool cloudflareOnlyIngress, Dictionary<string, string> labels)
    {
        var names = new List<string>();
        string Own(string kind)
        {
            var name = $"{route.Router}-{kind}";
            names.Add(name);
            return $"traefik.http.middlewares.{name}";
        }

        if (route.Headers is { } headers)
        {
            var m = Own("headers");
            var fields = headers.Preset == HeaderPreset.Secure
                ? SecureHeaderFields.ToDictionary(StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal) { ["stsseconds"] = SecureHeaderFields["stsseconds"] };
            if (headers.FrameDeny is { } deny) fields["framedeny"] = deny ? "true" : "false";
            if (headers.ContentSecurityPolicy is { } csp) fields["contentsecuritypolicy"] = csp;
            if (headers.Cors is { } cors)
            {
                fields["accesscontrolalloworiginlist"] = string.Join(",", cors.Origins);
                fields["accesscontrolallowmethods"] = string.Join(",", cors.Methods);
                fields["accesscontrolallowheaders"] = string.Join(",", cors.Headers);
                fields["accesscontrolmaxage"] = Num(cors.MaxAgeSeconds);
                if (cors.Credentials) fields["accesscontrolallowcredentials"] = "true";
                // Caches must keep one answer per Origin.
                fields["addvaryheader"] = "true";
            }
            foreach (var (k, v) in fields) labels[$"{m}.headers.{k}"] = v;
        }
        else
            names.Add(SecureHeaders);

        if (route.RedirectTo is { } target)
        {
            var m = Own("redirect");
            labels[$"{m}.redirectregex.regex"] = $"^https?://[^/]+/(.*)";
            labels[$"{m}.redirectregex.replacement"] = $"https://{target}/${{1}}";
            labels[$"{m}.redirectregex.permanent"] = "true";
        }
        // The stack's own hosts are proxied by Cloudflare (their records always are): the connection comes from
        // Cloudflare, and the client is the address Cloudflare appended to X-Forwarded-For, which Traefik trusts from
        // Cloudflare's ranges only (a forged one from elsewhere is dropped, so the check fails closed). A tenant's
        // domain outside the zone is reached directly: the client is the connection's own address.
        var proxied = route.Proxied && route.CertResolver != HttpCertResolver;
        if (!route.AllowCidrs.IsEmpty)
        {
            var m = Own("allowlist");
            labels[$"{m}.ipallowlist.sourcerange"] = string.Join(",", route.AllowCidrs);
            if (proxied) labels[$"{m}.ipallowlist.ipstrategy.depth"] = "1";
        }
        if (route.BasicAuthFile is { } file)
        {
            var m = Own("auth");
            labels[$"{m}.basicauth.usersfile"] = file;
            // The app never sees the credentials.
            labels[$"{m}.basicauth.removeheader"] = "true";
        }
        if (route.RateLimit is { } rateLimit)
        {
            var m = Own("ratelimit");
            labels[$"{m}.ratelimit.average"] = Num(rateLimit.Average);
            labels[$"{m}.ratelimit.burst"] = Num(rateLimit.Burst);
            labels[$"{m}.ratelimit.period"] = "1s";
            // Behind Cloudflare every request comes from a Cloudflare address: limit per real client. Only with the
            // firewall closed to everyone else is Cloudflare's own header beyond a client's reach.
            if (proxied && cloudflareOnlyIngress)
                labels[$"{m}.ratelimit.sourcecriterion.requestheadername"] = "CF-Connecting-IP";
            else if (proxied)
                labels[$"{m}.ratelimit.sourcecriterion.ipstrategy.depth"] = "1";
        }
        if (route.Compress)
            labels[$"{Own("compress")}.compress"] = "true";
        if (route.MaxBodyMb is { } mb)
        {
            var m = Own("bodylimit");
            labels[$"{m}.buffering.maxrequestbodybytes"] = Num((long)mb * 1024 * 1024);
            // Bodies above this spill to a temporary file inside Traefik rather than into its memory limit.
            labels[$"{m}.buffering.memrequestbodybytes"] = Num(2L * 1024 * 1024);
        }
        if (route.StripPrefix && route.PathPrefix is { } path)
            labels[$"{Own("strip")}.stripprefix.prefixes"] = path;
        return names;
    }

    /// <summary>
    /// What a body limit does, websocket routes included. Traefik v3.3.6's buffering middleware
    /// (<c>pkg/middlewares/buffering/buffering.go</c>) is vulcand/oxy v2.0.3's <c>buffer/buffer.go</c>: it refuses a
    /// declared Content-Length over the limit at once (<c>checkLimit</c>), reads any other body up to the limit (413
    /// above it) before the app sees the request, and hands the proxy a response writer whose <c>Hijack</c> passes
    /// through to the client's connection; once the proxy has hijacked it for a <c>101 Switching Protocols</c>, the
    /// buffer returns without touching the response ("connection was hijacked downstream"). An upgrade request is a
    /// GET without a body, so it passes, and the frames after it are not HTTP bodies: the limit never applies to them.
    /// The buffer also holds each ordinary response until it is complete, so a stream (server-sent events) on such a
    /// route arrives only when it ends; socket.io's long-polling answers are complete responses and pass.
    /// </summary>
    public static string BodyLimitNote(long maxBytes) =>
        $"body limit: a request body over {FormatBytes(maxBytes)} gets 413 and the app sees each body only once it is whole; " +
        "a websocket upgrade passes (it has no body, and the buffer lets the proxy hijack the connection: vulcand/oxy v2.0.3 buffer/buffer.go), " +
        "so frames after it are not limited; responses are held until complete, so a server-sent event stream is not streamed on this route";

    private static string FormatBytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{Num(bytes / (1024 * 1024))} MB" : $"{Num(bytes)} bytes";

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Gives the container's routers, services and middlewares names that carry a hash of their whole
    /// configuration. During a create-before-delete replacement the old and the new container are both
    /// running: with equal names and different labels Traefik rejects the conflicting definitions
    /// ("defined multiple times with different configurations") and answers 404 until the old one is
    /// gone. With the hash, equal configurations share names (Traefik merges them and balances over both
    /// containers) and different ones never do (two routers for the same rule, each with a healthy backend).
    /// </summary>
    public static Dictionary<string, string> Versioned(Dictionary<string, string> labels, IReadOnlyCollection<string> names)
    {
        var canonical = string.Join("\n", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)))[..ConfigHashLength];
        var own = names.ToHashSet(StringComparer.Ordinal);
        string Rename(string name) => own.Contains(name) ? $"{name}-{hash}" : name;
        var result = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            // traefik.http.<routers|services|middlewares>.<name>[.<rest>]: the object's name is renamed; a router's service
            // and middlewares (exactly traefik.http.routers.<name>.service / .middlewares) name objects too.
            if (!key.StartsWith(HttpPrefix, StringComparison.Ordinal))
            {
                result[key] = value;
                continue;
            }
            var kindEnd = key.IndexOf('.', HttpPrefix.Length);
            var kind = kindEnd < 0 ? "" : key[HttpPrefix.Length..kindEnd];
            if (kind is not ("routers" or "services" or "middlewares"))
            {
                result[key] = value;
                continue;
            }
            var nameEnd = key.IndexOf('.', kindEnd + 1);
            var name = nameEnd < 0 ? key[(kindEnd + 1)..] : key[(kindEnd + 1)..nameEnd];
            var rest = nameEnd < 0 ? "" : key[nameEnd..];
            var renamed = Rename(name);
            var newKey = ReferenceEquals(renamed, name) ? key : string.Concat(key.AsSpan(0, kindEnd + 1), renamed, rest);
            var namesObjects = kind == "routers" && rest is ".service" or ".middlewares";
            result[newKey] = namesObjects ? string.Join(',', value.Split(',').Select(Rename)) : value;
        }
        return result;
    }

    private const string HttpPrefix = "traefik.http.";

    /// <summary>Hex digits of the configuration hash in router, service and middleware names.</summary>
    public const int ConfigHashLength = 8;

    /// <summary>Traefik names of an app's objects: namespaced by <c>app-</c>, so no app can take a platform name (minio, status).</summary>
    public static string AppService(string app) => $"app-{app}";

    /// <summary>
    /// An app route's router. App names hold only letters, digits and hyphens, so the underscore keeps
    /// app <c>api</c>'s second route (<c>app-api_r1</c>) apart from any route of an app named <c>api-r1</c>.
    /// </summary>
    public static string AppRouter(string app, int index) => $"app-{app}_r{index.ToString(CultureInfo.InvariantCulture)}";
}
