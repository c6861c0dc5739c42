using System.Collections.Immutable;
using Platform.Components.Docker;
using Platform.Components.Secrets;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Services;

/// <summary>Arguments of <see cref="ServiceContainer"/>.</summary>
public sealed class ServiceContainerArgs
{
    /// <summary>The container as the blueprint describes it.</summary>
    public required ServiceSpec Spec { get; init; }

    /// <summary>The Docker engine the container runs on.</summary>
    public required DockerTarget Docker { get; init; }

    /// <summary>The pulled images; the spec's image must be among them.</summary>
    public required DockerImages Images { get; init; }

    /// <summary>The stack's networks; every attachment of the spec must name one.</summary>
    public required DockerNetworks Networks { get; init; }

    /// <summary>The volumes by blueprint name; every volume mount of the spec must name one.</summary>
    public required IReadOnlyDictionary<string, DockerSdk.Volume> Volumes { get; init; }

    /// <summary>Resolves the secrets used in env values and files.</summary>
    public required PlatformSecrets Secrets { get; init; }

    /// <summary>What must exist first: the containers and host commands the spec names. Default: nothing.</summary>
    public IReadOnlyList<Resource>? DependsOn { get; init; }
}

/// <summary>
/// One container, mapped from a <see cref="ServiceSpec"/> and nothing else. A spec with a fixed
/// container name is replaced delete-before-create (the name is reused); a spec without one gets a
/// unique name from the provider for every replacement and is replaced create-before-delete, so the
/// new container is healthy before the old one stops.
/// </summary>
public sealed class ServiceContainer : ComponentResource
{
    public DockerSdk.Container Container { get; }

    /// <summary>The environment handed to Docker ("K=V"); secret whenever any value uses a secret.</summary>
    public Output<ImmutableArray<string>> Environment { get; }

    /// <summary>The uploaded files' contents by path; each is secret whenever it uses a secret.</summary>
    public IReadOnlyDictionary<string, Output<string>> Files { get; }

    [Output("containerName")]
    public Output<string> ContainerName { get; private set; }

