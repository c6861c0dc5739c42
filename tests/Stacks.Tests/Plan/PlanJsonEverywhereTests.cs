using System.Text.Json;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>
/// What CI reads honours <c>--format json</c>: the errors that stop a plan, the rules it breaks and the review of a change
/// are JSON on standard output; combinations that have no JSON (a review as a diagram) are refused with a message.
/// </summary>
public sealed class PlanJsonEverywhereTests
{
    private static readonly string Prod = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));

    [Fact]
    public void Settings_errors_are_json_with_key_problem_and_fix()
    {
        var doc = StackFiles.Parse("platform", "prod", Prod.Replace("platform:serverType: ccx23", "platform:serverType: cx99", StringComparison.Ordinal)
            .Replace("platform:serverLocation: fsn1", "platform:serverLocation: mars1", StringComparison.Ordinal));
        var outcome = PlanCommand.Evaluate(doc, "json");
        Assert.Equal(PlanCommand.ExitInvalidStack, outcome.ExitCode);
        using var json = JsonDocument.Parse(outcome.Stdout);
        var keys = json.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToList();
        Assert.Contains("platform:serverType", keys);
        Assert.Contains("platform:serverLocation", keys);
        Assert.All(json.RootElement.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("fix").GetString())));
        Assert.Contains("details on standard output", outcome.Stderr, StringComparison.Ordinal);
        // Text stays text.
        var text = PlanCommand.Evaluate(doc, "text");
        Assert.Equal("", text.Stdout);
        Assert.Contains("platform:serverType", text.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_rules_are_json_with_rule_subject_and_fix()
    {
        var json = JsonDocument.Parse(ReviewJson.Violations("prod", [new PolicyViolation("pinned-images", "api-1", "image uses latest.", "Pin a version tag or a digest.")]));
        var v = Assert.Single(json.RootElement.GetProperty("violations").EnumerateArray());
        Assert.Equal(("pinned-images", "api-1", "Pin a version tag or a digest."),
            (v.GetProperty("rule").GetString(), v.GetProperty("subject").GetString(), v.GetProperty("fix").GetString()));
    }

    [Fact]
    public void A_review_is_json_with_verdicts_downtime_and_deltas()
    {
        var same = PlanCommand.Against(TestStacks.RepoRoot, "prod", Prod, "base.yaml", "json");
        using (var json = JsonDocument.Parse(same.Stdout))
            Assert.True(json.RootElement.GetProperty("noChanges").GetBoolean());

        // The base gave PostgreSQL less memory: the committed file raises it.
        var older = Prod.Replace("platform:postgresMemoryMb: 4096", "platform:postgresMemoryMb: 2048", StringComparison.Ordinal);
        var review = PlanCommand.Against(TestStacks.RepoRoot, "prod", older, "base.yaml", "json");
        Assert.Equal(PlanCommand.ExitOk, review.ExitCode);
        using var doc = JsonDocument.Parse(review.Stdout);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("noChanges").GetBoolean());
        var postgres = root.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("resource").GetString() == "container postgres");
        Assert.NotEqual("", postgres.GetProperty("verdict").GetString());
        var memory = Assert.Single(root.GetProperty("memory").EnumerateArray());
        Assert.Equal(2048, memory.GetProperty("deltaMb").GetInt32());
        Assert.Contains(root.GetProperty("diff").EnumerateArray(), l => l.GetString()!.StartsWith("@@ ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_downtime_verdict_is_listed_as_downtime()
    {
        var older = Prod.Replace("config:\n", "config:\n  platform:redisImage: redis:7.2.5\n", StringComparison.Ordinal);
        var review = PlanCommand.Against(TestStacks.RepoRoot, "prod", older, "base.yaml", "json");
        using var doc = JsonDocument.Parse(review.Stdout);
        var downtime = doc.RootElement.GetProperty("downtime").EnumerateArray().Select(e => e.GetString()).ToList();
        var flagged = doc.RootElement.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("downtime").GetBoolean()).ToList();
        Assert.NotEmpty(flagged);
        Assert.All(flagged, r => Assert.StartsWith("! replaced delete-before-create, DOWNTIME", r.GetProperty("line").GetString(), StringComparison.Ordinal));
        Assert.Equal(flagged.Select(r => r.GetProperty("resource").GetString()), downtime);
    }

    [Fact]
    public void A_broken_base_file_is_named_by_its_own_name_in_text_and_json()
    {
        var broken = "config:\n  platform:domain: [broken\n";
        var text = PlanCommand.Against(TestStacks.RepoRoot, "prod", broken, "base.yaml");
        Assert.Equal(PlanCommand.ExitInvalidStack, text.ExitCode);
        Assert.Contains("  - base.yaml:", text.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Pulumi.prod.yaml:", text.Stderr, StringComparison.Ordinal);
        var json = PlanCommand.Against(TestStacks.RepoRoot, "prod", broken, "base.yaml", "json");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("base.yaml", doc.RootElement.GetProperty("file").GetString());
    }

    [Fact]
    public void Combinations_without_json_or_meaning_are_refused()
    {
        var diagram = PlanCommand.Against(TestStacks.RepoRoot, "prod", Prod, "base.yaml", "mermaid");
        Assert.Equal(PlanCommand.ExitUsage, diagram.ExitCode);
        Assert.Contains("--format text or --format json", diagram.Stderr, StringComparison.Ordinal);
        var route = PlanCommand.Evaluate(TestStacks.RepoRoot, "prod", "mermaid", ["https://app.brightlane.io/"]);
        Assert.Equal(PlanCommand.ExitUsage, route.ExitCode);
    }
}
