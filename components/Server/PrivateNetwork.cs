using Platform.Stacks.Blueprint;
using Pulumi;
using HCloud = Pulumi.HCloud;

namespace Platform.Components.Server;

/// <summary>Arguments of <see cref="PrivateNetwork"/>.</summary>
public sealed class PrivateNetworkArgs
{
    /// <summary>The network's name, range, its one subnet and the subnet's network zone.</summary>
    public required PrivateNetworkSpec Spec { get; init; }
}

/// <summary>
/// The Hetzner Cloud network a split stack's servers and its load balancer share, with the one subnet every
/// fixed private address is in. Hetzner's firewalls do not filter it: what the data server publishes on its
/// private address is reachable from the app servers and nothing else.
/// </summary>
public sealed class PrivateNetwork : ComponentResource
{
    public HCloud.Network Network { get; }

    /// <summary>The subnet; servers attach to the network after it exists, the load balancer attaches to it.</summary>
    public HCloud.NetworkSubnet Subnet { get; }

    /// <summary>The Hetzner network id.</summary>
    [Output("networkId")]
    public Output<string> NetworkId { get; private set; }

    public PrivateNetwork(string name, PrivateNetworkArgs args, ComponentResourceOptions? opts = null)
        : base("platform:network:PrivateNetwork", name, opts)
    {
        var spec = args.Spec;
        Network = new HCloud.Network($"{name}-network", new HCloud.NetworkArgs
        {
            Name = spec.Name,
            IpRange = spec.IpRange,
            Labels = spec.Labels.ToDictionary(),
            DeleteProtection = spec.Protect,
        }, new CustomResourceOptions { Parent = this, Protect = spec.Protect });
        Subnet = new HCloud.NetworkSubnet($"{name}-subnet", new HCloud.NetworkSubnetArgs
        {
            NetworkId = Network.Id.Apply(int.Parse),
            Type = ShellDecisions.PrivateSubnetType,
            NetworkZone = spec.NetworkZone,
            IpRange = spec.SubnetRange,
        }, new CustomResourceOptions { Parent = this });
        NetworkId = Network.Id;
        RegisterOutputs();
    }
}
