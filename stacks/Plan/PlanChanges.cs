using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Plan;

/// <summary>
/// What a change does around the servers, compared blueprint to blueprint: the servers, firewalls, private network,
/// placement group, load balancer, data volume and Origin CA certificate it creates (<c>+</c>), destroys (<c>-</c>) or
/// changes (<c>~</c>), which DNS records point somewhere else, and — when servers come or go — how many containers,
/// Docker volumes, networks and host commands each server gains or loses. Docker resources live on their server, so
/// moving one to another server re-creates it there, and whatever a server held goes with it. A plan's line diff shows
/// every detail; this is the few lines a reviewer reads first. Identities are the blueprint's: a server by its
/// component name (<see cref="ServerKey.ResourceName"/>), a firewall by its <see cref="FirewallSpec.ResourceName"/>,
/// the rest by name. Empty when none of this changes (e.g. an app's memory).
/// </summary>
public static class PlanChanges
{
    public const string Heading = "what changes around the servers: + created, - destroyed, ~ changed";

    /// <summary>The summary's lines, each starting with <c>+ </c>, <c>- </c> or <c>~ </c>; empty when nothing here changes.</summary>
    public static ImmutableArray<string> Between(PlatformBlueprint before, PlatformBlueprint after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var lines = new List<string>();

        var oldServers = before.Servers.ToDictionary(s => s.Key.ResourceName, StringComparer.Ordinal);
        var newServers = after.Servers.ToDictionary(s => s.Key.ResourceName, StringComparer.Ordinal);
        foreach (var s in after.Servers.Where(s => !oldServers.ContainsKey(s.Key.ResourceName)))
            lines.Add($"+ server {s.Key.ResourceName}: {s.Name} ({Role(s.Key)}, Hetzner {s.Type}{(s.PrivateIp is null ? "" : $", private IP {s.PrivateIp}")}{(s.Protect ? ", protected" : "")})");
        foreach (var s in before.Servers.Where(s => !newServers.ContainsKey(s.Key.ResourceName)))
            lines.Add($"- server {s.Key.ResourceName}: {s.Name} (Hetzner {s.Type}{(s.Protect ? ", protected: unprotect it first" : "")}), and everything on it");
        foreach (var s in after.Servers.Where(s => oldServers.ContainsKey(s.Key.ResourceName)))
        {
            var was = oldServers[s.Key.ResourceName];
            var what = new List<string>();
            if (was.Name != s.Name) what.Add($"name {was.Name} -> {s.Name}");
            if (was.Type != s.Type) what.Add($"Hetzner {was.Type} -> {s.Type}");
            if (was.Protect != s.Protect) what.Add(s.Protect ? "now protected" : "no longer protected");
            if (what.Count > 0) lines.Add($"~ server {s.Key.ResourceName}: {s.Name}, {string.Join(", ", what)}");
        }

        var oldWalls = before.Firewalls.ToDictionary(f => f.ResourceName, StringComparer.Ordinal);
        var newWalls = after.Firewalls.ToDictionary(f => f.ResourceName, StringComparer.Ordinal);
        foreach (var f in after.Firewalls.Where(f => !oldWalls.ContainsKey(f.ResourceName)))
            lines.Add($"+ firewall {f.ResourceName}: {f.Name} ({f.AppliesTo}; {f.Rules.Length} rules)");
        foreach (var f in before.Firewalls.Where(f => !newWalls.ContainsKey(f.ResourceName)))
            lines.Add($"- firewall {f.ResourceName}: {f.Name}");
        // By value: a rule's source list is an array, which a record compares by reference.
        static string Rules(FirewallSpec f) => string.Join("\n", f.Rules.Select(r => $"{r.Protocol} {r.Port} {string.Join(",", r.SourceIps)} {r.Description}"));
        foreach (var f in after.Firewalls.Where(f => oldWalls.TryGetValue(f.ResourceName, out var was) && (was.Name != f.Name || Rules(was) != Rules(f))))
            lines.Add($"~ firewall {f.ResourceName}: {f.Name}, its rules change");

        Compare(lines, "private network", before.PrivateNetwork, after.PrivateNetwork, n => n.Name,
            n => $"{n.IpRange}, subnet {n.SubnetRange} in {n.NetworkZone}");
        Compare(lines, "placement group", before.PlacementGroup, after.PlacementGroup, g => g.Name,
            g => $"spread: {string.Join(", ", g.Members)}");
        Compare(lines, "load balancer", before.LoadBalancer, after.LoadBalancer, l => l.Name,
            l => $"Hetzner {l.Type}, private IP {l.PrivateIp}, targets {string.Join(", ", l.Targets)}; tcp {string.Join(", ", l.Services.Select(x => x.ListenPort))}{(l.Services.All(x => x.ProxyProtocol) ? " with the PROXY protocol" : "")}");
        Compare(lines, "data volume", before.DataVolume, after.DataVolume, v => v.Name,
            v => $"{v.SizeGb} GB on {v.Server}{(v.Protect ? ", protected" : "")}");
        Compare(lines, "Origin CA certificate", before.OriginCertificate, after.OriginCertificate, _ => "",
            c => $"for {string.Join(", ", c.Hostnames)}, valid {c.ValidityDays} days");

        // Records that stay but point somewhere else (the same name and type: updated in place).
        var oldRecords = before.DnsRecords.ToDictionary(d => (d.Fqdn, d.Type));
        foreach (var move in after.DnsRecords.Where(d => oldRecords.TryGetValue((d.Fqdn, d.Type), out var was) && was.Target != d.Target)
                     .GroupBy(d => (From: oldRecords[(d.Fqdn, d.Type)].Target.ToString(), To: d.Target.ToString())).OrderBy(g => g.Key.To, StringComparer.Ordinal))
            lines.Add($"~ DNS: {Count(move.Count(), "record moves", "records move")} from the {move.Key.From} to the {move.Key.To}");

        // What each server gains or loses, when servers come or go: a Docker resource is re-created on its new server.
        if (!before.Servers.Select(s => s.Key).ToHashSet().SetEquals(after.Servers.Select(s => s.Key)))
        {
            var was = Items(before);
            var now = Items(after);
            foreach (var host in after.Servers.Select(s => s.Key))
                if (Counts(now.Where(i => i.Host == host && !was.Contains(i))) is { Length: > 0 } gained)
                    lines.Add($"+ on {host}: {gained}");
            foreach (var host in before.Servers.Select(s => s.Key))
            {
                var lost = was.Where(i => i.Host == host && !now.Contains(i)).ToList();
                var protectedVolumes = before.Volumes.Count(v => v.Host == host && v.Protect && lost.Contains(new Item("volume", v.Name, host)));
                if (Counts(lost) is { Length: > 0 } counts)
                    lines.Add($"- on {host}: {counts}{(protectedVolumes > 0 ? $" ({Count(protectedVolumes, "protected volume", "protected volumes")}: unprotect first)" : "")}");
            }
        }
        return [.. lines];
    }

