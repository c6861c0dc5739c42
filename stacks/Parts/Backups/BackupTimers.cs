using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;

namespace Platform.Stacks.Operations;

/// <summary>A file the host command writes on the server, with its mode.</summary>
public sealed record HostFile(string Path, string Mode, SecretText Content);

/// <summary>
/// The backups' schedules on the host: per job a root systemd timer that execs the dump inside the database (or agent)
/// container, then one run of the runner, then pushes the job's heartbeat. The host's root does what needed the Docker
/// API; no container gets any of it, so no container can exec into, create or inspect another.
/// </summary>
public static class BackupTimers
{
    /// <summary>Root-only folder of the job scripts and their env files (push token, the dump's secrets).</summary>
    public const string Directory = "/etc/platform/backups";

    /// <summary>Prefix of every backup unit, so units of jobs no longer in the stack are found and removed.</summary>
    public const string UnitPrefix = "platform-backup-";

    public static string Unit(string job) => UnitPrefix + job;

    public static string ScriptPath(string job) => $"{Directory}/{job}.sh";

    public static string EnvPath(string job) => $"{Directory}/{job}.env";

    /// <summary>
    /// The job's script, run by its timer as root: the dump (when the job has one) inside <see cref="BackupJob.DumpContainer"/>
    /// as <see cref="BackupJob.DumpUser"/> (the dump directory is handed to that user first), then the runner's one-off run,
    /// then the heartbeat: up when both succeeded, down with the failed step otherwise. Uptime Kuma is found by its address
    /// on <paramref name="heartbeatNetwork"/> (the host is on every bridge network), or at <paramref name="uptimeKumaUrl"/> when
    /// it runs on another server (a split stack's cache or file server reaches the data server's private address).
    /// </summary>
    public static string Script(BackupJob job, string runner, string uptimeKuma, string heartbeatNetwork, int uptimeKumaPort, string? uptimeKumaUrl = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var lines = new List<string>
        {
            "#!/bin/sh",
            $"# Backup job {job.Name}: {job.What}. Started by {Unit(job.Name)}.timer ('{job.Schedule}' UTC). Rendered by the platform.",
            "set -u",
            "status=up; msg=OK",
        };
        if (job.DumpContainer is { } container && job.DumpScript is { } script)
        {
            var env = string.Concat(job.DumpEnv.Select(e => $" -e {e.Name}"));
            var user = job.DumpUser is { } u ? $" -u {Backups.ShellQuote(u)}" : "";
            if (job.DumpUser is { } owner)
                lines.Add($"docker exec {Backups.ShellQuote(container)} chown {Backups.ShellQuote(owner)} {Backups.DumpDir} || {{ rc=$?; status=down; msg=dump%20directory%20exit%20$rc; }}");
            lines.Add($"[ \"$status\" = up ] && {{ docker exec{env}{user} {Backups.ShellQuote(container)} {Backups.ToShell(["sh", "-c", script])} || {{ rc=$?; status=down; msg=dump%20failed%20exit%20$rc; }}; }}");
        }
        // The runner accepts any host key, so the host checks the Storage Box's before the run; a box that shows
        // another key gets nothing (the runner's SSH target is blanked for this run) and the job reports down.
        if (job.StorageBoxCheck is { } check)
            lines.Add($"box=; [ \"$status\" = up ] && {{ {check} || box='-e SSH_HOST_NAME='; }}");
        lines.Add($"[ \"$status\" = up ] && {{ docker exec{(job.StorageBoxCheck is null ? "" : " $box")} {Backups.ShellQuote(runner)} {Backups.ToShell(Backups.RunCommand(job.Name))} || {{ rc=$?; status=down; msg=upload%20failed%20exit%20$rc; }}; }}");
        if (job.StorageBoxCheck is not null)
            lines.Add("[ \"$status\" = up ] && [ -n \"$box\" ] && { status=down; msg=storage%20box%20host%20key%20is%20not%20the%20pinned%20one%3A%20uploaded%20to%20S3%20only; }");
        if (uptimeKumaUrl is not null)
            lines.Add($"curl -fsS -m 10 -o /dev/null \"{uptimeKumaUrl}/api/push/$PUSH_TOKEN?status=$status&msg=$msg\" || echo 'heartbeat push failed' >&2");
        else
        {
            lines.Add($"ip=$(docker inspect -f '{{{{with index .NetworkSettings.Networks \"{heartbeatNetwork}\"}}}}{{{{.IPAddress}}}}{{{{end}}}}' {uptimeKuma} 2>/dev/null || true)");
            lines.Add($"if [ -n \"$ip\" ]; then curl -fsS -m 10 -o /dev/null \"http://$ip:{uptimeKumaPort.ToString(CultureInfo.InvariantCulture)}/api/push/$PUSH_TOKEN?status=$status&msg=$msg\" || echo 'heartbeat push failed' >&2; else echo '{uptimeKuma} is not running: no heartbeat' >&2; fi");
        }
        lines.Add("echo \"backup " + job.Name + ": $status ($msg)\"");
        lines.Add("[ \"$status\" = up ]");
        lines.Add("");
        return string.Join("\n", lines);
    }

    /// <summary>The job's env file (root-only): its push token and the secrets only its dump's exec gets.</summary>
    public static SecretText Env(BackupJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var b = new SecretTextBuilder().Text("PUSH_TOKEN=").Secret(job.PushToken.Name).Line();
        foreach (var e in job.DumpEnv) b.Text(e.Name + "=").Append(e.Value).Line();
        return b.Build();
    }

    public static string Service(BackupJob job) => string.Join("\n",
        "[Unit]",
        $"Description=Backup {job.Name}: {job.What}",
        "Requires=docker.service",
        "After=docker.service",
        "",
        "[Service]",
        "Type=oneshot",
        $"EnvironmentFile={EnvPath(job.Name)}",
        $"ExecStart={ScriptPath(job.Name)}",
        "");

    public static string Timer(BackupJob job) => CronSchedule.TimerUnit($"Schedule '{job.Schedule}' (UTC) of the backup {job.Name}", job.Schedule);

    /// <summary>Every file the host command writes, in order: per job its script, env file, service and timer.</summary>
    public static ImmutableArray<HostFile> Files(IEnumerable<BackupJob> jobs, string runner, string uptimeKuma, string heartbeatNetwork, int uptimeKumaPort, string? uptimeKumaUrl = null) =>
    [
        .. jobs.SelectMany(j => new[]
        {
            new HostFile(ScriptPath(j.Name), "0700", SecretText.Plain(Script(j, runner, uptimeKuma, heartbeatNetwork, uptimeKumaPort, uptimeKumaUrl))),
            new HostFile(EnvPath(j.Name), "0600", Env(j)),
            new HostFile($"/etc/systemd/system/{Unit(j.Name)}.service", "0644", SecretText.Plain(Service(j))),
            new HostFile($"/etc/systemd/system/{Unit(j.Name)}.timer", "0644", SecretText.Plain(Timer(j))),
        }),
    ];
}
