using System.Collections.Immutable;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Parts;

/// <summary>A part of the blueprint with what it holds and the parts it needs first.</summary>
public sealed record PartNode(
    PartId Id,
    ImmutableArray<ServiceSpec> Services,
    ImmutableArray<VolumeSpec> Volumes,
    ImmutableArray<HostCommandSpec> HostCommands,
    ImmutableArray<PartId> DependsOn)
{
    /// <summary>A data part's connection URL of each app that uses it, by app name (secret). Default: none.</summary>
    public ImmutableSortedDictionary<string, Model.SecretText> Connections { get; init; } = ImmutableSortedDictionary<string, Model.SecretText>.Empty;
}

/// <summary>
/// The blueprint grouped by part, in the order the parts are composed: every part after the parts its
/// containers and host commands depend on. The edges come from the blueprint's own dependencies, so
/// the shell can hand each part the components it needs, and a cycle between parts is a blueprint bug.
/// </summary>
public static class PartGraph
{
    /// <summary>
    /// The parts of <paramref name="b"/>. Computed once per blueprint (the plan, the deploy-time model and the shell each
    /// ask); a blueprint is immutable, and a copy made with <c>with</c> is another key.
    /// </summary>
    public static ImmutableArray<PartNode> Of(PlatformBlueprint b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Computed.GetValue(b, x => new Parts(Compute(x))).Nodes;
    }

    private sealed record Parts(ImmutableArray<PartNode> Nodes);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PlatformBlueprint, Parts> Computed = new();

    private static ImmutableArray<PartNode> Compute(PlatformBlueprint b)
    {
        var serviceParts = b.Services.ToDictionary(s => s.Name, s => s.Part, StringComparer.Ordinal);
        var commandParts = b.HostCommands.ToDictionary(c => c.Name, c => c.Part, StringComparer.Ordinal);
        PartId Owner(string name, bool command, string from) =>
            (command ? commandParts : serviceParts).TryGetValue(name, out var p) ? p
            : throw new InvalidOperationException($"{from} depends on the {(command ? "host command" : "service")} '{name}', which the blueprint does not define.");

        var ids = b.Services.Select(s => s.Part).Concat(b.Volumes.Select(v => v.Part)).Concat(b.HostCommands.Select(c => c.Part)).Distinct().ToList();
        var edges = ids.ToDictionary(id => id, _ => new HashSet<PartId>());
        // A container mounting another part's volume (the backups archiving an app's) needs that part first.
        // By name: a split stack's copies of a volume on several servers belong to the same part.
        var volumeParts = b.Volumes.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Part, StringComparer.Ordinal);
        foreach (var s in b.Services)
        {
            foreach (var m in s.Mounts.Where(m => m.Kind == MountKind.Volume))
                if (volumeParts.TryGetValue(m.Source, out var owner)) edges[s.Part].Add(owner);
            foreach (var d in s.DependsOn) edges[s.Part].Add(Owner(d, false, s.Name));
            foreach (var c in s.AfterHostCommands) edges[s.Part].Add(Owner(c, true, s.Name));
        }
        foreach (var c in b.HostCommands)
        {
            foreach (var d in c.DependsOnServices) edges[c.Part].Add(Owner(d, false, c.Name));
            foreach (var a in c.AfterCommands) edges[c.Part].Add(Owner(a, true, c.Name));
        }
        foreach (var (id, deps) in edges) deps.Remove(id);

        // Kahn's algorithm, always taking the first ready part in a fixed order: deterministic.
        // The ready parts wait in a queue ordered by that fixed order; a part becomes ready when its last dependency is
        // placed (linear in parts and edges: a stack of a thousand apps has thousands of parts).
        var rank = ids.OrderBy(Rank).ThenBy(id => id.AppName, StringComparer.Ordinal).Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var waiting = edges.ToDictionary(e => e.Key, e => e.Value.Count);
        var dependents = ids.ToDictionary(id => id, _ => new List<PartId>());
        foreach (var (id, deps) in edges)
            foreach (var dep in deps) dependents[dep].Add(id);
        var ready = new SortedSet<int>(ids.Where(id => waiting[id] == 0).Select(id => rank[id]));
        var byRank = rank.ToDictionary(x => x.Value, x => x.Key);
        var order = new List<PartId>();
        while (ready.Count > 0)
        {
            var next = byRank[ready.Min];
            ready.Remove(ready.Min);
            order.Add(next);
            foreach (var dependent in dependents[next])
                if (--waiting[dependent] == 0) ready.Add(rank[dependent]);
        }
        if (order.Count < ids.Count)
        {
            var remaining = ids.Where(id => !order.Contains(id)).OrderBy(id => rank[id]).ToList();
            throw new InvalidOperationException($"The parts depend on each other in a cycle: {string.Join(", ", remaining.Select(r => $"{r} needs {string.Join("+", edges[r])}"))}.");
        }
        var position = order.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var services = b.Services.ToLookup(s => s.Part);
        var volumes = b.Volumes.ToLookup(v => v.Part);
        var commands = b.HostCommands.ToLookup(c => c.Part);
        var connections = b.AppConnections.ToLookup(c => c.Part);
        return [.. order.Select(id => new PartNode(id,
            [.. services[id]],
            [.. volumes[id]],
            [.. commands[id]],
            [.. edges[id].OrderBy(d => position[d])])
        {
            Connections = connections[id].ToImmutableSortedDictionary(c => c.App, c => c.Url, StringComparer.Ordinal),
        })];
    }

    private static int Rank(PartId id) => id.Identity.Order;
}
