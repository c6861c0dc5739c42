using Platform.Components.Data;
using Platform.Components.Parts;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Monitoring;

/// <summary>Arguments of <see cref="UptimeKuma"/>: the monitoring part (Uptime Kuma, AutoKuma, the first-admin setup, host metrics, the status route), and the parts it uses.</summary>
public sealed class UptimeKumaArgs : PartArgs
{
    /// <summary>PostgreSQL, whose connections the host-metrics agent measures. Default: none (required when the spec depends on it).</summary>
    public Postgres? Postgres { get; init; }
}

/// <summary>Uptime Kuma with its monitors as code (AutoKuma), alert thresholds measured by a host agent, and the public status page.</summary>
public sealed class UptimeKuma : PlatformPart
{
    /// <summary>Where the monitors report (Uptime Kuma on the data network).</summary>
    [Output("url")]
    public Output<string> Url { get; private set; }

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public UptimeKuma(string name, UptimeKumaArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.Monitoring, [args.Postgres], opts)
    {
        Url = AfterWorkloads(Stacks.Parts.Monitoring.MonitoringBlueprint.UptimeKumaInternalUrl);
        RegisterOutputs();
    }
}
