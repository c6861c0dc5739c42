using Platform.Stacks.Blueprint;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>Arguments of <see cref="DockerHost"/>.</summary>
public sealed class DockerHostArgs
{
    /// <summary>The server's IPv4 address.</summary>
    public required Input<string> Ipv4Address { get; init; }

    /// <summary>The user the provider's ssh connection logs in as (a member of the docker group).</summary>
    public required string DeployUser { get; init; }

    /// <summary>The readiness gate: the provider is created only once the server is ready.</summary>
    public required Resource Readiness { get; init; }
}

/// <summary>The Docker provider for the server, over <c>ssh://deployUser@ipv4</c>, created after the readiness gate.</summary>
public sealed class DockerHost : ComponentResource
{
    /// <summary>The provider every Docker resource of the stack uses.</summary>
    public DockerSdk.Provider Provider { get; }

    [Output("host")]
    public Output<string> Host { get; private set; }

    public DockerHost(string name, DockerHostArgs args, ComponentResourceOptions? opts = null)
        : base("platform:docker:Host", name, opts)
    {
        Host = Output.Format($"ssh://{args.DeployUser}@{args.Ipv4Address}");
        Provider = new DockerSdk.Provider($"{name}-provider", new DockerSdk.ProviderArgs
        {
            Host = Host,
            SshOpts = ShellDecisions.DockerSshOptions.ToList(),
        }, new CustomResourceOptions { Parent = this, DependsOn = { args.Readiness } });
        RegisterOutputs();
    }
}
