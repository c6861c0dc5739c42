using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts.Maintenance;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// One Traefik router as rendered: from a container's labels, the file provider, or Traefik's own (<c>@internal</c>, from
/// its command line). <c>Target</c> is the app it serves, the platform service, or a URL for file routes;
/// <c>Middlewares</c> are in the order a request passes them, and <c>MiddlewareDetails</c> holds each one's rendered
/// settings (e.g. <c>stripprefix.prefixes=/face</c>).
/// </summary>
public sealed record RouterView(string Router, string Rule, long Priority, string Target, string? Service,
    ImmutableArray<string> Middlewares, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> MiddlewareDetails)
{
    /// <summary>The entry point it listens on: <c>websecure</c> (HTTPS) or <c>web</c> (HTTP). Default: websecure.</summary>
    public string EntryPoint { get; init; } = Routing.EntryPoint;
}

/// <summary>A TCP router with TLS passthrough (file provider): connections whose SNI it matches go, still encrypted, to <c>Address</c>.</summary>
public sealed record TcpRouterView(string Router, string Rule, string Address, bool ProxyProtocol);

/// <summary>What one Traefik serves: its HTTPS and HTTP routers (highest priority first) and its TCP passthrough routers.</summary>
public sealed record EdgeView(ServerKey Server, ImmutableArray<RouterView> Https, ImmutableArray<RouterView> Http, ImmutableArray<TcpRouterView> Tcp);

/// <summary>
/// Which router takes a request, what it passes through, and what the app sees: <c>Path</c> is the decoded, cleaned path
/// Traefik routes on; <c>ForwardedPath</c> the path (encoded, as on the wire) the app receives (after a prefix strip;
/// null when Traefik answers itself), <c>RedirectTo</c> and <c>Status</c> where and how a redirect sends the client,
/// <c>Shadowed</c> the other routers that match with lower priority (they never see the request), <c>Problem</c> why the
/// URL could not be explained. On a split stack, <c>Server</c> is the app server whose Traefik answered; a TLS passthrough
/// names the router in <c>PassedThrough</c> and continues in <c>Then</c> on the Traefik it forwards to.
/// </summary>
public sealed record RouteAnswer(string Url, string Host, string Path, RouterView? Router, string? ForwardedPath, string? RedirectTo,
    ImmutableArray<RouterView> Shadowed, string? Problem)
{
    public string Method { get; init; } = "GET";
    public string Scheme { get; init; } = "https";
    /// <summary>The HTTP status Traefik answers with itself: a redirect's (301/308, 302/307), 404, or 400; null when the app answers.</summary>
    public int? Status { get; init; }
    public string? Server { get; init; }
    public TcpRouterView? PassedThrough { get; init; }
    public RouteAnswer? Then { get; init; }
    /// <summary>What the router's middlewares do to this kind of request beyond their settings (e.g. a body limit and websocket upgrades).</summary>
    public ImmutableArray<string> Notes { get; init; } = [];
}

/// <summary>
/// Models Traefik v3.3's HTTP handling on the rendered rules and priorities. Before routing, the entry point cleans the
/// path (<c>sanitizePath</c>: <c>//</c>, <c>.</c>, <c>..</c>) and the matchers compare the decoded path; <c>Host</c> ignores
/// a trailing dot and the host is the ASCII (punycode) form clients send. Then every router of the entry point whose rule
/// matches (Host, HostRegexp, Path, PathPrefix, combined with &amp;&amp;, || and !), the one with the highest priority wins.
/// HTTPS requests first pass the TLS routing: a TCP passthrough router for the SNI wins unless an HTTPS router names that
/// host. HTTP requests meet Traefik's own routers: the ACME HTTP-01 challenge and the entry point's redirect to HTTPS.
/// It reads the labels, file routes and command lines the blueprint renders, not the settings, so it explains what
/// Traefik is given.
/// </summary>
public static partial class RouteExplainer
{
    /// <summary>Traefik's maximum priority, Go's <c>math.MaxInt</c> on the 64-bit builds we run.</summary>
    public const long MaxInt = long.MaxValue;

    /// <summary>The highest priority Traefik accepts on a router that is not <c>@internal</c> (<c>pkg/server/router/router.go</c>).</summary>
    public const long MaxUserPriority = MaxInt - 1000;

