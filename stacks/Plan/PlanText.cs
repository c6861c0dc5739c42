using System.Globalization;
using System.Text;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Plan;

/// <summary>
/// The blueprint for people: grouped as server, edge, data, apps, operations, then the memory
/// budget, the PostgreSQL connection budget, cost, secrets (names only) and outputs. Deterministic and sorted, so a change to the
/// platform shows up as a small diff.
/// </summary>
public static class PlanText
{
    public static string Render(PlatformBlueprint b)
    {
        var w = new Writer();
        w.Line($"Platform plan: {b.Project}/{b.Stack} ({(b.IsProd ? "prod" : "staging")}), domain {b.Domain}, Cloudflare zone {b.Zone}");

        w.Section("Server");
        var s = b.Server;
        w.Line($"{s.Name}: Hetzner {s.Type} ({s.Vcpus} vCPU, {s.MemoryMb} MB) in {s.Location}, image {s.Image}{(s.Protect ? ", protected (delete + rebuild protection)" : "")}");
        w.Line($"deploy user {s.DeployUser}; SSH keys (installed by cloud-init, not uploaded to Hetzner): {string.Join(", ", s.SshKeys.Select(k => k.Name))}");
        w.Line("SSH host key: read by the readiness step on first contact, then pinned for the Docker provider and every host command");
        w.Line($"ready when: {s.ReadinessCommand} (timeout {s.ReadinessTimeoutSeconds}s)");
        foreach (var r in b.Registries)
            w.Line($"registry {r.Address}: pulls as {r.Username}, password from {r.PasswordSecret}");
        if (b.DataVolume is { } dv)
            w.Line($"data volume {dv.Name}: Hetzner Volume, {dv.SizeGb} GB {dv.Format}, mounted at {dv.MountPath}; holds every durable Docker volume{(dv.Protect ? "; protected (delete protection)" : "")}");
        w.Line($"cloud-init user data: {s.UserData.Split('\n').Length} lines, sha256 {Sha(s.UserData)}");

        w.Section("Network: firewall, DNS, routes, Docker networks");
        w.Line($"firewall {b.Firewall.Name} (inbound; everything else dropped):");
        foreach (var r in b.Firewall.Rules)
            w.Line($"  {r.Protocol}{(r.Port is null ? "" : "/" + r.Port)} from {(r.SourceIps.Length > 4 ? $"{r.SourceIps.Length} ranges" : string.Join(", ", r.SourceIps))} — {r.Description}");
        w.Line("DNS records (Cloudflare, proxied, TTL auto):");
        foreach (var d in b.DnsRecords)
            w.Line($"  {d.Fqdn} {d.Type} -> server {(d.Content == ServerAddress.Ipv4 ? "IPv4" : "IPv6")}{(d.Proxied ? " proxied" : "")} ttl {d.Ttl}");
        w.Line("routes (HTTPS via Traefik; highest priority first, the first whose rule matches takes the request):");
        foreach (var r in RouteExplainer.Routers(b))
        {
            var file = b.FileRoutes.FirstOrDefault(f => f.Router == r.Router);
            var resolver = Resolver(b, r.Router);
            w.Line($"  [{r.Priority}] {r.Rule} -> {r.Target}{(file is null ? "" : $" (file route, live after {file.AfterCommand})")}" +
                $"; certificate {(resolver == Routing.HttpCertResolver ? "by HTTP-01 (domain outside the zone, no DNS record managed)" : "by DNS-01")}");
            w.Line($"      via {string.Join(" > ", r.Middlewares.Select(Unversioned))}");
        }
        w.Line(EntryPointTimeouts.Summary);
        w.Line("networks:");
        foreach (var n in b.Networks)
        {
            var members = b.Services.Where(x => x.Networks.Any(a => a.Network == n.Name)).Select(x => x.App ?? x.Name)
                .Concat(b.NetworkJoins.Where(j => j.Network == n.Name).Select(j => $"{j.Service} (joined by {j.Command})"))
                .Distinct().Order(StringComparer.Ordinal);
            w.Line($"  {n.Name}{(n.Internal ? " (internal)" : "")}: {string.Join(", ", members)} — {n.Purpose}");
        }

        // One section per part, in the order the program composes them (the component tree).
        foreach (var part in Parts.PartGraph.Of(b))
        {
            w.Section($"{part.Id.Title} ({part.Id.TypeToken} {part.Id.ResourceName})");
            if (!part.DependsOn.IsEmpty) w.Line($"after parts: {string.Join(", ", part.DependsOn)}");
            foreach (var v in part.Volumes)
                w.Line($"volume {v.Name}: {v.Purpose}{(v.SizeGb is { } gb ? $", {gb} GB expected" : "")}{(v.Protect ? " (protected)" : "")}{(v.BackedUp ? ", backed up" : "")}{(v.HostPath is null ? "" : $", on the data volume at {v.HostPath}")}");
            foreach (var svc in part.Services)
                ServiceLines(w, svc);
            foreach (var c in part.HostCommands)
                w.Line($"host command {c.Name}: {c.Description}{(c.AfterCommands.IsEmpty ? "" : $" (after {string.Join(", ", c.AfterCommands)})")}; runs `{c.Create}`{(c.Stdin is null ? "" : $" with {c.Stdin.Masked.Split('\n').Length} lines of input (sha256 of the masked text {Sha(c.Stdin.Masked)})")}{(c.Delete is null ? "" : $"; on removal `{c.Delete}`")}");
        }

        w.Section("Data");
        foreach (var db in b.Databases.Where(d => d.Engine == Settings.DatabaseEngine.MariaDb))
            w.Line($"database {db.Database} (MariaDB): user {db.Role} (connection limit {db.ConnectionLimit}, password {db.PasswordSecret}), rights on this database only; used by {string.Join(", ", db.UsedBy)}");
        foreach (var db in b.Databases.Where(d => d.Engine == Settings.DatabaseEngine.Postgres))
            w.Line($"database {db.Database}: owner role {db.Role} (connection limit {db.ConnectionLimit}, password {db.PasswordSecret}){(db.Extensions.IsEmpty ? "" : ", extensions " + string.Join(", ", db.Extensions))}; used by {string.Join(", ", db.UsedBy)}");
        foreach (var bucket in b.Buckets)
            w.Line($"bucket {bucket.Name}: owner {bucket.App}, {(bucket.PublicRead ? "public read" : "private")}{(bucket.Grants.IsEmpty ? "" : "; granted to " + string.Join(", ", bucket.Grants.Select(g => $"{g.App} ({(g.Access == Settings.BucketAccess.ReadWrite ? "readwrite" : "read")})")))}");

        w.Section("Operations");
        if (b.Backups.IsEmpty) w.Line("backups: none");
        foreach (var job in b.Backups)
            w.Line($"backup {job.Name}: {job.What}; schedule '{job.Schedule}' (UTC) -> {job.Destination}; keep {job.Retention}");
        foreach (var m in b.Monitors)
            w.Line($"monitor {m.Name}: {m.Kind} {m.Target} every {m.IntervalSeconds}s (retry every {m.RetryIntervalSeconds}s, {m.MaxRetries} retries)");

        w.Section("Memory budget");
        var budget = b.Budget;
        foreach (var line in budget.Lines.Where(l => !l.OneShot))
            w.Line($"  {line.Name,-28} {line.Kind,-10} {line.Instances} x {line.MemoryMb,6} MB = {line.TotalMb,6} MB");
        w.Line($"  {"OS reserve",-28} {"",-10} {"",-13}   {budget.OsReserveMb,6} MB");
        w.Line($"  total {budget.TotalMb} MB of {budget.ServerMemoryMb} MB ({budget.ServerType}); {budget.FreeMb} MB free");
        w.Line($"  platform fixed overhead (all but PostgreSQL, Redis, MinIO and apps): {budget.PlatformFixedMb} MB");
        foreach (var line in budget.Lines.Where(l => l.OneShot))
            w.Line($"  one-shot, not steady state: {line.Name} {line.TotalMb} MB while a deployment runs it; {(line.TotalMb <= budget.FreeMb ? "fits" : "does NOT fit")} in the {budget.FreeMb} MB free");

        w.Section("PostgreSQL connection budget");
        var connections = b.Connections;
        foreach (var line in connections.Lines)
            w.Line($"  {line.Name,-28} {line.Kind,-10} {line.Connections,5} — {line.Why}");
        w.Line($"  total {connections.TotalConnections} of {connections.AvailableConnections} (max_connections {connections.MaxConnections} - superuser_reserved_connections {connections.SuperuserReserved}); {connections.FreeConnections} free");

        w.Section("Monthly cost estimate (EUR, excl. VAT)");
        foreach (var c in b.Cost.Lines)
            w.Line($"  {c.Item}: {c.Quantity.ToString("0.##", CultureInfo.InvariantCulture)} {c.Unit} x {c.UnitPriceEur.ToString("0.####", CultureInfo.InvariantCulture)} = {c.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)}");
        w.Line($"  total {b.Cost.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)} EUR/month");

        w.Section("Secrets (names only; values never leave Pulumi's encrypted state)");
        foreach (var secret in b.Secrets)
            w.Line($"  {secret.Name}: {(secret.Source == SecretSource.Generated ? $"generated, {secret.Length} chars" : $"from config {secret.ConfigKey}")} — {secret.Purpose}");
        if (!b.PendingSecrets.IsEmpty)
        {
            w.Line($"  still placeholders in Pulumi.{b.Stack}.yaml ({b.PendingSecrets.Length}); pulumi preview/up fail to decrypt until each is set:");
            foreach (var (key, command) in b.PendingSecrets)
                w.Line($"    {key}: {command}");
        }

        w.Section("Outputs");
        foreach (var o in b.Outputs)
            w.Line($"  {o.Name}{(o.Secret ? " (secret)" : "")}: {o.Value.Masked}");
        return w.ToString();
    }

    private static void ServiceLines(Writer w, ServiceSpec svc)
    {
        w.Line($"{svc.Name} [{svc.Kind.ToString().ToLowerInvariant()}] {svc.Image}");
        w.Line($"  container: {(svc.ContainerName ?? "unique name per deploy")}, {(svc.Replacement == Replacement.CreateBeforeDelete ? "replaced create-before-delete (new one healthy first)" : "replaced delete-before-create")}");
        w.Line($"  limits: {svc.Limits.MemoryMb} MB, {svc.Limits.Cpus.ToString(CultureInfo.InvariantCulture)} CPU; restart {svc.RestartPolicy}; logs {svc.Log.Driver} {string.Join(" ", svc.Log.Options.Select(o => $"{o.Key}={o.Value}"))}");
        w.Line($"  health: {string.Join(" ", svc.HealthCheck.Test)} (every {svc.HealthCheck.IntervalSeconds}s, {svc.HealthCheck.Retries} retries)");
        w.Line($"  networks: {string.Join(", ", svc.Networks.Select(n => n.Aliases.IsEmpty ? n.Network : $"{n.Network} as {string.Join("/", n.Aliases)}"))}");
        if (svc.OneShot) w.Line("  one-shot: runs to completion on each change; the deployment fails unless it exits 0");
        if (svc.Schedule is not null) w.Line($"  scheduled: created by the deployment, started by a systemd timer on '{svc.Schedule}' (UTC)");
        if (!svc.PublishedPorts.IsEmpty)
            w.Line($"  publishes: {string.Join(", ", svc.PublishedPorts.Select(p => $"{(p.HostIp.Contains(':') ? $"[{p.HostIp}]" : p.HostIp)}:{p.HostPort}->{p.ContainerPort}/{p.Protocol}"))}");
        if (!svc.Command.IsEmpty) w.Line($"  command: {string.Join(" ", svc.Command)}");
        foreach (var (k, v) in svc.Env) w.Line($"  env {k}={v.Masked}");
        foreach (var m in svc.Mounts) w.Line($"  mount {m.Kind.ToString().ToLowerInvariant()} {m.Source} -> {m.Target}{(m.ReadOnly ? " (read-only)" : "")}");
        foreach (var f in svc.Files) w.Line($"  file {f.Path}: {f.Content.Masked.Split('\n').Length} lines{(f.Content.IsSecret ? ", holds secrets" : "")}, sha256 {Sha(f.Content.Masked)}");
        foreach (var (k, v) in svc.Labels) w.Line($"  label {k}={v}");
        if (!svc.DependsOn.IsEmpty || !svc.AfterHostCommands.IsEmpty)
            w.Line($"  after: {string.Join(", ", svc.DependsOn.Concat(svc.AfterHostCommands))}");
    }

    private static string Resolver(PlatformBlueprint b, string router) =>
        b.Services.Select(s => s.Labels.GetValueOrDefault($"traefik.http.routers.{router}.tls.certresolver")).FirstOrDefault(v => v is not null) ?? Routing.CertResolver;

    /// <summary>A middleware's name without its configuration hash, for reading (the labels below carry the full names).</summary>
    private static string Unversioned(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, $"-[0-9a-f]{{{Routing.ConfigHashLength}}}$", "");

    private static string Sha(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    private sealed class Writer
    {
        private readonly StringBuilder _sb = new();

        public void Line(string text) => _sb.Append(text.TrimEnd()).Append('\n');

        public void Section(string title) => _sb.Append('\n').Append("== ").Append(title).Append(" ==\n");

        public override string ToString() => _sb.ToString();
    }
}
