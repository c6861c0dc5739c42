using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Server;

/// <summary>platform:serverBackups: Hetzner's automatic daily backups of every server, and their price in the estimate.</summary>
public sealed class ServerBackupsTests
{
    private const string PlanLine = "automatic backups (7 daily slots, +20% of the server price)";
    private const string Split = "platform:servers:\n  app: { type: cx32, count: 3 }\n  data: { type: ccx23, volumeGb: 100 }";

    private static string SplitYaml(string extra) => TestStacks.Yaml(extra: extra + Split).Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal);

    [Fact]
    public void Off_by_default_and_read_when_set()
    {
        Assert.False(TestStacks.Read(TestStacks.Yaml()).ServerBackups);
        Assert.True(TestStacks.Read(TestStacks.Yaml(extra: "platform:serverBackups: true")).ServerBackups);
        var off = TestStacks.Build(TestStacks.Yaml());
        Assert.False(off.Server.Backups);
        Assert.DoesNotContain("automatic backups", PlanText.Render(off), StringComparison.Ordinal);
        Assert.DoesNotContain(off.Cost.Lines, l => l.Item.Contains("platform:serverBackups", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_that_is_not_a_boolean_is_refused_at_its_key()
    {
        var error = Assert.Single(TestStacks.Errors(TestStacks.Yaml(extra: "platform:serverBackups: weekly")));
        Assert.Contains("serverBackups", error.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void On_the_server_gets_them_the_plan_says_so_and_the_cost_grows_by_a_fifth_of_the_server_price()
    {
        var off = TestStacks.Build(TestStacks.Yaml());
        var on = TestStacks.Build(TestStacks.Yaml(extra: "platform:serverBackups: true"));
        Assert.True(on.Server.Backups);
        Assert.Contains($"{on.Server.Name}: Hetzner {on.Server.Type}", PlanText.Render(on).Split('\n').Single(l => l.Contains(PlanLine, StringComparison.Ordinal)), StringComparison.Ordinal);

        var serverPrice = off.Cost.Lines.Single(l => l.Item.StartsWith($"Hetzner {off.Server.Type} server", StringComparison.Ordinal)).UnitPriceEur;
        Assert.Equal(18.59m, serverPrice);
        var backups = on.Cost.Lines.Single(l => l.Item.Contains("platform:serverBackups", StringComparison.Ordinal));
        Assert.Equal(1m, backups.Quantity);
        Assert.Equal(3.72m, backups.UnitPriceEur); // 20% of 18.59 (3.718), to the cent
        Assert.Equal(decimal.Round(serverPrice * 0.20m, 2), on.Cost.MonthlyEur - off.Cost.MonthlyEur);
    }

    [Fact]
    public void On_a_split_stack_every_server_gets_them_and_each_pays_its_own_fifth()
    {
        var off = TestStacks.Build(SplitYaml(""));
        var on = TestStacks.Build(SplitYaml("platform:serverBackups: true\n"));
        Assert.Equal(4, on.Servers.Length);
        Assert.All(on.Servers, s => Assert.True(s.Backups));
        Assert.Equal(4, PlanText.Render(on).Split('\n').Count(l => l.Contains(PlanLine, StringComparison.Ordinal)));
        Assert.Equal(3 * 1.52m + 5.52m, on.Cost.MonthlyEur - off.Cost.MonthlyEur);
        Assert.Equal([1.52m, 1.52m, 1.52m, 5.52m],
            on.Servers.Select(s => on.Cost.PerServer.Single(x => x.Server == s.Key).MonthlyEur - off.Cost.PerServer.Single(x => x.Server == s.Key).MonthlyEur).Order());
        // What the servers share is unchanged: the backups are each server's own.
        Assert.Equal(off.Cost.MonthlyEur - off.Cost.PerServer.Sum(x => x.MonthlyEur), on.Cost.MonthlyEur - on.Cost.PerServer.Sum(x => x.MonthlyEur));
    }

    [Fact]
    public void The_shipped_prod_stack_has_them_and_staging_does_not()
    {
        Assert.All(TestStacks.ShippedBlueprint("prod").Servers, s => Assert.True(s.Backups));
        Assert.Contains(PlanLine, PlanText.Render(TestStacks.ShippedBlueprint("prod")), StringComparison.Ordinal);
        Assert.All(TestStacks.ShippedBlueprint("staging").Servers, s => Assert.False(s.Backups));
    }
}
