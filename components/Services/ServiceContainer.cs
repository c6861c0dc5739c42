using System.Collections.Immutable;
using Platform.Components.Docker;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Pulumi;
using DockerSdk = Pulumi.Docker;
using Remote = Pulumi.Command.Remote;

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

    /// <summary>
    /// Where the drain of a replaced container runs (<see cref="Draining.Script"/>). Default: null, and a container whose
    /// configuration asks to be drained is stopped without it (a part used with nothing but a Docker provider).
    /// </summary>
    public SshTarget? Ssh { get; init; }
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

    /// <summary>The command whose delete step drains the container before the provider stops it; null when not drained.</summary>
    public Remote.Command? Drain { get; }

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
        // The one exact configuration, computed in the core; this constructor only copies it.
        var config = ContainerConfigs.Of(spec);

        Environment = Output.All(config.Env.Select(kv => secrets.Render(kv.Value).Apply(v => $"{kv.Key}={v}")).ToArray());
        Files = config.Uploads.ToDictionary(f => f.Path, f => secrets.Render(f.Content), StringComparer.Ordinal);

        var container = new DockerSdk.ContainerArgs
        {
            // A pulled image by its id; one built on the server (after its host command, a dependency) by its tag.
            Image = spec.ImageBuiltBy is null ? (Input<string>)args.Images.Get(config.Image).ImageId : (Input<string>)config.Image,
            Envs = Environment,
            Labels = config.Labels.Select(l => new DockerSdk.Inputs.ContainerLabelArgs { Label = l.Key, Value = l.Value }).ToList(),
            NetworksAdvanced = config.Networks.Select(n => new DockerSdk.Inputs.ContainerNetworksAdvancedArgs
            {
                Name = args.Networks.Get(n.Network).Name,
                Aliases = n.Aliases.ToList(),
            }).ToList(),
            Volumes = config.Mounts.Select(m => Mount(m, args.Volumes)).ToList(),
            Ports = config.Ports.Select(p => new DockerSdk.Inputs.ContainerPortArgs
            {
                Internal = p.ContainerPort,
                External = p.HostPort,
                Ip = p.HostIp,
                Protocol = p.Protocol,
            }).ToList(),
            Healthcheck = new DockerSdk.Inputs.ContainerHealthcheckArgs
            {
                Tests = config.Healthcheck.Tests.ToList(),
                Interval = config.Healthcheck.Interval,
                Timeout = config.Healthcheck.Timeout,
                StartPeriod = config.Healthcheck.StartPeriod,
                Retries = config.Healthcheck.Retries,
            },
            Memory = config.MemoryMb,
            MemorySwap = config.MemorySwapMb,
            Cpus = config.Cpus,
            Restart = config.Restart,
            LogDriver = config.LogDriver,
            LogOpts = config.LogOpts.ToDictionary(),
            Uploads = Files.Select(f => new DockerSdk.Inputs.ContainerUploadArgs { File = f.Key, Content = f.Value }).ToList(),
            DestroyGraceSeconds = config.StopGraceSeconds,
            Wait = config.Wait,
            WaitTimeout = config.WaitTimeoutSeconds,
            ShmSize = config.ShmSizeMb,
        };
        if (config.RunToCompletion)
        {
            // Run to completion during the deployment (a non-zero exit fails it) and leave the exited container alone.
            container.Attach = true;
            container.Logs = true;
        }
        if (!config.MustRun) container.MustRun = false;
        // A scheduled job's container: created with its image, env and networks, started only by its timer.
        if (!config.Start) container.Start = false;
        // Each of these only when set: an empty value where there was none would change every existing container.
        if (!config.Command.IsEmpty) container.Command = config.Command.ToList();
        if (!config.Entrypoint.IsEmpty) container.Entrypoints = config.Entrypoint.ToList();
        if (!config.Hosts.IsEmpty)
            container.Hosts = config.Hosts.Select(h => new DockerSdk.Inputs.ContainerHostArgs { Host = h.Host, Ip = h.Ip }).ToList();
        if (!config.Tmpfs.IsEmpty) container.Tmpfs = config.Tmpfs.ToDictionary();
        if (config.User is not null) container.User = config.User;
        if (config.ReadOnlyRootFilesystem) container.ReadOnly = true;
        if (config.StopSignal is not null) container.StopSignal = config.StopSignal;
        // The container's own stop timeout, for a stop the engine makes (a reboot): only on drained containers, which
        // are replaced once for it anyway; on the others a new value would replace every platform container.
        if (config.DrainSeconds is not null) container.StopTimeout = config.StopGraceSeconds;
        if (!config.SecurityOpts.IsEmpty) container.SecurityOpts = config.SecurityOpts.ToList();
        if (!config.CapAdd.IsEmpty || !config.CapDrop.IsEmpty)
            container.Capabilities = new DockerSdk.Inputs.ContainerCapabilitiesArgs { Adds = config.CapAdd.ToList(), Drops = config.CapDrop.ToList() };
        // Unset, the provider generates a unique name ("<resource>-<random>") and a new one for each replacement.
        if (config.ContainerName is not null) container.Name = config.ContainerName;

        var options = args.Docker.Options(this);
        // The provider neither updates a health check in place nor replaces the container for it:
        // without this a changed check would never reach the running container.
        options.ReplaceOnChanges = [ShellDecisions.ContainerReplaceOnChanges];
        // Set either way: the Docker provider asks for delete-before-replace on every container,
        // which only an explicit false overrides.
        options.DeleteBeforeReplace = config.DeleteBeforeReplace;
        if (args.DependsOn is { Count: > 0 } dependsOn) options.DependsOn = dependsOn.ToList();

        Container = new DockerSdk.Container(ShellDecisions.ContainerResourceName(name), container, options);
        ContainerName = Container.Name;

        if (config.DrainSeconds is { } drainSeconds && args.Ssh is { } ssh)
        {
            // Replaced with each container (its id is the trigger), created after it. Pulumi deletes what a deployment
            // replaced at its end, dependents first: the old drain command's delete step (drain the old container
            // by name) runs before the provider's destroy of the old container (stop with destroyGraceSeconds, remove).
            Drain = new Remote.Command($"{name}-drain", new Remote.CommandArgs
            {
                Connection = new Remote.Inputs.ConnectionArgs
                {
                    Host = ssh.Host,
                    User = ssh.User,
                    HostKey = ssh.HostKey,
                    PerDialTimeout = ShellDecisions.PerDialTimeoutSeconds,
                },
                // No create step: its work is its delete step, and a create would cost an SSH session per instance for nothing
                // (the command provider connects only to run a step; an existing drain whose create goes away keeps its id).
                Delete = Container.Name.Apply(n => Draining.Script(n, drainSeconds)),
                Triggers = { (Input<object>)Container.Id.Apply(id => (object)id) },
            }, new CustomResourceOptions { Parent = this, DependsOn = { Container } });
        }
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
