using System.Collections.Frozen;

namespace Platform.Stacks.Catalog;

/// <summary>A Hetzner Cloud server type: its size and list price (EUR per month, excl. VAT, IPv4 included).</summary>
public sealed record ServerType(string Name, int Vcpus, int MemoryGb, int DiskGb, string Cpu, decimal MonthlyEur);

/// <summary>
/// The Hetzner Cloud server types this platform knows the size of. The memory budget is
/// checked against <see cref="ServerType.MemoryGb"/>; the cost estimate uses the price.
/// Prices are Hetzner's list prices for Germany/Finland locations and can be overridden per
/// stack (<c>platform:prices</c>).
/// </summary>
public static class ServerTypes
{
    public static readonly FrozenDictionary<string, ServerType> All = new ServerType[]
    {
        new("cx22", 2, 4, 40, "shared x86", 4.59m),
        new("cx32", 4, 8, 80, "shared x86", 7.59m),
        new("cx42", 8, 16, 160, "shared x86", 18.59m),
        new("cx52", 16, 32, 320, "shared x86", 36.09m),
        new("cpx11", 2, 2, 40, "shared AMD", 5.09m),
        new("cpx21", 3, 4, 80, "shared AMD", 8.59m),
        new("cpx31", 4, 8, 160, "shared AMD", 15.59m),
        new("cpx41", 8, 16, 240, "shared AMD", 28.09m),
        new("cpx51", 16, 32, 360, "shared AMD", 61.09m),
        new("cax11", 2, 4, 40, "shared Arm", 4.49m),
        new("cax21", 4, 8, 80, "shared Arm", 7.99m),
        new("cax31", 8, 16, 160, "shared Arm", 15.99m),
        new("cax41", 16, 32, 320, "shared Arm", 31.49m),
        new("ccx13", 2, 8, 80, "dedicated AMD", 14.09m),
        new("ccx23", 4, 16, 160, "dedicated AMD", 27.59m),
        new("ccx33", 8, 32, 240, "dedicated AMD", 54.59m),
        new("ccx43", 16, 64, 360, "dedicated AMD", 108.59m),
    }.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Hetzner locations that offer the types above.</summary>
    public static readonly FrozenSet<string> Locations = new[] { "fsn1", "nbg1", "hel1", "ash", "hil", "sin" }.ToFrozenSet();
}
