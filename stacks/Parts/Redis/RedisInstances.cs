using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Redis;

/// <summary>
/// One Redis instance: an app's own (<c>needs.redis</c>), shared with the apps that name it in <c>needs.redisOf</c>.
/// Every name is the owner's, in the app namespace (see <see cref="RedisNames"/>).
/// </summary>
/// <param name="Owner">The app whose instance it is.</param>
/// <param name="Members">The owner and the apps sharing it, sorted.</param>
/// <param name="MaxMemoryMb">maxmemory.</param>
/// <param name="EvictionPolicy">maxmemory-policy.</param>
/// <param name="Port">Where it listens: 6379 on a single server; on a split stack its own port on the data server's private address.</param>
public sealed record RedisInstance(string Owner, ImmutableArray<string> Members, int MaxMemoryMb, string EvictionPolicy, int Port)
{
    public string Container => RedisNames.Container(Owner);
    public string Volume => RedisNames.Volume(Owner);

    /// <summary>The container's memory limit: twice maxmemory, for the copy-on-write of a snapshot's fork.</summary>
    public int ContainerMemoryMb => MaxMemoryMb * 2;
}

/// <summary>
/// Names of an app's Redis instance, all derived from the owner's name in the app namespace (<c>app-&lt;owner&gt;.</c>,
/// see <see cref="AppNames"/>): <c>redis</c> and <c>redis.data</c> hold no character an app's volume, job or instance
/// number could take together with that dot (volume and job names have no dot; <c>redis</c> is no number).
/// </summary>
public static class RedisNames
{
    /// <summary>The host name every app reaches its own instance by, on its data network (or, split, in its hosts file).</summary>
    public const string Alias = ServiceNames.Redis;

    public static string Container(string owner) => $"app-{owner}.redis";

    /// <summary>The instance's AOF and RDB volume: <c>app-&lt;owner&gt;.redis.data</c> (a volume an app declares has no dot in its name).</summary>
    public static string Volume(string owner) => $"app-{owner}.redis.data";

    /// <summary>The instance's backup job (its heartbeat monitor is <c>backup-redis-&lt;owner&gt;</c>).</summary>
    public static string BackupJob(string owner) => $"redis-{owner}";

    /// <summary>The volume the instance's snapshot is written into before the runner archives it.</summary>
    public static string DumpVolume(string owner) => $"app-{owner}.redis.dumps";

    /// <summary>Where the instance's ACL file lives on the server; bind-mounted read-only at <see cref="AclDirectory"/>.</summary>
    public static string HostDirectory(string owner) => $"{RedisBlueprint.HostDirectory}/app-{owner}";

    public const string AclDirectory = "/etc/redis-acl";

    /// <summary>The host command that writes the instance's ACL file and loads it in place.</summary>
    public static string AclCommand(string owner) => $"app-{owner}.redis-acl";

    /// <summary>The TCP monitor's display name (its id is <c>tcp-redis-of-&lt;owner&gt;</c>).</summary>
    public static string MonitorName(string owner) => $"Redis of {owner}";

    public static bool IsContainer(string name) => name.StartsWith("app-", StringComparison.Ordinal) && name.EndsWith(".redis", StringComparison.Ordinal);

    /// <summary>First port of a split stack's Redis instances on the data server (a range no other platform service uses).</summary>
    public const int SplitPortBase = 20000;
    public const int SplitPortRange = 10000;

    /// <summary>
    /// The stack's instances, sorted by owner. On a split stack each gets a port of its own on the data server, from a
    /// stable hash of the owner's name (FNV-1a), so adding an app moves no other instance's port — except on a hash
    /// collision, where the later owner in name order takes the next free port.
    /// </summary>
    public static ImmutableArray<RedisInstance> Of(StackSettings s) => Indexes.GetValue(s, Index).Instances;

    /// <summary>The instance <paramref name="app"/> uses, or null.</summary>
    public static RedisInstance? For(StackSettings s, AppSettings app) =>
        s.RedisOwner(app) is { } owner ? Indexes.GetValue(s, Index).ByOwner.GetValueOrDefault(owner.Name) : null;

    /// <summary>
    /// Every app asks for its instance while the blueprint is built: the instances are computed once per settings
    /// object (computing them per app made planning quadratic in the number of apps). Keyed by the instance, so a
    /// copy made with <c>with</c> gets its own.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings, RedisIndex> Indexes = new();

    private sealed record RedisIndex(ImmutableArray<RedisInstance> Instances, Dictionary<string, RedisInstance> ByOwner);

    private static RedisIndex Index(StackSettings s)
    {
        var used = new HashSet<int>();
        var list = new List<RedisInstance>();
        var members = s.Apps.Where(a => a.RedisInstance is not null || a.RedisOf is not null)
            .GroupBy(a => a.RedisInstance is not null ? a.Name : a.RedisOf!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(a => a.Name).Order(StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);
        foreach (var owner in s.Apps.Where(a => a.RedisInstance is not null).OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            var port = AppEnvironment.RedisPort;
            if (s.Topology is not null)
            {
                port = SplitPortBase + (int)(Fnv1a(owner.Name) % SplitPortRange);
                while (!used.Add(port)) port = port + 1 >= SplitPortBase + SplitPortRange ? SplitPortBase : port + 1;
            }
            list.Add(new RedisInstance(owner.Name, members[owner.Name],
                owner.RedisInstance!.MaxMemoryMb ?? s.Redis.MaxMemoryMb, owner.RedisInstance.EvictionPolicy ?? s.Redis.EvictionPolicy, port));
        }
        var byOwner = new Dictionary<string, RedisInstance>(StringComparer.Ordinal);
        foreach (var i in list) byOwner.TryAdd(i.Owner, i);
        return new RedisIndex([.. list], byOwner);
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash;
    }

    public static string PortText(RedisInstance i) => i.Port.ToString(CultureInfo.InvariantCulture);
}
