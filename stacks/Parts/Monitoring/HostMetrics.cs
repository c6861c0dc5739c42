using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;

namespace Platform.Stacks.Operations;

/// <summary>What the threshold agent needs.</summary>
/// <param name="Image">An image with sh, awk, df, wget and psql: the PostgreSQL server's own (Alpine) image.</param>
/// <param name="Thresholds">The thresholds (DESIGN.md defaults in <see cref="AlertThresholds.Default"/>).</param>
/// <param name="PostgresHost">PostgreSQL on the data network.</param>
/// <param name="PostgresPasswordSecret">The monitoring role's password secret (to count connections; pg_monitor only).</param>
/// <param name="UptimeKumaUrl">Uptime Kuma's internal URL.</param>
/// <param name="Networks">The agent joins the data network (PostgreSQL and Uptime Kuma are there).</param>
/// <param name="MemoryMb">The agent's memory limit.</param>
/// <param name="WalArchiving">PostgreSQL archives WAL (point-in-time recovery): also watch the archiver and pg_wal's size.</param>
public sealed record HostMetricsInput(
    string Image,
    AlertThresholds Thresholds,
    string PostgresHost,
    string PostgresPasswordSecret,
    string UptimeKumaUrl,
    OpsNetworks Networks,
    int MemoryMb = 64,
    bool WalArchiving = false);

/// <summary>
/// Enforces the alert thresholds without a metrics stack: a small agent measures host CPU, memory, root
/// disk and PostgreSQL client connections every minute and pushes each to its own Uptime Kuma push
/// monitor — down (so the notification fires) above the critical threshold, up with a warning in the
/// message above the warning threshold. A silent agent turns the monitors red too: they expect a push
/// every interval.
/// </summary>
public static class HostMetrics
{
    public const string ContainerName = "host-metrics";
    public const string ScriptPath = "/platform/thresholds.sh";
    public const int IntervalSeconds = 60;
    public const string DiskProbeVolume = "host-metrics-disk-probe";

    /// <summary>The metrics, in the order the script reports them: id, display name, env var holding the push token.</summary>
    public static readonly ImmutableArray<(string Id, string Name, string TokenEnv)> Metrics =
    [
        ("cpu", "CPU", "PUSH_TOKEN_CPU"),
        ("memory", "Memory", "PUSH_TOKEN_MEMORY"),
        ("disk", "Disk", "PUSH_TOKEN_DISK"),
        ("db-connections", "DB connections", "PUSH_TOKEN_DB_CONNECTIONS"),
    ];

    public static string TokenSecret(string metricId) => $"host-metrics-{metricId}-push-token";

    /// <summary>With point-in-time recovery: a failing archive_command (pg_stat_archiver) and pg_wal's growth, each its own monitor.</summary>
    public static readonly ImmutableArray<(string Id, string Name, string TokenEnv)> PitrMetrics =
    [
        ("wal-archive", "WAL archive failing", "PUSH_TOKEN_WAL_ARCHIVE"),
        ("wal-size", "pg_wal size", "PUSH_TOKEN_WAL_SIZE"),
    ];

    /// <summary>The WAL monitors (<see cref="PitrMetrics"/>).</summary>
    public static ImmutableArray<MonitorSpec> PitrMonitorsFor(string? notification) =>
        [.. PitrMetrics.Select(m => MonitorSpec.Push($"threshold-{m.Id}", $"Threshold {m.Name}", IntervalSeconds * 2, TokenSecret(m.Id), notification))];

    public static ImmutableArray<GeneratedSecret> PitrSecrets =>
        [.. PitrMetrics.Select(m => new GeneratedSecret(TokenSecret(m.Id), 32, true, $"Uptime Kuma push token of the {m.Name} threshold monitor"))];

    /// <summary>One push monitor per metric; it goes red when a push says down or none arrives for two intervals.</summary>
    public static ImmutableArray<MonitorSpec> MonitorsFor(string? notification) =>
        [.. Metrics.Select(m => MonitorSpec.Push($"threshold-{m.Id}", $"Threshold {m.Name}", IntervalSeconds * 2, TokenSecret(m.Id), notification))];

    public static ImmutableArray<GeneratedSecret> Secrets =>
        [.. Metrics.Select(m => new GeneratedSecret(TokenSecret(m.Id), 32, true, $"Uptime Kuma push token of the {m.Name} threshold monitor"))];

    /// <summary>The metrics of a server without PostgreSQL (a split stack's app server): CPU, memory and disk.</summary>
    public static ImmutableArray<(string Id, string Name, string TokenEnv)> HostOnlyMetrics => [.. Metrics.Where(m => m.Id != "db-connections")];

    /// <summary>Push token of a metric of another server than the data one, e.g. <c>host-metrics-app-2-cpu-push-token</c>.</summary>
    public static string TokenSecret(string metricId, Parts.ServerKey server) =>
        server.ReportsToDataServer ? $"host-metrics-{server.Id}-{metricId}-push-token" : TokenSecret(metricId);

