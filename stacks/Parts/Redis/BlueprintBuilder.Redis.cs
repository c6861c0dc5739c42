using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>The Redis part: the server, its AOF volume, its ACL users (one per app) and their in-place reload.</summary>
public static partial class BlueprintBuilder
{
    public const string RedisConfPath = "/usr/local/etc/redis/redis.conf";

    /// <summary>Where Redis's ACL file lives on the server; bind-mounted read-only at <see cref="RedisAclDirectory"/>.</summary>
    public const string RedisHostDirectory = "/srv/platform/redis";
    public const string RedisAclDirectory = "/etc/redis-acl";

    /// <summary>The uid and gid Redis runs as in the official image (user <c>redis</c>).</summary>
    public const int RedisUid = 999;
    public const int RedisGid = 1000;

    public static RedisOptions RedisOptions(StackSettings s) => new()
    {
        Port = AppEnvironment.RedisPort,
        MaxMemoryMb = s.Redis.MaxMemoryMb,
        MaxMemoryPolicy = s.Redis.EvictionPolicy,
        AdminPasswordSecret = SecretNames.RedisAdmin,
        AclFile = $"{RedisAclDirectory}/users.acl",
    };

    public static IEnumerable<RedisAppUser> RedisUsers(StackSettings s) =>
        s.Apps.Where(a => a.Redis).OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => new RedisAppUser(a.Name, SecretNames.Redis(a.Name)));

    private static IEnumerable<ServiceSpec> RedisServices(StackSettings s, OperationsParts ops)
    {
        var redisHooks = ops.HooksFor(ServiceNames.Redis);
        var redis = RedisOptions(s);
        yield return Singleton(PartId.Redis, ServiceNames.Redis, ServiceKind.Data, s.Redis.Service,
            [On(ServiceNames.DataNetwork, ServiceNames.Redis)], RedisConfig.HealthCheckTest(redis)) with
        {
            Command = ["redis-server", RedisConfPath],
            InternalPorts = [AppEnvironment.RedisPort],
            Mounts =
            [
                new MountSpec(MountKind.Volume, "redis-data", "/data", ReadOnly: false),
                // Users come from the host (the redis-acl host command) so a new app never restarts Redis.
                new MountSpec(MountKind.Bind, RedisHostDirectory, RedisAclDirectory, ReadOnly: true),
                .. HookMounts(redisHooks),
            ],
            Files = [new FileSpec(RedisConfPath, RedisConfig.Conf(redis, RedisUsers(s)))],
            AfterHostCommands = [HostCommandNames.RedisAcl],
        };
    }

    private static IEnumerable<HostCommandSpec> RedisHostCommands(StackSettings s)
    {
        yield return RedisAclCommand(s);
    }

    /// <summary>
    /// Writes Redis's ACL file on the server and, when Redis runs, applies it with <c>ACL LOAD</c> as the
    /// operators' user (its password goes through stdin, never a command line): a new app's user, or a
    /// rotated password, applies without restarting Redis.
    /// </summary>
    private static HostCommandSpec RedisAclCommand(StackSettings s)
    {
        var reload = new SecretTextBuilder()
            .Text("printf '%s' '").Secret(SecretNames.RedisAdmin)
            .Text($"' | docker exec -i {ServiceNames.Redis} sh -c 'REDISCLI_AUTH=\"$(cat)\" redis-cli --no-auth-warning --user {RedisConfig.AdminUser} ACL LOAD' | grep -qx OK")
            .Build();
        return HostFilesCommand(HostCommandNames.RedisAcl,
            "writes Redis's ACL file (one user per app, SHA-256 of each password) on the server and loads it in place",
            RedisHostDirectory, RedisUid, RedisGid,
            [("users.acl", RedisConfig.Acl(RedisOptions(s), RedisUsers(s)))],
            ServiceNames.Redis, reload, PartId.Redis);
    }
}
