using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// One Traefik router as rendered: from a container's labels or from the file provider. <c>Target</c> is the app it
/// serves, the platform service, or a URL for file routes; <c>Middlewares</c> are in the order a request passes them,
/// and <c>MiddlewareDetails</c> holds each one's rendered settings (e.g. <c>stripprefix.prefixes=/face</c>).
/// </summary>
public sealed record RouterView(string Router, string Rule, int Priority, string Target, string? Service,
    ImmutableArray<string> Middlewares, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> MiddlewareDetails);

/// <summary>
/// Which router takes a request, what it passes through, and what the app sees: <c>ForwardedPath</c> is the path the
/// app receives (after a prefix strip; null when a redirect answers), <c>RedirectTo</c> where a redirect sends the
/// client, <c>Shadowed</c> the other routers that match with lower priority (they never see the request), and
/// <c>Problem</c> why the URL could not be explained.
/// </summary>
public sealed record RouteAnswer(string Url, string Host, string Path, RouterView? Router, string? ForwardedPath, string? RedirectTo,
    ImmutableArray<RouterView> Shadowed, string? Problem);

/// <summary>
/// Models Traefik's HTTP routing on the rendered rules and priorities: every router whose rule matches the request
/// (Host, HostRegexp, Path, PathPrefix, combined with &amp;&amp;, || and !), the one with the highest priority wins.
/// It reads the labels and file routes the blueprint renders, not the settings, so it explains what Traefik is given.
/// </summary>
public static class RouteExplainer
{
    /// <summary>Every router of the blueprint, once (app instances share their routers), highest priority first.</summary>
    public static ImmutableArray<RouterView> Routers(PlatformBlueprint b)
    {
        var routers = new Dictionary<string, RouterView>(StringComparer.Ordinal);
        var traefik = b.Services.FirstOrDefault(s => s.Name == ServiceNames.Traefik)?.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        foreach (var service in b.Services)
        {
            foreach (var (key, rule) in service.Labels.Where(l => l.Key.StartsWith("traefik.http.routers.", StringComparison.Ordinal) && l.Key.EndsWith(".rule", StringComparison.Ordinal)))
            {
                var name = key.Split('.')[3];
                if (routers.ContainsKey(name)) continue;
                var prefix = $"traefik.http.routers.{name}.";
                var middlewares = service.Labels.GetValueOrDefault(prefix + "middlewares", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
                var priority = int.TryParse(service.Labels.GetValueOrDefault(prefix + "priority"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : rule.Length;
                routers[name] = new RouterView(name, rule, priority, service.App ?? service.Name, service.Labels.GetValueOrDefault(prefix + "service"),
                    middlewares, Details(middlewares, service.Labels, traefik));
            }
        }
        foreach (var f in b.FileRoutes)
            routers.TryAdd(f.Router, new RouterView(f.Router, f.Rule, f.Priority, f.ServiceUrl, null, f.Middlewares, Details(f.Middlewares, ImmutableSortedDictionary<string, string>.Empty, traefik)));
        return [.. routers.Values.OrderByDescending(r => r.Priority).ThenBy(r => r.Router, StringComparer.Ordinal)];
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

    /// <summary>Which router of <paramref name="b"/> takes <paramref name="url"/> (e.g. https://app.example.com/api/x).</summary>
    public static RouteAnswer Explain(PlatformBlueprint b, string url)
    {
        var text = url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return new RouteAnswer(url, "", "", null, null, null, [], $"'{url}' is not an http(s) URL; give e.g. https://app.{b.Domain}/path.");
        var host = uri.Host.ToLowerInvariant();
        var path = uri.AbsolutePath;
        var matching = new List<RouterView>();
        foreach (var router in Routers(b))
        {
            bool matches;
            try
            {
                matches = Rules.Matches(router.Rule, host, path);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or RegexMatchTimeoutException)
            {
                return new RouteAnswer(url, host, path, null, null, null, [], $"the rule of router {router.Router} cannot be read: {e.Message}");
            }
            if (matches) matching.Add(router);
        }
        if (matching.Count == 0)
            return new RouteAnswer(url, host, path, null, null, null, [], null);
        var winner = matching[0];
        string? redirect = null;
        var forwarded = path;
        foreach (var m in winner.Middlewares)
        {
            var d = winner.MiddlewareDetails.GetValueOrDefault(m, ImmutableSortedDictionary<string, string>.Empty);
            if (redirect is null && d.TryGetValue("redirectregex.regex", out var regex) && d.TryGetValue("redirectregex.replacement", out var replacement))
            {
                var full = $"https://{host}{uri.PathAndQuery}";
                if (Regex.IsMatch(full, regex, RegexOptions.None, TimeSpan.FromSeconds(1)))
                    redirect = Regex.Replace(full, regex, replacement, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            if (d.TryGetValue("stripprefix.prefixes", out var prefixes))
            {
                var strip = prefixes.Split(',').FirstOrDefault(p => forwarded.StartsWith(p, StringComparison.Ordinal));
                if (strip is not null) forwarded = forwarded[strip.Length..] is { Length: > 0 } rest ? (rest.StartsWith('/') ? rest : "/" + rest) : "/";
            }
        }
        return new RouteAnswer(url, host, path, winner, redirect is null ? forwarded : null, redirect, [.. matching.Skip(1)], null);
    }

    /// <summary>The answer for people.</summary>
    public static string Render(RouteAnswer a)
    {
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        if (a.Problem is not null)
        {
            Line($"{a.Url}: {a.Problem}");
            return sb.ToString();
        }
        Line($"{a.Url} (host {a.Host}, path {a.Path})");
        if (a.Router is not { } r)
        {
            Line("  no router matches: Traefik answers 404.");
            return sb.ToString();
        }
        Line($"  router {r.Router} (priority {r.Priority.ToString(CultureInfo.InvariantCulture)}): {r.Rule}");
        Line(a.RedirectTo is { } to
            ? $"  answered by Traefik: permanent redirect to {to}"
            : $"  goes to {r.Target}{(r.Service is null ? "" : $" (service {r.Service})")}, which sees the path {a.ForwardedPath}");
        Line("  middlewares, in order:");
        foreach (var m in r.Middlewares)
            Line($"    {m}: {string.Join(", ", r.MiddlewareDetails.GetValueOrDefault(m, ImmutableSortedDictionary<string, string>.Empty).Select(d => $"{d.Key}={d.Value}"))}");
        foreach (var s in a.Shadowed)
            Line($"  also matches, lower priority (never reached): {s.Router} (priority {s.Priority.ToString(CultureInfo.InvariantCulture)}) -> {s.Target}");
        return sb.ToString();
    }

    /// <summary>A reader and evaluator for the subset of Traefik's rule language the platform renders.</summary>
    public static class Rules
    {
        public static bool Matches(string rule, string host, string path)
        {
            var p = new Parser(rule, host, path);
            var result = p.Or();
            p.End();
            return result;
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
                    "Host" => args.Any(a => string.Equals(a, host, StringComparison.OrdinalIgnoreCase)),
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
