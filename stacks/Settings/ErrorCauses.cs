using System.Text.RegularExpressions;

namespace Platform.Stacks.Settings;

/// <summary>
/// One mistake, one error: drops the errors that only follow from another one in the same list, so the user reads the
/// cause once. A misspelt required key (<c>domian</c>) is reported as unknown, with the fix naming the required key, not
/// also as "required but not set"; a secret set in plain text is not also "without a value" where an app uses it.
/// </summary>
public static partial class ErrorCauses
{
    public static List<SettingsError> Collapse(IReadOnlyList<SettingsError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var result = errors.ToList();

        // "platform:domian: is not a known setting. Fix: Did you mean 'domain'?" explains "platform:domain: is required but not set."
        foreach (var unknown in errors.Where(e => e.Problem == "is not a known setting."))
        {
            if (DidYouMean().Match(unknown.Fix) is not { Success: true } m) continue;
            var prefix = unknown.Key[..(unknown.Key.LastIndexOf(':') + 1)];
            var dot = unknown.Key.LastIndexOf('.');
            var meant = dot > unknown.Key.LastIndexOf(':') ? unknown.Key[..(dot + 1)] + m.Groups[1].Value : prefix + m.Groups[1].Value;
            var required = result.FindIndex(e => e.Key == meant && e.Problem.StartsWith("is required", StringComparison.Ordinal));
            if (required < 0) continue;
            var i = result.IndexOf(unknown);
            result[i] = unknown with { Fix = $"Rename it to '{m.Groups[1].Value}': that setting is required and is not set otherwise." };
            result.RemoveAt(required);
        }

        // "appSecrets.web.SESSION_SECRET: is set in plain text" explains "secretEnv[0]: SESSION_SECRET has no value in this stack."
        var plain = errors.Where(e => e.Problem.StartsWith("is set in plain text", StringComparison.Ordinal))
            .Select(e => e.Key[(e.Key.IndexOf(':') + 1)..]).ToHashSet(StringComparer.Ordinal);
        if (plain.Count > 0)
            result.RemoveAll(e => e.Problem.Contains("has no value in this stack", StringComparison.Ordinal)
                && SecretPath().Match(e.Fix) is { Success: true } m && plain.Contains(m.Groups[1].Value));
        return result;
    }

    [GeneratedRegex("Did you mean '([^']+)'\\?")]
    private static partial Regex DidYouMean();

    [GeneratedRegex("--path '([^']+)'")]
    private static partial Regex SecretPath();
}
