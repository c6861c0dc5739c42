using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
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
}
