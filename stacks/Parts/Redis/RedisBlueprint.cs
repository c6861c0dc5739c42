using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Redis;

/// <summary>
/// The Redis part: one instance per app that asks for its own (<c>needs.redis</c>), shared with the apps that name it
/// (<c>needs.redisOf</c>); each with its AOF volume, its memory bound, its ACL file and the in-place reload of it.
/// </summary>
public static class RedisBlueprint
{
    public const string ConfPath = "/usr/local/etc/redis/redis.conf";

    /// <summary>Where the instances' ACL files live on the server, one directory per instance (<see cref="RedisNames.HostDirectory"/>).</summary>
    public const string HostDirectory = "/srv/platform/redis";

    /// <summary>The uid and gid Redis runs as in the official image (user <c>redis</c>).</summary>
    public const int Uid = 999;
    public const int Gid = 1000;

    /// <summary>The rendered settings of one instance; with <paramref name="monitored"/> (the observability part on), its exporter's user.</summary>
    public static RedisOptions Options(RedisInstance i, bool monitored = false) => new()
    {
        MonitorPasswordSecret = monitored ? SecretNames.RedisMonitor : null,
        Port = i.Port,
        MaxMemoryMb = i.MaxMemoryMb,
        MaxMemoryPolicy = i.EvictionPolicy,
        AdminPasswordSecret = SecretNames.RedisAdmin,
        AclFile = $"{RedisNames.AclDirectory}/users.acl",
    };

    /// <summary>The apps of one instance with their passwords (each app keeps its own secret).</summary>
    public static IEnumerable<RedisMember> Members(RedisInstance i) => i.Members.Select(m => new RedisMember(m, SecretNames.Redis(m)));

    /// <summary>The operators' secret (every instance has the user, even with no instance yet) and each app's password.</summary>
    internal static IEnumerable<SecretSpec> Secrets(StackSettings s) =>
    [
        Generated(SecretNames.RedisAdmin, $"Redis operators' user {RedisConfig.AdminUser} in every instance (health check, backups, ACL LOAD)"),
        .. s.Apps.Where(a => a.Redis).Select(app =>
            Generated(SecretNames.Redis(app.Name), $"{app.Name}'s password to {(s.RedisOwner(app) is { } owner && owner != app ? owner.Name + "'s" : "its own")} Redis instance")),
    ];

    /// <summary>Each instance's AOF and RDB volume.</summary>
    internal static IEnumerable<VolumeSpec> Volumes(StackSettings s) => Volumes(RedisNames.Of(s), s.IsProd);

    /// <summary>Each instance's AOF and RDB volume, protected where <paramref name="protect"/>.</summary>
    internal static IEnumerable<VolumeSpec> Volumes(IEnumerable<RedisInstance> instances, bool protect) =>
        instances.Select(i => new VolumeSpec(i.Volume, i.Container, $"AOF and RDB files of {i.Owner}'s Redis", protect) { Part = PartId.Redis, Durable = true });

    /// <summary>Every instance's container, with the dump mounts the backup runner's hooks ask for.</summary>
    internal static IEnumerable<ServiceSpec> Services(StackSettings s, OperationsParts ops) =>
        Services(RedisNames.Of(s), s.Redis, ServiceNames.DataNetwork, s.Observability.Enabled, ops.HooksFor);

    /// <summary>
    /// Each instance's container on <paramref name="network"/>, with the image and CPU limit of <paramref name="settings"/>, the
    /// exporter's user where <paramref name="monitored"/>, and the dump mounts <paramref name="hooksFor"/> gives a container.
    /// </summary>
    internal static IEnumerable<ServiceSpec> Services(IEnumerable<RedisInstance> instances, RedisSettings settings, string network, bool monitored,
        Func<string, Operations.DumpHooks?> hooksFor)
    {
        foreach (var instance in instances)
        {
            var hooks = hooksFor(instance.Container);
            var options = Options(instance, monitored);
            yield return Singleton(PartId.Redis, instance.Container, ServiceKind.Data, settings.Service with { MemoryMb = instance.ContainerMemoryMb },
                [On(network, instance.Container)], RedisConfig.HealthCheckTest(options)) with
            {
                Command = ["redis-server", ConfPath],
                InternalPorts = [instance.Port],
                Mounts =
                [
                    new MountSpec(MountKind.Volume, instance.Volume, "/data", ReadOnly: false),
                    // The users come from the host (the instance's ACL command), so a new member never restarts it.
                    new MountSpec(MountKind.Bind, RedisNames.HostDirectory(instance.Owner), RedisNames.AclDirectory, ReadOnly: true),
                    .. HookMounts(hooks),
                ],
                Files = [new FileSpec(ConfPath, RedisConfig.Conf(options, Members(instance)))],
                AfterHostCommands = [RedisNames.AclCommand(instance.Owner)],
            };
        }
    }

    /// <summary>Every instance's ACL command.</summary>
    internal static IEnumerable<HostCommandSpec> HostCommands(StackSettings s) => HostCommands(RedisNames.Of(s), s.Observability.Enabled);

    /// <summary>Every instance's ACL command; with <paramref name="monitored"/>, each file has the exporter's user.</summary>
    internal static IEnumerable<HostCommandSpec> HostCommands(IEnumerable<RedisInstance> instances, bool monitored) => instances.Select(i => AclCommand(i, monitored));

    /// <summary>
    /// Writes the instance's ACL file on the server and, when it runs, applies it with <c>ACL LOAD</c> as the operators'
    /// user (its password goes through stdin, never a command line): a new member, or a rotated password, applies without
    /// restarting Redis or dropping a connected client.
    /// </summary>
    private static HostCommandSpec AclCommand(RedisInstance instance, bool monitored)
    {
        var reload = new SecretTextBuilder()
            .Text("printf '%s' '").Secret(SecretNames.RedisAdmin)
            .Text($"' | docker exec -i {instance.Container} sh -c '{RedisConfig.AuthEnv}=\"$(cat)\" redis-cli --no-auth-warning --user {RedisConfig.AdminUser} -p {RedisNames.PortText(instance)} ACL LOAD' | grep -qx OK")
            .Build();
        var dir = RedisNames.HostDirectory(instance.Owner);
        return HostFilesCommand(RedisNames.AclCommand(instance.Owner),
            $"writes the ACL file of {instance.Owner}'s Redis ({string.Join(", ", instance.Members)}; SHA-256 of each password) on the server and loads it in place",
            dir, Uid, Gid,
            [("users.acl", RedisConfig.Acl(Options(instance, monitored), Members(instance)))],
            instance.Container, reload, PartId.Redis) with
        {
            Delete = $"sudo rm -rf {dir}",
        };
    }
}
