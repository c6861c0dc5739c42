using System.CommandLine;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

var stackOption = new Option<string>("--stack") { Description = "The stack: a Pulumi.<stack>.yaml next to Pulumi.yaml.", Required = true };
var formatOption = new Option<string>("--format") { Description = "text (for people), json (for machines) or mermaid (a diagram).", DefaultValueFactory = _ => "text" };
formatOption.AcceptOnlyFromAmong("text", "json", "mermaid");
var routeOption = new Option<string[]>("--route")
{
    Description = "Explain which app and router get a request, e.g. --route https://app.example.com/api/x or http://… (repeatable), instead of printing the plan; with --format json, as JSON.",
};
var methodOption = new Option<string>("--method") { Description = "The HTTP method of the --route requests (a redirect is 301 for GET, 308 otherwise).", DefaultValueFactory = _ => "GET" };
var againstOption = new Option<string?>("--against")
{
    Description = "Instead of the plan, review a change: compare with this earlier version of the stack file (e.g. from `git show main:Pulumi.prod.yaml > base.yaml`): what the change creates and destroys around the servers, then the plan's changed lines.",
};
var verboseOption = new Option<bool>("--verbose") { Description = "Print the text of long scripts, commands, files and Traefik labels (folded to a size and a hash by default); --format json always has them." };
var projectOption = new Option<string?>("--project-dir") { Description = "Directory holding Pulumi.yaml. Default: the nearest one at or above the current directory." };

