using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Tests.Plan;

/// <summary>
/// `plan` grows linearly with the number of apps: what it allocates per app for a large stack stays within a small
/// factor of what it allocates per app for a small one. Allocation, unlike time, does not depend on how busy the
/// machine is, and a term quadratic in the apps (one scan of every app per app) shows in it at once.
/// </summary>
public sealed class PlanScalingTests
{
    private static long AllocatedBytes(int apps, Action<PlatformBlueprint> after)
    {
        var yaml = StackGenerator.Yaml(apps);
        Plan(yaml, after); // warm-up: JIT and one-time caches are not per app
        var before = GC.GetAllocatedBytesForCurrentThread();
        Plan(yaml, after);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void Plan(string yaml, Action<PlatformBlueprint> after) =>
        after(BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "bench", yaml))));

    [Fact]
    public void The_text_plan_allocates_about_the_same_per_app_for_400_apps_as_for_50()
    {
        var small = AllocatedBytes(50, b => PlanText.Render(b)) / 50.0;
        var large = AllocatedBytes(400, b => PlanText.Render(b)) / 400.0;
        Assert.True(large <= 1.2 * small, $"{large / 1024:F0} KB per app for 400 apps, {small / 1024:F0} KB per app for 50");
    }

    [Fact]
    public void The_blueprint_its_policies_and_its_part_graph_allocate_about_the_same_per_app_for_400_apps_as_for_50()
    {
        static void Checks(PlatformBlueprint b)
        {
            Assert.True(Policies.Check(b).IsEmpty);
            Assert.NotEmpty(PartGraph.Of(b));
        }
        var small = AllocatedBytes(50, Checks) / 50.0;
        var large = AllocatedBytes(400, Checks) / 400.0;
        Assert.True(large <= 1.2 * small, $"{large / 1024:F0} KB per app for 400 apps, {small / 1024:F0} KB per app for 50");
    }
}
