using System.CommandLine;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;

var stackOption = new Option<string>("--stack") { Description = "The stack to plan (a Pulumi.<stack>.yaml next to Pulumi.yaml).", Required = true };
var formatOption = new Option<string>("--format") { Description = "text (for people), json (for machines) or mermaid (a diagram).", DefaultValueFactory = _ => "text" };
formatOption.AcceptOnlyFromAmong("text", "json", "mermaid");
var projectOption = new Option<string?>("--project-dir") { Description = "Directory holding Pulumi.yaml. Default: the nearest one at or above the current directory." };

var plan = new Command("plan", "Print what a stack's platform is, offline: no cloud credentials, no state, secrets masked.")
{
    stackOption, formatOption, projectOption,
};
plan.SetAction(parse =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return 2;
    }
    try
    {
        var blueprint = BlueprintBuilder.Build(SettingsReader.Load(dir, parse.GetValue(stackOption)!));
        var violations = Policies.Check(blueprint);
        if (!violations.IsEmpty)
        {
            Console.Error.WriteLine($"Stack '{blueprint.Stack}' breaks {violations.Length} platform rule(s):");
            foreach (var v in violations) Console.Error.WriteLine("  - " + v);
            return 3;
        }
        Console.Out.Write(parse.GetValue(formatOption) switch
        {
            "json" => PlanJson.Render(blueprint),
            "mermaid" => PlanMermaid.Render(blueprint),
            _ => PlanText.Render(blueprint),
        });
        return 0;
    }
    catch (InvalidStackException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
});

var databaseOption = new Option<string?>("--database") { Description = "Restore only this app database. Default: every app database." };
var jobOption = new Option<string>("--job") { Description = "The backup job the archive comes from.", DefaultValueFactory = _ => "postgres-daily" };
jobOption.AcceptOnlyFromAmong("postgres-daily", "postgres-hourly");
var restore = new Command("restore-script", "Print the script that restores one app database, or all, from an extracted backup archive (see docs/operations.md).")
{
    stackOption, databaseOption, jobOption, projectOption,
};
restore.SetAction(parse =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return 2;
    }
    try
    {
        var settings = SettingsReader.Load(dir, parse.GetValue(stackOption)!);
        if (BlueprintBuilder.BackupsInput(settings) is not { } input)
        {
            Console.Error.WriteLine($"error: stack '{settings.Stack}' has no backups (platform:backupsEnabled is false).");
            return 1;
        }
        var only = parse.GetValue(databaseOption);
        if (only is not null && !input.Sources.AppDatabases.Contains(only))
        {
            Console.Error.WriteLine($"error: '{only}' is not an app database of stack '{settings.Stack}'. Use one of: {string.Join(", ", input.Sources.AppDatabases)}.");
            return 1;
        }
        Console.Out.Write(Platform.Stacks.Operations.Backups.RestoreScript(input, parse.GetValue(jobOption)!, only));
        return 0;
    }
    catch (InvalidStackException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
});

var projectFile = new Command("project-file", "Print Pulumi.yaml as generated from the settings schema.");
projectFile.SetAction(_ => Console.Out.Write(ProjectFile.Render()));

var root = new RootCommand("The platform's Pulumi-free core: validate stacks and plan them offline.") { plan, restore, projectFile };
return root.Parse(args).Invoke();
