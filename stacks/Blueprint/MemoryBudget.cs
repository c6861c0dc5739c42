using System.Collections.Immutable;
using Platform.Stacks.Catalog;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>One line of the memory budget: a service's limit times its instances.</summary>
/// <param name="Name">Service name.</param>
/// <param name="Kind">edge, data, operations or app.</param>
/// <param name="Instances">Containers of it.</param>
/// <param name="MemoryMb">Limit of each.</param>
/// <param name="OneShot">A container that exits after its run (e.g. the Uptime Kuma first-admin setup): not steady-state load.</param>
public sealed record BudgetLine(string Name, string Kind, int Instances, int MemoryMb, bool OneShot = false)
{
    public int TotalMb => Instances * MemoryMb;

    /// <summary>
    /// The platform's fixed overhead: every steady container except the data stores (PostgreSQL, MariaDB, Redis, MinIO),
    /// the apps and their scheduled jobs, which grow with what the stack runs.
    /// </summary>
    public bool Fixed => !OneShot && Kind is not ("app" or "job") && Name is not (ServiceNames.Postgres or ServiceNames.Minio or ServiceNames.MariaDb) && !Parts.Redis.RedisNames.IsContainer(Name);
}

/// <summary>
/// Whether every container's memory limit, plus the OS reserve, fits the server's RAM. Limits are
/// what Docker enforces, so a budget that fits means no container can push the host into swap or
/// the OOM killer. One-shot containers run only while a deployment applies, one at a time, so they
/// are not counted in the steady state; each must fit in what the steady state leaves free.
/// </summary>
public sealed record MemoryBudget(string ServerType, int ServerMemoryMb, int OsReserveMb, ImmutableArray<BudgetLine> Lines)
{
    /// <summary>The server this is the budget of.</summary>
    public Parts.ServerKey Server { get; init; } = Parts.ServerKey.Single;

    /// <summary>Steady-state containers (one-shots excluded).</summary>
    public int ContainersMb => Lines.Where(l => !l.OneShot).Sum(l => l.TotalMb);

    public int TotalMb => ContainersMb + OsReserveMb;

    public int FreeMb => ServerMemoryMb - TotalMb;

    /// <summary>The largest one-shot container; 0 when there is none.</summary>
    public int OneShotPeakMb => Lines.Where(l => l.OneShot).Select(l => l.TotalMb).DefaultIfEmpty(0).Max();

    /// <summary>What the platform itself reserves besides PostgreSQL, MariaDB, Redis, MinIO, the apps and their jobs (docs/footprint.md).</summary>
    public int PlatformFixedMb => Lines.Where(l => l.Fixed).Sum(l => l.TotalMb);

    public bool Fits => FreeMb >= 0 && OneShotPeakMb <= FreeMb;

    /// <summary>
    /// The budget of one server of a split stack, from the containers placed on it: an app's instances there in one line,
    /// each scheduled job in its own, one-shots (an app's release too) apart from the steady state.
    /// </summary>
    public static MemoryBudget ForServer(ServerSpec server, int osReserveMb, IEnumerable<ServiceSpec> services)
    {
        var lines = new List<BudgetLine>();
        foreach (var group in services.GroupBy(x => x.Schedule is null && !x.OneShot && x.App is { } app ? app : x.Name))
        {
            var first = group.First();
            var kind = first.Schedule is not null ? "job" : first.Kind switch
            {
                ServiceKind.Edge => "edge", ServiceKind.Data => "data", ServiceKind.App => "app", _ => "operations",
            };
            lines.Add(new BudgetLine(group.Key, kind, group.Count(), first.Limits.MemoryMb, first.OneShot));
        }
        return new MemoryBudget(server.Type, server.MemoryMb, osReserveMb, [.. lines.OrderBy(l => Rank(l.Kind)).ThenBy(l => l.Name, StringComparer.Ordinal)]) { Server = server.Key };
    }

    private static int Rank(string kind) => kind switch { "edge" => 0, "data" => 1, "operations" => 2, "app" => 3, _ => 4 };

    /// <summary>The budget of a stack's settings (the blueprint's containers get exactly these limits; a test pins that).</summary>
    public static MemoryBudget Compute(StackSettings s) => Memo.GetValue(s, ComputeOnce);

    /// <summary>The settings rules and the blueprint both ask for the budget: computed once per settings object.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings, MemoryBudget> Memo = new();

    private static MemoryBudget ComputeOnce(StackSettings s)
    {
        var lines = ImmutableArray.CreateBuilder<BudgetLine>();
        void Add(string name, string kind, ServiceSettings svc, int instances = 1) => lines.Add(new BudgetLine(name, kind, instances, svc.MemoryMb));
        Add(ServiceNames.Traefik, "edge", s.Traefik);
        Add(ServiceNames.SocketProxy, "edge", s.SocketProxy);
        // With point-in-time recovery pgBackRest runs inside PostgreSQL's container (archive pushes, the nightly base backup).
        lines.Add(new BudgetLine(ServiceNames.Postgres, "data", 1, s.Postgres.Service.MemoryMb + (s.Postgres.Pitr ? Data.Pitr.MemoryMb : 0)));
        Add(ServiceNames.PgBouncer, "data", s.PgBouncer.Service);
        // One Redis per app that has its own (shared with the apps that name it in redisOf), each bounded on its own.
        foreach (var redis in Parts.Redis.RedisNames.Of(s)) lines.Add(new BudgetLine(redis.Container, "data", 1, redis.ContainerMemoryMb));
        // The server only: its backup agents are operations containers, counted below with their runners.
        if (s.UsesMariaDb) lines.Add(new BudgetLine(ServiceNames.MariaDb, "data", 1, s.MariaDb.MemoryMb));
        Add(ServiceNames.Minio, "data", s.Minio);
        Add(ServiceNames.UptimeKuma, "operations", s.UptimeKuma);
        foreach (var c in OperationsBlueprint.Of(s).Containers)
            lines.Add(new BudgetLine(c.Name, "operations", 1, c.MemoryMb, c.Mode == RunMode.OneShot));
        if (s.Observability.Enabled) lines.AddRange(ObservabilityBlueprint.ObservabilityBudget(s, s.Observability));
        foreach (var app in s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            lines.Add(new BudgetLine(app.Name, "app", app.Instances, app.MemoryMb));
            for (var i = 0; i < app.StaticFiles.Length; i++)
                lines.Add(new BudgetLine(Parts.Edge.StaticFiles.Service(app.Name, i), "app", 1, app.StaticFiles[i].MemoryMb));
            // A job runs next to the instances; the release command only during a deployment, so it is not counted.
            foreach (var job in app.Jobs) lines.Add(new BudgetLine($"{app.Name} job {job.Name}", "job", 1, app.MemoryMb));
        }
        var serverMb = ServerTypes.All.TryGetValue(s.Server.Type, out var type) ? type.MemoryGb * 1024 : 0;
        return new MemoryBudget(s.Server.Type, serverMb, s.Server.OsReserveMb, lines.ToImmutable());
    }
}
