using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Plan;

/// <summary>
/// A Mermaid flowchart of the platform: who talks to whom, over which network. A split stack's is drawn by server: a
/// subgraph per server with what runs on it, inside the private network, and the load balancer in front of the app servers.
/// </summary>
public static class PlanMermaid
{
    public static string Render(PlatformBlueprint b) => b.IsSplit ? Split(b) : Single(b);

    private static string Single(PlatformBlueprint b)
    {
        var sb = new StringBuilder();
        sb.Append("flowchart LR\n");
        sb.Append("  users((Users)) --> cf[Cloudflare proxy<br/>").Append(b.Zone).Append("]\n");
        sb.Append("  cf -->|80/443| fw{{Hetzner firewall}}\n");
        sb.Append("  admins((Admins)) -->|SSH 22| fw\n");
        // Mermaid puts a node in the subgraph that mentions it: the firewall is only mentioned outside the server's.
        sb.Append("  subgraph server[\"").Append(b.Server.Name).Append(" (").Append(b.Server.Type).Append(")\"]\n");
        sb.Append("    traefik[Traefik<br/>TLS, routing]\n");
        foreach (var app in Apps(b, null))
        {
            var id = Id(app.Name);
            sb.Append("    ").Append(id).Append("[\"").Append(app.Label).Append("\"]\n");
            if (app.Hosts.Count > 0) sb.Append("    traefik -->|").Append(string.Join(", ", app.Hosts)).Append("| ").Append(id).Append('\n');
            // The dependency on Traefik is drawn as the route from Traefik.
            foreach (var dep in app.DependsOn.Where(d => d != ServiceNames.Traefik)) sb.Append("    ").Append(id).Append(" --> ").Append(Node(dep)).Append('\n');
        }
        sb.Append("    traefik -->|status| uptime_kuma[Uptime Kuma]\n");
        sb.Append("    traefik -->|files| minio[(MinIO)]\n");
        sb.Append("    pgbouncer[PgBouncer] --> postgres[(PostgreSQL)]\n");
        var redis = RedisNodes(b);
        foreach (var (node, label) in redis) sb.Append("    ").Append(node).Append("[(").Append(label).Append(")]\n");
        var mariadb = b.Services.Any(s => s.Name == ServiceNames.MariaDb);
        if (mariadb) sb.Append("    mariadb[(MariaDB)]\n");
        sb.Append("    autokuma[AutoKuma] -->|monitors as code| uptime_kuma\n");
        if (!b.Backups.IsEmpty)
        {
            sb.Append("    backup[Backup jobs] --> postgres\n");
            foreach (var (node, _) in redis) sb.Append("    backup --> ").Append(node).Append('\n');
            sb.Append("    backup --> minio\n");
            if (mariadb) sb.Append("    backup --> mariadb\n");
            sb.Append("    backup -->|heartbeat| uptime_kuma\n");
        }
        sb.Append("  end\n");
        sb.Append("  fw -->|80/443| traefik\n");
        if (!b.Backups.IsEmpty) sb.Append("  backup -->|off-site, encrypted| s3[(S3 bucket)]\n");
        return sb.ToString();
    }

    /// <summary>
    /// An app as the diagram draws it: its serving instances (not its release or job containers), the hosts its routes
    /// answer (from every instance's labels), what it depends on, and the app servers it runs on.
    /// </summary>
    private sealed record AppNode(string Name, string Label, IReadOnlyList<string> Hosts, IReadOnlyList<string> DependsOn, IReadOnlyList<ServerKey> Servers);

