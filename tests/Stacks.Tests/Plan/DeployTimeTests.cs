using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>The deploy-time model: the durations table, the longest chain of a graph, a first up and the up that adds an app.</summary>
public sealed class DeployTimeTests
{
    private static DeployNode Node(string name, DeployStep step, params string[] after) =>
        new(new(DeployGraph.Command, name), step, null, [.. after.Select(a => new ResourceRef(DeployGraph.Command, a))], null);

    [Fact]
    public void Every_kind_of_step_has_one_duration()
    {
        Assert.Equal(Enum.GetValues<DeployStep>().Order(), DeployTime.Table.Select(d => d.Step).Order());
        Assert.All(DeployTime.Table, d => Assert.True(d.LowSeconds >= 0 && d.LowSeconds <= d.HighSeconds && d.Basis.Length > 0, d.Step.ToString()));
    }

    [Fact]
    public void A_deployment_lasts_as_long_as_its_longest_chain()
    {
        // server → ready → pull → container, and ready → command → container: the pull is the longer branch.
        ImmutableArray<DeployNode> graph =
        [
            Node("server", DeployStep.Server),
            Node("ready", DeployStep.Readiness, "server"),
            Node("pull", DeployStep.ImagePull, "ready"),
            Node("command", DeployStep.SshCommand, "ready"),
            Node("container", DeployStep.Container, "pull", "command"),
            Node("dns", DeployStep.CloudObject, "server"),
        ];
        var estimate = DeployTime.Estimate(graph, _ => true);
        Assert.Equal(45 + 150 + 20 + 15, estimate.LowSeconds);
        Assert.Equal(45 + 150 + 30 + 30, estimate.HighSeconds);
        Assert.Equal(["server", "ready", "pull", "container"], estimate.CriticalPath.Select(p => p.Node.Name));
        Assert.Equal((195, 225), (estimate.CriticalPath[2].StartSeconds, estimate.CriticalPath[2].EndSeconds));
        // Only what works takes time: with the server and its readiness already there, the chain is the pull and the container.
        Assert.Equal(60, DeployTime.Estimate(graph, n => n.Step is DeployStep.ImagePull or DeployStep.Container).HighSeconds);
    }

    [Fact]
    public void A_cycle_or_a_missing_dependency_is_named()
    {
        var cycle = Assert.Throws<InvalidOperationException>(() => DeployTime.Estimate([Node("a", DeployStep.SshCommand, "b"), Node("b", DeployStep.SshCommand, "a")], _ => true));
        Assert.Contains("cycle", cycle.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<InvalidOperationException>(() => DeployTime.Estimate([Node("a", DeployStep.SshCommand, "nowhere")], _ => true));
        Assert.Contains("nowhere", missing.Message, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void A_first_up_starts_with_the_server_and_its_readiness(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var graph = DeployGraph.Of(b);
        Assert.Equal(graph.Length, graph.Select(n => n.Ref).Distinct().Count());
        var first = DeployTime.FirstUp(b);
        var path = first.CriticalPath.Select(p => p.Node.Step).ToList();
        Assert.True(path.IndexOf(DeployStep.Server) < path.IndexOf(DeployStep.Readiness), first.Path);
        Assert.True(first.HighSeconds >= 45 + 150, first.Path);
        Assert.Equal(first.HighSeconds, first.CriticalPath[^1].EndSeconds);
        // Each step of the path starts when the one before it ends.
        for (var i = 1; i < first.CriticalPath.Length; i++) Assert.Equal(first.CriticalPath[i - 1].EndSeconds, first.CriticalPath[i].StartSeconds);
    }

    /// <summary>A shipped stack and the same with the app the benchmark adds (bench/DeployTime; every stack file ends with its apps).</summary>
    private static (PlatformBlueprint Before, PlatformBlueprint After) WithDocsApp(string stack)
    {
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, StackFiles.StackFile(stack)));
        var item = text.Split('\n').Last(l => l.TrimStart().StartsWith("- name: ", StringComparison.Ordinal));
        var indent = item[..(item.Length - item.TrimStart().Length)];
        var docs = string.Join("\n", new[]
        {
            "- name: docs", "  image: ghcr.io/brightlane/docs:1.0.0", "  port: 8080", "  routes:", "    - host: docs",
            "  healthPath: /healthz", "  cpus: 0.25", "  memoryMb: 128",
        }.Select(l => indent + l));
        return (BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", stack, text))),
            BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", stack, text.TrimEnd('\n') + "\n" + docs + "\n"))));
    }

    [Fact]
    public void Adding_an_app_takes_its_pull_and_its_container_only()
    {
        var (before, after) = WithDocsApp("prod");
        var add = DeployTime.Change(before, after);
        Assert.Equal(["docs-1-container", "docs-1-drain"], add.CriticalPath.Where(p => p.Node.Step is DeployStep.Container or DeployStep.SshCommand).Select(p => p.Node.Name));
        Assert.Contains(add.CriticalPath, p => p.Node.Step == DeployStep.ImagePull && p.Node.Name.Contains("docs-1.0.0", StringComparison.Ordinal));
        Assert.Equal(20 + 15 + 4, add.LowSeconds);
        Assert.Equal(30 + 30 + 4, add.HighSeconds);
        // Nothing changes: nothing takes time.
        Assert.Equal(0, DeployTime.Change(before, before).HighSeconds);
    }

    [Fact]
    public void The_plan_states_the_modelled_first_up()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        var first = DeployTime.FirstUp(b);
        var plan = PlanText.Render(b);
        Assert.Contains($"modelled first pulumi up: {first.LowSeconds}–{first.HighSeconds} s", plan, StringComparison.Ordinal);
        Assert.Contains($"critical path: {first.Path}", plan, StringComparison.Ordinal);
    }

    /// <summary>The README's table is what the model gives (the benchmark prints the same figures).</summary>
    [Fact]
    public void The_readmes_deploy_times_are_the_models()
    {
        var readme = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "README.md"));
        foreach (var stack in TestStacks.ShippedStackList)
        {
            var (before, after) = WithDocsApp(stack);
            var row = $"| {stack} | {DeployTime.FirstUp(before).Range} | {DeployTime.Change(before, after).Range} |";
            Assert.True(readme.Contains(row, StringComparison.Ordinal), $"README.md's deploy-time table lacks the row: {row}");
        }
    }
}
