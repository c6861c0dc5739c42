using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Pulumi;
using HCloud = Pulumi.HCloud;
using Remote = Pulumi.Command.Remote;

namespace Platform.Components.Server;

/// <summary>Arguments of <see cref="PlatformServer"/>.</summary>
public sealed class PlatformServerArgs
{
    /// <summary>The server, its user data, labels, protection and readiness command.</summary>
    public required ServerSpec Spec { get; init; }

    /// <summary>The Hetzner Volume that holds the durable data. Default: none (the data stays on the server's disk).</summary>
    public DataVolumeSpec? DataVolume { get; init; }

    /// <summary>The firewall attached to the server.</summary>
    public required PlatformFirewall Firewall { get; init; }

    /// <summary>
    /// The private network the server joins at <see cref="ServerSpec.PrivateIp"/>; required when the spec has one.
    /// Default: none (a single server has no private network).
    /// </summary>
    public PrivateNetwork? PrivateNetwork { get; init; }

    /// <summary>The spread placement group the server joins; required when <see cref="ServerSpec.Spread"/>. Default: none.</summary>
    public PlacementGroup? PlacementGroup { get; init; }
}

/// <summary>
/// The Hetzner Cloud server, and the readiness gate: a command over SSH that returns only when
/// cloud-init has finished, so nothing touches Docker on a half-built host. It also reads the
/// server's host key, which every later SSH connection of the deployment is pinned to. A split
/// stack's server joins the private network at its fixed address (and waits until the address is up)
/// and, for an app server, the spread placement group.
/// SSH keys are installed by cloud-init, not uploaded to Hetzner: Hetzner refuses a key whose
/// fingerprint already exists in the project, so two stacks sharing a project and the team's keys
/// would collide. Changes to user data are ignored on purpose: they would replace a running server
/// (see docs/pulumi-program.md, "Rolling a server on purpose").
/// </summary>
public sealed class PlatformServer : ComponentResource
{
    public HCloud.Server Server { get; }

    /// <summary>Completes once Docker answers on the current server (cloud-init may still be upgrading); everything that uses Docker depends on it.</summary>
    public Remote.Command Readiness { get; }

    [Output("ipv4Address")]
    public Output<string> Ipv4Address { get; private set; }

    [Output("ipv6Address")]
    public Output<string> Ipv6Address { get; private set; }

    /// <summary>The server's ed25519 host key ("ssh-ed25519 AAAA…"), read by the readiness step.</summary>
    [Output("hostKey")]
    public Output<string> HostKey { get; private set; }

    /// <summary>Completes once the data volume is attached and mounted; null without one. Docker waits for it.</summary>
    public Remote.Command? DataMount { get; }

    /// <summary>
    /// Completes once the server's private interface has its fixed address; null without one. Docker waits for it: it
    /// cannot publish a port on an address the host does not have yet.
    /// </summary>
    public Remote.Command? PrivateIpReady { get; }

    /// <summary>
    /// Completes once cloud-init has finished, the full package upgrade included (<see cref="ServerSpec.PatchedCommand"/>);
    /// null without one. What the public reaches (DNS records, load-balancer targets) waits for it.
    /// </summary>
    public Remote.Command? Patched { get; }

    /// <summary>The server's public addresses.</summary>
    public PublicAddresses Addresses => new(Ipv4Address, Ipv6Address);

    /// <summary>The Hetzner server id; it changes only when the server is replaced.</summary>
    public Output<string> ServerId { get; }

    /// <summary>The deploy user SSH and the Docker provider connect as.</summary>
    public string DeployUser { get; }

    /// <summary>Where host commands run: this server, its deploy user, its pinned host key, after readiness.</summary>
    public SshTarget Ssh { get; }

