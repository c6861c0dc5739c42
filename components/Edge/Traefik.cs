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

    /// <summary>The part <paramref name="args"/> holds, as the component <paramref name="name"/> (the platform names it by the part's <see cref="PartId.ResourceName"/>).</summary>
    public Traefik(string name, TraefikArgs args, ComponentResourceOptions? opts = null)
        : base(name, args, PartKind.Edge, [], opts)
    {
        // The highest port any of its containers publishes (443; every app server's Traefik publishes the same).
        HttpsPort = Output.All(Containers.Values.Select(c => c.Ports))
            .Apply(ports => ports.SelectMany(p => p).Select(p => p.External ?? 0).DefaultIfEmpty(443).Max());
        RegisterOutputs();
    }
}
