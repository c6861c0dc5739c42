using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Images;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// Images by digest on the real engine: an image pushed to a loopback registry (Debian's docker-registry) resolves, by
/// pin-images' resolver, to the digest the engine itself records; the engine pulls and runs the reference the plan deploys
/// (<c>image:tag@digest</c>), which leaves the image without a tag; and the daily prune counts such an image among its
/// repository's newest (a rollback target), instead of as an untagged leftover. Nothing leaves the machine.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class ImageDigestEngineTests : IAsyncLifetime
{
    private readonly string _run = "dig" + Guid.NewGuid().ToString("N")[..8];
    private Dictionary<string, string> _env = [];
    private RegistryServer? _registry;

    public Task InitializeAsync()
    {
        _env = DockerCli.Environment();
        return Task.CompletedTask;
    }

    [DockerFact]
    public async Task The_engine_deploys_the_recorded_digest_and_the_prune_keeps_it()
    {
        _registry = await RegistryServer.StartAsync();
        var tagged = $"{_registry.Host}/{_run}/app:1.0";
        var id = await ImportAsync(tagged);
        await Docker("push", tagged);

        using var http = new HttpClient();
        var (digest, problem) = await new RegistryResolver(http).ResolveAsync(ImageReference.Parse(tagged).Reference!);
        Assert.Null(problem);
        var repoDigest = (await Docker("image", "inspect", "-f", "{{index .RepoDigests 0}}", tagged)).Stdout.Trim();
        Assert.Equal($"{_registry.Host}/{_run}/app@{digest}", repoDigest);

        // What the plan deploys once the digest is recorded: pulled and run by that reference alone.
        await Docker("image", "rm", tagged);
        var pinned = $"{tagged}@{digest}";
        Assert.Equal(pinned, ImageDigests.Apply(new Dictionary<string, string> { [tagged] = digest! }, Blueprint(tagged)).Services[0].Image);
        await Docker("pull", pinned);
        Assert.Equal(id, (await Docker("image", "inspect", "-f", "{{.Id}}", pinned)).Stdout.Trim());
        Assert.Equal("[]", (await Docker("image", "inspect", "-f", "{{json .RepoTags}}", pinned)).Stdout.Trim());
        await Docker("create", "--name", $"{_run}-c", pinned);
        Assert.Equal(id, (await Docker("inspect", "-f", "{{.Image}}", $"{_run}-c")).Stdout.Trim());

        // The container goes (a release replaced it); the prune still keeps the untagged image: its repository's newest.
        await Docker("rm", $"{_run}-c");
        var pruned = await Proc.RunCheckedAsync("sh", ["-s"], stdin: ImageHygiene.Script(), env: _env, timeout: TimeSpan.FromMinutes(2));
        Assert.DoesNotContain(id, pruned.Stdout, StringComparison.Ordinal);
        Assert.Equal(id, (await Docker("image", "inspect", "-f", "{{.Id}}", pinned)).Stdout.Trim());
    }

    /// <summary>A blueprint of one container of <paramref name="image"/>, as the shipped staging stack's first app has.</summary>
    private static PlatformBlueprint Blueprint(string image)
    {
        var b = TestStacks.ShippedBlueprint("staging");
        return b with { Services = [b.Services.First(s => s.Kind == ServiceKind.App) with { Image = image }] };
    }

    private Task<string> ImportAsync(string tag) => DockerCli.ImportAsync(_env, tag);

    private Task<ProcResult> Docker(params string[] args) => DockerCli.RunAsync(_env, args);

    public async Task DisposeAsync()
    {
        if (DockerEngine.Host is not null)
        {
            await Proc.RunAsync("/usr/bin/docker", ["rm", "-f", $"{_run}-c"], env: _env);
            var images = await Proc.RunAsync("/usr/bin/docker", ["image", "ls", "-q", "--filter", $"reference=*/{_run}/*"], env: _env);
            foreach (var image in images.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct())
                await Proc.RunAsync("/usr/bin/docker", ["image", "rm", "-f", image], env: _env);
        }
        if (_registry is not null) await _registry.DisposeAsync();
    }
}
