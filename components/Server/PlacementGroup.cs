using Platform.Stacks.Blueprint;
using Pulumi;
using HCloud = Pulumi.HCloud;

namespace Platform.Components.Server;

/// <summary>Arguments of <see cref="PlacementGroup"/>.</summary>
public sealed class PlacementGroupArgs
{
    /// <summary>The group's name and labels (its members join it through <see cref="PlatformServerArgs.PlacementGroup"/>).</summary>
    public required PlacementGroupSpec Spec { get; init; }
}

/// <summary>Hetzner's spread placement group: the app servers run on different physical hosts, so one host failing takes one of them.</summary>
public sealed class PlacementGroup : ComponentResource
{
    public HCloud.PlacementGroup Group { get; }

    [Output("placementGroupId")]
    public Output<string> PlacementGroupId { get; private set; }

    public PlacementGroup(string name, PlacementGroupArgs args, ComponentResourceOptions? opts = null)
        : base("platform:server:PlacementGroup", name, opts)
    {
        Group = new HCloud.PlacementGroup($"{name}-group", new HCloud.PlacementGroupArgs
        {
            Name = args.Spec.Name,
            Type = ShellDecisions.PlacementGroupType,
            Labels = args.Spec.Labels.ToDictionary(),
        }, new CustomResourceOptions { Parent = this });
        PlacementGroupId = Group.Id;
        RegisterOutputs();
    }
}
