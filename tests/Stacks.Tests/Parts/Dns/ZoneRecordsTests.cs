using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Dns;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Dns;

/// <summary>
/// Records the platform does not serve, declared in the stack file (<c>platform:dnsRecords</c>): each becomes exactly one
/// record of the blueprint (and one Cloudflare DnsRecord in the shell), next to the platform's own; bad ones are refused at
/// their key with the fix.
/// </summary>
public sealed class ZoneRecordsTests
{
    private const string Mail = """
        platform:dnsRecords:
          - { name: "@", type: MX, content: mx1.mail.example.net, priority: 10 }
          - { name: "@", type: MX, content: mx2.mail.example.net., priority: 20 }
          - { name: "@", type: TXT, content: "v=spf1 include:_spf.mail.example.net -all" }
          - { name: _dmarc, type: TXT, content: "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com" }
          - { name: selector1._domainkey, type: TXT, content: "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" }
          - { name: "@", type: CAA, tag: issue, content: letsencrypt.org }
          - { name: "@", type: CAA, tag: iodef, content: "mailto:security@example.com" }
          - { name: docs, type: CNAME, content: example.gitbook.io, proxied: true }
          - { name: meet, type: A, content: 203.0.113.50, ttl: 300 }
          - { name: meet, type: AAAA, content: "2001:db8:1::50" }
        """;

    private static PlatformBlueprint Build(string extra) => TestStacks.Build(TestStacks.Yaml(extra: extra));

