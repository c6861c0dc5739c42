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
        var review = PlanChanges.Render(before, after) + PlanVerdicts.Render(before, after) + Lines(PlanText.Render(before, verbose: true), PlanText.Render(after, verbose: true));
        return review.Length == 0 ? NoChanges : review;
    }

    /// <summary>
    /// Changed lines only, each hunk headed by where it is: the plan's section (a part, an app, the memory budget) and,
    /// within it, the container, volume or command the line belongs to (its name). What a reviewer reads, and stable when
    /// unrelated parts of the plan move. The plans are the verbose ones: a script, command line or file that changes shows
    /// the statements (lines) that changed; one that is wholly new or wholly gone is one line with its size, since the
    /// plan's own line already gives its hash.
    /// </summary>
    public static string Lines(string before, string after)
    {
        var model = new InlineDiffBuilder(new Differ()).BuildDiffModel(before, after, ignoreWhitespace: false);
        var sb = new StringBuilder();
        var previousChanged = false;
        var section = "";
        var item = "";
        // An item (container, command) that only one side has: its texts are new or gone as a whole.
        var namesBefore = Names(before);
        var namesAfter = Names(after);
        var wholeItem = ChangeType.Unchanged;
        var folded = (Type: ChangeType.Unchanged, Count: 0);
        void Flush()
        {
            if (folded.Count > 0)
                sb.Append(folded.Type == ChangeType.Inserted ? "+ " : "- ").Append($"    ({folded.Count} lines of text; plan --verbose prints them)\n");
            folded = (ChangeType.Unchanged, 0);
        }
        foreach (var line in model.Lines)
        {
            var changed = line.Type is ChangeType.Inserted or ChangeType.Deleted;
            if (changed && line.Type == wholeItem && PlanText.IsBody(line.Text))
            {
                if (folded.Type != line.Type) Flush();
                folded = (line.Type, folded.Count + 1);
                previousChanged = true;
                continue;
            }
            Flush();
            if (line.Text.Length > 0 && !line.Text.StartsWith(' '))
                wholeItem = line.Type switch
                {
                    ChangeType.Inserted when !namesBefore.Contains(Name(line.Text)) => ChangeType.Inserted,
                    ChangeType.Deleted when !namesAfter.Contains(Name(line.Text)) => ChangeType.Deleted,
                    _ => ChangeType.Unchanged,
                };
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
        Flush();
        return sb.ToString();
    }

    private static HashSet<string> Names(string plan) =>
        plan.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ')).Select(Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>What a plan line is about: its first words up to a colon or a bracket (<c>api-1</c>, <c>volume pgdata</c>, <c>host command x</c>).</summary>
    private static string Name(string line)
    {
        var end = line.IndexOfAny([':', '[', '(']);
        return (end > 0 ? line[..end] : line).Trim();
    }
}
