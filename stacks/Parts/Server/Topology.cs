using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Catalog;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts;

/// <summary>What a server of a split stack is for.</summary>
public enum ServerRole
{
    /// <summary>Runs Traefik and app instances; reaches the data server over the private network.</summary>
    App,
    /// <summary>Runs every stateful part (PostgreSQL, MariaDB, Redis, MinIO, Uptime Kuma) and the backups, on a Hetzner Volume.</summary>
    Data,
    /// <summary>Optional: runs every Redis instance instead of the data server (<c>platform:servers.cache</c>).</summary>
    Cache,
    /// <summary>Optional: runs MinIO instead of the data server (<c>platform:servers.files</c>).</summary>
    Files,
}

/// <summary>
/// Which server something runs on: the one server of a single-server stack (every role), or a split stack's
/// data server or app server <c>n</c>. Names of what is copied onto several servers are qualified with
/// <see cref="Qualify"/>: <c>traefik@app-2</c>. Platform and app names never hold <c>@</c>, so a qualified name
/// never meets another one.
/// </summary>
public sealed record ServerKey
{
    private ServerKey(ServerRole? role, int index)
    {
        Role = role;
        Index = index;
    }

    /// <summary>Null for the single server, which has every role.</summary>
    public ServerRole? Role { get; }

    /// <summary>1-based for app servers; 0 otherwise.</summary>
    public int Index { get; }

    public static readonly ServerKey Single = new(null, 0);
    public static readonly ServerKey Data = new(ServerRole.Data, 0);
    public static readonly ServerKey Cache = new(ServerRole.Cache, 0);
    public static readonly ServerKey Files = new(ServerRole.Files, 0);

    public static ServerKey App(int index) => index >= 1 ? new(ServerRole.App, index) : throw new ArgumentOutOfRangeException(nameof(index), index, "App servers count from 1.");

    public bool IsSingle => Role is null;

    /// <summary>Whether this server does what <paramref name="role"/> servers do (the single server does everything).</summary>
    public bool Has(ServerRole role) => Role is null || Role == role;

    /// <summary>
    /// A split stack's server other than the data server (an app, cache or file server): Uptime Kuma, Prometheus and Loki
    /// are on the data server, so it reports there over the private network.
    /// </summary>
    public bool ReportsToDataServer => Role is ServerRole.App or ServerRole.Cache or ServerRole.Files;

    /// <summary>A server that holds stateful data on a split stack: the data server, the cache server, the file server.</summary>
    public bool HoldsData => Role is ServerRole.Data or ServerRole.Cache or ServerRole.Files;

