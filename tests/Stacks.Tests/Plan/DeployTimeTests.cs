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

    private static StepDuration Of(DeployStep step) => DeployTime.Table.Single(d => d.Step == step);

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
        int Sum(Func<StepDuration, int> f, params DeployStep[] steps) => steps.Sum(x => f(Of(x)));
        var chain = new[] { DeployStep.Server, DeployStep.Readiness, DeployStep.ImagePull, DeployStep.Container };
        Assert.Equal(Sum(d => d.LowSeconds, chain), estimate.LowSeconds);
        Assert.Equal(Sum(d => d.HighSeconds, chain), estimate.HighSeconds);
        Assert.Equal(["server", "ready", "pull", "container"], estimate.CriticalPath.Select(p => p.Node.Name));
        Assert.Equal(Sum(d => d.HighSeconds, DeployStep.Server, DeployStep.Readiness), estimate.CriticalPath[2].StartSeconds);
        // Only what works takes time: with the server and its readiness already there, the chain is the pull and the container.
        Assert.Equal(Sum(d => d.HighSeconds, DeployStep.ImagePull, DeployStep.Container),
            DeployTime.Estimate(graph, n => n.Step is DeployStep.ImagePull or DeployStep.Container).HighSeconds);
    }

    /// <summary>
    /// cloud-init's typical 150 s are split where Docker starts answering, not shortened: the readiness step and the patched
    /// gate after it add up to the one figure cloud-init takes.
    /// </summary>
    [Fact]
    public void The_two_gates_split_cloud_inits_time()
    {
        Assert.Equal(150, Of(DeployStep.Readiness).HighSeconds + Of(DeployStep.Patched).HighSeconds);
        Assert.Equal(150, Of(DeployStep.Readiness).LowSeconds + Of(DeployStep.Patched).LowSeconds);
    }

    /// <summary>
    /// What the public reaches waits for the full upgrade of every server, so a first up is never shorter than a server, all
    /// of cloud-init and a record; Docker's work starts at the readiness step, not after the upgrade.
    /// </summary>
    [Theory, MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Traffic_waits_for_the_full_upgrade_and_Docker_does_not(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var graph = DeployGraph.Of(b);
        var patched = graph.Where(n => n.Step == DeployStep.Patched).Select(n => n.Ref).ToHashSet();
        Assert.Equal(b.Servers.Length, patched.Count);
        Assert.All(graph.Where(n => n.Ref.Type is DeployGraph.DnsRecord && n.Name.EndsWith("-a", StringComparison.Ordinal) || n.Ref.Type == DeployGraph.LoadBalancerTarget),
            n => Assert.True(patched.IsSubsetOf(n.DependsOn), $"{n.Name} does not wait for every server's patched gate"));
        Assert.DoesNotContain(graph, n => n.Ref.Type is DeployGraph.Container or DeployGraph.DockerProvider && n.DependsOn.Any(patched.Contains));
        var first = DeployTime.FirstUp(b);
        var floor = Of(DeployStep.Server).LowSeconds + Of(DeployStep.Readiness).LowSeconds + Of(DeployStep.Patched).LowSeconds + Of(DeployStep.CloudObject).LowSeconds;
        Assert.True(first.LowSeconds >= floor, $"{first.LowSeconds} s");
        // PgBouncer needs its files and a running PostgreSQL only; the private address's wait follows readiness only.
        var pgbouncer = graph.Single(n => n.Name == "pgbouncer-container");
        Assert.Contains(new ResourceRef(DeployGraph.Container, "postgres-container"), pgbouncer.DependsOn);
        Assert.DoesNotContain(pgbouncer.DependsOn, d => d.Name == "postgres-provision-command");
        Assert.All(graph.Where(n => n.Name.EndsWith("-private-ip", StringComparison.Ordinal)),
            n => Assert.DoesNotContain(n.DependsOn, d => d.Name.EndsWith("-data-mount", StringComparison.Ordinal)));
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
        Assert.True(first.HighSeconds >= Of(DeployStep.Server).HighSeconds + Of(DeployStep.Readiness).HighSeconds, first.Path);
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
        Assert.Equal(["docs-1-container"], add.CriticalPath.Where(p => p.Node.Step is DeployStep.Container or DeployStep.SshCommand).Select(p => p.Node.Name));
        Assert.Contains(add.CriticalPath, p => p.Node.Step == DeployStep.ImagePull && p.Node.Name.Contains("docs-1.0.0", StringComparison.Ordinal));
        Assert.Equal(Of(DeployStep.ImagePull).LowSeconds + Of(DeployStep.Container).LowSeconds, add.LowSeconds);
        Assert.Equal(Of(DeployStep.ImagePull).HighSeconds + Of(DeployStep.Container).HighSeconds, add.HighSeconds);
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
