using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Backups;

/// <summary>The backups part on the stack: the host's systemd timers that run every job.</summary>
public static class BackupsBlueprint
{
    public const string BackupTimersCommand = "backup-timers";

    /// <summary>
    /// Installs the backups' systemd timers on the server that runs them (<see cref="BackupTimers"/>): the host's root
    /// execs the dumps and the runner's one-off runs, so no container needs a Docker API. Jobs no longer in the stack
    /// lose their timers and files.
    /// </summary>
    internal static HostCommandSpec BackupTimersHostCommand(BackupPlan plan) => BackupTimersHostCommand(plan.Jobs, null, null);

    /// <summary>
    /// The timers of <paramref name="jobs"/> on <paramref name="server"/> (null: the server of the one runner), run by the
    /// runner there; with <paramref name="uptimeKumaUrl"/> the heartbeats go to that address (a split stack's cache or file
    /// server, whose own runner archives its own data, reports to Uptime Kuma on the data server).
    /// </summary>
    internal static HostCommandSpec BackupTimersHostCommand(IReadOnlyList<BackupJob> jobs, ServerKey? server, string? uptimeKumaUrl)
    {
        var runner = Operations.Backups.RunnerName;
        var b = new SecretTextBuilder();
        b.Line("set -eu");
        b.Line($"sudo install -d -m 0700 {BackupTimers.Directory}");
        foreach (var f in BackupTimers.Files(jobs, runner, ServiceNames.UptimeKuma, ServiceNames.EdgeNetwork, Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort, uptimeKumaUrl))
            HostFiles.Write(b, f.Path, f.Mode, f.Content);
        var units = jobs.Select(j => BackupTimers.Unit(j.Name)).ToList();
        var prefix = BackupTimers.UnitPrefix;
        b.Line($"for t in /etc/systemd/system/{prefix}*.timer; do [ -e \"$t\" ] || continue; u=$(basename \"$t\" .timer); case \" {string.Join(" ", units)} \" in *\" $u \"*) ;; *) sudo systemctl disable --now \"$u.timer\" || true; sudo rm -f \"/etc/systemd/system/$u.timer\" \"/etc/systemd/system/$u.service\" \"{BackupTimers.Directory}/${{u#{prefix}}}.sh\" \"{BackupTimers.Directory}/${{u#{prefix}}}.env\";; esac; done");
        b.Line("sudo systemctl daemon-reload");
        foreach (var unit in units) b.Line($"sudo systemctl enable --now {unit}.timer >/dev/null");
        var dumpContainers = jobs.Select(j => j.DumpContainer).OfType<string>().Distinct(StringComparer.Ordinal);
        return new HostCommandSpec(server?.Qualify(BackupTimersCommand) ?? BackupTimersCommand,
            $"installs the backups' systemd timers ({string.Join(", ", jobs.Select(j => $"{j.Name} '{j.Schedule}'"))}); each dumps inside its database container, runs the runner once and reports to its heartbeat",
            // The jobs report to Uptime Kuma's heartbeats: its monitors come first.
            // On a cache or file server Uptime Kuma is on the data server: nothing to wait for here.
            "sh -s", b.Build(), [server?.Qualify(runner) ?? runner, .. dumpContainers, .. uptimeKumaUrl is null ? [ServiceNames.UptimeKuma] : Array.Empty<string>()])
        {
            Part = PartId.Backups,
            Host = server ?? ServerKey.Single,
            Delete = $"for t in /etc/systemd/system/{prefix}*.timer; do [ -e \"$t\" ] || continue; sudo systemctl disable --now \"$(basename \"$t\")\" || true; done; sudo rm -f /etc/systemd/system/{prefix}*; sudo rm -rf {BackupTimers.Directory}; sudo systemctl daemon-reload",
        };
    }

