using Pulumi;

namespace Platform.Components.Server;

/// <summary>The public addresses of a server or of the load balancer: what DNS records point at.</summary>
public sealed record PublicAddresses(Output<string> Ipv4, Output<string> Ipv6);
