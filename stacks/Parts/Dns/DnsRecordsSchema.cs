using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Dns;

/// <summary>The keys of an entry of <c>platform:dnsRecords</c>, as <see cref="ZoneRecords"/> reads them.</summary>
public static class DnsRecordsSchema
{
    public static readonly ObjectDef Record = new("dnsRecord", "A record of the zone the platform does not serve.",
    [
        Str("name", "Name relative to the zone: \"@\" for its apex, or e.g. _dmarc, selector1._domainkey.", required: true),
        // The reader takes the type in any case; editors offer the upper-case names.
        Enum("type", "The record's type.", [.. ZoneRecords.Types, .. ZoneRecords.Types.Select(t => t.ToLowerInvariant())], required: true),
        Str("content", "The record's value: an address (A, AAAA), a host name (CNAME, MX), text (TXT), the CA or URL (CAA).", required: true),
        Bool("proxied", "Proxied through Cloudflare (A, AAAA and CNAME only)."),
        Int("ttl", "Seconds: 1 (automatic) or 60 to 86400.", 1, 86_400, 1),
        Int("priority", "MX preference (MX only, required there).", 0, 65_535),
        Str("tag", "CAA: issue, issuewild or iodef."),
        Int("flags", "CAA: 0, or 128 for critical.", 0, 255, 0),
    ]);
}
