using Docker.DotNet.Models;
using Docker.DotNet;
using NetworkSpec = Platform.Stacks.Blueprint.NetworkSpec;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The backup runner's side, on the real engine: placed as the blueprint places it (its networks, its mounts), it has
/// no Docker socket, and the one Docker API proxy (Traefik's, on the internal <c>control</c> network) is out of its
/// reach by name and by address — so it can exec into, create or inspect no container. Only containers and networks
/// this test made are addressed.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class BackupRunnerEngineTests(LocalImages images) : IAsyncLifetime
{
    private readonly string _run = "t" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _containers = [];
    private readonly List<string> _networks = [];
    private DockerClient _docker = null!;

    public Task InitializeAsync()
    {
        if (DockerEngine.Host is not null) _docker = DockerEngine.Client();
        return Task.CompletedTask;
    }

    [DockerFact]
    public async Task The_runner_reaches_no_Docker_API()
    {
        var blueprint = TestStacks.ShippedBlueprint("staging");
        var runner = blueprint.Service(Platform.Stacks.Operations.Backups.RunnerName);
        var proxy = blueprint.Service(ServiceNames.SocketProxy);
        Assert.DoesNotContain(runner.Mounts, m => m.Source.Contains("docker.sock", StringComparison.Ordinal));
        Assert.DoesNotContain(runner.Env.Keys, k => k.StartsWith("DOCKER", StringComparison.Ordinal));

        var networks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in runner.Networks.Concat(proxy.Networks).Select(n => n.Network).Distinct())
            networks[name] = await NetworkAsync(blueprint.Networks.Single(n => n.Name == name && n.Host == runner.Host));
        // A stand-in for the proxy, listening on its port on its networks; a stand-in for the runner, on the runner's.
        var proxyBox = await RunAsync("socket-proxy", [.. proxy.Networks.Select(n => networks[n.Network])], EdgeBlueprint.SocketProxyPort);
        var runnerBox = await RunAsync("backup", [.. runner.Networks.Select(n => networks[n.Network])], 8080);

        // No socket inside the runner.
        Assert.NotEqual(0, (await _docker.ExecAsync(runnerBox, "/bin/sh", "-c", "[ -S /var/run/docker.sock ] || [ -S /run/docker.sock ]")).ExitCode);
        // The proxy neither resolves by name nor answers by address from the runner's networks.
        var port = EdgeBlueprint.SocketProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, (await _docker.ExecAsync(runnerBox, "/usr/local/bin/standin", "connect", $"{_run}-socket-proxy", port)).ExitCode);
        var inspect = await _docker.Containers.InspectContainerAsync(proxyBox);
        foreach (var address in inspect.NetworkSettings.Networks.Values.Select(n => n.IPAddress))
            Assert.Equal(1, (await _docker.ExecAsync(runnerBox, "/usr/local/bin/standin", "connect", address, port)).ExitCode);
        // The contrast: from the proxy's own network (where Traefik is) the same port answers.
        var traefikBox = await RunAsync("traefik", [networks[ServiceNames.ControlNetwork]], 8081);
        Assert.Equal(0, (await _docker.ExecAsync(traefikBox, "/usr/local/bin/standin", "connect", $"{_run}-socket-proxy", port)).ExitCode);
    }

    private async Task<string> NetworkAsync(NetworkSpec spec)
    {
        var created = await _docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = $"{_run}-{spec.Name}",
            Driver = spec.Driver,
            Internal = spec.Internal,
            Options = spec.Options.ToDictionary(),
            Labels = new Dictionary<string, string> { ["platform.test"] = _run },
        });
        _networks.Add(created.ID);
        return created.ID;
    }

    private async Task<string> RunAsync(string name, string[] networks, int port)
    {
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"{_run}-{name}",
            Image = images.Image("traefik"),
            Env = [$"PORT={port}"],
            Labels = new Dictionary<string, string> { ["platform.test"] = _run },
            HostConfig = new HostConfig { NetworkMode = networks[0] },
        });
        _containers.Add(created.ID);
        foreach (var other in networks.Skip(1))
            await _docker.Networks.ConnectNetworkAsync(other, new NetworkConnectParameters { Container = created.ID });
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return created.ID;
    }

    public async Task DisposeAsync()
    {
        if (_docker is null) return;
        foreach (var c in _containers)
            await _docker.Containers.RemoveContainerAsync(c, new ContainerRemoveParameters { Force = true });
        foreach (var n in _networks) await _docker.Networks.DeleteNetworkAsync(n);
        _docker.Dispose();
    }
}
