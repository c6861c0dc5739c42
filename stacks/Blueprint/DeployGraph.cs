using System.Collections.Immutable;
using Platform.Stacks.Canonical;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Blueprint;

/// <summary>A Pulumi resource by its type token and name (what its URN is made of, with its parent's type).</summary>
public readonly record struct ResourceRef(string Type, string Name)
{
    public override string ToString() => Name;
}

/// <summary>What a resource of a deployment does, for its modelled duration (<see cref="Plan.DeployTime"/>).</summary>
public enum DeployStep
{
    /// <summary>A component resource: registered at once, it only groups its children.</summary>
    Component,
    /// <summary>Computed by a local provider (random password, private key, certificate request).</summary>
    Local,
    /// <summary>An object created through a cloud API (Hetzner firewall, network, subnet, placement group, volume, attachment, load balancer pieces; Cloudflare record or certificate).</summary>
    CloudObject,
    /// <summary>A Hetzner load balancer.</summary>
    LoadBalancer,
    /// <summary>A Hetzner server, until it runs.</summary>
    Server,
    /// <summary>The readiness step: cloud-init finished (<see cref="ServerSpec.ReadinessCommand"/>).</summary>
    Readiness,
    /// <summary>The patched step: cloud-init finished, the full package upgrade included (<see cref="ServerSpec.PatchedCommand"/>).</summary>
    Patched,
    /// <summary>A command with nothing to run when it is created: a drain, whose work is its delete step.</summary>
    NoOp,
    /// <summary>A command over SSH: a host command, the data volume's mount, the private address's wait.</summary>
    SshCommand,
    /// <summary>The Docker provider of a server (its configuration; it connects on first use).</summary>
    DockerProvider,
    /// <summary>An image pulled onto a server.</summary>
    ImagePull,
    /// <summary>A host command that builds an image on the server (<see cref="ServiceSpec.ImageBuiltBy"/>): its base image pulled, packages added.</summary>
    ImageBuild,
    /// <summary>A Docker network or volume.</summary>
    DockerObject,
    /// <summary>A container created, started and waited for until healthy.</summary>
    Container,
    /// <summary>A one-shot container run to completion.</summary>
    OneShot,
    /// <summary>A container started without waiting for its health.</summary>
    ContainerStarted,
    /// <summary>A container created but not started (a scheduled job's: its timer starts it).</summary>
    ContainerCreated,
}

/// <summary>
/// One resource the Pulumi program registers, with what the engine is told it waits for: its dependencies (explicit and
/// through the outputs its inputs use) and its provider; and its parent (a resource waits for its parent's registration).
/// </summary>
public sealed record DeployNode(ResourceRef Ref, DeployStep Step, ResourceRef? Parent, ImmutableArray<ResourceRef> DependsOn, ResourceRef? Provider)
{
    public string Name => Ref.Name;
}

/// <summary>
/// The resources a deployment of the blueprint registers and the order the engine must keep between them: the dependency
/// graph of the Pulumi program (<c>infra/</c>, <c>components/</c>), computed from the blueprint without Pulumi. The Infra
/// tests hold it equal to what the program registers under Pulumi's mocks, resource by resource (type, name, parent,
/// dependencies, provider), so the deploy-time model (<see cref="Plan.DeployTime"/>) runs on the real graph.
/// </summary>
public static class DeployGraph
{
    public const string Stack = "pulumi:pulumi:Stack";
    public const string Command = "command:remote:Command";
    public const string Container = "docker:index/container:Container";
    public const string DockerProvider = "pulumi:providers:docker";
    public const string ServiceContainer = "platform:services:ServiceContainer";
    public const string HostCommand = "platform:operations:HostCommand";
    public const string ServerComponent = "platform:server:Server";
    public const string HcloudServer = "hcloud:index/server:Server";
    public const string DnsRecord = "cloudflare:index/dnsRecord:DnsRecord";
    public const string LoadBalancerTarget = "hcloud:index/loadBalancerTarget:LoadBalancerTarget";

