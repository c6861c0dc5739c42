using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Plan;

/// <summary>A typical real duration of one kind of deployment step, as a range, and where the figure comes from.</summary>
public sealed record StepDuration(DeployStep Step, int LowSeconds, int HighSeconds, string What, string Basis);

/// <summary>A resource on the critical path: when it starts and ends, in seconds from the start of the deployment.</summary>
public sealed record PathStep(DeployNode Node, int StartSeconds, int EndSeconds);

/// <summary>A modelled deployment: its length with every step at its low and at its high duration, and the critical path at the high ones.</summary>
public sealed record DeployEstimate(int LowSeconds, int HighSeconds, ImmutableArray<PathStep> CriticalPath)
{
    public string Range => LowSeconds == HighSeconds ? $"{HighSeconds} s" : $"{LowSeconds}–{HighSeconds} s";

    /// <summary>The path's steps that take time, as <c>name N s</c>.</summary>
    public string Path => string.Join(" → ", CriticalPath.Where(p => p.EndSeconds > p.StartSeconds)
        .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Node.Name} {p.EndSeconds - p.StartSeconds} s")));
}

/// <summary>
/// How long a deployment takes, modelled on the program's dependency graph (<see cref="DeployGraph"/>): every resource starts
/// when everything it waits for has finished (its dependencies, its provider, its parent) and takes the typical duration of
/// its kind (<see cref="Table"/>, the one place those figures live); the deployment lasts as long as its longest chain, the
/// critical path. Pulumi runs independent steps in parallel (its default parallelism is unbounded), and the model assumes
/// they do not slow each other down (a server pulling ten images at once shares its bandwidth: the pulls are the figure to
/// doubt first). A model, not a measurement: the figures are typical, none was timed on Hetzner here.
/// </summary>
public static class DeployTime
{
    /// <summary>The duration of each kind of step.</summary>
    public static readonly ImmutableArray<StepDuration> Table =
    [
        new(DeployStep.Server, 45, 45, "Hetzner server created until it runs", "typical for Hetzner Cloud (API action to running)"),
        // The 150 s cloud-init takes on a fresh Ubuntu image, split where Docker starts answering: boot and cloud-init's first
        // stages (15 s), apt update (10 s), Docker and the other packages (35 s); then runcmd (5 s) and the full upgrade (85 s:
        // an image some months old has 100+ packages to upgrade, a kernel among them).
        new(DeployStep.Readiness, 60, 60, "cloud-init until Docker answers: boot, apt update, Docker and the other packages",
            "60 of cloud-init's typical 150 s on a fresh Ubuntu image; on a server, `cloud-init analyze show` gives its own"),
        new(DeployStep.Patched, 90, 90, "the rest of cloud-init after the readiness step: runcmd and the full package upgrade",
            "the other 90 s of the 150 s"),
        new(DeployStep.SshCommand, 4, 4, "a command over SSH (host command, mount, address wait)", "an SSH handshake and a short script"),
        new(DeployStep.NoOp, 0, 0, "a command with nothing to run on create (a drain: its work is its delete step)", "the command provider connects only to run a step"),
        new(DeployStep.ImagePull, 20, 30, "an image pulled", "typical image of 50–300 MB from a registry"),
        new(DeployStep.ImageBuild, 25, 45, "an image built on the server by a host command (PostgreSQL with pgBackRest)", "its base image pulled (20–30 s) and one distribution package added (5–15 s)"),
        new(DeployStep.Container, 15, 30, "a container created, started and healthy", "start plus the first passing health check (10–30 s intervals)"),
        new(DeployStep.OneShot, 15, 30, "a one-shot container run to completion", "as a container"),
        new(DeployStep.ContainerStarted, 3, 3, "a container created and started, not waited for", "Docker's create and start"),
        new(DeployStep.ContainerCreated, 2, 2, "a container created, not started (a timer starts it)", "Docker's create"),
        new(DeployStep.DockerObject, 1, 1, "a Docker network or volume", "one Docker API call"),
        new(DeployStep.DockerProvider, 0, 0, "the Docker provider configured", "it connects on first use"),
        new(DeployStep.CloudObject, 3, 3, "a Hetzner or Cloudflare object (firewall, network, volume, record…)", "one API call and its action"),
        new(DeployStep.LoadBalancer, 10, 10, "a Hetzner load balancer", "typical for Hetzner Cloud"),
        new(DeployStep.Local, 0, 0, "a random password, key or certificate request", "computed by the deploying machine"),
        new(DeployStep.Component, 0, 0, "a component", "registration only"),
    ];

