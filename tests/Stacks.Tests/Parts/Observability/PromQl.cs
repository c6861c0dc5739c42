using System.Text.RegularExpressions;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary>The metric names a PromQL expression reads (enough of PromQL's grammar for the platform's own queries).</summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
    };

    [GeneratedRegex("\\{[^}]*\\}")] private static partial Regex Matchers();
    [GeneratedRegex("\\[[^\\]]*\\]")] private static partial Regex Ranges();
    [GeneratedRegex("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)")] private static partial Regex Groupings();
    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")] private static partial Regex Identifiers();

    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var s = Groupings().Replace(Ranges().Replace(Matchers().Replace(expr, " "), " "), " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifiers().Matches(s))
        {
            var rest = s[(m.Index + m.Length)..].TrimStart();
            if (rest.StartsWith('(')) continue; // a function or aggregation
            if (Keywords.Contains(m.Value)) continue;
            if (m.Index > 0 && (char.IsDigit(s[m.Index - 1]) || s[m.Index - 1] == '.')) continue; // part of a number such as 1e3
            names.Add(m.Value);
        }
        return names;
    }

    public static IReadOnlySet<string> Documented(string repoRoot) =>
        File.ReadAllLines(Path.Combine(repoRoot, "tests", "Stacks.Tests", "Parts", "Observability", "exporter-metrics.txt"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
}
