using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Plan;

/// <summary>
/// What CI reads with <c>--format json</c> besides the plan itself: the review of a change (<c>--against</c>), and the
/// errors and broken rules that stop a plan, each as one JSON object on standard output.
/// </summary>
public static class ReviewJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>One resource's verdict: <c>created</c>, <c>replaced delete-before-create, DOWNTIME</c>, …, and the resource.</summary>
    public sealed record ResourceVerdict(string Verdict, string Resource, bool Downtime, string Line);

    /// <summary>
    /// The review of a change as JSON: <c>noChanges</c>; the resources around the servers; each resource's verdict (those
    /// with downtime flagged); the memory and cost deltas; the plan's changed lines (from the verbose plans).
    /// </summary>
    public static string Review(string stack, PlatformBlueprint before, PlatformBlueprint after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var around = PlanChanges.Between(before, after);
        var verdicts = PlanVerdicts.Between(before, after);
        var diff = PlanDiff.Lines(PlanText.Render(before, verbose: true), PlanText.Render(after, verbose: true));
        var resources = verdicts.Where(l => !l.StartsWith('=')).Select(Parse).ToList();
        var memory = after.Budgets
            .Select(b => (b.Server, Now: b.TotalMb, Was: before.Budgets.FirstOrDefault(x => x.Server == b.Server)?.TotalMb ?? 0))
            .Where(x => x.Now != x.Was)
            .Select(x => new { server = x.Server.ToString(), beforeMb = x.Was, afterMb = x.Now, deltaMb = x.Now - x.Was })
            .ToList();
        return JsonSerializer.Serialize(new
        {
            stack,
            noChanges = around.IsEmpty && verdicts.IsEmpty && diff.Length == 0,
            around,
            resources,
            downtime = resources.Where(r => r.Downtime).Select(r => r.Resource).ToList(),
            memory,
            cost = new { beforeEur = before.Cost.MonthlyEur, afterEur = after.Cost.MonthlyEur, deltaEur = after.Cost.MonthlyEur - before.Cost.MonthlyEur },
            diff = diff.Length == 0 ? [] : diff.TrimEnd('\n').Split('\n'),
        }, Options) + "\n";
    }

    /// <summary>The settings errors that stop a plan (exit 1): each with its key, problem and fix; <paramref name="file"/> names the file read.</summary>
    public static string Errors(string stack, IReadOnlyList<SettingsError> errors, string? file = null) =>
        JsonSerializer.Serialize(new
        {
            stack,
            file,
            outcome = "invalid stack: nothing was planned or created",
            errors = errors.Select(e => new { key = e.Key, problem = e.Problem, fix = e.Fix }),
        }, Options) + "\n";

    /// <summary>The platform rules a stack breaks (exit 3).</summary>
    public static string Violations(string stack, IReadOnlyList<PolicyViolation> violations, string? file = null) =>
        JsonSerializer.Serialize(new
        {
            stack,
            file,
            outcome = "breaks platform rules: nothing was planned or created",
            violations = violations.Select(v => new { rule = v.Rule, subject = v.Subject, problem = v.Problem, fix = v.Fix }),
        }, Options) + "\n";

    /// <summary>A usage error (exit 2) as JSON, for CI that asked for JSON.</summary>
    public static string Usage(string message) =>
        JsonSerializer.Serialize(new { outcome = "usage error", error = message }, Options) + "\n";

    private static ResourceVerdict Parse(string line)
    {
        // "<sign> <verdict>: <resource and detail>", as PlanVerdicts writes it.
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        var verdict = colon > 2 ? line[2..colon] : line;
        var rest = colon > 2 ? line[(colon + 2)..] : "";
        var cut = rest.IndexOf(" (", StringComparison.Ordinal);
        return new ResourceVerdict(verdict, cut > 0 ? rest[..cut] : rest, line.StartsWith('!'), line);
    }
}
