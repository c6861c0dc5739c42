using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Postgres;

/// <param name="Service">Image and memory.</param>
/// <param name="MaxConnections">max_connections.</param>
/// <param name="VolumeSizeGb">Not used here (0).</param>
/// <param name="Pitr">Point-in-time recovery with pgBackRest (postgresPitr). Default: off.</param>
/// <param name="PitrRetentionDays">With <paramref name="Pitr"/>: how far back a restore can go. Default: 14.</param>
/// <param name="PitrStorageGb">With <paramref name="Pitr"/>: the repository's expected size, for the cost estimate. Default: 20.</param>
/// <param name="Upgrade">A declared major-version upgrade (postgresUpgrade). Default: none.</param>
public sealed record PostgresSettings(
    ServiceSettings Service,
    int MaxConnections,
    int VolumeSizeGb,
    bool Pitr = false,
    int PitrRetentionDays = 14,
    int PitrStorageGb = 20,
    Upgrades.UpgradeSettings? Upgrade = null)
{
    /// <summary>The slow-query log and the app roles' timeouts (<c>platform:postgresTuning</c>). Default: slow-query log from 1 s, no timeouts.</summary>
    public Data.PostgresTuning Tuning { get; init; } = new();
}

public sealed record PgBouncerSettings(
    ServiceSettings Service,
    int MaxClientConn,
    int DefaultPoolSize,
    int MinPoolSize,
    int ReservePoolSize);
