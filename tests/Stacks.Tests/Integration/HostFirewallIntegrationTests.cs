using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The host packet filter, for real: the rendered rules file and script run by the kernel's netfilter (Debian's iptables,
/// nftables-backed like the servers'), in network namespaces that stand for a split stack's data server, two app servers
/// on the private network and a container behind Docker's DNAT on a <c>br-…</c> bridge. Real TCP connections are opened
/// before and after the rules, so each check can fail. Needs root (network namespaces); nothing leaves this machine.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostFirewallIntegrationTests
{
    private const string DataIp = "10.20.1.2";
    private const string App1 = "10.20.1.11";
    private const string App2 = "10.20.1.12";
    private const string Bridge = "br-e22fw";
    private const string ContainerIp = "172.31.77.2";
    private const string GatewayIp = "172.31.77.1";

    /// <summary>A split stack whose one database app runs on app-1 only, while another app runs on all three app servers.</summary>
    private static readonly string SplitYaml = TestStacks.Yaml("""
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes: [{ host: api }]
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
          instances: 1
          needs: { database: true, redis: true }
        - name: web
          image: ghcr.io/example/web:2.0.0
          port: 3000
          routes: [{ host: app }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          instances: 3
        """, extra: "platform:servers:\n  app: { type: cx32, count: 3 }\n  data: { type: ccx23, volumeGb: 100 }")
        .Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal);

    [Fact]
    public async Task On_the_data_server_a_data_port_admits_only_the_app_servers_that_use_it_and_containers_do_not_reach_the_host()
    {
        var split = TestStacks.Build(SplitYaml);
        Assert.Equal(DataIp, split.ServerOf(ServerKey.Data).PrivateIp);
        var ports = HostFirewall.PrivatePortRules(TestStacks.Read(SplitYaml), split, ServerKey.Data);
        var pgbouncer = ports.Single(p => p.Port == 6432);
        var uptimeKuma = ports.Single(p => p.Port == MonitoringBlueprint.UptimeKumaPort);
        Assert.Equal([App1], pgbouncer.Sources.ToArray());
        Assert.Contains(App2, uptimeKuma.Sources);

        var id = Guid.NewGuid().ToString("N")[..6];
        string D = $"e22d{id}", A1 = $"e22a{id}", A2 = $"e22b{id}", C = $"e22c{id}";
        var dir = Directory.CreateTempSubdirectory("host-firewall-").FullName;
        try
        {
            await Sh($"""
                set -eu
                for n in {D} {A1} {A2} {C}; do ip netns add $n; ip -n $n link set lo up; done
                # The private network: a bridge on the data server, an app server on each side of a veth.
                ip -n {D} link add lan type bridge; ip -n {D} addr add {DataIp}/24 dev lan; ip -n {D} link set lan up
                ip link add e22p1{id} netns {D} type veth peer name eth0 netns {A1}
                ip link add e22p2{id} netns {D} type veth peer name eth0 netns {A2}
                for p in e22p1{id} e22p2{id}; do ip -n {D} link set $p master lan; ip -n {D} link set $p up; done
                ip -n {A1} addr add {App1}/24 dev eth0; ip -n {A1} link set eth0 up
                ip -n {A2} addr add {App2}/24 dev eth0; ip -n {A2} link set eth0 up
                # A container behind a Docker bridge, its ports published on the private address by DNAT, as Docker does.
                ip link add {Bridge} netns {D} type veth peer name eth0 netns {C}
                ip -n {D} addr add {GatewayIp}/24 dev {Bridge}; ip -n {D} link set {Bridge} up
                ip -n {C} addr add {ContainerIp}/24 dev eth0; ip -n {C} link set eth0 up; ip -n {C} route add default via {GatewayIp}
                ip netns exec {D} sysctl -qw net.ipv4.ip_forward=1
                ip netns exec {D} iptables -w -N DOCKER-USER
                ip netns exec {D} iptables -w -A FORWARD -j DOCKER-USER
                for port in 6432 {MonitoringBlueprint.UptimeKumaPort}; do
                  ip netns exec {D} iptables -w -t nat -A PREROUTING -d {DataIp}/32 -p tcp --dport $port -j DNAT --to-destination {ContainerIp}:$port
                done
                """);
            // Listeners: the container's two published services, and a host daemon (like sshd) on every address.
            var listeners = new List<System.Diagnostics.Process>();
            foreach (var (ns, port) in new[] { (C, 6432), (C, MonitoringBlueprint.UptimeKumaPort), (D, 2222) })
                listeners.Add(System.Diagnostics.Process.Start(Proc.StartInfo("ip", ["netns", "exec", ns, Proc.Require("socat"), $"TCP-LISTEN:{port},fork,reuseaddr", "SYSTEM:true"]))!);
            try
            {
                await Task.Delay(500);
                // Before the rules: everything connects (so the checks below can fail).
                Assert.True(await Connects(A2, DataIp, 6432));
                Assert.True(await Connects(C, GatewayIp, 2222));
                Assert.True(await Connects(A1, DataIp, 2222));

                var rules = Path.Combine(dir, "firewall.rules");
                var script = Path.Combine(dir, "platform-firewall");
                await File.WriteAllTextAsync(rules, HostFirewall.Rules(DataIp, ports));
                await File.WriteAllTextAsync(script, HostFirewall.Script(DataIp, rules));
                var test = await Proc.RunAsync("ip", ["netns", "exec", D, Proc.Require("iptables-restore"), "--test", "--noflush", rules]);
                Assert.True(test.Ok, test.ToString());
                await Sh($"ip netns exec {D} sh {script}");
                var once = (await Proc.RunCheckedAsync("ip", ["netns", "exec", D, "iptables", "-w", "-S"])).Stdout;
                // Idempotent: a second run (every deployment, every boot) leaves the same rules.
                await Sh($"ip netns exec {D} sh {script}");
                Assert.Equal(once, (await Proc.RunCheckedAsync("ip", ["netns", "exec", D, "iptables", "-w", "-S"])).Stdout);

                Assert.True(await Connects(A1, DataIp, 6432), "app-1 runs api, which uses PgBouncer");
                Assert.False(await Connects(A2, DataIp, 6432), "app-2 runs no app that uses PgBouncer");
                Assert.True(await Connects(A2, DataIp, MonitoringBlueprint.UptimeKumaPort), "every app server reaches Uptime Kuma");
                Assert.False(await Connects(A1, DataIp, 2222), "no host daemon on the private address");
                Assert.False(await Connects(C, GatewayIp, 2222), "a container opens no connection to the host");
                Assert.False(await Connects(C, DataIp, 2222), "nor on the host's other addresses");
                // The host still opens connections to its containers (the backup timers' heartbeats, provisioning).
                Assert.True(await Connects(D, ContainerIp, 6432));
            }
            finally
            {
                foreach (var l in listeners)
                {
                    try { l.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    l.Dispose();
                }
            }
        }
        finally
        {
            foreach (var ns in new[] { D, A1, A2, C })
                await Proc.RunAsync("ip", ["netns", "del", ns]);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task On_an_app_server_an_app_without_egress_reaches_the_private_network_and_its_bridge_but_not_the_internet()
    {
        // The rendered names and rules: web declares no egress, api does.
        var split = TestStacks.Build(SplitYaml.Replace("  needs: { database: true, redis: true }", "  needs: { database: true, redis: true }\n      egress: true", StringComparison.Ordinal));
        var closed = HostFirewall.ClosedBridges(split, ServerKey.App(1));
        var web = AppEgress.BridgeName("web");
        Assert.Equal([web], closed.ToArray());

        var id = Guid.NewGuid().ToString("N")[..6];
        string A = $"e22e{id}", D = $"e22f{id}", X = $"e22x{id}", C = $"e22g{id}", T = $"e22t{id}", E = $"e22h{id}";
        const string Internet = "203.0.113.1", AppPublic = "203.0.113.11";
        const string WebGateway = "172.31.80.1", WebIp = "172.31.80.2", TraefikIp = "172.31.80.3", ApiGateway = "172.31.81.1", ApiIp = "172.31.81.2";
        var dir = Directory.CreateTempSubdirectory("host-egress-").FullName;
        try
        {
            await Sh($"""
                set -eu
                for n in {A} {D} {X} {C} {T} {E}; do ip netns add $n; ip -n $n link set lo up; done
                # app-1's private interface to the data server, and its public one to "the internet" (a test address).
                ip link add eth1 netns {A} type veth peer name eth0 netns {D}
                ip -n {A} addr add {App1}/24 dev eth1; ip -n {A} link set eth1 up
                ip -n {D} addr add {DataIp}/24 dev eth0; ip -n {D} link set eth0 up
                ip link add eth0 netns {A} type veth peer name eth0 netns {X}
                ip -n {A} addr add {AppPublic}/24 dev eth0; ip -n {A} link set eth0 up; ip -n {A} route add default via {Internet}
                ip -n {X} addr add {Internet}/24 dev eth0; ip -n {X} link set eth0 up
                # web's network: a real Linux bridge with the rendered name, web's container and Traefik on it.
                ip -n {A} link add {web} type bridge; ip -n {A} addr add {WebGateway}/24 dev {web}; ip -n {A} link set {web} up
                ip link add vc{id} netns {A} type veth peer name eth0 netns {C}
                ip link add vt{id} netns {A} type veth peer name eth0 netns {T}
                for p in vc{id} vt{id}; do ip -n {A} link set $p master {web}; ip -n {A} link set $p up; done
                ip -n {C} addr add {WebIp}/24 dev eth0; ip -n {C} link set eth0 up; ip -n {C} route add default via {WebGateway}
                ip -n {T} addr add {TraefikIp}/24 dev eth0; ip -n {T} link set eth0 up; ip -n {T} route add default via {WebGateway}
                # api's network: Docker's own bridge name (br-<id>), api's container on it.
                ip link add br-e22api netns {A} type veth peer name eth0 netns {E}
                ip -n {A} addr add {ApiGateway}/24 dev br-e22api; ip -n {A} link set br-e22api up
                ip -n {E} addr add {ApiIp}/24 dev eth0; ip -n {E} link set eth0 up; ip -n {E} route add default via {ApiGateway}
                # As Docker sets an app server up: forwarding, DOCKER-USER first in FORWARD, masquerading out of each bridge.
                ip netns exec {A} sysctl -qw net.ipv4.ip_forward=1
                ip netns exec {A} iptables -w -N DOCKER-USER
                ip netns exec {A} iptables -w -A FORWARD -j DOCKER-USER
                ip netns exec {A} iptables -w -t nat -A POSTROUTING -s 172.31.80.0/24 ! -o {web} -j MASQUERADE
                ip netns exec {A} iptables -w -t nat -A POSTROUTING -s 172.31.81.0/24 ! -o br-e22api -j MASQUERADE
                ip -n {D} route add default via {App1}
                """);
            var listeners = new List<System.Diagnostics.Process>();
            foreach (var (ns, port) in new[] { (X, 443), (D, 6432), (C, 8080) })
                listeners.Add(System.Diagnostics.Process.Start(Proc.StartInfo("ip", ["netns", "exec", ns, Proc.Require("socat"), $"TCP-LISTEN:{port},fork,reuseaddr", "SYSTEM:true"]))!);
            try
            {
                await Task.Delay(500);
                // Before the rules: web reaches the internet (so the check below can fail).
                Assert.True(await Connects(C, Internet, 443));
                Assert.True(await Connects(C, DataIp, 6432));

                var rules = Path.Combine(dir, "firewall.rules");
                var script = Path.Combine(dir, "platform-firewall");
                await File.WriteAllTextAsync(rules, HostFirewall.Rules(App1, [], closed));
                await File.WriteAllTextAsync(script, HostFirewall.Script(App1, rules, closed));
                await Sh($"ip netns exec {A} sh {script}");
                var once = (await Proc.RunCheckedAsync("ip", ["netns", "exec", A, "iptables", "-w", "-S"])).Stdout;
                await Sh($"ip netns exec {A} sh {script}");
                Assert.Equal(once, (await Proc.RunCheckedAsync("ip", ["netns", "exec", A, "iptables", "-w", "-S"])).Stdout);

                Assert.False(await Connects(C, Internet, 443), "web declares no egress");
                Assert.True(await Connects(C, DataIp, 6432), "web still reaches the data server on the private network");
                Assert.True(await Connects(T, WebIp, 8080), "Traefik, on web's bridge, still reaches web");
                Assert.True(await Connects(E, Internet, 443), "api declares egress");
                Assert.True(await Connects(E, DataIp, 6432));
            }
            finally
            {
                foreach (var l in listeners)
                {
                    try { l.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    l.Dispose();
                }
            }
        }
        finally
        {
            foreach (var ns in new[] { A, D, X, C, T, E })
                await Proc.RunAsync("ip", ["netns", "del", ns]);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A cache server (<c>platform:servers.cache</c>): api's Redis instance admits app-1 (which runs api) and the data server
    /// (Uptime Kuma's monitor), not app-2, whose apps use no Redis.
    /// </summary>
    [Fact]
    public async Task On_a_cache_server_a_Redis_port_admits_the_app_servers_that_use_it_and_the_data_server_only()
    {
        var yaml = SplitYaml.Replace("  data: { type: ccx23, volumeGb: 100 }", "  data: { type: ccx23, volumeGb: 100 }\n    cache: { type: cx22 }", StringComparison.Ordinal);
        var settings = TestStacks.Read(yaml);
        var split = TestStacks.Build(yaml);
        const string cacheIp = "10.20.1.3";
        Assert.Equal(cacheIp, split.ServerOf(ServerKey.Cache).PrivateIp);
        var ports = HostFirewall.PrivatePortRules(settings, split, ServerKey.Cache);
        var redis = Assert.Single(ports).Port;
        Assert.Equal(Platform.Stacks.Parts.Redis.RedisNames.Of(settings).Single().Port, redis);

        var id = Guid.NewGuid().ToString("N")[..6];
        string K = $"e22k{id}", D = $"e22d{id}", A1 = $"e22a{id}", A2 = $"e22b{id}", C = $"e22c{id}";
        var dir = Directory.CreateTempSubdirectory("host-firewall-").FullName;
        try
        {
            await Sh($"""
                set -eu
                for n in {K} {D} {A1} {A2} {C}; do ip netns add $n; ip -n $n link set lo up; done
                ip -n {K} link add lan type bridge; ip -n {K} addr add {cacheIp}/24 dev lan; ip -n {K} link set lan up
                ip link add e22q0{id} netns {K} type veth peer name eth0 netns {D}
                ip link add e22q1{id} netns {K} type veth peer name eth0 netns {A1}
                ip link add e22q2{id} netns {K} type veth peer name eth0 netns {A2}
                for p in e22q0{id} e22q1{id} e22q2{id}; do ip -n {K} link set $p master lan; ip -n {K} link set $p up; done
                ip -n {D} addr add {DataIp}/24 dev eth0; ip -n {D} link set eth0 up
                ip -n {A1} addr add {App1}/24 dev eth0; ip -n {A1} link set eth0 up
                ip -n {A2} addr add {App2}/24 dev eth0; ip -n {A2} link set eth0 up
                ip link add {Bridge} netns {K} type veth peer name eth0 netns {C}
                ip -n {K} addr add {GatewayIp}/24 dev {Bridge}; ip -n {K} link set {Bridge} up
                ip -n {C} addr add {ContainerIp}/24 dev eth0; ip -n {C} link set eth0 up; ip -n {C} route add default via {GatewayIp}
                ip netns exec {K} sysctl -qw net.ipv4.ip_forward=1
                ip netns exec {K} iptables -w -N DOCKER-USER
                ip netns exec {K} iptables -w -A FORWARD -j DOCKER-USER
                ip netns exec {K} iptables -w -t nat -A PREROUTING -d {cacheIp}/32 -p tcp --dport {redis} -j DNAT --to-destination {ContainerIp}:{redis}
                """);
            var listeners = new List<System.Diagnostics.Process>();
            foreach (var (ns, port) in new[] { (C, redis), (K, 2222) })
                listeners.Add(System.Diagnostics.Process.Start(Proc.StartInfo("ip", ["netns", "exec", ns, Proc.Require("socat"), $"TCP-LISTEN:{port},fork,reuseaddr", "SYSTEM:true"]))!);
            try
            {
                await Task.Delay(500);
                Assert.True(await Connects(A2, cacheIp, redis));
                Assert.True(await Connects(D, cacheIp, 2222));

                var rules = Path.Combine(dir, "firewall.rules");
                var script = Path.Combine(dir, "platform-firewall");
                await File.WriteAllTextAsync(rules, HostFirewall.Rules(cacheIp, ports));
                await File.WriteAllTextAsync(script, HostFirewall.Script(cacheIp, rules));
                await Sh($"ip netns exec {K} sh {script}");

                Assert.True(await Connects(A1, cacheIp, redis), "app-1 runs api, which uses this Redis instance");
                Assert.True(await Connects(D, cacheIp, redis), "the data server's Uptime Kuma monitors it");
                Assert.False(await Connects(A2, cacheIp, redis), "app-2 runs no app that uses Redis");
                Assert.False(await Connects(D, cacheIp, 2222), "no host daemon on the private address, not even for the data server");
                Assert.False(await Connects(C, GatewayIp, 2222), "a container opens no connection to the host");
            }
            finally
            {
                foreach (var l in listeners)
                {
                    try { l.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    l.Dispose();
                }
            }
        }
        finally
        {
            foreach (var ns in new[] { K, D, A1, A2, C })
                await Proc.RunAsync("ip", ["netns", "del", ns]);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<bool> Connects(string ns, string ip, int port) =>
        (await Proc.RunAsync("ip", ["netns", "exec", ns, Proc.Require("socat"), "-T2", "/dev/null", $"TCP:{ip}:{port.ToString(CultureInfo.InvariantCulture)},connect-timeout=2"], timeout: TimeSpan.FromSeconds(10))).Ok;

    private static async Task Sh(string script) => await Proc.RunCheckedAsync("sh", ["-c", script], timeout: TimeSpan.FromSeconds(60));
}
