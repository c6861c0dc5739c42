using System.Collections;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Infra.Tests;

/// <summary>
/// Records the stack file declares (<c>platform:dnsRecords</c>) through the program: one Cloudflare DnsRecord each, with the
/// fields Pulumi.Cloudflare 6.17.0 takes (<c>content</c>; <c>priority</c> for MX; <c>data</c> flags/tag/value for CAA), and
/// nothing else of the zone. Pulumi deletes only resources in its state, i.e. those the program registered; none is imported
/// (no <c>ImportId</c>) and no existing record is looked up, so a record the stack did not create is never in the state and
/// never deleted. Cloudflare itself refuses to create a record that exists (81057 "The record already exists",
/// cloudflare/terraform-provider-cloudflare#10) or an A/AAAA/CNAME next to a CNAME or A owner (81053,
/// hashicorp/terraform#10065) rather than overwrite it, and 6.17.0's DnsRecordArgs has no overwrite option.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed class DnsStackTests
{
    private const string Dns = "cloudflare:index/dnsRecord:DnsRecord";

    private const string Records = """
          platform:dnsRecords:
            - { name: "@", type: MX, content: mx1.mail.example.net, priority: 10 }
            - { name: "@", type: TXT, content: "v=spf1 include:_spf.mail.example.net -all" }
            - { name: "@", type: CAA, tag: issue, content: letsencrypt.org }
            - { name: docs, type: CNAME, content: brightlane.gitbook.io, proxied: true }
            - { name: meet, type: A, content: 198.51.100.20, ttl: 300 }

        """;

    private static PlatformBlueprint Blueprint(string records)
    {
        var text = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.staging.yaml"));
        text = System.Text.RegularExpressions.Regex.Replace(text, "  platform:dnsRecords:\n(    .*\n)*", "");
        text = text.Replace("  platform:apps:\n", records + "  platform:apps:\n", StringComparison.Ordinal);
        return BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "staging", text)));
    }

    [Fact]
    public async Task Every_declared_record_is_one_dns_record_with_the_providers_fields_and_no_other_record_is_registered()
    {
        var b = Blueprint(Records);
        var run = await StackRun.Of(b, preview: false);
        var all = run.OfType(Dns).ToList();
        // The platform's own records and the declared ones, nothing more.
        Assert.Equal(b.DnsRecords.Length + 5, all.Count);
        Assert.Equal(b.DnsRecords.Select(d => $"{d.Fqdn} {d.Type}").Concat(b.ZoneRecords.Select(z => $"{z.Fqdn} {z.Type}")).Order(StringComparer.Ordinal),
            all.Select(r => $"{r.Inputs["name"]} {r.Inputs["type"]}").Order(StringComparer.Ordinal));

        var zone = b.Zone;
        var mx = Assert.Single(all, r => Equals(r.Inputs["type"], "MX"));
        Assert.Equal((zone, "mx1.mail.example.net", 10.0, false), ((string)mx.Inputs["name"], (string)mx.Inputs["content"], Convert.ToDouble(mx.Inputs["priority"], System.Globalization.CultureInfo.InvariantCulture), (bool)mx.Inputs["proxied"]));
        var txt = Assert.Single(all, r => Equals(r.Inputs["type"], "TXT"));
        Assert.Equal("\"v=spf1 include:_spf.mail.example.net -all\"", txt.Inputs["content"]);
        var caa = Assert.Single(all, r => Equals(r.Inputs["type"], "CAA"));
        Assert.False(caa.Inputs.ContainsKey("content"));
        var data = (IDictionary<string, object>)caa.Inputs["data"];
        Assert.Equal(("issue", "letsencrypt.org"), ((string)data["tag"], (string)data["value"]));
        Assert.Equal(0, Convert.ToInt32(data["flags"], System.Globalization.CultureInfo.InvariantCulture));
        var cname = Assert.Single(all, r => Equals(r.Inputs["type"], "CNAME"));
        Assert.Equal((true, 1.0), ((bool)cname.Inputs["proxied"], Convert.ToDouble(cname.Inputs["ttl"], System.Globalization.CultureInfo.InvariantCulture)));
        var meet = Assert.Single(all, r => Equals(r.Inputs["name"], "meet." + zone));
        Assert.Equal(("198.51.100.20", false, 300.0), ((string)meet.Inputs["content"], (bool)meet.Inputs["proxied"], Convert.ToDouble(meet.Inputs["ttl"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(all.Where(r => r.Inputs.ContainsKey("comment") && ((string)r.Inputs["comment"]).Contains("declared in", StringComparison.Ordinal)),
            r => Assert.StartsWith("platform/staging: declared in platform:dnsRecords[", (string)r.Inputs["comment"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_record_is_imported_or_looked_up_so_only_records_the_stack_created_can_be_deleted()
    {
        var run = await StackRun.Of(Blueprint(Records), preview: false);
        Assert.All(run.Options.Where(o => o.Type == Dns), o => Assert.Null(o.ImportId));
        Assert.All(run.Options, o => Assert.Null(o.ImportId));
        Assert.DoesNotContain(run.Mocks.Calls, c => c.StartsWith("cloudflare:index/getDnsRecord", StringComparison.Ordinal));
        // Nothing keeps a record in the zone behind Pulumi's back either (it would never be deleted by the stack again).
        Assert.All(run.Options.Where(o => o.Type == Dns), o => Assert.NotEqual(true, o.RetainOnDelete));
    }

    [Fact]
    public async Task Removing_a_declared_record_removes_exactly_that_one_and_renames_no_other()
    {
        var before = await StackRun.Of(Blueprint(Records), preview: false);
        var fewer = Records.Replace("    - { name: meet, type: A, content: 198.51.100.20, ttl: 300 }\n", "", StringComparison.Ordinal);
        var after = await StackRun.Of(Blueprint(fewer), preview: false);
        var gone = before.OfType(Dns).Select(r => r.Name).Except(after.OfType(Dns).Select(r => r.Name)).ToList();
        Assert.Equal([$"dns-meet.{before.Blueprint.Zone}-a-"], gone.Select(n => n[..^8]));
        Assert.Empty(after.OfType(Dns).Select(r => r.Name).Except(before.OfType(Dns).Select(r => r.Name)));
    }
}