var plan = new Command("plan", "Print what a stack's platform is, offline: no cloud credentials, no state, secrets masked.")
{
    stackOption, formatOption, routeOption, methodOption, againstOption, verboseOption, projectOption,
};
plan.SetAction(parse => PlanCommand.Guard(() =>
{
    var json = parse.GetValue(formatOption) == "json";
    int Usage(string message)
    {
        // CI that asked for JSON gets JSON on standard output too; people get the line on standard error.
        if (json) Console.Out.Write(ReviewJson.Usage(message));
        Console.Error.WriteLine("error: " + message);
        return PlanCommand.ExitUsage;
    }
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
        return Usage("no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
    if (parse.GetValue(againstOption) is { } against && (parse.GetValue(routeOption) ?? []).Length > 0)
        return Usage("--against reviews a change and --route explains requests: run them one at a time.");
    if (parse.GetValue(againstOption) is { } missing && !File.Exists(missing))
        return Usage($"--against {missing}: no such file. Write the earlier stack file first, e.g. git show main:Pulumi.{parse.GetValue(stackOption)}.yaml > {missing}");
    var outcome = parse.GetValue(againstOption) is { } basePath
        ? PlanCommand.Against(dir, parse.GetValue(stackOption)!, File.ReadAllText(basePath), basePath, parse.GetValue(formatOption)!)
        : PlanCommand.Evaluate(dir, parse.GetValue(stackOption)!, parse.GetValue(formatOption)!, parse.GetValue(routeOption) ?? [], parse.GetValue(methodOption)!, parse.GetValue(verboseOption));
    Console.Out.Write(outcome.Stdout);
    Console.Error.Write(outcome.Stderr);
    return outcome.ExitCode;
}, Console.Error));

var databaseOption = new Option<string?>("--database") { Description = "Restore only this app database. Default: every app database." };
var jobOption = new Option<string?>("--job") { Description = "The backup job the archive comes from. Default: postgres-daily, or mariadb-daily when --database names a MariaDB database." };
jobOption.AcceptOnlyFromAmong("postgres-daily", "postgres-hourly", "mariadb-daily", "mariadb-hourly");
var volumeOption = new Option<string?>("--volume") { Description = "Restore this app volume (e.g. app-shop.uploads) from an extracted app-volumes archive instead of a database." };
var toOption = new Option<string?>("--to")
{
    Description = "Point-in-time recovery (stacks with postgresPitr): restore every PostgreSQL database to this moment, e.g. '2026-12-07 10:45:00+00' (UTC when no offset is given).",
};
var intoOption = new Option<string?>("--into") { Description = "Restore --database into this new database next to the live ones (the live ones are never touched)." };
var fromStackOption = new Option<string?>("--from-stack") { Description = "Restore from this stack's archive (e.g. prod) onto --stack's server: into --into, or else replacing --stack's database of that name (the previous one kept)." };
var scrubOption = new Option<string?>("--scrub") { Description = "A SQL file run on the copy, in one transaction, before anything uses it (e.g. anonymise personal data)." };
var noScrubOption = new Option<bool>("--no-scrub") { Description = "Copy across stacks without a scrub hook (one of --scrub or --no-scrub is required with --from-stack)." };
var restore = new Command("restore-script", "Print the script that restores one app database, or all, from an extracted backup archive, or PostgreSQL to a moment (see docs/operations.md).")
{
    stackOption, databaseOption, jobOption, volumeOption, toOption, intoOption, fromStackOption, scrubOption, noScrubOption, projectOption,
};
restore.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return 2;
    }
    try
    {
        if (parse.GetValue(intoOption) is not null || parse.GetValue(fromStackOption) is not null || parse.GetValue(scrubOption) is not null || parse.GetValue(noScrubOption))
        {
            if (parse.GetValue(toOption) is not null || parse.GetValue(volumeOption) is not null)
            {
                Console.Error.WriteLine("error: --into, --from-stack and --scrub copy one database from a dump; leave --to and --volume out.");
                return 1;
            }
            var copy = Platform.Stacks.Operations.RestoreAnywhereCommand.Render(dir, new(parse.GetValue(stackOption)!, parse.GetValue(fromStackOption),
                parse.GetValue(databaseOption), parse.GetValue(jobOption), parse.GetValue(intoOption), parse.GetValue(scrubOption), parse.GetValue(noScrubOption)));
            Console.Out.Write(copy.Stdout);
            Console.Error.Write(copy.Stderr);
            return copy.ExitCode;
        }
        var settings = SettingsReader.Load(dir, parse.GetValue(stackOption)!);
        if (BackupsBlueprint.BackupsInput(settings) is not { } input)
        {
            Console.Error.WriteLine($"error: stack '{settings.Stack}' has no backups (platform:backupsEnabled is false).");
            return 1;
        }
        if (parse.GetValue(toOption) is { } to)
        {
            if (parse.GetValue(databaseOption) is not null || parse.GetValue(jobOption) is not null || parse.GetValue(volumeOption) is not null)
            {
                Console.Error.WriteLine("error: --to restores the whole PostgreSQL cluster to a moment; leave --database, --job and --volume out.");
                return 1;
            }
            if (!settings.Postgres.Pitr)
            {
                Console.Error.WriteLine($"error: stack '{settings.Stack}' has no point-in-time recovery (platform:postgresPitr is false). Turn it on (pulumi config set postgresPitr true --stack {settings.Stack}); until then restore a dump with --job postgres-daily or postgres-hourly.");
                return 1;
            }
            if (!DateTimeOffset.TryParse(to, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AllowWhiteSpaces, out var target))
            {
                Console.Error.WriteLine($"error: --to '{to}' is not a moment. Use e.g. --to '2026-12-07 10:45:00+00' (UTC when no offset is given).");
                return 1;
            }
            Console.Out.Write(Platform.Stacks.Operations.Backups.PitrRestoreScript(Platform.Stacks.Parts.Postgres.PostgresBlueprint.Image(settings), target));
            return 0;
        }
        if (parse.GetValue(volumeOption) is { } volume)
        {
            var volumes = input.Sources.AppVolumes.IsDefault ? [] : input.Sources.AppVolumes;
            if (parse.GetValue(databaseOption) is not null || parse.GetValue(jobOption) is not null)
            {
                Console.Error.WriteLine("error: --volume restores a volume from the app-volumes archive; leave --database and --job out.");
                return 1;
            }
            if (!volumes.Contains(volume))
            {
                Console.Error.WriteLine(volumes.IsEmpty
                    ? $"error: stack '{settings.Stack}' has no app volumes."
                    : $"error: '{volume}' is not an app volume of stack '{settings.Stack}'. Use one of: {string.Join(", ", volumes)}.");
                return 1;
            }
            Console.Out.Write(Platform.Stacks.Operations.Backups.VolumeRestoreScript(input, volume));
            return 0;
        }
        var only = parse.GetValue(databaseOption);
        var postgres = input.Sources.AppDatabases;
        var mariadb = Platform.Stacks.Parts.MariaDb.MariaDbBlueprint.Requests(settings).Select(x => x.Request.Database).Order(StringComparer.Ordinal).ToList();
        var job = parse.GetValue(jobOption) ?? (only is not null && mariadb.Contains(only) ? "mariadb-daily" : "postgres-daily");
        var isMariaDb = job.StartsWith("mariadb-", StringComparison.Ordinal);
        if (isMariaDb && mariadb.Count == 0)
        {
            Console.Error.WriteLine($"error: stack '{settings.Stack}' has no MariaDB databases, so there is no {job} archive. Use --job postgres-daily or postgres-hourly.");
            return 1;
        }
        if (only is not null && !(isMariaDb ? mariadb : [.. postgres]).Contains(only))
        {
            Console.Error.WriteLine(postgres.Contains(only) || mariadb.Contains(only)
                ? $"error: '{only}' is not dumped by the {job} job. Leave --job out to use its engine's daily job, or pass {(mariadb.Contains(only) ? "mariadb-daily or mariadb-hourly" : "postgres-daily or postgres-hourly")}."
                : $"error: '{only}' is not an app database of stack '{settings.Stack}'. Use one of: {string.Join(", ", postgres.Concat(mariadb).Order(StringComparer.Ordinal))}.");
            return 1;
        }
        Console.Out.Write(isMariaDb
            ? Platform.Stacks.Parts.MariaDb.MariaDbBackups.RestoreScript(mariadb, job, only)
            : Platform.Stacks.Operations.Backups.RestoreScript(input, job, only));
        return 0;
    }
    catch (InvalidStackException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
}, Console.Error));

