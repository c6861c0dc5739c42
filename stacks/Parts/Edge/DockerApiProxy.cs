using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Parts.Edge;

/// <summary>One Docker API call the proxy lets through: the HTTP methods and a pattern of the path (version prefix optional).</summary>
public sealed record DockerApiCall(string What, ImmutableArray<string> Methods, string PathPattern)
{
    public bool Allows(string method, string path) =>
        Methods.Contains(method, StringComparer.Ordinal) && Regex.IsMatch(path, PathPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>
/// Traefik's Docker API: an HAProxy configuration (run by the pinned socket-proxy image, which is HAProxy) that allows
/// exactly the reads Traefik's Docker provider makes and nothing else. The image's own switches cannot express this:
/// <c>CONTAINERS=1</c> allows every GET under <c>/containers</c> — <c>/archive</c> and <c>/export</c> (any file of any
/// container: database files, objects, <c>acme.json</c>), <c>/logs</c>, <c>/top</c> — to the one internet-facing process.
/// </summary>
public static class DockerApiProxy
{
    public const string ConfigPath = "/usr/local/etc/haproxy/traefik-api.cfg";

    // No backslash anywhere: HAProxy's parser would take it as an escape in an unquoted word.
    private const string Version = "^(/v[0-9]+[.][0-9]+)?";
    private const string Id = "[a-zA-Z0-9_.-]+";

    /// <summary>
    /// What Traefik v3's Docker provider calls (pkg/provider/docker/pdocker.go and shared.go at v3.3.6: ServerVersion,
    /// Events, ContainerList, ContainerInspect; its client negotiates the API version with <c>_ping</c>). Reads only.
    /// </summary>
    public static readonly ImmutableArray<DockerApiCall> TraefikCalls =
    [
        new("API version negotiation", ["GET", "HEAD"], Version + "/_ping$"),
        new("engine version", ["GET"], Version + "/version$"),
        new("container events (start, die, health)", ["GET"], Version + "/events$"),
        new("list the containers", ["GET"], Version + "/containers/json$"),
        new("inspect a container (labels, networks, health)", ["GET"], Version + $"/containers/{Id}/json$"),
    ];

    public static bool Allows(IEnumerable<DockerApiCall> calls, string method, string path) => calls.Any(c => c.Allows(method, path));

    /// <summary>The HAProxy configuration: every listed call allowed, everything else 403.</summary>
    /// <param name="calls">The calls to allow.</param>
    /// <param name="port">Where the proxy listens.</param>
    /// <param name="socketPath">The Docker socket inside the proxy's container.</param>
    /// <param name="bindAddress">Address to listen on; empty = every address of the container (its only network is internal).</param>
    public static string HaproxyConfig(IReadOnlyList<DockerApiCall> calls, int port, string socketPath = "/var/run/docker.sock", string bindAddress = "")
    {
        var sb = new StringBuilder();
        sb.Append("# Docker API for Traefik: the provider's reads only. Rendered by the platform; do not edit by hand.\n");
        sb.Append("global\n");
        sb.Append("    log stdout format raw daemon info\n");
        // One client (Traefik) with a few connections; a small maxconn keeps HAProxy's memory small.
        sb.Append("    maxconn 32\n");
        sb.Append("defaults\n");
        sb.Append("    mode http\n");
        sb.Append("    log global\n");
        sb.Append("    option httplog\n");
        sb.Append("    timeout connect 10s\n");
        sb.Append("    timeout client 10m\n");
        sb.Append("    timeout server 10m\n");
        sb.Append("    timeout http-request 10s\n");

        sb.Append("frontend docker_api\n");
        sb.Append("    bind ").Append(bindAddress).Append(':').Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (var i = 0; i < calls.Count; i++)
        {
            var c = calls[i];
            if (c.PathPattern.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '\'' or '\\' or '#') || c.PathPattern.Contains("${", StringComparison.Ordinal))
                throw new ArgumentException($"Path pattern '{c.PathPattern}' cannot be written into HAProxy's configuration.", nameof(calls));
            sb.Append("    # ").Append(c.What).Append('\n');
            sb.Append("    http-request allow if { method ").Append(string.Join(' ', c.Methods)).Append(" } { path -m reg ").Append(c.PathPattern).Append(" }\n");
        }
        sb.Append("    http-request deny deny_status 403\n");
        sb.Append("    use_backend docker_events if { path -m reg ").Append(Version).Append("/events$ }\n");
        sb.Append("    default_backend docker\n");
        sb.Append("backend docker\n");
        sb.Append("    server docker ").Append(socketPath).Append('\n');
        // The event stream is quiet for hours on a calm server; HAProxy must not cut it.
        sb.Append("backend docker_events\n");
        sb.Append("    timeout server 24h\n");
        sb.Append("    server docker ").Append(socketPath).Append('\n');
        return sb.ToString();
    }
}