    /// <summary>What the backup jobs (and the restore script) are rendered from; null when backups are off.</summary>
    public static BackupsInput? BackupsInput(StackSettings s)
    {
        if (!s.Backups.Enabled) return null;
        var b = s.Backups;
        var networks = new OpsNetworks(ServiceNames.DataNetwork, ServiceNames.EdgeNetwork);
        return new BackupsInput(
                b.Service.Image,
                new S3Target(b.S3Endpoint, b.S3Bucket, b.S3Region, "backupS3AccessKeyId", "backupS3SecretAccessKey",
                    b.Encrypt ? "backupEncryptionPassphrase" : null, $"{s.Project}-{s.Stack}")
                {
                    AgeRecipients = b.Encrypt ? b.AgeRecipients : [],
                    RunnerPrunes = !b.RetentionByBucket,
                },
                new BackupSources(
                    [.. DatabaseNames(s, DatabaseEngine.Postgres)],
                    s.Postgres.Service.Image, SecretNames.PostgresSuperuser,
                    s.Redis.Service.Image, SecretNames.RedisAdmin,
                    Parts.Storage.MinioBlueprint.DataVolume,
                    ServiceNames.Postgres, AppEnvironment.PostgresPort, PostgresConfig.Superuser,
                    [.. Parts.Redis.RedisNames.Of(s).Select(i => new RedisDumpSource(Parts.Redis.RedisNames.BackupJob(i.Owner), i.Container, i.Port, Parts.Redis.RedisNames.DumpVolume(i.Owner)))], RedisConfig.AdminUser,
                    [.. s.Apps.SelectMany(a => a.Volumes.Select(v => AppNames.Volume(a.Name, v.Name))).Order(StringComparer.Ordinal)],
                    s.Postgres.Pitr ? s.Postgres.PitrRetentionDays : null),
                new BackupPolicy(b.PostgresDailySchedule, b.PostgresDailyRetentionDays, b.PostgresHourlySchedule, b.PostgresHourlyRetentionHours,
                    b.RedisSchedule, b.RedisRetentionHours, b.MinioSchedule, b.MinioRetentionDays) { HourlyEnabled = b.HourlyEnabled },
                networks, Parts.Monitoring.MonitoringBlueprint.UptimeKumaInternalUrl, b.Service.MemoryMb) { StorageBox = b.StorageBox };
    }

    /// <summary>The stack's app databases on one engine, sorted.</summary>
    internal static IEnumerable<string> DatabaseNames(StackSettings s, DatabaseEngine engine) =>
        s.Apps.Where(a => a.Database?.Engine == engine).Select(a => BlueprintBuilder.DatabaseNames(a).Database).Order(StringComparer.Ordinal);

    /// <summary>A backup job as the plan shows it.</summary>
    internal static BackupJobView View(BackupJob j, StackSettings s)
    {
        string Dbs(DatabaseEngine engine) => string.Join(", ", DatabaseNames(s, engine));
        var what = j.Subject switch
        {
            BackupSubject.Postgres => $"{j.What}: {Dbs(DatabaseEngine.Postgres)}",
            BackupSubject.MariaDb => $"{j.What}: {Dbs(DatabaseEngine.MariaDb)}",
            BackupSubject.AppVolumes => $"{j.What}: {string.Join(", ", j.SourceMounts.Select(m => m.Source).Order(StringComparer.Ordinal))}",
            _ => j.What,
        };
        var keep = j.RetentionDays == 1 ? "1 day" : $"{j.RetentionDays} days";
        // Pruned by the bucket's lifecycle rule: the plan says what that rule must keep, for each prefix.
        if (s.Backups.RetentionByBucket) keep += " (by the bucket's lifecycle rule; the runner's key only writes)";
        if (s.Backups.Encrypt && !s.Backups.AgeRecipients.IsEmpty && j.Name != Data.Pitr.JobName)
            keep += $"; encrypted to {s.Backups.AgeRecipients.Length} age recipient{(s.Backups.AgeRecipients.Length == 1 ? "" : "s")} (no key to read it on the server)";
        return new BackupJobView(j.Name, what, j.Schedule, j.Destination, keep);
    }

}
