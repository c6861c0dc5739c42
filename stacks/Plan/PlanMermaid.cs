using System.Text;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Plan;

/// <summary>A Mermaid flowchart of the platform: who talks to whom, over which network.</summary>
public static class PlanMermaid
{
    public static string Render(PlatformBlueprint b)
    {
        var sb = new StringBuilder();
        sb.Append("flowchart LR\n");
        sb.Append("  users((Users)) --> cf[Cloudflare proxy<br/>").Append(b.Zone).Append("]\n");
        sb.Append("  cf -->|80/443| fw{{Hetzner firewall}}\n");
        sb.Append("  admins((Admins)) -->|SSH 22| fw\n");
        sb.Append("  subgraph server[\"").Append(b.Server.Name).Append(" (").Append(b.Server.Type).Append(")\"]\n");
        sb.Append("    fw --> traefik[Traefik<br/>TLS, routing]\n");
        var apps = b.Services.Where(s => s.Kind == ServiceKind.App).GroupBy(s => s.App!).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var app in apps)
        {
            var first = app.First();
            var hosts = first.Labels.Where(l => l.Key.EndsWith(".rule", StringComparison.Ordinal)).Select(l => Host(l.Value)).Distinct().ToList();
            var id = Id(app.Key);
            sb.Append("    ").Append(id).Append("[\"").Append(app.Key).Append(app.Count() > 1 ? $" ×{app.Count()}" : "").Append("\"]\n");
            if (hosts.Count > 0) sb.Append("    traefik -->|").Append(string.Join(", ", hosts)).Append("| ").Append(id).Append('\n');
            // The dependency on Traefik is drawn as the route from Traefik.
            foreach (var dep in first.DependsOn.Where(d => d != ServiceNames.Traefik)) sb.Append("    ").Append(id).Append(" --> ").Append(Id(dep)).Append('\n');
        }
        sb.Append("    traefik -->|status| uptime_kuma[Uptime Kuma]\n");
        sb.Append("    traefik -->|files| minio[(MinIO)]\n");
        sb.Append("    pgbouncer[PgBouncer] --> postgres[(PostgreSQL)]\n");
        sb.Append("    redis[(Redis)]\n");
        var mariadb = b.Services.Any(s => s.Name == ServiceNames.MariaDb);
        if (mariadb) sb.Append("    mariadb[(MariaDB)]\n");
        sb.Append("    autokuma[AutoKuma] -->|monitors as code| uptime_kuma\n");
        if (!b.Backups.IsEmpty)
        {
            sb.Append("    backup[Backup jobs] --> postgres\n    backup --> redis\n    backup --> minio\n");
            if (mariadb) sb.Append("    backup --> mariadb\n");
            sb.Append("    backup -->|heartbeat| uptime_kuma\n");
        }
        sb.Append("  end\n");
        if (!b.Backups.IsEmpty) sb.Append("  backup -->|off-site, encrypted| s3[(S3 bucket)]\n");
        return sb.ToString();
    }

    private static string Id(string name) => name.Replace('-', '_');

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
