using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The Docker engine the Docker tier runs against: the one in <c>DOCKER_HOST</c> (started by
/// <c>scripts/docker-engine.sh</c>; never the default socket). Without it the tier's tests are skipped
/// (reported as skipped, never as passed), and <c>scripts/test.sh</c> says so and does not run the tier.
/// </summary>
public static class DockerEngine
{
    public static string? Host => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } h ? h : null;

    public const string NotConfigured =
        "no Docker engine: DOCKER_HOST is not set (start one with: eval \"$(bash scripts/docker-engine.sh start)\")";

    public static DockerClient Client() =>
        new DockerClientConfiguration(new Uri(Host ?? throw new InvalidOperationException(NotConfigured))).CreateClient();
}

/// <summary>A test on the real Docker engine: skipped, saying why, when <c>DOCKER_HOST</c> is not set.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerEngine.Host is null) Skip = DockerEngine.NotConfigured;
    }
}

/// <summary>The Docker tier's tests run one at a time (two CPU cores; one engine).</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<LocalImages>
{
    public const string Name = "docker";
}

/// <summary>
/// The local images (<c>scripts/local-images.sh</c>), built once per engine: their tags hash their inputs,
/// so a second run against the same engine builds nothing.
/// </summary>
public sealed class LocalImages : IAsyncLifetime
{
    private static readonly Lazy<Task<LocalImages>> SharedBuild = new(async () =>
    {
        var images = new LocalImages();
        await images.BuildAsync();
        return images;
    });

    /// <summary>The images, built once per test run for every fixture that needs them.</summary>
    public static Task<LocalImages> Shared => SharedBuild.Value;

    public ImageMap Map { get; private set; } = ImageMap.None;
    /// <summary>How long making sure the images exist took (building them, or finding them built).</summary>
    public TimeSpan BuildTime { get; private set; }

    /// <summary>The local image called <paramref name="name"/> (platform-local/&lt;name&gt;:&lt;hash&gt;).</summary>
    public string Image(string name) =>
        Map.Entries.Values.Select(x => x.Image).FirstOrDefault(x => x.StartsWith($"platform-local/{name}:", StringComparison.Ordinal))
        ?? $"platform-local/{name}:{Tag}";

    public string Tag { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (DockerEngine.Host is null) return;
        var shared = await Shared;
        (Map, BuildTime, Tag) = (shared.Map, shared.BuildTime, shared.Tag);
    }

    private async Task BuildAsync()
    {
        var map = Path.Combine(Path.GetTempPath(), $"platform-images-{Guid.NewGuid():N}.yaml");
        var clock = Stopwatch.StartNew();
        try
        {
            await Proc.RunCheckedAsync("bash", [Path.Combine(TestStacks.RepoRoot, "scripts", "local-images.sh"), "--map", map],
                timeout: TimeSpan.FromMinutes(5));
            BuildTime = clock.Elapsed;
            var (parsed, errors) = ImageMap.Parse(await File.ReadAllTextAsync(map), map);
            Map = parsed ?? throw new InvalidOperationException(string.Join("\n", errors));
            Tag = Map.Entries["redis"].Image.Split(':')[1];
        }
        finally
        {
            File.Delete(map);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>Helpers on the engine: exec with output, wait for a state.</summary>
public static class DockerExtensions
{
    public static Task<ProcResult> ExecAsync(this DockerClient docker, string container, params string[] cmd) =>
        docker.ExecAsync(container, [], cmd);

    /// <summary>Runs <paramref name="cmd"/> in the container with <paramref name="env"/> added (secrets never on a command line).</summary>
    public static async Task<ProcResult> ExecAsync(this DockerClient docker, string container, IList<string> env, params string[] cmd)
    {
        var exec = await docker.Exec.ExecCreateContainerAsync(container, new ContainerExecCreateParameters
        {
            Cmd = cmd, Env = env, AttachStdout = true, AttachStderr = true,
        });
        using var stream = await docker.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        var inspect = await docker.Exec.InspectContainerExecAsync(exec.ID);
        return new ProcResult((int)inspect.ExitCode, stdout, stderr);
    }
}
