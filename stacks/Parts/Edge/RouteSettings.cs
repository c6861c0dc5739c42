using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// Where an app is reachable, and what Traefik does on the way. <c>Host</c> is a subdomain label (<c>app</c>),
/// <c>@</c> for the apex, or <c>*</c> for a wildcard; or <see cref="Domain"/> names a full domain outside the zone.
/// </summary>
public sealed record RouteSettings(string Host, string? PathPrefix, bool Websockets)
{
    /// <summary>A tenant's own domain outside the stack's zone (e.g. shop.customer.com): no DNS record, an HTTP-01 certificate. Default: none.</summary>
    public string? Domain { get; init; }
    /// <summary>Remove <see cref="PathPrefix"/> before the request reaches the app. Default: false.</summary>
    public bool StripPrefix { get; init; }
    /// <summary>Response headers of this route. Default: the platform's secure headers.</summary>
    public HeaderSettings? Headers { get; init; }
    /// <summary>Largest request body in MB; larger ones get 413 (Traefik buffers the body). Default: no limit.</summary>
    public int? MaxBodyMb { get; init; }
    /// <summary>This route's rate limit. Default: the app's <c>rateLimit</c>, if any.</summary>
    public RateLimitSettings? RateLimit { get; init; }
    /// <summary>Client CIDRs allowed; everyone else gets 403. Default: everyone.</summary>
    public ImmutableArray<string> AllowCidrs { get; init; } = [];
    /// <summary>Name of the secret <c>appSecrets.&lt;app&gt;.&lt;NAME&gt;</c> holding htpasswd lines. Default: no basic auth.</summary>
    public string? BasicAuthSecret { get; init; }
    /// <summary>Answer every request with a permanent redirect to the apex or the www host. Default: none.</summary>
    public RedirectTarget? Redirect { get; init; }
    /// <summary>Compress responses (gzip, brotli, zstd as the client accepts). Default: false.</summary>
    public bool Compress { get; init; }

    /// <summary>A tenant wildcard: one level (<c>*</c>) or two (<c>*.app</c>, see <see cref="NestedWildcards"/>).</summary>
    public bool IsWildcard => Domain is null && (Host == "*" || NestedWildcards.IsHost(Host));

    /// <summary>The host name this route answers (for a wildcard, <c>*.&lt;domain&gt;</c>).</summary>
    public string Fqdn(string domain) => Domain ?? SettingsRules.Fqdn(Host, domain);
}

public enum RedirectTarget { Apex, Www }

/// <summary>A route's response headers: a preset, and what it changes of it.</summary>
/// <param name="Preset"><c>secure</c> (the platform's: HSTS, nosniff, frame deny, referrer and permissions policy) or <c>minimal</c> (HSTS only, for apps that set their own).</param>
/// <param name="FrameDeny">Override of X-Frame-Options: DENY; null keeps the preset's.</param>
/// <param name="ContentSecurityPolicy">A Content-Security-Policy value; null for none.</param>
/// <param name="Cors">CORS for an API; null for none.</param>
public sealed record HeaderSettings(HeaderPreset Preset, bool? FrameDeny, string? ContentSecurityPolicy, CorsSettings? Cors);

public enum HeaderPreset { Secure, Minimal }

/// <summary>CORS: the origins, methods and request headers allowed; preflights are answered by Traefik.</summary>
public sealed record CorsSettings(ImmutableArray<string> Origins, ImmutableArray<string> Methods, ImmutableArray<string> Headers, bool Credentials, int MaxAgeSeconds);

/// <summary>Requests per second per client IP, and the burst allowed above it.</summary>
public sealed record RateLimitSettings(int Average, int Burst);
