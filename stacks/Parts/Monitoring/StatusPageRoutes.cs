using System.Collections.Immutable;

namespace Platform.Stacks.Operations;

/// <summary>
/// What the public <c>status.&lt;domain&gt;</c> host lets through to Uptime Kuma: its status pages and exactly what they
/// load, nothing of the admin (dashboard, login, socket.io, settings API, push and metrics endpoints). The paths are
/// Uptime Kuma 2.0.2's (louislam/uptime-kuma at tag 2.0.2):
/// <list type="bullet">
/// <item><c>server/routers/status-page-router.js</c>: <c>GET /status/:slug</c>, <c>/status/:slug/rss</c>, <c>/status</c> and
/// <c>/status-page</c> (the <c>default</c> slug), and under <c>/api/status-page/</c> the page's config, heartbeats, manifest and
/// badge (<c>/api/status-page/:slug</c>, <c>/heartbeat/:slug</c>, <c>/:slug/manifest.json</c>, <c>/:slug/badge</c>).</item>
/// <item><c>src/pages/StatusPage.vue</c> fetches <c>/api/status-page/&lt;slug&gt;</c> and <c>/api/status-page/heartbeat/&lt;slug&gt;</c>
/// only; <c>src/mixins/socket.js</c> (<c>noSocketIOPages</c>) opens no socket.io connection on <c>/status…</c> pages.</item>
/// <item><c>server/server.js</c>: the built front end is served from <c>dist</c> (Vite's <c>/assets/…</c> and the files of
/// <c>public/</c>: icons, <c>manifest.json</c>), uploaded status page logos from <c>/upload/</c>, and <c>/</c> sends to the
/// entry page: the status page chosen in Settings → General → Entry Page, or (a domain mapped in the status page's
/// settings) the page itself; otherwise to <c>/dashboard</c>, which this host does not serve.</item>
/// </list>
/// Everything else on the host (<c>/dashboard</c>, <c>/socket.io/</c>, <c>/api/push/…</c>, <c>/api/badge/…</c>, <c>/metrics</c>,
/// <c>/setup-database</c>) is Traefik's 404; the whole of Uptime Kuma is on the admin host behind the admin CIDRs.
/// </summary>
public static class StatusPageRoutes
{
    /// <summary>The status pages: the entry page, the default slug's two spellings, and by prefix the pages by slug, their API and uploaded logos.</summary>
    public static readonly ImmutableArray<string> PagePaths = ["/", "/status", "/status-page"];
    public static readonly ImmutableArray<string> PagePrefixes = ["/status/", "/api/status-page/", "/upload/"];

    /// <summary>The front end the pages load: Vite's built scripts and styles, and the files of <c>public/</c> (icons, web manifest).</summary>
    public static readonly ImmutableArray<string> AssetPaths =
    [
        "/favicon.ico",
        "/icon.svg",
        "/icon.png",
        "/icon-192x192.png",
        "/icon-512x512.png",
        "/apple-touch-icon.png",
        "/apple-touch-icon-precomposed.png",
        "/manifest.json",
    ];
    public static readonly ImmutableArray<string> AssetPrefixes = ["/assets/"];

    /// <summary>The router of the front end's files on the status host (the pages' router is <c>status</c>).</summary>
    public const string AssetsRouter = "status-assets";

    /// <summary>The pages' router rule: the host and one of their paths.</summary>
    public static string PagesRule(string fqdn) => Rule(fqdn, PagePaths, PagePrefixes);

    /// <summary>The front end's router rule.</summary>
    public static string AssetsRule(string fqdn) => Rule(fqdn, AssetPaths, AssetPrefixes);

    private static string Rule(string fqdn, IEnumerable<string> paths, IEnumerable<string> prefixes) =>
        $"Host(`{fqdn}`) && ({string.Join(" || ", paths.Select(p => $"Path(`{p}`)").Concat(prefixes.Select(p => $"PathPrefix(`{p}`)")))})";

    /// <summary>The status page monitor's path: the default slug's page (200 once it exists, Uptime Kuma's 404 page before).</summary>
    public const string MonitorPath = "/status";

    /// <summary>Text of Uptime Kuma's <c>index.html</c> in both answers (its app's mount point), never in Traefik's own 404.</summary>
    public const string MonitorKeyword = "<div id=\"app\">";
}
