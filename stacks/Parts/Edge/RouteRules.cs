using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// Rules across every route of a stack: no two match the same requests (the platform's hosts, MinIO's console and
/// Grafana included), a tenant's domain stays outside the zone and fits the ingress settings, a redirect has a target,
/// a proxied host is covered by Cloudflare's certificate.
/// </summary>
internal static class RouteRules
{
    public static void Check(StackSettings s, NodeReader r)
    {
        // Two routes that match the same requests (same host, same path) would leave the choice to Traefik.
        var routes = new Dictionary<(string Host, string Path), string>();
        foreach (var host in ServiceNames.PlatformHosts)
            routes[(SettingsRules.Fqdn(host, s.Domain), "")] = $"the platform's {host} host";
        if (s.MinioConsole is { } console && s.Domain.Length > 0)
        {
            if (routes.ContainsKey((SettingsRules.Fqdn(console.Host, s.Domain), "")))
                r.Error("platform:minioConsoleHost", $"'{console.Host}' is a platform host already.", "Choose another subdomain, e.g. minio-admin.");
            routes[(SettingsRules.Fqdn(console.Host, s.Domain), "")] = "platform:minioConsoleHost";
        }
        if (s.Observability.Enabled && s.Domain.Length > 0)
        {
            if (routes.ContainsKey((SettingsRules.Fqdn(s.Observability.Host, s.Domain), "")))
                r.Error("platform:observability.host", $"'{s.Observability.Host}' is a platform host already.", "Choose another subdomain, e.g. grafana or metrics-admin.");
            routes[(SettingsRules.Fqdn(s.Observability.Host, s.Domain), "")] = "platform:observability.host (Grafana)";
        }
        var routedHosts = s.Apps.SelectMany(a => a.Routes).Where(x => s.Domain.Length > 0 && (x.Host.Length > 0 || x.Domain is not null))
            .Select(x => x.Fqdn(s.Domain)).ToHashSet(StringComparer.Ordinal);
        foreach (var app in s.Apps)
        {
            for (var i = 0; i < app.Routes.Length; i++)
            {
                var route = app.Routes[i];
                var key = $"{app.Key}.routes[{i}]";
                var hostKey = route.Domain is null ? $"{key}.host" : $"{key}.domain";
                if ((route.Host.Length == 0 && route.Domain is null) || s.Domain.Length == 0) continue;
                var fqdn = route.Fqdn(s.Domain);
                var path = route.PathPrefix ?? "";
                if (routes.TryGetValue((fqdn, path), out var owner))
                {
                    r.Error(hostKey, $"{fqdn}{path} is already routed by {owner}, so both would match the same requests.",
                        ServiceNames.PlatformHosts.Contains(route.Host) && path.Length == 0
                            ? $"'{route.Host}' is reserved for the platform; choose another host."
                            : $"Give one of {owner} and {key} another host or path prefix.");
                    continue;
                }
                routes[(fqdn, path)] = key;

                if (route.Domain is { } domain)
                {
                    if (s.Zone.Length > 0 && (domain == s.Zone || domain.EndsWith("." + s.Zone, StringComparison.Ordinal)))
                        r.Error(hostKey, $"{domain} is inside the stack's zone {s.Zone}.", $"Use 'host: {(domain == s.Domain ? "\"@\"" : domain.EndsWith("." + s.Domain, StringComparison.Ordinal) ? domain[..^(s.Domain.Length + 1)] : "<subdomain>")}' for names in the zone; domain: is for a tenant's own domain.");
                    // HTTP-01 needs Let's Encrypt to reach port 80 directly, and the tenant's visitors reach 443 without Cloudflare.
                    if (s.CloudflareOriginPulls)
                        r.Error(hostKey, $"{domain} is a domain outside the zone, whose visitors come straight to the server without Cloudflare's client certificate, but platform:cloudflareOriginPulls is true, so Traefik refuses every TLS connection without it.",
                            "Set platform:cloudflareOriginPulls: false, or serve the tenant under the stack's domain.");
                    if (s.CloudflareOnlyIngress)
                        r.Error(hostKey, $"{domain} is a domain outside the zone: its certificate comes by HTTP-01 and its visitors come straight to the server, but platform:cloudflareOnlyIngress is true, so the firewall lets only Cloudflare reach 80/443.",
                            "Set platform:cloudflareOnlyIngress: false (80/443 open to everyone; Cloudflare-proxied hosts keep working), or serve the tenant under the stack's domain.");
                }

                if (route.Redirect is { } redirect && s.Domain.Length > 0)
                {
                    var target = redirect == RedirectTarget.Apex
                        ? (route.Domain is { } d ? d["www.".Length..] : s.Domain)
                        : (route.Domain is { } d2 ? "www." + d2 : SettingsRules.Fqdn("www", s.Domain));
                    if (!routedHosts.Contains(target))
                        r.Error($"{key}.redirect", $"sends visitors to {target}, which no route serves.", $"Add a route for {target} (e.g. to this app), or remove the redirect.");
                }

                // Cloudflare's Universal SSL certificate covers the zone apex and one level of
                // subdomains; a proxied host deeper than that fails TLS at the edge.
                if (route.Domain is null && !NestedWildcards.IsHost(route.Host) && s.Zone.Length > 0 && fqdn.EndsWith("." + s.Zone, StringComparison.Ordinal)
                    && fqdn[..^(s.Zone.Length + 1)].Contains('.'))
                {
                    r.Error($"{key}.host", $"{fqdn} is more than one level below the Cloudflare zone {s.Zone}; Cloudflare's Universal SSL does not cover it, so visitors would get a TLS error.",
                        "Use a one-level host (e.g. 'app-staging' instead of 'app' under a 'staging.' domain), or give the stack its own zone; tenants two levels down take a nested wildcard (host: \"*.app\", DNS only, see README).");
                }
            }
        }
    }
}
