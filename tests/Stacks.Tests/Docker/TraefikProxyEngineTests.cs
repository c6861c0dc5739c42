using System.Net;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// Traefik's side, on the real engine: Debian's HAProxy (the program the pinned socket-proxy image runs) with the
/// rendered configuration in front of the engine's socket. What Traefik reads answers; another container's files,
/// an exec into it and a new container are refused, and the engine never sees those calls. Only containers this
/// test made are addressed.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class TraefikProxyEngineTests(LocalImages images) : IAsyncLifetime
{
    private readonly string _run = "t" + Guid.NewGuid().ToString("N")[..8];
    private DockerClient _docker = null!;
    private string? _victim;

    public Task InitializeAsync()
    {
        if (DockerEngine.Host is not null) _docker = DockerEngine.Client();
        return Task.CompletedTask;
    }

    [DockerFact]
    public async Task Through_Traefiks_proxy_no_container_can_be_read_entered_or_created()
    {
        var socket = new Uri(DockerEngine.Host!).AbsolutePath;
        Assert.True(DockerEngine.Host!.StartsWith("unix://", StringComparison.Ordinal), "the Docker tier's engine listens on a Unix socket");
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"{_run}-victim",
            Image = images.Image("traefik"),
            Labels = new Dictionary<string, string> { ["platform.test"] = _run },
        });
        _victim = created.ID;
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());

        var dir = Directory.CreateTempSubdirectory("traefik-proxy-engine-").FullName;
        try
        {
            var port = Proc.FreePort();
            var cfg = Path.Combine(dir, "haproxy.cfg");
            await File.WriteAllTextAsync(cfg, DockerApiProxy.HaproxyConfig(DockerApiProxy.TraefikCalls, port, socket, "127.0.0.1"));
            await using var proxy = ServerProcess.Start("haproxy", Proc.Require("haproxy"), ["-db", "-f", cfg], asUser: null);
            await proxy.WaitUntilAsync(() => Proc.IsListeningAsync(port));
            var id = created.ID;
            var before = (await _docker.Containers.ListContainersAsync(new ContainersListParameters { All = true })).Select(c => c.ID).Order().ToList();

            // What Traefik's provider reads: answered by the real engine.
            Assert.Equal(200, await Send(port, "GET", "/v1.41/_ping"));
            Assert.Equal(200, await Send(port, "GET", "/v1.41/version"));
            Assert.Equal(200, await Send(port, "GET", "/v1.41/containers/json"));
            Assert.Equal(200, await Send(port, "GET", $"/v1.41/containers/{id}/json"));
            // Another container's files, its output, an exec into it, a new container: refused by the proxy.
            Assert.Equal(403, await Send(port, "GET", $"/v1.41/containers/{id}/archive?path=/etc"));
            Assert.Equal(403, await Send(port, "GET", $"/v1.41/containers/{id}/export"));
            Assert.Equal(403, await Send(port, "GET", $"/v1.41/containers/{id}/logs?stdout=1"));
            Assert.Equal(403, await Send(port, "POST", $"/v1.41/containers/{id}/exec", """{"Cmd":["true"]}"""));
            Assert.Equal(403, await Send(port, "POST", "/v1.41/containers/create", "{\"Image\":\"" + images.Image("traefik") + "\",\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/:/host\"]}}"));
            Assert.Equal(403, await Send(port, "POST", $"/v1.41/containers/{id}/stop"));
            // The engine saw none of them: no exec was made, no container was added, and the victim still runs.
            var inspect = await _docker.Containers.InspectContainerAsync(id);
            Assert.True(inspect.State.Running);
            Assert.Empty(inspect.ExecIDs ?? []);
            var after = (await _docker.Containers.ListContainersAsync(new ContainersListParameters { All = true })).Select(c => c.ID).Order().ToList();
            Assert.Equal(before, after);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One raw HTTP/1.1 request; returns the status code.</summary>
    private static async Task<int> Send(int port, string method, string path, string body = "")
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var bytes = Encoding.UTF8.GetBytes(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(bytes);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_docker is null) return;
        if (_victim is not null) await _docker.Containers.RemoveContainerAsync(_victim, new ContainerRemoveParameters { Force = true });
        _docker.Dispose();
    }
}