    public ServiceContainer(string name, ServiceContainerArgs args, ComponentResourceOptions? opts = null)
        : base("platform:services:ServiceContainer", name, opts)
    {
        var spec = args.Spec;
        var secrets = args.Secrets;
        var fixedName = spec.Replacement == Replacement.DeleteBeforeCreate;
        if (fixedName && spec.ContainerName is null)
            throw new InvalidOperationException($"Service {spec.Name} is replaced delete-before-create but has no container name.");
        if (!fixedName && spec.ContainerName is not null)
            throw new InvalidOperationException($"Service {spec.Name} is replaced create-before-delete, so it cannot have the fixed container name '{spec.ContainerName}' (two containers would need it at once).");

        Environment = Output.All(spec.Env.Select(kv => secrets.Render(kv.Value).Apply(v => $"{kv.Key}={v}")).ToArray());
        Files = spec.Files.ToDictionary(f => f.Path, f => secrets.Render(f.Content), StringComparer.Ordinal);

        var container = new DockerSdk.ContainerArgs
        {
            Image = args.Images.Get(spec.Image).ImageId,
            Envs = Environment,
            Labels = spec.Labels.Select(l => new DockerSdk.Inputs.ContainerLabelArgs { Label = l.Key, Value = l.Value }).ToList(),
            NetworksAdvanced = spec.Networks.Select(n => new DockerSdk.Inputs.ContainerNetworksAdvancedArgs
            {
                Name = args.Networks.Get(n.Network).Name,
                Aliases = n.Aliases.ToList(),
            }).ToList(),
            Volumes = spec.Mounts.Select(m => Mount(m, args.Volumes)).ToList(),
            // Every value below is in the form the provider reads back (see DockerForms), so a second
            // `pulumi up` finds no difference.
            Ports = spec.PublishedPorts.Select(p => new DockerSdk.Inputs.ContainerPortArgs
            {
                Internal = p.ContainerPort,
                External = p.HostPort,
                Ip = p.HostIp,
                Protocol = p.Protocol,
            }).ToList(),
            Healthcheck = new DockerSdk.Inputs.ContainerHealthcheckArgs
            {
                Tests = spec.HealthCheck.Test.ToList(),
                Interval = DockerForms.Duration(spec.HealthCheck.IntervalSeconds),
                Timeout = DockerForms.Duration(spec.HealthCheck.TimeoutSeconds),
                StartPeriod = DockerForms.Duration(spec.HealthCheck.StartPeriodSeconds),
                Retries = spec.HealthCheck.Retries,
            },
            Memory = spec.Limits.MemoryMb,
            MemorySwap = DockerForms.MemorySwapMb(spec.Limits.MemoryMb),
            Cpus = DockerForms.Cpus(spec.Limits.Cpus),
            Restart = spec.RestartPolicy,
            LogDriver = spec.Log.Driver,
            LogOpts = spec.Log.Options.ToDictionary(),
            Uploads = Files.Select(f => new DockerSdk.Inputs.ContainerUploadArgs { File = f.Key, Content = f.Value }).ToList(),
            DestroyGraceSeconds = spec.StopGraceSeconds,
            Wait = spec.WaitHealthy,
            WaitTimeout = ShellDecisions.WaitTimeoutSeconds(spec.HealthCheck),
            ShmSize = spec.ShmMb,
        };
        if (spec.OneShot)
        {
            // Run to completion during the deployment (a non-zero exit fails it) and leave the exited container alone.
            container.Attach = true;
            container.Logs = true;
            container.MustRun = false;
        }
        if (!spec.StartOnDeploy)
        {
            // A scheduled job's container: created with its image, env and networks, started only by its timer.
            container.Start = false;
            container.MustRun = false;
            container.Wait = false;
        }
        if (!spec.Command.IsDefaultOrEmpty) container.Command = spec.Command.ToList();
        // Only when there are any: an empty list where there was none would be a change to every existing container.
        if (!spec.ExtraHosts.IsDefaultOrEmpty)
            container.Hosts = spec.ExtraHosts.Select(h => new DockerSdk.Inputs.ContainerHostArgs { Host = h.Host, Ip = h.Ip }).ToList();
        // Unset, the provider generates a unique name ("<resource>-<random>") and a new one for each replacement.
        if (spec.ContainerName is not null) container.Name = spec.ContainerName;

        var options = args.Docker.Options(this);
        // The provider neither updates a health check in place nor replaces the container for it:
        // without this a changed check would never reach the running container.
        options.ReplaceOnChanges = [ShellDecisions.ContainerReplaceOnChanges];
        // Set either way: the Docker provider asks for delete-before-replace on every container,
        // which only an explicit false overrides.
        options.DeleteBeforeReplace = fixedName;
        if (args.DependsOn is { Count: > 0 } dependsOn) options.DependsOn = dependsOn.ToList();

        Container = new DockerSdk.Container($"{name}-container", container, options);
        ContainerName = Container.Name;
        RegisterOutputs();
    }

    private static DockerSdk.Inputs.ContainerVolumeArgs Mount(MountSpec mount, IReadOnlyDictionary<string, DockerSdk.Volume> volumes) => mount.Kind switch
    {
        MountKind.Volume => new DockerSdk.Inputs.ContainerVolumeArgs
        {
            VolumeName = (volumes.TryGetValue(mount.Source, out var volume) ? volume
                : throw new InvalidOperationException($"The blueprint mounts the volume '{mount.Source}', which it does not declare.")).Name,
            ContainerPath = mount.Target,
            ReadOnly = mount.ReadOnly,
        },
        MountKind.Bind => new DockerSdk.Inputs.ContainerVolumeArgs
        {
            HostPath = mount.Source,
            ContainerPath = mount.Target,
            ReadOnly = mount.ReadOnly,
        },
        _ => throw new InvalidOperationException($"Unknown mount kind {mount.Kind} for {mount.Target}."),
    };
}
