using System.Globalization;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Redis;

/// <summary>Every problem with Redis settings, each naming its config key and the fix; all at once.</summary>
public static class RedisValidation
{
    /// <summary>Where the settings come from in the stack file: <c>platform:redis&lt;Member&gt;</c> (e.g. <c>platform:redisImage</c>).</summary>
    public const string DefaultSettingsKey = "platform:redis";

    /// <summary>Every error of <paramref name="settings"/>, keyed <c>&lt;settingsKey&gt;Image</c>, <c>…MaxMemoryMb</c>, <c>…EvictionPolicy</c>.</summary>
    public static IReadOnlyList<SettingsError> Errors(RedisSettings settings, string settingsKey = DefaultSettingsKey)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<SettingsError>();
        if (ImageError(settings.Image, settingsKey + "Image") is { } image) errors.Add(image);
        if (settings.MaxMemoryMb is < RedisSettings.MinMaxMemoryMb or > RedisSettings.MaxMaxMemoryMb)
            errors.Add(new(settingsKey + "MaxMemoryMb", $"is {settings.MaxMemoryMb.ToString(CultureInfo.InvariantCulture)}, out of range.",
                $"Use a value from {RedisSettings.MinMaxMemoryMb} to {RedisSettings.MaxMaxMemoryMb}."));
        if (PolicyError(settings.EvictionPolicy, settingsKey + "EvictionPolicy") is { } policy) errors.Add(policy);
        if (settings.Cpus is <= 0 || !double.IsFinite(settings.Cpus))
            errors.Add(new(settingsKey + "Cpus", $"is {settings.Cpus.ToString(CultureInfo.InvariantCulture)}.", "Give a positive CPU limit, e.g. 1."));
        return errors;
    }

    /// <summary>The image at <paramref name="key"/> unless it is pinned.</summary>
    public static SettingsError? ImageError(string image, string key) =>
        Names.ImageProblem(image) is { } problem
            ? new(key, $"The image {problem}", "Pin a version tag (e.g. :7.4.2-alpine) or a digest; never latest.")
            : null;

    /// <summary>The policy at <paramref name="key"/> unless it is one of <see cref="RedisSettings.EvictionPolicies"/>; <paramref name="hint"/> follows the list in the fix.</summary>
    public static SettingsError? PolicyError(string policy, string key, string? hint = null) =>
        RedisSettings.EvictionPolicies.Contains(policy)
            ? null
            : new(key, $"'{policy}' is not a Redis eviction policy.", $"Use one of: {string.Join(", ", RedisSettings.EvictionPolicies)}{(hint is null ? "" : " " + hint)}.");
}
