using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The servers' daily image prune (<see cref="ImageHygiene.Script"/>), run as rendered against the real engine with
/// Debian's Docker client: it removes what no container uses beyond the newest three of each repository, keeps
/// an image a stopped container still uses however old, and never touches volumes or networks.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class ImageHygieneTests : IAsyncLifetime
{
    private readonly string _run = "hyg" + Guid.NewGuid().ToString("N")[..8];
    private Dictionary<string, string> _env = [];

    public Task InitializeAsync()
    {
        _env = DockerCli.Environment();
        return Task.CompletedTask;
    }

    [DockerFact]
    public async Task The_prune_keeps_the_newest_three_of_each_repository_and_everything_in_use()
    {
        var app = $"{_run}/app";
        var other = $"{_run}/other";
        var ids = new Dictionary<string, string>();
        foreach (var tag in new[] { $"{app}:1", $"{app}:2", $"{app}:3", $"{app}:4", $"{app}:5", $"{other}:1" })
        {
            ids[tag] = await ImportAsync(tag);
            await Task.Delay(50);
        }
        // The oldest release is still used by a (stopped) container: a rollback target in use stays.
        await Docker("create", "--name", $"{_run}-old", $"{app}:1");
        await Docker("volume", "create", $"{_run}-data");
        await Docker("network", "create", $"{_run}-net");

        var first = await Proc.RunCheckedAsync("sh", ["-s"], stdin: ImageHygiene.Script(), env: _env, timeout: TimeSpan.FromMinutes(2));

        var left = (await Docker("image", "ls", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}}", "--filter", $"reference={_run}/*")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Equal(new HashSet<string> { $"{app}:1", $"{app}:3", $"{app}:4", $"{app}:5", $"{other}:1" }, left);
        Assert.Contains($"removed {ids[$"{app}:2"]}", first.Stdout, StringComparison.Ordinal);
        Assert.Equal($"{_run}-data", (await Docker("volume", "ls", "-q", "--filter", $"name={_run}-data")).Stdout.Trim());
        Assert.Equal($"{_run}-net", (await Docker("network", "ls", "--format", "{{.Name}}", "--filter", $"name={_run}-net")).Stdout.Trim());
        Assert.Equal($"{_run}-old", (await Docker("ps", "-a", "--format", "{{.Names}}", "--filter", $"name={_run}-old")).Stdout.Trim());

        // Nothing left to do on a second run.
        var second = await Proc.RunCheckedAsync("sh", ["-s"], stdin: ImageHygiene.Script(), env: _env, timeout: TimeSpan.FromMinutes(2));
        Assert.DoesNotContain(_run, second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(ids[$"{app}:3"], second.Stdout, StringComparison.Ordinal);
    }

    private Task<string> ImportAsync(string tag) => DockerCli.ImportAsync(_env, tag);

    private Task<ProcResult> Docker(params string[] args) => DockerCli.RunAsync(_env, args);

    public async Task DisposeAsync()
    {
        if (DockerEngine.Host is null) return;
        await Proc.RunAsync("/usr/bin/docker", ["rm", "-f", $"{_run}-old"], env: _env);
        await Proc.RunAsync("/usr/bin/docker", ["volume", "rm", $"{_run}-data"], env: _env);
        await Proc.RunAsync("/usr/bin/docker", ["network", "rm", $"{_run}-net"], env: _env);
        var images = await Proc.RunAsync("/usr/bin/docker", ["image", "ls", "-q", "--filter", $"reference={_run}/*"], env: _env);
        foreach (var id in images.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct())
            await Proc.RunAsync("/usr/bin/docker", ["image", "rm", "-f", id], env: _env);
    }
}
