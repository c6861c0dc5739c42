using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>One port a server publishes on its private address, and the private addresses that may open it.</summary>
/// <param name="Port">The published (host) port.</param>
/// <param name="Sources">The servers' (or load balancer's) private addresses let in; every other address is dropped.</param>
/// <param name="Why">Who connects, for the plan.</param>
public sealed record PrivatePortRule(int Port, ImmutableArray<string> Sources, string Why);

/// <summary>
/// Each server's own packet filter, where Hetzner's firewalls do not reach: the private network between a split stack's
/// servers (Hetzner does not filter it), and the Docker bridges on the server itself. Rendered here as an
/// <c>iptables-restore --noflush</c> file of two chains, applied by a script that hooks them in idempotently, at every
/// deployment (a host command) and at every boot (a systemd unit after Docker):
/// <list type="bullet">
/// <item><see cref="HostChain"/>, from <c>INPUT</c> for every packet arriving from a Docker bridge (<c>br-+</c>, <c>docker0</c>):
/// a container opens no connection to the host itself, e.g. the SSH daemon on its bridge's gateway address (an internal
/// network's containers have no route out, but the gateway is the host). Answers to connections the host opened pass.</item>
/// <item><see cref="PrivateChain"/>, for new TCP connections to the server's private address: from Docker's
/// <c>DOCKER-USER</c> chain (published ports, after Docker's DNAT, matched on the original destination), and from
/// <c>INPUT</c> (the host's own daemons). Each published port admits only the addresses of
/// <see cref="PrivatePortRule.Sources"/>: on the data server, a data service's port only from the app servers that run an
/// app using it; on an app server, Traefik's ports only from the load balancer. Everything else is dropped.</item>
/// <item><see cref="EgressChain"/>, from <c>DOCKER-USER</c> for packets a Docker bridge forwards, on a split stack's app
/// server: each bridge of an app without egress (<see cref="AppEgress.BridgeName"/>) may send back onto itself (Traefik,
/// the apps that talk to it) and to the private network (the data server), and nowhere else: the internet and the cloud's
/// metadata service are refused. Answers to connections made to its containers pass.</item>
/// </list>
/// Docker's own rules are untouched (it keeps <c>DOCKER-USER</c> first in <c>FORWARD</c> and never flushes it); the rules
/// use the iptables the server's Docker uses (nftables-backed on current Ubuntu), IPv4 only (the private network and the
/// Docker networks have no IPv6).
/// </summary>
public static class HostFirewall
{
    public const string HostChain = "PLATFORM-HOST";
    public const string PrivateChain = "PLATFORM-PRIVATE";
    public const string EgressChain = "PLATFORM-EGRESS";
    public const string RulesPath = "/etc/platform/firewall.rules";
    public const string ScriptPath = "/usr/local/sbin/platform-firewall";
    public const string Unit = "platform-firewall";

    /// <summary>The bridges Docker makes: user-defined networks (<c>br-&lt;id&gt;</c>) and the default one.</summary>
    public static readonly ImmutableArray<string> DockerBridges = ["br-+", "docker0"];

