using System.Collections.Immutable;
using Platform.Components.Docker;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Parts;

/// <summary>
/// What one part needs on an existing Docker host, for a part used in another Pulumi program without a platform stack:
/// a Docker provider for the host, the part's networks (<see cref="StandalonePart.Networks"/>), its pulled images and its
/// secrets, each named <c>&lt;name&gt;-…</c>.
/// </summary>
public static class StandaloneInfrastructure
{
    /// <summary>
    /// The infrastructure for <paramref name="part"/> on the Docker engine at <paramref name="dockerHost"/> (e.g.
    /// <c>ssh://ops@db.example.com</c>), whose host commands run over <paramref name="ssh"/>; <paramref name="secrets"/> are
    /// the part's (e.g. <c>MariaDbPartSpec.Secrets</c>).
    /// </summary>
    public static PartInfrastructure For(string name, PartNode part, ImmutableArray<SecretSpec> secrets, Input<string> dockerHost, SshTarget ssh,
        ComponentResourceOptions? opts = null)
    {
        ArgumentNullException.ThrowIfNull(part);
        var docker = DockerTarget.Of(new DockerSdk.Provider($"{name}-docker", new DockerSdk.ProviderArgs { Host = dockerHost },
            new CustomResourceOptions { Parent = opts?.Parent }));
        return new PartInfrastructure
        {
            Docker = docker,
            Ssh = ssh,
            Networks = new DockerNetworks($"{name}-networks", new DockerNetworksArgs { Networks = StandalonePart.Networks(part), Docker = docker }, opts),
            Images = new DockerImages($"{name}-images", new DockerImagesArgs { Images = part.Services.Select(s => s.Image), Docker = docker }, opts),
            Secrets = new PlatformSecrets($"{name}-secrets", new PlatformSecretsArgs { Secrets = secrets }, opts),
        };
    }
}
