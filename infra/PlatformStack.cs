using Platform.Components.Dns;
using Platform.Components.Docker;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Components.Apps;
using Platform.Components.Backups;
using Platform.Components.Data;
using Platform.Components.Edge;
using Platform.Components.Monitoring;
using Platform.Components.Parts;
using Platform.Components.Storage;
using Platform.Stacks.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Pulumi;

namespace Platform.Infra;

/// <summary>
/// The stack: reads the settings once through the core, builds the blueprint, and composes the
/// components from it. Nothing here decides anything; it wires blueprint parts together.
/// </summary>
public static class PlatformStack
{
    /// <summary>The program Pulumi runs: settings of the current stack, then <see cref="Deploy"/>.</summary>
    public static IDictionary<string, object?> Run() => Deploy(Checked(BlueprintBuilder.Build(LoadSettings())));

    /// <summary>The blueprint, if it keeps every platform rule; otherwise the run ends before any resource is registered.</summary>
    public static PlatformBlueprint Checked(PlatformBlueprint blueprint)
    {
        var violations = Stacks.Policy.Policies.Check(blueprint);
        if (!violations.IsEmpty)
            throw new RunException($"Stack '{blueprint.Stack}' breaks {violations.Length} platform rule(s); nothing was created:\n"
                + string.Join("\n", violations.Select(v => "  - " + v)));
        return blueprint;
    }

    /// <summary>
    /// The current stack's settings, from the configuration Pulumi hands the program (the stack file merged
    /// with ESC environments, <c>--config</c> flags and <c>config set --path</c> edits), through the same reader
    /// and validation as the offline <c>plan</c>. Invalid settings end the run with the core's message (every
    /// error, each with its fix) before any resource is registered.
    /// </summary>
    public static StackSettings LoadSettings()
    {
        try
        {
            return SettingsReader.Read(PulumiConfig.FromEnvironment(Deployment.Instance.ProjectName, Deployment.Instance.StackName));
        }
        catch (InvalidStackException e)
        {
            // RunException: printed as the message alone, without a stack trace.
            throw new RunException(e.Message);
        }
    }

