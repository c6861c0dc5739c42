using System.Collections.Immutable;
using System.Globalization;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// How an app container leaves Traefik's rotation before it is stopped, and how long it is given to finish.
///
/// Traefik's Docker provider (v3.3.6, <c>pkg/provider/docker/pdocker.go</c>, the events loop) lists the containers
/// again only on a container's <c>start</c>, <c>die</c> and <c>health_status…</c> events, and its
/// <c>keepContainer</c> (<c>pkg/provider/docker/config.go</c>) drops a container whose health is neither empty nor
/// <c>healthy</c>. A <c>docker stop</c> emits <c>kill</c> first, which Traefik ignores: without draining, the old
/// container stays in the rotation from its stop signal until its process dies, and every request sent to it
/// then (an app that stops accepting on SIGTERM) is refused. So before the stop signal, the platform marks the
/// container draining (a file in a tmpfs only it has); the health check fails from the next run on, Docker turns it
/// <c>unhealthy</c> after <see cref="Conventions.Health"/>'s retries and emits <c>health_status: unhealthy</c>,
/// Traefik lists again and drops it; only then does the stop come, with <see cref="GraceSeconds"/> before SIGKILL.
/// Requests in flight on it keep running the whole time: draining closes no connection.
///
/// Both the Pulumi shell (a command whose delete step runs the script right before the provider's destroy, which
/// stops with <c>destroyGraceSeconds</c>) and the rehearsal (before it stops the old container) run <see cref="Script"/>.
/// </summary>
public static class Draining
{
    /// <summary>A tmpfs of its own in every drained app container: writable on a read-only root, gone with the container.</summary>
    public const string Directory = "/run/platform-drain";

    /// <summary>The file whose presence fails the health check.</summary>
    public const string Marker = Directory + "/draining";

    /// <summary>The tmpfs options of <see cref="Directory"/>: a few bytes are enough; 1777 so the app itself may drain too.</summary>
    public const string TmpfsOptions = "size=64k,mode=1777";

    /// <summary>Seconds from the stop signal to SIGKILL: what an app gets to finish its requests in flight.</summary>
    public const int GraceSeconds = 30;

    /// <summary>
    /// Seconds Traefik needs after the health status changes: its providers' throttle (<c>providersThrottleDuration</c>,
    /// 2 s by default, <c>cmd/configuration.go</c>) plus one second for the new configuration to apply.
    /// </summary>
    public const int TraefikSettleSeconds = 3;

    /// <summary>
    /// The drain-aware HTTP check: fails while <see cref="Marker"/> exists, else exactly <see cref="HealthProbe.HttpCheck"/>'s
    /// request. BusyBox's own <c>sh</c> (the probe binary) runs it, so images without a shell work too; the URL is an
    /// argument (<c>$0</c>), never parsed by the shell.
    /// </summary>
    public static ImmutableArray<string> HttpCheck(int port, string path) =>
        ["CMD", HealthProbe.ContainerPath, "sh", "-c",
            $"[ ! -e {Marker} ] && exec {HealthProbe.ContainerPath} wget -q -O /dev/null \"$0\"",
            $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}"];


    /// <summary>Whether a health test is the drain-aware check.</summary>
    public static bool Uses(ImmutableArray<string> test) =>
        HealthProbe.Uses(test) && test.Length > 4 && test[2] == "sh" && test[4].Contains(Marker, StringComparison.Ordinal);

    /// <summary>
    /// The longest the drain waits for Docker to call the container unhealthy: <c>retries</c> failing runs, one
    /// <c>interval</c> apart, each allowed its <c>timeout</c>, plus one interval for the run under way when the marker
    /// appeared, then <see cref="TraefikSettleSeconds"/>.
    /// </summary>
    public static int WaitSeconds(HealthCheckSpec health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return (health.Retries + 1) * health.IntervalSeconds + health.TimeoutSeconds + TraefikSettleSeconds;
    }

    /// <summary>
    /// The host script that drains the container <paramref name="container"/> (run as the deploy user, with Docker's
    /// client): marks it draining, waits until Docker calls it unhealthy (at most <paramref name="waitSeconds"/>), then
    /// lets Traefik settle. A container that is gone or stopped already is not in the rotation: nothing to do.
    /// It never fails the deployment: the stop that follows is what removes the container.
    /// </summary>
    public static string Script(string container, int waitSeconds)
    {
        if (string.IsNullOrEmpty(container) || container.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')))
            throw new ArgumentException($"'{container}' is no Docker container name.", nameof(container));
        var w = waitSeconds.ToString(CultureInfo.InvariantCulture);
        var settle = TraefikSettleSeconds.ToString(CultureInfo.InvariantCulture);
        const string status = "{{if .State.Running}}{{if .State.Health}}{{.State.Health.Status}}{{end}}{{end}}";
        return $$"""
            c={{container}}
            health() { docker inspect -f '{{status}}' "$c" 2>/dev/null; }
            [ "$(health)" = healthy ] || { echo "$c: not in the rotation, nothing to drain"; exit 0; }
            docker exec -u 0 "$c" {{HealthProbe.ContainerPath}} touch {{Marker}} || { echo "$c: could not be marked draining" >&2; exit 0; }
            i=0
            while [ "$(health)" = healthy ] && [ "$i" -lt {{w}} ]; do sleep 1; i=$((i+1)); done
            sleep {{settle}}
            echo "$c: drained in $((i+{{settle}})) s ($(health))"
            """;
    }
}