    private static SettingsError One(string records, string key)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: "platform:dnsRecords:\n" + records));
        Assert.True(errors.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors.Select(e => $"{e.Key}: {e.Problem}"))}");
        Assert.Equal(key, errors[0].Key);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }

    [Fact]
    public void Every_declared_record_is_one_record_of_the_blueprint_and_nothing_else_changes()
    {
        var without = TestStacks.Build(TestStacks.Yaml());
        var with = Build(Mail);
        Assert.Empty(without.ZoneRecords);
        Assert.Equal(without.DnsRecords.Select(d => d.ToString()), with.DnsRecords.Select(d => d.ToString()));
        Assert.Equal(10, with.ZoneRecords.Length);
        Assert.Equal(
            ["example.com MX", "example.com MX", "example.com TXT", "_dmarc.example.com TXT", "selector1._domainkey.example.com TXT", "example.com CAA", "example.com CAA",
             "docs.example.com CNAME", "meet.example.com A", "meet.example.com AAAA"],
            with.ZoneRecords.Select(r => $"{r.Fqdn} {r.Type}"));
        // The trailing dot of a host name is Cloudflare's canonical form without it.
        Assert.Equal("mx2.mail.example.net", with.ZoneRecords[1].Content);
        Assert.Equal(20, with.ZoneRecords[1].Priority);
        Assert.True(with.ZoneRecords.Single(r => r.Type == "CNAME").Proxied);
        Assert.False(with.ZoneRecords.Single(r => r.Type == "A").Proxied);
        Assert.Equal(300, with.ZoneRecords.Single(r => r.Type == "A").Ttl);
        Assert.All(with.ZoneRecords, r => Assert.StartsWith("platform/test: declared in platform:dnsRecords[", r.Comment, StringComparison.Ordinal));
    }

    [Fact]
    public void Resource_names_are_unique_and_adding_a_record_renames_none_of_the_others()
    {
        var b = Build(Mail);
        var names = b.ZoneRecords.Select(r => r.ResourceSuffix).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        var more = Build(Mail.Replace("platform:dnsRecords:\n", "platform:dnsRecords:\n  - { name: \"@\", type: TXT, content: \"google-site-verification=abc\" }\n", StringComparison.Ordinal));
        Assert.Subset(more.ZoneRecords.Select(r => r.ResourceSuffix).ToHashSet(), names.ToHashSet());
    }

    [Fact]
    public void The_plan_lists_them_apart_from_the_platforms_own()
    {
        var plan = PlanText.Render(Build(Mail));
        Assert.Contains("  example.com MX 10 mx1.mail.example.net DNS only ttl auto (platform:dnsRecords[0])", plan, StringComparison.Ordinal);
        Assert.Contains("  example.com CAA 0 issue \"letsencrypt.org\" DNS only ttl auto (platform:dnsRecords[5])", plan, StringComparison.Ordinal);
        Assert.Contains("  meet.example.com A 203.0.113.50 DNS only ttl 300 (platform:dnsRecords[8])", plan, StringComparison.Ordinal);
        Assert.Contains("  docs.example.com CNAME example.gitbook.io proxied ttl auto (platform:dnsRecords[7])", plan, StringComparison.Ordinal);
        Assert.Contains("never a record it did not create", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ name: \"@\", type: CAA, tag: issue, content: digicert.com }", "content", "digicert.com")]
    [InlineData("{ name: \"@\", type: CAA, tag: issuewild, content: \"pki.goog; cansignhttpexchanges=yes\" }", "content", "pki.goog")]
    [InlineData("{ name: \"@\", type: CAA, tag: issue, content: \";\" }", "content", "forbids every CA")]
    [InlineData("{ name: \"@\", type: CAA, content: letsencrypt.org }", "tag", "required")]
    [InlineData("{ name: \"@\", type: CAA, tag: issue, flags: 1, content: letsencrypt.org }", "flags", "128")]
    [InlineData("{ name: \"@\", type: CAA, tag: iodef, content: security@example.com }", "content", "mailto:")]
    [InlineData("{ name: \"@\", type: CAA, tag: issuer, content: letsencrypt.org }", "tag", "issuewild")]
    [InlineData("{ name: \"@\", type: MX, content: mx.example.net }", "priority", "required")]
    [InlineData("{ name: \"@\", type: MX, content: 203.0.113.9, priority: 10 }", "content", "never points at an address")]
    [InlineData("{ name: \"@\", type: MX, content: mx.example.net, priority: 10, proxied: true }", "proxied", "A, AAAA and CNAME")]
    [InlineData("{ name: \"@\", type: TXT, content: x, priority: 1 }", "priority", "MX preference")]
    [InlineData("{ name: meet, type: A, content: 10.0.0.5 }", "content", "private")]
    [InlineData("{ name: meet, type: A, content: \"2001:db8::1\" }", "content", "not an IPv4")]
    [InlineData("{ name: meet, type: AAAA, content: 203.0.113.5 }", "content", "not an IPv6")]
    [InlineData("{ name: meet, type: A, content: 203.0.113.5, proxied: true, ttl: 300 }", "ttl", "automatic TTL")]
    [InlineData("{ name: meet, type: A, content: 203.0.113.5, ttl: 30 }", "ttl", "60")]
    [InlineData("{ name: meet, type: SRV, content: x }", "type", "SRV")]
    [InlineData("{ name: meet.example.com., type: A, content: 203.0.113.5 }", "name", "relative to the zone")]
    [InlineData("{ type: A, content: 203.0.113.5 }", "name", "required")]
    [InlineData("{ name: meet, type: A }", "content", "required")]
    [InlineData("{ name: meet, type: A, content: 203.0.113.5, value: x }", "value", "not a known setting")]
    [InlineData("{ name: \"@\", type: CNAME, content: example.gitbook.io }", "name", "apex")]
    public void A_bad_record_is_one_error_at_its_key_with_the_fix(string record, string field, string problem)
    {
        var e = One($"  - {record}", $"platform:dnsRecords[0].{field}");
        Assert.Contains(problem, e.Problem + " " + e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_at_a_host_the_platform_serves_is_refused()
    {
        // The default apps route app.example.com and the apex: their A/AAAA records are the program's.
        var e = One("  - { name: app, type: CNAME, content: example.gitbook.io }", "platform:dnsRecords[0].name");
        Assert.Contains("app.example.com is a host the platform serves", e.Problem, StringComparison.Ordinal);
        One("  - { name: status, type: A, content: 203.0.113.5 }", "platform:dnsRecords[0].name");
        // Mail and CAA at the apex sit next to the platform's A/AAAA records, as they should.
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(extra: Mail)));
    }

    [Fact]
    public void A_cname_with_another_record_at_its_name_a_duplicate_and_two_spf_policies_are_refused()
    {
        Assert.Contains("alone at its name", One("  - { name: docs, type: CNAME, content: a.example.net }\n  - { name: docs, type: TXT, content: x }", "platform:dnsRecords[0].name").Problem, StringComparison.Ordinal);
        Assert.Contains("already exists", One("  - { name: x, type: TXT, content: a }\n  - { name: x, type: TXT, content: a }", "platform:dnsRecords[1]").Problem, StringComparison.Ordinal);
        Assert.Contains("RFC 7208", One("  - { name: \"@\", type: TXT, content: \"v=spf1 -all\" }\n  - { name: \"@\", type: TXT, content: \"v=spf1 include:x.example.net -all\" }", "platform:dnsRecords[1].content").Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_of_several_records_is_reported_at_once()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: "platform:dnsRecords:\n  - { name: \"@\", type: CAA, tag: issue, content: digicert.com }\n  - { name: meet, type: A, content: 10.1.2.3 }"));
        Assert.Equal(["platform:dnsRecords[0].content", "platform:dnsRecords[1].content"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Txt_content_is_sent_as_quoted_character_strings_of_at_most_255_bytes()
    {
        Assert.Equal("\"v=spf1 -all\"", ZoneRecords.TxtContent("v=spf1 -all"));
        Assert.Equal("\"a\\\"b\"", ZoneRecords.TxtContent("a\"b"));
        var key = new string('k', 400);
        Assert.Equal($"\"{new string('k', 255)}\" \"{new string('k', 145)}\"", ZoneRecords.TxtContent(key));
        var b = Build(Mail);
        Assert.Equal("\"v=spf1 include:_spf.mail.example.net -all\"", b.ZoneRecords[2].Content);
    }

    [Fact]
    public void A_review_against_the_old_file_names_the_declared_records_created_and_destroyed()
    {
        var before = TestStacks.Yaml(extra: Mail);
        var after = TestStacks.Yaml(extra: Mail.Replace("  - { name: meet, type: A, content: 203.0.113.50, ttl: 300 }\n", "", StringComparison.Ordinal)
            .Replace("include:_spf.mail.example.net", "include:_spf.other.example.net", StringComparison.Ordinal));
        var review = PlanDiff.Render(TestStacks.Build(before), TestStacks.Build(after));
        Assert.Contains("- destroyed: DNS A meet.example.com (declared: meet.example.com A 203.0.113.50 DNS only ttl 300 (platform:dnsRecords[8]); a record the stack created)", review, StringComparison.Ordinal);
        Assert.Contains("+ created: DNS TXT example.com (declared: example.com TXT \"v=spf1 include:_spf.other.example.net -all\"", review, StringComparison.Ordinal);
        Assert.Contains("- destroyed: DNS TXT example.com (declared: example.com TXT \"v=spf1 include:_spf.mail.example.net -all\"", review, StringComparison.Ordinal);
        Assert.DoesNotContain("MX", string.Join("\n", review.Split('\n').Where(l => l.Contains("DNS", StringComparison.Ordinal))), StringComparison.Ordinal);
    }
}
