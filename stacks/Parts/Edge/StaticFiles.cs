using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// Files an app writes to one of its volumes, served straight from it on a path of one of its hosts
/// (<c>staticFiles: [{ host: api, path: /uploads, volume: uploads }]</c>).
/// </summary>
/// <param name="Host">A host of one of the app's routes (the subdomain label, or <c>@</c>).</param>
/// <param name="Path">The path prefix the files are under, whole segments (<c>/uploads</c>: <c>/uploads/a.png</c>).</param>
/// <param name="Volume">The app's volume holding them, mounted read-only.</param>
/// <param name="MemoryMb">The file server's memory limit. Default: 32.</param>
public sealed record StaticFilesSettings(string Host, string Path, string Volume, int MemoryMb)
{
    public string Key { get; init; } = "";
}

/// <summary>
/// A tiny file server per entry rather than the app itself: the app's workers are not tied up streaming files, the server
/// mounts the volume read-only (it cannot change what the app wrote), holds no secret, no database and no network but the
/// app's own, and runs with no capability on a read-only root. The image is nginx's unprivileged build (user 101, port 8080,
/// its pid and temporary files under <c>/tmp</c>, a tmpfs here: nginxinc/docker-nginx-unprivileged's Dockerfile), with its
/// default site: the volume is mounted under its document root at the route's path, so <c>/uploads/a.png</c> is
/// <c>&lt;volume&gt;/a.png</c>; directory listings are off (nginx's autoindex default), so <c>/uploads/</c> answers 403. Its router
/// has the path's length over the host's base priority, so it wins over every shorter route on the host (the front end's).
/// Uploaded files are other people's content on the app's origin: they are served with a sandboxing Content-Security-Policy,
/// so an uploaded HTML or SVG file runs no script there.
/// </summary>
public static class StaticFiles
{
    public static System.Collections.Immutable.ImmutableArray<string> Keys => Apps.AppSchema.StaticFiles.Keys;

    /// <summary>nginx's unprivileged image, pinned; it serves files and nothing else here.</summary>
    public const string Image = "nginxinc/nginx-unprivileged:1.27.1-alpine-slim";
    public const int Port = 8080;
    public const string DocumentRoot = "/usr/share/nginx/html";
    /// <summary>The image's own welcome page: answers 200 whatever the volume holds.</summary>
    public const string HealthPath = "/";
    public const int DefaultMemoryMb = 32;
    public const double Cpus = 0.25;
    public const string ContentSecurityPolicy = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

    /// <summary>The file server of an app's <paramref name="index"/>th entry: in the app's namespace (<c>app-&lt;app&gt;.</c>), which no other name takes.</summary>
    public static string Service(string app, int index) => $"app-{app}.static-{index.ToString(CultureInfo.InvariantCulture)}";

    public static bool IsService(string name) => name.StartsWith("app-", StringComparison.Ordinal) && name.Contains(".static-", StringComparison.Ordinal);

    /// <summary>Traefik's names have no dots (labels are split on them): <c>app-&lt;app&gt;_static&lt;n&gt;</c>, its router <c>app-&lt;app&gt;_s&lt;n&gt;</c>.</summary>
    public static string TraefikService(string app, int index) => $"app-{app}_static{index.ToString(CultureInfo.InvariantCulture)}";

    public static string Router(string app, int index) => $"app-{app}_s{index.ToString(CultureInfo.InvariantCulture)}";

    internal static ImmutableArray<StaticFilesSettings> Read(NodeReader r, YamlNode? node, string appKey)
    {
        var list = ImmutableArray.CreateBuilder<StaticFilesSettings>();
        foreach (var (item, k) in r.Sequence(node, $"{appKey}.staticFiles", "Write each as '- { host: api, path: /uploads, volume: uploads }'."))
        {
            var m = r.Mapping(item, k, Keys);
            var host = r.String(m.GetValueOrDefault("host"), $"{k}.host").Trim().ToLowerInvariant();
            if (!m.ContainsKey("host")) r.Error($"{k}.host", "is required.", "Give the host of one of the app's routes, e.g. host: api.");
            var path = r.String(m.GetValueOrDefault("path"), $"{k}.path").Trim();
            if (path.Length > 1 && path.EndsWith('/')) path = path.TrimEnd('/');
            if (!m.ContainsKey("path"))
                r.Error($"{k}.path", "is required.", "Give the path the files are under, e.g. path: /uploads.");
            else if (RoutePaths.Problem(path) is { } problem)
                r.Error($"{k}.path", $"'{path}' {problem.Problem}", problem.Fix);
            else if (path == "/" || !Names.IsPathPrefix(path) || path.Length > RouteSettingsReader.MaxPathLength)
                r.Error($"{k}.path", $"'{path}' is not a path below the host's root.", "Give a path prefix such as /uploads (the host's root stays the app's).");
            var volume = r.String(m.GetValueOrDefault("volume"), $"{k}.volume").Trim();
            if (!m.ContainsKey("volume")) r.Error($"{k}.volume", "is required.", "Name the app's volume the files are in, e.g. volume: uploads.");
            var memory = m.TryGetValue("memoryMb", out var mem) ? r.Int(mem, $"{k}.memoryMb", DefaultMemoryMb, 16, 1024) : DefaultMemoryMb;
            list.Add(new StaticFilesSettings(host, path, volume, memory) { Key = k });
        }
        return list.ToImmutable();
    }

