using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// Tenants two levels down (<c>host: "*.app"</c>: <c>&lt;tenant&gt;.app.&lt;domain&gt;</c>). Cloudflare's free Universal SSL
/// certificate covers the apex and one level (<c>*.&lt;domain&gt;</c>), so a proxied <c>t1.app.&lt;domain&gt;</c> would fail TLS at
/// Cloudflare's edge. The platform's answer (the default, and the only mode today): the wildcard's records are DNS only
/// (not proxied), so visitors reach Traefik directly, and Traefik gets its own certificate for <c>*.app.&lt;domain&gt;</c> from
/// Let's Encrypt by the DNS-01 challenge it already runs for the zone (the same Cloudflare token, Zone:DNS:Edit). It costs
/// nothing, and gives up Cloudflare's proxy on those hosts: the origin's address is public, Cloudflare's caching, WAF and
/// DDoS protection do not apply, and the firewall must admit everyone on 80/443. The alternative is Cloudflare's Advanced
/// Certificate Manager (about 10 USD a month per zone), whose edge certificate can cover <c>*.app.&lt;domain&gt;</c> with the
/// records proxied; it is an account purchase the stack does not make.
/// </summary>
public static class NestedWildcards
{
    /// <summary>What the plan and the docs say of the TLS of a nested wildcard.</summary>
    public const string TlsNote =
        "DNS-only records (Cloudflare's free certificate covers one level only) and Traefik's own Let's Encrypt certificate by DNS-01, free; " +
        "visitors reach the server directly (no Cloudflare cache, WAF or DDoS shield on these hosts). Alternative: Cloudflare Advanced Certificate Manager, about 10 USD/month, keeps them proxied";

    /// <summary>Whether a route's host is a nested wildcard: <c>*.</c> and one label.</summary>
    public static bool IsHost(string host) =>
        host.StartsWith("*.", StringComparison.Ordinal) && host.Length > 2 && Names.IsLabel(host[2..]);

    /// <summary>The certificate Traefik asks Let's Encrypt for: <c>*.app.example.com</c>.</summary>
    public static string CertificateDomain(string host, string domain) => $"{host}.{domain}";

    /// <summary>Problems of the stack's nested wildcard routes, each at the route's host key with the fix.</summary>
    internal static void Check(StackSettings s, NodeReader r)
    {
        foreach (var app in s.Apps)
            for (var i = 0; i < app.Routes.Length; i++)
            {
                var route = app.Routes[i];
                if (route.Domain is not null || !IsHost(route.Host)) continue;
                var key = $"{app.Key}.routes[{i}].host";
                var fqdn = route.Fqdn(s.Domain);
                if (s.CloudflareOnlyIngress)
                    r.Error(key, $"{fqdn} is served with DNS-only records (Cloudflare's free certificate does not cover two levels), so its visitors come straight to the server, but platform:cloudflareOnlyIngress is true and the firewall lets only Cloudflare reach 80/443.",
                        "Set platform:cloudflareOnlyIngress: false (the proxied hosts stay behind Cloudflare), or use a one-level wildcard (host: \"*\").");
                if (s.CloudflareOriginPulls)
                    r.Error(key, $"{fqdn} is served with DNS-only records, whose visitors bring no Cloudflare client certificate, but platform:cloudflareOriginPulls is true, so Traefik refuses their TLS.",
                        "Set platform:cloudflareOriginPulls: false, or use a one-level wildcard (host: \"*\").");
                if (Blueprint.Routing.ZoneResolver(s) is null)
                    r.Error(key, $"{fqdn} needs Traefik's own Let's Encrypt certificate by DNS-01, but behind the load balancer every Traefik serves the stack's Cloudflare Origin CA certificate, which browsers do not trust without Cloudflare's proxy.",
                        "Use a one-level wildcard (host: \"*\") on this stack, or run one app server.");
            }
    }
}

/// <summary>
/// Traefik v3.3.6's certificate rules the nested wildcard relies on, ported from its source so tests can run its own tables:
/// which certificate serves a TLS server name (<c>pkg/tls/certificate_store.go</c>, <c>matchDomain</c>, table
/// <c>certificate_store_test.go</c> <c>TestGetBestCertificate</c>) and which domains ACME may ask for
/// (<c>pkg/provider/acme/provider.go</c>, <c>sanitizeDomains</c>, table <c>provider_test.go</c> <c>TestProvider_sanitizeDomains</c>).
/// </summary>
public static class TraefikTls
{
    /// <summary>
    /// <c>matchDomain</c>: equal, or the certificate's name equals the server name with its labels replaced by <c>*</c> from
    /// the left, one more each time (<c>*.b.c</c>, <c>*.*.c</c>, …): a wildcard stands for exactly one label, so
    /// <c>*.example.com</c> never serves <c>t1.app.example.com</c>.
    /// </summary>
    public static bool MatchDomain(string serverName, string certDomain)
    {
        if (serverName == certDomain) return true;
        certDomain = certDomain.TrimEnd('.');
        var labels = serverName.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = "*";
            if (certDomain == string.Join('.', labels)) return true;
        }
        return false;
    }

    /// <summary><c>sanitizeDomains</c>: the error Traefik gives for the domains of a certificate request, or null when it asks for them.</summary>
    public static string? SanitizeDomains(IReadOnlyList<string> domains)
    {
        if (domains.Count == 0) return "no domain was given";
        return domains.Any(d => d.StartsWith("*.*", StringComparison.Ordinal))
            ? $"unable to generate a wildcard certificate in ACME provider for domain \"{string.Join(",", domains)}\" : ACME does not allow '*.*' wildcard domain"
            : null;
    }
}
