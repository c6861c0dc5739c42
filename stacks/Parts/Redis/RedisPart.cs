using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Redis;

/// <summary>What the Redis part needs from around it; every member has the platform's default.</summary>
public sealed record RedisPartContext
{
    /// <summary>The Docker network the instances join (and the apps must join to reach them). Default: <c>data</c>.</summary>
    public string Network { get; init; } = ServiceNames.DataNetwork;

    /// <summary>Whether the instances' volumes are protected from deletion (a prod stack's are). Default: false.</summary>
    public bool Protect { get; init; }

    /// <summary>Config key prefix of the settings, for error messages. Default: <see cref="RedisValidation.DefaultSettingsKey"/>.</summary>
    public string SettingsKey { get; init; } = RedisValidation.DefaultSettingsKey;
}

/// <summary>Everything the Redis part adds, ready for the Pulumi shell to map.</summary>
/// <param name="Instances">One instance per app, each with the settings' memory bound and eviction policy.</param>
/// <param name="Services">Each instance's container.</param>
/// <param name="Volumes">Each instance's AOF and RDB volume.</param>
/// <param name="HostCommands">Each instance's ACL file, written on the host and loaded in place.</param>
/// <param name="Secrets">The operators' password and each app's (all generated).</param>
/// <param name="Connections">Each app's <c>redis://</c> URL, as its container gets it.</param>
public sealed record RedisPartSpec(
    ImmutableArray<RedisInstance> Instances,
    ImmutableArray<ServiceSpec> Services,
    ImmutableArray<VolumeSpec> Volumes,
    ImmutableArray<HostCommandSpec> HostCommands,
    ImmutableArray<SecretSpec> Secrets,
    ImmutableSortedDictionary<string, SecretText> Connections)
{
    /// <summary>The part as the shell's <c>Redis</c> component maps it.</summary>
    public PartNode AsPart() => new(PartId.Redis, Services, Volumes, HostCommands, []) { Connections = Connections };
}

/// <summary>
/// The Redis part from typed settings, without a stack file: the same containers, ACL files and in-place reloads a stack's
/// Redis gets (<see cref="RedisBlueprint"/>), for apps of the caller's own program. Pure: the same input gives the same spec.
/// </summary>
public static class RedisPart
{
    /// <summary>
    /// One instance for each of <paramref name="apps"/> (what <c>needs.redis: true</c> gives an app on a stack). Throws
    /// <see cref="ArgumentException"/> listing every error of the settings (<see cref="RedisValidation.Errors"/>) and of the apps' names.
    /// </summary>
    public static RedisPartSpec Build(RedisSettings settings, IReadOnlyList<string> apps, RedisPartContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(apps);
        var c = context ?? new RedisPartContext();
        var errors = RedisValidation.Errors(settings, c.SettingsKey).Select(e => e.ToString()).ToList();
        errors.AddRange(apps.Where(a => !Names.IsAppName(a)).Select(a => $"apps: '{a}' is not an app name. Use lowercase letters, digits and hyphens."));
        errors.AddRange(apps.GroupBy(a => a, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"apps: '{g.Key}' is given twice. Give each app once."));
        if (apps.Count == 0) errors.Add("apps: none given. Give the apps that use Redis.");
        if (errors.Count > 0)
            throw new ArgumentException($"Redis has {errors.Count} configuration error(s):\n" + string.Join("\n", errors.Select(e => "  - " + e)), nameof(apps));

        ImmutableArray<RedisInstance> instances = [.. apps.Order(StringComparer.Ordinal)
            .Select(a => new RedisInstance(a, [a], settings.MaxMemoryMb, settings.EvictionPolicy, AppEnvironment.RedisPort))];
        return new RedisPartSpec(
            instances,
            // Hardened as a stack's containers are (capabilities, no-new-privileges; Parts.Hardening).
            [.. RedisBlueprint.Services(instances, settings, c.Network, monitored: false, hooksFor: _ => null).Select(Hardening.ContainerHardening.Apply)],
            [.. RedisBlueprint.Volumes(instances, c.Protect)],
            [.. RedisBlueprint.HostCommands(instances, monitored: false)],
            [Generated(SecretNames.RedisAdmin, $"Redis operators' user {RedisConfig.AdminUser} (health check, ACL LOAD)"),
                .. instances.Select(i => Generated(SecretNames.Redis(i.Owner), $"{i.Owner}'s password to its Redis instance"))],
            instances.ToImmutableSortedDictionary(i => i.Owner, i => AppEnvironment.RedisUrl(i.Owner, i), StringComparer.Ordinal));
    }
}
