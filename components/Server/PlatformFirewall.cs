using Platform.Stacks.Blueprint;
using Pulumi;
using HCloud = Pulumi.HCloud;

namespace Platform.Components.Server;

/// <summary>Arguments of <see cref="PlatformFirewall"/>.</summary>
public sealed class PlatformFirewallArgs
{
    /// <summary>The firewall's name and inbound rules.</summary>
    public required FirewallSpec Spec { get; init; }

    /// <summary>Labels put on the firewall (the server's labels). Default: none.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>
/// The Hetzner Cloud firewall in front of the server. It sits outside the host, so ports Docker
/// publishes cannot bypass it the way they bypass UFW.
/// </summary>
public sealed class PlatformFirewall : ComponentResource
{
    /// <summary>The firewall resource; the server attaches it through <c>FirewallIds</c>.</summary>
    public HCloud.Firewall Firewall { get; }

    [Output("firewallId")]
    public Output<string> FirewallId { get; private set; }

    public PlatformFirewall(string name, PlatformFirewallArgs args, ComponentResourceOptions? opts = null)
        : base("platform:server:Firewall", name, opts)
    {
        var rules = args.Spec.Rules.Select(rule =>
        {
            var ruleArgs = new HCloud.Inputs.FirewallRuleArgs
            {
                Direction = "in",
                Protocol = rule.Protocol,
                SourceIps = rule.SourceIps.ToList(),
                Description = rule.Description,
            };
            if (rule.Port is not null) ruleArgs.Port = rule.Port; // ICMP has no port
            return ruleArgs;
        }).ToList();

        var firewallArgs = new HCloud.FirewallArgs
        {
            Name = args.Spec.Name,
            Rules = rules,
        };
        if (args.Labels is not null) firewallArgs.Labels = args.Labels.ToDictionary();
        Firewall = new HCloud.Firewall($"{name}-firewall", firewallArgs, new CustomResourceOptions { Parent = this });

        FirewallId = Firewall.Id;
        RegisterOutputs();
    }
}
