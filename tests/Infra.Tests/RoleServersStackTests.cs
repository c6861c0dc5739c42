using System.Collections;
using System.Globalization;
using Platform.Components.Operations;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Infra.Tests;

/// <summary>
/// The scale stack with a cache server (every Redis instance) and a file server (MinIO, on a Hetzner Volume of its own)
/// through the program, under the mocks: each server with its Docker host, its place on the private network and its
/// volume, and every container on the server the blueprint places it on.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed class RoleServersStackTests
{
    private const string Server = "hcloud:index/server:Server";
    private const string HetznerVolume = "hcloud:index/volume:Volume";
    private const string VolumeAttachment = "hcloud:index/volumeAttachment:VolumeAttachment";
    private const string Container = "docker:index/container:Container";
    private const string DockerNetwork = "docker:index/network:Network";
    private const string DockerVolume = "docker:index/volume:Volume";
    private const string DockerProvider = "pulumi:providers:docker";
    private const string Command = "command:remote:Command";

    /// <summary>The lines of docs/topology.md's example, added under the scale stack's <c>platform:servers</c>.</summary>
    private const string Roles = "    cache:\n      type: cx22\n    files:\n      type: cx22\n      volumeGb: 200\n";

    private static PlatformBlueprint Blueprint()
    {
        const string data = "    data:\n      type: ccx23\n      volumeGb: 100\n";
        var scale = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.scale.yaml"));
        Assert.Contains(data, scale, StringComparison.Ordinal);
        return BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale", scale.Replace(data, data + Roles, StringComparison.Ordinal))));
    }

    private static string ProviderOf(ServerKey key) => $"{ShellDecisions.PerServer("docker", key)}-provider";

    private static int IdOf(Registration r) => int.Parse(r.Id, CultureInfo.InvariantCulture);

    private static int Int(object value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private static IEnumerable<IReadOnlyDictionary<string, object>> List(IReadOnlyDictionary<string, object> inputs, string key) =>
        inputs.TryGetValue(key, out var v) && v is IList list ? list.Cast<IReadOnlyDictionary<string, object>>() : [];

    [Fact]
    public async Task Every_server_gets_its_docker_host_its_private_address_and_its_containers()
    {
        var b = Blueprint();
        var run = await StackRun.Of(b, preview: false);
        Assert.Equal(["server-data", "server-cache", "server-files", "server-app-1", "server-app-2", "server-app-3"], b.Servers.Select(s => s.Key.ResourceName));
        Assert.Equal(b.Servers.Select(s => $"{s.Key.ResourceName}-server").Order(), run.OfType(Server).Select(r => r.Name).Order());
        Assert.Equal(b.Servers.Select(s => ProviderOf(s.Key)).Order(), run.OfType(DockerProvider).Select(r => r.Name).Order());
        Assert.Equal(b.Services.Length, run.OfType(Container).Count());
        Assert.Equal(b.Volumes.Length, run.OfType(DockerVolume).Count());
        Assert.Equal(b.Networks.Length, run.OfType(DockerNetwork).Count());
        foreach (var key in new[] { ServerKey.Cache, ServerKey.Files })
        {
            var server = run.Named(Server, $"{key.ResourceName}-server");
            Assert.Equal(b.ServerOf(key).PrivateIp, Assert.Single(List(server.Inputs, "networks"))["ip"]);
            Assert.Equal(b.ServerOf(key).Type, server.Inputs["serverType"]);
        }
        // Each container on its server's Docker host, publishing on that server's private address only.
        foreach (var spec in b.Services)
        {
            Assert.Equal(ProviderOf(spec.Host), run.OptionsOf(Container, $"{spec.Name}-container").ProviderName);
            Assert.All(List(run.Named(Container, $"{spec.Name}-container").Inputs, "ports"), p => Assert.Equal(b.ServerOf(spec.Host).PrivateIp, p["ip"]));
        }
        Assert.Contains(b.Services, s => s.Host == ServerKey.Cache && s.Part.Kind == PartKind.Redis);
        Assert.Equal(ServerKey.Files, b.Service(ServiceNames.Minio).Host);
        // Host commands run over SSH to their own server.
        var minioProvision = run.OfType(Command).First(r => r.Name.Contains("minio-provision", StringComparison.Ordinal));
        Assert.Equal(RecordingMocks.AddressesOf($"{ServerKey.Files.ResourceName}-server").Ipv4, ((IReadOnlyDictionary<string, object>)minioProvision.Inputs["connection"])["host"]);
    }

    [Fact]
    public async Task The_file_servers_volume_is_its_own_attached_to_it_and_mounted_before_its_docker_host()
    {
        var b = Blueprint();
        var run = await StackRun.Of(b, preview: false);
        Assert.Equal(2, run.OfType(HetznerVolume).Count());
        var volume = run.Named(HetznerVolume, $"{ServerKey.Files.ResourceName}-data");
        Assert.Equal(("platform-scale-files", 200.0), ((string)volume.Inputs["name"], Convert.ToDouble(volume.Inputs["size"], CultureInfo.InvariantCulture)));
        var attachment = run.Named(VolumeAttachment, $"{ServerKey.Files.ResourceName}-data-attachment");
        var server = run.Named(Server, $"{ServerKey.Files.ResourceName}-server");
        Assert.Equal((IdOf(volume), IdOf(server)), (Int(attachment.Inputs["volumeId"]), Int(attachment.Inputs["serverId"])));
        Assert.True(run.OptionsOf(HetznerVolume, volume.Name).Protect);
        var mount = run.Named(Command, $"{ServerKey.Files.ResourceName}-data-mount");
        Assert.True(run.Named(DockerProvider, ProviderOf(ServerKey.Files)).Started >= mount.Finished);
        // The data server keeps its own volume; the cache server has none.
        Assert.Equal("platform-scale-data", run.Named(HetznerVolume, $"{ServerKey.Data.ResourceName}-data").Inputs["name"]);
        Assert.DoesNotContain(run.OfType(HetznerVolume), v => v.Name.StartsWith(ServerKey.Cache.ResourceName, StringComparison.Ordinal));
    }
}
