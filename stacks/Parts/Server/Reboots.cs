using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Monitoring;

namespace Platform.Stacks.Parts;

/// <summary>
/// Kernel and library updates that need a reboot. Unattended upgrades install them and Ubuntu marks the need in
/// <see cref="Marker"/>; a timer on every server pushes that state to a monitor of its own (red while a reboot is
/// pending), and with <c>platform:rebootWindow</c> unattended-upgrades reboots the server itself at the window's time
/// (<c>Unattended-Upgrade::Automatic-Reboot-Time</c>, server time: UTC), on split stacks one server at a time,
/// <see cref="SpacingMinutes"/> apart: the app servers first (the load balancer routes around the one rebooting),
/// the data server last. Both are installed by one host command per server (a server's user data never changes after
/// it is made); new servers also get the reboot policy from cloud-init.
/// </summary>
public static class Reboots
{
    public const string Marker = "/var/run/reboot-required";
    public const string ScriptPath = "/usr/local/sbin/platform-reboot-check";
    public const string EnvPath = "/etc/platform/reboot-check.env";
    public const string Unit = "platform-reboot-check";
    public const string AptConfPath = "/etc/apt/apt.conf.d/52platform-reboot";
    public const string CommandName = "reboot-policy";
    public const int CheckMinutes = 15;
    /// <summary>Between two servers' reboots: one boots and its containers turn healthy (2–3 min) well within it.</summary>
    public const int SpacingMinutes = 20;

    /// <summary>Measured figures the plan states: a server's boot and its containers healthy again.</summary>
    public const string SingleServerDowntime = "about 2–3 minutes without any service (boot ~1 min, then every container starts and turns healthy)";

    public static string MonitorId(ServerKey k) => k.ReportsToDataServer ? $"reboot-required-{k.Id}" : "reboot-required";
    public static string TokenSecret(ServerKey k) => k.ReportsToDataServer ? $"reboot-check-{k.Id}-push-token" : "reboot-check-push-token";

    /// <summary>The servers in reboot order: app servers by number, then the data server; the single server alone.</summary>
    public static ImmutableArray<ServerKey> Order(Settings.StackSettings s) =>
        s.Topology is { } t ? [.. t.ReportingServers, ServerKey.Data] : [ServerKey.Single];

    /// <summary>One push monitor per server: down while a reboot is pending, red too when no push arrives for two checks.</summary>
    public static ImmutableArray<MonitorSpec> Monitors(Settings.StackSettings s, string? notification) =>
        [.. Order(s).Select(k => MonitorSpec.Push(MonitorId(k), $"Reboot required ({k.Id})", CheckMinutes * 60 * 2, TokenSecret(k), notification))];

    public static ImmutableArray<GeneratedSecret> Secrets(Settings.StackSettings s) =>
        [.. Order(s).Select(k => new GeneratedSecret(TokenSecret(k), 32, true, $"Uptime Kuma push token of {k.Id}'s reboot-required monitor"))];