    /// <summary>The ACME HTTP-01 router Traefik adds on the challenge entry point (<c>pkg/provider/traefik/internal.go</c>).</summary>
    public const string AcmeHttpRouter = "acme-http@internal";
    public const string AcmeChallengePrefix = "/.well-known/acme-challenge/";

    /// <summary>Every HTTPS router of the blueprint, once (app instances share their routers), highest priority first.</summary>
    public static ImmutableArray<RouterView> Routers(PlatformBlueprint b)
    {
        var traefik = b.Services.FirstOrDefault(s => s.Name == ServiceNames.Traefik || s.Name.StartsWith(ServiceNames.Traefik + "@", StringComparison.Ordinal))?.Labels
            ?? ImmutableSortedDictionary<string, string>.Empty;
        return Collect(b.Services, b.FileRoutes, traefik);
    }

    private static ImmutableArray<RouterView> Collect(IEnumerable<ServiceSpec> services, IEnumerable<FileRouteSpec> fileRoutes, IReadOnlyDictionary<string, string> traefik)
    {
        var routers = new Dictionary<string, RouterView>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var (key, rule) in service.Labels.Where(l => l.Key.StartsWith("traefik.http.routers.", StringComparison.Ordinal) && l.Key.EndsWith(".rule", StringComparison.Ordinal)))
            {
                var name = key.Split('.')[3];
                if (routers.ContainsKey(name)) continue;
                var prefix = $"traefik.http.routers.{name}.";
                var middlewares = service.Labels.GetValueOrDefault(prefix + "middlewares", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
                var priority = long.TryParse(service.Labels.GetValueOrDefault(prefix + "priority"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p != 0 ? p : rule.Length;
                routers[name] = new RouterView(name, rule, priority, Parts.Edge.StaticFiles.IsService(service.Name) ? service.Name : service.App ?? service.Name, service.Labels.GetValueOrDefault(prefix + "service"),
                    middlewares, Details(middlewares, service.Labels, traefik));
            }
        }
        foreach (var f in fileRoutes)
            routers.TryAdd(f.Router, FileRouter(f, traefik));
        return Sorted(routers.Values);
    }

    /// <summary>
    /// A file route as <see cref="EdgeBlueprint.FileRoutesYaml"/> renders it: its middlewares, then its allowlist
    /// (<c>&lt;router&gt;-allowlist</c>, the client address Cloudflare appended, depth 1) when it has one.
    /// </summary>
    private static RouterView FileRouter(FileRouteSpec f, IReadOnlyDictionary<string, string> traefik)
    {
        var details = Details(f.Middlewares, ImmutableSortedDictionary<string, string>.Empty, traefik);
        if (f.AllowCidrs.IsEmpty)
            return new RouterView(f.Router, f.Rule, f.Priority, f.ServiceUrl, null, f.Middlewares, details);
        var allow = $"{f.Router}-allowlist";
        return new RouterView(f.Router, f.Rule, f.Priority, f.ServiceUrl, null, f.Middlewares.Add(allow),
            details.SetItem(allow, ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [
                KeyValuePair.Create("ipallowlist.ipstrategy.depth", "1"),
                KeyValuePair.Create("ipallowlist.sourcerange", string.Join(",", f.AllowCidrs)),
            ])));
    }

    private static ImmutableArray<RouterView> Sorted(IEnumerable<RouterView> routers) =>
        [.. routers.OrderByDescending(r => r.Priority).ThenBy(r => r.Router, StringComparer.Ordinal)];

