using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Monitoring;

/// <param name="AlertWebhook">Whether alertWebhookUrl is set.</param>
/// <param name="HostMetricsMemoryMb">Memory limit of the host-metrics agent.</param>
public sealed record MonitoringSettings(bool AlertWebhook, int HostMetricsMemoryMb)
{
    /// <summary>The channels of <c>platform:alertChannels</c> (<see cref="Operations.AlertChannels"/>). Default: none.</summary>
    public ImmutableArray<Operations.NotificationTarget> Channels { get; init; } = [];
}
