using System.Collections.Immutable;
using Platform.Stacks.Catalog;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>One line of the memory budget: a service's limit times its instances.</summary>
public sealed record BudgetLine(string Name, string Kind, int Instances, int MemoryMb)
{
    public int TotalMb => Instances * MemoryMb;
}

/// <summary>
/// Whether every container's memory limit, plus the OS reserve, fits the server's RAM. Limits are
/// what Docker enforces, so a budget that fits means no container can push the host into swap or
/// the OOM killer.
/// </summary>
public sealed record MemoryBudget(string ServerType, int ServerMemoryMb, int OsReserveMb, ImmutableArray<BudgetLine> Lines)
{
    public int ContainersMb => Lines.Sum(l => l.TotalMb);

    public int TotalMb => ContainersMb + OsReserveMb;

    public int FreeMb => ServerMemoryMb - TotalMb;

    public bool Fits => FreeMb >= 0;

    /// <summary>The budget of a stack's settings (the blueprint's containers get exactly these limits; a test pins that).</summary>
    public static MemoryBudget Compute(StackSettings s)
    {
        var lines = ImmutableArray.CreateBuilder<BudgetLine>();
        void Add(string name, string kind, ServiceSettings svc, int instances = 1) => lines.Add(new BudgetLine(name, kind, instances, svc.MemoryMb));
        Add(ServiceNames.Traefik, "edge", s.Traefik);
        Add(ServiceNames.SocketProxy, "edge", s.SocketProxy);
        Add(ServiceNames.Postgres, "data", s.Postgres.Service);
        Add(ServiceNames.PgBouncer, "data", s.PgBouncer.Service);
        Add(ServiceNames.Redis, "data", s.Redis.Service);
        // The server only: its backup agents are operations containers, counted below with their runners.
        if (s.UsesMariaDb) lines.Add(new BudgetLine(ServiceNames.MariaDb, "data", 1, s.MariaDb.MemoryMb));
        Add(ServiceNames.Minio, "data", s.Minio);
        Add(ServiceNames.UptimeKuma, "operations", s.UptimeKuma);
        foreach (var c in BlueprintBuilder.Operations(s).Containers)
            lines.Add(new BudgetLine(c.Name, "operations", 1, c.MemoryMb));
        foreach (var app in s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            lines.Add(new BudgetLine(app.Name, "app", app.Instances, app.MemoryMb));
            // A job runs next to the instances; the release command only during a deployment, so it is not counted.
            foreach (var job in app.Jobs) lines.Add(new BudgetLine($"{app.Name} job {job.Name}", "job", 1, app.MemoryMb));
        }
        var serverMb = ServerTypes.All.TryGetValue(s.Server.Type, out var type) ? type.MemoryGb * 1024 : 0;
        return new MemoryBudget(s.Server.Type, serverMb, s.Server.OsReserveMb, lines.ToImmutable());
    }
}
