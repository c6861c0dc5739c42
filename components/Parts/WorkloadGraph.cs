using System.Collections.Immutable;
using Platform.Stacks.Blueprint;

namespace Platform.Components.Parts;

internal enum WorkloadKind { Service, HostCommand }

/// <summary>A container or host command of a part, what it waits for inside the part, and what it waits for elsewhere.</summary>
internal sealed record WorkloadNode(WorkloadKind Kind, string Name, ImmutableArray<WorkloadNode> DependsOn, ImmutableArray<(WorkloadKind Kind, string Name)> External)
{
    public string Key => KeyOf(Kind, Name);

    public static string KeyOf(WorkloadKind kind, string name) => $"{kind}:{name}";
}

/// <summary>
/// Orders a part's services and host commands so each comes after everything it names. Names that
/// belong to other parts are external: those parts exist already (the stack composes parts in
/// dependency order). A cycle is a blueprint bug and stops the run with a message naming it.
/// </summary>
internal static class WorkloadGraph
{
    public static IReadOnlyList<WorkloadNode> Order(IEnumerable<ServiceSpec> partServices, IEnumerable<HostCommandSpec> partCommands)
    {
        var services = partServices.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var commands = partCommands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var done = new Dictionary<string, WorkloadNode>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<WorkloadNode>();

        WorkloadNode Visit(WorkloadKind kind, string name)
        {
            var key = WorkloadNode.KeyOf(kind, name);
            if (done.TryGetValue(key, out var existing)) return existing;
            if (!visiting.Add(key)) throw new InvalidOperationException($"The blueprint's dependencies form a cycle through {kind} '{name}'.");

            IEnumerable<(WorkloadKind Kind, string Name)> edges = kind == WorkloadKind.Service
                ? services[name].DependsOn.Select(d => (WorkloadKind.Service, d)).Concat(services[name].AfterHostCommands.Select(c => (WorkloadKind.HostCommand, c)))
                : commands[name].DependsOnServices.Select(d => (WorkloadKind.Service, d)).Concat(commands[name].AfterCommands.Select(a => (WorkloadKind.HostCommand, a)));
            var list = edges.ToList();
            bool Inside((WorkloadKind Kind, string Name) e) => e.Kind == WorkloadKind.Service ? services.ContainsKey(e.Name) : commands.ContainsKey(e.Name);
            var deps = list.Where(Inside).Select(e => Visit(e.Kind, e.Name)).ToImmutableArray();
            var node = new WorkloadNode(kind, name, deps, [.. list.Where(e => !Inside(e))]);
            visiting.Remove(key);
            done[key] = node;
            order.Add(node);
            return node;
        }

        foreach (var s in services.Keys) Visit(WorkloadKind.Service, s);
        foreach (var c in commands.Keys) Visit(WorkloadKind.HostCommand, c);
        return order;
    }
}
