using System.Collections.Immutable;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Pulumi;
using Pulumi.Testing;

namespace Platform.Infra.Tests;

[Collection(PulumiCollection.Name)]
public sealed class ProgramTests
{
    [Fact]
    public async Task Invalid_settings_stop_the_run_with_the_cores_message_before_any_resource()
    {
        Environment.SetEnvironmentVariable("PULUMI_ERROR_OUTPUT_STRING", "true");
        // The config Pulumi hands the program: a stack with an app that has no image and a bad domain.
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", """{"platform:domain":"not a domain","platform:apps":"[{\"name\":\"web\",\"cpus\":0.5,\"memoryMb\":128}]"}""");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", "[]");
        var mocks = new RecordingMocks(preview: true);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Deployment.TestAsync(mocks, new TestOptions
        {
            ProjectName = "platform",
            StackName = "broken",
            RootDirectory = StackRun.RepoRoot(),
            IsPreview = true,
        }, PlatformStack.Run));
        Assert.Contains("broken", error.Message, StringComparison.Ordinal);
        Assert.Contains("platform:domain", error.Message, StringComparison.Ordinal);
        Assert.Contains("platform:apps[0].image", error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registrations);
    }

    [Fact]
    public async Task A_blueprint_that_breaks_a_platform_rule_creates_nothing()
    {
        Environment.SetEnvironmentVariable("PULUMI_ERROR_OUTPUT_STRING", "true");
        var blueprint = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Read(
            Platform.Stacks.Settings.StackFiles.Parse("platform", "scale", Platform.Stacks.Settings.StackGenerator.Yaml(1))));
        var redis = blueprint.Service("app-app000.redis");
        var broken = blueprint with { Services = blueprint.Services.Replace(redis, redis with { PublishedPorts = [new PublishedPort("0.0.0.0", 6379, 6379, "tcp")] }) };
        var mocks = new RecordingMocks(preview: true);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Deployment.TestAsync(mocks, new TestOptions
        {
            ProjectName = "platform",
            StackName = "scale",
            IsPreview = true,
        }, () => PlatformStack.Deploy(PlatformStack.Checked(broken))));
        Assert.Contains("only-traefik-publishes-ports", error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registrations);
    }

    [Fact]
    public void A_dangling_dependency_in_the_blueprint_is_reported_by_name()
    {
        var blueprint = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Read(
            Platform.Stacks.Settings.StackFiles.Parse("platform", "scale", Platform.Stacks.Settings.StackGenerator.Yaml(1))));
        var app = blueprint.Services.First(s => s.Kind == ServiceKind.App);
        var broken = blueprint with
        {
            Services = blueprint.Services.Replace(app, app with { DependsOn = [.. app.DependsOn, "nothing-here"] }),
        };
        var error = Assert.Throws<InvalidOperationException>(() => Platform.Stacks.Parts.PartGraph.Of(broken));
        Assert.Contains("'nothing-here'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Workloads_come_after_what_they_name()
    {
        var blueprint = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Read(
            Platform.Stacks.Settings.StackFiles.Parse("platform", "scale", Platform.Stacks.Settings.StackGenerator.Yaml(3))));
        var services = blueprint.Services.Select(s => s.Name).ToHashSet();
        var commands = blueprint.HostCommands.Select(c => c.Name).ToHashSet();
        // Drop references the core does not define yet, so the ordering itself is tested.
        var consistent = blueprint with
        {
            Services = [.. blueprint.Services.Select(s => s with
            {
                DependsOn = [.. s.DependsOn.Where(services.Contains)],
                AfterHostCommands = [.. s.AfterHostCommands.Where(commands.Contains)],
            })],
        };
        var graph = Platform.Components.Parts.WorkloadGraph.Order(consistent.Services, consistent.HostCommands);
        var order = graph.Select(n => n.Key).ToImmutableArray();
        foreach (var node in graph)
            foreach (var dependency in node.DependsOn)
                Assert.True(order.IndexOf(dependency.Key) < order.IndexOf(node.Key), $"{node.Key} before {dependency.Key}");
    }
}
