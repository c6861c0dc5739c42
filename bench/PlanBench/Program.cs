using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

// dotnet run -c Release --project bench/PlanBench            (all benchmarks)
// dotnet run -c Release --project bench/PlanBench -- --filter '*Generated*'
BenchmarkSwitcher.FromAssembly(typeof(PlanBenchmarks).Assembly).Run(args);

/// <summary>Settings → validated settings → blueprint → text plan, the whole of what `plan` does after reading the files.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PlanBenchmarks
{
    private string _projectDir = "";
    private string _generated = "";

    [Params(10, 50, 100, 200)]
    public int Apps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _projectDir = StackFiles.FindProjectDirectory(AppContext.BaseDirectory) ?? StackFiles.FindProjectDirectory(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("Run from the repository (Pulumi.yaml not found).");
        _generated = StackGenerator.Yaml(Apps);
    }

    [Benchmark]
    public int GeneratedStack() =>
        PlanText.Render(BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "bench", _generated)))).Length;

    [Benchmark(Baseline = true)]
    public int ShippedProd() => PlanText.Render(BlueprintBuilder.Build(SettingsReader.Load(_projectDir, "prod"))).Length;

    [Benchmark]
    public int ShippedStaging() => PlanText.Render(BlueprintBuilder.Build(SettingsReader.Load(_projectDir, "staging"))).Length;
}
