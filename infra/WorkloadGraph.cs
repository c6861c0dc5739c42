using System.Collections.Immutable;
using Platform.Stacks.Blueprint;

namespace Platform.Infra;

internal enum WorkloadKind { Service, HostCommand }

/// <summary>A container or host command and what it waits for.</summary>
internal sealed record WorkloadNode(WorkloadKind Kind, string Name, ImmutableArray<WorkloadNode> DependsOn)
{
    public string Key => $"{Kind}:{Name}";
}

/// <summary>
/// Orders the blueprint's services and host commands so each comes after everything it names.
/// The names and edges are the blueprint's; an unknown name or a cycle is a blueprint bug and
/// stops the run with a message naming it.
/// </summary>
internal static class WorkloadGraph
{
    public static IReadOnlyList<WorkloadNode> Order(PlatformBlueprint blueprint)
    {
        var services = blueprint.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var commands = blueprint.HostCommands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var done = new Dictionary<string, WorkloadNode>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<WorkloadNode>();

        WorkloadNode Visit(WorkloadKind kind, string name, string from)
        {
            var key = $"{kind}:{name}";
            if (done.TryGetValue(key, out var existing)) return existing;
            if (!visiting.Add(key)) throw new InvalidOperationException($"The blueprint's dependencies form a cycle through {kind} '{name}'.");

            IEnumerable<(WorkloadKind, string)> edges = kind switch
            {
                WorkloadKind.Service when services.TryGetValue(name, out var s) =>
                    s.DependsOn.Select(d => (WorkloadKind.Service, d)).Concat(s.AfterHostCommands.Select(c => (WorkloadKind.HostCommand, c))),
                WorkloadKind.HostCommand when commands.TryGetValue(name, out var c) =>
                    c.DependsOnServices.Select(d => (WorkloadKind.Service, d)).Concat(c.AfterCommands.Select(a => (WorkloadKind.HostCommand, a))),
                _ => throw new InvalidOperationException($"{from} depends on the {(kind == WorkloadKind.Service ? "service" : "host command")} '{name}', which the blueprint does not define."),
            };
            var deps = edges.Select(e => Visit(e.Item1, e.Item2, $"{kind} '{name}'")).ToImmutableArray();
            var node = new WorkloadNode(kind, name, deps);
            visiting.Remove(key);
            done[key] = node;
            order.Add(node);
            return node;
        }

        foreach (var s in blueprint.Services) Visit(WorkloadKind.Service, s.Name, "the blueprint");
        foreach (var c in blueprint.HostCommands) Visit(WorkloadKind.HostCommand, c.Name, "the blueprint");
        return order;
    }
}
