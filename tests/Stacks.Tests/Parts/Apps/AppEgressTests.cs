using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Apps;

/// <summary>An app reaches the internet only when it declares <c>egress: true</c>: one server and split stacks.</summary>
public sealed class AppEgressTests
{
    private const string Apps = """
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes: [{ host: api }]
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
          instances: 1
          egress: true
          needs: { database: true }
        - name: web
          image: ghcr.io/example/web:2.0.0
          port: 3000
          routes: [{ host: app }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          instances: 2
          needs: { database: true }
        """;

    private static readonly string SplitYaml = TestStacks.Yaml(Apps, extra: "platform:servers:\n  app: { type: cx32, count: 2 }\n  data: { type: ccx23, volumeGb: 100 }")
        .Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal);

    [Fact]
    public void On_one_server_an_app_without_egress_has_an_internal_network_and_one_with_it_does_not()
    {
        var b = TestStacks.Build(TestStacks.Yaml(Apps));
        Assert.False(b.Networks.Single(n => n.Name == "app-api").Internal);
        var web = b.Networks.Single(n => n.Name == "app-web");
        Assert.True(web.Internal);
        Assert.Contains("no internet egress", web.Purpose, StringComparison.Ordinal);
        Assert.True(web.Options.IsEmpty);
        // No bridge is named and no egress chain is rendered where there is no private network.
        Assert.DoesNotContain(b.Networks, n => n.Options.ContainsKey(AppEgress.BridgeNameOption));
        Assert.DoesNotContain("apps without egress", b.HostCommands.Single(c => c.Name == HostCommandNames.HostFirewall).Description, StringComparison.Ordinal);
        Assert.DoesNotContain(HostFirewall.EgressChain, HostFirewall.Rules(null, [], ["br-appaaaaaaaaa"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Egress_must_be_a_boolean_and_is_named_in_the_error()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(Apps.Replace("egress: true", "egress: sometimes", StringComparison.Ordinal)));
        Assert.Contains(errors, e => e.Key == "platform:apps[0].egress");
    }

    [Fact]
    public void On_a_split_stack_an_app_without_egress_keeps_a_gateway_on_a_named_bridge_that_the_host_filter_closes()
    {
        var b = TestStacks.Build(SplitYaml);
        foreach (var server in new[] { ServerKey.App(1), ServerKey.App(2) })
        {
            var web = b.Networks.Single(n => n.Name == "app-web" && n.Host == server);
            Assert.False(web.Internal);   // its containers reach the data server through the gateway
            Assert.Equal(AppEgress.BridgeName("web"), web.Options[AppEgress.BridgeNameOption]);
            // api (one instance) runs on app-1 only: its network there is open, with Docker's own bridge name.
            if (b.Networks.SingleOrDefault(n => n.Name == "app-api" && n.Host == server) is { } api)
            {
                Assert.False(api.Internal);
                Assert.True(api.Options.IsEmpty);
            }
            Assert.Equal([AppEgress.BridgeName("web")], HostFirewall.ClosedBridges(b, server).ToArray());

            var rules = HostFirewall.Rules(b.ServerOf(server).PrivateIp, [], HostFirewall.ClosedBridges(b, server)).Split('\n');
            var bridge = AppEgress.BridgeName("web");
            Assert.Equal(
            [
                $"-A {HostFirewall.EgressChain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
                $"-A {HostFirewall.EgressChain} -i {bridge} -o {bridge} -j RETURN",
                $"-A {HostFirewall.EgressChain} -i {bridge} -d {PrivateAddresses.NetworkRange} -j RETURN",
                $"-A {HostFirewall.EgressChain} -i {bridge} -p tcp -j REJECT --reject-with tcp-reset",
                $"-A {HostFirewall.EgressChain} -i {bridge} -j REJECT --reject-with icmp-admin-prohibited",
            ], rules.Where(l => l.StartsWith($"-A {HostFirewall.EgressChain}", StringComparison.Ordinal)).ToArray());
            Assert.Contains(("DOCKER-USER", $"-i br-+ -j {HostFirewall.EgressChain}"), HostFirewall.Hooks(b.ServerOf(server).PrivateIp, [bridge]));
            var command = b.HostCommands.Single(c => c.Name == server.Qualify(HostCommandNames.HostFirewall));
            Assert.Contains($"the bridges of apps without egress ({bridge}) reach only the private network", command.Description, StringComparison.Ordinal);
            Assert.Contains($"iptables -w -D DOCKER-USER -i br-+ -j {HostFirewall.EgressChain}", command.Delete, StringComparison.Ordinal);
        }
        Assert.Single(b.Networks, n => n.Name == "app-api" && n.Host.Role == ServerRole.App);
        // The data server has no app bridge to close.
        Assert.True(HostFirewall.ClosedBridges(b, ServerKey.Data).IsEmpty);
    }

    [Fact]
    public void Bridge_names_fit_the_kernel_are_covered_by_the_docker_bridge_rules_and_never_meet()
    {
        var names = Enumerable.Range(0, 2000).Select(i => $"app{i}").Append("a").Append("web").Append("api").ToList();
        var bridges = names.Select(AppEgress.BridgeName).ToList();
        Assert.All(bridges, b =>
        {
            Assert.True(b.Length <= 15, b);
            Assert.StartsWith("br-app", b, StringComparison.Ordinal);
            Assert.Matches("^br-app[a-z2-7]{9}$", b);
        });
        Assert.Equal(bridges.Count, bridges.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(AppEgress.BridgeName("web"), AppEgress.BridgeName("web"));
    }
}
