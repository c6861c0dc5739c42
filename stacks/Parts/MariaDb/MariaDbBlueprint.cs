using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>The MariaDB part on the stack: which apps ask for it, and its spec placed among the other parts.</summary>
public static class MariaDbBlueprint
{
    /// <summary>Each app with its own MariaDB database and that database's request, in the stack's app order.</summary>
    public static ImmutableArray<(AppSettings App, MariaDbDatabaseRequest Request)> Requests(StackSettings s) =>
        [.. s.Apps.Where(a => a.Database?.Engine == DatabaseEngine.MariaDb)
            .Select(a => (a, RequestOf(a)))];

    /// <summary>An app's MariaDB request: its database and user as configured (default: named after the app).</summary>
    public static MariaDbDatabaseRequest RequestOf(AppSettings app)
    {
        var (database, user) = BlueprintBuilder.DatabaseNames(app);
        return MariaDbDatabaseRequest.ForApp(app.Name, app.Database!.ConnectionLimit) with { Database = database, User = user };
    }

    /// <summary>
    /// The MariaDB part for the stack, or null when no app needs MariaDB. Its backups follow PostgreSQL's
    /// schedules and retention (null when backups are off); its agents get the backup containers' memory.
    /// </summary>
    public static MariaDbPartSpec? PartOf(StackSettings s)
    {
        if (!s.UsesMariaDb) return null;
        return MariaDbPart.Build(s.MariaDb, [.. Requests(s).Select(x => x.Request)], new MariaDbPartContext
        {
            DataNetwork = ServiceNames.DataNetwork,
            Backups = BackupsBlueprint.BackupsInput(s)?.Policy,
            BackupAgentMemoryMb = s.Backups.Service.MemoryMb,
            MonitorPasswordSecret = s.Observability.Enabled ? SecretNames.MariaDbMonitor : null,
        });
    }

    /// <summary>
    /// The MariaDB part's dump agents as schedules of the one backup runner: each gets a conf.d file, the
    /// off-site upload and the heartbeat every schedule has, and its agent acts only for its own job.
    /// </summary>
    internal static IEnumerable<AgentDump> AgentDumps(StackSettings s) =>
        PartOf(s)?.Backups.Select(j => new AgentDump(j.Name, j.What, BackupSubject.MariaDb, j.Schedule, j.RetentionDays,
            j.DumpVolume, j.Agent, j.DumpCommands, j.DumpScript)) ?? [];

    /// <summary>Whether an operations container is a MariaDB dump agent (it reaches the server through the shared socket volume).</summary>
    internal static bool IsAgent(OpsContainer c) =>
        c.Name.EndsWith("-agent", StringComparison.Ordinal) && c.Mounts.Any(m => m.Source == MariaDbNames.SocketVolume);
}
