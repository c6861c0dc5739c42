namespace Platform.Stacks.Settings;

/// <summary>One thing wrong with a stack's settings: the config key, what is wrong, and how to fix it.</summary>
public sealed record SettingsError(string Key, string Problem, string Fix)
{
    public override string ToString() => $"{Key}: {Problem} Fix: {Fix}";
}

/// <summary>Thrown when a stack's settings have errors; carries all of them, so one run reports every mistake.</summary>
public sealed class InvalidStackException(string stack, IReadOnlyList<SettingsError> errors)
    : Exception($"Stack '{stack}' has {errors.Count} configuration error(s); nothing was planned or created:\n"
                + string.Join("\n", errors.Select(e => "  - " + e)))
{
    public string Stack { get; } = stack;

    public IReadOnlyList<SettingsError> Errors { get; } = errors;
}
