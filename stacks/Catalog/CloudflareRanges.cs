using System.Collections.Immutable;

namespace Platform.Stacks.Catalog;

/// <summary>
/// Cloudflare's published edge ranges (https://www.cloudflare.com/ips-v4 and ips-v6). The firewall
/// admits 80/443 only from these when a stack sets <c>cloudflareOnlyIngress</c>, and Traefik trusts
/// forwarded headers only from them. Cloudflare changes them rarely and announces changes ahead.
/// </summary>
public static class CloudflareRanges
{
    public static readonly ImmutableArray<string> Ipv4 =
    [
        "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
        "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
        "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    ];

    public static readonly ImmutableArray<string> Ipv6 =
    [
        "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32",
    ];

    public static ImmutableArray<string> All => [.. Ipv4, .. Ipv6];

    /// <summary>
    /// Every range, one a line, sorted as <c>LC_ALL=C sort</c> sorts (ordinal): what <c>cloudflare-ranges</c> prints and
    /// <c>.github/workflows/cloudflare-ranges.yml</c> compares with https://www.cloudflare.com/ips-v4 and ips-v6.
    /// </summary>
    public static string Listing() => string.Concat(All.Order(StringComparer.Ordinal).Select(r => r + "\n"));
}
