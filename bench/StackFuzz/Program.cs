using System.Diagnostics;
using System.Globalization;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Fuzz;

// dotnet run -c Release --project bench/StackFuzz -- [cases, default 10000] [first seed, default 1]
// Prints how the cases ended and every finding (grouped, with the first case of each to reproduce it).
// Exit code 1 when anything was found, so a CI job can run it too.
var cases = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var firstSeed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
var dir = StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory())
          ?? StackFiles.FindProjectDirectory(AppContext.BaseDirectory)
          ?? throw new InvalidOperationException("Run from the repository (no Pulumi.yaml found).");

if (Environment.GetEnvironmentVariable("STACK_FUZZ_DUMP") is { Length: > 0 } dump)
{
    // Writes one case's mutated stack file, to turn a finding into a regression test.
    var seed = int.Parse(dump, CultureInfo.InvariantCulture);
    var stack = StackFuzzer.Stacks[seed % StackFuzzer.Stacks.Length];
    var mutated = new StackMutator(seed).Mutate(File.ReadAllText(Path.Combine(dir, StackFiles.ProjectFile)), File.ReadAllText(Path.Combine(dir, StackFiles.StackFile(stack))));
    Console.Write(mutated.StackText);
    return 0;
}

var clock = Stopwatch.StartNew();
var report = StackFuzzer.Run(dir, firstSeed, cases);
clock.Stop();

Console.WriteLine($"stack fuzz: {report.Cases} cases (seeds {firstSeed}–{firstSeed + cases - 1}) in {clock.Elapsed.TotalSeconds:0.0} s");
Console.WriteLine($"  planned {report.Planned}, rejected with errors {report.Rejected}, broke a platform rule {report.PolicyViolations}");
Console.WriteLine($"  findings: {report.Findings.Count} in {report.Grouped.Count()} kind(s)");
foreach (var (signature, count, first) in report.Grouped)
{
    Console.WriteLine($"- {count} x {signature}");
    Console.WriteLine($"    {StackMutator.Escape(first.Detail.Split('\n')[0])}");
    Console.WriteLine($"    seed {first.Case.Seed}: {string.Join("; ", first.Case.Mutations.Select(m => m.Length > 120 ? m[..120] + "…" : m))}");
}
return report.Findings.Count == 0 ? 0 : 1;
