using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Server;

/// <summary>The keys of <c>platform:servers</c> (servers by role), as <see cref="TopologySettings"/> reads them.</summary>
public static class ServersSchema
{
    private static FieldDef Type(string role) =>
        Enum("type", $"Hetzner Cloud server type of the {role} server.", Catalog.ServerTypes.All.Keys.Order(StringComparer.Ordinal), required: true);

    private static FieldDef OneOnly(string what) =>
        Int("count", $"Always 1: {what}.", 1, 1, 1);

    private static FieldDef VolumeGb(string role, bool required) =>
        Int("volumeGb", $"Size of the Hetzner Volume holding the {role} server's data.", TopologySettings.MinVolumeGb, TopologySettings.MaxVolumeGb, required: required);

    public static readonly ObjectDef App = new("appServers", "The app servers: { type, count }; several sit behind a load balancer.",
    [
        Type("app"),
        Int("count", "How many app servers.", 1, TopologySettings.MaxAppServers, 1),
    ]);

    public static readonly ObjectDef Data = new("dataServer", "The data server, holding every stateful part on a Hetzner Volume: { type, volumeGb }.",
    [
        Type("data"),
        OneOnly("a stack has exactly one data server"),
        VolumeGb("data", required: true),
    ]);

    private static ObjectDef Optional(string role, string what) => new($"{role}Server", $"The optional {role} server ({what}): {{ type, volumeGb }}.",
    [
        Type(role),
        OneOnly("Redis and MinIO are not clustered"),
        VolumeGb(role, required: false),
    ]);

    public static readonly ObjectDef Servers = new("servers", "Servers by role instead of one server.",
    [
        Object("app", App, required: true),
        Object("data", Data, required: true),
        Object("cache", Optional("cache", "the Redis instances")),
        Object("files", Optional("files", "MinIO")),
    ]);
}
