using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    public const string BackupTimersCommand = "backup-timers";

    /// <summary>
    /// Installs the backups' systemd timers on the server that runs them (<see cref="BackupTimers"/>): the host's root
    /// execs the dumps and the runner's one-off runs, so no container needs a Docker API. Jobs no longer in the stack
    /// lose their timers and files.
    /// </summary>
    private static HostCommandSpec BackupTimersHostCommand(BackupPlan plan)
    {
        var b = new SecretTextBuilder();
        b.Line("set -eu");
        b.Line($"sudo install -d -m 0700 {BackupTimers.Directory}");
        foreach (var f in BackupTimers.Files(plan.Jobs, Backups.RunnerName, ServiceNames.UptimeKuma, ServiceNames.EdgeNetwork, UptimeKumaPort))
            HostFiles.Write(b, f.Path, f.Mode, f.Content);
        var units = plan.Jobs.Select(j => BackupTimers.Unit(j.Name)).ToList();
        var prefix = BackupTimers.UnitPrefix;
        b.Line($"for t in /etc/systemd/system/{prefix}*.timer; do [ -e \"$t\" ] || continue; u=$(basename \"$t\" .timer); case \" {string.Join(" ", units)} \" in *\" $u \"*) ;; *) sudo systemctl disable --now \"$u.timer\" || true; sudo rm -f \"/etc/systemd/system/$u.timer\" \"/etc/systemd/system/$u.service\" \"{BackupTimers.Directory}/${{u#{prefix}}}.sh\" \"{BackupTimers.Directory}/${{u#{prefix}}}.env\";; esac; done");
        b.Line("sudo systemctl daemon-reload");
        foreach (var unit in units) b.Line($"sudo systemctl enable --now {unit}.timer >/dev/null");
        var dumpContainers = plan.Jobs.Select(j => j.DumpContainer).OfType<string>().Distinct(StringComparer.Ordinal);
        return new HostCommandSpec(BackupTimersCommand,
            $"installs the backups' systemd timers ({string.Join(", ", plan.Jobs.Select(j => $"{j.Name} '{j.Schedule}'"))}); each dumps inside its database container, runs the runner once and reports to its heartbeat",
            // The jobs report to Uptime Kuma's heartbeats: its monitors come first.
            "sh -s", b.Build(), [Backups.RunnerName, .. dumpContainers, ServiceNames.UptimeKuma])
        {
            Part = PartId.Backups,
            Delete = $"for t in /etc/systemd/system/{prefix}*.timer; do [ -e \"$t\" ] || continue; sudo systemctl disable --now \"$(basename \"$t\")\" || true; done; sudo rm -f /etc/systemd/system/{prefix}*; sudo rm -rf {BackupTimers.Directory}; sudo systemctl daemon-reload",
        };
    }
}
