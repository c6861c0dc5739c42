using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Operations;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Backups;

/// <summary>Reads the <c>backup*</c> settings: the off-site bucket, the schedules and retentions, encryption, the Storage Box.</summary>
internal static class BackupSettingsReader
{
    /// <summary>The backup settings; a prod stack must have them on, and on they need the bucket and its keys.</summary>
    public static BackupSettings Read(StackValues v, ImmutableSortedSet<string>.Builder secrets, StackEnvironment environment) =>
        ReadCore(v, secrets, environment) with
        {
            AgeRecipients = ReadAgeRecipients(v.R, v.Node("backupAgeRecipients")),
            RetentionByBucket = v.Bool("backupRetentionByBucket"),
            StorageBox = StorageBox.Read(v.R, v.Raw("backupStorageBox"), secrets, v.Bool("backupsEnabled"), v.Stack),
        };

    /// <summary>The rules between backups and point-in-time recovery: what encrypts what, and who expires pgBackRest's archive.</summary>
    public static void CheckWithPitr(StackValues v, BackupSettings backups, bool pitr, ImmutableSortedSet<string>.Builder secrets)
    {
        var r = v.R;
        // The runner encrypts to the age recipients without a passphrase; pgBackRest (point-in-time recovery) has only
        // symmetric repository encryption, so it still needs the passphrase.
        if (backups.Enabled && backups.Encrypt && !secrets.Contains("backupEncryptionPassphrase") && (backups.AgeRecipients.IsEmpty || pitr))
            r.Error(StackValues.Key("backupEncryptionPassphrase"), backups.AgeRecipients.IsEmpty
                    ? "is required when backupEncrypt is true."
                    : "is required with postgresPitr: pgBackRest encrypts its archive with a passphrase only (backupAgeRecipients cover the other archives).",
                $"Generate a long passphrase, keep a copy outside this platform, and run: pulumi config set --secret backupEncryptionPassphrase <passphrase> --stack {v.Stack}");
        if (backups.RetentionByBucket && pitr)
            r.Error(StackValues.Key("backupRetentionByBucket"), "is true with postgresPitr: pgBackRest expires its own backups and WAL in order, and a bucket rule deleting them by age would break the chain a restore replays.",
                "Set backupRetentionByBucket to false, or postgresPitr to false.");
        if (!backups.AgeRecipients.IsEmpty && !backups.Encrypt)
            r.Error(StackValues.Key("backupAgeRecipients"), "is set but backupEncrypt is false, so nothing would be encrypted to them.", "Set backupEncrypt to true, or remove backupAgeRecipients.");
        if (pitr && !backups.Enabled)
            r.Error(StackValues.Key("postgresPitr"), "is true but backupsEnabled is false: WAL and base backups go to the backup bucket.",
                $"Turn backups on (pulumi config set backupsEnabled true --stack {v.Stack}, with the backupS3* settings), or set postgresPitr to false.");
    }

