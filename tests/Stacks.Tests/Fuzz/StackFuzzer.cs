using System.Text.RegularExpressions;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Tests.Fuzz;

/// <summary>Something a mutated stack made go wrong: a crash, or an error that names no key.</summary>
/// <param name="Signature">What went wrong, without the case's details: exception type and where it was thrown, or the rule broken.</param>
/// <param name="Detail">The message.</param>
/// <param name="Case">The mutated stack, to reproduce it.</param>
public sealed record FuzzFinding(string Signature, string Detail, MutatedStack Case);

/// <summary>How the cases ended: planned, rejected (exit 1), broke a platform rule (exit 3), or a finding.</summary>
public sealed record FuzzReport(int Cases, int Planned, int Rejected, int PolicyViolations, IReadOnlyList<FuzzFinding> Findings)
{
    /// <summary>Findings grouped by signature, most frequent first, each with its first case.</summary>
    public IEnumerable<(string Signature, int Count, FuzzFinding First)> Grouped =>
        Findings.GroupBy(f => f.Signature).Select(g => (g.Key, g.Count(), g.First())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal);
}

/// <summary>
/// Runs mutated copies of the shipped stacks through what <c>plan</c> runs (the stack files' reader,
/// the settings reader, the blueprint builder, the policy check, and the text, JSON and Mermaid
/// renderers) and records every exception and every error that names neither a <c>platform:</c> key
/// nor a file.
/// </summary>
public static partial class StackFuzzer
{
    public static readonly string[] Stacks = ["staging", "prod", "scale"];

    [GeneratedRegex(@"^(platform:.|Pulumi\.([A-Za-z0-9_.-]+\.)?yaml\b|--stack$)")]
    private static partial Regex KeyRegex();

    /// <summary>Runs cases <paramref name="firstSeed"/> … <paramref name="firstSeed"/> + <paramref name="count"/> − 1 against the files in <paramref name="projectDir"/>.</summary>
    public static FuzzReport Run(string projectDir, int firstSeed, int count)
    {
        var project = File.ReadAllText(Path.Combine(projectDir, StackFiles.ProjectFile));
        var stacks = Stacks.ToDictionary(s => s, s => File.ReadAllText(Path.Combine(projectDir, StackFiles.StackFile(s))));
        var findings = new List<FuzzFinding>();
        int planned = 0, rejected = 0, violations = 0;
        for (var seed = firstSeed; seed < firstSeed + count; seed++)
        {
            var stack = Stacks[seed % Stacks.Length];
            var mutated = new StackMutator(seed).Mutate(project, stacks[stack]);
            switch (RunCase(stack, mutated, findings))
            {
                case PlanCommand.ExitOk: planned++; break;
                case PlanCommand.ExitInvalidStack: rejected++; break;
                case PlanCommand.ExitPolicyViolation: violations++; break;
            }
        }
        return new FuzzReport(count, planned, rejected, violations, findings);
    }

    /// <summary>One case; returns plan's exit code (4 when it crashed) and adds what it found.</summary>
    public static int RunCase(string stack, MutatedStack c, List<FuzzFinding> findings)
    {
        try
        {
            var doc = StackFiles.FromTexts(c.ProjectText, stack, c.StackText);
            var (settings, errors) = SettingsReader.TryRead(doc);
            if (errors.Count > 0 || settings is null)
            {
                if (errors.Count == 0) findings.Add(new FuzzFinding("rejected without an error", "", c));
                foreach (var e in errors) CheckError(e, c, findings);
                return PlanCommand.ExitInvalidStack;
            }
            var blueprint = BlueprintBuilder.Build(settings);
            var broken = Policies.Check(blueprint);
            // Every format is rendered, so a value that only one renderer chokes on is found too.
            _ = PlanText.Render(blueprint);
            _ = PlanJson.Render(blueprint);
            _ = PlanMermaid.Render(blueprint);
            return broken.IsEmpty ? PlanCommand.ExitOk : PlanCommand.ExitPolicyViolation;
        }
        catch (Exception e)
        {
            findings.Add(new FuzzFinding($"{e.GetType().Name} at {Where(e)}", e.Message, c));
            return PlanCommand.ExitInternalError;
        }
    }

    private static void CheckError(SettingsError e, MutatedStack c, List<FuzzFinding> findings)
    {
        if (!KeyRegex().IsMatch(e.Key))
            findings.Add(new FuzzFinding($"error without a key: '{StackMutator.Escape(e.Key)}'", e.ToString(), c));
        if (string.IsNullOrWhiteSpace(e.Fix))
            findings.Add(new FuzzFinding($"error without a fix at {KeyShape(e.Key)}", e.ToString(), c));
        // A NUL, an escape sequence or a right-to-left override quoted back would garble (or disguise) the terminal output.
        if (e.ToString().Any(ch => char.IsControl(ch) || ch is '\u202E' or '\u202D' or '\u2066' or '\u2067' or '\u2068'))
            findings.Add(new FuzzFinding($"control character in the message of {KeyShape(e.Key)}", StackMutator.Escape(e.ToString()), c));
    }

    /// <summary>The key without indexes or user text, so findings group: platform:apps[3].env.X → platform:apps[].env.</summary>
    private static string KeyShape(string key)
    {
        var shape = Regex.Replace(key, @"\[\d+\]", "[]");
        var env = shape.IndexOf(".env.", StringComparison.Ordinal);
        return env >= 0 ? shape[..(env + 4)] : shape.Length > 60 ? shape[..60] : shape;
    }

    /// <summary>The first frame in the platform's own code, e.g. <c>Monitors.For</c>.</summary>
    private static string Where(Exception e)
    {
        var frames = new System.Diagnostics.StackTrace(e, false).GetFrames();
        var own = frames.Select(f => f.GetMethod()).FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("Platform.Stacks", StringComparison.Ordinal) == true
                                                                       && m.DeclaringType.Namespace?.StartsWith("Platform.Stacks.Tests", StringComparison.Ordinal) != true);
        return own is null ? "(outside the core)" : $"{own.DeclaringType!.Name}.{own.Name}";
    }
}
