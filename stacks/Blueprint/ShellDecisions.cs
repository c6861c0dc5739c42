using System.Collections.Immutable;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// Decisions the Pulumi shell needs that the blueprint does not carry yet. Added by the shell's
/// owner so that no component decides anything itself; fold these into <see cref="PlatformBlueprint"/>
/// (and the plan) when convenient, and delete this file.
/// </summary>
public static class ShellDecisions
{
    /// <summary>
    /// Options for the ssh client the Docker provider runs. A new server's host key is not known in
    /// advance, and a rebuilt server keeps its address but gets a new key, so a strict known_hosts
    /// check would fail every first run and every rebuild. Until cloud-init installs a host key the
    /// program knows, the key is not checked (the firewall limits SSH to the admin CIDRs).
    /// </summary>
    public static readonly ImmutableArray<string> DockerSshOptions =
    [
        "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null",
        "-o", "ServerAliveInterval=30",
        "-o", "ConnectTimeout=30",
    ];

    /// <summary>
    /// How long the deployment waits for a container to turn healthy: its start period plus every
    /// retry of the check, and one interval to spare.
    /// </summary>
    public static int WaitTimeoutSeconds(HealthCheckSpec health) =>
        health.StartPeriodSeconds + (health.IntervalSeconds + health.TimeoutSeconds) * (health.Retries + 1);

    /// <summary>Stack outputs the shell adds next to <see cref="PlatformBlueprint.Outputs"/>: the server's addresses.</summary>
    public const string ServerIpv4Output = "serverIpv4";

    public const string ServerIpv6Output = "serverIpv6";
}