    /// <summary>
    /// Creates every resource of <paramref name="blueprint"/> and returns the stack outputs: one server, or a split
    /// stack's data and app servers with their private network, placement group and load balancer; each server with
    /// its own Docker host, and every part's workloads on the server the blueprint places them on.
    /// <paramref name="transformations"/> apply to every component and, through them, to every resource
    /// (tests use them to observe parents and options). Default: none.
    /// </summary>
    public static IDictionary<string, object?> Deploy(PlatformBlueprint blueprint, IReadOnlyList<ResourceTransformation>? transformations = null)
    {
        ComponentResourceOptions Options() => new() { ResourceTransformations = transformations?.ToList() ?? [] };

        var secrets = new PlatformSecrets("secrets", new PlatformSecretsArgs { Secrets = blueprint.Secrets, OriginCertificate = blueprint.OriginCertificate }, Options());

        // A split stack's Hetzner pieces between the servers: the private network and the app servers' spread group.
        var privateNetwork = blueprint.PrivateNetwork is { } network
            ? new PrivateNetwork("private-network", new PrivateNetworkArgs { Spec = network }, Options())
            : null;
        var placementGroup = blueprint.PlacementGroup is { } group
            ? new PlacementGroup("placement", new PlacementGroupArgs { Spec = group }, Options())
            : null;

        var firewalls = blueprint.Firewalls.ToDictionary(f => f.Name, f => new PlatformFirewall(f.ResourceName, new PlatformFirewallArgs
        {
            Spec = f,
            // The labels of the servers it applies to (one role each).
            Labels = blueprint.Servers.FirstOrDefault(x => x.FirewallName == f.Name)?.Labels,
        }, Options()), StringComparer.Ordinal);
        var servers = blueprint.Servers.ToDictionary(spec => spec.Key, spec => new PlatformServer(spec.Key.ResourceName, new PlatformServerArgs
        {
            Spec = spec,
            Firewall = firewalls.TryGetValue(spec.FirewallName, out var firewall) ? firewall
                : throw new RunException($"The server {spec.Name} is to have the firewall {spec.FirewallName}, which the blueprint does not declare. Nothing was created."),
            DataVolume = blueprint.DataVolumeOf(spec.Key),
            PrivateNetwork = spec.PrivateIp is null ? null : privateNetwork,
            PlacementGroup = spec.Spread ? placementGroup : null,
        }, Options()));

        // What the public reaches waits until every server is fully patched (Stacks.Parts.ServerGates).
        var patched = servers.Values.Select(x => x.Patched).OfType<Resource>().ToList();
        var loadBalancer = blueprint.LoadBalancer is { } balancer
            ? new LoadBalancer("load-balancer", new LoadBalancerArgs
            {
                Spec = balancer,
                Network = privateNetwork ?? throw new RunException($"Stack '{blueprint.Stack}' has a load balancer but no private network to reach its targets on. Nothing was created."),
                Servers = servers,
                After = patched,
            }, Options())
            : null;

        var addresses = servers.ToDictionary(kv => AddressTarget.Of(kv.Key), kv => kv.Value.Addresses);
        if (loadBalancer is not null) addresses[AddressTarget.LoadBalancer] = loadBalancer.Addresses;
        var dns = new DnsRecords("dns", new DnsRecordsArgs
        {
            Zone = blueprint.Zone,
            Records = blueprint.DnsRecords,
            Declared = blueprint.ZoneRecords,
            Targets = addresses,
            OriginPulls = blueprint.CloudflareOriginPulls,
            After = patched,
        }, Options());

        // Per server: its Docker host, its Docker networks and the images of the services that run on it.
        var registries = blueprint.Registries
            .Select(r => (r.Address, r.Username, Output.CreateSecret(secrets.Render(Stacks.Model.SecretText.Of(new Stacks.Model.SecretPart(r.PasswordSecret)))))).ToList();
        var targets = new Dictionary<ServerKey, ServerTargets>();
        foreach (var spec in blueprint.Servers)
        {
            var key = spec.Key;
            var server = servers[key];
            var docker = new DockerHost(ShellDecisions.PerServer("docker", key), new DockerHostArgs { Server = server, Registries = registries }, Options());
            var networks = new DockerNetworks(ShellDecisions.PerServer("networks", key), new DockerNetworksArgs
            {
                Networks = [.. blueprint.Networks.Where(n => n.Host == key)],
                Docker = docker.Target,
            }, Options());
            var images = new DockerImages(ShellDecisions.PerServer("images", key), new DockerImagesArgs
            {
                // An image built on the server by a host command is in no registry: it is not pulled.
                Images = blueprint.Services.Where(x => x.Host == key && x.ImageBuiltBy is null).Select(x => x.Image),
                Docker = docker.Target,
            }, Options());
            targets[key] = new ServerTargets(docker.Target, server.Ssh, networks, images);
        }
        var first = targets[blueprint.Server.Key];
        var infrastructure = new PartInfrastructure
        {
            Docker = first.Docker,
            Ssh = first.Ssh,
            Networks = first.Networks,
            Images = first.Images,
            Secrets = secrets,
            Servers = targets,
            Patched = patched,
        };
        // Traefik starts requiring Cloudflare's client certificate only once the zone sends it.
        ComposeParts(blueprint, infrastructure, Options, edgeAfter: dns.OriginPulls);

        var outputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, server) in servers)
        {
            outputs[ShellDecisions.ServerIpv4OutputOf(key)] = server.Ipv4Address;
            outputs[ShellDecisions.ServerIpv6OutputOf(key)] = server.Ipv6Address;
            outputs[ShellDecisions.ServerHostKeyOutputOf(key)] = server.HostKey;
        }
        if (loadBalancer is not null)
        {
            outputs[ShellDecisions.LoadBalancerIpv4Output] = loadBalancer.Ipv4;
            outputs[ShellDecisions.LoadBalancerIpv6Output] = loadBalancer.Ipv6;
        }
        foreach (var output in blueprint.Outputs)
        {
            var value = secrets.Render(output.Value);
            outputs[output.Name] = output.Secret ? Output.CreateSecret(value) : value;
        }
        return outputs;
    }

    /// <summary>
    /// One component per part, in the order the core's <see cref="PartGraph"/> gives: each part is handed
    /// the parts it depends on (typed), never names or ids.
    /// </summary>
    private static ComponentResourceOptions EdgeOptions(ComponentResourceOptions options, Resource? after)
    {
        if (after is not null) options.DependsOn.Add(after);
        return options;
    }

    public static IReadOnlyList<PlatformPart> ComposeParts(PlatformBlueprint blueprint, PartInfrastructure infrastructure, Func<ComponentResourceOptions> options,
        Resource? edgeAfter = null)
    {
        Traefik? edge = null;
        Postgres? postgres = null;
        MariaDb? mariaDb = null;
        Redis? redis = null;
        Minio? minio = null;
        UptimeKuma? monitoring = null;
        var parts = new List<PlatformPart>();
        foreach (var node in PartGraph.Of(blueprint))
        {
            PlatformPart part = node.Id.Kind switch
            {
                PartKind.Edge => edge = new Traefik(node.Id.ResourceName, new TraefikArgs { Spec = node, Infrastructure = infrastructure }, EdgeOptions(options(), edgeAfter)),
                PartKind.Postgres => postgres = new Postgres(node.Id.ResourceName, new PostgresArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.MariaDb => mariaDb = new MariaDb(node.Id.ResourceName, new MariaDbArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.Redis => redis = new Redis(node.Id.ResourceName, new RedisArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.ObjectStorage => minio = new Minio(node.Id.ResourceName, new MinioArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.Monitoring => monitoring = new UptimeKuma(node.Id.ResourceName, new UptimeKumaArgs { Spec = node, Infrastructure = infrastructure, Postgres = postgres }, options()),
                PartKind.Backups => new Backups(node.Id.ResourceName, new BackupsArgs
                {
                    Spec = node, Infrastructure = infrastructure, Postgres = postgres, MariaDb = mariaDb, Redis = redis, Minio = minio, Monitoring = monitoring,
                    Apps = [.. parts.OfType<App>()],
                }, options()),
                PartKind.Observability => new Components.Observability.Observability(node.Id.ResourceName, new Components.Observability.ObservabilityArgs
                {
                    Spec = node, Infrastructure = infrastructure, Watched = [postgres, redis, mariaDb, minio, monitoring],
                }, options()),
                PartKind.App => new App(node.Id.ResourceName, new AppArgs
                {
                    Spec = node, Infrastructure = infrastructure, Edge = edge, Postgres = postgres, MariaDb = mariaDb, Redis = redis, Minio = minio,
                }, options()),
                _ => throw new RunException($"The blueprint has a part of kind {node.Id.Kind} that this program cannot deploy."),
            };
            parts.Add(part);
        }
        return parts;
    }
}
