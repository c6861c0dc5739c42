using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Maintenance;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Maintenance;

/// <summary>
/// Maintenance mode as Traefik file-provider routes (<c>maintenance.yml</c> in the watched dynamic directory): for each
/// router of an app in maintenance, a router with the same rule one priority above it (an app's routes differ in priority
/// by their path's length, at least 2 for a path under another app's, so it never takes another app's requests) and the
/// app's own Traefik service and middlewares, behind three of its own, in the order a request passes them:
/// <list type="number">
/// <item><c>maintenance-retry-after</c>, headers: <c>Retry-After</c> on the response, refusals included (the headers middleware
/// modifies the response whoever writes it: <c>pkg/middlewares/headers/headers.go</c>, <c>TestNew_customHeaders</c>);</item>
/// <item><c>maintenance-page</c> (with a page URL), errors: a 503 from below is answered with the page, keeping the 503
/// (<c>pkg/middlewares/customerrors/custom_errors.go</c>: the page is served through <c>newCodeModifier(rw, code)</c>);</item>
/// <item><c>maintenance-allow</c>, ipAllowList with <c>rejectStatusCode: 503</c> (<c>pkg/middlewares/ipallowlist/ip_allowlist.go</c>,
/// <c>TestIPAllowLister_ServeHTTP</c>'s reject-status cases): the allowed CIDRs pass to the app, everyone else gets 503.</item>
/// </list>
/// Traefik v3.3.6. The file is always written (empty when nothing is in maintenance), so switching is a change of its content:
/// the host command writes it, the file provider's watch reloads the routes, no container changes.
/// </summary>
public static class MaintenanceBlueprint
{
    public const string MaintenanceFile = "maintenance.yml";
    public const string MaintenanceRetryAfter = "maintenance-retry-after";
    public const string MaintenancePage = "maintenance-page";
    public const string MaintenanceAllow = "maintenance-allow";

    /// <summary>The maintenance router of an app's router.</summary>
    public static string MaintenanceRouter(string router) => $"maintenance-{router}";

    /// <summary>The dynamic configuration for the stack's maintenance mode, from the app containers' rendered router labels.</summary>
    public static string MaintenanceYaml(MaintenanceSettings m, IEnumerable<ServiceSpec> services)
    {
        var routers = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var svc in services.Where(x => x.Kind == ServiceKind.App && x.App is { } app && m.Covers(app) && x.StartOnDeploy && !x.OneShot))
        {
            foreach (var (key, rule) in svc.Labels.Where(l => l.Key.StartsWith("traefik.http.routers.", StringComparison.Ordinal) && l.Key.EndsWith(".rule", StringComparison.Ordinal)))
            {
                var name = key.Split('.')[3];
                if (!seen.Add(name)) continue;
                var prefix = $"traefik.http.routers.{name}.";
                var priority = long.Parse(svc.Labels.GetValueOrDefault(prefix + "priority", "0"), NumberStyles.Integer, CultureInfo.InvariantCulture);
                var own = svc.Labels.GetValueOrDefault(prefix + "middlewares", "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                    .Select(x => x.Contains('@', StringComparison.Ordinal) ? x : x + "@docker");
                List<string> chain = [MaintenanceRetryAfter, .. m.PageUrl is null ? Array.Empty<string>() : [MaintenancePage], MaintenanceAllow, .. own];
                routers[MaintenanceRouter(name)] = new Dictionary<string, object>
                {
                    ["rule"] = rule,
                    ["priority"] = priority + 1,
                    ["entryPoints"] = new[] { svc.Labels.GetValueOrDefault(prefix + "entrypoints", Routing.EntryPoint) },
                    ["tls"] = svc.Labels.GetValueOrDefault(prefix + "tls.certresolver") is { } resolver
                        ? new Dictionary<string, object> { ["certResolver"] = resolver } : new Dictionary<string, object>(),
                    ["service"] = svc.Labels[prefix + "service"] + "@docker",
                    ["middlewares"] = chain.ToArray(),
                };
            }
        }
        if (routers.Count == 0) return "{}\n";
        var middlewares = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            [MaintenanceRetryAfter] = new Dictionary<string, object>
            {
                ["headers"] = new Dictionary<string, object>
                {
                    ["customResponseHeaders"] = new Dictionary<string, object> { ["Retry-After"] = m.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture) },
                },
            },
            // The zone's hosts come through Cloudflare: the client is the address it appended (depth 1).
            [MaintenanceAllow] = new Dictionary<string, object>
            {
                ["ipAllowList"] = new Dictionary<string, object>
                {
                    ["sourceRange"] = m.AllowCidrs.ToArray(),
                    ["ipStrategy"] = new Dictionary<string, object> { ["depth"] = 1 },
                    ["rejectStatusCode"] = 503,
                },
            },
        };
        var http = new Dictionary<string, object> { ["routers"] = routers, ["middlewares"] = middlewares };
        if (m.PageUrl is { } url)
        {
            var page = new Uri(url);
            middlewares[MaintenancePage] = new Dictionary<string, object>
            {
                ["errors"] = new Dictionary<string, object> { ["status"] = new[] { "503" }, ["service"] = MaintenancePage, ["query"] = page.PathAndQuery },
            };
            http["services"] = new Dictionary<string, object>
            {
                [MaintenancePage] = new Dictionary<string, object>
                {
                    ["loadBalancer"] = new Dictionary<string, object>
                    {
                        ["servers"] = new[] { new Dictionary<string, object> { ["url"] = page.GetLeftPart(UriPartial.Authority) } },
                        // The page's own host, not the app's.
                        ["passHostHeader"] = false,
                    },
                },
            };
        }
        return MaintenanceSerializer.Serialize(new Dictionary<string, object> { ["http"] = http });
    }

    private static readonly YamlDotNet.Serialization.ISerializer MaintenanceSerializer = new YamlDotNet.Serialization.SerializerBuilder().Build();

    /// <summary>What the plan says of maintenance mode.</summary>
    public static string MaintenanceSummary(MaintenanceSettings m, IEnumerable<string> apps) =>
        m.Apps.IsEmpty ? "no app in maintenance"
            : $"in maintenance: {(m.Apps.Contains(MaintenanceSettings.Everything) ? "every app" : string.Join(", ", apps.Where(m.Covers).Order(StringComparer.Ordinal)))} " +
              $"(503 with Retry-After {m.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)} s{(m.PageUrl is null ? "" : $" and the page {m.PageUrl}")}; " +
              $"{string.Join(", ", m.AllowCidrs)} pass through)";

    /// <summary>Writes <c>maintenance.yml</c> next to Traefik's other dynamic files (watched: no restart).</summary>
    internal static HostCommandSpec TraefikMaintenance(StackSettings s, IEnumerable<ServiceSpec> services) =>
        HostFilesCommand(HostCommandNames.TraefikMaintenance,
            $"writes Traefik's maintenance routes, reloaded in place: {MaintenanceSummary(s.Maintenance, s.Apps.Select(a => a.Name))}",
            Parts.Edge.EdgeBlueprint.TraefikDynamicHostDirectory, 0, 0, [(MaintenanceFile, SecretText.Plain(MaintenanceYaml(s.Maintenance, services)))],
            ServiceNames.Traefik, SecretText.Plain("true"), PartId.Edge);
}
