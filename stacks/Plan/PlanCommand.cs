using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Plan;

/// <summary>What <c>plan</c> prints and the exit code it ends with.</summary>
public sealed record PlanOutcome(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The <c>plan</c> command without the console: read the settings, build the blueprint, check the
/// policies, render. <see cref="Evaluate(ConfigDocument, string)"/> lets an unexpected exception through (so tests and the
/// stack fuzzer see it); <see cref="Guard"/> is the command line's last line of defence.
/// </summary>
public static class PlanCommand
{
    public const int ExitOk = 0;
    public const int ExitInvalidStack = 1;
    public const int ExitUsage = 2;
    public const int ExitPolicyViolation = 3;
    public const int ExitInternalError = 4;

    public static readonly IReadOnlyList<string> Formats = ["text", "json", "mermaid"];

    /// <summary>Plans a parsed stack. Invalid settings are exit 1 with every error; broken rules exit 3.</summary>
    public static PlanOutcome Evaluate(ConfigDocument doc, string format) => Evaluate(doc, format, []);

    /// <summary>
    /// Plans a parsed stack; with <paramref name="routes"/> (URLs), prints instead which router and app each request
    /// reaches (exit 1 when a URL cannot be read).
    /// </summary>
    public static PlanOutcome Evaluate(ConfigDocument doc, string format, IReadOnlyList<string> routes, string method = "GET", bool verbose = false)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var json = format == "json";
        var (settings, errors) = SettingsReader.TryRead(doc);
        if (errors.Count > 0 || settings is null)
            return Invalid(doc.Stack, errors, json, null);
        var blueprint = BlueprintBuilder.Build(settings);
        var violations = Policies.Check(blueprint);
        if (!violations.IsEmpty)
            return Broken(blueprint.Stack, violations, json, null);
        if (routes.Count > 0)
        {
            if (format == "mermaid")
                return new PlanOutcome(ExitUsage, "", "error: --route explains requests as text or json, not mermaid: use --format text or --format json.\n");
            // Behind a load balancer any app server may take the request: each one's Traefik answers.
            var answers = routes.SelectMany(u => blueprint.IsSplit
                ? blueprint.AppServers.Select(x => RouteExplainer.Explain(blueprint, u, method, x.Key))
                : [RouteExplainer.Explain(blueprint, u, method)]).ToList();
            var exit = answers.Any(a => a.Problem is not null && a.Status is null) ? ExitInvalidStack : ExitOk;
            if (format == "json")
                return new PlanOutcome(exit, RouteJson.Render(answers), "");
            return new PlanOutcome(exit,
                string.Concat(answers.Where(a => a.Problem is null || a.Status is not null).Select(RouteExplainer.Render)),
                string.Concat(answers.Where(a => a.Problem is not null && a.Status is null).Select(a => "error: " + RouteExplainer.Render(a))));
        }
        return new PlanOutcome(ExitOk, format switch
        {
            "json" => PlanJson.Render(blueprint),
            "mermaid" => PlanMermaid.Render(blueprint),
            _ => PlanText.Render(blueprint, verbose),
        }, "");
    }

    /// <summary>
    /// For a command that has just rewritten the stack file: prints the review of the stack against its text before
    /// (<paramref name="baseStackText"/>, named <paramref name="baseName"/>) and returns the review's exit code.
    /// </summary>
    public static int Review(string projectDir, string stack, string baseStackText, string baseName, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var review = Against(projectDir, stack, baseStackText, baseName);
        stdout.Write(review.Stdout);
        stderr.Write(review.Stderr);
        return review.ExitCode;
    }

    /// <summary>
    /// Reviews a change of a stack file: what the stack in <paramref name="projectDir"/> creates and destroys compared
    /// with <paramref name="baseStackText"/> (e.g. <c>git show main:Pulumi.prod.yaml</c>), then the plan's changed lines.
    /// Both must be valid and keep the rules; nothing printed means nothing changes.
    /// </summary>
    public static PlanOutcome Against(string projectDir, string stack, string baseStackText, string baseName, string format = "text")
    {
        if (format == "mermaid")
            return new PlanOutcome(ExitUsage, "", "error: --against prints a review as text or json, not mermaid: use --format text or --format json.\n");
        var json = format == "json";
        var current = StackFiles.Load(projectDir, stack);
        var projectText = File.Exists(Path.Combine(projectDir, StackFiles.ProjectFile)) ? File.ReadAllText(Path.Combine(projectDir, StackFiles.ProjectFile)) : null;
        var before = StackFiles.FromTexts(projectText, stack, baseStackText, baseName);
        var blueprints = new List<PlatformBlueprint>();
        foreach (var (doc, name) in new[] { (before, baseName), (current, StackFiles.StackFile(stack)) })
        {
            var (settings, errors) = SettingsReader.TryRead(doc);
            if (errors.Count > 0 || settings is null)
                return Invalid(doc.Stack, errors, json, name);
            var blueprint = BlueprintBuilder.Build(settings);
            var violations = Policies.Check(blueprint);
            if (!violations.IsEmpty)
                return Broken(blueprint.Stack, violations, json, name);
            blueprints.Add(blueprint);
        }
        return new PlanOutcome(ExitOk, json ? ReviewJson.Review(stack, blueprints[0], blueprints[1]) : PlanDiff.Render(blueprints[0], blueprints[1]), "");
    }

    /// <summary>Exit 1 with every settings error: as text on standard error, or as JSON on standard output (and one line on standard error).</summary>
    private static PlanOutcome Invalid(string stack, IReadOnlyList<SettingsError> errors, bool json, string? file)
    {
        var text = (file is null ? "" : $"{file}: ") + new InvalidStackException(stack, errors).Message + "\n";
        return json
            ? new PlanOutcome(ExitInvalidStack, ReviewJson.Errors(stack, errors, file), $"{(file is null ? "" : $"{file}: ")}Stack '{SettingsError.Printable(stack)}' has {errors.Count} configuration error(s); nothing was planned or created (details on standard output, as JSON).\n")
            : new PlanOutcome(ExitInvalidStack, "", text);
    }

    /// <summary>Exit 3 with every broken rule, as text or JSON.</summary>
    private static PlanOutcome Broken(string stack, IReadOnlyList<PolicyViolation> violations, bool json, string? file)
    {
        var sb = new StringBuilder(file is null ? "" : $"{file}: ").Append($"Stack '{stack}' breaks {violations.Count} platform rule(s):\n");
        foreach (var v in violations) sb.Append("  - ").Append(v).Append('\n');
        return json
            ? new PlanOutcome(ExitPolicyViolation, ReviewJson.Violations(stack, violations, file), $"{(file is null ? "" : $"{file}: ")}Stack '{stack}' breaks {violations.Count} platform rule(s); nothing was planned or created (details on standard output, as JSON).\n")
            : new PlanOutcome(ExitPolicyViolation, "", sb.ToString());
    }

    /// <summary>Plans the stack files in <paramref name="projectDir"/>.</summary>
    public static PlanOutcome Evaluate(string projectDir, string stack, string format, IReadOnlyList<string>? routes = null, string method = "GET", bool verbose = false) =>
        Evaluate(StackFiles.Load(projectDir, stack), format, routes ?? [], method, verbose);

    /// <summary>
    /// Runs <paramref name="body"/>; an exception that escapes it is a bug in the core, not the user's
    /// mistake, so it is reported as one line (no stack trace, which would only bury the message) with
    /// exit code 4.
    /// </summary>
    public static int Guard(Func<int> body, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            return body();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine(InternalErrorLine(e));
            return ExitInternalError;
        }
    }

    /// <summary>The one line printed for an unexpected exception: what happened, and where to report it.</summary>
    public static string InternalErrorLine(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = new string(e.Message.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (message.Length > 300) message = message[..300] + "…";
        return $"internal error, please report: {e.GetType().Name}: {message} (this is a bug in the platform, not in your stack file; "
               + "open an issue with the command you ran and the stack file, secrets removed)";
    }
}
