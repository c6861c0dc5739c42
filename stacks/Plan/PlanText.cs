using System.Globalization;
using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Plan;

/// <summary>
/// The blueprint for people: grouped as server, edge, data, apps, operations, then the memory
/// budget, the PostgreSQL connection budget, cost, secrets (names only) and outputs. Deterministic and sorted, so a change to the
/// platform shows up as a small diff. A split stack's plan lists its servers (with the private network, the load balancer
/// and the certificate) and says of every container, volume, network and host command which server it is on
/// (<c>on app-2</c>); a single-server plan reads as it always has.
/// </summary>
public static class PlanText
{
    /// <summary>
    /// Texts longer than this (one line) or of more than one line print folded: a line count, a length and a hash.
    /// </summary>
    public const int FoldAt = 160;

    /// <summary>
    /// The plan. Folded by default: long scripts, Traefik's command line and the labels that only repeat the routes print
    /// as a line count, a length and a hash; <paramref name="verbose"/> adds their text below, one statement, argument or
    /// line per line (what <c>plan --against</c> compares, so a changed script reads as the statements that changed). The
    /// exact texts are in <c>--format json</c>.
    /// </summary>
    public static string Render(PlatformBlueprint b, bool verbose = false)
    {
        var w = new Writer(verbose);
        w.Line($"Platform plan: {b.Project}/{b.Stack} ({(b.IsProd ? "prod" : "staging")}), domain {b.Domain}, Cloudflare zone {b.Zone}");
        w.Section("Summary");
        foreach (var line in PlanSummary.Of(b).Lines()) w.Line(line);

        if (b.IsSplit) SplitServers(w, b);
        else SingleServer(w, b);

        if (b.IsSplit)
        {
            w.Section("Network: firewalls, DNS, routes, Docker networks");
            foreach (var f in b.Firewalls) FirewallLines(w, b, f);
        }
        else
        {
            w.Section("Network: firewall, DNS, routes, Docker networks");
            FirewallLines(w, b, b.Firewall);
        }
        w.Line("DNS records (Cloudflare, proxied, TTL auto):");
        foreach (var d in b.DnsRecords)
            w.Line($"  {d.Fqdn} {d.Type} -> {d.Target} {(d.Content == ServerAddress.Ipv4 ? "IPv4" : "IPv6")}{(d.Proxied ? " proxied" : " DNS only")} ttl {d.Ttl}");
        if (!b.ZoneRecords.IsEmpty)
            w.Line("DNS records declared in platform:dnsRecords (the stack creates, changes and deletes these and its own above, never a record it did not create):");
        foreach (var z in b.ZoneRecords) w.Line($"  {z.Describe()}");
        w.Line("routes (HTTPS via Traefik; highest priority first, the first whose rule matches takes the request):");
        var fileRoutes = b.FileRoutes.GroupBy(f => f.Router, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var resolvers = Resolvers(b);
        var tlsDomains = b.Services.SelectMany(x => x.Labels).Where(l => l.Key.StartsWith("traefik.http.routers.", StringComparison.Ordinal) && l.Key.EndsWith(".tls.domains[0].main", StringComparison.Ordinal))
            .GroupBy(l => l.Key["traefik.http.routers.".Length..^".tls.domains[0].main".Length], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        foreach (var r in RouteExplainer.Routers(b))
        {
            var file = fileRoutes.GetValueOrDefault(r.Router);
            var resolver = file is null ? resolvers.TryGetValue(r.Router, out var own) ? own : Routing.CertResolver : file.CertResolver;
            var live = file is null ? "" : file.AfterCommand.Length == 0 ? " (file route)" : $" (file route, live after {file.AfterCommand})";
            var allowed = file is null || file.AllowCidrs.IsEmpty ? "" : $"; only from {string.Join(", ", file.AllowCidrs)}";
            var nested = tlsDomains.GetValueOrDefault(r.Router);
            w.Line($"  [{r.Priority}] {r.Rule} -> {r.Target}{live}{allowed}; {(nested is null ? Certificate(resolver) : $"certificate by DNS-01 for {nested}: {Parts.Edge.NestedWildcards.TlsNote}")}");
            w.Line($"      via {string.Join(" > ", r.Middlewares.Select(Unversioned))}");
            foreach (var cache in r.MiddlewareDetails.Values.Select(d => d.GetValueOrDefault(CacheControlDetail)).OfType<string>())
                w.Line($"      sets Cache-Control: {cache} (replacing the app's)");
        }
        w.Line(EntryPointTimeouts.Summary);
        w.Line(b.CloudflareOriginPulls
            ? $"authenticated origin pulls: on; Cloudflare's zone setting on, every Traefik's TLS requires a client certificate from Cloudflare's origin-pull CA ({OriginPulls.ClientAuthType}), so only this zone's proxy gets through"
            : "authenticated origin pulls: off (platform:cloudflareOriginPulls); Traefik accepts TLS from any client the firewall lets in");
        w.Line(b.IsSplit ? "networks (Docker networks are per server: each server has its own copy of those it uses):" : "networks:");
        // Who is on each network, indexed once (a plan of a thousand apps has thousands of networks).
        var attached = b.Services.SelectMany(x => x.Networks.Select(a => (Key: (a.Network, x.Host), Member: x.App ?? x.Name))).ToLookup(x => x.Key, x => x.Member);
        var hosts = b.Services.GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Host, StringComparer.Ordinal);
        var joined = b.NetworkJoins.ToLookup(j => (j.Network, hosts.GetValueOrDefault(j.Service, Parts.ServerKey.Single)), j => $"{j.Service} (joined by {j.Command})");
        foreach (var n in b.Networks)
        {
            var members = attached[(n.Name, n.Host)].Concat(joined[(n.Name, n.Host)]).Distinct().Order(StringComparer.Ordinal);
            w.Line($"  {n.Name}{On(n.Host)}{(n.Internal ? " (internal)" : "")}: {string.Join(", ", members)} — {n.Purpose}");
        }

        // One section per part, in the order the program composes them (the component tree).
        foreach (var part in Parts.PartGraph.Of(b))
        {
            w.Section($"{part.Id.Title} ({part.Id.TypeToken} {part.Id.ResourceName})");
            if (!part.DependsOn.IsEmpty) w.Line($"after parts: {string.Join(", ", part.DependsOn)}");
            foreach (var v in part.Volumes)
                w.Line($"volume {v.Name}{On(v.Host)}: {v.Purpose}{(v.SizeGb is { } gb ? $", {gb} GB expected" : "")}{(v.Protect ? " (protected)" : "")}{(v.BackedUp ? ", backed up" : "")}{(v.HostPath is null ? "" : $", on the data volume at {v.HostPath}")}");
            foreach (var svc in part.Services)
                ServiceLines(w, svc);
            foreach (var c in part.HostCommands)
            {
                w.Line($"host command {c.Name}{On(c.Host)}: {c.Description}{(c.AfterCommands.IsEmpty ? "" : $" (after {string.Join(", ", c.AfterCommands)})")}; runs {Script(c.Create)}{(c.Stdin is null ? "" : $" with {c.Stdin.Masked.Split('\n').Length} lines of input (sha256 of the masked text {Sha(c.Stdin.Masked)})")}{(c.Delete is null ? "" : $"; on removal {Script(c.Delete)}")}");
                w.Body("runs", c.Create, Statements);
                if (c.Stdin is not null) w.Body("input", c.Stdin.Masked, Lines, always: true);
                if (c.Delete is not null) w.Body("on removal", c.Delete, Statements);
            }
        }

        w.Section("Data");
        if (b.MariaDbConnections is { } maria)
            w.Line($"MariaDB max_connections {maria.MaxConnections}: the apps' connection limits add up to {maria.AppLimits}"
                + (maria.Derived ? $", + {Parts.MariaDb.MariaDbSettings.PlatformConnections} for the platform's own clients, at least {Parts.MariaDb.MariaDbSettings.DefaultMaxConnections} (derived; platform:mariadbMaxConnections sets it)" : " (platform:mariadbMaxConnections)"));
        foreach (var db in b.Databases.Where(d => d.Engine == Settings.DatabaseEngine.MariaDb))
            w.Line($"database {db.Database} (MariaDB): user {db.Role} (connection limit {db.ConnectionLimit}, password {db.PasswordSecret}), rights on this database only; used by {string.Join(", ", db.UsedBy)}");
        if (b.PostgresLogMinDurationStatementMs is { } slowLog)
            w.Line($"PostgreSQL slow-query log: {(slowLog < 0 ? "off" : $"every statement slower than {slowLog} ms, with its duration")} (log_min_duration_statement, every session; platform:postgresTuning)");
        foreach (var db in b.Databases.Where(d => d.Engine == Settings.DatabaseEngine.Postgres))
            w.Line($"database {db.Database}: owner role {db.Role} (connection limit {db.ConnectionLimit}, password {db.PasswordSecret}){(db.Extensions.IsEmpty ? "" : ", extensions " + string.Join(", ", db.Extensions))}{(db.Session.Describe() is { Length: > 0 } session ? $"; role settings: {session}" : "")}; used by {string.Join(", ", db.UsedBy)}");
        foreach (var bucket in b.Buckets)
            w.Line($"bucket {bucket.Name}{(bucket.ChosenFor is { } shortName ? $" ({bucket.App}'s {shortName}, named by the stack)" : "")}: owner {bucket.App}, {(bucket.PublicRead ? "public read" : "private")}{(bucket.Grants.IsEmpty ? "" : "; granted to " + string.Join(", ", bucket.Grants.Select(g => $"{g.App} ({(g.Access == Parts.Storage.BucketAccess.ReadWrite ? "readwrite" : "read")})")))}");

        w.Section("Operations");
        if (b.Backups.IsEmpty) w.Line("backups: none");
        if (b.BackupStorageBox is { } storageBox) w.Line(storageBox);
        foreach (var job in b.Backups)
            w.Line($"backup {job.Name}: {job.What}; schedule '{job.Schedule}' (UTC) -> {job.Destination}; keep {job.Retention}");
        foreach (var (job, reason) in b.BackupsOff)
            w.Line($"backup {job}: {reason}");
        if (b.AlertChannels.IsEmpty)
            w.Line("alert channels: none (a red monitor and a deploy's result alert nobody; see platform:alertChannels)");
        foreach (var channel in b.AlertChannels)
            w.Line($"alert channel {channel} (every monitor's alerts and each deploy's result)");
        foreach (var m in b.Monitors)
            w.Line($"monitor {m.Name}: {m.Kind} {m.Target} every {m.IntervalSeconds}s (retry every {m.RetryIntervalSeconds}s, {m.MaxRetries} retries)");

        if (b.Observability is { } observability)
        {
            w.Section("Observability (metrics, logs, dashboards)");
            foreach (var line in observability.Lines) w.Line(line);
        }

        w.Section("Memory budget");
        if (b.IsSplit)
        {
            // One budget per server: what is placed on it against its own RAM.
            foreach (var budget in b.Budgets)
            {
                var server = b.ServerOf(budget.Server);
                w.Line($"{budget.Server}: {server.Name} ({budget.ServerType}, {budget.ServerMemoryMb} MB)");
                BudgetLines(w, budget);
            }
            w.Line($"all servers: {b.Budgets.Sum(x => x.TotalMb)} MB of {b.Budgets.Sum(x => x.ServerMemoryMb)} MB; {b.Budgets.Sum(x => x.FreeMb)} MB free");
        }
        else
            BudgetLines(w, b.Budget);

        w.Section("PostgreSQL connection budget");
        var connections = b.Connections;
        foreach (var line in connections.Lines)
            w.Line($"  {line.Name,-28} {line.Kind,-10} {line.Connections,5} — {line.Why}");
        w.Line($"  total {connections.TotalConnections} of {connections.AvailableConnections} (max_connections {connections.MaxConnections} - superuser_reserved_connections {connections.SuperuserReserved}); {connections.FreeConnections} free");

        w.Section("Monthly cost estimate (EUR, excl. VAT)");
        foreach (var c in b.Cost.Lines)
            w.Line($"  {c.Item}: {c.Quantity.ToString("0.##", CultureInfo.InvariantCulture)} {c.Unit} x {c.UnitPriceEur.ToString("0.####", CultureInfo.InvariantCulture)} = {c.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)}");
        w.Line($"  total {b.Cost.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)} EUR/month");
        if (!b.Cost.PerServer.IsEmpty)
            w.Line($"  per server: {string.Join(", ", b.Cost.PerServer.Select(x => $"{x.Server} {x.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)}"))}; shared: {(b.Cost.MonthlyEur - b.Cost.PerServer.Sum(x => x.MonthlyEur)).ToString("0.00", CultureInfo.InvariantCulture)} (load balancer, off-site storage)");

        w.Section("Secrets (names only; values never leave Pulumi's encrypted state)");
        foreach (var secret in b.Secrets)
            w.Line($"  {secret.Name}: {Source(b, secret)} — {secret.Purpose}");
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

    private static string ServerBackups(ServerSpec s) =>
        s.Backups ? "; automatic backups (7 daily slots, +20% of the server price)" : "";

    private static string Reboot(ServerSpec s) =>
        s.RebootAt is { } at ? $"; reboots itself at {at} UTC when an upgrade requires it" : "; never reboots by itself (no rebootWindow)";

    /// <summary>The single server's section, as every single-server plan has always shown it.</summary>
    private static void SingleServer(Writer w, PlatformBlueprint b)
    {
        w.Section("Server");
        var s = b.Server;
        w.Line($"{s.Name}: Hetzner {s.Type} ({s.Vcpus} vCPU, {s.MemoryMb} MB) in {s.Location}, image {s.Image}{Protection(s)}{ServerBackups(s)}{Reboot(s)}");
        w.Line($"deploy user {s.DeployUser}; SSH keys (installed by cloud-init, not uploaded to Hetzner): {string.Join(", ", s.SshKeys.Select(k => k.Name))}");
        w.Line("SSH host key: read by the readiness step on first contact, then pinned for the Docker provider and every host command");
        w.Line($"ready when: {Script(s.ReadinessCommand)} (timeout {s.ReadinessTimeoutSeconds}s)");
        w.Body("ready when", s.ReadinessCommand, Statements);
        PatchedLines(w, b);
        foreach (var r in b.Registries)
            w.Line($"registry {r.Address}: pulls as {r.Username}, password from {r.PasswordSecret}");
        if (b.DataVolume is { } dv)
            w.Line($"data volume {dv.Name}: Hetzner Volume, {dv.SizeGb} GB {dv.Format}, mounted at {dv.MountPath}; holds every durable Docker volume{(dv.Protect ? "; protected (delete protection)" : "")}");
        w.Line($"cloud-init user data: {s.UserData.Split('\n').Length} lines, sha256 {Sha(s.UserData)}");
        DeployTimeLines(w, b);
    }

    /// <summary>The gate before the servers take traffic (<see cref="Parts.ServerGates"/>) and what waits for it.</summary>
    private static void PatchedLines(Writer w, PlatformBlueprint b)
    {
        if (b.Servers.Select(x => x.PatchedCommand).Distinct().SingleOrDefault() is not { } patched) return;
        var waiting = new List<string> { "the DNS records" };
        if (b.LoadBalancer is not null) waiting.Add("the load balancer's targets");
        waiting.AddRange(b.Services.Where(x => x.AfterServersPatched).Select(x => $"container {x.Name}"));
        var who = waiting.Count == 1 ? waiting[0] : $"{string.Join(", ", waiting.Take(waiting.Count - 1))} and {waiting[^1]}";
        w.Line($"takes traffic when: {Script(patched)} (cloud-init done, the full upgrade included; {who} wait for every server's)");
        w.Body("takes traffic when", patched, Statements);
    }

    /// <summary>The modelled length of a first <c>pulumi up</c> and its critical path (<see cref="DeployTime"/>; bench/DeployTime prints the table).</summary>
    private static void DeployTimeLines(Writer w, PlatformBlueprint b)
    {
        var first = DeployTime.FirstUp(b);
        w.Line($"modelled first pulumi up: {first.Range} (durations per step from DeployTime.Table, on the program's dependency graph; bench/DeployTime)");
        w.Line($"  critical path: {first.Path}");
    }

    /// <summary>
    /// A split stack's servers, each by its key (the name every later section uses: <c>on app-2</c>), then what they
    /// share: the private network, the placement group, the load balancer, the data volume and the certificate.
    /// </summary>
    private static void SplitServers(Writer w, PlatformBlueprint b)
    {
        w.Section("Servers");
        var parts = Parts.PartGraph.Of(b);
        foreach (var s in b.Servers)
        {
            var role = s.Key.Description;
            w.Line($"{s.Key}: {s.Name}, {role}, Hetzner {s.Type} ({s.Vcpus} vCPU, {s.MemoryMb} MB) in {s.Location}, image {s.Image}{Protection(s)}{ServerBackups(s)}{Reboot(s)}");
            var placement = b.PlacementGroup is { } pg && pg.Members.Contains(s.Key) ? $"; placement group {pg.Name} (spread)" : "";
            w.Line($"  private IP {s.PrivateIp}{(b.PrivateNetwork is { } net ? $" on {net.Name}" : "")}; firewall {s.FirewallName}{placement}");
            if (b.Cost.PerServer.FirstOrDefault(x => x.Server == s.Key) is { } cost)
                w.Line($"  cost: {cost.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)} EUR/month (the server{(s.Backups ? ", its backups" : "")}, its IPv4{(s.Key.Role == Parts.ServerRole.Data ? ", the data volume" : b.DataVolumeOf(s.Key) is not null ? ", its volume" : "")})");
            var here = parts.Where(p => p.Services.Any(x => x.Host == s.Key) || p.Volumes.Any(x => x.Host == s.Key) || p.HostCommands.Any(x => x.Host == s.Key));
            w.Line($"  parts: {string.Join(", ", here.Select(p => p.Id.ResourceName))}");
            if (b.DataVolumeOf(s.Key) is { } dv)
                w.Line($"  data volume {dv.Name}: Hetzner Volume, {dv.SizeGb} GB {dv.Format}, mounted at {dv.MountPath}; holds every durable Docker volume{(s.Key.Role == Parts.ServerRole.Data ? "" : " placed here")}{(dv.Protect ? "; protected (delete protection)" : "")}");
            else if (s.Key.Role is Parts.ServerRole.Cache or Parts.ServerRole.Files)
                w.Line("  no Hetzner Volume: its data stays on the server's own disk (platform:servers." + Parts.TopologySettings.RoleKey(s.Key) + ".volumeGb adds one)");
            w.Line($"  cloud-init user data: {s.UserData.Split('\n').Length} lines, sha256 {Sha(s.UserData)}");
            if (s.PrivateIpReadyCommand is { } ready)
            {
                w.Line($"  private address ready when: {Script(ready)}");
                w.Body("private address ready when", ready, Statements);
            }
        }
        // What every server shares, once; per server where they differ.
        var first = b.Server;
        if (b.Servers.All(x => x.DeployUser == first.DeployUser && x.SshKeys.SequenceEqual(first.SshKeys)))
            w.Line($"every server: deploy user {first.DeployUser}; SSH keys (installed by cloud-init, not uploaded to Hetzner): {string.Join(", ", first.SshKeys.Select(k => k.Name))}");
        else
            foreach (var s in b.Servers)
                w.Line($"{s.Key}: deploy user {s.DeployUser}; SSH keys (installed by cloud-init, not uploaded to Hetzner): {string.Join(", ", s.SshKeys.Select(k => k.Name))}");
        w.Line("SSH host keys: each server's read by its readiness step on first contact, then pinned for its Docker provider and every host command on it");
        if (b.Servers.All(x => x.ReadinessCommand == first.ReadinessCommand && x.ReadinessTimeoutSeconds == first.ReadinessTimeoutSeconds))
        {
            w.Line($"ready when: {Script(first.ReadinessCommand)} (timeout {first.ReadinessTimeoutSeconds}s)");
            w.Body("ready when", first.ReadinessCommand, Statements);
        }
        else
            foreach (var s in b.Servers)
            {
                w.Line($"{s.Key} ready when: {Script(s.ReadinessCommand)} (timeout {s.ReadinessTimeoutSeconds}s)");
                w.Body("ready when", s.ReadinessCommand, Statements);
            }
        PatchedLines(w, b);
        DeployTimeLines(w, b);
        foreach (var r in b.Registries)
            w.Line($"registry {r.Address}: pulls as {r.Username}, password from {r.PasswordSecret}");
        if (b.PrivateNetwork is { } network)
            w.Line($"private network {network.Name}: Hetzner network {network.IpRange}, subnet {network.SubnetRange} in {network.NetworkZone}; every server{(b.LoadBalancer is null ? "" : " and the load balancer")} at a fixed address");
        if (b.PlacementGroup is { } group)
            w.Line($"placement group {group.Name}: spread (each member on a different physical host): {string.Join(", ", group.Members)}");
        if (b.LoadBalancer is { } lb)
        {
            w.Line($"load balancer {lb.Name}: Hetzner {lb.Type} in {lb.Location}, private IP {lb.PrivateIp}; targets (by private IP): {string.Join(", ", lb.Targets.Select(t => $"{t} {b.ServerOf(t).PrivateIp}"))}");
            foreach (var svc in lb.Services)
                w.Line($"  tcp {svc.ListenPort} -> {svc.DestinationPort}{(svc.ProxyProtocol ? " with the PROXY protocol" : "")}; health check http :{svc.HealthPort}{svc.HealthPath} every {svc.HealthIntervalSeconds}s (timeout {svc.HealthTimeoutSeconds}s, {svc.HealthRetries} retries)");
        }
        else
            w.Line($"load balancer: none (one app server); DNS points at {string.Join(", ", b.AppServers.Select(x => x.Key))}");
        if (b.OriginCertificate is { } origin)
            w.Line($"certificate: Cloudflare Origin CA for {string.Join(", ", origin.Hostnames)}, valid {origin.ValidityDays} days, requested once for every Traefik (key {origin.KeySecret}, certificate {origin.CertificateSecret}); no Let's Encrypt for the zone");
        if (b.TenantIssuer is { } issuer)
            w.Line($"tenant domains ({string.Join(", ", issuer.Domains)}): certificates by HTTP-01 on {issuer.Server} only; "
                + $"{string.Join(", ", b.AppServers.Where(x => x.Key != issuer.Server).Select(x => x.Key))} forward their challenges to it and pass their TLS through to it (PROXY protocol)");
    }

    private static string Protection(ServerSpec s) => s.Protect ? ", protected (delete + rebuild protection)" : "";

    private static void FirewallLines(Writer w, PlatformBlueprint b, FirewallSpec f)
    {
        var servers = b.Servers.Where(x => x.FirewallName == f.Name).ToList();
        w.Line(b.IsSplit
            ? $"firewall {f.Name}, on {f.AppliesTo}: {string.Join(", ", servers.Select(x => x.Key))} (inbound; everything else dropped):"
            : $"firewall {f.Name} (inbound; everything else dropped):");
        foreach (var r in f.Rules)
            w.Line($"  {r.Protocol}{(r.Port is null ? "" : "/" + r.Port)} from {(r.SourceIps.Length > 4 ? $"{r.SourceIps.Length} ranges" : string.Join(", ", r.SourceIps))} — {r.Description}");
        if (b.LoadBalancer is not null && servers.Any(x => x.Key.Role == Parts.ServerRole.App) && !f.Rules.Any(r => r.Port is "80" or "443"))
            w.Line("  no 80/443 from the internet: the load balancer reaches Traefik on the private network, which Hetzner's firewalls do not filter");
    }

    private static void BudgetLines(Writer w, MemoryBudget budget)
    {
        foreach (var line in budget.Lines.Where(l => !l.OneShot))
            w.Line($"  {line.Name,-28} {line.Kind,-10} {line.Instances} x {line.MemoryMb,6} MB = {line.TotalMb,6} MB");
        w.Line($"  {"OS reserve",-28} {"",-10} {"",-13}   {budget.OsReserveMb,6} MB");
        w.Line($"  total {budget.TotalMb} MB of {budget.ServerMemoryMb} MB ({budget.ServerType}); {budget.FreeMb} MB free");
        w.Line($"  platform fixed overhead (all but PostgreSQL, MariaDB, Redis, MinIO, apps and their jobs): {budget.PlatformFixedMb} MB");
        foreach (var line in budget.Lines.Where(l => l.OneShot))
            w.Line($"  one-shot, not steady state: {line.Name} {line.TotalMb} MB while a deployment runs it; {(line.TotalMb <= budget.FreeMb ? "fits" : "does NOT fit")} in the {budget.FreeMb} MB free");
    }

    /// <summary><c> on app-2</c>: where a container, volume, network or host command is, on a split stack; nothing on a single server.</summary>
    private static string On(Parts.ServerKey host) => host.IsSingle ? "" : $" on {host}";

    private static string Source(PlatformBlueprint b, SecretSpec secret) => secret.Source switch
    {
        SecretSource.Generated => $"generated, {secret.Length} chars",
        SecretSource.PrivateKey => "a private key the program generates",
        SecretSource.OriginCertificate => $"issued by Cloudflare's Origin CA for {b.OriginCertificate?.KeySecret ?? "the program's key"}",
        _ => $"from config {secret.ConfigKey}",
    };

    private const string CacheControlDetail = "headers.customresponseheaders.Cache-Control";

    private static string Certificate(string? resolver) => resolver switch
    {
        null => "certificate: Origin CA (file)",
        Routing.HttpCertResolver => "certificate by HTTP-01 (domain outside the zone, no DNS record managed)",
        _ => "certificate by DNS-01",
    };

    private static void ServiceLines(Writer w, ServiceSpec svc)
    {
        w.Line($"{svc.Name} [{svc.Kind.ToString().ToLowerInvariant()}] {svc.Image}{On(svc.Host)}");
        w.Line($"  container: {(svc.ContainerName ?? "unique name per deploy")}, {(svc.Replacement == Replacement.CreateBeforeDelete ? "replaced create-before-delete (new one healthy first)" : "replaced delete-before-create")}");
        w.Line($"  limits: {svc.Limits.MemoryMb} MB, {svc.Limits.Cpus.ToString(CultureInfo.InvariantCulture)} CPU; restart {svc.RestartPolicy}; logs {svc.Log.Driver} {string.Join(" ", svc.Log.Options.Select(o => $"{o.Key}={o.Value}"))}");
        w.Line($"  health: {string.Join(" ", svc.HealthCheck.Test)} (every {svc.HealthCheck.IntervalSeconds}s, {svc.HealthCheck.Retries} retries)");
        if (svc.DrainSeconds is { } drain)
            w.Line($"  stop: drained first ({Draining.Marker} fails its health check; unhealthy, it leaves Traefik's rotation; at most {drain} s), then {svc.StopSignal ?? "SIGTERM"} with {svc.StopGraceSeconds} s to finish requests in flight before SIGKILL");
        w.Line($"  networks: {string.Join(", ", svc.Networks.Select(n => n.Aliases.IsEmpty ? n.Network : $"{n.Network} as {string.Join("/", n.Aliases)}"))}");
        w.Line($"  privileges: {Privileges(svc)}");
        if (svc.OneShot) w.Line("  one-shot: runs to completion on each change; the deployment fails unless it exits 0");
        if (svc.Schedule is not null) w.Line($"  scheduled: created by the deployment, started by a systemd timer on '{svc.Schedule}' (UTC)");
        if (!svc.PublishedPorts.IsEmpty)
            w.Line($"  publishes: {string.Join(", ", svc.PublishedPorts.Select(p => $"{(p.HostIp.Contains(':') ? $"[{p.HostIp}]" : p.HostIp)}:{p.HostPort}->{p.ContainerPort}/{p.Protocol}"))}");
        if (!svc.ExtraHosts.IsEmpty) w.Line($"  extra hosts: {string.Join(", ", svc.ExtraHosts.Select(h => $"{h.Host}={h.Ip}"))}");
        if (!svc.Command.IsEmpty)
        {
            var command = string.Join(" ", svc.Command);
            w.Line(command.Length <= FoldAt ? $"  command: {command}" : $"  command: {svc.Command.Length} arguments, {command.Length} characters (sha256 {Sha(command)}{(w.Verbose ? "" : "; --verbose prints them")})");
            if (command.Length > FoldAt) w.Body("command", string.Join('\n', svc.Command), Lines);
        }
        foreach (var (k, v) in svc.Env) w.Line($"  env {k}={v.Masked}");
        foreach (var m in svc.Mounts) w.Line($"  mount {m.Kind.ToString().ToLowerInvariant()} {m.Source} -> {m.Target}{(m.ReadOnly ? " (read-only)" : "")}");
        foreach (var f in svc.Files)
        {
            w.Line($"  file {f.Path}: {f.Content.Masked.Split('\n').Length} lines{(f.Content.IsSecret ? ", holds secrets" : "")}, sha256 {Sha(f.Content.Masked)}");
            w.Body(f.Path, f.Content.Masked, Lines, always: true);
        }
        // Traefik's labels say what the routes section already says (rule, priority, middlewares, service): folded to a
        // count and a hash unless --verbose.
        var traefik = svc.Labels.Where(l => l.Key.StartsWith("traefik.", StringComparison.Ordinal)).ToList();
        foreach (var (k, v) in svc.Labels)
            if (w.Verbose || !k.StartsWith("traefik.", StringComparison.Ordinal)) w.Line($"  label {k}={v}");
        if (!w.Verbose && traefik.Count > 0)
            w.Line($"  labels for Traefik: {traefik.Count} (the routers, services and middlewares the routes section names; sha256 {Sha(string.Join('\n', traefik.Select(l => $"{l.Key}={l.Value}")))}; --verbose prints them)");
        if (!svc.DependsOn.IsEmpty || !svc.AfterHostCommands.IsEmpty)
            w.Line($"  after: {string.Join(", ", svc.DependsOn.Concat(svc.AfterHostCommands))}");
    }

    /// <summary>What a container may do beyond running its process, with the reason for each exception.</summary>
    public static string Privileges(ServiceSpec svc)
    {
        var parts = new List<string>();
        if (svc.User is { } user) parts.Add($"user {user}");
        parts.Add(svc.CapDrop.Contains("ALL") ? svc.CapAdd.IsEmpty ? "no capabilities" : $"capabilities {string.Join(", ", svc.CapAdd)} only ({svc.CapabilitiesWhy ?? "no reason given"})" : "Docker's default capabilities");
        if (svc.NoNewPrivileges) parts.Add("no-new-privileges");
        parts.Add(svc.ReadOnlyRootFilesystem
            ? $"read-only root{(svc.Tmpfs.IsEmpty ? "" : $" (tmpfs {string.Join(", ", svc.Tmpfs.Keys)})")}"
            : $"writable root ({svc.WritableRootWhy ?? "no reason given"})");
        return string.Join("; ", parts);
    }

    /// <summary>
    /// Each label router's certificate resolver, from the first container whose labels define the router; null when its
    /// router has none (Traefik serves the Origin CA certificate). One pass over the labels, not one per router.
    /// </summary>
    private static Dictionary<string, string?> Resolvers(PlatformBlueprint b)
    {
        const string routers = "traefik.http.routers.";
        var resolvers = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var svc in b.Services)
            foreach (var key in svc.Labels.Keys)
                if (key.StartsWith(routers, StringComparison.Ordinal) && key.EndsWith(".rule", StringComparison.Ordinal))
                {
                    var router = key[routers.Length..^".rule".Length];
                    if (!resolvers.ContainsKey(router))
                        resolvers[router] = svc.Labels.GetValueOrDefault($"{routers}{router}.tls.certresolver");
                }
        return resolvers;
    }

    /// <summary>A middleware's name without its configuration hash, for reading (the labels below carry the full names).</summary>
    private static string Unversioned(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, $"-[0-9a-f]{{{Routing.ConfigHashLength}}}$", "");

    /// <summary>A script inline when short, else its size and hash (its text follows with --verbose).</summary>
    private static string Script(string text) =>
        text.Length <= FoldAt && !text.Contains('\n')
            ? $"`{text}`"
            : $"a script of {Count(Lines(text).Count, "line")}, {text.Length} characters (sha256 {Sha(text)})";

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>A text's lines.</summary>
    private static IReadOnlyList<string> Lines(string text) => text.Split('\n');

    /// <summary>
    /// A shell script's statements, one per line for reading: its lines, each cut after every <c>; </c>. For reading only
    /// (a <c>;</c> inside quotes is cut too); the exact text is in <c>--format json</c>.
    /// </summary>
    private static IReadOnlyList<string> Statements(string text) =>
        text.Split('\n').SelectMany(l =>
        {
            var parts = l.Split("; ");
            return parts.Select((x, i) => i < parts.Length - 1 ? x + ";" : x);
        }).ToList();

    private static string Sha(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>How a line of a folded text starts under --verbose.</summary>
    public const string BodyPrefix = "    | ";

    /// <summary>Whether a plan line is part of a folded text's body (its title or one of its lines), under --verbose.</summary>
    public static bool IsBody(string line) =>
        line.StartsWith(BodyPrefix, StringComparison.Ordinal)
        || (line.StartsWith("    ", StringComparison.Ordinal) && line.Length > 5 && line[4] is not (' ' or '|') && line.EndsWith(':'));

    private sealed class Writer(bool verbose)
    {
        private readonly StringBuilder _sb = new();

        public bool Verbose { get; } = verbose;

        public void Line(string text) => _sb.Append(text.TrimEnd()).Append('\n');

        /// <summary>
        /// With --verbose, a folded text below its line: <c>    | </c> and one statement (argument, line) each. Short
        /// one-line texts print inline and have no body; <paramref name="always"/> prints the body of any text (files, input).
        /// </summary>
        public void Body(string title, string text, Func<string, IReadOnlyList<string>> split, bool always = false)
        {
            if (!Verbose || (!always && text.Length <= FoldAt && !text.Contains('\n'))) return;
            _sb.Append("    ").Append(title).Append(":\n");
            var lines = split(text);
            var count = lines.Count > 0 && lines[^1].Trim().Length == 0 ? lines.Count - 1 : lines.Count;
            foreach (var line in lines.Take(count)) _sb.Append(BodyPrefix).Append(line.TrimEnd()).Append('\n');
        }

        public void Section(string title) => _sb.Append('\n').Append("== ").Append(title).Append(" ==\n");

        public override string ToString() => _sb.ToString();
    }
}
