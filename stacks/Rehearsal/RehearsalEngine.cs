using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Stacks.Canonical;
using Platform.Stacks.Model;

namespace Platform.Stacks.Rehearsal;

/// <summary>What an apply did, for its summary and for tests.</summary>
public sealed record RehearsalResult(
    IReadOnlyList<string> Created, IReadOnlyList<string> Unchanged, IReadOnlyList<string> Removed,
    IReadOnlyList<string> CommandsRun, IReadOnlyList<string> CommandsSkipped, TimeSpan Elapsed);

/// <summary>A step of the rehearsal failed; the message says which and why (secrets masked).</summary>
public sealed class RehearsalException(string message) : Exception(message);

/// <summary>
/// Applies a <see cref="RehearsalPlan"/> to a Docker engine through the Engine API, and removes it again. Every
/// object it makes carries <see cref="StackLabel"/>; containers also carry their service and the hash of their
/// configuration, so applying an unchanged plan again recreates nothing.
/// </summary>
public sealed class RehearsalEngine(DockerClient docker, RehearsalState state, TextWriter log)
{
    public const string StackLabel = "platform.rehearsal";
    public const string ServiceLabel = "platform.rehearsal.service";
    public const string ConfigLabel = "platform.rehearsal.config";

    private readonly ConcurrentDictionary<string, bool> _replaced = new(StringComparer.Ordinal);
    private readonly object _logLock = new();

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var v) ? v : null;

    private void Say(string line)
    {
        lock (_logLock) log.WriteLine(state.Mask(line));
    }

    public async Task<RehearsalResult> UpAsync(RehearsalPlan plan, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var created = new ConcurrentBag<string>();
        var unchanged = new ConcurrentBag<string>();
        var removed = new ConcurrentBag<string>();
        var ran = new ConcurrentBag<string>();
        var skipped = new ConcurrentBag<string>();
        var labels = new Dictionary<string, string> { [StackLabel] = plan.Stack };

        var networks = (await docker.Networks.ListNetworksAsync(new NetworksListParameters(), ct)).ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var n in plan.Networks)
        {
            if (networks.TryGetValue(n.Name, out var existing))
            {
                if (Label(existing.Labels, StackLabel) != plan.Stack)
                    throw new RehearsalException($"network {n.Name} exists on this engine but the rehearsal of {plan.Stack} did not make it; remove it or use another engine.");
                if (existing.Internal != n.Internal)
                    throw new RehearsalException($"network {n.Name} exists with internal={existing.Internal}, the blueprint says {n.Internal}; run --down first.");
                continue;
            }
            await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = n.Name, Driver = n.Driver, Internal = n.Internal, Options = n.Options.ToDictionary(), Labels = labels, CheckDuplicate = true,
            }, ct);
            Say($"network {n.Name}{(n.Internal ? " (internal)" : "")}: created");
        }
        var volumes = (await docker.Volumes.ListAsync(ct)).Volumes?.ToDictionary(v => v.Name, StringComparer.Ordinal) ?? [];
        foreach (var v in plan.Volumes)
        {
            if (volumes.ContainsKey(v.Name)) continue;
            await docker.Volumes.CreateAsync(new VolumesCreateParameters
            {
                Name = v.Name, Driver = v.Driver ?? "local", DriverOpts = v.DriverOptions.ToDictionary(), Labels = labels,
            }, ct);
            Say($"volume {v.Name}: created");
        }

        var steps = new Dictionary<string, Func<Task>>(StringComparer.Ordinal);
        foreach (var c in plan.Containers)
            steps[c.Id] = () => ApplyContainerAsync(plan, c, created, unchanged, removed, ct);
        foreach (var c in plan.Commands)
            steps[c.Id] = () => RunCommandAsync(c, ran, skipped, ct);
        var after = plan.Containers.ToDictionary(c => c.Id, c => c.After, StringComparer.Ordinal);
        foreach (var c in plan.Commands) after[c.Id] = c.After;

        // Each step starts as soon as what it waits for is done: independent containers turn healthy together.
        var tasks = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var id in plan.Order)
        {
            var deps = after[id].Select(d => tasks[d]).ToArray();
            var step = steps[id];
            tasks[id] = Task.Run(async () =>
            {
                try
                {
                    await Task.WhenAll(deps);
                }
                catch (Exception)
                {
                    throw new RehearsalException($"{id}: not run, a step it waits for failed");
                }
                await step();
            }, ct);
        }
        try
        {
            await Task.WhenAll(tasks.Values);
        }
        catch (Exception)
        {
            var failures = tasks.Values.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .Where(e => !e.Message.Contains("not run, a step it waits for failed", StringComparison.Ordinal))
                .Select(e => state.Mask(e.Message)).Distinct().ToList();
            throw new RehearsalException(string.Join("\n", failures));
        }
        // What the stack no longer has goes, as Pulumi deletes it: containers of removed services, then their networks.
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackLabel}={plan.Stack}"] = true } };
        var services = plan.Containers.Select(c => c.Config.Service).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, ct))
                     .Where(c => Label(c.Labels, ServiceLabel) is { } s && !services.Contains(s)))
        {
            await docker.Containers.RemoveContainerAsync(gone.ID, new ContainerRemoveParameters { Force = true }, ct);
            removed.Add(gone.Names.FirstOrDefault()?.TrimStart('/') ?? gone.ID[..12]);
            Say($"container {gone.Names.FirstOrDefault()?.TrimStart('/')}: removed (no longer in the stack)");
        }
        var keep = plan.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in (await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, ct)).Where(n => !keep.Contains(n.Name)))
        {
            // The removed app's attach command joined platform containers to it; its removal disconnects them.
            foreach (var member in (await docker.Networks.InspectNetworkAsync(gone.ID, ct)).Containers?.Keys ?? [])
                await docker.Networks.DisconnectNetworkAsync(gone.ID, new NetworkDisconnectParameters { Container = member, Force = true }, ct);
            await docker.Networks.DeleteNetworkAsync(gone.ID, ct);
            Say($"network {gone.Name}: removed (no longer in the stack)");
        }
        await state.SaveAsync(ct);
        return new RehearsalResult([.. created.Order()], [.. unchanged.Order()], [.. removed.Order()], [.. ran.Order()], [.. skipped.Order()], clock.Elapsed);
    }

    private async Task ApplyContainerAsync(RehearsalPlan plan, PlannedContainer planned, ConcurrentBag<string> created,
        ConcurrentBag<string> unchanged, ConcurrentBag<string> removed, CancellationToken ct)
    {
        var c = planned.Config;
        var existing = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{StackLabel}={plan.Stack}"] = true, [$"{ServiceLabel}={c.Service}"] = true },
            },
        }, ct);
        var same = existing.FirstOrDefault(x => Label(x.Labels, ConfigLabel) == planned.Hash);
        if (same is not null)
        {
            unchanged.Add(c.Service);
            return;
        }
        var clock = Stopwatch.StartNew();
        if (c.DeleteBeforeReplace)
        {
            foreach (var old in existing) await RemoveAsync(old, c, removed, ct);
        }
        else if (c.ContainerName is null)
        {
            // A name that is the same for the same configuration: a second apply finds it.
        }
        var name = c.ContainerName ?? $"{c.Service}-{planned.Hash[..8]}";
        var labels = new Dictionary<string, string> { [StackLabel] = plan.Stack, [ServiceLabel] = c.Service, [ConfigLabel] = planned.Hash };
        var create = ContainerMapping.Create(c, name, state.Resolve, labels);
        var id = (await docker.Containers.CreateContainerAsync(create, ct)).ID;
        foreach (var n in ContainerMapping.MoreNetworks(c))
            await docker.Networks.ConnectNetworkAsync(n.Network, new NetworkConnectParameters
            {
                Container = id, EndpointConfig = new EndpointSettings { Aliases = [.. n.Aliases] },
            }, ct);
        if (!c.Uploads.IsDefaultOrEmpty)
        {
            using var archive = ContainerMapping.UploadsArchive(c, state.Resolve);
            await docker.Containers.ExtractArchiveToContainerAsync(id, new ContainerPathStatParameters { Path = "/" }, archive, ct);
        }
        _replaced[c.Service] = true;
        created.Add(c.Service);
        if (!c.Start)
        {
            Say($"container {name}: created, not started (its timer starts it on the server)");
            return;
        }
        await docker.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct);
        if (c.RunToCompletion)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(c.WaitTimeoutSeconds, 300)));
            var exit = await docker.Containers.WaitContainerAsync(id, timeout.Token);
            if (exit.StatusCode != 0)
                throw new RehearsalException($"container {name}: the one-shot exited {exit.StatusCode} (docker logs {name})");
            Say($"container {name}: ran to completion in {clock.Elapsed.TotalSeconds:0.0} s");
        }
        else if (c.Wait)
        {
            await WaitHealthyAsync(id, name, c.Healthcheck.Tests.IsDefaultOrEmpty || c.Healthcheck.Disabled, TimeSpan.FromSeconds(c.WaitTimeoutSeconds), ct);
            Say($"container {name}: healthy in {clock.Elapsed.TotalSeconds:0.0} s");
        }
        else
        {
            Say($"container {name}: started");
        }
        if (!c.DeleteBeforeReplace)
            foreach (var old in existing) await RemoveAsync(old, c, removed, ct);
    }

    private async Task WaitHealthyAsync(string id, string name, bool noCheck, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = (await docker.Containers.InspectContainerAsync(id, ct)).State;
            if (!state.Running && !state.Restarting)
                throw new RehearsalException($"container {name}: exited with code {state.ExitCode} before it was healthy (docker logs {name})");
            if (noCheck ? state.Running : state.Health?.Status == "healthy") return;
            if (DateTime.UtcNow > deadline)
            {
                var last = state.Health?.Log?.LastOrDefault();
                throw new RehearsalException($"container {name}: not healthy after {timeout.TotalSeconds:0} s (status {state.Health?.Status}; last check exit {last?.ExitCode}: {last?.Output?.Trim()})");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    /// <summary>
    /// Removes a replaced container as the Docker provider destroys one: drained first where the configuration says so
    /// (<see cref="Blueprint.Draining.Script"/>, as the shell's drain command runs it), then stopped with its grace period
    /// (<c>destroyGraceSeconds</c>: the stop signal, SIGKILL after the grace), then removed.
    /// </summary>
    private async Task RemoveAsync(ContainerListResponse old, ContainerConfig c, ConcurrentBag<string> removed, CancellationToken ct)
    {
        var name = old.Names.FirstOrDefault()?.TrimStart('/') ?? old.ID[..12];
        var clock = Stopwatch.StartNew();
        if (c.DrainSeconds is { } wait)
        {
            var drain = await state.RunShellAsync(Blueprint.Draining.Script(name, wait), null, ct);
            Say($"container {name}: {drain.Output.Trim()}");
        }
        var drained = clock.Elapsed;
        if (old.State == "running")
            await docker.Containers.StopContainerAsync(old.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)c.StopGraceSeconds }, ct);
        await docker.Containers.RemoveContainerAsync(old.ID, new ContainerRemoveParameters { Force = true }, ct);
        removed.Add(name);
        Say($"container {name}: removed (replaced; drained {drained.TotalSeconds:0.0} s, stopped in {(clock.Elapsed - drained).TotalSeconds:0.0} s of its {c.StopGraceSeconds} s grace)");
    }

    private async Task RunCommandAsync(PlannedCommand c, ConcurrentBag<string> ran, ConcurrentBag<string> skipped, CancellationToken ct)
    {
        if (c.SkipReason is not null)
        {
            skipped.Add(c.Name);
            Say($"host command {c.Name}: skipped: {c.SkipReason}");
            return;
        }
        var replaced = c.Services.Where(_replaced.ContainsKey).ToList();
        if (state.CommandHash(c.Name) == c.Hash && replaced.Count == 0) return;
        var clock = Stopwatch.StartNew();
        var result = await state.RunShellAsync(c.Create, c.Stdin, ct);
        if (result.ExitCode != 0)
            throw new RehearsalException($"host command {c.Name}: exit {result.ExitCode}\n{result.Output.Trim()}");
        state.CommandRan(c.Name, c.Hash);
        ran.Add(c.Name);
        Say($"host command {c.Name}: ran in {clock.Elapsed.TotalSeconds:0.0} s{(replaced.Count > 0 ? $" ({string.Join(", ", replaced)} (re)created)" : "")}");
    }

    /// <summary>Removes every container, network and volume the rehearsal of <paramref name="stack"/> made on the engine.</summary>
    public async Task<(int Containers, int Networks, int Volumes)> DownAsync(string stack, CancellationToken ct = default)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackLabel}={stack}"] = true } };
        var containers = await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, ct);
        await Task.WhenAll(containers.Select(c => docker.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true }, ct)));
        var networks = await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, ct);
        foreach (var n in networks) await docker.Networks.DeleteNetworkAsync(n.ID, ct);
        var volumes = (await docker.Volumes.ListAsync(new VolumesListParameters { Filters = filter }, ct)).Volumes ?? [];
        foreach (var v in volumes) await docker.Volumes.RemoveAsync(v.Name, force: true, ct);
        state.Delete();
        return (containers.Count, networks.Count, volumes.Count);
    }
}
