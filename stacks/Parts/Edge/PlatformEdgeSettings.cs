using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Edge;

/// <summary>Reads the stack-wide settings of the edge and DNS parts (<c>platform:dnsRecords</c>), so the stack reader only hands them over.</summary>
internal static class PlatformEdgeSettings
{
    /// <summary><paramref name="s"/> with the edge's and DNS's stack-wide settings from <paramref name="values"/>.</summary>
    public static StackSettings Read(NodeReader r, IReadOnlyDictionary<string, ConfigValue> values, StackSettings s) => s with
    {
        DnsRecords = Dns.ZoneRecords.Read(r, values.GetValueOrDefault("dnsRecords")?.Node),
    };
}