    /// <summary>An app server's own threshold monitors (<c>threshold-cpu-app-2</c>, …).</summary>
    public static ImmutableArray<MonitorSpec> MonitorsFor(string? notification, Parts.ServerKey server) =>
        [.. HostOnlyMetrics.Select(m => MonitorSpec.Push($"threshold-{m.Id}-{server.Id}", $"Threshold {m.Name} ({server.Id})", IntervalSeconds * 2, TokenSecret(m.Id, server), notification))];

    public static ImmutableArray<GeneratedSecret> SecretsFor(Parts.ServerKey server) =>
        [.. HostOnlyMetrics.Select(m => new GeneratedSecret(TokenSecret(m.Id, server), 32, true, $"Uptime Kuma push token of {server.Id}'s {m.Name} threshold monitor"))];

    public static OpsContainer Container(HostMetricsInput input)
    {
        var t = input.Thresholds;
        if (t.Problems() is { Count: > 0 } problems) throw new ArgumentException(string.Join(" ", problems), nameof(input));
        var env = new List<EnvVar>
        {
            EnvVar.Plain("KUMA_URL", input.UptimeKumaUrl),
            EnvVar.Plain("PGHOST", input.PostgresHost),
            // pg_monitor reads every session in pg_stat_activity and the WAL directory's size; no superuser.
            EnvVar.Plain("PGUSER", Data.MonitorRole.Name),
            EnvVar.Plain("PGDATABASE", "postgres"),
            EnvVar.Plain("ROOT", "/host"),
            EnvVar.Plain("INTERVAL", I(IntervalSeconds)),
        };
        // The password and the push tokens are files the script reads (SecretFiles), so an inspect shows none.
        var secrets = new List<UploadedFile> { new(SecretFile("PGPASSWORD"), SecretText.Of(new SecretPart(input.PostgresPasswordSecret))) };
        secrets.AddRange(Metrics.Select(m => TokenFile(m.TokenEnv, TokenSecret(m.Id))));
        if (input.WalArchiving) secrets.AddRange(PitrMetrics.Select(m => TokenFile(m.TokenEnv, TokenSecret(m.Id))));
        return new OpsContainer(
            Name: ContainerName,
            Image: input.Image,
            Command: ["sh", ScriptPath],
            Env: [.. env.OrderBy(e => e.Name, StringComparer.Ordinal)],
            Labels: ImmutableSortedDictionary<string, string>.Empty,
            // An empty volume: it lives on the disk that holds every Docker volume, so df of it is that disk's
            // usage — without exposing any host path. /proc already shows the host's CPU and memory.
            Mounts: [Mount.Volume(DiskProbeVolume, "/host", readOnly: true)],
            Networks: [input.Networks.Data],
            Files: [new UploadedFile(ScriptPath, SecretText.Plain(Script(t, input.WalArchiving))), .. secrets],
            Mode: RunMode.Service,
            MemoryMb: input.MemoryMb);
    }

    /// <summary>Client connections as a percentage of max_connections (what the DB connections monitor reports).</summary>
    public const string ConnectionsPercentSql =
        "select count(*) * 100 / current_setting('max_connections')::int from pg_stat_activity where backend_type = 'client backend'";

    /// <summary>Where the agent's secrets are: one file per variable the script sets from it.</summary>
    public const string SecretsDir = "/run/secrets/host-metrics";

    /// <summary>The file holding the value of the script's variable <paramref name="variable"/> (e.g. PUSH_TOKEN_CPU).</summary>
    public static string SecretFile(string variable) => $"{SecretsDir}/{variable.ToLowerInvariant().Replace('_', '-')}";

    /// <summary>A push token's file.</summary>
    public static UploadedFile TokenFile(string variable, string secret) => new(SecretFile(variable), SecretText.Of(new SecretPart(secret)));

    /// <summary>Healthy while the loop has run within the last three intervals.</summary>
    public static ImmutableArray<string> HealthCheck =>
        ["CMD-SHELL", $"test $(( $(date +%s) - $(stat -c %Y /tmp/thresholds.last) )) -lt {I(IntervalSeconds * 3)}"];

    /// <summary>
    /// The agent's POSIX sh script. Paths and the loop are overridable through env (PROC, ROOT, ONCE) so it
    /// can be run against fixture files in tests.
    /// </summary>
    public static string Script(AlertThresholds t, bool walArchiving = false)
    {
        var script = BaseScript(t);
        if (!walArchiving) return script;
        const string anchor = "  touch /tmp/thresholds.last\n", secrets = "export PGPASSWORD\n";
        var tokens = string.Concat(PitrMetrics.Select(m => $"{m.TokenEnv}=${{{m.TokenEnv}:-$(secret {SecretFile(m.TokenEnv)[(SecretsDir.Length + 1)..]})}}\n"));
        return script.Replace(secrets, tokens + secrets, StringComparison.Ordinal).Replace(anchor, WalLines + anchor, StringComparison.Ordinal);
    }

