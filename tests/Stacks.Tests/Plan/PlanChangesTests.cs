using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>The review diff's summary of what a change creates and destroys around the servers.</summary>
public sealed class PlanChangesTests
{
    private static PlatformBlueprint Scale(string? from = null, string to = "")
    {
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml"));
        Assert.True(from is null || yaml.Contains(from, StringComparison.Ordinal), from);
        return BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale", from is null ? yaml : yaml.Replace(from, to, StringComparison.Ordinal))));
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void The_same_stack_built_twice_changes_nothing(string stack)
    {
        Assert.Empty(PlanChanges.Between(TestStacks.ShippedBlueprint(stack), TestStacks.ShippedBlueprint(stack)));
        Assert.Equal("", PlanChanges.Render(TestStacks.ShippedBlueprint(stack), TestStacks.ShippedBlueprint(stack)));
    }

    [Fact]
    public void Going_down_to_one_app_server_destroys_the_load_balancer_and_two_servers_and_moves_dns()
    {
        // One Traefik asks Let's Encrypt itself (DNS-01): it needs the token a load-balanced stack does without.
        var lines = PlanChanges.Between(Scale(), Scale("      count: 3\n    data:\n      type: ccx23\n      volumeGb: 100\n",
            "      count: 1\n    data:\n      type: ccx23\n      volumeGb: 100\n  platform:cloudflareApiToken:\n    secure: v1:abc\n"));
        Assert.Contains("- server server-app-2: platform-scale-app-2 (Hetzner cx32, protected: unprotect it first), and everything on it", lines);
        Assert.Contains("- server server-app-3: platform-scale-app-3 (Hetzner cx32, protected: unprotect it first), and everything on it", lines);
        Assert.DoesNotContain(lines, l => l.Contains("server-app-1", StringComparison.Ordinal) || l.Contains("server-data", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("- load balancer platform-scale: Hetzner lb11", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("- Origin CA certificate: ", StringComparison.Ordinal));
        Assert.Contains("~ placement group platform-scale-app: spread: app-1, app-2, app-3 -> spread: app-1", lines);
        // Seven hosts (apps, status, files, grafana), A and AAAA each.
        Assert.Contains("~ DNS: 16 records move from the load balancer to the server app-1", lines);
        // One app server takes 80/443 from Cloudflare itself.
        Assert.Contains("~ firewall firewall-app: platform-scale-app, its rules change", lines);
        Assert.Contains(lines, l => l.StartsWith("- on app-3: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_larger_data_server_and_volume_are_changes_not_new_resources()
    {
        var lines = PlanChanges.Between(Scale(), Scale("      type: ccx23\n      volumeGb: 100\n", "      type: ccx33\n      volumeGb: 200\n"));
        Assert.Equal(
            "~ server server-data: platform-scale-data, Hetzner ccx23 -> ccx33\n"
            + "~ data volume platform-scale-data: 100 GB on data, protected -> 200 GB on data, protected",
            string.Join("\n", lines));
    }
}
