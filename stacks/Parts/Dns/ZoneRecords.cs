using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Dns;

/// <summary>
/// A DNS record of the zone that the platform does not serve, declared in the stack file (<c>platform:dnsRecords</c>): mail
/// (MX, SPF/DKIM/DMARC TXT), CAA, a CNAME to a SaaS, an A/AAAA for a server outside the stack.
/// </summary>
/// <param name="Name">Relative to the zone: <c>@</c> for its apex, <c>meet</c>, <c>_dmarc</c>, <c>google._domainkey</c>.</param>
/// <param name="Type">A, AAAA, CNAME, MX, TXT or CAA.</param>
/// <param name="Content">The address, target host or text; for CAA the value (<c>letsencrypt.org</c>).</param>
/// <param name="Proxied">Through Cloudflare's proxy (A, AAAA and CNAME only). Default: false (DNS only).</param>
/// <param name="Ttl">Seconds, or 1 for Cloudflare's automatic TTL (the only one a proxied record has). Default: 1.</param>
/// <param name="Priority">MX preference (required for MX, nothing else).</param>
/// <param name="CaaTag">CAA: issue, issuewild or iodef.</param>
/// <param name="CaaFlags">CAA flags (0, or 128 for critical). Default: 0.</param>
public sealed record ZoneRecordSettings(string Name, string Type, string Content, bool Proxied, int Ttl, int? Priority, string? CaaTag, int CaaFlags)
{
    /// <summary>The config key it was read from, e.g. <c>platform:dnsRecords[2]</c>.</summary>
    public string Key { get; init; } = "";
}

/// <summary>A declared record as the shell creates it: one Cloudflare DnsRecord, named from what it is, never adopted.</summary>
public sealed record ZoneRecordSpec(string Fqdn, string Type, string Content, bool Proxied, int Ttl, int? Priority, string? CaaTag, int CaaFlags, string Comment, string Key)
{
    /// <summary>
    /// The Pulumi resource's name: host and type, and for every type a name may hold several of (A, AAAA, MX, TXT, CAA) a
    /// hash of the value, so adding one record never renames (replaces) another. A CNAME is alone at its name (RFC 1034
    /// 3.6.2), so it keeps one name and a changed target is an update in place.
    /// </summary>
    public string ResourceSuffix => Type == "CNAME"
        ? $"{Fqdn}-cname"
        : $"{Fqdn}-{Type.ToLowerInvariant()}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Type}\n{Priority}\n{CaaFlags} {CaaTag}\n{Content}")))[..8]}";

    /// <summary>How the plan shows it.</summary>
    public string Describe() =>
        $"{Fqdn} {Type} {(Type == "CAA" ? $"{CaaFlags.ToString(CultureInfo.InvariantCulture)} {CaaTag} \"{Content}\"" : Type == "MX" ? $"{Priority?.ToString(CultureInfo.InvariantCulture)} {Content}" : Content)}"
        + $"{(Proxied ? " proxied" : " DNS only")} ttl {(Ttl == 1 ? "auto" : Ttl.ToString(CultureInfo.InvariantCulture))} ({Key})";
}

/// <summary>Reads and checks <c>platform:dnsRecords</c>; builds the records' specs.</summary>
public static partial class ZoneRecords
{
    public const string SettingsKey = "platform:dnsRecords";
    public static System.Collections.Immutable.ImmutableArray<string> Keys => DnsRecordsSchema.Record.Keys;
    public static readonly string[] Types = ["A", "AAAA", "CNAME", "MX", "TXT", "CAA"];

    /// <summary>The only CA the platform's certificates come from: Traefik's ACME resolvers ask Let's Encrypt (its CAA identifier).</summary>
    public const string LetsEncrypt = "letsencrypt.org";

    /// <summary>Cloudflare's limit on a TXT record's content (characters).</summary>
    public const int MaxTxtLength = 2048;

