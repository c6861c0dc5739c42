using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;
using HCloud = Pulumi.HCloud;

namespace Platform.Components.Server;

/// <summary>Arguments of <see cref="LoadBalancer"/>.</summary>
public sealed class LoadBalancerArgs
{
    /// <summary>The load balancer: type, location, private address, targets, services and their health checks.</summary>
    public required LoadBalancerSpec Spec { get; init; }

    /// <summary>The private network it reaches its targets on.</summary>
    public required PrivateNetwork Network { get; init; }

    /// <summary>The servers by key; every target of the spec must be among them.</summary>
    public required IReadOnlyDictionary<ServerKey, PlatformServer> Servers { get; init; }

    /// <summary>What the targets wait for: every server's patched gate, so no request reaches a server before it is fully patched. Default: nothing.</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>
/// The Hetzner load balancer in front of the app servers: public addresses for DNS, a fixed address on the private
/// network, each app server a target on its private address, and one TCP service per spec service with the PROXY
/// protocol (TLS ends at Traefik) and an HTTP health check.
/// </summary>
public sealed class LoadBalancer : ComponentResource
{
    public HCloud.LoadBalancer Balancer { get; }

    /// <summary>The attachment to the private network; targets on private addresses wait for it.</summary>
    public HCloud.LoadBalancerNetwork Attachment { get; }

    /// <summary>The targets by server.</summary>
    public IReadOnlyDictionary<ServerKey, HCloud.LoadBalancerTarget> Targets { get; }

    /// <summary>The services by listen port.</summary>
    public IReadOnlyDictionary<int, HCloud.LoadBalancerService> Services { get; }

    [Output("ipv4")]
    public Output<string> Ipv4 { get; private set; }

    [Output("ipv6")]
    public Output<string> Ipv6 { get; private set; }

    /// <summary>The public addresses DNS records point at.</summary>
    public PublicAddresses Addresses => new(Ipv4, Ipv6);

    public LoadBalancer(string name, LoadBalancerArgs args, ComponentResourceOptions? opts = null)
        : base("platform:network:LoadBalancer", name, opts)
    {
        var spec = args.Spec;
        Balancer = new HCloud.LoadBalancer($"{name}-lb", new HCloud.LoadBalancerArgs
        {
            Name = spec.Name,
            LoadBalancerType = spec.Type,
            Location = spec.Location,
            Labels = spec.Labels.ToDictionary(),
            DeleteProtection = spec.Protect,
        }, new CustomResourceOptions { Parent = this, Protect = spec.Protect });
        var balancerId = Balancer.Id.Apply(int.Parse);

        Attachment = new HCloud.LoadBalancerNetwork($"{name}-network", new HCloud.LoadBalancerNetworkArgs
        {
            LoadBalancerId = balancerId,
            SubnetId = args.Network.Subnet.Id,
            Ip = spec.PrivateIp,
            EnablePublicInterface = true,
        }, new CustomResourceOptions { Parent = this });

        Targets = spec.Targets.ToDictionary(key => key, key =>
        {
            var server = args.Servers.TryGetValue(key, out var s) ? s
                : throw new InvalidOperationException($"The load balancer targets the server {key}, which the blueprint does not declare.");
            return new HCloud.LoadBalancerTarget($"{name}-target-{key.Id}", new HCloud.LoadBalancerTargetArgs
            {
                Type = ShellDecisions.LoadBalancerTargetType,
                LoadBalancerId = balancerId,
                ServerId = server.Server.Id.Apply(int.Parse),
                UsePrivateIp = true,
            }, new CustomResourceOptions { Parent = this, DependsOn = [Attachment, .. args.After] });
        });

        Services = spec.Services.ToDictionary(service => service.ListenPort, service => new HCloud.LoadBalancerService($"{name}-service-{service.ListenPort}", new HCloud.LoadBalancerServiceArgs
        {
            LoadBalancerId = Balancer.Id,
            Protocol = ShellDecisions.LoadBalancerServiceProtocol,
            ListenPort = service.ListenPort,
            DestinationPort = service.DestinationPort,
            Proxyprotocol = service.ProxyProtocol,
            HealthCheck = new HCloud.Inputs.LoadBalancerServiceHealthCheckArgs
            {
                Protocol = ShellDecisions.LoadBalancerHealthCheckProtocol,
                Port = service.HealthPort,
                Interval = service.HealthIntervalSeconds,
                Timeout = service.HealthTimeoutSeconds,
                Retries = service.HealthRetries,
                Http = new HCloud.Inputs.LoadBalancerServiceHealthCheckHttpArgs { Path = service.HealthPath },
            },
        }, new CustomResourceOptions { Parent = this }));

        Ipv4 = Balancer.Ipv4;
        Ipv6 = Balancer.Ipv6;
        RegisterOutputs();
    }
}
