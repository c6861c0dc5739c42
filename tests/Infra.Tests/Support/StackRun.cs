using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Pulumi;
using Pulumi.Testing;

namespace Platform.Infra.Tests.Support;

/// <summary>The options a resource was created with, as a stack-wide transformation saw them.</summary>
public sealed record ResourceOptionsSeen(
    string Type, string Name, string? ParentType, string? ParentName,
    bool? Protect, bool? RetainOnDelete, bool? DeleteBeforeReplace, IReadOnlyList<string> IgnoreChanges,
    IReadOnlyList<string> ReplaceOnChanges, bool HasReplacementTrigger, bool HasNoParentAlias, bool HasParentUrnAlias, IReadOnlyList<string> AliasNames)
{
    /// <summary>The name of the provider resource it was given explicitly (e.g. <c>docker-app-1-provider</c>); null for the default provider.</summary>
    public string? ProviderName { get; init; }
    /// <summary>The id of an existing resource to adopt (<c>CustomResourceOptions.ImportId</c>); null when the program creates it.</summary>
    public string? ImportId { get; init; }
}

/// <summary>The result of running the program against the mocks.</summary>
public sealed record StackRun(
    PlatformBlueprint Blueprint,
    RecordingMocks Mocks,
    ImmutableArray<Resource> Resources,
    IDictionary<string, object?> Outputs,
    IReadOnlyList<ResourceOptionsSeen> Options,
    TimeSpan Elapsed)
{
    /// <summary>Every registration as the SDK sent it to the engine (dependencies, parent, provider); empty unless asked for (<see cref="Shipped(string, bool, bool)"/>).</summary>
    public IReadOnlyList<RegisteredResource> Registered { get; init; } = [];

    public ResourceOptionsSeen OptionsOf(string type, string name) => Options.Single(o => o.Type == type && o.Name == name);

    public IEnumerable<Registration> OfType(string type) => Mocks.Registrations.Where(r => r.Type == type);

    public Registration Named(string type, string name) =>
        Mocks.Registrations.SingleOrDefault(r => r.Type == type && r.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"No {type} named {name}; have: {string.Join(", ", Mocks.Registrations.Where(r => r.Type == type).Select(r => r.Name))}");

    /// <summary>Runs the program for a shipped stack exactly as Pulumi would: settings read by the program itself.</summary>
    public static Task<StackRun> Shipped(string stack, bool preview) => Shipped(stack, preview, recordRequests: false);

    /// <summary>
    /// As <see cref="Shipped(string, bool)"/>; with <paramref name="recordRequests"/>, <see cref="Registered"/> holds the
    /// registration requests the engine would receive (<see cref="DependencySpy"/>).
    /// </summary>
    public static Task<StackRun> Shipped(string stack, bool preview, bool recordRequests)
    {
        var root = RepoRoot();
        var blueprint = BlueprintBuilder.Build(SettingsReader.Load(root, stack));
        // The program reads the settings itself (stack name and project directory from the deployment).
        // The program reads the settings from the config Pulumi hands it: the stack file's, as the CLI would.
        var stackFile = File.ReadAllText(Path.Combine(root, StackFiles.StackFile(stack)));
        return Run(blueprint, preview, root, t => PlatformStack.Deploy(BlueprintBuilder.Build(PlatformStack.LoadSettings()), t), stackFile, recordRequests);
    }

    /// <summary>Runs <see cref="PlatformStack.Deploy"/> for a blueprint built in the test.</summary>
    public static Task<StackRun> Of(PlatformBlueprint blueprint, bool preview, bool recordRequests = false) =>
        Run(blueprint, preview, RepoRoot(), t => PlatformStack.Deploy(blueprint, t), recordRequests: recordRequests);

    private static async Task<StackRun> Run(PlatformBlueprint blueprint, bool preview, string root,
        Func<IReadOnlyList<ResourceTransformation>, IDictionary<string, object?>> program, string? stackFile = null, bool recordRequests = false)
    {
        var requests = new System.Collections.Concurrent.ConcurrentQueue<RegisteredResource>();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<ResourceOptionsSeen>();
        ResourceTransformation record = args =>
        {
            var o = args.Options;
            seen.Enqueue(new ResourceOptionsSeen(args.Resource.GetResourceType(), args.Resource.GetResourceName(),
                o.Parent?.GetResourceType(), o.Parent?.GetResourceName(), o.Protect, o.RetainOnDelete,
                (o as CustomResourceOptions)?.DeleteBeforeReplace, [.. o.IgnoreChanges], [.. o.ReplaceOnChanges],
                o.ReplacementTrigger is not null, Aliases(o).Any(a => a.NoParent), Aliases(o).Any(a => a.ParentUrn is not null),
                [.. Aliases(o).Select(a => { string? n = null; _ = a.Name?.Apply(x => n = x); return n; }).OfType<string>()])
            {
                ProviderName = o.Provider?.GetResourceName(),
                ImportId = (o as CustomResourceOptions)?.ImportId,
            });
            return null;
        };
        Environment.SetEnvironmentVariable("PULUMI_ERROR_OUTPUT_STRING", "true");
        var (config, secretKeys) = ConfigFor(blueprint, stackFile);
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", config);
        Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", secretKeys);

        var mocks = new RecordingMocks(preview);
        var clock = Stopwatch.StartNew();
        var (resources, outputs) = await Deployment.TestAsync(mocks, new TestOptions
        {
            ProjectName = blueprint.Project,
            StackName = blueprint.Stack,
            RootDirectory = root,
            IsPreview = preview,
        }, () =>
        {
            if (recordRequests) DependencySpy.Install(requests);
            return program([record]);
        });
        clock.Stop();
        return new StackRun(blueprint, mocks, resources, outputs, [.. seen], clock.Elapsed) { Registered = [.. requests] };
    }

    /// <summary>The aliases given as values (the program never passes them as outputs).</summary>
    private static IEnumerable<Alias> Aliases(ResourceOptions o) =>
        o.Aliases.Select(a => { Alias? value = null; _ = a.Apply(x => { value = x; return x; }); return value; }).OfType<Alias>();

    /// <summary>Test values for every config secret the blueprint reads, in the form the CLI hands them to the program.</summary>
    private static (string Config, string SecretKeys) ConfigFor(PlatformBlueprint blueprint, string? stackFile)
    {
        var config = new JsonObject();
        var keys = new JsonArray();
        if (stackFile is not null)
        {
            var (all, secret) = PulumiConfig.MapOfStackFile(stackFile, path => "test-" + path.Replace('.', '-'));
            foreach (var (k, v) in all) config[k] = v;
            foreach (var k in secret) keys.Add(k);
        }
        foreach (var secret in blueprint.Secrets.Where(s => s.Source == SecretSource.Config))
        {
            var key = secret.ConfigKey!;
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            var path = key[(colon + 1)..].Split('.');
            var top = $"{key[..colon]}:{path[0]}";
            if (path.Length == 1)
            {
                config[top] = "test-" + path[0];
            }
            else
            {
                var obj = config[top] is JsonValue v ? JsonNode.Parse(v.GetValue<string>())!.AsObject() : new JsonObject();
                var node = obj;
                foreach (var segment in path[1..^1]) node = (JsonObject)(node[segment] ??= new JsonObject());
                node[path[^1]] = "test-" + string.Join('-', path[1..]);
                config[top] = obj.ToJsonString();
            }
            if (!keys.Any(k => k!.GetValue<string>() == top)) keys.Add(top);
        }
        return (config.ToJsonString(), keys.ToJsonString());
    }

    /// <summary>The directory holding Pulumi.yaml, walking up from the test's base directory.</summary>
    public static string RepoRoot() =>
        StackFiles.FindProjectDirectory(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"No Pulumi.yaml at or above {AppContext.BaseDirectory}.");

    /// <summary>The value of an output (null while unknown, as in a preview).</summary>
    public static async Task<T?> ValueOf<T>(Output<T> output)
    {
        var tcs = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = output.Apply(v => { tcs.TrySetResult(v); return v; });
        var done = await Task.WhenAny(tcs.Task, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        return done == tcs.Task ? await tcs.Task.ConfigureAwait(false) : default;
    }
}
