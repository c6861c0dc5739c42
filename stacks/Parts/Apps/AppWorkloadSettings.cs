using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Apps;

/// <summary>A volume of an app. <c>Shared</c>: the app copes with several containers writing it at once (required with more than one instance).</summary>
public sealed record VolumeSettings(string Name, string MountPath, int SizeGb, bool Shared);

/// <summary>The release command, e.g. <c>[bin/rails, db:migrate]</c>.</summary>
public sealed record ReleaseSettings(ImmutableArray<string> Command);

/// <summary>A scheduled job: five-field cron (UTC) and the command run in a container of the app's image.</summary>
public sealed record JobSettings(string Name, string Schedule, ImmutableArray<string> Command);

/// <summary>An app's own database: PostgreSQL (with extensions) by default, or MariaDB for MySQL-protocol apps.</summary>
public sealed record DatabaseNeed(ImmutableArray<string> Extensions, int ConnectionLimit)
{
    public DatabaseEngine Engine { get; init; } = DatabaseEngine.Postgres;
    /// <summary>The database's name. Default: the app's name with underscores for hyphens.</summary>
    public string? Name { get; init; }
    /// <summary>The owner role (MariaDB: the user). Default: the database's name.</summary>
    public string? Role { get; init; }
    /// <summary>PostgreSQL timeouts and slow-query log of the role, over <c>platform:postgresTuning</c>'s. Default: none (the stack's).</summary>
    public Data.PostgresRoleSettings? Session { get; init; }
}
