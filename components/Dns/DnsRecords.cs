using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Components.Server;
using Pulumi;
using Cloudflare = Pulumi.Cloudflare;

namespace Platform.Components.Dns;

/// <summary>Arguments of <see cref="DnsRecords"/>.</summary>
public sealed class DnsRecordsArgs
{
    /// <summary>The Cloudflare zone's name (e.g. example.com); its id is looked up.</summary>
    public required string Zone { get; init; }

    /// <summary>The records, each pointing at an address of its target (a server or the load balancer).</summary>
    public required ImmutableArray<DnsRecordSpec> Records { get; init; }

    /// <summary>The public addresses of every target the records name (<see cref="DnsRecordSpec.Target"/>).</summary>
    public required IReadOnlyDictionary<AddressTarget, PublicAddresses> Targets { get; init; }

    /// <summary>
    /// Turn on the zone's authenticated origin pulls (<see cref="PlatformBlueprint.CloudflareOriginPulls"/>): Cloudflare then
    /// presents its origin-pull client certificate to the origin. Default: false (the zone setting is not managed).
    /// </summary>
    public bool OriginPulls { get; init; }

    /// <summary>
    /// The records the stack file declares (<see cref="PlatformBlueprint.ZoneRecords"/>: mail, CAA, a SaaS, a server elsewhere),
    /// each created as it is. Default: none. No record of the zone is ever imported or adopted: Pulumi changes and deletes
    /// only the resources in its state, i.e. the ones it created.
    /// </summary>
    public ImmutableArray<Platform.Stacks.Parts.Dns.ZoneRecordSpec> Declared { get; init; } = [];

    /// <summary>
    /// What the platform's records wait for: every server's patched gate (<see cref="ServerSpec.PatchedCommand"/>), so no
    /// request reaches a server before it is fully patched. The declared records do not wait. Default: nothing.
    /// </summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>One Cloudflare DNS record per blueprint record, in the zone looked up by name.</summary>
public sealed class DnsRecords : ComponentResource
{
    /// <summary>The records, keyed by "fqdn type" (e.g. "app.example.com A").</summary>
    public IReadOnlyDictionary<string, Cloudflare.DnsRecord> Records { get; }

    [Output("zoneId")]
    public Output<string> ZoneId { get; private set; }

    /// <summary>The declared records, keyed by their resource suffix (<see cref="Platform.Stacks.Parts.Dns.ZoneRecordSpec.ResourceSuffix"/>).</summary>
    public IReadOnlyDictionary<string, Cloudflare.DnsRecord> Declared { get; }

    /// <summary>The zone's authenticated origin pulls setting, when the blueprint turns it on; null otherwise.</summary>
    public Cloudflare.AuthenticatedOriginPullsSettings? OriginPulls { get; }

    public DnsRecords(string name, DnsRecordsArgs args, ComponentResourceOptions? opts = null)
        : base("platform:dns:Records", name, opts)
    {
        ZoneId = Cloudflare.GetZone.Invoke(new Cloudflare.GetZoneInvokeArgs
        {
            Filter = new Cloudflare.Inputs.GetZoneFilterInputArgs { Name = args.Zone, Match = "all" },
        }, new InvokeOptions { Parent = this }).Apply(zone => zone.Id);

        var records = new Dictionary<string, Cloudflare.DnsRecord>(StringComparer.Ordinal);
        foreach (var record in args.Records)
        {
            var key = $"{record.Fqdn} {record.Type}";
            if (records.ContainsKey(key)) throw new InvalidOperationException($"The blueprint has two {record.Type} records for {record.Fqdn}.");
            var addresses = args.Targets.TryGetValue(record.Target, out var target) ? target
                : throw new InvalidOperationException($"The record {record.Fqdn} {record.Type} points at the {record.Target}, whose addresses were not passed.");
            records[key] = new Cloudflare.DnsRecord($"{name}-{record.Fqdn}-{record.Type.ToLowerInvariant()}", new Cloudflare.DnsRecordArgs
            {
                ZoneId = ZoneId,
                // Cloudflare stores and returns the full name; sending the relative one ("@", "app")
                // would show as a change on every refresh.
                Name = record.Fqdn,
                Type = record.Type,
                Content = record.Content switch
                {
                    ServerAddress.Ipv4 => addresses.Ipv4,
                    ServerAddress.Ipv6 => addresses.Ipv6,
                    _ => throw new InvalidOperationException($"Unknown server address {record.Content} for {record.Fqdn}."),
                },
                Proxied = record.Proxied,
                Ttl = record.Ttl,
                Comment = record.Comment,
            }, new CustomResourceOptions { Parent = this, DependsOn = args.After.ToList() });
        }
        Records = records;
        var declared = new Dictionary<string, Cloudflare.DnsRecord>(StringComparer.Ordinal);
        foreach (var record in args.Declared)
        {
            if (declared.ContainsKey(record.ResourceSuffix) || records.ContainsKey($"{record.Fqdn} {record.Type}"))
                throw new InvalidOperationException($"The blueprint declares {record.Fqdn} {record.Type} twice ({record.Key}).");
            var recordArgs = new Cloudflare.DnsRecordArgs
            {
                ZoneId = ZoneId,
                Name = record.Fqdn,
                Type = record.Type,
                Proxied = record.Proxied,
                Ttl = record.Ttl,
                Comment = record.Comment,
            };
            // A CAA record's value is its data (flags, tag, value), not content (Pulumi.Cloudflare 6.17.0 DnsRecordDataArgs).
            if (record.Type == "CAA")
                recordArgs.Data = new Cloudflare.Inputs.DnsRecordDataArgs { Flags = Output.Create<object>(record.CaaFlags), Tag = record.CaaTag!, Value = record.Content };
            else
                recordArgs.Content = record.Content;
            if (record.Priority is { } priority) recordArgs.Priority = priority;
            declared[record.ResourceSuffix] = new Cloudflare.DnsRecord($"{name}-{record.ResourceSuffix}", recordArgs, new CustomResourceOptions { Parent = this });
        }
        Declared = declared;
        if (args.OriginPulls)
            OriginPulls = new Cloudflare.AuthenticatedOriginPullsSettings($"{name}-origin-pulls", new Cloudflare.AuthenticatedOriginPullsSettingsArgs
            {
                ZoneId = ZoneId,
                Enabled = true,
            }, new CustomResourceOptions { Parent = this });
        RegisterOutputs();
    }
}
