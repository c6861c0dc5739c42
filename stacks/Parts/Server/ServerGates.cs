using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Parts;

/// <summary>
/// A new server passes two gates. <b>Ready</b> (<see cref="ServerSpec.ReadinessCommand"/>): Docker answers. cloud-init
/// installs Docker from fresh package lists first and runs the full package upgrade last (<see cref="CloudInit.Render"/>),
/// so the Docker provider, every image pull, network, volume, container and host command starts as soon as Docker is there,
/// while the upgrade finishes. <b>Patched</b> (<see cref="ServerSpec.PatchedCommand"/>): cloud-init is done, the upgrade
/// included. Nothing the public reaches exists before every server of the stack has passed it: the platform's DNS records
/// (Cloudflare proxies the stack's hosts to nothing else) and the load balancer's targets wait for it, and so does a
/// container that publishes ports to everyone when the firewall does not limit the web ports to Cloudflare
/// (<c>cloudflareOnlyIngress: false</c>). With the web ports open to Cloudflare only (the default) or to the load balancer
/// only, Traefik may listen before: without the stack's records and targets no request for its hosts reaches it. The gates
/// of an existing server pass at once (its cloud-init finished long ago); the upgrade's order matters on a new server only.
/// </summary>
public static class ServerGates
{
    /// <summary>The patched gate's command, bounded by <c>timeout</c> (a remote command has no deadline of its own).</summary>
    public static string PatchedCommand { get; } =
        $"timeout {(int)CloudInit.Patched.Timeout.TotalSeconds} bash -c {Shell.Quote(CloudInit.Patched.Command)}";

    /// <summary>Every server gets the patched gate; the containers that take the public's requests directly wait for it.</summary>
    public static PlatformBlueprint Apply(Settings.StackSettings s, PlatformBlueprint b) => b with
    {
        Servers = [.. b.Servers.Select(x => x with { PatchedCommand = PatchedCommand })],
        Services = [.. b.Services.Select(x => TakesPublicRequests(s, x) ? x with { AfterServersPatched = true } : x)],
    };

    /// <summary>Whether <paramref name="service"/> answers anyone on the internet itself: it publishes a port on every address and the firewall lets everyone in.</summary>
    public static bool TakesPublicRequests(Settings.StackSettings s, ServiceSpec service) =>
        !s.CloudflareOnlyIngress && service.PublishedPorts.Any(p => p.HostIp is "0.0.0.0" or "::");
}