    /// <summary>Every resource of the deployment, components included, each once.</summary>
    public static ImmutableArray<DeployNode> Of(PlatformBlueprint b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var nodes = new List<DeployNode>();
        DeployNode Add(string type, string name, DeployStep step, ResourceRef? parent, IEnumerable<ResourceRef?>? deps = null, ResourceRef? provider = null)
        {
            var node = new DeployNode(new(type, name), step, parent, Sorted(deps), provider);
            nodes.Add(node);
            return node;
        }
        ResourceRef Component(string type, string name, ResourceRef? parent = null, IEnumerable<ResourceRef?>? deps = null) =>
            Add(type, name, DeployStep.Component, parent, deps).Ref;

        // Secrets: a resource per generated secret, key and certificate; config secrets are read, not created.
        var secretsComponent = Component("platform:secrets:Secrets", "secrets");
        var secrets = new Dictionary<string, ResourceRef>(StringComparer.Ordinal);
        foreach (var s in b.Secrets.OrderBy(s => s.Source == SecretSource.OriginCertificate))
        {
            var name = $"secrets-{s.Name}";
            switch (s.Source)
            {
                case SecretSource.Generated:
                    secrets[s.Name] = Add("random:index/randomPassword:RandomPassword", name, DeployStep.Local, secretsComponent).Ref;
                    break;
                case SecretSource.PrivateKey:
                    secrets[s.Name] = Add("tls:index/privateKey:PrivateKey", name, DeployStep.Local, secretsComponent).Ref;
                    break;
                case SecretSource.OriginCertificate:
                    var csr = Add("tls:index/certRequest:CertRequest", $"{name}-csr", DeployStep.Local, secretsComponent,
                        [secrets[b.OriginCertificate!.KeySecret]]).Ref;
                    secrets[s.Name] = Add("cloudflare:index/originCaCertificate:OriginCaCertificate", name, DeployStep.CloudObject, secretsComponent, [csr]).Ref;
                    break;
            }
        }
        IEnumerable<ResourceRef?> SecretsOf(Model.SecretText? text) =>
            text is null ? [] : text.Secrets.Select(n => secrets.TryGetValue(n, out var r) ? r : (ResourceRef?)null);

        ResourceRef? network = null, subnet = null, group = null;
        if (b.PrivateNetwork is not null)
        {
            var c = Component("platform:network:PrivateNetwork", "private-network");
            network = Add("hcloud:index/network:Network", "private-network-network", DeployStep.CloudObject, c).Ref;
            subnet = Add("hcloud:index/networkSubnet:NetworkSubnet", "private-network-subnet", DeployStep.CloudObject, c, [network]).Ref;
        }
        if (b.PlacementGroup is not null)
            group = Add("hcloud:index/placementGroup:PlacementGroup", "placement-group", DeployStep.CloudObject, Component("platform:server:PlacementGroup", "placement")).Ref;
        var firewalls = b.Firewalls.ToDictionary(f => f.Name, f =>
            Add("hcloud:index/firewall:Firewall", $"{f.ResourceName}-firewall", DeployStep.CloudObject, Component("platform:server:Firewall", f.ResourceName)).Ref, StringComparer.Ordinal);

        var servers = new Dictionary<ServerKey, ServerRefs>();
        foreach (var spec in b.Servers)
        {
            var name = spec.Key.ResourceName;
            var c = Component(ServerComponent, name);
            var server = Add(HcloudServer, $"{name}-server", DeployStep.Server, c,
                [firewalls[spec.FirewallName], spec.PrivateIp is null ? null : network, spec.PrivateIp is null ? null : subnet, spec.Spread ? group : null]).Ref;
            var ready = Add(Command, $"{name}-ready", DeployStep.Readiness, c, [server]).Ref;
            ResourceRef? mount = null, privateIp = null;
            if (b.DataVolumeOf(spec.Key) is { } data)
            {
                var volume = Add("hcloud:index/volume:Volume", $"{name}-data", DeployStep.CloudObject, c).Ref;
                var attachment = Add("hcloud:index/volumeAttachment:VolumeAttachment", $"{name}-data-attachment", DeployStep.CloudObject, c, [server, volume]).Ref;
                mount = Add(Command, $"{name}-data-mount", DeployStep.SshCommand, c, [server, ready, attachment]).Ref;
            }
            if (spec.PrivateIpReadyCommand is not null)
                privateIp = Add(Command, $"{name}-private-ip", DeployStep.SshCommand, c, [server, ready]).Ref;
            ResourceRef? patched = spec.PatchedCommand is null ? null : Add(Command, $"{name}-patched", DeployStep.Patched, c, [server, ready]).Ref;
            servers[spec.Key] = new ServerRefs(server, ready, mount, privateIp, patched);
        }

        // What the public reaches waits until every server is fully patched (Parts.ServerGates).
        var patchedServers = servers.Values.Select(x => x.Patched).ToList();
        ResourceRef? balancer = null;
        if (b.LoadBalancer is { } lb)
        {
            var c = Component("platform:network:LoadBalancer", "load-balancer");
            balancer = Add("hcloud:index/loadBalancer:LoadBalancer", "load-balancer-lb", DeployStep.LoadBalancer, c).Ref;
            var attachment = Add("hcloud:index/loadBalancerNetwork:LoadBalancerNetwork", "load-balancer-network", DeployStep.CloudObject, c, [balancer, subnet]).Ref;
            foreach (var target in lb.Targets)
                Add(LoadBalancerTarget, $"load-balancer-target-{target.Id}", DeployStep.CloudObject, c, [balancer, attachment, servers[target].Server, .. patchedServers]);
            foreach (var service in lb.Services)
                Add("hcloud:index/loadBalancerService:LoadBalancerService", $"load-balancer-service-{service.ListenPort}", DeployStep.CloudObject, c, [balancer]);
        }

        var dns = Component("platform:dns:Records", "dns");
        foreach (var record in b.DnsRecords)
            Add(DnsRecord, $"dns-{record.Fqdn}-{record.Type.ToLowerInvariant()}", DeployStep.CloudObject, dns,
                [record.Target.Server is { } key ? servers[key].Server : balancer, .. patchedServers]);
        foreach (var record in b.ZoneRecords)
            Add(DnsRecord, $"dns-{record.ResourceSuffix}", DeployStep.CloudObject, dns);
        ResourceRef? originPulls = b.CloudflareOriginPulls
            ? Add("cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings", "dns-origin-pulls", DeployStep.CloudObject, dns).Ref
            : null;

        // Per server: its Docker provider (after every gate of the server), networks and pulled images.
        var providers = new Dictionary<ServerKey, ResourceRef>();
        var dockerNetworks = new Dictionary<(ServerKey, string), ResourceRef>();
        var images = new Dictionary<(ServerKey, string), ResourceRef>();
        foreach (var spec in b.Servers)
        {
            var key = spec.Key;
            var refs = servers[key];
            var provider = providers[key] = Add(DockerProvider, $"{ShellDecisions.PerServer("docker", key)}-provider", DeployStep.DockerProvider,
                Component("platform:docker:Host", ShellDecisions.PerServer("docker", key)),
                [refs.Ready, refs.Mount, refs.PrivateIp, refs.Server, .. b.Registries.SelectMany(r => SecretsOf(Model.SecretText.Of(new Model.SecretPart(r.PasswordSecret))))]).Ref;
            var networksName = ShellDecisions.PerServer("networks", key);
            var networks = Component("platform:network:DockerNetworks", networksName);
            foreach (var n in b.Networks.Where(n => n.Host == key))
                dockerNetworks[(key, n.Name)] = Add("docker:index/network:Network", $"{networksName}-{n.Key}", DeployStep.DockerObject, networks, provider: provider).Ref;
            var imagesName = ShellDecisions.PerServer("images", key);
            var imagesComponent = Component("platform:docker:Images", imagesName);
            foreach (var image in b.Services.Where(s => s.Host == key && s.ImageBuiltBy is null).Select(s => s.Image).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                images[(key, image)] = Add("docker:index/remoteImage:RemoteImage", $"{imagesName}-{ShellDecisions.ImageResourceName(image)}", DeployStep.ImagePull, imagesComponent, provider: provider).Ref;
        }

        // The parts: volumes, then containers and host commands, each after what it names.
        var volumes = new Dictionary<(ServerKey, string), ResourceRef>();
        var workloads = new Dictionary<string, ResourceRef>(StringComparer.Ordinal);
        foreach (var part in PartGraph.Of(b))
        {
            var c = Component(part.Id.TypeToken, part.Id.ResourceName, deps: part.Id.Kind == PartKind.Edge ? [originPulls] : null);
            foreach (var v in part.Volumes)
                volumes[(v.Host, v.Name)] = Add("docker:index/volume:Volume", $"volumes-{v.Key}", DeployStep.DockerObject, c, provider: providers[v.Host]).Ref;
            foreach (var s in part.Services) workloads[s.Name] = new(Container, $"{s.Name}-container");
            foreach (var h in part.HostCommands) workloads[h.Name] = new(Command, $"{h.Name}-command");
        }
        var builders = b.Services.Select(s => s.ImageBuiltBy).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var part in PartGraph.Of(b))
        {
            var c = new ResourceRef(part.Id.TypeToken, part.Id.ResourceName);
            foreach (var s in part.Services)
            {
                var config = ContainerConfigs.Of(s);
                var wrapper = Component(ServiceContainer, s.Name, c);
                var container = Add(Container, $"{s.Name}-container", StepOf(s), wrapper,
                [
                    s.ImageBuiltBy is null ? images[(s.Host, s.Image)] : null,
                    .. config.Networks.Select(n => (ResourceRef?)dockerNetworks[(s.Host, n.Network)]),
                    .. config.Mounts.Where(m => m.Kind == MountKind.Volume).Select(m => (ResourceRef?)volumes[(s.Host, m.Source)]),
                    .. config.Env.Values.SelectMany(SecretsOf),
                    .. config.Uploads.SelectMany(f => SecretsOf(f.Content)),
                    .. s.DependsOn.Select(d => (ResourceRef?)workloads[d]),
                    .. s.AfterHostCommands.Select(h => (ResourceRef?)workloads[h]),
                    .. s.AfterServersPatched ? patchedServers : [],
                ], providers[s.Host]).Ref;
                if (config.DrainSeconds is not null)
                    Add(Command, $"{s.Name}-drain", DeployStep.NoOp, wrapper, [container, servers[s.Host].Ready, servers[s.Host].Server]);
            }
            foreach (var h in part.HostCommands)
            {
                var refs = servers[h.Host];
                Add(Command, $"{h.Name}-command", builders.Contains(h.Name) ? DeployStep.ImageBuild : DeployStep.SshCommand, Component(HostCommand, h.Name, c),
                [
                    .. h.DependsOnServices.Select(d => (ResourceRef?)workloads[d]),
                    .. h.AfterCommands.Select(a => (ResourceRef?)workloads[a]),
                    .. h.Networks.Select(n => (ResourceRef?)dockerNetworks[(h.Host, n)]),
                    refs.SshGate, refs.Ready, refs.Server,
                    .. SecretsOf(h.Stdin),
                ]);
            }
        }
        return [.. nodes];
    }

