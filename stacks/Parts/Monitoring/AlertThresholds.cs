namespace Platform.Stacks.Operations;

/// <summary>A warn / critical pair, in percent.</summary>
public sealed record Threshold(int WarnPercent, int CriticalPercent)
{
    public string? Problem(string name) =>
        WarnPercent is < 1 or > 100 || CriticalPercent is < 1 or > 100 ? $"{name} thresholds must be between 1 and 100 percent."
        : WarnPercent >= CriticalPercent ? $"{name} warn threshold ({WarnPercent}%) must be below its critical threshold ({CriticalPercent}%)."
        : null;
}

/// <summary>How a threshold is enforced on this platform (see docs/operations.md, "Alert thresholds").</summary>
public enum Enforcement
{
    /// <summary>Nothing alerts on it.</summary>
    NotEnforced,

    /// <summary>The <see cref="HostMetrics"/> agent measures it every minute and pushes it to its Uptime Kuma monitor.</summary>
    PushMonitor,
}

/// <summary>
/// DESIGN.md's alert thresholds: CPU 70/90, RAM 80/90, disk 70/85, database connections 80/95 (percent of
/// <c>max_connections</c>). Uptime Kuma itself checks reachability only; the <see cref="HostMetrics"/>
/// agent measures these and reports each to a push monitor.
/// </summary>
public sealed record AlertThresholds(Threshold Cpu, Threshold Memory, Threshold Disk, Threshold DbConnections)
{
    public static AlertThresholds Default { get; } = new(new(70, 90), new(80, 90), new(70, 85), new(80, 95));

    public Enforcement CpuEnforcement => Enforcement.PushMonitor;

    public Enforcement MemoryEnforcement => Enforcement.PushMonitor;

    public Enforcement DiskEnforcement => Enforcement.PushMonitor;

    public Enforcement DbConnectionsEnforcement => Enforcement.PushMonitor;

    /// <summary>The connection counts at which the DB-connection thresholds trip, for a server with <paramref name="maxConnections"/>.</summary>
    public (int Warn, int Critical) DbConnectionCounts(int maxConnections) =>
        (maxConnections * DbConnections.WarnPercent / 100, maxConnections * DbConnections.CriticalPercent / 100);

    /// <summary>Every problem, as sentences; empty when valid.</summary>
    public IReadOnlyList<string> Problems() =>
        new[] { Cpu.Problem("CPU"), Memory.Problem("Memory"), Disk.Problem("Disk"), DbConnections.Problem("Database connections") }
            .OfType<string>().ToList();
}
