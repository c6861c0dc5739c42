using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Operations;

/// <summary>One Docker API call the proxy lets through: the HTTP methods and a pattern of the path (version prefix optional).</summary>
public sealed record DockerApiCall(string What, ImmutableArray<string> Methods, string PathPattern)
{
    public bool Allows(string method, string path) =>
        Methods.Contains(method, StringComparer.Ordinal) && Regex.IsMatch(path, PathPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>
/// The backup runner's Docker API: an HAProxy configuration (run by the pinned socket-proxy image, which is
/// HAProxy) that allows exactly the calls the runner makes to exec a dump and nothing else. The image's own
/// switches cannot express this: allowing exec needs <c>POST=1</c> and <c>CONTAINERS=1</c>, which also allow
/// <c>POST /containers/create</c> — a privileged container with the host's root mounted, i.e. root on the
/// server. Here creating, starting, stopping or deleting anything is refused.
/// </summary>
public static class DockerApiProxy
{
    public const string ConfigPath = "/usr/local/etc/haproxy/backup-api.cfg";

    // No backslash anywhere: HAProxy's parser would take it as an escape in an unquoted word.
    private const string Version = "^(/v[0-9]+[.][0-9]+)?";
    private const string Id = "[a-zA-Z0-9_.-]+";

    /// <summary>What offen/docker-volume-backup calls to run its exec hooks (see docs/operations.md).</summary>
    public static readonly ImmutableArray<DockerApiCall> BackupRunnerCalls =
    [
        new("API version negotiation", ["GET", "HEAD"], Version + "/_ping$"),
        new("engine version", ["GET"], Version + "/version$"),
        new("swarm detection", ["GET"], Version + "/info$"),
        new("find the labelled containers", ["GET"], Version + "/containers/json$"),
        new("inspect a container", ["GET"], Version + $"/containers/{Id}/json$"),
        new("create an exec in a running container", ["POST"], Version + $"/containers/{Id}/exec$"),
        new("start (attach to) that exec", ["POST"], Version + $"/exec/{Id}/start$"),
        new("read its exit code", ["GET"], Version + $"/exec/{Id}/json$"),
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
        sb.Append("# Docker API for the backup runner: exec only. Rendered by the platform; do not edit by hand.\n");
        sb.Append("global\n");
        sb.Append("    log stdout format raw daemon info\n");
        // A handful of runner connections at most; a small maxconn keeps HAProxy's memory small.
        sb.Append("    maxconn 32\n");
        sb.Append("defaults\n");
        sb.Append("    mode http\n");
        sb.Append("    log global\n");
        sb.Append("    option httplog\n");
        sb.Append("    timeout connect 10s\n");
        sb.Append("    timeout client 10m\n");
        sb.Append("    timeout server 10m\n");
        sb.Append("    timeout http-request 10s\n");
        // An exec's output stream stays open for the whole dump of a large database.
        sb.Append("    timeout tunnel 6h\n");
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
        sb.Append("    default_backend docker\n");
        sb.Append("backend docker\n");
        sb.Append("    server docker ").Append(socketPath).Append('\n');
        return sb.ToString();
    }
}
