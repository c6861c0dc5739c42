using System.Collections.Immutable;
using Platform.Stacks.Operations;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Monitoring;

/// <summary>Reads the monitoring settings: AutoKuma's image (it must speak to Uptime Kuma 2), host metrics, and who a red monitor alerts.</summary>
internal static class MonitoringSettingsReader
{
    /// <summary>AutoKuma's service; an image pinned but of a version that cannot declare Uptime Kuma 2's monitors is refused.</summary>
    public static ServiceSettings AutoKuma(StackValues v)
    {
        var service = v.Service("autoKuma", 0.25);
        if (Names.ImageProblem(service.Image) is null && Operations.AutoKuma.ImageProblem(service.Image) is { } problem)
            v.R.Error(StackValues.Key("autoKumaImage"), problem, "Use ghcr.io/bigboot/autokuma:2.0.0 or a later 2.x, with Uptime Kuma 2.");
        return service;
    }

    public static MonitoringSettings Read(StackValues v, ImmutableSortedSet<string>.Builder secrets, ImmutableArray<NotificationTarget> channels) =>
        new(secrets.Contains("alertWebhookUrl"), v.Int("hostMetricsMemoryMb")) { Channels = channels };

    /// <summary>A prod stack must alert someone: <c>alertWebhookUrl</c> or a channel of <c>alertChannels</c>.</summary>
    public static void CheckAlerting(StackValues v, StackEnvironment environment, ImmutableSortedSet<string>.Builder secrets, ImmutableArray<NotificationTarget> channels)
    {
        if (environment == StackEnvironment.Prod && !secrets.Contains("alertWebhookUrl") && channels.IsEmpty)
            v.R.Error(StackValues.Key("alertWebhookUrl"), "is not set on a prod stack and platform:alertChannels lists none, so a red monitor would alert nobody.",
                $"pulumi config set --secret alertWebhookUrl <https://hooks.example.com/…> --stack {v.Stack}, or declare a channel in platform:alertChannels (Slack, Discord, Telegram, e-mail)");
    }
}
