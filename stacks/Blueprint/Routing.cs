using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>A public host and path served by a container behind Traefik.</summary>
public sealed record RouteSpec(string Router, string Fqdn, string Host, string? PathPrefix, bool Websockets);

/// <summary>Traefik's Docker labels for routing, TLS, security headers and rate limits.</summary>
public static class Routing
{
    public const string EntryPoint = "websecure";
    public const string CertResolver = "letsencrypt";
    public const string SecureHeaders = "secure-headers@docker";

    public static string Fqdn(string host, string domain) => SettingsRules.Fqdn(host, domain);

    public static string Rule(RouteSpec route, string domain)
    {
        var host = route.Host == "*"
            ? $"HostRegexp(`^[a-z0-9-]+\\.{domain.Replace(".", "\\.", StringComparison.Ordinal)}$`)"
            : $"Host(`{route.Fqdn}`)";
        return route.PathPrefix is null ? host : $"{host} && PathPrefix(`{route.PathPrefix}`)";
    }

    /// <summary>Labels that route <paramref name="routes"/> to <paramref name="port"/> of the container, as Traefik service <paramref name="service"/>.</summary>
    public static ImmutableSortedDictionary<string, string> Labels(
        string service, int port, IReadOnlyList<RouteSpec> routes, string domain, string? healthPath,
        RateLimitSettings? rateLimit, bool cloudflareOnlyIngress, bool sticky, string network = ServiceNames.EdgeNetwork)
    {
        var labels = new Dictionary<string, string>
        {
            ["traefik.enable"] = "true",
            // The network Traefik reaches the container on; it must be one both are attached to.
            ["traefik.docker.network"] = network,
            [$"traefik.http.services.{service}.loadbalancer.server.port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (healthPath is not null)
        {
            // Traefik's own check takes a failing container out of rotation within seconds,
            // independently of Docker's health status.
            labels[$"traefik.http.services.{service}.loadbalancer.healthcheck.path"] = healthPath;
            labels[$"traefik.http.services.{service}.loadbalancer.healthcheck.interval"] = "10s";
            labels[$"traefik.http.services.{service}.loadbalancer.healthcheck.timeout"] = "3s";
        }
        if (sticky)
        {
            labels[$"traefik.http.services.{service}.loadbalancer.sticky.cookie"] = "true";
            labels[$"traefik.http.services.{service}.loadbalancer.sticky.cookie.secure"] = "true";
            labels[$"traefik.http.services.{service}.loadbalancer.sticky.cookie.httponly"] = "true";
        }
        var middlewares = new List<string> { SecureHeaders };
        if (rateLimit is not null)
        {
            var name = $"{service}-ratelimit";
            labels[$"traefik.http.middlewares.{name}.ratelimit.average"] = rateLimit.Average.ToString(System.Globalization.CultureInfo.InvariantCulture);
            labels[$"traefik.http.middlewares.{name}.ratelimit.burst"] = rateLimit.Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
            labels[$"traefik.http.middlewares.{name}.ratelimit.period"] = "1s";
            // Behind Cloudflare every request comes from a Cloudflare address: limit per real client.
            if (cloudflareOnlyIngress)
                labels[$"traefik.http.middlewares.{name}.ratelimit.sourcecriterion.requestheadername"] = "CF-Connecting-IP";
            else
                labels[$"traefik.http.middlewares.{name}.ratelimit.sourcecriterion.ipstrategy.depth"] = "1";
            middlewares.Add(name);
        }
        foreach (var route in routes)
        {
            var prefix = $"traefik.http.routers.{route.Router}";
            labels[$"{prefix}.rule"] = Rule(route, domain);
            labels[$"{prefix}.entrypoints"] = EntryPoint;
            labels[$"{prefix}.tls"] = "true";
            labels[$"{prefix}.tls.certresolver"] = CertResolver;
            labels[$"{prefix}.service"] = service;
            labels[$"{prefix}.middlewares"] = string.Join(",", middlewares);
        }
        return Conventions.Labels(Versioned(labels, [service, .. routes.Select(r => r.Router), .. middlewares.Where(m => !m.Contains('@', StringComparison.Ordinal))]));
    }

    /// <summary>
    /// Gives the container's routers, services and middlewares names that carry a hash of their whole
    /// configuration. During a create-before-delete replacement the old and the new container are both
    /// running: with equal names and different labels Traefik rejects the conflicting definitions
    /// ("defined multiple times with different configurations") and answers 404 until the old one is
    /// gone. With the hash, equal configurations share names (Traefik merges them and balances over both
    /// containers) and different ones never do (two routers for the same rule, each with a healthy backend).
    /// </summary>
    public static Dictionary<string, string> Versioned(Dictionary<string, string> labels, IReadOnlyCollection<string> names)
    {
        var canonical = string.Join("\n", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)))[..ConfigHashLength];
        var own = names.ToHashSet(StringComparer.Ordinal);
        string Rename(string name) => own.Contains(name) ? $"{name}-{hash}" : name;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            var parts = key.Split('.');
            var isObject = parts.Length > 3 && parts[0] == "traefik" && parts[1] == "http" && parts[2] is "routers" or "services" or "middlewares";
            var newKey = isObject ? string.Join('.', parts.Take(3).Append(Rename(parts[3])).Concat(parts.Skip(4))) : key;
            var newValue = isObject && parts[2] == "routers" && parts.Length == 5 && parts[4] is "service" or "middlewares"
                ? string.Join(',', value.Split(',').Select(Rename))
                : value;
            result[newKey] = newValue;
        }
        return result;
    }

    /// <summary>Hex digits of the configuration hash in router, service and middleware names.</summary>
    public const int ConfigHashLength = 8;
}