    /// <summary>The rules (<c>iptables-restore --noflush</c>: declaring a chain flushes it, so a re-run replaces, never duplicates).</summary>
    public static string Rules(string? privateIp, IReadOnlyList<PrivatePortRule> ports, IReadOnlyList<string>? closedBridges = null)
    {
        var closed = Closed(privateIp, closedBridges);
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        Line("*filter");
        Line($":{HostChain} - [0:0]");
        if (privateIp is not null) Line($":{PrivateChain} - [0:0]");
        if (!closed.IsEmpty) Line($":{EgressChain} - [0:0]");
        Line($"-A {HostChain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
        // A refusal a client notices at once, rather than a timeout.
        Line($"-A {HostChain} -p tcp -j REJECT --reject-with tcp-reset");
        Line($"-A {HostChain} -j DROP");
        if (privateIp is not null)
        {
            foreach (var rule in ports.OrderBy(p => p.Port))
                foreach (var source in rule.Sources.Distinct().Order(StringComparer.Ordinal))
                    Line($"-A {PrivateChain} -s {source}/32 -p tcp -m conntrack --ctorigdstport {rule.Port.ToString(CultureInfo.InvariantCulture)} -j RETURN");
            Line($"-A {PrivateChain} -j DROP");
        }
        if (!closed.IsEmpty)
        {
            Line($"-A {EgressChain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
            foreach (var bridge in closed)
            {
                Line($"-A {EgressChain} -i {bridge} -o {bridge} -j RETURN");
                Line($"-A {EgressChain} -i {bridge} -d {PrivateAddresses.NetworkRange} -j RETURN");
                Line($"-A {EgressChain} -i {bridge} -p tcp -j REJECT --reject-with tcp-reset");
                Line($"-A {EgressChain} -i {bridge} -j REJECT --reject-with icmp-admin-prohibited");
            }
        }
        Line("COMMIT");
        return sb.ToString();
    }

    /// <summary>The jumps into the chains, each added once (checked with <c>-C</c>), first in its chain.</summary>
    public static ImmutableArray<(string Chain, string Rule)> Hooks(string? privateIp, IReadOnlyList<string>? closedBridges = null)
    {
        var hooks = new List<(string, string)>();
        foreach (var bridge in DockerBridges)
            hooks.Add(("INPUT", $"-i {bridge} -j {HostChain}"));
        if (privateIp is not null)
        {
            hooks.Add(("DOCKER-USER", $"-p tcp -m conntrack --ctstate NEW --ctorigdst {privateIp}/32 -j {PrivateChain}"));
            hooks.Add(("INPUT", $"-d {privateIp}/32 -p tcp -m conntrack --ctstate NEW -j {PrivateChain}"));
        }
        if (!Closed(privateIp, closedBridges).IsEmpty)
            hooks.Add(("DOCKER-USER", $"-i br-+ -j {EgressChain}"));
        return [.. hooks];
    }

    /// <summary>The bridges without egress, sorted; only where there is a private network (one server uses internal networks).</summary>
    private static ImmutableArray<string> Closed(string? privateIp, IReadOnlyList<string>? bridges) =>
        privateIp is null || bridges is null ? [] : [.. bridges.Distinct().Order(StringComparer.Ordinal)];

    /// <summary>
    /// The script that applies <paramref name="rulesPath"/> and hooks the chains in (POSIX sh, as root). It creates
    /// <c>DOCKER-USER</c> when Docker has not yet (Docker keeps an existing one), so it may run before or after Docker.
    /// </summary>
    public static string Script(string? privateIp, string rulesPath = RulesPath, IReadOnlyList<string>? closedBridges = null)
    {
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        Line("#!/bin/sh");
        Line("# Applies the platform's host rules (see the rules file) and hooks their chains in once. Idempotent.");
        Line("set -eu");
        Line("iptables -w -N DOCKER-USER 2>/dev/null || true");
        Line($"iptables-restore -w --noflush {rulesPath}");
        foreach (var (chain, rule) in Hooks(privateIp, closedBridges))
            Line($"iptables -w -C {chain} {rule} 2>/dev/null || iptables -w -I {chain} 1 {rule}");
        return sb.ToString();
    }

    /// <summary>The host command that installs the rules, the script and the boot unit on one server, and applies them.</summary>
    public static HostCommandSpec Command(ServerKey server, string? privateIp, IReadOnlyList<PrivatePortRule> ports, IReadOnlyList<string>? closedBridges = null)
    {
        var b = new SecretTextBuilder().Line("set -eu").Line("sudo install -d -m 0755 /etc/platform");
        HostFiles.Write(b, RulesPath, "0644", Rules(privateIp, ports, closedBridges));
        HostFiles.Write(b, ScriptPath, "0755", Script(privateIp, RulesPath, closedBridges));
        HostFiles.Write(b, $"/etc/systemd/system/{Unit}.service", "0644", string.Join("\n",
            "[Unit]",
            "Description=The platform's host packet filter (containers to the host; the private network's published ports)",
            "After=docker.service",
            "Wants=docker.service",
            "",
            "[Service]",
            "Type=oneshot",
            "RemainAfterExit=yes",
            $"ExecStart={ScriptPath}",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            ""));
        b.Line("sudo systemctl daemon-reload");
        b.Line($"sudo systemctl enable {Unit}.service >/dev/null 2>&1");
        b.Line($"sudo {ScriptPath}");
        // Ports grouped by who may open them, so a data server's dozen ports stay one readable line.
        var groups = ports.GroupBy(p => string.Join(", ", p.Sources)).OrderBy(g => g.Min(p => p.Port))
            .Select(g => $"{string.Join(", ", g.Select(p => p.Port).Order().Select(p => p.ToString(CultureInfo.InvariantCulture)))} from {(g.Key.Length == 0 ? "nobody" : g.Key)}");
        var what = privateIp is null
            ? "containers open no connection to the host"
            : $"containers open no connection to the host; on {privateIp} {(ports.Count == 0 ? "no port" : string.Join("; ", groups))}; nothing else"
              + (Closed(privateIp, closedBridges) is { IsEmpty: false } closed ? $"; the bridges of apps without egress ({string.Join(", ", closed)}) reach only the private network" : "");
        var unhook = string.Join("; ", Hooks(privateIp, closedBridges).Select(h => $"sudo iptables -w -D {h.Chain} {h.Rule} 2>/dev/null || true"));
        return new HostCommandSpec(server.Qualify(HostCommandNames.HostFirewall), $"installs and applies the host packet filter: {what}", "sh -s", b.Build(), [])
        {
            // Like image hygiene, a concern of every server: carried by the part present on each (the data server has no edge).
            Part = PartId.Monitoring,
            Host = server,
            Delete = $"sudo systemctl disable {Unit}.service 2>/dev/null || true; {unhook}; sudo rm -f /etc/systemd/system/{Unit}.service {ScriptPath} {RulesPath}; sudo systemctl daemon-reload",
        };
    }

    /// <summary>
    /// A split stack's rules for the ports each server publishes on its private address: a data service's port admits
    /// the app servers that run a container of an app naming it (its <c>extra_hosts</c>, the data server's address); the
    /// platform's services app servers reach (Uptime Kuma, MinIO, Grafana, Loki, MinIO's console) admit every app server;
    /// Traefik's ports on an app server admit the load balancer (and, on the tenant issuer, the other app servers), its
    /// metrics and node-exporter the data server.
    /// </summary>
    public static ImmutableArray<PrivatePortRule> PrivatePorts(PlatformBlueprint b, ServerKey server,
        IReadOnlyDictionary<int, ImmutableArray<string>> dataPortUsers)
    {
        var me = b.ServerOf(server);
        if (me.PrivateIp is not { } ip) return [];
        var appIps = b.AppServers.Select(a => a.PrivateIp!).ToImmutableArray();
        var dataIp = b.ServerOf(ServerKey.Data).PrivateIp!;
        // A cache or file server's data services are also reached from the data server: Uptime Kuma's monitors, Prometheus.
        var roleServer = server.Role is ServerRole.Cache or ServerRole.Files;
        var others = b.Servers.Where(x => x.Key != server && x.PrivateIp is not null).Select(x => x.PrivateIp!).ToImmutableArray();
        var rules = new List<PrivatePortRule>();
        foreach (var svc in b.Services.Where(x => x.Host == server))
            foreach (var p in svc.PublishedPorts.Where(p => p.HostIp == ip))
            {
                if (dataPortUsers.TryGetValue(p.HostPort, out var users))
                    rules.Add(roleServer
                        ? new(p.HostPort, users.Add(dataIp), $"{svc.Name}: the app servers of the apps that use it, and the data server (monitors, metrics)")
                        : new(p.HostPort, users, $"{svc.Name}: the app servers of the apps that use it"));
                else if (server.Role == ServerRole.Data)
                    rules.Add(others.Length == appIps.Length
                        ? new(p.HostPort, appIps, $"{svc.Name}: every app server (Traefik's routes, monitors and logs)")
                        : new(p.HostPort, others, $"{svc.Name}: every other server (Traefik's routes, monitors, heartbeats and logs)"));
                else if (roleServer && svc.Kind == ServiceKind.Data)
                    rules.Add(new(p.HostPort, appIps.Add(dataIp), $"{svc.Name}: every app server (Traefik's routes) and the data server (monitors, metrics)"));
                else if (svc.Name == server.Qualify(ServiceNames.Traefik) && p.HostPort is 80 or 443 or TopologyBlueprint.TraefikPingPort)
                {
                    var from = b.LoadBalancer is { } lb ? [lb.PrivateIp] : ImmutableArray<string>.Empty;
                    if (p.HostPort is 80 or 443 && b.TenantIssuer?.Server == server)
                        from = from.AddRange(appIps.Where(a => a != ip));
                    rules.Add(new(p.HostPort, from, $"{svc.Name}: the load balancer"));
                }
                else
                    rules.Add(new(p.HostPort, [b.ServerOf(ServerKey.Data).PrivateIp!], $"{svc.Name}: the data server (Prometheus)"));
            }
        return [.. rules.GroupBy(r => r.Port).Select(g => g.First() with { Sources = [.. g.SelectMany(r => r.Sources).Distinct().Order(StringComparer.Ordinal)] }).OrderBy(r => r.Port)];
    }

    /// <summary>Data services whose ports admit only the app servers of the apps that use them (MinIO's also serves every Traefik).</summary>
    private static readonly ImmutableHashSet<PartKind> RestrictedDataParts = [PartKind.Postgres, PartKind.MariaDb, PartKind.Redis];

    /// <summary>
    /// Every server's packet filter (<see cref="HostFirewall"/>), from the placed blueprint: last, so that it sees every port
    /// the parts publish. Which app server needs a data service's port comes from where each app's containers run and
    /// which data services the app uses.
    /// </summary>
    internal static PlatformBlueprint WithHostFirewall(StackSettings s, PlatformBlueprint b)
    {
        var commands = b.Servers.Select(x => Command(x.Key, x.PrivateIp, PrivatePortRules(s, b, x.Key), ClosedBridges(b, x.Key)));
        return b with { HostCommands = [.. b.HostCommands.Concat(commands).OrderBy(c => c.Name, StringComparer.Ordinal)] };
    }

    /// <summary>The bridges on <paramref name="server"/> of apps without egress (named only on a split stack's app servers).</summary>
    public static ImmutableArray<string> ClosedBridges(PlatformBlueprint b, ServerKey server) =>
        [.. b.Networks.Where(n => n.Host == server && n.Options.ContainsKey(AppEgress.BridgeNameOption)).Select(n => n.Options[AppEgress.BridgeNameOption])];

    /// <summary>What <paramref name="server"/> admits on its private address (empty off a split stack).</summary>
    public static ImmutableArray<PrivatePortRule> PrivatePortRules(StackSettings s, PlatformBlueprint b, ServerKey server)
    {
        if (b.ServerOf(server).PrivateIp is null) return [];
        var users = new Dictionary<int, SortedSet<string>>();
        var dataByName = new Dictionary<string, ServiceSpec>(StringComparer.Ordinal);
        foreach (var data in b.Services.Where(x => RestrictedDataParts.Contains(x.Part.Kind)))
        {
            dataByName.TryAdd(data.Name, data);
            if (data.Host.HoldsData)
                foreach (var p in data.PublishedPorts)
                    users.TryAdd(p.HostPort, new SortedSet<string>(StringComparer.Ordinal));
        }
        var appServers = b.Services.Where(x => x.App is not null && x.Host.Role == ServerRole.App)
            .ToLookup(x => x.App!, x => b.ServerOf(x.Host).PrivateIp!, StringComparer.Ordinal);
        foreach (var app in s.Apps)
        {
            var servers = appServers[app.Name].Distinct().ToList();
            foreach (var used in Parts.Apps.AppsBlueprint.DataServicesOf(s, app))
                if (dataByName.TryGetValue(used, out var data))
                    foreach (var p in data.PublishedPorts)
                        users[p.HostPort].UnionWith(servers);
        }
        return PrivatePorts(b, server, users.ToDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray()));
    }
}