    /// <summary>
    /// What the Traefik on <paramref name="server"/> serves (default: the single server, or the first app server): the
    /// labels of the containers on that server (Traefik's Docker provider sees its own engine only), the file routes, the
    /// routers in the <c>edge.yml</c> rendered for it, and Traefik's own routers from its command line.
    /// </summary>
    public static EdgeView Edge(PlatformBlueprint b, ServerKey? server = null)
    {
        var at = server ?? (b.IsSplit ? b.AppServers.First().Key : ServerKey.Single);
        var traefikService = b.Services.FirstOrDefault(s => s.Name == at.Qualify(ServiceNames.Traefik));
        var traefik = traefikService?.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        var https = Collect(b.Services.Where(s => s.Host == at), b.FileRoutes, traefik).ToList();
        var http = new List<RouterView>();
        var tcp = new List<TcpRouterView>();
        var edgeYml = b.HostCommands.FirstOrDefault(c => c.Name == at.Qualify(HostCommandNames.TraefikEdgeRoutes)) is { } command
            ? HostFile(command, "edge.yml") : null;
        if (edgeYml is not null) ReadDynamic(edgeYml, https, http, tcp);
        if (b.HostCommands.FirstOrDefault(c => c.Name == (b.IsSplit ? at.Qualify(HostCommandNames.TraefikMaintenance) : HostCommandNames.TraefikMaintenance)) is { } maintenance
            && HostFile(maintenance, MaintenanceBlueprint.MaintenanceFile) is { } maintenanceYml)
            ReadDynamic(maintenanceYml, https, http, tcp);
        if (traefikService is not null) http.AddRange(InternalRouters(traefikService.Command));
        return new EdgeView(at, Sorted(https.DistinctBy(r => r.Router)), Sorted(http), [.. tcp.OrderBy(t => t.Router, StringComparer.Ordinal)]);
    }

