using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Infra.Tests;

/// <summary>
/// The core's dependency graph of a deployment (<see cref="DeployGraph"/>, which the deploy-time model and its benchmark run
/// on, without Pulumi) is the program's: every resource the program registers under Pulumi's mocks, with the parent, the
/// dependencies and the provider the SDK hands the engine, is in the core's graph with the same, and the core's graph has
/// nothing more.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed class DeployGraphTests
{
    public static TheoryData<string> Stacks => new() { "staging", "small", "prod", "scale" };

    [Theory, MemberData(nameof(Stacks))]
    public async Task The_cores_graph_is_the_programs(string stack) =>
        AssertSameGraph(await StackRun.Shipped(stack, preview: false, recordRequests: true));

    /// <summary>The scale stack with a cache server and a file server with its own Hetzner Volume (no shipped stack has them).</summary>
    [Fact]
    public async Task The_cores_graph_is_the_programs_with_cache_and_file_servers()
    {
        const string data = "    data:\n      type: ccx23\n      volumeGb: 100\n";
        var scale = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.scale.yaml"));
        Assert.Contains(data, scale, StringComparison.Ordinal);
        var text = scale.Replace(data, data + "    cache:\n      type: cx22\n    files:\n      type: cx22\n      volumeGb: 200\n", StringComparison.Ordinal);
        var blueprint = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale", text)));
        Assert.Equal(["data", "cache", "files", "app-1", "app-2", "app-3"], blueprint.Servers.Select(s => s.Key.Id));
        AssertSameGraph(await StackRun.Of(blueprint, preview: false, recordRequests: true));
    }

    /// <summary>With the web ports open to everyone, Traefik takes the public's requests itself: it waits for the patched gate.</summary>
    [Fact]
    public async Task The_cores_graph_is_the_programs_with_the_web_ports_open_to_everyone()
    {
        var staging = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.staging.yaml"));
        var text = staging.Replace("config:\n", "config:\n  platform:cloudflareOnlyIngress: false\n", StringComparison.Ordinal);
        var blueprint = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "staging", text)));
        Assert.True(blueprint.Service("traefik").AfterServersPatched);
        var run = await StackRun.Of(blueprint, preview: false, recordRequests: true);
        AssertSameGraph(run);
        Assert.Contains((DeployGraph.Command, "server-patched"), run.Registered.Single(r => r.Name == "traefik-container").Dependencies);
    }

    private static void AssertSameGraph(StackRun run)
    {
        var core = DeployGraph.Of(run.Blueprint).ToDictionary(n => (n.Ref.Type, n.Ref.Name));
        var registered = run.Registered.Where(r => r.Type != DeployGraph.Stack).ToList();
        Assert.True(registered.Count > 100, $"only {registered.Count} registrations were recorded");

        static string Show(IEnumerable<(string Type, string Name)> refs) => string.Join(", ", refs.Select(r => r.Name).Order(StringComparer.Ordinal));
        var problems = new List<string>();
        foreach (var r in registered)
        {
            if (!core.TryGetValue((r.Type, r.Name), out var node))
            {
                problems.Add($"{r.Type} {r.Name}: registered, not in the core's graph");
                continue;
            }
            var parent = r.Parent is { Type: DeployGraph.Stack } ? null : r.Parent;
            var coreParent = node.Parent is { } p ? (p.Type, p.Name) : ((string, string)?)null;
            if (parent != coreParent) problems.Add($"{r.Type} {r.Name}: parent {parent?.Name ?? "the stack"}, the core says {coreParent?.Item2 ?? "the stack"}");
            var coreDeps = node.DependsOn.Select(d => (d.Type, d.Name)).ToHashSet();
            if (!coreDeps.SetEquals(r.Dependencies))
                problems.Add($"{r.Type} {r.Name}: depends on [{Show(r.Dependencies)}], the core says [{Show(coreDeps)}]");
            var coreProvider = node.Provider is { } q ? (q.Type, q.Name) : ((string, string)?)null;
            if (r.Provider != coreProvider) problems.Add($"{r.Type} {r.Name}: provider {r.Provider?.Name}, the core says {coreProvider?.Item2}");
        }
        var names = registered.Select(r => (r.Type, r.Name)).ToHashSet();
        problems.AddRange(core.Keys.Where(k => !names.Contains(k)).Select(k => $"{k.Type} {k.Name}: in the core's graph, not registered"));
        Assert.True(problems.Count == 0, $"{problems.Count} differences:\n" + string.Join("\n", problems.Take(40)));
        Assert.Equal(registered.Count, core.Count);
    }

    /// <summary>The spy reads what the engine would be told: a dependency the program declares shows up (not an empty graph that matches anything).</summary>
    [Fact]
    public async Task The_recorded_requests_carry_the_programs_dependencies()
    {
        var run = await StackRun.Shipped("staging", preview: false, recordRequests: true);
        var provider = run.Registered.Single(r => r.Type == DeployGraph.DockerProvider);
        Assert.Contains((DeployGraph.Command, "server-ready"), provider.Dependencies);
        var pgbouncer = run.Registered.Single(r => r.Type == DeployGraph.Container && r.Name == "pgbouncer-container");
        Assert.Equal((DeployGraph.DockerProvider, "docker-provider"), pgbouncer.Provider);
        Assert.Contains((DeployGraph.Container, "postgres-container"), pgbouncer.Dependencies);
        // PgBouncer needs its files and a running PostgreSQL, not the provisioning of the apps' databases and roles.
        Assert.DoesNotContain((DeployGraph.Command, "postgres-provision-command"), pgbouncer.Dependencies);
        // What the public reaches waits for the full upgrade; Docker only for Docker.
        Assert.All(run.Registered.Where(r => r.Type == DeployGraph.DnsRecord), r => Assert.Contains((DeployGraph.Command, "server-patched"), r.Dependencies));
        Assert.DoesNotContain((DeployGraph.Command, "server-patched"), provider.Dependencies);
        var patched = run.Named(DeployGraph.Command, "server-patched").Inputs;
        Assert.Equal(run.Blueprint.Server.PatchedCommand, patched["create"]);
        Assert.Contains("cloud-init status --wait", (string)patched["create"], StringComparison.Ordinal);
        Assert.Equal(RecordingMocks.HostKey, ((IDictionary<string, object>)patched["connection"])["hostKey"]);
        Assert.DoesNotContain(run.Registered.Where(r => r.Type == DeployGraph.Container), r => r.Dependencies.Contains((DeployGraph.Command, "server-patched")));
    }
}