var migrate = new Command("redis-migrate-script", "Print the script that copies each app's keys from the shared Redis of earlier versions into its own instance (see docs/data-tier.md).")
{
    stackOption, projectOption,
};
migrate.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return 2;
    }
    try
    {
        Console.Out.Write(Platform.Stacks.Parts.Redis.RedisMigration.Script(SettingsReader.Load(dir, parse.GetValue(stackOption)!)));
        return 0;
    }
    catch (InvalidStackException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
}, Console.Error));

var serverOption = new Option<string?>("--server") { Description = "The server whose Docker layer to apply (its name). Default: the first (the only one, or a split stack's data server)." };
var imagesOption = new Option<string?>("--images") { Description = "A YAML or JSON map of pinned image (or repository, or \"*\") to local image, e.g. written by scripts/local-images.sh --map FILE. Default: the pinned images." };
var downOption = new Option<bool>("--down") { Description = "Remove every container, network and volume the rehearsal of the stack made, and its local files." };
var stateOption = new Option<string?>("--state-dir") { Description = "Where the rehearsal keeps its local secrets and server files. Default: ~/.local/state/platform-rehearsal/<engine>-<stack>." };
var rehearse = new Command("rehearse", "Apply one server's Docker layer of a stack to the Docker engine in DOCKER_HOST (local adaptations printed), or remove it with --down.")
{
    stackOption, serverOption, imagesOption, downOption, stateOption, projectOption,
};
rehearse.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return PlanCommand.ExitUsage;
    }
    var request = new Platform.Stacks.Rehearsal.RehearseRequest(dir, parse.GetValue(stackOption)!)
    {
        Server = parse.GetValue(serverOption),
        ImagesFile = parse.GetValue(imagesOption),
        Down = parse.GetValue(downOption),
        StateDirectory = parse.GetValue(stateOption),
    };
    return Platform.Stacks.Rehearsal.RehearseCommand.RunAsync(request, Console.Out, Console.Error).GetAwaiter().GetResult();
}, Console.Error));

var rollbackApp = new Option<string>("--app") { Description = "The app to roll back to its previous release.", Required = true };
var rollbackReleases = new Option<string>("--releases") { Description = "The appReleases output of the last successful deploy (pulumi stack output appReleases > FILE).", Required = true };
var rollback = new Command("rollback", "Put an app's previous release (from the appReleases output) into Pulumi.<stack>.yaml and print the review of that change; then pulumi up.")
{
    stackOption, rollbackApp, rollbackReleases, projectOption,
};
rollback.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return 2;
    }
    return Rollback.Run(dir, parse.GetValue(stackOption)!, parse.GetValue(rollbackApp)!, parse.GetValue(rollbackReleases)!, Console.Out, Console.Error);
}, Console.Error));

var logsApp = new Option<string?>("--app") { Description = "The app whose containers to read: every instance on every server, its release, jobs and file servers." };
var logsService = new Option<string?>("--service") { Description = "Instead of an app, a platform service (e.g. postgres, pgbouncer, traefik: on every server it runs on)." };
var logsSince = new Option<string>("--since") { Description = "From when: a duration (15m, 2h) or a moment (2026-12-07T10:00:00Z).", DefaultValueFactory = _ => "1h" };
var logsFollow = new Option<bool>("--follow") { Description = "Keep printing new lines (Ctrl-C ends)." };
var logsOutputs = new Option<string?>("--outputs") { Description = "The stack's outputs as JSON (pulumi stack output --json --stack S > FILE). Default: asked of the Pulumi CLI." };
var logsIdentity = new Option<string?>("--identity-file") { Description = "The private key to log in with. Default: your SSH agent's keys." };
var logsPort = new Option<int>("--ssh-port") { Description = "The servers' SSH port.", DefaultValueFactory = _ => 22 };
var logsUser = new Option<string?>("--user") { Description = "Who logs in. Default: the stack's deployUser (the one account the servers have)." };
var logs = new Command("logs", "Print an app's (or a platform service's) container logs from every server it runs on, merged by time, each line labelled [server/instance].")
{
    stackOption, logsApp, logsService, logsSince, logsFollow, logsOutputs, logsIdentity, logsPort, logsUser, projectOption,
};
logs.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return PlanCommand.ExitUsage;
    }
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
    var request = new Platform.Stacks.Operations.Logs.LogsRequest(dir, parse.GetValue(stackOption)!, new(parse.GetValue(logsApp), parse.GetValue(logsService)))
    {
        Since = parse.GetValue(logsSince)!,
        Follow = parse.GetValue(logsFollow),
        OutputsFile = parse.GetValue(logsOutputs),
        Access = new(parse.GetValue(logsPort), parse.GetValue(logsIdentity)),
        User = parse.GetValue(logsUser),
    };
    return Platform.Stacks.Operations.Logs.LogsCommand.RunAsync(request, Console.Out, Console.Error, cancel.Token).GetAwaiter().GetResult();
}, Console.Error));