    private static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> Details(ImmutableArray<string> middlewares,
        IReadOnlyDictionary<string, string> own, IReadOnlyDictionary<string, string> traefik)
    {
        var details = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var m in middlewares)
        {
            // name@docker is defined by another container (Traefik's own secure headers) unless this one defines it.
            var (labels, name) = m.EndsWith("@docker", StringComparison.Ordinal) && !own.Keys.Any(k => k.StartsWith($"traefik.http.middlewares.{m[..^7]}.", StringComparison.Ordinal))
                ? (traefik, m[..^7]) : (own, m.Split('@')[0]);
            var prefix = $"traefik.http.middlewares.{name}.";
            details[m] = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                labels.Where(l => l.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(l => KeyValuePair.Create(l.Key[prefix.Length..], l.Value)));
        }
        return details.ToImmutable();
    }

    /// <summary>
    /// Which router of <paramref name="b"/> takes <paramref name="url"/> (e.g. https://app.example.com/api/x) sent with
    /// <paramref name="method"/>, on the Traefik of <paramref name="server"/> (see <see cref="Edge"/>).
    /// </summary>
    public static RouteAnswer Explain(PlatformBlueprint b, string url, string method = "GET", ServerKey? server = null) =>
        Explain(b, url, method.ToUpperInvariant(), Edge(b, server), depth: 0);

    private static RouteAnswer Explain(PlatformBlueprint b, string url, string method, EdgeView edge, int depth)
    {
        var serverName = b.IsSplit ? edge.Server.Id : null;
        var (request, problem, serverAnswer) = TraefikRequest.Parse(url);
        if (problem is not null || request is null)
            return new RouteAnswer(url, "", "", null, null, null, [], problem ?? serverAnswer) { Method = method, Server = serverName, Status = serverAnswer is null ? null : 400 };
        var host = request.Host;
        var path = GoUrl.Text(request.Path);
        RouteAnswer Answer(RouterView? router, string? forwarded, string? redirect, IEnumerable<RouterView> shadowed, int? status) =>
            new(url, host, path, router, forwarded, redirect, [.. shadowed], null) { Method = method, Scheme = request.Scheme, Server = serverName, Status = status };

        if (request.Scheme == "https")
        {
            // TLS routing (pkg/server/router/tcp/router.go, ServeTCP): an HTTPS router whose Host names the SNI wins over a TCP
            // router; otherwise a TCP router matching the SNI takes the connection before any HTTPS catch-all.
            var sni = host.TrimEnd('.');
            var httpsHosts = edge.Https.SelectMany(r => HostDomains(r.Rule)).ToHashSet(StringComparer.Ordinal);
            if (!httpsHosts.Contains(sni) && edge.Tcp.FirstOrDefault(t => HostSni(t.Rule).Contains(sni)) is { } passthrough)
            {
                var next = NextEdge(b, passthrough);
                var then = next is not null && depth < 3 ? Explain(b, url, method, next, depth + 1) : null;
                return Answer(null, null, null, [], then?.Status) with { PassedThrough = passthrough, Then = then };
            }
        }
        var routers = request.Scheme == "https" ? edge.Https : edge.Http;
        var matching = new List<RouterView>();
        foreach (var router in routers)
        {
            bool matches;
            try
            {
                matches = Rules.Matches(router.Rule, host, request.Path);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or RegexMatchTimeoutException)
            {
                return new RouteAnswer(url, host, path, null, null, null, [], $"the rule of router {router.Router} cannot be read: {e.Message}") { Method = method, Server = serverName };
            }
            if (matches) matching.Add(router);
        }
        if (matching.Count == 0)
            return Answer(null, null, null, [], 404);
        var winner = matching[0];
        string? redirect = null;
        var permanent = false;
        var req = request;
        foreach (var m in winner.Middlewares)
        {
            var d = winner.MiddlewareDetails.GetValueOrDefault(m, ImmutableSortedDictionary<string, string>.Empty);
            if (d.TryGetValue("redirectscheme.scheme", out var scheme))
            {
                // redirect_scheme.go: scheme://host + the request URI (as cleaned by the entry point); port 443 is dropped.
                redirect = $"{scheme}://{host}{req.RequestUri}";
                permanent = d.GetValueOrDefault("redirectscheme.permanent") == "true";
                break;
            }
            if (d.TryGetValue("redirectregex.regex", out var regex) && d.TryGetValue("redirectregex.replacement", out var replacement))
            {
                // redirect_regex.go rawURL: scheme://host + the request URI.
                var full = $"{req.Scheme}://{host}{req.RequestUri}";
                if (Regex.IsMatch(full, regex, RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    var target = Regex.Replace(full, regex, replacement, RegexOptions.None, TimeSpan.FromSeconds(1));
                    if (target != full)
                    {
                        redirect = target;
                        permanent = d.GetValueOrDefault("redirectregex.permanent") == "true";
                        break;
                    }
                }
            }
            if (d.TryGetValue("stripprefix.prefixes", out var prefixes))
            {
                // strip_prefix.go: the first prefix the decoded path starts with is cut from Path and RawPath alike.
                var strip = prefixes.Split(',').FirstOrDefault(p => req.Path.StartsWith(p, StringComparison.Ordinal));
                if (strip is not null)
                    req = req with { Path = LeadingSlash(req.Path[strip.Length..]), RawPath = req.RawPath.Length == 0 ? "" : LeadingSlash(req.RawPath.StartsWith(strip, StringComparison.Ordinal) ? req.RawPath[strip.Length..] : req.RawPath) };
            }
        }
        if (redirect is not null)
            // redirect.go moveHandler: permanent is 301 for GET and 308 for any other method (HEAD too); else 302 / 307.
            return Answer(winner, null, redirect, matching.Skip(1), permanent ? (method == "GET" ? 301 : 308) : (method == "GET" ? 302 : 307));
        if (winner.Router == AcmeHttpRouter)
            return Answer(winner, null, null, matching.Skip(1), null);
        var uri = req.RequestUri;
        var query = uri.IndexOf('?', StringComparison.Ordinal);
        var answer = Answer(winner, query < 0 ? uri : uri[..query], null, matching.Skip(1), null) with { Notes = [.. Notes(winner)] };
        // A file route to another app server's Traefik (the tenant challenge forward): the Host header is passed on
        // (passHostHeader defaults to true), so that Traefik routes the same request.
        if (Uri.TryCreate(winner.Target, UriKind.Absolute, out var forwardUrl) && forwardUrl.Scheme == "http" && depth < 3
            && b.AppServers.FirstOrDefault(x => x.PrivateIp == forwardUrl.Host) is { } forwardServer)
        {
            var then = Explain(b, url, method, Edge(b, forwardServer.Key), depth + 1);
            return answer with { Then = then, Status = then.Status };
        }
        return answer;
    }

    /// <summary>What a router's middlewares do beyond their rendered settings, for the explanation.</summary>
    private static IEnumerable<string> Notes(RouterView router)
    {
        // Maintenance mode (MaintenanceBlueprint.MaintenanceYaml): an allow-list that refuses with 503, and the Retry-After it sends.
        if (router.MiddlewareDetails.Values.FirstOrDefault(d => d.ContainsKey("ipallowlist.rejectstatuscode")) is { } allow)
        {
            var retry = router.MiddlewareDetails.Values.Select(d => d.GetValueOrDefault("headers.customresponseheaders.retry-after")).FirstOrDefault(v => v is not null);
            var page = router.MiddlewareDetails.Values.Select(d => d.GetValueOrDefault("errors.query")).FirstOrDefault(v => v is not null);
            yield return $"maintenance: a client outside {allow.GetValueOrDefault("ipallowlist.sourcerange")} gets {allow["ipallowlist.rejectstatuscode"]}" +
                $"{(retry is null ? "" : $" with Retry-After: {retry}")}{(page is null ? "" : $" and the maintenance page ({page})")}; inside, the app answers";
        }
        foreach (var m in router.Middlewares)
            if (router.MiddlewareDetails.GetValueOrDefault(m)?.GetValueOrDefault("buffering.maxrequestbodybytes") is { } max
                && long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
                yield return Routing.BodyLimitNote(bytes);
    }

    private static string LeadingSlash(string s) => s.Length == 0 || s[0] == '/' ? s : "/" + s;

    /// <summary>The app server whose Traefik a passthrough router forwards to (by its private address), if it is one of the stack's.</summary>
    private static EdgeView? NextEdge(PlatformBlueprint b, TcpRouterView passthrough)
    {
        var ip = passthrough.Address.Split(':')[0];
        return b.AppServers.FirstOrDefault(s => s.PrivateIp == ip) is { } target ? Edge(b, target.Key) : null;
    }

    /// <summary>The hosts of an HTTPS router's <c>Host</c> matchers (Traefik's ParseDomains: only Host, lower case).</summary>
    public static IEnumerable<string> HostDomains(string rule) =>
        Regex.Matches(rule, @"(?<![A-Za-z])Host\(`([^`]*)`\)", RegexOptions.None, TimeSpan.FromSeconds(1)).Select(m => m.Groups[1].Value.ToLowerInvariant().TrimEnd('.'));

    private static HashSet<string> HostSni(string rule) =>
        [.. Regex.Matches(rule, @"HostSNI\(`([^`]*)`\)", RegexOptions.None, TimeSpan.FromSeconds(1)).Select(m => m.Groups[1].Value.ToLowerInvariant().TrimEnd('.'))];

    /// <summary>The answer for people.</summary>
    public static string Render(RouteAnswer a)
    {
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        Write(a, "", Line);
        return sb.ToString();
    }

    private static void Write(RouteAnswer a, string indent, Action<string> line)
    {
        var on = a.Server is null ? "" : $" on {a.Server}";
        if (a.Problem is not null)
        {
            line($"{indent}{a.Url}: {a.Problem}");
            return;
        }
        var method = a.Method == "GET" ? "" : $"{a.Method} ";
        line($"{indent}{method}{a.Url}{on} (host {a.Host}, path {a.Path})");
        if (a.PassedThrough is { } tcp)
        {
            line($"{indent}  TLS passed through by TCP router {tcp.Router} ({tcp.Rule}) to {tcp.Address}{(tcp.ProxyProtocol ? " with the PROXY protocol" : "")}; no HTTPS router here names the host");
            if (a.Then is { } then) Write(then, indent + "  ", line);
            return;
        }
        if (a.Router is not { } r)
        {
            line($"{indent}  no router matches: Traefik answers 404.");
            return;
        }
        line($"{indent}  router {r.Router} on {r.EntryPoint} (priority {r.Priority.ToString(CultureInfo.InvariantCulture)}): {r.Rule}");
        if (a.RedirectTo is { } to)
            line($"{indent}  answered by Traefik: {a.Status?.ToString(CultureInfo.InvariantCulture)} redirect to {to}");
        else if (r.Router == AcmeHttpRouter)
            line($"{indent}  answered by Traefik: the ACME HTTP-01 challenge token, if this Traefik asked for it (404 otherwise)");
        else
            line($"{indent}  goes to {r.Target}{(r.Service is null ? "" : $" (service {r.Service})")}, which sees the path {a.ForwardedPath}");
        if (a.Then is { } forwarded && a.PassedThrough is null)
            Write(forwarded, indent + "  ", line);
        if (r.Middlewares.Length > 0)
        {
            line($"{indent}  middlewares, in order:");
            foreach (var m in r.Middlewares)
                line($"{indent}    {m}: {string.Join(", ", r.MiddlewareDetails.GetValueOrDefault(m, ImmutableSortedDictionary<string, string>.Empty).Select(d => $"{d.Key}={d.Value}"))}");
        }
        foreach (var n in a.Notes)
            line($"{indent}  {n}");
        foreach (var s in a.Shadowed)
            line($"{indent}  also matches, lower priority (never reached): {s.Router} (priority {s.Priority.ToString(CultureInfo.InvariantCulture)}) -> {s.Target}");
    }

    /// <summary>A reader and evaluator for the subset of Traefik's rule language the platform renders.</summary>
    public static class Rules
    {
        /// <summary>
        /// Whether <paramref name="rule"/> matches a request for <paramref name="host"/> (canonical: lower case, punycode)
        /// whose decoded, cleaned path is <paramref name="path"/> (Go's URL.Path, as Path and PathPrefix compare it).
        /// </summary>
        public static bool Matches(string rule, string host, string path)
        {
            var p = new Parser(rule, host, path);
            var result = p.Or();
            p.End();
            return result;
        }

        /// <summary>
        /// Traefik's Host matcher (<c>pkg/muxer/http/matcher.go</c>, host): ASCII only, case-insensitive, and a trailing
        /// dot on either the rule or the request is ignored.
        /// </summary>
        public static bool HostMatches(string ruleHost, string requestHost)
        {
            if (!ruleHost.All(char.IsAscii)) throw new FormatException($"invalid value \"{ruleHost}\" for Host matcher, non-ASCII characters are not allowed");
            var h = ruleHost.ToLowerInvariant();
            var r = requestHost.ToLowerInvariant();
            if (r.Length == 0) return false;
            return r == h || (h.EndsWith('.') && r == h[..^1]) || (r.EndsWith('.') && r[..^1] == h);
        }

        private sealed class Parser(string text, string host, string path)
        {
            private int _at;

            public bool Or()
            {
                var value = And();
                while (Take("||")) value = And() | value;
                return value;
            }

            private bool And()
            {
                var value = Unary();
                while (Take("&&")) value = Unary() & value;
                return value;
            }

            private bool Unary()
            {
                if (Take("!")) return !Unary();
                if (Take("("))
                {
                    var inner = Or();
                    Expect(")");
                    return inner;
                }
                var start = _at;
                while (_at < text.Length && char.IsLetter(text[_at])) _at++;
                var matcher = text[start.._at];
                Expect("(");
                var args = new List<string> { Argument() };
                while (Take(",")) args.Add(Argument());
                Expect(")");
                return matcher switch
                {
                    "Host" => args.Any(a => HostMatches(a, host)),
                    // Against the canonical host, trailing dot included (matcher.go hostRegexp).
                    "HostRegexp" => args.Any(a => Regex.IsMatch(host, a, RegexOptions.None, TimeSpan.FromSeconds(1))),
                    "Path" => args.Any(a => a == path),
                    "PathPrefix" => args.Any(a => path.StartsWith(a, StringComparison.Ordinal)),
                    _ => throw new FormatException($"the matcher '{matcher}' at {start} is not modelled"),
                };
            }

            private string Argument()
            {
                Skip();
                if (_at >= text.Length || text[_at] != '`') throw new FormatException($"expected a `quoted` argument at {_at}");
                var end = text.IndexOf('`', _at + 1);
                if (end < 0) throw new FormatException($"unclosed ` at {_at}");
                var value = text[(_at + 1)..end];
                _at = end + 1;
                return value;
            }

            private void Skip()
            {
                while (_at < text.Length && text[_at] == ' ') _at++;
            }

            private bool Take(string token)
            {
                Skip();
                if (string.CompareOrdinal(text, _at, token, 0, token.Length) != 0) return false;
                _at += token.Length;
                return true;
            }

            private void Expect(string token)
            {
                if (!Take(token)) throw new FormatException($"expected '{token}' at {_at}");
            }

            public void End()
            {
                Skip();
                if (_at != text.Length) throw new FormatException($"unexpected text at {_at}");
            }
        }
    }
}
