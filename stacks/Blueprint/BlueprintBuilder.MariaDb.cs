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
        });
    }

    /// <summary>The MariaDB part's dump agents as backup jobs: each gets the runner, off-site upload and heartbeat every job has.</summary>
    private static IEnumerable<BackupJob> MariaDbBackupJobs(StackSettings s, BackupsInput input) =>
        MariaDbPartOf(s)?.Backups.Select(j => Backups.ForAgent(input, j.Name, j.What, BackupSubject.MariaDb, j.Schedule, j.RetentionDays,
            j.DumpVolume, j.Agent, j.DumpCommands, j.DumpScript)) ?? [];

    /// <summary>Whether an operations container is a MariaDB dump agent (it reaches the server through the shared socket volume).</summary>
    private static bool IsMariaDbAgent(OpsContainer c) =>
        c.Name.EndsWith("-agent", StringComparison.Ordinal) && c.Mounts.Any(m => m.Source == MariaDbNames.SocketVolume);
}
