using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>The diagram draws what runs: an app's serving instances (not its release or job containers), its route from Traefik, and the firewall in front of the server.</summary>
public sealed class PlanMermaidTests
{
    private const string Apps = """
        - name: shop
          image: ghcr.io/example/shop:1.0.0
          port: 8080
          routes: [{ host: shop }]
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
          release: { command: [bin/migrate] }
          jobs:
            - { name: nightly, schedule: "0 2 * * *", command: [bin/report] }
          needs: { database: true }
        """;

    [Fact]
    public void Release_and_job_containers_are_not_counted_as_instances_and_the_route_is_kept()
    {
        var b = TestStacks.Build(TestStacks.Yaml(Apps));
        Assert.True(b.Services.Count(s => s.App == "shop") >= 3, "the stack has a release and a job container beside the instance");
        var diagram = PlanMermaid.Render(b);
        Assert.Contains("    shop[\"shop\"]\n", diagram, StringComparison.Ordinal);
        Assert.DoesNotContain("shop ×", diagram, StringComparison.Ordinal);
        Assert.Contains("    traefik -->|shop.example.com| shop\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    shop --> pgbouncer\n", diagram, StringComparison.Ordinal);
    }

    [Fact]
    public void The_firewall_is_drawn_outside_the_server()
    {
        var diagram = PlanMermaid.Render(TestStacks.ShippedBlueprint("prod"));
        var inside = diagram[diagram.IndexOf("  subgraph server[", StringComparison.Ordinal)..diagram.IndexOf("\n  end\n", StringComparison.Ordinal)];
        // Mermaid puts a node in every subgraph that mentions it: the server's block never names the firewall.
        Assert.DoesNotContain("fw", inside.Split('\n').SelectMany(l => l.Trim().Split(' ')), StringComparer.Ordinal);
        Assert.Contains("\n  fw -->|80/443| traefik\n", diagram, StringComparison.Ordinal);
    }
}
