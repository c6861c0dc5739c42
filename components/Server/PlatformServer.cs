using Platform.Stacks.Blueprint;
using Pulumi;
using HCloud = Pulumi.HCloud;
using Remote = Pulumi.Command.Remote;

namespace Platform.Components.Server;

/// <summary>Arguments of <see cref="PlatformServer"/>.</summary>
public sealed class PlatformServerArgs
{
    /// <summary>The server, its SSH keys, user data, labels, protection and readiness command.</summary>
    public required ServerSpec Spec { get; init; }

    /// <summary>The firewall attached to the server.</summary>
    public required PlatformFirewall Firewall { get; init; }
}

/// <summary>
/// The Hetzner Cloud server with its SSH keys, and the readiness gate: a command over SSH that
/// returns only when cloud-init has finished, so nothing touches Docker on a half-built host.
/// Changes to user data or SSH keys are ignored on purpose: they would replace a running server
/// (see docs/pulumi-program.md, "Rolling a server on purpose").
/// </summary>
public sealed class PlatformServer : ComponentResource
{
    public HCloud.Server Server { get; }

    /// <summary>Completes once cloud-init has finished on the current server; everything that uses Docker depends on it.</summary>
    public Remote.Command Readiness { get; }

    [Output("ipv4Address")]
    public Output<string> Ipv4Address { get; private set; }

    [Output("ipv6Address")]
    public Output<string> Ipv6Address { get; private set; }

    /// <summary>The deploy user SSH and the Docker provider connect as.</summary>
    public string DeployUser { get; }

    public PlatformServer(string name, PlatformServerArgs args, ComponentResourceOptions? opts = null)
        : base("platform:server:Server", name, opts)
    {
        var spec = args.Spec;
        DeployUser = spec.DeployUser;

        var keys = spec.SshKeys.Select(key => new HCloud.SshKey($"{name}-sshkey-{key.Name}", new HCloud.SshKeyArgs
        {
            Name = key.Name,
            PublicKey = key.PublicKey,
            Labels = spec.Labels.ToDictionary(),
        }, new CustomResourceOptions { Parent = this })).ToList();

        Server = new HCloud.Server($"{name}-server", new HCloud.ServerArgs
        {
            Name = spec.Name,
            ServerType = spec.Type,
            Location = spec.Location,
            Image = spec.Image,
            UserData = spec.UserData,
            SshKeys = keys.Select(k => k.Id).ToList(),
            FirewallIds = { args.Firewall.Firewall.Id.Apply(int.Parse) },
            Labels = spec.Labels.ToDictionary(),
            DeleteProtection = spec.Protect,
            RebuildProtection = spec.Protect,
            PublicNets = new HCloud.Inputs.ServerPublicNetArgs { Ipv4Enabled = true, Ipv6Enabled = true },
        }, new CustomResourceOptions
        {
            Parent = this,
            Protect = spec.Protect,
            // Hetzner applies user data and keys only when a server is created: a change would
            // replace the running server and its data. Rolling a server is a deliberate act.
            IgnoreChanges = ["userData", "sshKeys"],
        });

        Readiness = new Remote.Command($"{name}-ready", new Remote.CommandArgs
        {
            Connection = new Remote.Inputs.ConnectionArgs
            {
                Host = Server.Ipv4Address,
                User = spec.DeployUser,
            },
            // The core bounds it with `timeout`: the command provider has no deadline of its own.
            Create = spec.ReadinessCommand,
            // A new server (new id) must pass the gate again.
            Triggers = { (Input<object>)Server.Id.Apply(id => (object)id) },
        }, new CustomResourceOptions { Parent = this });

        Ipv4Address = Server.Ipv4Address;
        Ipv6Address = Server.Ipv6Address;
        RegisterOutputs();
    }
}