    /// <summary><c>server</c>, <c>data</c> or <c>app-n</c>.</summary>
    public string Id => Role switch
    {
        null => "server",
        ServerRole.Data => "data",
        ServerRole.Cache => "cache",
        ServerRole.Files => "files",
        _ => $"app-{Index.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>What the plan calls it: <c>data server</c>, <c>cache server</c>, <c>file server</c>, <c>app server n</c>.</summary>
    public string Description => Role switch
    {
        null => "server",
        ServerRole.Data => "data server",
        ServerRole.Cache => "cache server",
        ServerRole.Files => "file server",
        _ => $"app server {Index.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>The server's component name: <c>server</c> (kept from the single-server form), <c>server-data</c>, <c>server-app-n</c>.</summary>
    public string ResourceName => Role is null ? "server" : $"server-{Id}";

    /// <summary>A name made unique per server: unchanged on the single server, <c>name@app-2</c> elsewhere.</summary>
    public string Qualify(string name) => Role is null ? name : $"{name}@{Id}";

    public override string ToString() => Id;
}

/// <summary>
/// An optional server that takes a data role off the data server (<c>platform:servers.cache</c> or <c>.files</c>): its
/// server type and, when given, the size of the Hetzner Volume its data lives on (0: the server's own disk).
/// </summary>
public sealed record RoleServerSettings(string Type, int VolumeGb);

/// <summary>
/// A split stack's servers by role (<c>platform:servers</c>): <paramref name="AppCount"/> app servers of
/// <paramref name="AppType"/> behind a load balancer (when more than one), and one data server of
/// <paramref name="DataType"/> with a Hetzner Volume of <paramref name="DataVolumeGb"/>; optionally a cache server
/// (<see cref="Cache"/>: every Redis instance) and a file server (<see cref="Files"/>: MinIO).
/// </summary>
public sealed record TopologySettings(string AppType, int AppCount, string DataType, int DataVolumeGb)
{
    public const int MaxAppServers = 10;
    public const int MinVolumeGb = 10;
    public const int MaxVolumeGb = 10000;

    /// <summary>The cache server, which runs every Redis instance instead of the data server. Default: none.</summary>
    public RoleServerSettings? Cache { get; init; }

    /// <summary>The file server, which runs MinIO (its provisioning and its backup) instead of the data server. Default: none.</summary>
    public RoleServerSettings? Files { get; init; }

    /// <summary>Several Traefiks behind a load balancer (more than one app server).</summary>
    public bool LoadBalanced => AppCount > 1;

    public ImmutableArray<ServerKey> AppServers => [.. Enumerable.Range(1, AppCount).Select(ServerKey.App)];

    /// <summary>The cache and file servers the stack declares, in that order.</summary>
    public ImmutableArray<ServerKey> RoleServers => [.. Cache is null ? [] : new[] { ServerKey.Cache }, .. Files is null ? [] : new[] { ServerKey.Files }];

    /// <summary>The servers holding data: the data server, then the cache and file servers the stack declares.</summary>
    public ImmutableArray<ServerKey> DataServers => [ServerKey.Data, .. RoleServers];

    /// <summary>Every server but the data server (each reports to Uptime Kuma there): the app servers, then the cache and file servers.</summary>
    public ImmutableArray<ServerKey> ReportingServers => [.. AppServers, .. RoleServers];

    /// <summary>The app server of an app's instance <paramref name="instance"/> (1-based): round-robin from app-1.</summary>
    public ServerKey AppServerOf(int instance) => ServerKey.App((instance - 1) % AppCount + 1);

    public string TypeOf(ServerKey key) => key.Role switch
    {
        ServerRole.Data => DataType,
        ServerRole.Cache => Cache!.Type,
        ServerRole.Files => Files!.Type,
        _ => AppType,
    };

    /// <summary>The size of the Hetzner Volume of a data-holding server; 0 when its data stays on its disk.</summary>
    public int VolumeGbOf(ServerKey key) => key.Role switch
    {
        ServerRole.Data => DataVolumeGb,
        ServerRole.Cache => Cache?.VolumeGb ?? 0,
        ServerRole.Files => Files?.VolumeGb ?? 0,
        _ => 0,
    };

    /// <summary>The stack-file key of a server's type: <c>platform:servers.app.type</c>, <c>.data.type</c>, <c>.cache.type</c>, <c>.files.type</c>.</summary>
    public static string TypeKey(ServerKey key) => $"platform:servers.{RoleKey(key)}.type";

    /// <summary>The role's key under <c>platform:servers</c>.</summary>
    public static string RoleKey(ServerKey key) => key.Role switch
    {
        ServerRole.Data => "data",
        ServerRole.Cache => "cache",
        ServerRole.Files => "files",
        _ => "app",
    };

    /// <summary>Where a data part's containers, volumes and host commands go: Redis to the cache server, MinIO to the file server, when declared; else the data server.</summary>
    public ServerKey HostOf(PartKind kind) => kind switch
    {
        PartKind.Redis when Cache is not null => ServerKey.Cache,
        PartKind.ObjectStorage when Files is not null => ServerKey.Files,
        _ => ServerKey.Data,
    };

    private static System.Collections.Immutable.ImmutableArray<string> RoleKeys => Server.ServersSchema.Servers.Keys;
    private static System.Collections.Immutable.ImmutableArray<string> AppKeys => Server.ServersSchema.App.Keys;
    private static System.Collections.Immutable.ImmutableArray<string> DataKeys => Server.ServersSchema.Data.Keys;
    private static System.Collections.Immutable.ImmutableArray<string> RoleServerKeys => Server.ServersSchema.Servers["cache"].Shape!.Keys;

    /// <summary>
    /// Reads <c>platform:servers</c> (null when unset: the single-server form). Every problem is reported under its key;
    /// <paramref name="singleFormSet"/> names the single-server settings that were set too (they exclude each other).
    /// </summary>
    internal static TopologySettings? Read(NodeReader r, YamlNode? node, IReadOnlyCollection<string> singleFormSet)
    {
        const string key = "platform:servers";
        if (node is null) return null;
        var roles = r.Mapping(node, key, RoleKeys);
        foreach (var set in singleFormSet.Order(StringComparer.Ordinal))
            r.Error($"platform:{set}", "is set, but so is platform:servers: a stack is either one server (serverType, dataVolumeGb) or servers by role.",
                $"Remove platform:{set}; give the sizes in platform:servers (app.type, data.type, data.volumeGb).");
        if (!roles.ContainsKey("app"))
            r.Error($"{key}.app", "is missing: a split stack needs its app servers.", "Add app: { type: cx32, count: 2 }.");
        if (!roles.ContainsKey("data"))
            r.Error($"{key}.data", "is missing: a split stack needs exactly one data server.", "Add data: { type: ccx23, volumeGb: 100 }.");

        var app = r.Mapping(roles.GetValueOrDefault("app"), $"{key}.app", AppKeys);
        var data = r.Mapping(roles.GetValueOrDefault("data"), $"{key}.data", DataKeys);
        var appType = Type(r, app.GetValueOrDefault("type"), $"{key}.app.type", roles.ContainsKey("app"));
        var dataType = Type(r, data.GetValueOrDefault("type"), $"{key}.data.type", roles.ContainsKey("data"));
        var count = app.TryGetValue("count", out var countNode) ? r.Int(countNode, $"{key}.app.count", 1, 1, MaxAppServers) : 1;
        if (data.TryGetValue("count", out var dataCount) && r.Int(dataCount, $"{key}.data.count", 1) is var n && n != 1)
            r.Error($"{key}.data.count", $"is {n.ToString(CultureInfo.InvariantCulture)}, but a stack has exactly one data server (PostgreSQL, Redis and MinIO are not clustered).",
                "Remove data.count (it is always 1).");
        var volumeGb = 0;
        if (!data.TryGetValue("volumeGb", out var volumeNode))
        {
            if (roles.ContainsKey("data"))
                r.Error($"{key}.data.volumeGb", "is missing: the data server keeps every stateful part's data on a Hetzner Volume, so that it outlives the server.",
                    $"Set data.volumeGb to a size from {MinVolumeGb} to {MaxVolumeGb} GB, e.g. 100.");
        }
        else
            volumeGb = r.Int(volumeNode, $"{key}.data.volumeGb", MinVolumeGb, MinVolumeGb, MaxVolumeGb);
        return new TopologySettings(appType, count, dataType, volumeGb)
        {
            Cache = RoleServer(r, roles.GetValueOrDefault("cache"), $"{key}.cache"),
            Files = RoleServer(r, roles.GetValueOrDefault("files"), $"{key}.files"),
        };
    }

    /// <summary>An optional role server: <c>{ type, volumeGb? }</c>; null when the role is not given.</summary>
    private static RoleServerSettings? RoleServer(NodeReader r, YamlNode? node, string key)
    {
        if (node is null) return null;
        var map = r.Mapping(node, key, RoleServerKeys);
        if (node is not YamlMappingNode) return null;
        var type = Type(r, map.GetValueOrDefault("type"), $"{key}.type", roleGiven: true);
        if (map.TryGetValue("count", out var countNode) && r.Int(countNode, $"{key}.count", 1) is var n && n != 1)
            r.Error($"{key}.count", $"is {n.ToString(CultureInfo.InvariantCulture)}, but a role's data has one home: Redis and MinIO are not clustered, so there is at most one such server.",
                $"Remove {key[(key.LastIndexOf('.') + 1)..]}.count (it is always 1).");
        var volumeGb = map.TryGetValue("volumeGb", out var volumeNode) ? r.Int(volumeNode, $"{key}.volumeGb", MinVolumeGb, MinVolumeGb, MaxVolumeGb) : 0;
        return new RoleServerSettings(type, volumeGb);
    }

    private static string Type(NodeReader r, YamlNode? node, string key, bool roleGiven)
    {
        if (node is null)
        {
            if (roleGiven) r.Error(key, "is missing.", $"Give a Hetzner Cloud server type: {string.Join(", ", ServerTypes.All.Keys.Order(StringComparer.Ordinal))}.");
            return "";
        }
        var type = r.String(node, key);
        if (!ServerTypes.All.ContainsKey(type))
            r.Error(key, $"'{type}' is not a Hetzner Cloud server type this platform knows.",
                $"Use one of: {string.Join(", ", ServerTypes.All.Keys.Order(StringComparer.Ordinal))}.");
        return type;
    }
}

/// <summary>
/// The private network a split stack's servers share: one Hetzner network and subnet, every server at a fixed
/// address (the data server <c>.2</c>, the cache server <c>.3</c>, the file server <c>.4</c>, app server <c>n</c> at <c>.10+n</c>, the load balancer <c>.254</c>), so
/// that what apps connect to is known before anything exists and never moves when a server is replaced.
/// </summary>
public static class PrivateAddresses
{
    public const string NetworkRange = "10.20.0.0/16";
    public const string SubnetRange = "10.20.1.0/24";

    public static string Of(ServerKey key) => key.Role switch
    {
        ServerRole.Data => "10.20.1.2",
        ServerRole.Cache => "10.20.1.3",
        ServerRole.Files => "10.20.1.4",
        ServerRole.App => $"10.20.1.{(10 + key.Index).ToString(CultureInfo.InvariantCulture)}",
        _ => throw new ArgumentException("The single server has no private address.", nameof(key)),
    };

    public const string LoadBalancer = "10.20.1.254";

    /// <summary>Hetzner's network zone of a location.</summary>
    public static string NetworkZone(string location) => location switch
    {
        "ash" => "us-east",
        "hil" => "us-west",
        "sin" => "ap-southeast",
        _ => "eu-central",
    };
}

/// <summary>What a split stack cannot do (yet), each refused with its key and the fix, before anything is planned.</summary>
internal static class TopologyRules
{
    public static void Check(StackSettings s, NodeReader r)
    {
        if (s.Topology is not { } t) return;
        if (t.Cache is not null && Redis.RedisNames.Of(s).IsEmpty)
            r.Error("platform:servers.cache", "declares a cache server, but no app uses Redis (needs.redis or redisOf): the server would run nothing but the platform's agents.",
                "Remove platform:servers.cache, or give an app needs.redis: true.");
        foreach (var app in s.Apps)
        {
            if (!app.Volumes.IsEmpty)
                r.Error($"{app.Key}.volumes", $"gives {app.Name} Docker volumes, but on a split stack its instances run on several app servers and a volume lives on one.",
                    "Keep the files in a bucket (needs.buckets: MinIO on the data server, backed up), or run this stack on one server (serverType).");
            // An app reaches the apps it talks to on its own server: they must run wherever it does.
            foreach (var target in app.TalksTo)
                if (s.Apps.FirstOrDefault(a => a.Name == target) is { } other && Math.Min(other.Instances, t.AppCount) < Math.Min(app.Instances, t.AppCount))
                    r.Error($"{other.Key}.instances",
                        $"is {other.Instances.ToString(CultureInfo.InvariantCulture)}, but {app.Name} talks to {other.Name} and runs on {Math.Min(app.Instances, t.AppCount).ToString(CultureInfo.InvariantCulture)} app servers: apps reach each other on their own server.",
                        $"Give {other.Name} at least {Math.Min(app.Instances, t.AppCount).ToString(CultureInfo.InvariantCulture)} instances (or leave instances unset: one per app server).");
        }
    }
}
