using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;

namespace Platform.Stacks.Data;

/// <summary>Input of <see cref="RedisConfig.Conf"/>: one Redis instance. Defaults are the platform plan's.</summary>
public sealed record RedisOptions
{
    /// <summary>Every interface of the container (IPv6 optional); the container publishes no host port on a single server.</summary>
    public string Bind { get; init; } = "* -::*";
    public int Port { get; init; } = 6379;
    /// <summary>Where the RDB snapshot and the AOF directory go (the volume).</summary>
    public string Dir { get; init; } = "/data";
    /// <summary>maxmemory. Default: <see cref="Parts.Redis.RedisSettings.MaxMemoryMb"/>'s (64 MB, a small cache); the container limit is twice it (copy-on-write of snapshots).</summary>
    public int MaxMemoryMb { get; init; } = Parts.Redis.RedisSettings.Defaults.MaxMemoryMb;
    /// <summary>maxmemory-policy, one of <see cref="Parts.Redis.RedisSettings.EvictionPolicies"/>. Default: <see cref="Parts.Redis.RedisSettings.EvictionPolicy"/>'s.</summary>
    public string MaxMemoryPolicy { get; init; } = Parts.Redis.RedisSettings.Defaults.EvictionPolicy;
    /// <summary><c>everysec</c> (default): an OS crash loses at most ~1 s of writes; <c>always</c>: none, at a write-latency cost.</summary>
    public string AppendFsync { get; init; } = "everysec";
    /// <summary>RDB snapshot rules (seconds, changes): at least one snapshot per 15 minutes with any write, more under load.</summary>
    public string Save { get; init; } = "900 1 300 100 60 10000";
    /// <summary>The operators' user: every key and command (backups, ACL LOAD, the health check). Null: no such user.</summary>
    public string? AdminPasswordSecret { get; init; }
    /// <summary>
    /// Path of an ACL file (see <see cref="RedisConfig.Acl"/>) that holds the users, so they can be changed
    /// with <c>ACL LOAD</c> while Redis runs. Null: the users are written into redis.conf itself.
    /// </summary>
    public string? AclFile { get; init; }
    /// <summary>
    /// The metrics exporter's user <see cref="RedisConfig.MonitorUser"/> (<see cref="RedisConfig.MonitorCommandRules"/>: INFO,
    /// PING and the slow log and latency reads; no key, no channel, no CONFIG); null: no such user. Default: none.
    /// </summary>
    public string? MonitorPasswordSecret { get; init; }
}

/// <summary>An app that uses an instance, with its own password (one of the <c>default</c> user's passwords).</summary>
public sealed record RedisMember(string App, string PasswordSecret);

/// <summary>
/// redis.conf and the ACL of one instance. An instance belongs to one app and the apps that share it
/// (<c>needs.redisOf</c>), so its whole keyspace is theirs: the <c>default</c> user — what a client configured
/// with a password only authenticates as — takes every member's password (each stored only as
/// <c>#&lt;sha256&gt;</c>) and may use any key and channel, so RQ's <c>rq:queue:default</c>, BullMQ's
/// <c>bull:…</c> and socket.io's <c>socket.io#/#</c> work unmodified. It may not run administration commands
/// (CONFIG SET, SHUTDOWN, DEBUG, MONITOR, SAVE, REPLICAOF, ACL SETUSER…), which could break the instance's
/// persistence or its limits, but may read its settings (CONFIG GET, which BullMQ uses) and list its clients.
/// Unauthenticated clients may do nothing; the health check's user may PING only. Another group's password is not in the file: isolation is one
/// instance per group, not key prefixes.
/// </summary>
public static partial class RedisConfig
{
    /// <summary>The operators' user (underscore: no app name can collide with it).</summary>
    public const string AdminUser = "platform_admin";

    /// <summary>
    /// The health check's user: PING only, and no password (any password is accepted), so the container's health check
    /// holds no secret and nothing else can be done as it. Unauthenticated clients are <c>default</c>, not this user.
    /// </summary>
    public const string HealthUser = "platform_health";

    /// <summary>The metrics exporter's user (underscore: no app name can collide with it).</summary>
    public const string MonitorUser = "platform_monitor";

    /// <summary>
    /// What redis_exporter runs on a scrape (v1.66.0, <c>exporter/exporter.go</c> scrapeRedisHost: CLIENT SETNAME, INFO ALL,
    /// LATENCY LATEST and HISTOGRAM, SLOWLOG LEN and GET; PING with ping-on-connect) and nothing more. Not CONFIG GET: it
    /// returns every setting, and the exporter is told to skip it (<c>REDIS_EXPORTER_CONFIG_COMMAND=-</c>). No key and no
    /// channel may be touched.
    /// </summary>
    public const string MonitorCommandRules = "-@all +ping +info +client|setname +slowlog|len +slowlog|get +latency|latest +latency|histogram";

    /// <summary>What an app may run: everything but @admin, except reading settings and listing clients.</summary>
    public const string AppCommandRules = "+@all -@admin +config|get +client|list";