    internal static ImmutableArray<ZoneRecordSettings> Read(NodeReader r, YamlNode? node)
    {
        var records = ImmutableArray.CreateBuilder<ZoneRecordSettings>();
        foreach (var (item, k) in r.Sequence(node, SettingsKey, "Write each record as '- { name: \"@\", type: MX, content: mx1.mail.example.net, priority: 10 }'."))
        {
            var m = r.Mapping(item, k, Keys);
            if (item is not YamlMappingNode) continue;
            var name = r.String(m.GetValueOrDefault("name"), $"{k}.name").Trim().ToLowerInvariant();
            if (!m.ContainsKey("name"))
                r.Error($"{k}.name", "is required.", "Give the name relative to the zone: \"@\" for its apex, or e.g. meet, _dmarc, selector1._domainkey.");
            else if (name != "@" && !name.Split('.').All(l => RecordLabel().IsMatch(l)))
                r.Error($"{k}.name", $"'{name}' is not a record name relative to the zone.", "Give \"@\" for the zone's apex, or labels of letters, digits, '-' and '_' (e.g. _dmarc, selector1._domainkey, meet); not the full domain.");
            var type = r.String(m.GetValueOrDefault("type"), $"{k}.type").Trim().ToUpperInvariant();
            if (!Types.Contains(type))
                r.Error($"{k}.type", m.ContainsKey("type") ? $"is '{type}'." : "is required.", $"Use one of {string.Join(", ", Types)}; the platform's own A/AAAA records come from the routes.");
            var content = r.String(m.GetValueOrDefault(type == "CAA" ? "content" : "content"), $"{k}.content").Trim();
            if (!m.ContainsKey("content"))
                r.Error($"{k}.content", "is required.", type switch
                {
                    "CAA" => $"Give the CA's domain, e.g. content: {LetsEncrypt}.",
                    "MX" => "Give the mail server's host name, e.g. content: mx1.mail.example.net.",
                    "TXT" => "Give the text, e.g. content: \"v=spf1 include:_spf.example.net -all\".",
                    _ => "Give the address or target host name.",
                });
            var proxied = m.TryGetValue("proxied", out var p) && r.Bool(p, $"{k}.proxied", false);
            var ttl = m.TryGetValue("ttl", out var t) ? r.Int(t, $"{k}.ttl", 1, 1, 86400) : 1;
            if (ttl is > 1 and < 60) r.Error($"{k}.ttl", $"is {ttl}.", "Use 1 (automatic) or 60 to 86400 seconds: Cloudflare's lowest TTL is 60.");
            int? priority = m.TryGetValue("priority", out var pr) ? r.Int(pr, $"{k}.priority", 10, 0, 65535) : null;
            var tag = m.TryGetValue("tag", out var tg) ? r.String(tg, $"{k}.tag").Trim().ToLowerInvariant() : null;
            var flags = m.TryGetValue("flags", out var fl) ? r.Int(fl, $"{k}.flags", 0, 0, 255) : 0;
            var record = new ZoneRecordSettings(name, type, content, proxied, ttl, priority, tag, flags) { Key = k };
            if (m.ContainsKey("type") && Types.Contains(type) && m.ContainsKey("content")) Check(r, record, m.ContainsKey("ttl"));
            records.Add(record);
        }
        return records.ToImmutable();
    }