    private static string BaseScript(AlertThresholds t) => $$"""
        #!/bin/sh
        # Alert thresholds -> Uptime Kuma push monitors. Rendered by the platform; do not edit by hand.
        set -u
        PROC=${PROC:-/proc}
        ROOT=${ROOT:-/}
        INTERVAL=${INTERVAL:-60}
        ONCE=${ONCE:-}
        # Secrets are files (one per variable), not env: an inspect of the container shows none. A variable set in the
        # environment wins (the tests run the script that way); a metric without a token is not reported.
        SECRETS=${SECRETS:-{{SecretsDir}}}
        secret() { if [ -r "$SECRETS/$1" ]; then cat "$SECRETS/$1"; fi; }
        PGPASSWORD=${PGPASSWORD:-$(secret pgpassword)}
        PUSH_TOKEN_CPU=${PUSH_TOKEN_CPU:-$(secret push-token-cpu)}
        PUSH_TOKEN_MEMORY=${PUSH_TOKEN_MEMORY:-$(secret push-token-memory)}
        PUSH_TOKEN_DISK=${PUSH_TOKEN_DISK:-$(secret push-token-disk)}
        PUSH_TOKEN_DB_CONNECTIONS=${PUSH_TOKEN_DB_CONNECTIONS:-$(secret push-token-db-connections)}
        export PGPASSWORD

        cpu_sample() { awk '/^cpu /{ idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i; print total, idle }' "$PROC/stat"; }

        # report <token> <name> <percent or empty> <warn> <critical>; a metric without a token is not watched here
        report() {
          [ -n "$1" ] || return 0
          if [ -z "$3" ]; then status=down; msg="$2 could not be measured"
          elif [ "$3" -ge "$5" ]; then status=down; msg="$2 $3% >= $5% (critical)"
          elif [ "$3" -ge "$4" ]; then status=up; msg="$2 $3% >= $4% (warning)"
          else status=up; msg="$2 $3%"
          fi
          wget -q -O /dev/null -T 10 "$KUMA_URL/api/push/$1?status=$status&msg=$(printf '%s' "$msg" | sed 's/%/%25/g; s/ /%20/g; s/>/%3E/g; s/=/%3D/g; s/(/%28/g; s/)/%29/g')&ping=" || echo "push of $2 failed" >&2
        }

        prev=$(cpu_sample)
        [ -n "$ONCE" ] || sleep 5
        while :; do
          cur=$(cpu_sample)
          cpu=$(echo "$prev $cur" | awk '{ dt = $3 - $1; di = $4 - $2; if (dt <= 0) print 0; else printf "%d\n", (dt - di) * 100 / dt }')
          prev=$cur
          memory=$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { if (t > 0) printf "%d\n", (t - a) * 100 / t }' "$PROC/meminfo")
          disk=$(df -P "$ROOT" | awk 'NR == 2 { sub("%", "", $5); print $5 }')
          connections=$(psql -XAtq -c "{{ConnectionsPercentSql}}" 2>/dev/null)
          report "$PUSH_TOKEN_CPU" CPU "$cpu" {{I(t.Cpu.WarnPercent)}} {{I(t.Cpu.CriticalPercent)}}
          report "$PUSH_TOKEN_MEMORY" Memory "$memory" {{I(t.Memory.WarnPercent)}} {{I(t.Memory.CriticalPercent)}}
          report "$PUSH_TOKEN_DISK" Disk "$disk" {{I(t.Disk.WarnPercent)}} {{I(t.Disk.CriticalPercent)}}
          report "$PUSH_TOKEN_DB_CONNECTIONS" "DB connections" "$connections" {{I(t.DbConnections.WarnPercent)}} {{I(t.DbConnections.CriticalPercent)}}
          touch /tmp/thresholds.last
          [ -z "$ONCE" ] || break
          sleep "$INTERVAL"
        done

        """;

    /// <summary>The WAL checks (Pitr.ArchiveCheckSql, Pitr.WalSizePercentSql): a failing archiver is 100 (critical), a working one 0.</summary>
    private static string WalLines => $$"""
          archive=$(psql -XAtq -c "{{Data.Pitr.ArchiveCheckSql}}" 2>/dev/null)
          case "$archive" in ok) archive=0;; failing) archive=100;; *) archive=;; esac
          wal=$(psql -XAtq -c "{{Data.Pitr.WalSizePercentSql}}" 2>/dev/null)
          report "${PUSH_TOKEN_WAL_ARCHIVE:-}" "WAL archive failing" "$archive" 50 100
          report "${PUSH_TOKEN_WAL_SIZE:-}" "pg_wal size" "$wal" {{I(Data.Pitr.WalSizeThreshold.WarnPercent)}} {{I(Data.Pitr.WalSizeThreshold.CriticalPercent)}}

        """;

    private static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
}
