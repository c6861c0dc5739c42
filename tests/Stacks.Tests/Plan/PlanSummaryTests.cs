using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>Every plan, text and JSON, starts with a summary whose numbers are the plan's own.</summary>
public sealed class PlanSummaryTests
{
    public static TheoryData<string> Stacks => TestStacks.ShippedStackNames;

    [Theory]
    [MemberData(nameof(Stacks))]
    public void The_text_plan_starts_with_the_summary_and_its_numbers_are_those_of_the_sections_below(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var lines = PlanText.Render(b).Split('\n');
        Assert.StartsWith("Platform plan: ", lines[0], StringComparison.Ordinal);
        Assert.Equal("== Summary ==", lines[2]);
        var summary = PlanSummary.Of(b);
        // Each server's used and free memory is its budget's, which the memory budget section states.
        foreach (var budget in b.Budgets)
        {
            var server = summary.Servers.Single(x => x.Server == budget.Server);
            Assert.Equal((budget.TotalMb, budget.FreeMb), (server.UsedMb, server.FreeMb));
            Assert.Contains($"  total {budget.TotalMb} MB of {budget.ServerMemoryMb} MB ({budget.ServerType}); {budget.FreeMb} MB free", lines);
        }
        // The containers add up, per server and in all; every container of the plan is counted once.
        Assert.Equal(summary.Containers, summary.Servers.Sum(x => x.Containers));
        Assert.Equal(summary.Containers, summary.AppInstances + summary.PlatformContainers);
        Assert.Equal(b.Services.Length, summary.Containers + summary.OneShotContainers);
        Assert.Equal(b.Services.Count(x => x.Kind == ServiceKind.App && !x.OneShot && x.StartOnDeploy), summary.AppInstances);
        Assert.Contains(lines, l => l == $"  total {summary.MonthlyEur:0.00} EUR/month");
        Assert.Equal(b.PendingSecrets.Select(p => p.Key), summary.SecretPlaceholders);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void The_json_plan_starts_with_the_same_summary(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        using var json = JsonDocument.Parse(PlanJson.Render(b));
        var first = json.RootElement.EnumerateObject().First();
        Assert.Equal("summary", first.Name);
        var summary = PlanSummary.Of(b);
        Assert.Equal(summary.Containers, first.Value.GetProperty("containers").GetInt32());
        Assert.Equal(summary.MonthlyEur, first.Value.GetProperty("monthlyEur").GetDecimal());
        Assert.Equal(summary.Servers.Select(x => x.Server.Id), first.Value.GetProperty("servers").EnumerateArray().Select(x => x.GetProperty("server").GetString()));
        Assert.Equal(summary.Warnings.Length, first.Value.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void Placeholders_little_free_memory_and_a_one_shot_that_does_not_fit_are_warnings()
    {
        var b = TestStacks.ShippedBlueprint("small");
        Assert.Contains(PlanSummary.Of(b).Warnings, w => w.Contains("secret placeholder(s) left in Pulumi.small.yaml", StringComparison.Ordinal));
        Assert.DoesNotContain(PlanSummary.Of(b with { PendingSecrets = [] }).Warnings, w => w.Contains("placeholder", StringComparison.Ordinal));

        // The same server with 600 MB less RAM: under 10 % free, and the setup container no longer fits.
        var budget = b.Budget with { ServerMemoryMb = b.Budget.ServerMemoryMb - 600 };
        var tight = PlanSummary.Of(b with { Budgets = [budget], PendingSecrets = [] });
        Assert.Contains($"{budget.FreeMb} MB of {budget.ServerMemoryMb} MB free, under 10%", tight.Warnings);
        var oneShot = budget.Lines.Single(l => l.OneShot);
        Assert.Contains($"the one-shot {oneShot.Name} ({oneShot.TotalMb} MB) does not fit in the {budget.FreeMb} MB free while a deployment runs it", tight.Warnings);
        Assert.Equal("warnings: none", PlanSummary.Of(b with { PendingSecrets = [], ImageWarnings = [] }).Lines().Last());
    }
}