    /// <summary>One record's own rules, each error at its key with the fix.</summary>
    private static void Check(NodeReader r, ZoneRecordSettings x, bool ttlGiven)
    {
        var k = x.Key;
        if (x.Proxied && x.Type is not ("A" or "AAAA" or "CNAME"))
            r.Error($"{k}.proxied", $"is true on a {x.Type} record; Cloudflare proxies HTTP(S) to A, AAAA and CNAME records only.", "Remove proxied (the record is DNS only).");
        if (x.Proxied && ttlGiven && x.Ttl != 1)
            r.Error($"{k}.ttl", $"is {x.Ttl} on a proxied record; Cloudflare gives proxied records its automatic TTL only.", "Remove ttl, or set proxied: false.");
        if (x.Priority is not null && x.Type != "MX")
            r.Error($"{k}.priority", $"is set on a {x.Type} record.", "Remove it: priority is the MX preference.");
        if (x.Type == "MX" && x.Priority is null)
            r.Error($"{k}.priority", "is required on an MX record.", "Give the preference, e.g. priority: 10 (lower is tried first).");
        if (x.Type != "CAA" && (x.CaaTag is not null || x.CaaFlags != 0))
            r.Error($"{k}.{(x.CaaTag is not null ? "tag" : "flags")}", $"is set on a {x.Type} record.", "Remove it: tag and flags belong to CAA records.");
        if (x.Content.Any(char.IsControl))
        {
            r.Error($"{k}.content", "contains a control character.", "Write the value on one line, without escape sequences.");
            return;
        }
        switch (x.Type)
        {
            case "A":
                if (!IPAddress.TryParse(x.Content, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork || x.Content.Count(c => c == '.') != 3)
                    r.Error($"{k}.content", $"'{x.Content}' is not an IPv4 address.", "Give the server's IPv4 address, e.g. 203.0.113.50 (AAAA takes IPv6).");
                else if (!IsPublic(v4))
                    r.Error($"{k}.content", $"{x.Content} is a private, loopback or reserved address, which no visitor on the internet can reach.", "Give the server's public address.");
                break;
            case "AAAA":
                if (!IPAddress.TryParse(x.Content, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                    r.Error($"{k}.content", $"'{x.Content}' is not an IPv6 address.", "Give the server's IPv6 address, e.g. 2001:db8::50 (A takes IPv4).");
                else if (!IsPublic(v6))
                    r.Error($"{k}.content", $"{x.Content} is a loopback, link-local or unique-local address, which no visitor on the internet can reach.", "Give the server's public address.");
                break;
            case "CNAME" or "MX":
                if (IPAddress.TryParse(x.Content, out _) || !IsHostName(x.Content.TrimEnd('.').ToLowerInvariant()))
                    r.Error($"{k}.content", $"'{x.Content}' is not a host name.", x.Type == "MX" ? "Give the mail server's host name, e.g. mx1.mail.example.net (an MX never points at an address)." : "Give the target's host name, e.g. brightlane.gitbook.io.");
                break;
            case "TXT":
                if (x.Content.Length > MaxTxtLength)
                    r.Error($"{k}.content", $"is {x.Content.Length} characters long; Cloudflare takes at most {MaxTxtLength}.", "Shorten it (a DKIM key of 2048 bits fits).");
                else if (x.Content.Any(c => c > '~'))
                    r.Error($"{k}.content", "holds a non-ASCII character.", "Write the text in ASCII.");
                break;
            case "CAA":
                CheckCaa(r, x);
                break;
        }
    }

    private static void CheckCaa(NodeReader r, ZoneRecordSettings x)
    {
        var k = x.Key;
        if (x.CaaTag is null)
        {
            r.Error($"{k}.tag", "is required on a CAA record.", $"Give issue (who may issue certificates), issuewild (wildcards) or iodef (where CAs report), e.g. tag: issue, content: {LetsEncrypt}.");
            return;
        }
        if (x.CaaFlags is not (0 or 128))
            r.Error($"{k}.flags", $"is {x.CaaFlags}.", "Use 0, or 128 to mark the record critical (RFC 8659).");
        switch (x.CaaTag)
        {
            case "issue" or "issuewild":
                // RFC 8659 4.2: issuer-domain-name, then optional ";" parameters (e.g. accounturi, validationmethods).
                var issuer = x.Content.Split(';', 2)[0].Trim().ToLowerInvariant();
                if (issuer != LetsEncrypt)
                    r.Error($"{k}.content", issuer.Length == 0
                            ? $"names no CA, which forbids every CA to issue{(x.CaaTag == "issuewild" ? " wildcard certificates" : "")} for the zone, Let's Encrypt included: Traefik could not renew the platform's certificates."
                            : $"'{issuer}' is a CA the platform does not use: every certificate Traefik asks for comes from Let's Encrypt, and a CAA record for another CA alone would make Let's Encrypt refuse to issue or renew them.",
                        $"Use content: {LetsEncrypt} (the platform's CA). Cloudflare adds the records its own edge certificates need itself.");
                break;
            case "iodef":
                if (!(x.Content.StartsWith("mailto:", StringComparison.Ordinal) && x.Content.Contains('@', StringComparison.Ordinal))
                    && !(Uri.TryCreate(x.Content, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"))
                    r.Error($"{k}.content", $"'{x.Content}' is not where a CA can report: iodef takes a mailto: or https: URL.", "Write e.g. content: mailto:security@brightlane.io.");
                break;
            default:
                r.Error($"{k}.tag", $"is '{x.CaaTag}'.", "Use issue, issuewild or iodef (RFC 8659).");
                break;
        }
    }

    /// <summary>A target host name: two labels or more, '_' allowed (DKIM targets such as key1.example.com._domainkey.mail.example.net).</summary>
    private static bool IsHostName(string h) =>
        h.Length <= 253 && h.Split('.') is { Length: >= 2 } labels && labels.All(l => l != "*" && RecordLabel().IsMatch(l)) && labels[^1].All(char.IsAsciiLetter);

    private static bool IsPublic(IPAddress a)
    {
        if (IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)) return false;
        if (a.AddressFamily == AddressFamily.InterNetworkV6)
            return !(a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6UniqueLocal || a.IsIPv6Multicast);
        var b = a.GetAddressBytes();
        return !(b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] < 128) || b[0] == 0 || b[0] >= 224);
    }

    /// <summary>The fully qualified name of a record relative to <paramref name="zone"/>.</summary>
    public static string Fqdn(string name, string zone) => name == "@" ? zone : $"{name}.{zone}";

    /// <summary>
    /// Rules across records: a name the platform's own A/AAAA records hold (Cloudflare refuses a second A/AAAA/CNAME owner
    /// there: 81053), a CNAME next to any other record at its name (RFC 1034 3.6.2), the same record twice (Cloudflare: 81057,
    /// "The record already exists"), two SPF policies at one name (RFC 7208 3.2: a permanent error for every receiver).
    /// </summary>
    internal static void CheckStack(StackSettings s, NodeReader r)
    {
        if (s.Zone.Length == 0 || s.DnsRecords.IsEmpty) return;
        var platform = DnsBlueprint.PublicHosts(s).ToDictionary(h => h.Fqdn, h => h.Host, StringComparer.Ordinal);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var x in s.DnsRecords)
        {
            var fqdn = Fqdn(x.Name, s.Zone);
            var served = platform.TryGetValue(fqdn, out var host) && x.Type is "A" or "AAAA" or "CNAME";
            if (served)
                r.Error($"{x.Key}.name", $"{fqdn} is a host the platform serves ({(host == "@" ? "the apex" : host)}): its proxied A and AAAA records are the program's, and Cloudflare refuses another A, AAAA or CNAME record there.",
                    "Choose another name, or remove the route that serves it.");
            if (x.Type == "CNAME" && s.DnsRecords.FirstOrDefault(o => o != x && Fqdn(o.Name, s.Zone) == fqdn) is { } other)
                r.Error($"{x.Key}.name", $"{fqdn} has a CNAME and another record ({other.Key}, {other.Type}); a CNAME must be alone at its name (RFC 1034), and resolvers would ignore the other.",
                    "Keep the CNAME alone at its name, or replace it with the target's A/AAAA records.");
            if (x.Type == "CNAME" && fqdn == s.Zone && !served)
                r.Error($"{x.Key}.name", "is the zone's apex, which holds its SOA and NS records, so a CNAME there is not allowed by the DNS (Cloudflare flattens it, but every other record at the apex, e.g. MX, would then be shadowed).",
                    "Use A/AAAA records at the apex, or put the CNAME on a subdomain.");
            var identity = $"{fqdn}\n{x.Type}\n{x.Priority}\n{x.CaaFlags} {x.CaaTag}\n{x.Content}";
            if (seen.TryGetValue(identity, out var first))
                r.Error($"{x.Key}", $"is the same record as {first}; Cloudflare refuses a duplicate (\"The record already exists\").", "Remove one of them.");
            else
                seen[identity] = x.Key;
            if (x.Type == "TXT" && IsSpf(x.Content) && s.DnsRecords.FirstOrDefault(o => o.Type == "TXT" && IsSpf(o.Content) && Fqdn(o.Name, s.Zone) == fqdn) is { } spf && spf != x)
                r.Error($"{x.Key}.content", $"is a second SPF policy at {fqdn} (the first is {spf.Key}); with two, every receiver's SPF check ends in a permanent error (RFC 7208 3.2).",
                    "Merge them into one v=spf1 record (e.g. v=spf1 include:a include:b -all).");
        }
    }

    /// <summary>
    /// A TXT record's content as Cloudflare's API wants it: RFC 1035 character-strings, each quoted and at most 255 bytes
    /// (a DKIM key is longer), <c>"</c> and <c>\</c> escaped. The API stores unquoted text too, but its dashboard then
    /// warns that the content is not quoted (go-acme/lego#2521; cloudflare/terraform-provider-cloudflare#6354).
    /// </summary>
    public static string TxtContent(string text) =>
        string.Join(' ', text.Chunk(255).Select(c => "\"" + new string(c).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));

    private static bool IsSpf(string text) => text.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (text.Length == 6 || text[6] == ' ');

    /// <summary>The declared records as the shell creates them, in the order of the stack file.</summary>
    public static ImmutableArray<ZoneRecordSpec> Specs(StackSettings s) =>
    [
        .. s.DnsRecords.Select(x => new ZoneRecordSpec(Fqdn(x.Name, s.Zone), x.Type,
            x.Type == "TXT" ? TxtContent(x.Content) : x.Type is "CNAME" or "MX" ? x.Content.TrimEnd('.').ToLowerInvariant() : x.Content,
            x.Proxied, x.Ttl, x.Priority, x.CaaTag, x.CaaFlags, $"{s.Project}/{s.Stack}: declared in {x.Key}", x.Key)),
    ];

    [GeneratedRegex("^(\\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$")]
    private static partial Regex RecordLabel();
}
