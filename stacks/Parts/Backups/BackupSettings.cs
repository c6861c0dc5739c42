using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Backups;

public sealed record BackupSettings(
    bool Enabled,
    ServiceSettings Service,
    string S3Endpoint,
    string S3Bucket,
    string S3Region,
    bool Encrypt,
    string PostgresDailySchedule,
    int PostgresDailyRetentionDays,
    string PostgresHourlySchedule,
    int PostgresHourlyRetentionHours,
    string RedisSchedule,
    int RedisRetentionHours,
    string MinioSchedule,
    int MinioRetentionDays)
{
    /// <summary>Whether the business-hours dumps run (<c>backupHourlyEnabled</c>). Default: true.</summary>
    public bool HourlyEnabled { get; init; } = true;
    /// <summary>Public keys archives are encrypted to with age (<c>backupAgeRecipients</c>); empty: symmetric GPG. Default: none.</summary>
    public ImmutableArray<string> AgeRecipients { get; init; } = [];
    /// <summary>The bucket's lifecycle rule prunes, not the runner (<c>backupRetentionByBucket</c>): a write-only S3 key suffices. Default: false.</summary>
    public bool RetentionByBucket { get; init; }
    /// <summary>A Hetzner Storage Box every archive also goes to over SFTP (<c>backupStorageBox</c>). Default: none.</summary>
    public Operations.StorageBoxSettings? StorageBox { get; init; }
}
