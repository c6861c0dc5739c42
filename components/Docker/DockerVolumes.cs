using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>Arguments of <see cref="DockerVolumes"/>.</summary>
public sealed class DockerVolumesArgs
{
    /// <summary>The volumes, and which are protected.</summary>
    public required ImmutableArray<VolumeSpec> Volumes { get; init; }

    /// <summary>The Docker engine (provider and server) they live on.</summary>
    public required DockerHost Host { get; init; }
}

/// <summary>
/// Named Docker volumes: they outlive container replacements. Protected volumes also refuse
/// deletion in Pulumi, and are retained on the host if the stack ever drops them.
/// </summary>
public sealed class DockerVolumes : ComponentResource
{
    /// <summary>The volumes by blueprint name.</summary>
    public IReadOnlyDictionary<string, DockerSdk.Volume> Volumes { get; }

    public DockerVolumes(string name, DockerVolumesArgs args, ComponentResourceOptions? opts = null)
        : base("platform:docker:Volumes", name, opts)
    {
        Volumes = args.Volumes.ToDictionary(v => v.Name, v => new DockerSdk.Volume($"{name}-{v.Name}", new DockerSdk.VolumeArgs
        {
            Name = v.Name,
        }, Protected(args.Host.Options(this), v.Protect)), StringComparer.Ordinal);
        RegisterOutputs();
    }

    private static CustomResourceOptions Protected(CustomResourceOptions options, bool protect)
    {
        options.Protect = protect;
        options.RetainOnDelete = protect;
        return options;
    }

    /// <summary>The volume named <paramref name="volume"/>; throws when the blueprint does not declare it.</summary>
    public DockerSdk.Volume Get(string volume) => Volumes.TryGetValue(volume, out var v)
        ? v
        : throw new InvalidOperationException($"The blueprint mounts the volume '{volume}', which it does not declare.");
}