    public PlatformServer(string name, PlatformServerArgs args, ComponentResourceOptions? opts = null)
        : base("platform:server:Server", name, opts)
    {
        var spec = args.Spec;
        DeployUser = spec.DeployUser;

        var serverArgs = new HCloud.ServerArgs
        {
            Name = spec.Name,
            ServerType = spec.Type,
            Location = spec.Location,
            Image = spec.Image,
            UserData = spec.UserData,
            FirewallIds = { args.Firewall.Firewall.Id.Apply(int.Parse) },
            Labels = spec.Labels.ToDictionary(),
            DeleteProtection = spec.Protect,
            RebuildProtection = spec.Protect,
            // Hetzner's automatic backups: a daily image, 7 kept; toggled in place, never a replacement.
            Backups = spec.Backups,
            PublicNets = new HCloud.Inputs.ServerPublicNetArgs { Ipv4Enabled = true, Ipv6Enabled = true },
        };
        var serverOptions = new CustomResourceOptions
        {
            Parent = this,
            Protect = spec.Protect,
            // Hetzner applies user data only when a server is created: a change would replace the
            // running server and its data. Rolling a server is a deliberate act. sshKeys stays ignored
            // so that servers created when keys were still uploaded are not replaced for dropping them.
            IgnoreChanges = ["userData", "sshKeys"],
        };
        if (spec.PrivateIp is { } privateIp)
        {
            var network = args.PrivateNetwork
                ?? throw new InvalidOperationException($"The server {spec.Name} has the private address {privateIp}; pass the private network in its arguments.");
            // Inline, so the server has its private interface from creation (cloud-init configures it on first boot).
            // An empty alias list keeps the provider from detaching and attaching the network on every update.
            serverArgs.Networks.Add(new HCloud.Inputs.ServerNetworkArgs { NetworkId = network.Network.Id.Apply(int.Parse), Ip = privateIp, AliasIps = { } });
            // Hetzner attaches a server only to a network that has a subnet for its address.
            serverOptions.DependsOn = new InputList<Resource> { network.Subnet };
        }
        if (spec.Spread)
        {
            var group = args.PlacementGroup
                ?? throw new InvalidOperationException($"The server {spec.Name} is spread; pass the placement group in its arguments.");
            serverArgs.PlacementGroupId = group.Group.Id.Apply(int.Parse);
        }
        Server = new HCloud.Server($"{name}-server", serverArgs, serverOptions);
        ServerId = Server.Id;

        Readiness = new Remote.Command($"{name}-ready", new Remote.CommandArgs
        {
            Connection = new Remote.Inputs.ConnectionArgs
            {
                Host = Server.Ipv4Address,
                User = spec.DeployUser,
                // The first contact with a new server: its host key is not known yet (it is read here).
                PerDialTimeout = ShellDecisions.PerDialTimeoutSeconds,
                DialErrorLimit = ShellDecisions.ReadinessDialErrorLimit(spec.ReadinessTimeoutSeconds),
            },
            // The core bounds it with `timeout`: the command provider has no deadline of its own.
            Create = spec.ReadinessCommand,
            // A new server (new id) must pass the gate again.
            Triggers = { (Input<object>)Server.Id.Apply(id => (object)id) },
        }, new CustomResourceOptions { Parent = this });

        HostKey = Readiness.Stdout.Apply(stdout => CloudInit.HostKeyFrom(stdout)
            ?? throw new RunException($"The readiness step on {spec.Name} printed no SSH host key; nothing else was deployed. Check /etc/ssh/ssh_host_ed25519_key.pub on the server."));
        Ipv4Address = Server.Ipv4Address;
        Ipv6Address = Server.Ipv6Address;
        if (args.DataVolume is { } data)
        {
            // Its own resource, outside the server: the data outlives a replaced server.
            var volume = new HCloud.Volume($"{name}-data", new HCloud.VolumeArgs
            {
                Name = data.Name,
                Size = data.SizeGb,
                Location = data.Location,
                Format = data.Format,
                Automount = false,
                DeleteProtection = data.Protect,
                Labels = spec.Labels.ToDictionary(),
            }, new CustomResourceOptions { Parent = this, Protect = data.Protect, RetainOnDelete = data.Protect });
            var attachment = new HCloud.VolumeAttachment($"{name}-data-attachment", new HCloud.VolumeAttachmentArgs
            {
                ServerId = Server.Id.Apply(int.Parse),
                VolumeId = volume.Id.Apply(int.Parse),
                Automount = false,
            }, new CustomResourceOptions { Parent = this });
            DataMount = new Remote.Command($"{name}-data-mount", new Remote.CommandArgs
            {
                Connection = Pinned(spec),
                Create = data.MountScript,
                // A new attachment (new server or new volume) mounts again.
                Triggers = { (Input<object>)attachment.Id.Apply(id => (object)id) },
            }, new CustomResourceOptions { Parent = this, DependsOn = { Readiness, attachment } });
        }
        if (spec.PrivateIpReadyCommand is { } privateIpReady)
        {
            PrivateIpReady = new Remote.Command($"{name}-private-ip", new Remote.CommandArgs
            {
                Connection = Pinned(spec),
                // The core bounds the wait with `timeout`.
                Create = privateIpReady,
                // A new server waits for its own interface.
                Triggers = { (Input<object>)Server.Id.Apply(id => (object)id) },
            }, new CustomResourceOptions { Parent = this, DependsOn = { Readiness } });
        }
        if (spec.PatchedCommand is { } patched)
        {
            Patched = new Remote.Command($"{name}-patched", new Remote.CommandArgs
            {
                Connection = Pinned(spec),
                // The core bounds the wait with `timeout`.
                Create = patched,
                // A new server passes its own gate.
                Triggers = { (Input<object>)Server.Id.Apply(id => (object)id) },
            }, new CustomResourceOptions { Parent = this, DependsOn = { Readiness } });
        }
        Ssh = new SshTarget(Server.Ipv4Address, spec.DeployUser, HostKey, (CustomResource?)PrivateIpReady ?? (CustomResource?)DataMount ?? Readiness);
        RegisterOutputs();
    }

    /// <summary>SSH to this server as the deploy user, pinned to the host key the readiness step read.</summary>
    private Remote.Inputs.ConnectionArgs Pinned(ServerSpec spec) => new()
    {
        Host = Server.Ipv4Address,
        User = spec.DeployUser,
        HostKey = HostKey,
        PerDialTimeout = ShellDecisions.PerDialTimeoutSeconds,
    };
}