    /// <summary>The <c>HH:MM</c> (UTC) <paramref name="server"/> reboots at within the window, or null without one.</summary>
    public static string? TimeFor(Settings.StackSettings s, ServerKey server)
    {
        if (s.RebootWindow is not { } window) return null;
        var start = TimeOnly.ParseExact(window, "HH:mm", CultureInfo.InvariantCulture);
        var index = Order(s).IndexOf(server);
        return start.AddMinutes(index * SpacingMinutes).ToString("HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>unattended-upgrades' reboot policy: reboot at <paramref name="time"/>, or never by itself.</summary>
    public static string AptConf(string? time) => time is null
        ? "// Rendered by the platform: no rebootWindow, so never reboot by itself (the reboot-required monitor says when one is due).\nUnattended-Upgrade::Automatic-Reboot \"false\";\n"
        : $"// Rendered by the platform (rebootWindow): reboot at {time} UTC when an upgrade requires it.\nUnattended-Upgrade::Automatic-Reboot \"true\";\nUnattended-Upgrade::Automatic-Reboot-WithUsers \"true\";\nUnattended-Upgrade::Automatic-Reboot-Time \"{time}\";\n";

    /// <summary>
    /// The check (POSIX sh, root): pushes down with the packages that want the reboot while <see cref="Marker"/> exists, up
    /// otherwise. Uptime Kuma is <c>KUMA_URL</c> when set (a split stack's app server: the data server's private address),
    /// else found by its address on the data network (the host is on every bridge network). <c>MARKER</c> and <c>ENV_FILE</c> override the paths (tests).
    /// </summary>
    public static string Script(string uptimeKuma, string network, int port) => ScriptText(uptimeKuma, port,
        "{{with index .NetworkSettings.Networks \"" + network + "\"}}{{.IPAddress}}{{end}}");

    private static string ScriptText(string uptimeKuma, int port, string addressTemplate) => $$"""
        #!/bin/sh
        # Reboot-required check -> Uptime Kuma push monitor. Rendered by the platform; do not edit by hand.
        set -u
        . "${ENV_FILE:-{{EnvPath}}}"
        marker=${MARKER:-{{Marker}}}
        if [ -e "$marker" ]; then
          status=down; msg="reboot required: $(tr '\n' ' ' < "$marker.pkgs" 2>/dev/null | cut -c1-200)"
        else
          status=up; msg="no reboot required"
        fi
        url=${KUMA_URL:-}
        if [ -z "$url" ]; then
          ip=$(docker inspect -f '{{addressTemplate}}' {{uptimeKuma}} 2>/dev/null || true)
          [ -n "$ip" ] && url="http://$ip:{{port.ToString(CultureInfo.InvariantCulture)}}"
        fi
        echo "reboot check: $status ($msg)"
        [ -n "$url" ] || { echo "{{uptimeKuma}} not found: no push" >&2; exit 0; }
        curl -fsS -m 10 -o /dev/null -G "$url/api/push/$PUSH_TOKEN" --data-urlencode "status=$status" --data-urlencode "msg=$msg" || echo "push failed" >&2

        """;

    /// <summary>The host command of <paramref name="server"/>: its check, env file (push token), timer and reboot policy.</summary>
    public static HostCommandSpec Command(Settings.StackSettings s, ServerKey server, string? kumaUrl)
    {
        var time = TimeFor(s, server);
        var b = new SecretTextBuilder().Line("set -eu").Line("sudo install -d -m 0700 /etc/platform");
        Blueprint.HostFiles.Write(b, ScriptPath, "0755", SecretText.Plain(Script(ServiceNames.UptimeKuma, ServiceNames.DataNetwork, MonitoringBlueprint.UptimeKumaPort)));
        var env = new SecretTextBuilder().Text("PUSH_TOKEN=").Secret(TokenSecret(server)).Line();
        if (kumaUrl is not null) env.Line($"KUMA_URL={kumaUrl}");
        Blueprint.HostFiles.Write(b, EnvPath, "0600", env.Build());
        Blueprint.HostFiles.Write(b, AptConfPath, "0644", SecretText.Plain(AptConf(time)));
        Blueprint.HostFiles.Write(b, $"/etc/systemd/system/{Unit}.service", "0644", SecretText.Plain(string.Join("\n",
            "[Unit]", "Description=Push whether a reboot is required to Uptime Kuma", "After=docker.service", "",
            "[Service]", "Type=oneshot", $"ExecStart={ScriptPath}", "")));
        Blueprint.HostFiles.Write(b, $"/etc/systemd/system/{Unit}.timer", "0644", SecretText.Plain(string.Join("\n",
            "[Unit]", "Description=Reboot-required check", "", "[Timer]", "OnBootSec=2min", $"OnUnitActiveSec={CheckMinutes}min", "",
            "[Install]", "WantedBy=timers.target", "")));
        b.Line("sudo systemctl daemon-reload");
        b.Line($"sudo systemctl enable --now {Unit}.timer >/dev/null");
        return new HostCommandSpec(server.Qualify(CommandName), Description(s, server, time), "sh -s", b.Build(), [])
        {
            Part = PartId.Monitoring,
            Host = server,
            Delete = $"sudo systemctl disable --now {Unit}.timer 2>/dev/null || true; sudo rm -f /etc/systemd/system/{Unit}.service /etc/systemd/system/{Unit}.timer {ScriptPath} {EnvPath} {AptConfPath}; sudo systemctl daemon-reload",
        };
    }

    private static string Description(Settings.StackSettings s, ServerKey server, string? time) =>
        $"installs a check every {CheckMinutes} min that turns monitor {MonitorId(server)} red while a reboot is required; " + (time is null
            ? "never reboots by itself (no rebootWindow)"
            : $"reboots by itself at {time} UTC when an upgrade requires it" + (s.Topology is null ? $": {SingleServerDowntime}"
                : server.Role == ServerRole.App ? $" ({SpacingMinutes} min after the previous app server; the load balancer routes around it)"
                : server.Role == ServerRole.Cache ? $" ({SpacingMinutes} min after the previous server: Redis is down for about 2 minutes)"
                : server.Role == ServerRole.Files ? $" ({SpacingMinutes} min after the previous server: MinIO is down for about 2 minutes)"
                : s.Topology.Files is null ? " (after every app server: the databases, MinIO and Uptime Kuma are down for about 2 minutes)"
                : " (after every other server: the databases and Uptime Kuma are down for about 2 minutes)"));

    /// <summary>Sets each server's reboot time and adds each server's reboot-policy host command.</summary>
    public static PlatformBlueprint Apply(Settings.StackSettings s, PlatformBlueprint b)
    {
        var dataKuma = s.Topology is null ? null : $"http://{PrivateAddresses.Of(ServerKey.Data)}:{MonitoringBlueprint.UptimeKumaPort.ToString(CultureInfo.InvariantCulture)}";
        return b with
        {
            Servers = [.. b.Servers.Select(x => x with { RebootAt = TimeFor(s, x.Key) })],
            HostCommands = [.. b.HostCommands.Concat(Order(s).Select(k => Command(s, k, k.ReportsToDataServer ? dataKuma : null))).OrderBy(c => c.Name, StringComparer.Ordinal)],
        };
    }
}
