using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Platform.Infra;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Pulumi;
using Pulumi.Testing;

// Runs the whole program (PlatformStack.Deploy) under Pulumi's mocks for generated stacks and shipped
// stack files, and prints, per stack, the wall time of each run and what was registered. A benchmark:
// figures, no thresholds.
// Usage: dotnet run -c Release --project bench/MockRunBench [runs per stack] [stacks...]
// where a stack is a number of generated apps (one server) or the name of a shipped stack file (e.g. scale:
// Pulumi.scale.yaml, three app servers and a data server).
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var stacks = args.Length > 1 ? args[1..] : ["200", "1000", "scale"];

Console.WriteLine("stack | servers | run times (s) | mean (s) | registrations | provider resources | components");
foreach (var stack in stacks)
{
    var blueprint = int.TryParse(stack, NumberStyles.None, CultureInfo.InvariantCulture, out var apps)
        ? BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale", StackGenerator.Yaml(apps))))
        : BlueprintBuilder.Build(SettingsReader.Load(StackFiles.FindProjectDirectory(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException($"No Pulumi.yaml at or above {AppContext.BaseDirectory}."), stack));
    SetConfigSecrets(blueprint);
    var times = new List<double>();
    var (registrations, custom) = (0, 0);
    for (var i = 0; i < runs + 1; i++)
    {
        var mocks = new CountingMocks();
        var clock = Stopwatch.StartNew();
        await Deployment.TestAsync(mocks, new TestOptions { ProjectName = blueprint.Project, StackName = blueprint.Stack, IsPreview = false },
            () => PlatformStack.Deploy(blueprint));
        clock.Stop();
        // The first run warms up the JIT and is not counted.
        if (i > 0) times.Add(clock.Elapsed.TotalSeconds);
        (registrations, custom) = (mocks.Types.Count, mocks.Types.Count(t => !t.StartsWith("platform:", StringComparison.Ordinal)));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{(apps > 0 ? $"{apps} apps" : stack)} | {blueprint.Servers.Length} | {string.Join(", ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))} | {times.Average():F2} | {registrations} | {custom} | {registrations - custom}"));
}

/// <summary>Test values for the config secrets the program reads (PULUMI_CONFIG, as the CLI hands them).</summary>
static void SetConfigSecrets(PlatformBlueprint blueprint)
{
    var config = new System.Text.Json.Nodes.JsonObject();
    foreach (var key in blueprint.Secrets.Where(s => s.Source == SecretSource.Config).Select(s => s.ConfigKey!))
    {
        var path = key[(key.IndexOf(':') + 1)..].Split('.');
        var top = "platform:" + path[0];
        if (path.Length == 1) { config[top] = "bench"; continue; }
        var obj = config[top] is { } existing ? System.Text.Json.Nodes.JsonNode.Parse(existing.GetValue<string>())!.AsObject() : [];
        var node = obj;
        foreach (var segment in path[1..^1]) node = (System.Text.Json.Nodes.JsonObject)(node[segment] ??= new System.Text.Json.Nodes.JsonObject());
        node[path[^1]] = "bench";
        config[top] = obj.ToJsonString();
    }
    Environment.SetEnvironmentVariable("PULUMI_CONFIG", config.ToJsonString());
}

/// <summary>Echoes inputs as outputs and counts registrations; gives the readiness step a host key and images an id.</summary>
internal sealed class CountingMocks : IMocks
{
    private int _ids;

    public ConcurrentBag<string> Types { get; } = [];

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Types.Add(args.Type ?? "");
        var state = args.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value);
        switch (args.Type)
        {
            case "hcloud:index/server:Server":
                state["ipv4Address"] = "203.0.113.10";
                state["ipv6Address"] = "2001:db8::1";
                break;
            case "hcloud:index/loadBalancer:LoadBalancer":
                state["ipv4"] = "203.0.113.100";
                state["ipv6"] = "2001:db8::100";
                break;
            case "tls:index/privateKey:PrivateKey":
                state["privateKeyPem"] = "bench-key";
                break;
            case "tls:index/certRequest:CertRequest":
                state["certRequestPem"] = "bench-csr";
                break;
            case "cloudflare:index/originCaCertificate:OriginCaCertificate":
                state["certificate"] = "bench-certificate";
                break;
            case "docker:index/remoteImage:RemoteImage":
                state["imageId"] = "sha256:" + args.Name;
                break;
            case "random:index/randomPassword:RandomPassword":
                state["result"] = new string('x', Convert.ToInt32(args.Inputs["length"], CultureInfo.InvariantCulture));
                break;
            case "command:remote:Command":
                state["stdout"] = (args.Name ?? "").EndsWith("-ready", StringComparison.Ordinal)
                    ? $"status: done\n{Platform.Stacks.Operations.CloudInit.HostKeyMarker}ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchmarkHostKeyAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                    : "";
                break;
        }
        return Task.FromResult<(string?, object)>((Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture), state));
    }

    public Task<object> CallAsync(MockCallArgs args) =>
        Task.FromResult<object>(args.Token == "cloudflare:index/getZone:getZone"
            ? new Dictionary<string, object> { ["id"] = "zone", ["zoneId"] = "zone", ["name"] = "zone" }
            : args.Args);
}
