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
    public static string Render(PlatformBlueprint before, PlatformBlueprint after) =>
        PlanChanges.Render(before, after) + Lines(PlanText.Render(before), PlanText.Render(after));

    /// <summary>
    /// Changed lines only, each hunk headed by the section or service it is in (the nearest line above it
    /// that is not indented): what a reviewer reads, and stable when unrelated parts of the plan move.
    /// </summary>
    public static string Lines(string before, string after)
    {
        var model = new InlineDiffBuilder(new Differ()).BuildDiffModel(before, after, ignoreWhitespace: false);
        var sb = new StringBuilder();
        var previousChanged = false;
        var context = "";
        foreach (var line in model.Lines)
        {
            var changed = line.Type is ChangeType.Inserted or ChangeType.Deleted;
            if (changed && !previousChanged) sb.Append("@@ ").Append(context).Append(" @@\n");
            if (line.Type != ChangeType.Deleted && line.Text.Length > 0 && !line.Text.StartsWith(' ')) context = line.Text;
            if (line.Type == ChangeType.Deleted) sb.Append("- ").Append(line.Text).Append('\n');
            if (line.Type == ChangeType.Inserted) sb.Append("+ ").Append(line.Text).Append('\n');
            previousChanged = changed;
        }
        return sb.ToString();
    }
}
