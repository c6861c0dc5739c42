using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>
/// The plan folds what a reviewer cannot read in a line (long scripts, Traefik's command line, the labels that repeat the
/// routes) to a size and a hash; --verbose and --format json keep the text, and a review of a change shows the statements
/// that changed.
/// </summary>
public class PlanFoldTests
{
    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void The_plan_folds_long_scripts_and_traefik_labels(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var folded = PlanText.Render(b);
        var verbose = PlanText.Render(b, verbose: true);
        // The readiness command and Traefik's command line are long one-liners: folded to a size and a hash.
        Assert.DoesNotContain("cloud-init status --wait", folded, StringComparison.Ordinal);
        Assert.DoesNotContain("--providers.docker.endpoint", folded, StringComparison.Ordinal);
        Assert.DoesNotContain("label traefik.http.routers.", folded, StringComparison.Ordinal);
        Assert.Contains("ready when: a script of 1 line, ", folded, StringComparison.Ordinal);
        Assert.Contains("labels for Traefik: ", folded, StringComparison.Ordinal);
        // Verbose prints each of them, a statement or argument a line.
        Assert.Contains("    | timeout 1200 bash -c 'out=$(cloud-init status --wait 2>&1);", verbose, StringComparison.Ordinal);
        Assert.Contains("    | --providers.docker.endpoint=", verbose, StringComparison.Ordinal);
        Assert.Contains("  label traefik.http.routers.", verbose, StringComparison.Ordinal);
        // Every folded text's own line is what the plan printed before (the verbose plan only adds lines).
        var foldedLines = folded.Split('\n').Where(l => !l.StartsWith("  labels for Traefik: ", StringComparison.Ordinal)).ToList();
        var verboseLines = verbose.Split('\n').ToHashSet(StringComparer.Ordinal);
        Assert.All(foldedLines, l => Assert.Contains(l.Replace("; --verbose prints them", "", StringComparison.Ordinal), verboseLines));
        // No line of the default plan is a wall of text.
        Assert.All(folded.Split('\n'), l => Assert.True(l.Length <= 520, $"{l.Length} characters: {l[..Math.Min(80, l.Length)]}…"));
        // JSON keeps the exact text.
        Assert.Contains("cloud-init status --wait", PlanJson.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void Folded_texts_of_secrets_stay_masked_in_verbose()
    {
        var verbose = PlanText.Render(TestStacks.ShippedBlueprint("prod"), verbose: true);
        Assert.DoesNotContain("REPLACE-ME", verbose, StringComparison.Ordinal);
        Assert.Contains("    | ", verbose, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_script_reads_as_the_statements_that_changed()
    {
        var prod = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));
        var before = TestStacks.ShippedBlueprint("prod");
        var after = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod",
            prod.Replace("config:\n", "config:\n  platform:backupMinioSchedule: \"45 4 * * *\"\n", StringComparison.Ordinal))));
        var diff = PlanDiff.Render(before, after).Split('\n');
        // The timers' script changes in the lines that carry the schedule, not as one 300-line blob.
        var body = diff.Where(l => l.StartsWith("+     | ", StringComparison.Ordinal) || l.StartsWith("-     | ", StringComparison.Ordinal)).ToList();
        Assert.Contains(body, l => l.StartsWith('+') && l.Contains("45 4 * * *", StringComparison.Ordinal));
        Assert.Contains(body, l => l.StartsWith('-') && l.Contains("30 3 * * *", StringComparison.Ordinal));
        Assert.InRange(body.Count, 2, 20);
    }

    [Fact]
    public void A_new_apps_scripts_are_one_line_each_in_the_review()
    {
        var prod = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));
        var after = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod", prod + """
                - name: docs
                  image: ghcr.io/brightlane/docs:1.0.0
                  port: 8080
                  routes:
                    - host: docs
                  healthPath: /healthz
                  cpus: 0.25
                  memoryMb: 128
            """)));
        var diff = PlanDiff.Render(TestStacks.ShippedBlueprint("prod"), after);
        // The new attach command's statements are not listed: its line gives size and hash, and one line says how many.
        Assert.DoesNotContain("+     | attached app-docs traefik", diff, StringComparison.Ordinal);
        Assert.Contains("lines of text; plan --verbose prints them)", diff, StringComparison.Ordinal);
    }
}
