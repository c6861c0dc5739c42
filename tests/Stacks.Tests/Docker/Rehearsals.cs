using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// A stack applied to the engine by the rehearsal's own code (plan, state, engine): what <c>rehearse</c> does,
/// with the local images, a state directory of its own, and the output kept for the test's messages.
/// </summary>
public sealed class Rehearsal : IAsyncDisposable
{
    public DockerClient Docker { get; }
    public RehearsalState State { get; }
    public ImageMap Images { get; }
    public StringWriter Log { get; } = new();
    public PlatformBlueprint Blueprint { get; private set; }
    public RehearsalPlan Plan { get; private set; }

    private readonly string _socket;
    private readonly Platform.Stacks.Parts.ServerKey? _server;

    private Rehearsal(DockerClient docker, RehearsalState state, ImageMap images, PlatformBlueprint blueprint, string socket, Platform.Stacks.Parts.ServerKey? server)
    {
        Docker = docker;
        State = state;
        Images = images;
        Blueprint = blueprint;
        _socket = socket;
        _server = server;
        Plan = PlanOf(blueprint);
    }

    /// <summary>Opens a rehearsal of <paramref name="server"/>'s Docker layer (default: the first server, as <c>rehearse</c>).</summary>
    public static Rehearsal Open(PlatformBlueprint blueprint, ImageMap images, Platform.Stacks.Parts.ServerKey? server = null)
    {
        var host = DockerEngine.Host ?? throw new InvalidOperationException(DockerEngine.NotConfigured);
        var dir = Path.Combine(Path.GetTempPath(), $"platform-rehearsal-{blueprint.Stack}-{Guid.NewGuid():N}");
        return new Rehearsal(DockerEngine.Client(), RehearsalState.Open(dir, host, blueprint), images, blueprint, host["unix://".Length..], server);
    }

    private RehearsalPlan PlanOf(PlatformBlueprint blueprint) =>
        RehearsalPlan.Build(blueprint, _server is { } key ? blueprint.ServerOf(key) : blueprint.Server, new RehearsalTarget(Images, State.HostRoot, _socket));

    /// <summary>Applies <paramref name="blueprint"/> (default: the current one), which becomes the current one.</summary>
    public async Task<RehearsalResult> UpAsync(PlatformBlueprint? blueprint = null)
    {
        if (blueprint is not null)
        {
            Blueprint = blueprint;
            State.AddSecrets(blueprint);
            Plan = PlanOf(blueprint);
        }
        try
        {
            return await new RehearsalEngine(Docker, State, Log).UpAsync(Plan);
        }
        catch (RehearsalException e)
        {
            throw new InvalidOperationException($"{e.Message}\n--- rehearsal log ---\n{Log}");
        }
    }

    /// <summary>The running containers of a service (by its label).</summary>
    public async Task<IList<ContainerListResponse>> ContainersOf(string service, bool all = false) =>
        await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = all,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool>
                {
                    [$"{RehearsalEngine.StackLabel}={Blueprint.Stack}"] = true, [$"{RehearsalEngine.ServiceLabel}={service}"] = true,
                },
            },
        });

    /// <summary>The one running container of a service.</summary>
    public async Task<string> ContainerOf(string service) => Assert.Single(await ContainersOf(service)).ID;

    public Task<ProcResult> ExecAsync(string service, params string[] cmd) =>
        ContainerOf(service).ContinueWith(t => Docker.ExecAsync(t.Result, cmd)).Unwrap();

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await new RehearsalEngine(Docker, State, Log).DownAsync(Blueprint.Stack);
        Docker.Dispose();
    }
}
