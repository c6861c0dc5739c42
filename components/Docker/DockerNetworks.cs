using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>Arguments of <see cref="DockerNetworks"/>.</summary>
public sealed class DockerNetworksArgs
{
    /// <summary>The networks (name, internal or not), all on the one server <see cref="Docker"/> reaches.</summary>
    public required ImmutableArray<NetworkSpec> Networks { get; init; }

    /// <summary>The Docker engine they live on.</summary>
    public required DockerTarget Docker { get; init; }
}

/// <summary>The Docker networks of one server: services that talk share one, by name.</summary>
public sealed class DockerNetworks : ComponentResource
{
    /// <summary>The networks by blueprint name.</summary>
    public IReadOnlyDictionary<string, DockerSdk.Network> Networks { get; }

    public DockerNetworks(string name, DockerNetworksArgs args, ComponentResourceOptions? opts = null)
        : base("platform:network:DockerNetworks", name, Aliased(opts))
    {
        // Named by key: unique across servers (an app server's copy is qualified with the server), Docker's name stays the name.
        Networks = args.Networks.ToDictionary(n => n.Name, n => new DockerSdk.Network($"{name}-{n.Key}", Arguments(n), FirstDeleted(args.Docker.Options(this))), StringComparer.Ordinal);
        RegisterOutputs();
    }

    private static DockerSdk.NetworkArgs Arguments(NetworkSpec network)
    {
        var arguments = new DockerSdk.NetworkArgs
        {
            Name = network.Name,
            Driver = network.Driver,
            Internal = network.Internal,
        };
        // Only when there are any: the driver's options are fixed at creation, and networks that never had them keep their inputs.
        if (!network.Options.IsEmpty) arguments.Options = network.Options.ToDictionary();
        return arguments;
    }

    /// <summary>Networks are reached by name: a replacement removes the old one first, so two never share a name.</summary>
    private static CustomResourceOptions FirstDeleted(CustomResourceOptions options)
    {
        options.DeleteBeforeReplace = ShellDecisions.DeleteNamedDockerObjectsFirst;
        return options;
    }

    /// <summary>The component was typed platform:docker:Networks before the platform was organised into parts.</summary>
    private static ComponentResourceOptions Aliased(ComponentResourceOptions? opts)
    {
        var options = opts ?? new ComponentResourceOptions();
        options.Aliases.Add(new Alias { Type = ShellDecisions.LegacyNetworksComponentType });
        return options;
    }

    /// <summary>The network named <paramref name="network"/>; throws when the blueprint does not declare it.</summary>
    public DockerSdk.Network Get(string network) => Networks.TryGetValue(network, out var n)
        ? n
        : throw new InvalidOperationException($"The blueprint attaches a container to the network '{network}', which it does not declare.");
}
