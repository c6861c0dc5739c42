using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Plan;

/// <summary>
/// One server in the plan's summary, by its key (<c>server</c>, <c>data</c> or <c>app-n</c>): its type and size, the
/// containers that keep running on it (one-shot and scheduled ones not counted), and its memory budget's total (the
/// running containers' limits and the OS reserve) and what is left.
/// </summary>
public sealed record ServerSummary(ServerKey Server, string Name, string Type, int Vcpus, int MemoryMb, int Containers, int UsedMb, int FreeMb);

/// <summary>
/// What a reviewer reads first: the servers and their types, the containers, the memory used and free on each server,
/// the monthly cost, the secret placeholders left and what deserves a second look. Every number here is in the plan's
/// sections below too; the summary only gathers them.
/// <c>Containers</c> keep running (app instances and the platform's own); <c>OneShotContainers</c> run to completion
/// (release commands, setup containers, scheduled jobs).
/// </summary>
public sealed record PlanSummary(
    ImmutableArray<ServerSummary> Servers,
    int Containers,
    int AppInstances,
    int PlatformContainers,
    int OneShotContainers,
    decimal MonthlyEur,
    ImmutableArray<string> SecretPlaceholders,
    ImmutableArray<string> Warnings)
{
    /// <summary>Free memory below this share of a server's RAM is a warning: a deployment's one-shot containers and growth need room.</summary>
    public const double LowMemoryShare = 0.10;

    /// <summary>Free PostgreSQL connections below this share of those available is a warning.</summary>
    public const double LowConnectionsShare = 0.10;

    public static PlanSummary Of(PlatformBlueprint b)
    {
        ArgumentNullException.ThrowIfNull(b);
        static bool Running(ServiceSpec x) => !x.OneShot && x.StartOnDeploy;
        var running = b.Services.Where(Running).ToList();
        var perHost = running.GroupBy(x => x.Host).ToDictionary(g => g.Key, g => g.Count());
        var budgets = b.Budgets.ToDictionary(x => x.Server);
        var servers = b.Servers.Select(s =>
        {
            var budget = budgets[s.Key];
            return new ServerSummary(s.Key, s.Name, s.Type, s.Vcpus, s.MemoryMb, perHost.GetValueOrDefault(s.Key), budget.TotalMb, budget.FreeMb);
        }).ToImmutableArray();

        var warnings = new List<string>();
        if (!b.PendingSecrets.IsEmpty)
            warnings.Add($"{b.PendingSecrets.Length} secret placeholder(s) left in Pulumi.{b.Stack}.yaml: pulumi preview/up fail to decrypt until each is set (the commands are under Secrets)");
        foreach (var budget in b.Budgets)
        {
            var where = b.IsSplit ? $"{budget.Server}: " : "";
            if (budget.FreeMb < budget.ServerMemoryMb * LowMemoryShare)
                warnings.Add($"{where}{budget.FreeMb} MB of {budget.ServerMemoryMb} MB free, under {LowMemoryShare * 100:0}%");
            foreach (var line in budget.Lines.Where(l => l.OneShot && l.TotalMb > budget.FreeMb))
                warnings.Add($"{where}the one-shot {line.Name} ({line.TotalMb} MB) does not fit in the {budget.FreeMb} MB free while a deployment runs it");
        }
        warnings.AddRange(b.ImageWarnings);
        var connections = b.Connections;
        if (connections.FreeConnections < connections.AvailableConnections * LowConnectionsShare)
            warnings.Add($"PostgreSQL: {connections.FreeConnections} of {connections.AvailableConnections} connections free, under {LowConnectionsShare * 100:0}%");

        return new PlanSummary(
            servers,
            running.Count,
            running.Count(x => x.Kind == ServiceKind.App),
            running.Count(x => x.Kind != ServiceKind.App),
            b.Services.Length - running.Count,
            b.Cost.MonthlyEur,
            [.. b.PendingSecrets.Select(p => p.Key)],
            [.. warnings]);
    }

    /// <summary>The summary's lines in the text plan.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var s in Servers)
            yield return $"{(s.Server.IsSingle ? "server" : s.Server.ToString())} {s.Name}: {s.Type} ({s.Vcpus} vCPU, {s.MemoryMb} MB); {s.Containers} containers; memory {s.UsedMb} MB used, {s.FreeMb} MB free";
        yield return $"containers: {Containers} running ({AppInstances} app instances, {PlatformContainers} platform), {OneShotContainers} one-shot or scheduled";
        yield return $"monthly cost: {MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)} EUR (excl. VAT)";
        yield return SecretPlaceholders.IsEmpty ? "secret placeholders left: none" : $"secret placeholders left: {SecretPlaceholders.Length} ({string.Join(", ", SecretPlaceholders)})";
        if (Warnings.IsEmpty) yield return "warnings: none";
        else
        {
            yield return $"warnings: {Warnings.Length}";
            foreach (var w in Warnings) yield return $"  - {w}";
        }
    }
}
