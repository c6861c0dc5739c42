using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

// dotnet run -c Release --project bench/PlanBench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(GeneratedStackPlan).Assembly).Run(args);

/// <summary>Stack text → validated settings → blueprint → text plan: all of `plan` but reading the file, for N apps.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class GeneratedStackPlan
{
    private string _yaml = "";

    [Params(10, 100, 200, 1000)]
    public int Apps { get; set; }

    [GlobalSetup]
    public void Setup() => _yaml = StackGenerator.Yaml(Apps);

    [Benchmark]
    public int Plan() => PlanText.Render(BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "bench", _yaml)))).Length;
}

/// <summary>The same for the shipped stacks, read from their files.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ShippedStackPlan
{
    private string _projectDir = "";

    [Params("staging", "prod", "scale")]
    public string Stack { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _projectDir = StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory())
        ?? throw new InvalidOperationException("Run from the repository (Pulumi.yaml not found).");

    [Benchmark]
    public int Plan() => PlanText.Render(BlueprintBuilder.Build(SettingsReader.Load(_projectDir, Stack))).Length;
}