    private static List<AppNode> Apps(PlatformBlueprint b, ServerKey? on) =>
    [
        .. b.Services.Where(s => s.Kind == ServiceKind.App && !s.OneShot && s.Schedule is null && (on is null || s.Host == on))
            .GroupBy(s => Parts.Edge.StaticFiles.IsService(s.Name) ? s.Name : s.App!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var servers = g.Select(s => s.Host).Distinct().OrderBy(k => k.Id, StringComparer.Ordinal).ToList();
                var count = g.Count();
                var where = b.IsSplit ? $"<br/>on {string.Join(", ", servers.Select(k => k.Id))}" : "";
                return new AppNode(g.Key, g.Key + (count > 1 ? $" ×{count}" : "") + where,
                    g.SelectMany(s => s.Labels).Where(l => l.Key.EndsWith(".rule", StringComparison.Ordinal) && !l.Key.Contains("-cache", StringComparison.Ordinal)).Select(l => Host(l.Value)).Distinct().Order(StringComparer.Ordinal).ToList(),
                    g.SelectMany(s => s.DependsOn).Distinct().ToList(), servers);
            }),
    ];

    private static string Split(PlatformBlueprint b)
    {
        var sb = new StringBuilder();
        string Sub(ServerKey k) => "server_" + Id(k.Id);
        string Traefik(ServerKey k) => "traefik__" + Id(k.Id);
        var data = b.Servers.Single(x => x.Key.Role == ServerRole.Data);
        sb.Append("flowchart LR\n");
        sb.Append("  users((Users)) --> cf[Cloudflare proxy<br/>").Append(b.Zone).Append("]\n");
        if (b.LoadBalancer is { } lb)
            sb.Append("  cf -->|80/443| lb[Hetzner load balancer<br/>").Append(lb.Type).Append(", ").Append(lb.PrivateIp).Append("]\n");
        else
            sb.Append("  cf -->|80/443| fw\n");
        sb.Append("  admins((Admins)) -->|SSH 22| fw{{Hetzner firewalls}}\n");
        var network = b.PrivateNetwork;
        sb.Append("  subgraph private[\"private network ").Append(network?.SubnetRange ?? "").Append("\"]\n");
        foreach (var server in b.AppServers)
        {
            var k = server.Key;
            sb.Append("    subgraph ").Append(Sub(k)).Append("[\"").Append(server.Name).Append(" (").Append(server.Type).Append(") ").Append(server.PrivateIp).Append("\"]\n");
            sb.Append("      ").Append(Traefik(k)).Append("[Traefik<br/>TLS, routing]\n");
            sb.Append("    end\n");
        }
        // Each app once, with the app servers it runs on; every Traefik that serves it has an edge to it.
        var apps = Apps(b, null);
        if (apps.Count > 0)
        {
            sb.Append("    subgraph apps[\"apps on the app servers\"]\n");
            foreach (var app in apps) sb.Append("      ").Append(AppId(app.Name)).Append("[\"").Append(app.Label).Append("\"]\n");
            sb.Append("    end\n");
        }
        var mariadb = b.Services.Any(s => s.Name == ServiceNames.MariaDb);
        sb.Append("    subgraph ").Append(Sub(data.Key)).Append("[\"").Append(data.Name).Append(" (").Append(data.Type).Append(") ").Append(data.PrivateIp).Append("\"]\n");
        sb.Append("      pgbouncer[PgBouncer] --> postgres[(PostgreSQL)]\n");
        var redis = RedisNodes(b);
        // A cache server holds the Redis instances, a file server MinIO: each in its own subgraph, with its own backup runner.
        var cache = b.Servers.FirstOrDefault(x => x.Key.Role == ServerRole.Cache);
        var files = b.Servers.FirstOrDefault(x => x.Key.Role == ServerRole.Files);
        var dataRedis = cache is null ? redis : [];
        foreach (var (node, label) in dataRedis) sb.Append("      ").Append(node).Append("[(").Append(label).Append(")]\n");
        if (mariadb) sb.Append("      mariadb[(MariaDB)]\n");
        if (files is null) sb.Append("      minio[(MinIO)]\n");
        sb.Append("      uptime_kuma[Uptime Kuma]\n");
        sb.Append("      autokuma[AutoKuma] -->|monitors as code| uptime_kuma\n");
        if (!b.Backups.IsEmpty)
        {
            sb.Append("      backup[Backup jobs] --> postgres\n");
            foreach (var (node, _) in dataRedis) sb.Append("      backup --> ").Append(node).Append('\n');
            if (files is null) sb.Append("      backup --> minio\n");
            if (mariadb) sb.Append("      backup --> mariadb\n");
            sb.Append("      backup -->|heartbeat| uptime_kuma\n");
        }
        if (b.DataVolume is { } dv) sb.Append("      volume[(\"Hetzner Volume ").Append(dv.SizeGb).Append(" GB\")]\n");
        sb.Append("    end\n");
        var roleBackups = new List<string>();
        void RoleServer(ServerSpec? server, IEnumerable<(string Node, string Label)> nodes)
        {
            if (server is null) return;
            var id = Id(server.Key.Id);
            sb.Append("    subgraph ").Append(Sub(server.Key)).Append("[\"").Append(server.Name).Append(" (").Append(server.Type).Append(") ").Append(server.PrivateIp).Append("\"]\n");
            foreach (var (node, label) in nodes) sb.Append("      ").Append(node).Append("[(").Append(label).Append(")]\n");
            if (b.Services.Any(x => x.Host == server.Key && x.Part.Kind == PartKind.Backups))
            {
                roleBackups.Add("backup__" + id);
                foreach (var (node, _) in nodes) sb.Append("      backup__").Append(id).Append("[Backup jobs] --> ").Append(node).Append('\n');
            }
            if (b.DataVolumeOf(server.Key) is { } rv)
            {
                sb.Append("      volume__").Append(id).Append("[(\"Hetzner Volume ").Append(rv.SizeGb).Append(" GB\")]\n");
                sb.Append("      ").Append(string.Join(" & ", nodes.Select(n => n.Node))).Append(" --- volume__").Append(id).Append('\n');
            }
            sb.Append("    end\n");
        }
        RoleServer(cache, redis);
        RoleServer(files, [("minio", "MinIO")]);
        sb.Append("  end\n");
        // Across the private network: the load balancer to each Traefik, Traefik to the data server's routes and to the
        // apps it serves, the apps to the data services.
        foreach (var server in b.AppServers)
        {
            var k = server.Key;
            sb.Append(b.LoadBalancer is null ? "  fw -->|80/443| " : "  lb -->|PROXY protocol| ").Append(Traefik(k)).Append('\n');
            sb.Append("  ").Append(Traefik(k)).Append(" -->|status| uptime_kuma\n");
            sb.Append("  ").Append(Traefik(k)).Append(" -->|files| minio\n");
            foreach (var app in apps.Where(a => a.Hosts.Count > 0 && a.Servers.Contains(k)))
                sb.Append("  ").Append(Traefik(k)).Append(" -->|").Append(string.Join(", ", app.Hosts)).Append("| ").Append(AppId(app.Name)).Append('\n');
        }
        foreach (var app in apps)
            foreach (var dep in app.DependsOn.Select(d => b.Services.FirstOrDefault(s => s.Name == d))
                         .Where(d => d is not null && d.Name != d.Host.Qualify(ServiceNames.Traefik))
                         .Select(d => d!.Kind == ServiceKind.App ? AppId(d.App!) : Node(d.Name)).Distinct())
                sb.Append("  ").Append(AppId(app.Name)).Append(" --> ").Append(dep).Append('\n');
        foreach (var server in b.Servers)
            sb.Append("  fw -.->|SSH| ").Append(Sub(server.Key)).Append('\n');
        if (b.DataVolume is not null) sb.Append("  postgres").Append(string.Concat(dataRedis.Select(r => " & " + r.Node))).Append(files is null ? " & minio" : "").Append(" & uptime_kuma").Append(mariadb ? " & mariadb" : "").Append(" --- volume\n");
        if (!b.Backups.IsEmpty) sb.Append("  backup -->|off-site, encrypted| s3[(S3 bucket)]\n");
        foreach (var runner in roleBackups)
            sb.Append("  ").Append(runner).Append(" -->|heartbeat| uptime_kuma\n  ").Append(runner).Append(" -->|off-site, encrypted| s3\n");
        return sb.ToString();
    }

    /// <summary>An app's node on a split stack; <c>app_</c> keeps it apart from the platform's nodes.</summary>
    private static string AppId(string app) => "app_" + Id(app);

    private static string Id(string name) => name.Replace('-', '_').Replace('.', '_');

    /// <summary>A service's node: an app's Redis instance is <c>redis__&lt;owner&gt;</c> (<c>__</c>: no platform node or app has it).</summary>
    private static string Node(string service) =>
        Parts.Redis.RedisNames.IsContainer(service) ? "redis__" + Id(service["app-".Length..^".redis".Length]) : Id(service);

    /// <summary>Each Redis instance's node and label, e.g. <c>redis__api</c>, "Redis: api, worker".</summary>
    private static List<(string Node, string Label)> RedisNodes(PlatformBlueprint b) =>
    [
        .. b.Services.Where(s => s.Part == PartId.Redis && Parts.Redis.RedisNames.IsContainer(s.Name)).OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (Node(s.Name), "\"Redis: " + string.Join(", ", b.Services.Where(a => a.App is not null && a.DependsOn.Contains(s.Name)).Select(a => a.App!).Distinct().Order(StringComparer.Ordinal)) + "\"")),
    ];

    private static string Host(string rule)
    {
        var start = rule.IndexOf('`') + 1;
        var host = rule[start..rule.IndexOf('`', start)];
        // A path route's rule is "… && (Path(`/p`) || PathPrefix(`/p/`))": the prefix as written is the Path argument.
        var at = rule.IndexOf("Path(`", StringComparison.Ordinal);
        var path = at < 0 ? "" : rule[(at + "Path(`".Length)..rule.IndexOf('`', at + "Path(`".Length)];
        return host.StartsWith('^') ? "*" : host + path;
    }
}
