using System.Text;

namespace Platform.Stacks.Parts.Observability;

/// <summary>
/// Where Prometheus's alerts go: Alertmanager, which sends every alert to the stack's alert channel (the webhook
/// <c>platform:alertWebhookUrl</c>, the same one Uptime Kuma notifies). The URL is a secret: it reaches the container
/// only as a mounted file (<c>url_file</c>, Alertmanager's <c>WebhookConfig.URLFile</c> in <c>config/notifiers.go</c>,
/// v0.26 and later), never the configuration, the environment or the plan.
/// </summary>
public static class AlertRouting
{
    /// <summary>
    /// Alerts that start together (one server going bad fires CPU, memory and target-down at once) wait this long so
    /// they arrive as one message.
    /// </summary>
    public const string GroupWait = "30s";

    /// <summary>
    /// A group that already notified sends its changes (a new alert, a resolved one) at most this often: the rules hold
    /// for 5 minutes before firing, so a faster update would only report flapping.
    /// </summary>
    public const string GroupInterval = "5m";

    /// <summary>
    /// An alert still firing is sent again after this long: a reminder twice in a working day, not a flood that teaches
    /// people to mute the channel.
    /// </summary>
    public const string RepeatInterval = "4h";

    /// <summary>Alerts of one rule on one server make one group (a second server's are another message).</summary>
    public static readonly IReadOnlyList<string> GroupBy = ["alertname", "server"];

    /// <summary>The single receiver: the stack's alert channel.</summary>
    public const string Receiver = "platform-alerts";

    /// <summary><c>alertmanager.yml</c>: one route, every alert to the webhook read from <paramref name="urlFile"/>, resolved ones too.</summary>
    public static string Render(string urlFile)
    {
        var b = new StringBuilder();
        b.Append("# Rendered by the platform: every alert goes to the stack's alert channel (platform:alertWebhookUrl).\n");
        b.Append("route:\n");
        b.Append($"  receiver: {PrometheusConfig.Q(Receiver)}\n");
        b.Append($"  group_by: [{string.Join(", ", GroupBy.Select(PrometheusConfig.Q))}]\n");
        b.Append($"  group_wait: {GroupWait}\n");
        b.Append($"  group_interval: {GroupInterval}\n");
        b.Append($"  repeat_interval: {RepeatInterval}\n");
        b.Append("receivers:\n");
        b.Append($"  - name: {PrometheusConfig.Q(Receiver)}\n");
        b.Append("    webhook_configs:\n");
        b.Append($"      - url_file: {PrometheusConfig.Q(urlFile)}\n");
        b.Append("        send_resolved: true\n");
        return b.ToString();
    }

    /// <summary>The plan's line: where alerts go, or that they go nowhere and how to fix it.</summary>
    public static string PlanLine(bool routed, int memoryMb) => routed
        ? $"alerts: Alertmanager ({memoryMb.ToString(System.Globalization.CultureInfo.InvariantCulture)} MB) sends every alert to the stack's alert channel, the webhook platform:alertWebhookUrl (a secret, mounted as a file): "
          + $"grouped by {string.Join(" and ", GroupBy)}, first message after {GroupWait}, changes every {GroupInterval}, repeated every {RepeatInterval} while firing, and when resolved"
        : "alerts: NOT routed (platform:alertWebhookUrl is not set): they show only in Prometheus and Grafana. Fix: pulumi config set --secret alertWebhookUrl <https://hooks.example.com/…>";
}
