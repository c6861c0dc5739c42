using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Operations.Logs;

/// <summary>How the workstation reaches a server: the port (22 on every server of the platform) and an optional key file.</summary>
public sealed record SshAccess(int Port = 22, string? IdentityFile = null);

/// <summary>What to read of each container: since when (docker's <c>--since</c>), and whether to follow.</summary>
public sealed record LogWindow(string Since, bool Follow);

/// <summary>
/// The <c>ssh</c> command lines the <c>logs</c> command runs: one to list a server's containers, one per container for its
/// logs (<c>docker logs --timestamps</c>, as the deploy user, who runs Docker). Every connection is pinned to the server's
/// host key from the stack's outputs, as the deployment's own are (<see cref="Blueprint.ShellDecisions.DockerSshOptions"/>):
/// the key comes from a KnownHostsCommand (OpenSSH 8.5+), no known_hosts file is read or written, so no other key is
/// ever accepted and nothing is asked.
/// </summary>
public static partial class LogSsh
{
    /// <summary>The ssh arguments up to the destination (options, port, key), pinned to <paramref name="hostKey"/>.</summary>
    public static ImmutableArray<string> Options(string hostKey, SshAccess access)
    {
        var options = ImmutableArray.CreateBuilder<string>();
        options.AddRange(
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", $"KnownHostsCommand=/bin/echo %H {hostKey}",
            "-o", "ConnectTimeout=15",
            "-o", "ServerAliveInterval=30",
            "-p", access.Port.ToString(CultureInfo.InvariantCulture));
        if (access.IdentityFile is { } key) options.AddRange("-i", key, "-o", "IdentitiesOnly=yes");
        return options.ToImmutable();
    }

    /// <summary>The remote command that lists the server's containers, running or not, one name a line.</summary>
    public const string ListCommand = "docker ps --all --format '{{.Names}}'";

    /// <summary>The remote command that prints one container's log lines, each with its RFC 3339 time stamp.</summary>
    public static string LogsCommand(string container, LogWindow window) =>
        "docker logs --timestamps --since " + Quote(window.Since) + (window.Follow ? " --follow" : "") + " " + Quote(container);

    /// <summary>The whole ssh argv for <paramref name="remoteCommand"/> on <paramref name="server"/>.</summary>
    public static ImmutableArray<string> Command(LogServer server, SshAccess access, string remoteCommand) =>
        [.. Options(server.HostKey, access), "--", $"{server.User}@{server.Address}", remoteCommand];

    /// <summary>One word for the remote shell (ssh hands the command to the login shell as one string).</summary>
    public static string Quote(string word) =>
        SafeWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// <c>--since</c> as docker takes it: a duration (<c>90s</c>, <c>15m</c>, <c>1h</c>, <c>1h30m</c>) or a moment
    /// (<c>2026-12-07T10:00:00Z</c>, <c>2026-12-07 10:00</c> in UTC, sent as RFC 3339). Null when it is neither.
    /// </summary>
    public static string? Since(string value)
    {
        var v = value.Trim();
        if (Duration().IsMatch(v)) return v;
        if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
            return at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>What an ssh failure (exit 255) means, with its fix, from ssh's own message.</summary>
    public static string Explain(LogServer server, string stackName, string sshStderr, SshAccess access)
    {
        var at = $"{server.User}@{server.Address} ({server.Label})";
        if (sshStderr.Contains("Host key verification failed", StringComparison.Ordinal) || sshStderr.Contains("REMOTE HOST IDENTIFICATION", StringComparison.Ordinal))
            return $"{at} did not show the pinned host key ({Blueprint.ShellDecisions.ServerHostKeyOutputOf(server.Server)}). Nothing was read. If the server was rebuilt, refresh the outputs (pulumi stack output --json --stack {stackName}); otherwise something else answers on that address.";
        if (sshStderr.Contains("Permission denied", StringComparison.Ordinal))
            return $"{at} refused your key. Load a key listed in platform:sshPublicKeys into your agent (ssh-add), or pass --identity-file.";
        if (sshStderr.Contains("timed out", StringComparison.OrdinalIgnoreCase) || sshStderr.Contains("Connection refused", StringComparison.Ordinal) || sshStderr.Contains("No route", StringComparison.Ordinal))
            return $"{at} is not reachable on port {access.Port.ToString(CultureInfo.InvariantCulture)}: SSH is open only from platform:adminCidrs; connect from one of them (office, VPN). ({FirstLine(sshStderr)})";
        return $"{at}: ssh failed: {FirstLine(sshStderr)}";
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";

    [GeneratedRegex(@"^[A-Za-z0-9._@:/=+-]+$")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$")]
    private static partial Regex Duration();
}
