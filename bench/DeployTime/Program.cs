using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

// The modelled length of a first `pulumi up` of each shipped stack and of the `up` that adds an app to it, computed on the
// program's dependency graph (DeployGraph, which the Infra tests hold equal to the program's under Pulumi's mocks) with the
// durations of DeployTime.Table. A benchmark: figures from one run, no thresholds.
// Usage: dotnet run -c Release --project bench/DeployTime [stacks...]   (default: every shipped stack)
var root = StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory())
    ?? StackFiles.FindProjectDirectory(AppContext.BaseDirectory)
    ?? throw new InvalidOperationException("Run from the repository (Pulumi.yaml not found).");
var stacks = args.Length > 0 ? args : [.. StackFiles.AvailableStacks(root)];

Console.WriteLine("Durations (one table: Platform.Stacks.Plan.DeployTime.Table):");
Console.WriteLine("step | seconds | what | basis");
foreach (var d in DeployTime.Table)
    Console.WriteLine($"{d.Step} | {(d.LowSeconds == d.HighSeconds ? $"{d.HighSeconds}" : $"{d.LowSeconds}–{d.HighSeconds}")} | {d.What} | {d.Basis}");
Console.WriteLine();

// The app every stack gets in the "add an app" run: one routed instance of a new image, as in the plan fixture add-docs-app.diff.
const string AddedApp = """
    - name: docs
      image: ghcr.io/brightlane/docs:1.0.0
      port: 8080
      routes:
        - host: docs
      healthPath: /healthz
      cpus: 0.25
      memoryMb: 128

""";

Console.WriteLine("stack | servers | resources | first up (s) | add an app (s)");
var details = new List<string>();
foreach (var stack in stacks)
{
    var text = File.ReadAllText(Path.Combine(root, StackFiles.StackFile(stack)));
    var project = File.ReadAllText(Path.Combine(root, "Pulumi.yaml"));
    var before = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.FromTexts(project, stack, text)));
    var after = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.FromTexts(project, stack, text.TrimEnd('\n') + "\n" + Indent(AddedApp, text))));
    var first = DeployTime.FirstUp(before);
    var add = DeployTime.Change(before, after);
    Console.WriteLine($"{stack} | {before.Servers.Length} | {DeployGraph.Of(before).Length} | {first.Range} | {add.Range}");
    details.Add($"{stack}, first up, critical path at the high durations ({first.HighSeconds} s):\n{Steps(first)}");
    details.Add($"{stack}, adding an app, critical path at the high durations ({add.HighSeconds} s):\n{Steps(add)}");
}
Console.WriteLine();
foreach (var d in details) Console.WriteLine(d);

static string Steps(DeployEstimate e) => string.Join("\n", e.CriticalPath.Where(p => p.EndSeconds > p.StartSeconds)
    .Select(p => string.Create(CultureInfo.InvariantCulture, $"  {p.StartSeconds,4}–{p.EndSeconds,4} s  {p.Node.Step,-16} {p.Node.Name}"))) + "\n";

// The apps list is the last key of every shipped stack file; the new entry takes its items' indentation.
static string Indent(string entry, string stackText)
{
    var item = stackText.Split('\n').Last(l => l.TrimStart().StartsWith("- name: ", StringComparison.Ordinal));
    var indent = item[..(item.Length - item.TrimStart().Length)];
    return string.Join("\n", entry.Split('\n').Select(l => l.Length == 0 ? l : indent + l[4..]));
}
