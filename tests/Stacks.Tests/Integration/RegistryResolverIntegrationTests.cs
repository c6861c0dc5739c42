using Platform.Stacks.Parts.Images;

namespace Platform.Stacks.Tests.Integration;

/// <summary>pin-images' resolver against a real registry (Debian's docker-registry, on loopback): the digest of a tag, a tag moved, a tag missing.</summary>
[Trait("Category", "Integration")]
public sealed class RegistryResolverIntegrationTests
{
    [Fact]
    public async Task A_tag_resolves_to_the_digest_the_registry_stores_and_follows_it_when_it_moves()
    {
        await using var registry = await RegistryServer.StartAsync();
        var first = await registry.PushAsync("brightlane/api", "3.8.1", "release one");
        using var http = new HttpClient();
        var resolver = new RegistryResolver(http);
        var reference = ImageReference.Parse($"{registry.Host}/brightlane/api:3.8.1").Reference!;

        Assert.Equal((first, (string?)null), await resolver.ResolveAsync(reference));
        // Someone pushes the same tag again: the tag now names another manifest, and the resolver says so.
        var second = await registry.PushAsync("brightlane/api", "3.8.1", "release one, rebuilt");
        Assert.NotEqual(first, second);
        Assert.Equal((second, (string?)null), await resolver.ResolveAsync(reference));

        var (missing, problem) = await resolver.ResolveAsync(ImageReference.Parse($"{registry.Host}/brightlane/api:9.9.9").Reference!);
        Assert.Null(missing);
        Assert.Equal($"{registry.Host} has no tag '9.9.9' of brightlane/api", problem);
    }
}
