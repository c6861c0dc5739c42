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
    /// Options for the ssh client the Docker provider runs, pinned to <paramref name="hostKey"/> (read by
    /// the readiness step on first contact, see <see cref="Operations.CloudInit.HostKeyFrom"/>): the key
    /// comes from a KnownHostsCommand (OpenSSH 8.5 or newer on the deploying machine) instead of a
    /// known_hosts file, so a rebuilt server's new key is taken from its own readiness step and never
    /// mixed up with the old one. One multiplexed connection (ControlMaster) serves the provider's many
    /// sessions, so parallel steps stay under sshd's MaxStartups.
    /// </summary>
    public static ImmutableArray<string> DockerSshOptions(string hostKey) =>
    [
        "-o", "StrictHostKeyChecking=yes",
        "-o", "UserKnownHostsFile=/dev/null",
        "-o", $"KnownHostsCommand=/bin/echo %H {hostKey}",
        "-o", "ControlMaster=auto",
        "-o", "ControlPath=~/.ssh/platform-%C",
        "-o", "ControlPersist=120",
        "-o", "ServerAliveInterval=30",
        "-o", "ConnectTimeout=30",
    ];

    /// <summary>Seconds one SSH dial of the command provider may take (its default).</summary>
    public const int PerDialTimeoutSeconds = 15;

    /// <summary>
    /// Dial attempts the readiness step may make: a fresh server refuses SSH for a while, and the command
    /// provider's default (10 attempts, about 11 s of quick refusals and back-off) gives up long before
    /// cloud-init is done. One attempt per two seconds of the readiness timeout keeps trying for at least
    /// that long once the back-off has reached its ceiling, and still ends.
    /// </summary>
    public static int ReadinessDialErrorLimit(int readinessTimeoutSeconds) => Math.Max(10, readinessTimeoutSeconds / 2);

    /// <summary>
    /// How long the deployment waits for a container to turn healthy: its start period plus every
    /// retry of the check, and one interval to spare.
    /// </summary>
    public static int WaitTimeoutSeconds(HealthCheckSpec health) =>
        health.StartPeriodSeconds + (health.IntervalSeconds + health.TimeoutSeconds) * (health.Retries + 1);

    /// <summary>
    /// The container input the Docker provider cannot update in place and does not mark ForceNew: the
    /// health check (terraform-provider-docker 4.5.0 resourceDockerContainerUpdate updates only restart,
    /// limits and swap). A change to it replaces the container.
    /// </summary>
    public const string ContainerReplaceOnChanges = "healthcheck";

    /// <summary>
    /// The <see cref="Canonical.ContainerConfig"/> fields the Docker provider updates on a running container (docker
    /// update: terraform-provider-docker 4.5.0 resourceDockerContainerUpdate changes only restart, memory, swap and CPUs);
    /// every other field is ForceNew, or is replaced through <see cref="ContainerReplaceOnChanges"/>.
    /// </summary>
    public static readonly ImmutableArray<string> ContainerUpdatedInPlace = ["Restart", "MemoryMb", "MemorySwapMb", "Cpus"];

    /// <summary>
    /// What the shell does with a container whose configuration changes from <paramref name="changedFields"/> (names of
    /// <see cref="Canonical.ContainerConfig"/> properties): nothing, an update in place, or a replacement, create-before-delete
    /// or delete-before-create as <see cref="Canonical.ContainerConfig.DeleteBeforeReplace"/> says (the option the shell sets).
    /// </summary>
    public static ContainerAction ContainerChange(IReadOnlyCollection<string> changedFields, bool deleteBeforeReplace) =>
        changedFields.Count == 0 ? ContainerAction.None
        : changedFields.All(ContainerUpdatedInPlace.Contains) ? ContainerAction.UpdateInPlace
        : deleteBeforeReplace ? ContainerAction.ReplaceDeleteFirst
        : ContainerAction.ReplaceCreateFirst;

    /// <summary>
    /// How a files host command makes its container see new files: this command restarts it (a few seconds without the
    /// container); any other reload (a signal, <c>ACL LOAD</c>) applies in place.
    /// </summary>
    public static string RestartCommand(string container) => $"docker restart {container} >/dev/null";

    /// <summary>
    /// Volumes and networks have fixed names, which Docker treats as their identity (a volume's id is its
    /// name; its create is idempotent by name, and terraform-provider-docker 4.5.0 removes volumes by id with
    /// force). Replacing one create-before-delete would delete the new one, so they are deleted first.
    /// </summary>
    public const bool DeleteNamedDockerObjectsFirst = true;

    /// <summary>
    /// Where resources were before the platform was organised into parts, for their aliases: volumes were
    /// children of one component (type, name), and the networks component had another type.
    /// </summary>
    public const string LegacyVolumesComponentType = "platform:docker:Volumes";
    public const string LegacyVolumesComponentName = "volumes";
    public const string LegacyNetworksComponentType = "platform:docker:Networks";

    /// <summary>Stack outputs the shell adds next to <see cref="PlatformBlueprint.Outputs"/>: the server's addresses.</summary>
    public const string ServerIpv4Output = "serverIpv4";

    public const string ServerIpv6Output = "serverIpv6";

    /// <summary>A split stack's per-server address outputs: <c>serverIpv4.data</c>, <c>serverIpv4.app-1</c>; the single server keeps <see cref="ServerIpv4Output"/>.</summary>
    public static string ServerIpv4OutputOf(Parts.ServerKey server) => server.IsSingle ? ServerIpv4Output : $"{ServerIpv4Output}.{server.Id}";

    /// <inheritdoc cref="ServerIpv4OutputOf"/>
    public static string ServerIpv6OutputOf(Parts.ServerKey server) => server.IsSingle ? ServerIpv6Output : $"{ServerIpv6Output}.{server.Id}";

    /// <summary>
    /// Each server's SSH host key as the readiness step read it (<c>ssh-ed25519 AAAA…</c>): <c>serverHostKey</c> on a single
    /// server, <c>serverHostKey.data</c>, <c>serverHostKey.app-1</c> on a split stack. Commands run from a workstation (e.g.
    /// <c>logs</c>) pin their SSH connections to it, as the deployment's own do.
    /// </summary>
    public const string ServerHostKeyOutput = "serverHostKey";

    /// <inheritdoc cref="ServerHostKeyOutput"/>
    public static string ServerHostKeyOutputOf(Parts.ServerKey server) => server.IsSingle ? ServerHostKeyOutput : $"{ServerHostKeyOutput}.{server.Id}";

    /// <summary>
    /// The Pulumi resource name of a service's container. A container without a fixed name gets the Docker provider's
    /// generated one: this name, <c>-</c> and 7 random hex digits (pulumi-docker <c>provider/resources.go</c>
    /// <c>prov.SetAutonaming(255, "-")</c>; pulumi-terraform-bridge <c>pkg/tfbridge/info/autonaming.go</c> <c>AutoName</c>:
    /// <c>Randlen: 7</c>, hex digits by default), e.g. <c>api-1-container-3f9a0c1</c>.
    /// </summary>
    public static string ContainerResourceName(string service) => $"{service}-container";

    /// <summary>Whether <paramref name="dockerName"/> is a name the provider generates for <paramref name="service"/>'s container (see <see cref="ContainerResourceName"/>).</summary>
    public static bool IsGeneratedContainerName(string service, string dockerName)
    {
        var prefix = ContainerResourceName(service) + "-";
        return dockerName.Length == prefix.Length + 7 && dockerName.StartsWith(prefix, StringComparison.Ordinal)
            && dockerName[prefix.Length..].All(char.IsAsciiHexDigitLower);
    }

    /// <summary>The load balancer's public addresses (what the DNS records of a load-balanced stack point at).</summary>
    public const string LoadBalancerIpv4Output = "loadBalancerIpv4";

    public const string LoadBalancerIpv6Output = "loadBalancerIpv6";

    /// <summary>
    /// The name of a per-server piece of the shell (Docker host, networks, images): the single server's keeps the name it
    /// always had (<c>docker</c>), a split stack's get the server's id (<c>docker-data</c>, <c>docker-app-1</c>).
    /// </summary>
    public static string PerServer(string name, Parts.ServerKey server) => server.IsSingle ? name : $"{name}-{server.Id}";

    /// <summary>
    /// The Pulumi name suffix of a pulled image (its resource is <c>&lt;images component&gt;-&lt;this&gt;</c>): the reference made
    /// readable, and hash-suffixed so distinct references never collide.
    /// </summary>
    public static string ImageResourceName(string image)
    {
        // By the reference without its digest: recording or moving a digest updates the image resource, its name stays.
        image = Parts.Images.ImageDigests.Strip(image);
        var readable = new string(image.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray());
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image)))[..8];
        return $"{readable}-{hash}";
    }

    /// <summary>
    /// How the load balancer forwards (<see cref="LoadBalancerSpec"/>): plain TCP, so TLS ends at Traefik and the PROXY
    /// protocol carries the client's address; its health check is HTTP against Traefik's ping path.
    /// </summary>
    public const string LoadBalancerServiceProtocol = "tcp";

    public const string LoadBalancerHealthCheckProtocol = "http";

    /// <summary>A load balancer target that is a Hetzner server (reached on its private address), not a label selector or an IP.</summary>
    public const string LoadBalancerTargetType = "server";

    /// <summary>The private network's subnet type: Hetzner Cloud servers and load balancers (not a vSwitch).</summary>
    public const string PrivateSubnetType = "cloud";

    /// <summary>Hetzner's only placement group type: members on different physical hosts.</summary>
    public const string PlacementGroupType = "spread";

    /// <summary>
    /// The program-generated private key (<see cref="SecretSource.PrivateKey"/>): ECDSA on P-256, which Cloudflare's
    /// Origin CA signs as an "origin-ecc" request.
    /// </summary>
    public const string PrivateKeyAlgorithm = "ECDSA";

    public const string PrivateKeyCurve = "P256";

    public const string OriginCertificateRequestType = "origin-ecc";
}

/// <summary>What the shell does with a changed container (see <see cref="ShellDecisions.ContainerChange"/>).</summary>
public enum ContainerAction { None, UpdateInPlace, ReplaceCreateFirst, ReplaceDeleteFirst }
