using Platform.Components.Parts;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Components.Edge;

/// <summary>Arguments of <see cref="Traefik"/>.</summary>
public sealed class TraefikArgs
{
    /// <summary>The edge part of the blueprint: Traefik, its Docker API proxy, the ACME volume.</summary>
    public required PartNode Spec { get; init; }

    /// <summary>Docker target, SSH target, networks, images and secrets.</summary>
    public required PartInfrastructure Infrastructure { get; init; }
}

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
        : base(Expect(args.Spec, PartKind.Edge), args.Infrastructure, [], opts)
    {
        HttpsPort = Output.Create(args.Spec.Services.SelectMany(s => s.PublishedPorts).Select(p => p.HostPort).DefaultIfEmpty(443).Max());
        RegisterOutputs();
    }

    internal static PartNode Expect(PartNode spec, PartKind kind) =>
        spec.Id.Kind == kind ? spec : throw new ArgumentException($"Expected the {kind} part of the blueprint, got {spec.Id}.", nameof(spec));
}
