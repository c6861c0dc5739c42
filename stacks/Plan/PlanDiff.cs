using System.Text;
using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Plan;

/// <summary>
/// The review of a change: what it creates and destroys around the servers (<see cref="PlanChanges"/>), then the plan's
/// changed lines. What <c>plan --against</c> prints, and what the review fixtures hold.
/// </summary>
public static class PlanDiff
{
    /// <summary>What <c>plan --against</c> prints when the two blueprints plan the same.</summary>
    public const string NoChanges = "No changes.\n";

    public static string Render(PlatformBlueprint before, PlatformBlueprint after)
    {
        var review = PlanChanges.Render(before, after) + PlanVerdicts.Render(before, after) + Lines(PlanText.Render(before), PlanText.Render(after));
        return review.Length == 0 ? NoChanges : review;
    }

    /// <summary>
    /// Changed lines only, each hunk headed by where it is: the plan's section (a part, an app, the memory budget) and,
    /// within it, the container, volume or command the line belongs to (its name). What a reviewer reads, and stable when
    /// unrelated parts of the plan move.
    /// </summary>
    public static string Lines(string before, string after)
    {
        var model = new InlineDiffBuilder(new Differ()).BuildDiffModel(before, after, ignoreWhitespace: false);
        var sb = new StringBuilder();
        var previousChanged = false;
        var section = "";
        var item = "";
        foreach (var line in model.Lines)
        {
            var changed = line.Type is ChangeType.Inserted or ChangeType.Deleted;
            if (changed && !previousChanged)
            {
                // A hunk that starts at a container's (or volume's, command's) own line is about that one.
                var about = line.Text.Length > 0 && !line.Text.StartsWith(' ') && !line.Text.StartsWith("== ", StringComparison.Ordinal) ? Name(line.Text) : item;
                sb.Append("@@ ").Append(about.Length == 0 ? section : $"{section} > {about}").Append(" @@\n");
            }
            if (line.Type != ChangeType.Deleted && line.Text.StartsWith("== ", StringComparison.Ordinal))
                (section, item) = (line.Text.Trim('=', ' '), "");
            else if (line.Type != ChangeType.Deleted && line.Text.Length > 0 && !line.Text.StartsWith(' '))
                item = Name(line.Text);
            if (line.Type == ChangeType.Deleted) sb.Append("- ").Append(line.Text).Append('\n');
            if (line.Type == ChangeType.Inserted) sb.Append("+ ").Append(line.Text).Append('\n');
            previousChanged = changed;
        }
        return sb.ToString();
    }

    /// <summary>What a plan line is about: its first words up to a colon or a bracket (<c>api-1</c>, <c>volume pgdata</c>, <c>host command x</c>).</summary>
    private static string Name(string line)
    {
        var end = line.IndexOfAny([':', '[', '(']);
        return (end > 0 ? line[..end] : line).Trim();
    }
}
