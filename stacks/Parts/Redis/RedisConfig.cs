using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Stacks.Model;

namespace Platform.Stacks.Data;

/// <summary>Input of <see cref="RedisConfig.Conf"/>. Defaults are the platform plan's.</summary>
public sealed record RedisOptions
{
    /// <summary>Every interface of the container (IPv6 optional); the container publishes no host port.</summary>
    public string Bind { get; init; } = "* -::*";
    public int Port { get; init; } = 6379;
    /// <summary>Where the RDB snapshot and the AOF directory go (the volume).</summary>
    public string Dir { get; init; } = "/data";
    public int MaxMemoryMb { get; init; } = 512;
    public string MaxMemoryPolicy { get; init; } = "allkeys-lru";
    /// <summary><c>everysec</c> (default): an OS crash loses at most ~1 s of writes; <c>always</c>: none, at a write-latency cost.</summary>
    public string AppendFsync { get; init; } = "everysec";
    /// <summary>RDB snapshot rules (seconds, changes): at least one snapshot per 15 minutes with any write, more under load.</summary>
    public string Save { get; init; } = "900 1 300 100 60 10000";
    /// <summary>The operators' user: every key and command (backups, debugging). Null: no such user.</summary>
    public string? AdminPasswordSecret { get; init; }
    /// <summary>
    /// Path of an ACL file (see <see cref="RedisConfig.Acl"/>) that holds the users, so they can be changed
    /// with <c>ACL LOAD</c> while Redis runs. Null: the users are written into redis.conf itself.
    /// </summary>
    public string? AclFile { get; init; }
}

/// <summary>An app's Redis user: it may touch only keys and channels starting with <see cref="KeyPrefix"/>.</summary>
public sealed record RedisAppUser(string User, string PasswordSecret)
{
    /// <summary>Default: the user name and a colon, e.g. <c>api:</c>.</summary>
    public string KeyPrefix { get; init; } = User + ":";
}

/// <summary>
/// redis.conf with its ACL users inline. Authentication: one ACL user per app, restricted to its key
/// and channel prefix and to non-admin, non-dangerous commands, with its password stored only as
/// <c>#&lt;sha256&gt;</c>; the unauthenticated <c>default</c> user may only PING (plus AUTH/HELLO, which
/// Redis always allows), so <c>redis-cli ping</c> works as a health check without a password.
/// </summary>
public static partial class RedisConfig
{
    /// <summary>The operators' user (underscore: no app name can collide with it).</summary>
    public const string AdminUser = "platform_admin";

    /// <summary>The ACL categories an app user gets: everything but @admin and @dangerous (no CONFIG, FLUSHALL, KEYS, DEBUG, SHUTDOWN, ACL, MONITOR, INFO…).</summary>
    public const string AppCommandRules = "+@all -@admin -@dangerous";

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex UserRegex();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex PrefixRegex();

    private static readonly string[] Policies =
        ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"];

    /// <summary>Whether <paramref name="user"/> may be an app's Redis user name.</summary>
    public static bool IsValidUser(string? user) => user is not null && UserRegex().IsMatch(user) && user is not "default" and not AdminUser;

    /// <summary>
    /// redis.conf; the ACL users are in it, or, with <see cref="RedisOptions.AclFile"/>, in that file
    /// (<see cref="Acl"/>). Secrets appear only as derived SHA-256 parts.
    /// </summary>
    public static SecretText Conf(RedisOptions o, IEnumerable<RedisAppUser> users)
    {
        var list = ValidUsers(o, users);
        if (o.Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(o), $"Port {o.Port} is not a TCP port.");
        if (o.MaxMemoryMb <= 0) throw new ArgumentOutOfRangeException(nameof(o), "maxmemory must be positive.");
        if (!Policies.Contains(o.MaxMemoryPolicy, StringComparer.Ordinal)) throw new ArgumentException($"'{o.MaxMemoryPolicy}' is not a Redis eviction policy.", nameof(o));
        if (o.AppendFsync is not ("always" or "everysec" or "no")) throw new ArgumentException($"'{o.AppendFsync}' is not an appendfsync value.", nameof(o));
        foreach (var (value, name) in new[] { (o.Bind, nameof(o.Bind)), (o.Dir, nameof(o.Dir)), (o.Save, nameof(o.Save)), (o.AclFile ?? "-", nameof(o.AclFile)) })
            if (string.IsNullOrWhiteSpace(value) || value.Any(c => char.IsControl(c) || c is '"' or '\''))
                throw new ArgumentException($"{name} '{value}' is not a safe redis.conf value.", nameof(o));

        static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
        var b = new SecretTextBuilder();
        b.Line("# redis.conf — rendered by Platform.Stacks.Data.RedisConfig; do not edit by hand.");
        b.Line();
        b.Line("# Network: a container on a private Docker network, no published port. protected-mode is off because");
        b.Line("# the default user has no password (so that `redis-cli ping` works) — it would otherwise refuse every");
        b.Line("# non-loopback client; the default user may run PING only, everything else needs an ACL user.");
        b.Line($"bind {o.Bind}");
        b.Line("protected-mode no");
        b.Line($"port {I(o.Port)}");
        b.Line("tcp-backlog 511");
        b.Line("timeout 0");
        b.Line("tcp-keepalive 300");
        b.Line("daemonize no");
        b.Line("loglevel notice");
        b.Line("logfile \"\"");
        b.Line("databases 16");
        b.Line();
        b.Line("# Persistence: AOF for every acknowledged write, RDB snapshots for the 15-minute off-site backups");
        b.Line($"dir {o.Dir}");
        b.Line("appendonly yes");
        b.Line("appendfilename \"appendonly.aof\"");
        b.Line($"appendfsync {o.AppendFsync}");
        b.Line("no-appendfsync-on-rewrite no");
        b.Line("auto-aof-rewrite-percentage 100");
        b.Line("auto-aof-rewrite-min-size 64mb");
        b.Line("aof-use-rdb-preamble yes");
        b.Line("aof-load-truncated yes");
        b.Line($"save {o.Save}");
        b.Line("dbfilename dump.rdb");
        b.Line("stop-writes-on-bgsave-error yes");
        b.Line("rdbcompression yes");
        b.Line("rdbchecksum yes");
        b.Line();
        b.Line("# Memory: a cache-friendly bound; the container limit leaves room for fork copy-on-write");
        b.Line($"maxmemory {I(o.MaxMemoryMb)}mb");
        b.Line($"maxmemory-policy {o.MaxMemoryPolicy}");
        b.Line();
        b.Line("# Users (ACL). Passwords only as #<sha256>. Unauthenticated clients are the default user: PING only.");
        b.Line("acllog-max-len 128");
        if (o.AclFile is { } aclFile) b.Line($"aclfile {aclFile}");
        else Users(b, o, list);
        return b.Build();
    }

