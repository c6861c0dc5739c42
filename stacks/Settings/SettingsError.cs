using System.Text;

namespace Platform.Stacks.Settings;

/// <summary>One thing wrong with a stack's settings: the config key, what is wrong, and how to fix it.</summary>
/// <remarks>
/// Messages quote what the user wrote. Control characters (NUL, escape sequences, line breaks) and
/// bidirectional overrides are shown as <c>\uXXXX</c>, so a quoted value can neither garble the terminal
/// nor make a message read differently from what it says; very long text is cut.
/// </remarks>
public sealed record SettingsError(string Key, string Problem, string Fix)
{
    public string Key { get; init; } = Printable(Key, 200);

    public string Problem { get; init; } = Printable(Problem, 2000);

    public string Fix { get; init; } = Printable(Fix, 2000);

    public override string ToString() => $"{Key}: {Problem} Fix: {Fix}";

    /// <summary>Whether <paramref name="c"/> must not be printed as is: a control character or a bidirectional formatting character.</summary>
    public static bool IsUnprintable(char c) =>
        char.IsControl(c) || c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u2028' or '\u2029' or '\uFEFF';

    /// <summary><paramref name="text"/> with unprintable characters as <c>\uXXXX</c>, cut to about <paramref name="max"/> characters.</summary>
    public static string Printable(string? text, int max = 120)
    {
        text ??= "";
        if (!text.Any(IsUnprintable) && text.Length <= max) return text;
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append($"… ({text.Length} characters)");
                break;
            }
            if (IsUnprintable(c)) sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>Thrown when a stack's settings have errors; carries all of them, so one run reports every mistake.</summary>
public sealed class InvalidStackException(string stack, IReadOnlyList<SettingsError> errors)
    : Exception($"Stack '{SettingsError.Printable(stack)}' has {errors.Count} configuration error(s); nothing was planned or created:\n"
                + string.Join("\n", errors.Select(e => "  - " + e)))
{
    public string Stack { get; } = stack;

    public IReadOnlyList<SettingsError> Errors { get; } = errors;
}
