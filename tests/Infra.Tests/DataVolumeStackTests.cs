using System.Collections.Immutable;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Infra.Tests;

/// <summary>With <c>dataVolumeGb</c>: a Hetzner Volume, attached and mounted before any Docker volume binds to it.</summary>
[Collection(PulumiCollection.Name)]
public sealed class DataVolumeStackTests
{
    [Fact]
    public async Task The_data_volume_is_attached_and_mounted_before_docker_and_the_durable_volumes_bind_to_it()
    {
        var text = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.prod.yaml")).Replace("config:\n", "config:\n  platform:dataVolumeGb: 100\n", StringComparison.Ordinal);
        var blueprint = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod", text)));
        var run = await StackRun.Of(blueprint, preview: false);

        var volume = run.Named("hcloud:index/volume:Volume", "server-data");
        Assert.Equal((100d, "ext4", blueprint.Server.Location, true, false),
            (Convert.ToDouble(volume.Inputs["size"], System.Globalization.CultureInfo.InvariantCulture), volume.Inputs["format"], volume.Inputs["location"], volume.Inputs["deleteProtection"], volume.Inputs["automount"]));
        Assert.True(run.OptionsOf("hcloud:index/volume:Volume", "server-data").Protect);
        var attachment = run.Named("hcloud:index/volumeAttachment:VolumeAttachment", "server-data-attachment");
        var mount = run.Named("command:remote:Command", "server-data-mount");
        Assert.True(mount.Started >= attachment.Finished, "mounted after it is attached");
        Assert.Equal(blueprint.DataVolume!.MountScript, mount.Inputs["create"]);
        var provider = run.OfType("pulumi:providers:docker").Single();
        Assert.True(provider.Started >= mount.Finished, "Docker waits for the mount");

        foreach (var spec in blueprint.Volumes)
        {
            var inputs = run.Named("docker:index/volume:Volume", $"volumes-{spec.Name}").Inputs;
            if (spec.HostPath is null)
            {
                Assert.False(inputs.ContainsKey("driverOpts"), spec.Name);
                continue;
            }
            var opts = (IReadOnlyDictionary<string, object>)inputs["driverOpts"];
            Assert.Equal(("none", "bind", spec.HostPath), (opts["type"], opts["o"], opts["device"]));
        }
        Assert.Contains(blueprint.Volumes, v => v.HostPath is not null);
    }
}
