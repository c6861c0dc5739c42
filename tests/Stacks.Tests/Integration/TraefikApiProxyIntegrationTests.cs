using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// Traefik's Docker API proxy, for real: HAProxy (Debian's, the same program the pinned
/// socket-proxy image runs) started from the rendered configuration, in front of a stand-in Docker
/// socket that records every request reaching it. Allowed calls must arrive; everything else must be
/// refused by the proxy and never reach the socket.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TraefikApiProxyIntegrationTests
{
    public static TheoryData<string, string, bool> Requests => new()
    {
        { "HEAD", "/_ping", true },
        { "GET", "/v1.41/_ping", true },
        { "GET", "/v1.41/version", true },
        { "GET", "/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D", true },
        { "GET", "/v1.41/containers/json?limit=0", true },
        { "GET", "/v1.41/containers/3f2a9c1b/json", true },
        // Files and output of other containers: the database files, the objects, acme.json, logs.
        { "GET", "/v1.41/containers/3f2a9c1b/archive?path=/var/lib/postgresql/data", false },
        { "HEAD", "/v1.41/containers/3f2a9c1b/archive?path=/", false },
        { "GET", "/v1.41/containers/3f2a9c1b/export", false },
        { "GET", "/v1.41/containers/3f2a9c1b/logs?stdout=1", false },
        { "GET", "/v1.41/containers/3f2a9c1b/top", false },
        { "GET", "/v1.41/containers/3f2a9c1b%2Farchive", false },
        { "GET", "/v1.41/containers/3f2a9c1b/json/../archive", false },
        // Anything that writes.
        { "POST", "/v1.41/containers/create", false },
        { "POST", "/v1.41/containers/3f2a9c1b/exec", false },
        { "POST", "/v1.41/exec/9b1e77/start", false },
        { "POST", "/v1.41/containers/3f2a9c1b/start", false },
        { "DELETE", "/v1.41/containers/3f2a9c1b", false },
        { "PUT", "/v1.41/containers/3f2a9c1b/archive?path=/", false },
        { "POST", "/v1.41/images/create?fromImage=alpine", false },
        // Reads Traefik does not make.
        { "GET", "/v1.41/info", false },
        { "GET", "/v1.41/networks", false },
        { "GET", "/v1.41/volumes", false },
        { "GET", "/v1.41/images/json", false },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Only_the_reads_Traefik_makes_reach_the_docker_socket(string method, string path, bool allowed)
    {
        var dir = Directory.CreateTempSubdirectory("traefik-api-proxy-").FullName;
        try
        {
            var socket = Path.Combine(dir, "docker.sock");
            await using var docker = FakeDocker.Start(socket);
            var port = Proc.FreePort();
            var cfg = Path.Combine(dir, "haproxy.cfg");
            await File.WriteAllTextAsync(cfg, DockerApiProxy.HaproxyConfig(DockerApiProxy.TraefikCalls, port, socket, "127.0.0.1"));
            var check = await Proc.RunAsync(Proc.Require("haproxy"), ["-c", "-f", cfg]);
            Assert.True(check.ExitCode == 0, $"haproxy rejects the rendered configuration:\n{check.Stdout}{check.Stderr}");

            await using var proxy = ServerProcess.Start("haproxy", Proc.Require("haproxy"), ["-db", "-f", cfg], asUser: null);
            await proxy.WaitUntilAsync(() => Proc.IsListeningAsync(port));

            var status = await Send(port, method, path);
            if (allowed)
            {
                Assert.Equal(200, status);
                Assert.Equal($"{method} {path}", Assert.Single(docker.Requests));
            }
            else
            {
                Assert.Equal(403, status);
                Assert.Empty(docker.Requests);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One raw HTTP/1.1 request (no client library, so the path goes out exactly as written); returns the status code.</summary>
    private static async Task<int> Send(int port, string method, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A stand-in Docker socket: answers 200 to anything and records each request line.</summary>
    private sealed class FakeDocker : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private FakeDocker(Socket listener)
        {
            _listener = listener;
            _loop = Task.Run(AcceptLoop);
        }

        public ConcurrentQueue<string> Requests { get; } = new();

        public static FakeDocker Start(string path)
        {
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(16);
            return new FakeDocker(listener);
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket connection;
                try { connection = await _listener.AcceptAsync(_stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
                _ = Task.Run(async () =>
                {
                    using (connection)
                    await using (var stream = new NetworkStream(connection))
                    {
                        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                        var requestLine = await reader.ReadLineAsync() ?? "";
                        while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
                        Requests.Enqueue(string.Join(' ', requestLine.Split(' ').Take(2)));
                        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"));
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }
}
