using System.Collections.Immutable;
using Platform.Components.Docker;
using Platform.Components.Operations;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Components.Services;
using Platform.Stacks.Parts;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Parts;

/// <summary>What a part's workloads on one server use: its Docker provider, its SSH target, its Docker networks and its pulled images.</summary>
public sealed record ServerTargets(DockerTarget Docker, SshTarget Ssh, DockerNetworks Networks, DockerImages Images);

/// <summary>What every part builds on: where its containers and host commands go, and the shared pieces.</summary>
public sealed class PartInfrastructure
{
    /// <summary>The Docker provider (and server binding) the part's containers, volumes and images use (the first server's on a split stack).</summary>
    public required DockerTarget Docker { get; init; }

    /// <summary>Where the part's host commands (provisioning, in-place reloads) run (the first server's on a split stack).</summary>
    public required SshTarget Ssh { get; init; }

    /// <summary>The Docker networks the part's containers attach to (the first server's on a split stack).</summary>
    public required DockerNetworks Networks { get; init; }

    /// <summary>The pulled images; every image of the part must be among them (the first server's on a split stack).</summary>
    public required DockerImages Images { get; init; }

    /// <summary>Resolves the secrets the part's env, files and command input use.</summary>
    public required PlatformSecrets Secrets { get; init; }

    /// <summary>
    /// A split stack's targets by server: every volume, container and host command goes to the server of its
    /// <c>Host</c>, so one part (an app with instances on several app servers) can span servers.
    /// Default: none, and everything goes to <see cref="Docker"/>, <see cref="Ssh"/>, <see cref="Networks"/> and <see cref="Images"/>.
    /// </summary>
    public IReadOnlyDictionary<ServerKey, ServerTargets>? Servers { get; init; }

    /// <summary>
    /// Every server's patched gate: a container that takes the public's requests directly
    /// (<see cref="Stacks.Blueprint.ServiceSpec.AfterServersPatched"/>) waits for them. Default: none.
    /// </summary>
    public IReadOnlyList<Resource> Patched { get; init; } = [];

    /// <summary>The targets of the server <paramref name="host"/>; throws when a split stack's targets do not include it.</summary>
    public ServerTargets On(ServerKey host) =>
        Servers is null ? new ServerTargets(Docker, Ssh, Networks, Images)
        : Servers.TryGetValue(host, out var targets) ? targets
        : throw new RunException($"The blueprint places something on the server {host}, which this deployment has no Docker host for.");
}

/// <summary>What every part is given: its slice of the blueprint and what it builds on. Parts that need other parts add typed references.</summary>
public class PartArgs
{
    /// <summary>The part of the blueprint this component maps (its kind must be the component's).</summary>
    public required PartNode Spec { get; init; }

    /// <summary>Docker target, SSH target, networks, images and secrets.</summary>
    public required PartInfrastructure Infrastructure { get; init; }
}

/// <summary>
/// The shared mechanics of a part: it turns its <see cref="PartNode"/> into volumes, containers (through
/// <see cref="ServiceContainer"/>, where limits, health checks, logs and replacement live) and host
/// commands, all parented to the part, each after what it depends on — inside the part, or in one of the
/// parts it was handed — and each on the server of its <c>Host</c>. Each concrete part is its own component
/// type with a few typed outputs.
/// </summary>
public abstract class PlatformPart : ComponentResource
{
    private readonly Dictionary<string, CustomResource> _workloads = new(StringComparer.Ordinal);
    private readonly Dictionary<(ServerKey Host, string Name), DockerSdk.Volume> _placedVolumes = [];

    /// <summary>The part's identity (kind and, for an app, its name).</summary>
    public PartId Id { get; }

    /// <summary>The part's containers by blueprint service name.</summary>
    public IReadOnlyDictionary<string, DockerSdk.Container> Containers { get; }

    /// <summary>The part's host commands by blueprint name.</summary>
    public IReadOnlyDictionary<string, Pulumi.Command.Remote.Command> Commands { get; }

    /// <summary>The part's volumes by blueprint key (the name; qualified with the server for an app server's copy).</summary>
    public IReadOnlyDictionary<string, DockerSdk.Volume> Volumes { get; }

