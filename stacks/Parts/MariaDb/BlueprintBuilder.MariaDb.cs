using System.Collections.Immutable;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>The MariaDB part on the stack: which apps ask for it, and its spec placed among the other parts.</summary>
public static partial class BlueprintBuilder
{
    /// <summary>Each app with its own MariaDB database and that database's request, in the stack's app order.</summary>
    public static ImmutableArray<(AppSettings App, MariaDbDatabaseRequest Request)> MariaDbRequests(StackSettings s) =>
        [.. s.Apps.Where(a => a.Database?.Engine == DatabaseEngine.MariaDb)
            .Select(a => (a, MariaDbRequestOf(a)))];

    /// <summary>An app's MariaDB request: its database and user as configured (default: named after the app).</summary>
    public static MariaDbDatabaseRequest MariaDbRequestOf(AppSettings app)
    {
        var (database, user) = DatabaseNames(app);
        return MariaDbDatabaseRequest.ForApp(app.Name, app.Database!.ConnectionLimit) with { Database = database, User = user };
    }

    /// <summary>
    /// The MariaDB part for the stack, or null when no app needs MariaDB. Its backups follow PostgreSQL's
    /// schedules and retention (null when backups are off); its agents get the backup containers' memory.
    /// </summary>
    public static MariaDbPartSpec? MariaDbPartOf(StackSettings s)
    {
        if (!s.UsesMariaDb) return null;
        return MariaDbPart.Build(s.MariaDb, [.. MariaDbRequests(s).Select(x => x.Request)], new MariaDbPartContext
        {
            DataNetwork = ServiceNames.DataNetwork,
            Backups = BackupsInput(s)?.Policy,
            BackupAgentMemoryMb = s.Backups.Service.MemoryMb,
            MonitorPasswordSecret = s.Observability.Enabled ? SecretNames.MariaDbMonitor : null,
        });
    }

    /// <summary>
    /// The MariaDB part's dump agents as schedules of the one backup runner: each gets a conf.d file, the
    /// off-site upload and the heartbeat every schedule has, and its agent acts only for its own job.
    /// </summary>
    private static IEnumerable<AgentDump> MariaDbAgentDumps(StackSettings s) =>
        MariaDbPartOf(s)?.Backups.Select(j => new AgentDump(j.Name, j.What, BackupSubject.MariaDb, j.Schedule, j.RetentionDays,
            j.DumpVolume, j.Agent, j.DumpCommands, j.DumpScript)) ?? [];

    /// <summary>Whether an operations container is a MariaDB dump agent (it reaches the server through the shared socket volume).</summary>
    private static bool IsMariaDbAgent(OpsContainer c) =>
        c.Name.EndsWith("-agent", StringComparison.Ordinal) && c.Mounts.Any(m => m.Source == MariaDbNames.SocketVolume);
}