    private static BackupSettings ReadCore(StackValues v, ImmutableSortedSet<string>.Builder secrets, StackEnvironment environment)
    {
        var r = v.R;
        var stack = v.Stack;
        var enabled = v.Bool("backupsEnabled");
        var settings = new BackupSettings(
            enabled,
            v.Service("backup", 1),
            v.Str("backupS3Endpoint").Trim(),
            v.Str("backupS3Bucket").Trim(),
            v.Str("backupS3Region").Trim(),
            v.Bool("backupEncrypt"),
            Schedule(v, "backupPostgresDailySchedule"),
            v.Int("backupPostgresDailyRetentionDays"),
            Schedule(v, "backupPostgresHourlySchedule"),
            v.Int("backupPostgresHourlyRetentionHours"),
            Schedule(v, "backupRedisSchedule"),
            v.Int("backupRedisRetentionHours"),
            Schedule(v, "backupMinioSchedule"),
            v.Int("backupMinioRetentionDays")) { HourlyEnabled = v.Bool("backupHourlyEnabled") };

        if (environment == StackEnvironment.Prod && !enabled)
            r.Error(StackValues.Key("backupsEnabled"), "is false on a prod stack; prod data would have no off-site copy.", $"Set it to true and configure the backupS3* settings: pulumi config set backupsEnabled true --stack {stack}");
        if (!enabled) return settings;

        if (settings.S3Endpoint.Length == 0)
            r.Error(StackValues.Key("backupS3Endpoint"), "is required when backups are enabled.", $"Set the off-site S3 endpoint host: pulumi config set backupS3Endpoint s3.eu-central-003.backblazeb2.com --stack {stack}");
        else if (!Names.IsDomain(settings.S3Endpoint.ToLowerInvariant()))
            r.Error(StackValues.Key("backupS3Endpoint"), $"'{settings.S3Endpoint}' is not a host name.", "Give the endpoint's host name only, without https:// or a path.");
        if (settings.S3Bucket.Length == 0)
            r.Error(StackValues.Key("backupS3Bucket"), "is required when backups are enabled.", $"pulumi config set backupS3Bucket <bucket> --stack {stack}");
        else if (!System.Text.RegularExpressions.Regex.IsMatch(settings.S3Bucket, "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"))
            r.Error(StackValues.Key("backupS3Bucket"), $"'{settings.S3Bucket}' is not a valid S3 bucket name.", "Use 3–63 lower-case letters, digits, dots and hyphens.");
        foreach (var name in new[] { "backupS3AccessKeyId", "backupS3SecretAccessKey" })
        {
            if (!secrets.Contains(name))
                r.Error(StackValues.Key(name), "is required when backups are enabled.", $"pulumi config set --secret {name} <value> --stack {stack}");
        }
        return settings;
    }

    private static ImmutableArray<string> ReadAgeRecipients(NodeReader r, YamlDotNet.RepresentationModel.YamlNode? node)
    {
        if (node is null) return [];
        var keys = r.StringList(node, StackValues.Key("backupAgeRecipients"));
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i].Trim();
            if (AgeRecipients.IsValid(key)) result.Add(key);
            else if (AgeRecipients.IsPrivateKey(key))
                r.Error($"{StackValues.Key("backupAgeRecipients")}[{i}]", "is an age private key; it must never be in a stack file or on a server.",
                    "Remove it from the file (and rotate it: it is in git history now), and give the public key age-keygen -y prints (age1…).");
            else
                r.Error($"{StackValues.Key("backupAgeRecipients")}[{i}]", $"'{(key.Length > 24 ? key[..24] + "…" : key)}' is not an age recipient.",
                    "Give the public key age-keygen prints (age1…, 62 characters, copied whole: its last 6 are a checksum), or an ssh-ed25519/ssh-rsa public key line; keep the private key off the servers.");
        }
        return result.ToImmutable();
    }

    /// <summary>A backup job's cron schedule: valid, firing at all, and never so rarely that its heartbeat monitor gives up.</summary>
    private static string Schedule(StackValues v, string name)
    {
        var r = v.R;
        var value = v.Str(name).Trim();
        if (!CronSchedule.TryParse(value, out var schedule, out var problem))
        {
            r.Error(StackValues.Key(name), $"'{value}' is not a valid cron schedule: {problem}", "Use five fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *' (03:00 UTC daily).");
            return value;
        }
        var gap = schedule!.LongestGap();
        if (gap is null)
            r.Error(StackValues.Key(name), $"'{value}' never fires: no date matches it (e.g. 31 February, or 31 April).",
                "Use a day of the month that every chosen month has, e.g. '0 3 28 2 *', or '0 3 * * *' for daily.");
        else if (gap.Value.TotalSeconds + Operations.Backups.HeartbeatGraceSeconds > MonitorSpec.MaxIntervalSeconds)
            r.Error(StackValues.Key(name), $"'{value}' can leave {gap.Value.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days between runs; the job's heartbeat monitor cannot wait longer than {MonitorSpec.MaxIntervalSeconds / 86400} days (Uptime Kuma's limit), so a stopped job would go unnoticed.",
                "Run it at least every 23 days, e.g. weekly '0 3 * * 0' or daily '0 3 * * *'.");
        return value;
    }
}