    /// <summary>
    /// Maps <paramref name="args"/>'s part onto resources under a component named <paramref name="name"/> (Pulumi's
    /// <c>(name, args, opts)</c>; the platform names each part <see cref="PartId.ResourceName"/>, which keeps its URNs).
    /// </summary>
    protected PlatformPart(string name, PartArgs args, PartKind kind, IEnumerable<PlatformPart?> needs, ComponentResourceOptions? opts)
        : base(Expect(args.Spec, kind).Id.TypeToken, name, opts)
    {
        var spec = args.Spec;
        var infrastructure = args.Infrastructure;
        Id = spec.Id;
        _spec = spec;
        _secrets = infrastructure.Secrets;
        var given = needs.OfType<PlatformPart>().ToList();
        foreach (var missing in spec.DependsOn.Where(d => given.All(g => g.Id != d)))
            throw new RunException($"The part {spec.Id} needs the part {missing}; pass it in its arguments.");

        var volumes = new Dictionary<string, DockerSdk.Volume>(StringComparer.Ordinal);
        foreach (var v in spec.Volumes)
        {
            var options = infrastructure.On(v.Host).Docker.Options(this);
            options.Protect = v.Protect;
            options.RetainOnDelete = v.Protect;
            // A volume's id is its name: a new one made before the old is deleted would be the old one
            // (Docker's create is idempotent by name), and the delete that follows would remove it.
            options.DeleteBeforeReplace = Stacks.Blueprint.ShellDecisions.DeleteNamedDockerObjectsFirst;
            // Volumes were children of one "volumes" component before the platform was organised into parts.
            options.Aliases.Add(new Alias { ParentUrn = LegacyUrn(Stacks.Blueprint.ShellDecisions.LegacyVolumesComponentType, Stacks.Blueprint.ShellDecisions.LegacyVolumesComponentName) });
            var volumeArgs = new DockerSdk.VolumeArgs { Name = v.Name };
            if (v.Driver is { } driver)
            {
                volumeArgs.Driver = driver;
                volumeArgs.DriverOpts = v.DriverOptions.ToDictionary();
            }
            // The key is the name, except for an app server's copy: Pulumi names stay unique across servers.
            var volume = new DockerSdk.Volume($"volumes-{v.Key}", volumeArgs, options);
            volumes[v.Key] = volume;
            _placedVolumes[(v.Host, v.Name)] = volume;
        }
        Volumes = volumes;
        // A container mounts volumes by name, on its own server (each app server has its own copy of a copied volume).
        var mountable = new Dictionary<ServerKey, IReadOnlyDictionary<string, DockerSdk.Volume>>();
        IReadOnlyDictionary<string, DockerSdk.Volume> MountableOn(ServerKey host)
        {
            if (mountable.TryGetValue(host, out var found)) return found;
            return mountable[host] = given.SelectMany(p => p._placedVolumes).Concat(_placedVolumes).Where(kv => kv.Key.Host == host)
                .GroupBy(kv => kv.Key.Name).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        }

        var containers = new Dictionary<string, DockerSdk.Container>(StringComparer.Ordinal);
        var commands = new Dictionary<string, Pulumi.Command.Remote.Command>(StringComparer.Ordinal);
        var services = spec.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var hostCommands = spec.HostCommands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        CustomResource Resolve(WorkloadKind kind, string name)
        {
            var key = WorkloadNode.KeyOf(kind, name);
            if (_workloads.TryGetValue(key, out var own)) return own;
            foreach (var part in given)
                if (part._workloads.TryGetValue(key, out var theirs)) return theirs;
            throw new RunException($"The part {spec.Id} depends on the {(kind == WorkloadKind.Service ? "service" : "host command")} '{name}', which neither it nor the parts it was given define.");
        }

        foreach (var node in WorkloadGraph.Order(spec.Services, spec.HostCommands))
        {
            var deps = node.DependsOn.Select(d => _workloads[d.Key]).Concat(node.External.Select(e => Resolve(e.Kind, e.Name))).ToList();
            if (node.Kind == WorkloadKind.Service)
            {
                var service = services[node.Name];
                var on = infrastructure.On(service.Host);
                var container = new ServiceContainer(node.Name, new ServiceContainerArgs
                {
                    Spec = service,
                    Docker = on.Docker,
                    Images = on.Images,
                    Networks = on.Networks,
                    Volumes = MountableOn(service.Host),
                    Secrets = infrastructure.Secrets,
                    DependsOn = [.. deps.Cast<Resource>(), .. service.AfterServersPatched ? infrastructure.Patched : []],
                    Ssh = on.Ssh,
                }, new ComponentResourceOptions { Parent = this, Aliases = { new Alias { NoParent = true } } });
                _workloads[node.Key] = container.Container;
                containers[node.Name] = container.Container;
            }
            else
            {
                var hostCommand = hostCommands[node.Name];
                var on = infrastructure.On(hostCommand.Host);
                var command = new HostCommand(node.Name, new HostCommandArgs
                {
                    Spec = hostCommand,
                    Ssh = on.Ssh,
                    Secrets = infrastructure.Secrets,
                    // The networks it works on (on its server) exist first, and outlive its delete step (which disconnects from them).
                    DependsOn = [.. deps, .. hostCommand.Networks.Select(n => (CustomResource)on.Networks.Get(n))],
                }, new ComponentResourceOptions { Parent = this, Aliases = { new Alias { NoParent = true } } });
                _workloads[node.Key] = command.Command;
                commands[node.Name] = command.Command;
            }
        }
        Containers = containers;
        Commands = commands;
    }

    private readonly PartNode _spec;
    private readonly PlatformSecrets _secrets;

    /// <summary>
    /// How <paramref name="app"/> connects to this part: the URL its environment gets (secret), known once every container
    /// and host command of the part exists (so a resource that uses it waits for them, its provisioning included).
    /// </summary>
    protected Output<string> Connection(string app)
    {
        if (!_spec.Connections.TryGetValue(app, out var url))
            throw new RunException($"The app '{app}' does not use the part {Id}: it has no connection to it (apps that do: {(_spec.Connections.IsEmpty ? "none" : string.Join(", ", _spec.Connections.Keys))}).");
        return Output.CreateSecret(AfterWorkloads().Apply(_ => _secrets.Render(url)));
    }

    /// <summary><paramref name="value"/>, known once every container and host command of the part exists.</summary>
    protected Output<T> AfterWorkloads<T>(T value) => AfterWorkloads().Apply(_ => value);

    private Output<ImmutableArray<string>> AfterWorkloads() =>
        Output.All(Containers.Values.Select(c => c.Id).Concat(Commands.Values.Select(c => c.Id)));

    private static PartNode Expect(PartNode spec, PartKind kind) =>
        spec.Id.Kind == kind ? spec : throw new ArgumentException($"Expected the {kind} part of the blueprint, got {spec.Id}.", nameof(spec));

    /// <summary>The URN a resource had at the stack's root before the platform was organised into parts.</summary>
    private static Output<string> LegacyUrn(string type, string name) =>
        Output.Create($"urn:pulumi:{Deployment.Instance.StackName}::{Deployment.Instance.ProjectName}::{type}::{name}");
}
