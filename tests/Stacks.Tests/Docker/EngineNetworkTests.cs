using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Stacks.Blueprint;
using NetworkSpec = Platform.Stacks.Blueprint.NetworkSpec;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The blueprint's Docker networks as the real engine makes them (iptables on, as on a server): two apps'
/// networks are isolated both ways, and the engine forwards nothing out of an internal network. Only
/// containers these tests made are ever addressed; no packet leaves the machine.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class EngineNetworkTests(LocalImages images) : IAsyncLifetime
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
    public async Task Two_apps_networks_are_isolated_both_ways_and_nothing_is_forwarded_out_of_an_internal_network()
    {
        var blueprint = TestStacks.ShippedBlueprint("staging");
        // api declares egress (its own network is not internal); admin does not (internal); api's data network never is.
        var web = blueprint.Networks.Single(n => n.Name == "app-api");
        var admin = blueprint.Networks.Single(n => n.Name == "app-admin");
        var webData = blueprint.Networks.Single(n => n.Name == "app-api.data");
        Assert.True(webData.Internal);
        Assert.False(web.Internal);
        Assert.True(admin.Internal);

        var webNet = await NetworkAsync(web);
        var adminNet = await NetworkAsync(admin);
        var dataNet = await NetworkAsync(webData);
        // The app-noshell image is one static binary: the tests' client (connect) and server in one.
        var webApp = await RunAsync("web", images.Image("app-noshell"), webNet, dataNet);
        var adminApp = await RunAsync("admin", images.Image("app-noshell"), adminNet);
        // A shell with busybox's ip, only on the internal network.
        var dataOnly = await RunAsync("data", images.Image("traefik"), dataNet);

        Assert.Equal(0, (await _docker.ExecAsync(webApp, "/app/server", "get", $"{_run}-web", "8080", "/healthz")).ExitCode);
        // By name: Docker's DNS answers only for containers on a shared network.
        Assert.Equal(2, (await _docker.ExecAsync(webApp, "/app/server", "connect", $"{_run}-admin", "8080")).ExitCode);
        Assert.Equal(2, (await _docker.ExecAsync(adminApp, "/app/server", "connect", $"{_run}-web", "8080")).ExitCode);
        // By address: the engine's isolation rules drop it, both ways.
        var adminIp = await AddressAsync(adminApp, adminNet);
        var webIp = await AddressAsync(webApp, webNet);
        Assert.Equal(1, (await _docker.ExecAsync(webApp, "/app/server", "connect", adminIp, "8080")).ExitCode);
        Assert.Equal(1, (await _docker.ExecAsync(adminApp, "/app/server", "connect", webIp, "8080")).ExitCode);
        // The internal network: the web app reaches its peer there; the peer reaches nothing beyond it. The
        // engine still gives it a default route (to the bridge's gateway), but forwards nothing from an internal
        // bridge to another interface: the web app's address on its other network stays out of reach.
        Assert.Equal(0, (await _docker.ExecAsync(webApp, "/app/server", "connect", $"{_run}-data", "8080")).ExitCode);
        Assert.Equal(1, (await _docker.ExecAsync(dataOnly, "/usr/local/bin/standin", "connect", webIp, "8080")).ExitCode);
        Assert.Equal(1, (await _docker.ExecAsync(dataOnly, "/usr/local/bin/standin", "connect", adminIp, "8080")).ExitCode);
        // The contrast that makes those checks mean something: from a container on the app network, the same
        // address answers (the admin app's does not: another app's network).
        var webShell = await RunAsync("web-shell", images.Image("traefik"), webNet);
        Assert.Equal(0, (await _docker.ExecAsync(webShell, "/usr/local/bin/standin", "connect", webIp, "8080")).ExitCode);
        Assert.Equal(1, (await _docker.ExecAsync(webShell, "/usr/local/bin/standin", "connect", adminIp, "8080")).ExitCode);
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

    private async Task<string> RunAsync(string name, string image, string network, params string[] more)
    {
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"{_run}-{name}",
            Image = image,
            Env = ["PORT=8080"],
            Labels = new Dictionary<string, string> { ["platform.test"] = _run },
            HostConfig = new HostConfig { NetworkMode = network },
        });
        _containers.Add(created.ID);
        foreach (var other in more)
            await _docker.Networks.ConnectNetworkAsync(other, new NetworkConnectParameters { Container = created.ID });
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return created.ID;
    }

    private async Task<string> AddressAsync(string container, string network)
    {
        var inspect = await _docker.Containers.InspectContainerAsync(container);
        return inspect.NetworkSettings.Networks.Values.Single(n => n.NetworkID == network).IPAddress;
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
