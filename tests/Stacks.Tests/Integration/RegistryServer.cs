using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// A throw-away image registry: Debian's <c>docker-registry</c> (CNCF distribution 2.8), on a free loopback port, storing in a
/// fresh directory, without authentication. <see cref="PushAsync"/> uploads an image through the registry API itself.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _dir;

    private RegistryServer(ServerProcess process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";

    public static async Task<RegistryServer> StartAsync()
    {
        var port = Proc.FreePort();
        var dir = Directory.CreateTempSubdirectory("registry-").FullName;
        var config = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(dir, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var process = ServerProcess.Start("docker-registry", Proc.Require("docker-registry"), ["serve", config], asUser: null);
        var server = new RegistryServer(process, dir, port);
        for (var i = 0; i < 100 && !await Proc.IsListeningAsync(port); i++)
        {
            if (process.HasExited) break;
            await Task.Delay(100);
        }
        if (!await Proc.IsListeningAsync(port))
        {
            var log = process.Log;
            await server.DisposeAsync();
            throw new InvalidOperationException($"docker-registry did not start: {log}");
        }
        return server;
    }

    /// <summary>
    /// Pushes a one-layer image (Docker's schema 2 manifest) as <paramref name="repository"/>:<paramref name="tag"/>; returns the
    /// manifest's digest as computed here from its bytes (the registry's own answer is checked against it).
    /// </summary>
    public async Task<string> PushAsync(string repository, string tag, string content)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Host}") };
        async Task<(string Digest, int Size)> Blob(byte[] bytes)
        {
            var digest = Digest(bytes);
            using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
            start.EnsureSuccessStatusCode();
            var location = start.Headers.Location!;
            var upload = location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location);
            var put = new UriBuilder(upload) { Query = (upload.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : "") + "digest=" + Uri.EscapeDataString(digest) }.Uri;
            using var body = new ByteArrayContent(bytes);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var done = await http.PutAsync(put, body);
            done.EnsureSuccessStatusCode();
            return (digest, bytes.Length);
        }
        var layer = await Blob(Encoding.UTF8.GetBytes(content));
        var configBytes = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layer.Digest + "\"]}}");
        var cfg = await Blob(configBytes);
        var manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":{cfg.Size},\"digest\":\"{cfg.Digest}\"}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":{layer.Size},\"digest\":\"{layer.Digest}\"}}]}}");
        using var m = new ByteArrayContent(manifest);
        m.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.PutAsync($"/v2/{repository}/manifests/{tag}", m);
        response.EnsureSuccessStatusCode();
        var expected = Digest(manifest);
        if (response.Headers.GetValues("Docker-Content-Digest").Single() != expected)
            throw new InvalidOperationException("the registry computed another digest of the manifest");
        return expected;
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