    /// <summary>What a container's creation amounts to: waited for until healthy, run to completion, started, or only created.</summary>
    /// <summary>The resources given (nulls left out), each once, by type and then name.</summary>
    private static ImmutableArray<ResourceRef> Sorted(IEnumerable<ResourceRef?>? deps)
    {
        if (deps is null) return [];
        var list = new List<ResourceRef>();
        foreach (var d in deps)
            if (d is { } r) list.Add(r);
        if (list.Count > 1)
        {
            list.Sort(static (a, b) => string.CompareOrdinal(a.Type, b.Type) is var byType and not 0 ? byType : string.CompareOrdinal(a.Name, b.Name));
            var unique = 1;
            for (var i = 1; i < list.Count; i++)
                if (list[i] != list[unique - 1]) list[unique++] = list[i];
            list.RemoveRange(unique, list.Count - unique);
        }
        return [.. list];
    }

    public static DeployStep StepOf(ServiceSpec s) =>
        !s.StartOnDeploy ? DeployStep.ContainerCreated
        : s.OneShot ? DeployStep.OneShot
        : s.WaitHealthy ? DeployStep.Container
        : DeployStep.ContainerStarted;

    private sealed record ServerRefs(ResourceRef Server, ResourceRef Ready, ResourceRef? Mount, ResourceRef? PrivateIp, ResourceRef? Patched)
    {
        /// <summary>What a host command on the server waits for (the last gate before Docker; <c>SshTarget.Readiness</c> in the shell).</summary>
        public ResourceRef SshGate => PrivateIp ?? Mount ?? Ready;
    }
}
