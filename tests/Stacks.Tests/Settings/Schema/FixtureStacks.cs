using System.Text.RegularExpressions;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings.Schema;

/// <summary>
/// The stack files the tests are written with, read out of the tests' sources: every raw string literal that is a
/// whole stack (<c>config:</c> …), a list of apps (<c>- name:</c> …, put into <see cref="TestStacks.Yaml"/>) or extra
/// settings (<c>platform:</c> …, likewise), plus the generator's stacks. Interpolated literals with holes are left out:
/// their text is only known when the test runs.
/// </summary>
public static partial class FixtureStacks
{
    public sealed record Fixture(string Source, string Text);

    private static readonly Lazy<IReadOnlyList<Fixture>> All = new(Collect);

    /// <summary>Every fixture stack, whether the reader accepts it or not.</summary>
    public static IReadOnlyList<Fixture> Candidates => All.Value;

    [GeneratedRegex("(?<dollars>\\$*)\"\"\"[ \\t]*\\n(?<body>.*?)\\n(?<indent>[ \\t]*)\"\"\"", RegexOptions.Singleline)]
    private static partial Regex RawLiteral();

    /// <summary>A one-line C# string literal (not verbatim, not interpolated).</summary>
    [GeneratedRegex("(?<![$@\\w])\"(?<body>(?:[^\"\\\\\\n]|\\\\.)*)\"")]
    private static partial Regex LineLiteral();

    private static string Unescape(string body) => Regex.Unescape(body);

    private static void Add(List<Fixture> fixtures, string where, string text)
    {
        if (text.StartsWith("config:", StringComparison.Ordinal)) fixtures.Add(new(where, text + "\n"));
        else if (text.StartsWith("- name:", StringComparison.Ordinal)) fixtures.Add(new(where + " (apps)", TestStacks.Yaml(apps: text)));
        else if (text.StartsWith("platform:", StringComparison.Ordinal)) fixtures.Add(new(where + " (extra)", TestStacks.Yaml(extra: text)));
    }

    private static List<Fixture> Collect()
    {
        var fixtures = new List<Fixture>
        {
            new("TestStacks.Yaml()", TestStacks.Yaml()),
            new("StackGenerator.Yaml(3)", StackGenerator.Yaml(3)),
            new("StackGenerator.Yaml(12)", StackGenerator.Yaml(12)),
        };
        var testsDir = Path.Combine(TestStacks.RepoRoot, "tests", "Stacks.Tests");
        foreach (var file in Directory.EnumerateFiles(testsDir, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            var source = File.ReadAllText(file);
            foreach (Match m in RawLiteral().Matches(source))
            {
                var dollars = m.Groups["dollars"].Value.Length;
                var body = m.Groups["body"].Value;
                if (dollars > 0 && body.Contains(new string('{', dollars), StringComparison.Ordinal)) continue;
                var indent = m.Groups["indent"].Value.Length;
                var text = string.Join("\n", body.Split('\n').Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Replace("\r", "", StringComparison.Ordinal);
                var line = source[..m.Index].Count(c => c == '\n') + 1;
                var where = $"{Path.GetRelativePath(TestStacks.RepoRoot, file).Replace('\\', '/')}:{line}";
                Add(fixtures, where, text);
            }
            foreach (Match m in LineLiteral().Matches(source))
            {
                var body = m.Groups["body"].Value;
                if (!body.StartsWith("platform:", StringComparison.Ordinal) && !body.StartsWith("- name:", StringComparison.Ordinal)) continue;
                string text;
                try { text = Unescape(body); }
                catch (ArgumentException) { continue; }
                Add(fixtures, $"{Path.GetRelativePath(TestStacks.RepoRoot, file).Replace('\\', '/')}:{source[..m.Index].Count(c => c == '\n') + 1}", text);
            }
        }
        return fixtures;
    }
}
