using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Rehearsal;

/// <summary>The <c>rehearse</c> command's inputs.</summary>
public sealed record RehearseRequest(string ProjectDirectory, string Stack)
{
    /// <summary>The server whose Docker layer to apply (its name). Default: the first (the only one, or a split stack's data server).</summary>
    public string? Server { get; init; }
    /// <summary>The image map file (YAML or JSON). Default: the pinned images, pulled when missing.</summary>
    public string? ImagesFile { get; init; }
    /// <summary>Remove everything the rehearsal made instead of applying.</summary>
    public bool Down { get; init; }
    /// <summary>Where the rehearsal keeps its local secrets and files. Default: <see cref="RehearsalState.DefaultDirectory"/>.</summary>
    public string? StateDirectory { get; init; }
    /// <summary>The engine; default: <c>DOCKER_HOST</c>.</summary>
    public string? DockerHost { get; init; }
}

/// <summary>
/// <c>rehearse --stack S [--images FILE] [--down]</c>: applies one server's Docker layer of a stack to the engine in
/// <c>DOCKER_HOST</c> (networks, volumes, containers in dependency order, each waited for until healthy, then the
/// host commands through a local shell), printing every local adaptation; <c>--down</c> removes it all.
/// </summary>
public static class RehearseCommand
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitFailed = 3;

    public static async Task<int> RunAsync(RehearseRequest request, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var host = request.DockerHost ?? Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(host))
        {
            stderr.WriteLine("error: DOCKER_HOST is not set. The rehearsal never picks an engine by itself: point DOCKER_HOST at one, e.g. a throw-away engine: eval \"$(bash scripts/docker-engine.sh start)\"");
            return ExitInvalid;
        }
        PlatformBlueprint blueprint;
        try
        {
            blueprint = BlueprintBuilder.Build(SettingsReader.Load(request.ProjectDirectory, request.Stack));
        }
        catch (InvalidStackException e)
        {
            stderr.WriteLine(e.Message);
            return ExitInvalid;
        }
        var server = request.Server is null ? blueprint.Server : blueprint.Servers.FirstOrDefault(s => s.Name == request.Server);
        if (server is null)
        {
            stderr.WriteLine($"error: --server {request.Server}: stack '{request.Stack}' has no such server. Use one of: {string.Join(", ", blueprint.Servers.Select(s => s.Name))}.");
            return ExitInvalid;
        }
        var images = ImageMap.None;
        if (request.ImagesFile is { } file)
        {
            if (!File.Exists(file))
            {
                stderr.WriteLine($"error: --images {file}: no such file. Build local images and their map with: bash scripts/local-images.sh --map {file}");
                return ExitInvalid;
            }
            var (map, errors) = ImageMap.Parse(await File.ReadAllTextAsync(file, ct), file);
            if (map is null)
            {
                foreach (var e in errors) stderr.WriteLine("error: " + e);
                return ExitInvalid;
            }
            images = map;
        }

        using var docker = new DockerClientConfiguration(new Uri(host)).CreateClient();
        SystemInfoResponse info;
        try
        {
            info = await docker.System.GetSystemInfoAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            stderr.WriteLine($"error: no Docker engine answers at DOCKER_HOST={host} ({e.Message}).");
            return ExitFailed;
        }
        var stateDir = request.StateDirectory ?? RehearsalState.DefaultDirectory(info.ID, request.Stack);

        if (request.Down)
        {
            var state = RehearsalState.Open(stateDir, host, blueprint);
            var (containers, networks, volumes) = await new RehearsalEngine(docker, state, stdout).DownAsync(blueprint.Stack, ct);
            stdout.WriteLine($"down: removed {containers} containers, {networks} networks, {volumes} volumes of the rehearsal of {blueprint.Stack}, and its local files");
            return ExitOk;
        }

        var st = RehearsalState.Open(stateDir, host, blueprint);
        var socket = host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : null;
        var plan = RehearsalPlan.Build(blueprint, server, new RehearsalTarget(images, st.HostRoot, socket));
        stdout.WriteLine($"rehearsal of {blueprint.Project}/{blueprint.Stack}, server {server.Name}, on Docker {info.ServerVersion} at {host}");
        foreach (var a in plan.Adaptations) stdout.WriteLine("local adaptation: " + a);
        stdout.WriteLine("not rehearsed: the Hetzner server, firewall, private network and load balancer; Cloudflare DNS; Let's Encrypt (ACME); the off-site backup bucket");

        foreach (var image in plan.Containers.Select(c => c.Config.Image).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            try
            {
                await docker.Images.InspectImageAsync(image, ct);
            }
            catch (DockerImageNotFoundException)
            {
                stdout.WriteLine($"image {image}: pulling");
                try
                {
                    await docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image }, null, new Progress<JSONMessage>(), ct);
                }
                catch (DockerApiException e)
                {
                    stderr.WriteLine($"error: image {image} is not on the engine and cannot be pulled ({e.Message.Trim()}). Map it to a local image with --images FILE (see scripts/local-images.sh).");
                    return ExitFailed;
                }
            }
        }

        try
        {
            var result = await new RehearsalEngine(docker, st, stdout).UpAsync(plan, ct);
            var started = plan.Containers.Count(c => c.Config.Start);
            stdout.WriteLine($"up: {plan.Containers.Length} containers ({started} started, {result.Created.Count} created, {result.Unchanged.Count} unchanged, "
                + $"{result.Removed.Count} removed), {result.CommandsRun.Count} host commands run, {result.CommandsSkipped.Count} skipped, in {result.Elapsed.TotalSeconds:0.0} s");
            return ExitOk;
        }
        catch (RehearsalException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return ExitFailed;
        }
    }
}
