using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class ScaleTests
{
    [Fact]
    public void A_generated_200_app_stack_validates_and_plans()
    {
        var settings = SettingsReader.Read(StackFiles.Parse("platform", "scale", StackGenerator.Yaml(200)));
        var b = BlueprintBuilder.Build(settings);
        Assert.Equal(200, b.Services.Count(s => s.Kind == ServiceKind.App));
        Assert.Equal(50, b.Databases.Length);
        Assert.Equal(40, b.Buckets.Length);
        Assert.Equal((200 + ServiceNames.PlatformHosts.Count) * 2, b.DnsRecords.Length);
        Assert.True(b.Budget.Fits);
        Assert.Contains("app199", PlanText.Render(b));
    }

    [Fact]
    public void A_generated_1000_app_stack_validates_and_plans()
    {
        var b = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale", StackGenerator.Yaml(1000))));
        Assert.Equal(1000, b.Services.Count(s => s.Kind == ServiceKind.App));
        Assert.Equal(250, b.Databases.Length);
        Assert.True(b.Budget.Fits, $"{b.Budget.TotalMb} MB of {b.Budget.ServerMemoryMb} MB");
        Assert.Contains("app999", PlanText.Render(b));
    }
}
