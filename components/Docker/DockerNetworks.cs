using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>Arguments of <see cref="DockerNetworks"/>.</summary>
public sealed class DockerNetworksArgs
{
    /// <summary>The networks (name, internal or not).</summary>
    public required ImmutableArray<NetworkSpec> Networks { get; init; }

    /// <summary>The Docker engine (provider and server) they live on.</summary>
    public required DockerHost Host { get; init; }
}

/// <summary>The stack's Docker networks: services that talk share one, by name.</summary>
public sealed class DockerNetworks : ComponentResource
{
    /// <summary>The networks by blueprint name.</summary>
    public IReadOnlyDictionary<string, DockerSdk.Network> Networks { get; }

    public DockerNetworks(string name, DockerNetworksArgs args, ComponentResourceOptions? opts = null)
        : base("platform:docker:Networks", name, opts)
    {
        Networks = args.Networks.ToDictionary(n => n.Name, n => new DockerSdk.Network($"{name}-{n.Name}", new DockerSdk.NetworkArgs
        {
            Name = n.Name,
            Driver = n.Driver,
            Internal = n.Internal,
        }, args.Host.Options(this)), StringComparer.Ordinal);
        RegisterOutputs();
    }

    /// <summary>The network named <paramref name="network"/>; throws when the blueprint does not declare it.</summary>
    public DockerSdk.Network Get(string network) => Networks.TryGetValue(network, out var n)
        ? n
        : throw new InvalidOperationException($"The blueprint attaches a container to the network '{network}', which it does not declare.");
}
