using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Dns;

/// <summary>The DNS part on the stack: the stack's public hosts and their Cloudflare records.</summary>
public static class DnsBlueprint
{
    /// <summary>Public hosts of the stack in its zone (each gets a DNS record): every app route, the platform's own, the MinIO console.</summary>
    public static ImmutableArray<(string Host, string Fqdn)> PublicHosts(StackSettings s) =>
        s.Apps.SelectMany(a => a.Routes.Where(r => r.Domain is null).Select(r => r.Host))
            .Concat(ServiceNames.PlatformHosts)
            .Concat(s.MinioConsole is { } console ? [console.Host] : [])
            .Concat(s.Observability.Enabled ? [s.Observability.Host] : [])
            .Distinct(StringComparer.Ordinal)
            .Select(h => (h, Routing.Fqdn(h, s.Domain)))
            .OrderBy(h => h.Item2, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>Tenants' own domains outside the zone: routed and certified here, their DNS kept by their owners.</summary>
    public static ImmutableArray<string> CustomDomains(StackSettings s) =>
        [.. s.Apps.SelectMany(a => a.Routes).Select(r => r.Domain).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>A and AAAA records of every public host (proxied but for nested tenant wildcards), TTL automatic.</summary>
    internal static ImmutableArray<DnsRecordSpec> Records(StackSettings s)
    {
        var records = ImmutableArray.CreateBuilder<DnsRecordSpec>();
        foreach (var (host, fqdn) in PublicHosts(s))
        {
            var name = fqdn == s.Zone ? "@" : fqdn[..^(s.Zone.Length + 1)];
            var comment = $"{s.Project}/{s.Stack}: {host}";
            // Proxied records must use TTL 1 ("automatic"); Cloudflare answers with its own edge addresses.
            // A nested tenant wildcard is DNS only: Cloudflare's free certificate covers one level (Parts.Edge.NestedWildcards).
            var proxied = !Parts.Edge.NestedWildcards.IsHost(host);
            records.Add(new DnsRecordSpec(name, fqdn, "A", ServerAddress.Ipv4, Proxied: proxied, Ttl: 1, comment));
            records.Add(new DnsRecordSpec(name, fqdn, "AAAA", ServerAddress.Ipv6, Proxied: proxied, Ttl: 1, comment));
        }
        return records.ToImmutable();
    }
}
