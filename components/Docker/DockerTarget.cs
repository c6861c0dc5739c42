using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>
/// Where Docker resources go: a Docker provider, and optionally what binds them to a server. A part
/// can be used in another program with nothing but its own provider (<see cref="Of"/>).
/// </summary>
public sealed record DockerTarget(DockerSdk.Provider Provider, Output<string>? ServerId)
{
    /// <summary>A target for a provider the caller made, with no server binding.</summary>
    public static DockerTarget Of(DockerSdk.Provider provider) => new(provider, null);

    /// <summary>
    /// Options for a Docker resource: this provider and, with a server, replacement whenever the server
    /// is replaced (the engine compares the trigger with the recorded one; the first deployment that
    /// records it replaces nothing).
    /// </summary>
    public CustomResourceOptions Options(Resource parent)
    {
        var options = new CustomResourceOptions { Parent = parent, Provider = Provider };
        if (ServerId is not null) options.ReplacementTrigger = ServerId.Apply(id => (object)id);
        return options;
    }
}
