using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Server;

/// <summary>Each server's packet filter as the blueprint renders it (the kernel runs it in HostFirewallIntegrationTests).</summary>
public sealed class HostFirewallTests
{
    private static readonly string SplitYaml = TestStacks.Yaml("""
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes: [{ host: api }]
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
          instances: 1
          needs: { database: true, redis: true, buckets: [{ name: files }] }
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

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void A_single_server_keeps_containers_off_the_host_and_has_no_private_rules(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var command = b.HostCommands.Single(c => c.Name == HostCommandNames.HostFirewall);
        var script = command.Stdin!.Masked;
        Assert.Contains($"-A {HostFirewall.HostChain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN", script, StringComparison.Ordinal);
        Assert.Contains($"iptables -w -C INPUT -i br-+ -j {HostFirewall.HostChain} 2>/dev/null || iptables -w -I INPUT 1 -i br-+ -j {HostFirewall.HostChain}", script, StringComparison.Ordinal);
        Assert.Contains($"-i docker0 -j {HostFirewall.HostChain}", script, StringComparison.Ordinal);
        Assert.DoesNotContain(HostFirewall.PrivateChain, script, StringComparison.Ordinal);
        Assert.Contains($"sudo systemctl enable {HostFirewall.Unit}.service", script, StringComparison.Ordinal);
        Assert.Contains("After=docker.service", script, StringComparison.Ordinal);
        Assert.Contains($"-D INPUT -i br-+ -j {HostFirewall.HostChain}", command.Delete, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_split_stack_a_data_port_admits_only_the_app_servers_that_run_an_app_using_it()
    {
        var s = TestStacks.Read(SplitYaml);
        var b = TestStacks.Build(SplitYaml);
        var rules = HostFirewall.PrivatePortRules(s, b, ServerKey.Data).ToDictionary(r => r.Port);
        var app1 = PrivateAddresses.Of(ServerKey.App(1));
        var all = b.AppServers.Select(a => a.PrivateIp!).Order(StringComparer.Ordinal).ToArray();
        // api runs on app-1 only (one instance; its release and jobs run there too): its database and its Redis instance.
        Assert.Equal([app1], rules[5432].Sources.ToArray());
        Assert.Equal([app1], rules[6432].Sources.ToArray());
        var redis = Platform.Stacks.Parts.Redis.RedisNames.Of(s).Single().Port;
        Assert.Equal([app1], rules[redis].Sources.ToArray());
        // What every app server's Traefik, host metrics and jobs reach: Uptime Kuma and MinIO (files.<domain>).
        Assert.Equal(all, rules[MonitoringBlueprint.UptimeKumaPort].Sources.ToArray());
        Assert.Equal(all, rules[9000].Sources.ToArray());
        // Every port the data server publishes has its rule, and nothing else is let in.
        var published = b.Services.Where(x => x.Host == ServerKey.Data).SelectMany(x => x.PublishedPorts).Select(p => p.HostPort).Order().ToArray();
        Assert.Equal(published, rules.Keys.Order().ToArray());
        var script = b.HostCommands.Single(c => c.Name == "host-firewall@data").Stdin!.Masked;
        Assert.Contains($"-A {HostFirewall.PrivateChain} -s {app1}/32 -p tcp -m conntrack --ctorigdstport 6432 -j RETURN", script, StringComparison.Ordinal);
        Assert.DoesNotContain($"-s {PrivateAddresses.Of(ServerKey.App(2))}/32 -p tcp -m conntrack --ctorigdstport 6432", script, StringComparison.Ordinal);
        Assert.Contains($"-A {HostFirewall.PrivateChain} -j DROP", script, StringComparison.Ordinal);
        Assert.Contains($"-C DOCKER-USER -p tcp -m conntrack --ctstate NEW --ctorigdst 10.20.1.2/32 -j {HostFirewall.PrivateChain}", script, StringComparison.Ordinal);
        Assert.Contains($"-C INPUT -d 10.20.1.2/32 -p tcp -m conntrack --ctstate NEW -j {HostFirewall.PrivateChain}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Behind_the_load_balancer_traefiks_ports_admit_the_balancer_and_the_metrics_ports_the_data_server()
    {
        var s = TestStacks.Shipped("scale");
        var b = TestStacks.ShippedBlueprint("scale");
        Assert.Equal(b.Servers.Count(), b.HostCommands.Count(c => c.Name.StartsWith(HostCommandNames.HostFirewall, StringComparison.Ordinal)));
        foreach (var server in b.AppServers)
        {
            var rules = HostFirewall.PrivatePortRules(s, b, server.Key).ToDictionary(r => r.Port, r => r.Sources.ToArray());
            foreach (var port in new[] { 80, 443, TopologyBlueprint.TraefikPingPort })
                Assert.Equal([PrivateAddresses.LoadBalancer], rules[port]);
            Assert.Equal([PrivateAddresses.Of(ServerKey.Data)], rules[Platform.Stacks.Parts.Observability.ObservabilityNames.TraefikMetricsPort]);
            Assert.DoesNotContain(rules.Values, sources => sources.Length == 0);
        }
    }
}