    /// <summary>
    /// redis.conf; the ACL users are in it, or, with <see cref="RedisOptions.AclFile"/>, in that file
    /// (<see cref="Acl"/>). Secrets appear only as derived SHA-256 parts.
    /// </summary>
    public static SecretText Conf(RedisOptions o, IEnumerable<RedisMember> members)
    {
        var list = ValidMembers(o, members);
        if (o.Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(o), $"Port {o.Port} is not a TCP port.");
        if (o.MaxMemoryMb <= 0) throw new ArgumentOutOfRangeException(nameof(o), "maxmemory must be positive.");
        if (!Parts.Redis.RedisSettings.EvictionPolicies.Contains(o.MaxMemoryPolicy, StringComparer.Ordinal)) throw new ArgumentException($"'{o.MaxMemoryPolicy}' is not a Redis eviction policy.", nameof(o));
        if (o.AppendFsync is not ("always" or "everysec" or "no")) throw new ArgumentException($"'{o.AppendFsync}' is not an appendfsync value.", nameof(o));
        foreach (var (value, name) in new[] { (o.Bind, nameof(o.Bind)), (o.Dir, nameof(o.Dir)), (o.Save, nameof(o.Save)), (o.AclFile ?? "-", nameof(o.AclFile)) })
            if (string.IsNullOrWhiteSpace(value) || value.Any(c => char.IsControl(c) || c is '"' or '\''))
                throw new ArgumentException($"{name} '{value}' is not a safe redis.conf value.", nameof(o));

        var b = new SecretTextBuilder();
        b.Line("# redis.conf — rendered by Platform.Stacks.Data.RedisConfig; do not edit by hand.");
        b.Line("# One instance per app (and the apps that share it): its keyspace is theirs alone.");
        b.Line();
        b.Line("# Network: a container on private Docker networks. Every client authenticates (the default user has passwords).");
        b.Line($"bind {o.Bind}");
        b.Line("protected-mode yes");
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
        b.Line("# Memory: this instance's own bound, so one app's data never evicts another's; the container limit is twice it");
        b.Line($"maxmemory {I(o.MaxMemoryMb)}mb");
        b.Line($"maxmemory-policy {o.MaxMemoryPolicy}");
        b.Line();
        b.Line("# Users (ACL). Passwords only as #<sha256>. Pub/sub channels are allowed explicitly (7.0 resets them by default).");
        b.Line("acllog-max-len 128");
        b.Line("acl-pubsub-default resetchannels");
        if (o.AclFile is { } aclFile) b.Line($"aclfile {aclFile}");
        else Users(b, o, list);
        return b.Build();
    }

    /// <summary>
    /// The ACL file for <see cref="RedisOptions.AclFile"/>: the same users, reloadable with <c>ACL LOAD</c>
    /// (run as <see cref="AdminUser"/>) without restarting Redis or dropping connected clients.
    /// </summary>
    public static SecretText Acl(RedisOptions o, IEnumerable<RedisMember> members)
    {
        var list = ValidMembers(o, members);
        var b = new SecretTextBuilder();
        Users(b, o, list);
        return b.Build();
    }

    private static void Users(SecretTextBuilder b, RedisOptions o, IReadOnlyList<RedisMember> list)
    {
        // Every member's password is one of the default user's: password-only clients (AUTH <password>, redis://:pw@host)
        // and clients that name the user "default" both work, and each member's password rotates on its own.
        b.Text("user default on resetpass");
        foreach (var m in list) b.Text(" #").Derived(m.PasswordSecret, SecretDerivation.Sha256Hex, m.App);
        b.Line($" resetkeys ~* resetchannels &* {AppCommandRules}");
        if (o.AdminPasswordSecret is { } admin)
            b.Text($"user {AdminUser} on resetpass #").Derived(admin, SecretDerivation.Sha256Hex, AdminUser).Line(" resetkeys ~* resetchannels &* +@all");
        if (o.MonitorPasswordSecret is { } monitor)
            b.Text($"user {MonitorUser} on resetpass #").Derived(monitor, SecretDerivation.Sha256Hex, MonitorUser).Line($" resetkeys resetchannels {MonitorCommandRules}");
        b.Line($"user {HealthUser} on nopass resetkeys resetchannels -@all +ping");
    }

    private static List<RedisMember> ValidMembers(RedisOptions o, IEnumerable<RedisMember> members)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(members);
        var list = members.OrderBy(u => u.App, StringComparer.Ordinal).ToList();
        if (list.Count == 0) throw new ArgumentException("A Redis instance needs at least one app.", nameof(members));
        foreach (var m in list.Where(m => string.IsNullOrWhiteSpace(m.PasswordSecret)))
            throw new ArgumentException($"The app '{m.App}' needs a password secret.", nameof(members));
        foreach (var dup in list.GroupBy(u => u.App, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new ArgumentException($"The app '{dup.Key}' is listed more than once.", nameof(members));
        return list;
    }

    /// <summary>The health check as a plain command, as <see cref="HealthUser"/> (no secret): answers PONG.</summary>
    public static ImmutableArray<string> HealthCommand(RedisOptions o) => ["redis-cli", "--no-auth-warning", "--user", HealthUser, "--pass", "-", "-p", I(o.Port), "ping"];

    /// <summary>
    /// The Docker health check (<c>["CMD-SHELL", …]</c>), as <see cref="HealthUser"/>: no secret in the container's config.
    /// redis-cli exits 0 even on an error reply (e.g. <c>LOADING</c> while the AOF is replayed, or <c>NOAUTH</c>), so the
    /// reply itself must be PONG.
    /// </summary>
    public static ImmutableArray<string> HealthCheckTest(RedisOptions o) => ["CMD-SHELL", $"redis-cli --no-auth-warning --user {HealthUser} --pass - -p {I(o.Port)} ping | grep -q PONG"];

    /// <summary>The env var redis-cli reads its password from (never on a command line).</summary>
    public const string AuthEnv = "REDISCLI_AUTH";

    private static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
}
