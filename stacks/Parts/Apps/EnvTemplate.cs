using System.Collections.Immutable;
using System.Text;

namespace Platform.Stacks.Settings;

/// <summary>A piece of an app's env value: literal text, or a reference to something the platform provides.</summary>
public abstract record EnvSegment;

/// <summary>Literal text.</summary>
public sealed record EnvText(string Text) : EnvSegment;

/// <summary>A <c>${path}</c> reference, e.g. <c>database.password</c>.</summary>
public sealed record EnvReference(string Path) : EnvSegment;

/// <summary>
/// The syntax of an app's <c>env</c> values: text with <c>${…}</c> references to what the platform provides
/// (<c>${database.host}</c>, <c>${secret.STRIPE_KEY}</c>), so an app gets its own variable names and formats
/// (<c>ConnectionStrings__DefaultConnection: "Host=${database.host};Password=${database.password}"</c>).
/// <c>$${</c> is a literal <c>${</c>; a <c>$</c> not followed by <c>{</c> is plain text.
/// </summary>
public static class EnvTemplate
{
    /// <summary>The value's segments, or the problem with its syntax (one sentence).</summary>
    public static (ImmutableArray<EnvSegment> Segments, string? Problem) Parse(string value)
    {
        var segments = ImmutableArray.CreateBuilder<EnvSegment>();
        var text = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            if (value.AsSpan(i).StartsWith("$${", StringComparison.Ordinal))
            {
                text.Append("${");
                i += 3;
                continue;
            }
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '{')
            {
                var end = value.IndexOf('}', i + 2);
                if (end < 0) return ([], $"has '${{' without a closing '}}' at position {i + 1}.");
                var path = value[(i + 2)..end];
                if (path.Length == 0 || !path.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                    return ([], $"has the reference '${{{path}}}', which is not a dotted name such as ${{database.url}}.");
                if (text.Length > 0) segments.Add(new EnvText(text.ToString()));
                text.Clear();
                segments.Add(new EnvReference(path));
                i = end + 1;
                continue;
            }
            text.Append(value[i]);
            i++;
        }
        if (text.Length > 0) segments.Add(new EnvText(text.ToString()));
        return (segments.ToImmutable(), null);
    }

    /// <summary>The references in a value (none when its syntax is broken).</summary>
    public static IEnumerable<string> References(string value) =>
        Parse(value).Segments.OfType<EnvReference>().Select(r => r.Path);

    public static bool HasReference(string value) => References(value).Any();

    /// <summary>The app secret a reference names (<c>secret.NAME</c>), or null.</summary>
    public static string? SecretName(string path) =>
        path.StartsWith("secret.", StringComparison.Ordinal) ? path["secret.".Length..] : null;
}