var notifyStatus = new Option<string>("--status") { Description = "How the deploy ended: success, failure or cancelled (the workflow's job.status).", Required = true };
notifyStatus.AcceptOnlyFromAmong(Platform.Stacks.Operations.DeployResult.Statuses);
var notifyCommit = new Option<string?>("--commit") { Description = "The deployed commit." };
var notifyActor = new Option<string?>("--actor") { Description = "Who started the deploy." };
var notifyRunUrl = new Option<string?>("--run-url") { Description = "The workflow run's page." };
var notifyConfig = new Option<string?>("--config") { Description = "The output of pulumi config --show-secrets --json --stack S. Default: asked of the Pulumi CLI." };
var notifyDryRun = new Option<bool>("--dry-run") { Description = "Print each channel's notice (never a secret) instead of sending it." };
var notify = new Command("notify", "Post a deploy's result to every alert channel of the stack (Slack, Discord, Telegram, e-mail, webhook; the channels Uptime Kuma notifies).")
{
    stackOption, notifyStatus, notifyCommit, notifyActor, notifyRunUrl, notifyConfig, notifyDryRun, projectOption,
};
notify.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return PlanCommand.ExitUsage;
    }
    var result = new Platform.Stacks.Operations.DeployResult(parse.GetValue(stackOption)!, parse.GetValue(notifyStatus)!,
        parse.GetValue(notifyCommit), parse.GetValue(notifyActor), parse.GetValue(notifyRunUrl));
    var request = new Platform.Stacks.Operations.NotifyRequest(dir, result) { ConfigFile = parse.GetValue(notifyConfig), DryRun = parse.GetValue(notifyDryRun) };
    return Platform.Stacks.Operations.NotifyCommand.RunAsync(request, Console.Out, Console.Error).GetAwaiter().GetResult();
}, Console.Error));

var pinImages = new Command("pin-images", "Record in Pulumi.<stack>.yaml the digest each image of the stack has now (platform:imageDigests), so what deploys is image@digest; print what moved and the review of the change.")
{
    stackOption, projectOption,
};
pinImages.SetAction(parse => PlanCommand.Guard(() =>
{
    var dir = parse.GetValue(projectOption) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory());
    if (dir is null)
    {
        Console.Error.WriteLine("error: no Pulumi.yaml here or above. Run from the project directory or pass --project-dir.");
        return PlanCommand.ExitUsage;
    }
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    var user = Environment.GetEnvironmentVariable("REGISTRY_USERNAME");
    var password = Environment.GetEnvironmentVariable("REGISTRY_PASSWORD");
    var resolver = new Platform.Stacks.Parts.Images.RegistryResolver(http)
    {
        Credentials = string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password) ? null : (user, password),
    };
    return Platform.Stacks.Parts.Images.PinImages.RunAsync(dir, parse.GetValue(stackOption)!, resolver, Console.Out, Console.Error).GetAwaiter().GetResult();
}, Console.Error));

var projectFile = new Command("project-file", "Print Pulumi.yaml as generated from the settings schema.");
projectFile.SetAction(_ => Console.Out.Write(ProjectFile.Render()));

var stackSchema = new Command("stack-schema", $"Print the JSON Schema of the stack files ({JsonSchemaWriter.RepositoryPath}), as generated from the settings schema.");
stackSchema.SetAction(_ => Console.Out.Write(JsonSchemaWriter.Render()));

var cloudflareRanges = new Command("cloudflare-ranges", "Print the Cloudflare ranges the platform trusts, one CIDR a line, sorted: CI compares them with Cloudflare's published lists.");
cloudflareRanges.SetAction(_ => Console.Out.Write(Platform.Stacks.Catalog.CloudflareRanges.Listing()));

var root = new RootCommand("The platform's Pulumi-free core: validate stacks and plan them offline.") { plan, restore, migrate, rehearse, rollback, logs, notify, pinImages, projectFile, stackSchema, cloudflareRanges };
// The actions guard themselves; this catches what escapes parsing, so no input ever ends in a stack trace.
return PlanCommand.Guard(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }), Console.Error);