    /// <summary>The summary as a block to put above a plan's line diff; empty when nothing here changes.</summary>
    public static string Render(PlatformBlueprint before, PlatformBlueprint after)
    {
        var lines = Between(before, after);
        return lines.IsEmpty ? "" : $"@@ {Heading} @@\n{string.Concat(lines.Select(l => l + "\n"))}";
    }

    private static string Role(ServerKey key) => key.Role switch
    {
        ServerRole.App => "app",
        ServerRole.Data => "data",
        ServerRole.Cache => "cache",
        ServerRole.Files => "files",
        _ => "every role",
    };

    private static void Compare<T>(List<string> lines, string what, T? before, T? after, Func<T, string> name, Func<T, string> describe) where T : class
    {
        string Named(T x) => name(x) is { Length: > 0 } n ? $" {n}" : "";
        if (before is null && after is not null) lines.Add($"+ {what}{Named(after)}: {describe(after)}");
        else if (before is not null && after is null) lines.Add($"- {what}{Named(before)}: {describe(before)}");
        else if (before is not null && after is not null && (name(before) != name(after) || describe(before) != describe(after)))
            lines.Add($"~ {what}{Named(after)}: {describe(before)} -> {describe(after)}");
    }

    private sealed record Item(string Kind, string Name, ServerKey Host);

    private static HashSet<Item> Items(PlatformBlueprint b) =>
    [
        .. b.Services.Select(s => new Item("container", s.Name, s.Host)),
        .. b.Volumes.Select(v => new Item("volume", v.Name, v.Host)),
        .. b.Networks.Select(n => new Item("network", n.Name, n.Host)),
        .. b.HostCommands.Select(c => new Item("command", c.Name, c.Host)),
    ];

    private static string Counts(IEnumerable<Item> items)
    {
        var list = items.ToList();
        var parts = new List<string>();
        void Add(string kind, string one, string many)
        {
            var n = list.Count(i => i.Kind == kind);
            if (n > 0) parts.Add(Count(n, one, many));
        }
        Add("container", "container", "containers");
        Add("volume", "Docker volume", "Docker volumes");
        Add("network", "Docker network", "Docker networks");
        Add("command", "host command", "host commands");
        return string.Join(", ", parts);
    }

    private static string Count(int n, string one, string many) => $"{n.ToString(CultureInfo.InvariantCulture)} {(n == 1 ? one : many)}";
}
