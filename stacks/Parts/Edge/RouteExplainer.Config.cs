using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Blueprint;

/// <summary>How the route explainer reads what a Traefik is given: rendered files, and Traefik's own routers from its command line.</summary>
public static partial class RouteExplainer
{
    /// <summary>The content of <paramref name="file"/> as a host command writes it (a quoted here-document).</summary>
    public static string? HostFile(HostCommandSpec command, string file)
    {
        var script = command.Stdin?.Masked;
        if (script is null) return null;
        var marker = "PLATFORM_" + file.ToUpperInvariant().Replace('.', '_');
        var open = $"/{file}.new >/dev/null <<'{marker}'\n";
        var start = script.IndexOf(open, StringComparison.Ordinal);
        if (start < 0) return null;
        start += open.Length;
        var end = script.IndexOf("\n" + marker + "\n", start - 1, StringComparison.Ordinal);
        return end < 0 ? null : script[start..(end + 1)];
    }

    /// <summary>The routers of a rendered dynamic configuration file (YAML): HTTP by entry point, TCP passthrough.</summary>
    private static void ReadDynamic(string yaml, List<RouterView> https, List<RouterView> http, List<TcpRouterView> tcp)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return;
        static YamlMappingNode? Map(YamlNode? node, string key) =>
            node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var v)
                ? v as YamlMappingNode : null;
        static string? Scalar(YamlNode? node, string key) =>
            node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var v)
                ? (v as YamlScalarNode)?.Value : null;
        static IEnumerable<string> List(YamlNode? node, string key) =>
            node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var v)
                && v is YamlSequenceNode seq
                ? seq.Children.OfType<YamlScalarNode>().Select(x => x.Value ?? "") : [];

        var httpServices = Map(Map(root, "http"), "services");
        var fileMiddlewares = Map(Map(root, "http"), "middlewares");
        foreach (var (key, node) in (IEnumerable<KeyValuePair<YamlNode, YamlNode>>?)Map(Map(root, "http"), "routers")?.Children ?? [])
        {
            var name = ((YamlScalarNode)key).Value!;
            var rule = Scalar(node, "rule") ?? "";
            var priority = long.TryParse(Scalar(node, "priority"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p != 0 ? p : rule.Length;
            var service = Scalar(node, "service");
            var url = Map(Map(httpServices, service ?? ""), "loadBalancer") is { } lb && lb.Children.TryGetValue(new YamlScalarNode("servers"), out var servers)
                && servers is YamlSequenceNode s && s.Children.Count > 0 ? Scalar(s.Children[0], "url") : null;
            var middlewares = List(node, "middlewares").ToImmutableArray();
            var entryPoints = List(node, "entryPoints").ToList();
            // A router without entry points listens on all of them.
            foreach (var ep in entryPoints.Count == 0 ? [Routing.EntryPoint, "web"] : entryPoints)
            {
                var details = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, middlewares
                    .Where(m => !m.Contains('@', StringComparison.Ordinal) && fileMiddlewares?.Children.ContainsKey(new YamlScalarNode(m)) == true)
                    .Select(m => KeyValuePair.Create(m, Flatten(fileMiddlewares!.Children[new YamlScalarNode(m)]))));
                var view = new RouterView(name, rule, priority, url ?? service ?? "", service, middlewares, details) { EntryPoint = ep };
                (ep == "web" ? http : https).Add(view);
            }
        }
        var tcpServices = Map(Map(root, "tcp"), "services");
        foreach (var (key, node) in (IEnumerable<KeyValuePair<YamlNode, YamlNode>>?)Map(Map(root, "tcp"), "routers")?.Children ?? [])
        {
            var name = ((YamlScalarNode)key).Value!;
            var lb = Map(Map(tcpServices, Scalar(node, "service") ?? ""), "loadBalancer");
            var address = lb is not null && lb.Children.TryGetValue(new YamlScalarNode("servers"), out var servers)
                && servers is YamlSequenceNode s && s.Children.Count > 0 ? Scalar(s.Children[0], "address") ?? "" : "";
            if (Scalar(Map(node, "tls"), "passthrough") == "true")
                tcp.Add(new TcpRouterView(name, Scalar(node, "rule") ?? "", address, Map(lb, "proxyProtocol") is not null));
        }
    }

    /// <summary>A file middleware's settings as its labels would spell them (<c>ipallowlist.sourcerange</c>: lower case, lists joined by commas).</summary>
    private static ImmutableSortedDictionary<string, string> Flatten(YamlNode node)
    {
        var flat = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        void Walk(YamlNode n, string path)
        {
            switch (n)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children) Walk(v, (path.Length == 0 ? "" : path + ".") + ((YamlScalarNode)k).Value!.ToLowerInvariant());
                    break;
                case YamlSequenceNode seq:
                    flat[path] = string.Join(",", seq.Children.OfType<YamlScalarNode>().Select(x => x.Value));
                    break;
                case YamlScalarNode scalar:
                    flat[path] = scalar.Value ?? "";
                    break;
            }
        }
        Walk(node, "");
        return flat.ToImmutable();
    }

    /// <summary>
    /// Traefik's own routers on the <c>web</c> entry point, from its command line (<c>pkg/provider/traefik/internal.go</c>):
    /// the ACME HTTP-01 router when a resolver answers challenges there (priority MaxInt), and the entry point's redirect
    /// (<c>HostRegexp(`^.+$`)</c>, priority <c>redirections.entrypoint.priority</c>, default MaxInt-1,
    /// <c>pkg/config/static/entrypoints.go</c>) with its redirectScheme middleware.
    /// </summary>
    public static IEnumerable<RouterView> InternalRouters(IEnumerable<string> command)
    {
        var flags = command.Select(c => c.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
        if (flags.Any(f => f.Key.StartsWith("--certificatesresolvers.", StringComparison.Ordinal) && f.Key.EndsWith(".acme.httpchallenge.entrypoint", StringComparison.Ordinal) && f.Value == "web"))
            yield return new RouterView(AcmeHttpRouter, $"PathPrefix(`{AcmeChallengePrefix}`)", MaxInt, "Traefik's ACME HTTP-01 challenge answer", "acme-http@internal", [],
                ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>.Empty) { EntryPoint = "web" };
        const string redirect = "--entrypoints.web.http.redirections.entrypoint.";
        if (flags.TryGetValue(redirect + "to", out var to))
        {
            var priority = flags.TryGetValue(redirect + "priority", out var p) ? long.Parse(p, CultureInfo.InvariantCulture) : MaxInt - 1;
            var scheme = flags.GetValueOrDefault(redirect + "scheme", "https");
            var permanent = flags.GetValueOrDefault(redirect + "permanent", "true");
            var middleware = $"redirect-web-to-{to}@internal";
            yield return new RouterView($"web-to-{to}@internal", "HostRegexp(`^.+$`)", priority, "noop@internal", "noop@internal", [middleware],
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(middleware, ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                    [KeyValuePair.Create("redirectscheme.scheme", scheme), KeyValuePair.Create("redirectscheme.permanent", permanent)]))]))
            { EntryPoint = "web" };
        }
    }
}
