using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.MariaDb;

namespace Platform.Stacks.Parts;

/// <summary>
/// A part used on its own, outside a platform stack: a part's spec built from typed settings (e.g.
/// <see cref="MariaDbPart.Build"/>) as the <see cref="PartNode"/> its component maps, and the Docker networks it needs
/// on a host that has none of the platform's. A user's own Pulumi program hands both to the part's component.
/// </summary>
public static class StandalonePart
{
    /// <summary>The MariaDB part's server and provisioning (its backup agents need the platform's backup runner: not here), with each app's connection.</summary>
    public static PartNode AsPart(this MariaDbPartSpec spec, IEnumerable<MariaDbDatabaseRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var connections = requests.GroupBy(r => r.App, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => MariaDbConnection.Url(g.First()), StringComparer.Ordinal);
        // Hardened as a stack's containers are (capabilities, no-new-privileges; Parts.Hardening).
        return new PartNode(PartId.MariaDb, [Hardening.ContainerHardening.Apply(spec.Service)], spec.Volumes, [spec.Provision], []) { Connections = connections };
    }

    /// <summary>
    /// Every Docker network the part's containers and host commands attach to, each internal (no route off the host):
    /// on a host of its own the part talks only to what the caller attaches to the same networks.
    /// </summary>
    public static ImmutableArray<NetworkSpec> Networks(PartNode part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return [.. part.Services.SelectMany(s => s.Networks.Select(n => n.Network))
            .Concat(part.HostCommands.SelectMany(c => c.Networks))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => new NetworkSpec(name, Internal: true, $"the {part.Id} part's network"))];
    }
}
