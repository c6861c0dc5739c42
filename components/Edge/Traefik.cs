using Platform.Components.Parts;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Edge;

/// <summary>Arguments of <see cref="Traefik"/>: the edge part (Traefik, its Docker API proxy, the ACME volume).</summary>
public sealed class TraefikArgs : PartArgs;

/// <summary>
/// The edge: Traefik (the only container that publishes host ports, TLS by DNS-01, routes from container
/// labels and from its watched file directory) and the read-only Docker API proxy it discovers routes through.
/// </summary>
public sealed class Traefik : PlatformPart
{
    /// <summary>The HTTPS port Traefik publishes on the host.</summary>
    [Output("httpsPort")]
    public Output<int> HttpsPort { get; private set; }

    public Traefik(TraefikArgs args, ComponentResourceOptions? opts = null)
        : base(args, PartKind.Edge, [], opts)
    {
        HttpsPort = Output.Create(args.Spec.Services.SelectMany(s => s.PublishedPorts).Select(p => p.HostPort).DefaultIfEmpty(443).Max());
        RegisterOutputs();
    }
}
