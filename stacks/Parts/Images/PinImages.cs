using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Images;

/// <summary>
/// <c>pin-images --stack S</c>: resolves the digest of every registry image stack S deploys (its apps' and the platform's),
/// writes them to <c>platform:imageDigests</c> in <c>Pulumi.S.yaml</c> (dropping those of images it no longer deploys), and
/// prints what moved and the review of the change (<c>plan --against</c> the file as it was). Nothing is written unless every
/// image resolved; every failure is printed.
/// </summary>
public static class PinImages
{
    public static async Task<int> RunAsync(string projectDir, string stack, RegistryResolver resolver, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var path = Path.Combine(projectDir, StackFiles.StackFile(stack));
        var outcome = PlanCommand.Evaluate(projectDir, stack, "text");
        if (outcome.ExitCode != PlanCommand.ExitOk)
        {
            stderr.Write(outcome.Stderr);
            return outcome.ExitCode;
        }
        var settings = SettingsReader.Load(projectDir, stack);
        var images = ImageDigests.Pullable(BlueprintBuilder.Build(settings));
        var resolved = new string?[images.Length];
        var problems = new string?[images.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, images.Length), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var (reference, problem) = ImageReference.Parse(images[i]);
            (resolved[i], problems[i]) = reference is null ? (null, problem) : await resolver.ResolveAsync(reference, token);
        });
        var failed = Enumerable.Range(0, images.Length).Where(i => resolved[i] is null).ToList();
        if (failed.Count > 0)
        {
            foreach (var i in failed) stderr.WriteLine($"error: {images[i]}: {problems[i]}");
            stderr.WriteLine($"{failed.Count} of {images.Length} images could not be resolved; {StackFiles.StackFile(stack)} was not changed.");
            return 1;
        }
        var digests = images.Select((image, i) => KeyValuePair.Create(image, resolved[i]!)).ToImmutableSortedDictionary(StringComparer.Ordinal);
        var before = File.ReadAllText(path);
        var (after, error) = ImageDigests.Write(before, digests);
        if (after is null)
        {
            stderr.WriteLine($"{path}: {error}");
            return 1;
        }
        foreach (var (image, digest) in digests)
            stdout.WriteLine(settings.ImageDigests.TryGetValue(image, out var old)
                ? old == digest ? $"{image}: {digest} (unchanged)" : $"{image}: {old} -> {digest}"
                : $"{image}: {digest} (new)");
        foreach (var stale in settings.ImageDigests.Keys.Where(k => !digests.ContainsKey(k)))
            stdout.WriteLine($"{stale}: removed (the stack no longer deploys it)");
        if (after == before)
        {
            stdout.WriteLine($"{StackFiles.StackFile(stack)}: no digest moved.");
            return 0;
        }
        File.WriteAllText(path, after);
        stdout.WriteLine($"{StackFiles.StackFile(stack)}: {digests.Count} digests recorded; commit it. The review:");
        return PlanCommand.Review(projectDir, stack, before, StackFiles.StackFile(stack) + " (before pin-images)", stdout, stderr);
    }
}
