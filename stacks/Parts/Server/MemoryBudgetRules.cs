using Platform.Stacks.Blueprint;
using Platform.Stacks.Catalog;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Server;

/// <summary>Every server must fit what runs on it: the one server's memory budget, or each server's of a split stack.</summary>
internal static class MemoryBudgetRules
{
    /// <summary>Checks the budgets; a split stack's only once no other error was reported (placement needs valid settings).</summary>
    public static void Check(StackSettings s, NodeReader r)
    {
        if (s.Topology is { } topology)
        {
            if (r.Errors.Count == 0) CheckSplitBudgets(s, topology, r);
        }
        else if (ServerTypes.All.TryGetValue(s.Server.Type, out var type) && Budget(s) is { } budget)
        {
            if (!budget.Fits)
            {
                var apps = budget.Lines.Where(l => l.Kind == "app").Sum(l => l.TotalMb);
                var bigger = ServerTypes.All.Values.Where(t => t.MemoryGb * 1024 >= budget.TotalMb + budget.OneShotPeakMb && t.MemoryGb > type.MemoryGb && t.Cpu == type.Cpu)
                    .OrderBy(t => t.MemoryGb).FirstOrDefault();
                var oneShot = budget.FreeMb >= 0 ? $" and a one-shot container needs {budget.OneShotPeakMb} MB of the {budget.FreeMb} MB left" : "";
                r.Error("platform:serverType",
                    $"The memory budget does not fit: apps {apps} MB + platform services {budget.ContainersMb - apps} MB + OS reserve {budget.OsReserveMb} MB = {budget.TotalMb} MB, but a {type.Name} has {budget.ServerMemoryMb} MB{oneShot}.",
                    (bigger is null ? "Choose a larger server type" : $"Choose a larger server type (e.g. {bigger.Name}, {bigger.MemoryGb} GB)")
                    + " or lower the apps' memoryMb/instances or the services' *MemoryMb settings"
                    + (s.Observability.Enabled ? $", or turn platform:observability off (its containers take {budget.Lines.Where(Parts.Observability.ObservabilityView.IsPart).Sum(l => l.TotalMb)} MB)." : "."));
            }
        }
    }

    /// <summary>
    /// Every server of a split stack must fit what is placed on it. Placement needs valid settings, so this runs only
    /// once every other rule passed (their errors come first; this one follows their fix).
    /// </summary>
    private static void CheckSplitBudgets(StackSettings s, TopologySettings t, NodeReader r)
    {
        foreach (var budget in BlueprintBuilder.Build(s).Budgets.Where(b => !b.Fits))
        {
            var data = budget.Server.HoldsData;
            var key = TopologySettings.TypeKey(budget.Server);
            var type = ServerTypes.All[budget.ServerType];
            var bigger = ServerTypes.All.Values.Where(x => x.MemoryGb * 1024 >= budget.TotalMb + budget.OneShotPeakMb && x.Cpu == type.Cpu).OrderBy(x => x.MemoryGb).FirstOrDefault();
            r.Error(key,
                $"The memory budget of {budget.Server} does not fit: containers {budget.ContainersMb} MB + OS reserve {budget.OsReserveMb} MB = {budget.TotalMb} MB"
                + (budget.OneShotPeakMb > 0 ? $", plus a one-shot of {budget.OneShotPeakMb} MB," : "") + $" but a {type.Name} has {budget.ServerMemoryMb} MB.",
                (bigger is null ? "Choose a larger server type" : $"Choose a larger server type (e.g. {bigger.Name}, {bigger.MemoryGb} GB)")
                + (data ? $" or lower the {(budget.Server.Role == ServerRole.Cache ? "Redis instances' memory (platform:redisMaxMemoryMb, needs.redis.maxMemoryMb)" : budget.Server.Role == ServerRole.Files ? "MinIO's memory (platform:minioMemoryMb)" : "data services' *MemoryMb settings")}." : $" or add app servers (servers.app.count, now {t.AppCount}) or lower the apps' memoryMb/instances."));
        }
    }

    /// <summary>The budget, or null when other errors (already reported) keep it from being computed.</summary>
    private static MemoryBudget? Budget(StackSettings s)
    {
        try
        {
            return MemoryBudget.Compute(s);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