    /// <summary>
    /// The ACL file for <see cref="RedisOptions.AclFile"/>: the same users, reloadable with <c>ACL LOAD</c>
    /// (run as <see cref="AdminUser"/>) without restarting Redis or dropping other clients.
    /// </summary>
    public static SecretText Acl(RedisOptions o, IEnumerable<RedisAppUser> users)
    {
        var list = ValidUsers(o, users);
        var b = new SecretTextBuilder();
        Users(b, o, list);
        return b.Build();
    }

    private static void Users(SecretTextBuilder b, RedisOptions o, IReadOnlyList<RedisAppUser> list)
    {
        b.Line("user default on nopass resetkeys resetchannels -@all +ping");
        if (o.AdminPasswordSecret is { } admin)
            b.Text($"user {AdminUser} on #").Derived(admin, SecretDerivation.Sha256Hex, AdminUser).Line(" ~* &* +@all");
        foreach (var u in list)
            b.Text($"user {u.User} on #").Derived(u.PasswordSecret, SecretDerivation.Sha256Hex, u.User)
                .Line($" resetkeys ~{u.KeyPrefix}* resetchannels &{u.KeyPrefix}* {AppCommandRules}");
    }

    private static List<RedisAppUser> ValidUsers(RedisOptions o, IEnumerable<RedisAppUser> users)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(users);
        var list = users.OrderBy(u => u.User, StringComparer.Ordinal).ToList();
        foreach (var u in list)
        {
            if (!IsValidUser(u.User)) throw new ArgumentException($"'{u.User}' is not a valid Redis user name (a-z, 0-9, _ and -, starting with a letter; not 'default' or '{AdminUser}').", nameof(users));
            if (!PrefixRegex().IsMatch(u.KeyPrefix)) throw new ArgumentException($"Key prefix '{u.KeyPrefix}' of '{u.User}' may hold only letters, digits, '_', '.', ':' and '-' (no glob characters).", nameof(users));
            if (string.IsNullOrWhiteSpace(u.PasswordSecret)) throw new ArgumentException($"Redis user '{u.User}' needs a password secret.", nameof(users));
        }
        foreach (var dup in list.GroupBy(u => u.User, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new ArgumentException($"Redis user '{dup.Key}' is listed more than once.", nameof(users));
        for (var i = 0; i < list.Count; i++)
            for (var j = 0; j < list.Count; j++)
                if (i != j && list[j].KeyPrefix.StartsWith(list[i].KeyPrefix, StringComparison.Ordinal))
                    throw new ArgumentException($"Key prefix '{list[j].KeyPrefix}' of '{list[j].User}' lies inside '{list[i].KeyPrefix}' of '{list[i].User}': the apps would not be isolated.", nameof(users));
        return list;
    }

    /// <summary>The health check as a plain command: answers PONG without a password.</summary>
    public static ImmutableArray<string> HealthCommand(RedisOptions o) => ["redis-cli", "-p", I(o.Port), "ping"];

    /// <summary>
    /// The Docker health check (<c>["CMD-SHELL", …]</c>). redis-cli exits 0 even on an error reply
    /// (e.g. <c>LOADING</c> while the AOF is replayed), so the reply itself must be PONG.
    /// </summary>
    public static ImmutableArray<string> HealthCheckTest(RedisOptions o) => ["CMD-SHELL", $"redis-cli -p {I(o.Port)} ping | grep -q PONG"];

    private static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
}
