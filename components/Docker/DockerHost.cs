using Platform.Components.Server;
using Platform.Stacks.Blueprint;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>Arguments of <see cref="DockerHost"/>.</summary>
public sealed class DockerHostArgs
{
    /// <summary>The server the Docker engine runs on; the provider is created once it is ready.</summary>
    public required PlatformServer Server { get; init; }

    /// <summary>Credentials for private registries (address, user name, password as a secret). Default: none.</summary>
    public IReadOnlyList<(string Address, string Username, Output<string> Password)>? Registries { get; init; }
}

/// <summary>
/// The Docker provider for one server, over <c>ssh://deployUser@ipv4</c> with the server's pinned host
/// key, created after the readiness gate. Every Docker resource made through it is bound to the server:
/// when the server is replaced, they are replaced with it (the provider alone would only update its
/// host, and leave the new server empty).
/// </summary>
public sealed class DockerHost : ComponentResource
{
    /// <summary>The provider every Docker resource on this server uses.</summary>
    public DockerSdk.Provider Provider { get; }

    /// <summary>The server the engine runs on.</summary>
    public PlatformServer Server { get; }

    [Output("host")]
    public Output<string> Host { get; private set; }

    public DockerHost(string name, DockerHostArgs args, ComponentResourceOptions? opts = null)
        : base("platform:docker:Host", name, opts)
    {
        Server = args.Server;
        Host = Output.Format($"ssh://{args.Server.DeployUser}@{args.Server.Ipv4Address}");
        var providerArgs = new DockerSdk.ProviderArgs
        {
            Host = Host,
            SshOpts = args.Server.HostKey.Apply(key => ShellDecisions.DockerSshOptions(key).ToList()),
        };
        foreach (var (address, username, password) in args.Registries ?? [])
            providerArgs.RegistryAuth.Add(new DockerSdk.Inputs.ProviderRegistryAuthArgs { Address = address, Username = username, Password = password });
        Provider = new DockerSdk.Provider($"{name}-provider", providerArgs,
            new CustomResourceOptions { Parent = this, DependsOn = Gates(args.Server) });
        RegisterOutputs();
    }

    /// <summary>What the provider waits for: readiness, and the data volume's mount and the private address where the server has them.</summary>
    private static InputList<Resource> Gates(PlatformServer server)
    {
        var gates = new InputList<Resource> { server.Readiness };
        if (server.DataMount is { } mount) gates.Add(mount);
        if (server.PrivateIpReady is { } privateIp) gates.Add(privateIp);
        return gates;
    }

    /// <summary>Where Docker resources on this server go: the provider, bound to the server's id.</summary>
    public DockerTarget Target => new(Provider, Server.ServerId);
}
