using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Apps;

/// <summary>Reads an app's health check: <c>healthPath</c> (HTTP, on its port) or <c>healthCommand</c> (Docker's forms), exactly one.</summary>
internal static class AppHealthReader
{
    public static (string? Path, ImmutableArray<string> Command) Read(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string key, int? port)
    {
        string? healthPath = null;
        if (m.TryGetValue("healthPath", out var hpNode))
        {
            healthPath = r.String(hpNode, $"{key}.healthPath");
            if (InputRules.HealthPathProblem(healthPath) is { } healthProblem)
                r.Error($"{key}.healthPath", healthProblem.Problem, healthProblem.Fix);
            if (port is null)
                r.Error($"{key}.healthPath", "needs a port to be checked on.", "Add 'port:', or use healthCommand for an app without a port.");
        }
        var healthCommand = m.TryGetValue("healthCommand", out var hcNode) ? r.StringList(hcNode, $"{key}.healthCommand") : [];
        if (!healthCommand.IsEmpty && HealthCommandProblem(healthCommand) is { } hc)
            r.Error($"{key}.healthCommand", hc.Problem, hc.Fix);
        else if (hcNode is not null && healthCommand.IsEmpty && hcNode is YamlSequenceNode)
            r.Error($"{key}.healthCommand", "is an empty list.", "Give Docker's form: [CMD, <program>, <arg>…] or [CMD-SHELL, \"<shell command>\"].");
        if (healthPath is null && healthCommand.IsEmpty)
            r.Error($"{key}.healthPath", "is required: every container must have a health check.",
                port is null ? "Add 'healthCommand: [\"CMD\", \"your-check\"]' (the app has no port)." : "Add 'healthPath: /healthz' (an endpoint that answers 200 when the app is ready).");
        if (healthPath is not null && !healthCommand.IsEmpty)
            r.Error($"{key}.healthCommand", "is set together with healthPath.", "Keep one: healthPath for HTTP apps, healthCommand otherwise.");
        return (healthPath, healthCommand);
    }

    /// <summary>
    /// Whether a health command has one of Docker's forms: <c>[CMD, program, arg…]</c> (run directly),
    /// <c>[CMD-SHELL, "command"]</c> (run by /bin/sh) — <c>[NONE]</c> would turn the check off, which the
    /// platform never allows. Null when it is fine; otherwise the problem and the fix.
    /// </summary>
    internal static (string Problem, string Fix)? HealthCommandProblem(IReadOnlyList<string> test)
    {
        const string forms = "Docker's forms are [CMD, <program>, <arg>…] and [CMD-SHELL, \"<shell command>\"].";
        var shellLine = string.Join(' ', test.Skip(1));
        if (test.Any(a => a.Any(c => char.IsControl(c) && c != '\t')))
            return ("contains a control character (NUL, a line break or an escape sequence).", "Remove it; write the command on one line.");
        switch (test[0])
        {
            case "NONE":
                return ("is [NONE], which turns the health check off; every container must have one.", "Give a check: [CMD, <program>, <arg>…] or [CMD-SHELL, \"<shell command>\"], or use healthPath for an HTTP app.");
            case "CMD":
                if (test.Count == 1)
                    return ("is [CMD] without a program.", "Add the program and its arguments, e.g. [CMD, /app/healthcheck].");
                if (string.IsNullOrWhiteSpace(test[1]))
                    return ("has an empty program after CMD.", "Put the program first, e.g. [CMD, /app/healthcheck].");
                // [CMD, sh, -c, "a | b"] runs a shell on purpose: its script may use shell syntax.
                var runsShell = test.Count >= 3 && Path.GetFileName(test[1]) is "sh" or "bash" or "ash" or "dash" or "zsh" && test[2] == "-c";
                var shellish = runsShell ? null : test.Skip(1).FirstOrDefault(a => ShellOperators.Any(op => a.Contains(op, StringComparison.Ordinal)));
                if (shellish is not null)
                    return ($"runs without a shell, but '{shellish}' uses shell syntax ({string.Join(" ", ShellOperators.Where(op => shellish.Contains(op, StringComparison.Ordinal)))}), which CMD passes to the program as plain text.",
                        $"Use the shell form: [CMD-SHELL, \"{shellLine.Replace("\"", "\\\"", StringComparison.Ordinal)}\"].");
                return null;
            case "CMD-SHELL":
                if (test.Count != 2)
                    return (test.Count == 1 ? "is [CMD-SHELL] without a command." : $"has {test.Count - 1} items after CMD-SHELL; the shell form takes the whole command as one string.",
                        test.Count == 1 ? "Add the command as one string, e.g. [CMD-SHELL, \"curl -fsS http://localhost:8080/healthz || exit 1\"]." : $"Join them into one string: [CMD-SHELL, \"{shellLine.Replace("\"", "\\\"", StringComparison.Ordinal)}\"], or use [CMD, …] to run a program without a shell.");
                if (string.IsNullOrWhiteSpace(test[1]))
                    return ("has an empty shell command.", "Give the command, e.g. [CMD-SHELL, \"pg_isready || exit 1\"].");
                return null;
            default:
                return ($"starts with '{test[0]}', not CMD or CMD-SHELL. {forms}",
                    ShellOperators.Any(op => string.Join(' ', test).Contains(op, StringComparison.Ordinal)) || test.Count == 1
                        ? $"Write [CMD-SHELL, \"{string.Join(' ', test).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]."
                        : $"Write [CMD, {string.Join(", ", test)}].");
        }
    }

    /// <summary>Shell syntax that means nothing to a program run directly: a CMD check using it wanted CMD-SHELL.</summary>
    private static readonly string[] ShellOperators = ["|", "&&", ";", "$(", "`", ">"];
}