    private static readonly ImmutableDictionary<DeployStep, StepDuration> ByStep = Table.ToImmutableDictionary(d => d.Step);

    /// <summary>A first <c>pulumi up</c> of the blueprint: every resource created.</summary>
    public static DeployEstimate FirstUp(PlatformBlueprint b) => Estimate(DeployGraph.Of(b), _ => true);

    /// <summary>
    /// The <c>pulumi up</c> that goes from <paramref name="before"/> to <paramref name="after"/>, when it creates and changes
    /// (e.g. adding an app): what is new takes its time, and so does every container whose configuration changes and every
    /// host command that runs again (its script or input changes, or something it depends on is replaced); the rest exists.
    /// </summary>
    public static DeployEstimate Change(PlatformBlueprint before, PlatformBlueprint after)
    {
        var old = DeployGraph.Of(before).Select(n => n.Ref).ToHashSet();
        var graph = DeployGraph.Of(after);
        var work = graph.Where(n => !old.Contains(n.Ref)).Select(n => n.Ref).ToHashSet();
        var was = before.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var s in after.Services.Where(s => was.ContainsKey(s.Name)))
        {
            var fields = PlanVerdicts.ChangedFields(Canonical.ContainerConfigs.Of(was[s.Name]), Canonical.ContainerConfigs.Of(s));
            if (fields.IsEmpty) continue;
            work.Add(new(DeployGraph.Container, $"{s.Name}-container"));
            if (Blueprint.ShellDecisions.ContainerChange(fields, Canonical.ContainerConfigs.Of(s).DeleteBeforeReplace) != ContainerAction.UpdateInPlace)
                work.Add(new(DeployGraph.Command, $"{s.Name}-drain"));
        }
        var commands = before.HostCommands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var c in after.HostCommands.Where(c => commands.TryGetValue(c.Name, out var o) && (o.Create != c.Create || o.Stdin?.Masked != c.Stdin?.Masked)))
            work.Add(new(DeployGraph.Command, $"{c.Name}-command"));
        // A command runs again when what it depends on is replaced (its triggers hold their ids), and so on.
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var n in graph.Where(n => n.Ref.Type == DeployGraph.Command && !work.Contains(n.Ref) && n.DependsOn.Any(d => work.Contains(d) && Replaced(d, before, after))))
                grew = work.Add(n.Ref) || grew;
        }
        return Estimate(graph, n => work.Contains(n.Ref));
    }

    /// <summary>Whether a changed resource gets a new id: a command that runs again, or a container that is replaced rather than updated.</summary>
    private static bool Replaced(ResourceRef r, PlatformBlueprint before, PlatformBlueprint after)
    {
        if (r.Type != DeployGraph.Container) return true;
        var name = r.Name[..^"-container".Length];
        var was = before.Services.FirstOrDefault(s => s.Name == name);
        var now = after.Services.FirstOrDefault(s => s.Name == name);
        if (was is null || now is null) return true;
        var fields = PlanVerdicts.ChangedFields(Canonical.ContainerConfigs.Of(was), Canonical.ContainerConfigs.Of(now));
        return Blueprint.ShellDecisions.ContainerChange(fields, Canonical.ContainerConfigs.Of(now).DeleteBeforeReplace) is ContainerAction.ReplaceCreateFirst or ContainerAction.ReplaceDeleteFirst;
    }

    /// <summary>The longest chain of <paramref name="graph"/>, each resource for which <paramref name="works"/> holds taking its time, the others none.</summary>
    public static DeployEstimate Estimate(ImmutableArray<DeployNode> graph, Func<DeployNode, bool> works)
    {
        ArgumentNullException.ThrowIfNull(works);
        if (graph.IsEmpty) return new DeployEstimate(0, 0, []);
        // Resources by position: each dependency is looked up once, and both walks (low and high durations) share the result.
        var index = new Dictionary<ResourceRef, int>(graph.Length);
        for (var i = 0; i < graph.Length; i++) index.Add(graph[i].Ref, i);
        var waits = new int[graph.Length][];
        var low = new int[graph.Length];
        var high = new int[graph.Length];
        for (var i = 0; i < graph.Length; i++)
        {
            var n = graph[i];
            waits[i] = [.. WaitsFor(n).Select(d => index.TryGetValue(d, out var at) ? at
                : throw new InvalidOperationException($"{n.Ref.Type} {n.Name} waits for {d.Type} {d.Name}, which the deployment does not have."))];
            if (works(n)) (low[i], high[i]) = (ByStep[n.Step].LowSeconds, ByStep[n.Step].HighSeconds);
        }
        var lowTimes = Finish(graph, waits, low);
        var highTimes = Finish(graph, waits, high);
        return new DeployEstimate(lowTimes.Max(t => t.End), highTimes.Max(t => t.End), CriticalPath(graph, highTimes));
    }

    /// <summary>A resource's start and end, and the position of the resource it waited for last (-1: none).</summary>
    private readonly record struct Times(int Start, int End, int After);

    /// <summary>
    /// Every resource's times, in a depth-first walk of the graph in its order: a resource starts when the last of what it
    /// waits for ends (of equal ends, the one first by name counts as last).
    /// </summary>
    private static Times[] Finish(ImmutableArray<DeployNode> graph, int[][] waits, int[] seconds)
    {
        var times = new Times[graph.Length];
        // 0: not yet, 1: on the walk's stack, 2: done.
        var state = new byte[graph.Length];
        Times Visit(int i)
        {
            if (state[i] == 2) return times[i];
            if (state[i] == 1) throw new InvalidOperationException($"The deployment's dependencies form a cycle through {graph[i].Ref.Type} {graph[i].Name}.");
            state[i] = 1;
            var start = 0;
            var after = -1;
            foreach (var d in waits[i])
            {
                var end = Visit(d).End;
                if (end > start || end == start && after >= 0 && string.CompareOrdinal(graph[d].Name, graph[after].Name) < 0) (start, after) = (end, d);
            }
            state[i] = 2;
            return times[i] = new Times(start, start + seconds[i], after);
        }
        for (var i = 0; i < graph.Length; i++) Visit(i);
        return times;
    }

    private static IEnumerable<ResourceRef> WaitsFor(DeployNode n) =>
        n.DependsOn.Concat(n.Provider is { } p ? [p] : []).Concat(n.Parent is { } parent ? [parent] : []);

    /// <summary>The chain that ends last (of equal ends, the first by name), from its first resource.</summary>
    private static ImmutableArray<PathStep> CriticalPath(ImmutableArray<DeployNode> graph, Times[] times)
    {
        var last = 0;
        for (var i = 1; i < times.Length; i++)
            if (times[i].End > times[last].End || times[i].End == times[last].End && string.CompareOrdinal(graph[i].Name, graph[last].Name) < 0)
                last = i;
        var path = new List<PathStep>();
        for (var at = last; at >= 0; at = times[at].After)
            path.Add(new PathStep(graph[at], times[at].Start, times[at].End));
        path.Reverse();
        return [.. path];
    }
}
