using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Xunit.Abstractions;

namespace Platform.Infra.Tests;

[Collection(PulumiCollection.Name)]
public sealed class ScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_generated_200_app_stack_runs_to_completion()
    {
        var settings = SettingsReader.Read(StackFiles.Parse("platform", "scale", StackGenerator.Yaml(200)));
        var blueprint = BlueprintBuilder.Build(settings);

        var run = await StackRun.Of(blueprint, preview: false);

        Assert.Equal(blueprint.Services.Length, run.OfType("docker:index/container:Container").Count());
        Assert.Equal(200, blueprint.Services.Count(s => s.Kind == ServiceKind.App));
        var custom = run.Mocks.Registrations.Count(r => !r.Type.StartsWith("platform:", StringComparison.Ordinal));
        output.WriteLine($"200-app mock run: {run.Elapsed.TotalSeconds:F2} s, {run.Mocks.Registrations.Count} registrations ({custom} provider resources, {run.Mocks.Registrations.Count - custom} components)");
        Console.WriteLine($"[scale] 200-app mock run: {run.Elapsed.TotalSeconds:F2} s, {run.Mocks.Registrations.Count} registrations ({custom} provider resources)");
    }
}
