using System.Text.RegularExpressions;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docs;

/// <summary>
/// The README and docs say what the program does: every number they give about a shipped stack's plan is in that plan,
/// and every setting of the schema is in the README's settings table.
/// </summary>
public sealed partial class DocsTruthTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "README.md"));

    public static TheoryData<string> Documents => new(new[] { "README.md" }
        .Concat(Directory.GetFiles(Path.Combine(TestStacks.RepoRoot, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)))
        .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_number_a_document_gives_for_a_stacks_plan_is_in_that_plan(string document)
    {
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, document));
        var plans = new Dictionary<string, string>(StringComparer.Ordinal);
        var checkedNumbers = 0;
        // "plan --stack small     # memory budget: 3416 MB of 4096 MB, 680 MB free": the comment describes that plan.
        foreach (Match m in PlanComment().Matches(text))
        {
            var stack = m.Groups["stack"].Value;
            var plan = plans.TryGetValue(stack, out var p) ? p : plans[stack] = PlanText.Render(TestStacks.ShippedBlueprint(stack));
            foreach (Match n in Figure().Matches(m.Groups["comment"].Value))
            {
                Assert.True(Regex.IsMatch(plan, $@"(?<![\d.]){Regex.Escape(n.Value)}(?![\d])"),
                    $"{document}: the comment '{m.Groups["comment"].Value.Trim()}' gives {n.Value}, which `plan --stack {stack}` does not print. Update the document from the plan.");
                checkedNumbers++;
            }
        }
        if (document == "README.md") Assert.True(checkedNumbers >= 8, $"only {checkedNumbers} figures found in README's plan comments");
    }

    [Fact]
    public void The_topology_docs_budget_table_is_the_scale_plans()
    {
        AssertBudgetTable("## Memory budget and cost per server", TestStacks.ShippedBlueprint("scale"), 3);
    }

    [Fact]
    public void The_topology_docs_cache_and_file_server_table_is_their_plans()
    {
        var b = Platform.Stacks.Blueprint.BlueprintBuilder.Build(TestStacks.Read(Parts.Server.RoleStacks.ScaleWithRoles, "scale"));
        AssertBudgetTable("## Cache and file servers", b, 3);
        var doc = Section("## Cache and file servers");
        Assert.Contains($"{b.Cost.MonthlyEur.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} EUR/month in all", doc, StringComparison.Ordinal);
        // The example's lines are the ones the tests add (RoleStacks.Roles), in flow style.
        Assert.Contains("cache: { type: cx22 }", doc, StringComparison.Ordinal);
        Assert.Contains("files: { type: cx22, volumeGb: 200 }", doc, StringComparison.Ordinal);
    }

    private static string Section(string heading)
    {
        var doc = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "docs", "topology.md"));
        var start = doc.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/topology.md has a section {heading}");
        var end = doc.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? doc[start..] : doc[start..end];
    }

    private static void AssertBudgetTable(string heading, Platform.Stacks.Blueprint.PlatformBlueprint b, int minRows)
    {
        var rows = Regex.Matches(Section(heading), @"^\| `(?<server>[a-z0-9-]+)`[^|]*\| (?<type>\w+) \| (?<used>\d+) MB of (?<ram>\d+) MB", RegexOptions.Multiline);
        Assert.True(rows.Count >= minRows, $"docs/topology.md gives the budget per server under {heading}");
        foreach (Match row in rows)
        {
            var budget = Assert.Single(b.Budgets, x => x.Server.ToString() == row.Groups["server"].Value);
            Assert.Equal((budget.ServerType, budget.TotalMb, budget.ServerMemoryMb),
                (row.Groups["type"].Value, int.Parse(row.Groups["used"].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(row.Groups["ram"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void The_readmes_fixed_overhead_is_the_plans()
    {
        var m = Regex.Match(Readme, @"reserve (\d+) MB together");
        Assert.True(m.Success, "README's 'Sizing a small server' gives the platform's own reservation");
        Assert.Equal(TestStacks.ShippedBlueprint("small").Budget.PlatformFixedMb.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups[1].Value);
    }

    [Fact]
    public void Every_setting_is_in_the_readmes_settings_table()
    {
        var start = Readme.IndexOf("## How settings map to resources", StringComparison.Ordinal);
        var table = Readme[start..Readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal)];
        var names = BacktickedName().Matches(table).Select(m => m.Groups[1].Value).ToList();
        bool Covered(string setting) => names.Any(n => n == setting
            || (n.EndsWith('*') && setting.StartsWith(n[..^1], StringComparison.Ordinal))
            || (n.StartsWith('*') && setting.EndsWith(n[1..], StringComparison.Ordinal)));
        var missing = SettingsSchema.All.Select(d => d.Name).Where(n => !Covered(n)).ToList();
        Assert.True(missing.Count == 0, $"README.md's settings table lacks: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_readmes_diff_sizes_are_the_fixtures()
    {
        foreach (Match m in Regex.Matches(Readme, @"is the (\d+)-line diff in\s+`tests/Stacks.Tests/Fixtures/([a-z-]+\.diff)`"))
        {
            var lines = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "tests", "Stacks.Tests", "Fixtures", m.Groups[2].Value)).TrimEnd('\n').Split('\n').Length;
            Assert.Equal(m.Groups[1].Value, lines.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Matches(@"is the \d+-line diff in", Readme);
    }

    [Fact]
    public void The_readme_lists_the_packages_ci_installs()
    {
        static SortedSet<string> Packages(string text, string marker)
        {
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            Assert.True(at >= 0, marker);
            var end = text.IndexOf('\n', at);
            while (text[end - 1] == '\\') end = text.IndexOf('\n', end + 1);
            return new SortedSet<string>(text[at..end].Replace("\\\n", " ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(w => !w.StartsWith('-') && w is not ("apt-get" or "install" or ">/dev/null")), StringComparer.Ordinal);
        }
        var ci = Packages(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, ".ci", "run")), "apt-get install -y -qq");
        var readme = Packages(Readme, "apt-get install -y --no-install-recommends");
        Assert.Contains("docker.io", ci);
        Assert.True(ci.Count >= 10, string.Join(" ", ci));
        Assert.Equal(ci, readme);
    }

    [GeneratedRegex(@"plan --stack (?<stack>[a-z]+)[^\n#]*#(?<comment>[^\n]*)")]
    private static partial Regex PlanComment();

    /// <summary>A figure: a number of two digits or more, or with decimals (an app index like app-1 is not one).</summary>
    [GeneratedRegex(@"(?<![\w.-])\d{2,}(?:\.\d+)?(?![\w])|(?<![\w.-])\d+\.\d+(?![\w])")]
    private static partial Regex Figure();

    [GeneratedRegex(@"`([A-Za-z*][A-Za-z0-9*.]*)(?=[`: (])")]
    private static partial Regex BacktickedName();
}
