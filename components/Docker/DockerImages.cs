using Platform.Stacks.Blueprint;
using Pulumi;
using DockerSdk = Pulumi.Docker;

namespace Platform.Components.Docker;

/// <summary>Arguments of <see cref="DockerImages"/>.</summary>
public sealed class DockerImagesArgs
{
    /// <summary>The pinned image references the services use; each is pulled once.</summary>
    public required IEnumerable<string> Images { get; init; }

    /// <summary>The Docker engine they live on.</summary>
    public required DockerTarget Docker { get; init; }
}

/// <summary>One pulled image per distinct image reference of the blueprint.</summary>
public sealed class DockerImages : ComponentResource
{
    /// <summary>The images by reference (e.g. <c>postgres:16.4-alpine</c>).</summary>
    public IReadOnlyDictionary<string, DockerSdk.RemoteImage> Images { get; }

    public DockerImages(string name, DockerImagesArgs args, ComponentResourceOptions? opts = null)
        : base("platform:docker:Images", name, opts)
    {
        Images = args.Images.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToDictionary(
            image => image,
            image => new DockerSdk.RemoteImage($"{name}-{ShellDecisions.ImageResourceName(image)}", new DockerSdk.RemoteImageArgs
            {
                Name = image,
                // The old container keeps running on its image until the new one is healthy, and a
                // rollback should not need a pull.
                KeepLocally = true,
            }, args.Docker.Options(this)),
            StringComparer.Ordinal);
        RegisterOutputs();
    }

    /// <summary>The image for <paramref name="image"/>; throws when it was not declared.</summary>
    public DockerSdk.RemoteImage Get(string image) => Images.TryGetValue(image, out var i)
        ? i
        : throw new InvalidOperationException($"The image '{image}' was not pulled; pass it to DockerImages.");
}