    /// <summary>Each entry's volume is the app's, its host one of the app's routes, its path no route's already.</summary>
    internal static void Check(StackSettings s, NodeReader r)
    {
        if (s.Domain.Length == 0) return;
        var taken = s.Apps.SelectMany(a => a.Routes.Select((route, i) => (Fqdn: route.Fqdn(s.Domain), Path: route.PathPrefix ?? "", Key: $"{a.Key}.routes[{i}]")))
            .GroupBy(x => (x.Fqdn, x.Path)).ToDictionary(g => g.Key, g => g.First().Key);
        foreach (var app in s.Apps)
            foreach (var f in app.StaticFiles)
            {
                if (f.Volume.Length > 0 && app.Volumes.All(v => v.Name != f.Volume))
                    r.Error($"{f.Key}.volume", $"'{f.Volume}' is not a volume of this app.",
                        app.Volumes.IsEmpty ? $"Declare it under {app.Key}.volumes, e.g. '- {{ name: {f.Volume}, mountPath: /app/{f.Volume}, sizeGb: 10 }}'." : $"Use one of: {string.Join(", ", app.Volumes.Select(v => v.Name))}.");
                var hosts = app.Routes.Where(x => x.Domain is null && !x.IsWildcard).Select(x => x.Host).Distinct(StringComparer.Ordinal).ToList();
                if (f.Host.Length > 0 && !hosts.Contains(f.Host))
                    r.Error($"{f.Key}.host", $"'{f.Host}' is not a host of this app's routes, so no DNS record, certificate or monitor would cover it.",
                        hosts.Count == 0 ? $"Give the app a route first ({app.Key}.routes)." : $"Use one of: {string.Join(", ", hosts.Select(h => h == "@" ? "\"@\"" : h))}.");
                else if (f.Host.Length > 0 && f.Path.Length > 0 && taken.TryGetValue((SettingsRules.Fqdn(f.Host, s.Domain), f.Path), out var owner))
                    r.Error($"{f.Key}.path", $"{SettingsRules.Fqdn(f.Host, s.Domain)}{f.Path} is routed by {owner} already, so both would match the same requests.", "Give the files another path, or remove that route.");
            }
    }

    /// <summary>The file servers of <paramref name="app"/>, with their routes.</summary>
    public static IEnumerable<ServiceSpec> Services(StackSettings s, AppSettings app)
    {
        for (var i = 0; i < app.StaticFiles.Length; i++)
        {
            var f = app.StaticFiles[i];
            var route = new RouteSpec(Router(app.Name, i), Routing.Fqdn(f.Host, s.Domain), f.Host, f.Path, false)
            {
                CertResolver = Routing.ZoneResolver(s),
                Headers = new HeaderSettings(HeaderPreset.Secure, null, ContentSecurityPolicy, null),
                RateLimit = app.RateLimit,
                CacheRules = [.. app.Cache.Where(c => CacheRules.Under(c.Path, f.Path))],
            };
            var network = AppNames.Network(app.Name);
            yield return new ServiceSpec
            {
                Name = Service(app.Name, i),
                Part = PartId.App(app.Name),
                Kind = ServiceKind.App,
                ContainerName = null,
                Replacement = Replacement.CreateBeforeDelete,
                Image = Image,
                InternalPorts = [Port],
                Mounts = [new MountSpec(MountKind.Volume, AppNames.Volume(app.Name, f.Volume), DocumentRoot + f.Path, ReadOnly: true), HealthProbe.Mount],
                Networks = [new NetworkAttachment(network, [])],
                Labels = Routing.Labels(TraefikService(app.Name, i), Port, [route], s.Domain, HealthPath, s.CloudflareOnlyIngress, sticky: false, network: network),
                HealthCheck = Conventions.Health(Conventions.HttpCheck(Port, HealthPath)),
                Limits = new ResourceLimits(f.MemoryMb, Cpus),
                RestartPolicy = Conventions.RestartPolicy,
                Log = Conventions.Log,
                DependsOn = [ServiceNames.Traefik],
                AfterHostCommands = [AppNames.AttachCommand(app.Name)],
                App = app.Name,
            };
        }
    }
}
