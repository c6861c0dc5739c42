using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Fuzz;

/// <summary>
/// A few hundred mutated copies of the shipped stacks through everything plan runs: none may crash, and
/// every rejection names a key. bench/StackFuzz runs the same cases by the ten thousand.
/// </summary>
public sealed class StackFuzzTests
{
    [Fact]
    public void Mutated_shipped_stacks_never_crash_and_every_error_names_a_key()
    {
        var report = StackFuzzer.Run(TestStacks.RepoRoot, firstSeed: 1, count: 400);
        Assert.True(report.Findings.Count == 0, "The stack fuzzer found:\n" + string.Join("\n", report.Grouped.Select(g =>
            $"{g.Count} x {g.Signature}: {StackMutator.Escape(g.First.Detail)} (seed {g.First.Case.Seed}: {string.Join("; ", g.First.Case.Mutations)})")));
        // Not hollow: the mutations reach the renderers (valid cases) as well as validation (rejected ones).
        Assert.True(report.Planned >= 40, $"only {report.Planned} of {report.Cases} cases were planned");
        Assert.True(report.Rejected >= 200, $"only {report.Rejected} of {report.Cases} cases were rejected");
        Assert.Equal(report.Cases, report.Planned + report.Rejected + report.PolicyViolations);
    }

    [Fact]
    public void The_same_seed_gives_the_same_mutation()
    {
        var project = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml"));
        var stack = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));
        for (var seed = 0; seed < 20; seed++)
        {
            var a = new StackMutator(seed).Mutate(project, stack);
            var b = new StackMutator(seed).Mutate(project, stack);
            Assert.Equal(a.StackText, b.StackText);
            Assert.Equal(a.Mutations, b.Mutations);
            Assert.NotEqual(stack, a.StackText);
        }
    }

    [Fact]
    public void The_fuzzer_reports_a_crash()
    {
        // The checks themselves can fail: a case whose Pulumi.yaml is fine but whose reader throws is a finding.
        var findings = new List<FuzzFinding>();
        var crash = new MutatedStack(0, "name: platform\n", "config:\n  platform:apps:\n    - name: api\n      cpus: NaN\n", ["hand-written"]);
        var exit = StackFuzzer.RunCase("staging", crash, findings);
        Assert.Equal(1, exit);
        Assert.Empty(findings);
        Assert.Equal(4, StackFuzzer.RunCase("staging", crash with { StackText = null! }, findings));
        Assert.Contains("ArgumentNullException", Assert.Single(findings).Signature, StringComparison.Ordinal);
    }
}
