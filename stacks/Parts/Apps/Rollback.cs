using System.Collections.Immutable;
using System.Text.Json;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Blueprint;

/// <summary>The image an app runs since the last successful deploy, and the one it ran before that (null: none known).</summary>
public sealed record AppRelease(string Image, string? Previous);

/// <summary>
/// Releases and rollback. Every <c>up</c> exports <see cref="Output"/>: per app its image and the image before it. Pulumi
/// keeps a stack's outputs from the last update that completed, so the workflow hands that output back to the next run
/// (<see cref="LastDeployKey"/>, set in its workspace only) and <see cref="Next"/> carries the previous image forward
/// unless the image changes. A rollback puts the previous image into the app's entry of the stack file
/// (<see cref="RollBack"/>): only that app's containers are replaced.
/// </summary>
public static class Rollback
{
    /// <summary>The stack output of the releases (JSON).</summary>
    public const string Output = "appReleases";

    /// <summary>The setting through which a run receives the last successful deploy's <see cref="Output"/>.</summary>
    public const string LastDeployKey = "lastDeployReleases";

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Reads an <see cref="Output"/> value; null with the reason when it is not one.</summary>
    public static (ImmutableSortedDictionary<string, AppRelease>? Releases, string? Problem) Parse(string json)
    {
        try
        {
            var map = JsonSerializer.Deserialize<Dictionary<string, AppRelease>>(json, Options);
            if (map is null || map.Values.Any(r => r is null || string.IsNullOrWhiteSpace(r.Image)))
                return (null, "is not a map of app name to { image, previous }.");
            return (ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, map), null);
        }
        catch (JsonException e)
        {
            return (null, $"is not JSON: {e.Message}");
        }
    }

    /// <summary>This deploy's releases: an app whose image changed keeps the image it ran as its previous one.</summary>
    public static ImmutableSortedDictionary<string, AppRelease> Next(IReadOnlyDictionary<string, AppRelease> deployed, IEnumerable<AppSettings> apps) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, apps.Select(a => KeyValuePair.Create(a.Name,
            deployed.TryGetValue(a.Name, out var last)
                ? new AppRelease(a.Image, last.Image != a.Image ? last.Image : last.Previous)
                : new AppRelease(a.Image, null))));

    public static string Json(IReadOnlyDictionary<string, AppRelease> releases) =>
        JsonSerializer.Serialize(new SortedDictionary<string, AppRelease>(releases.ToDictionary(), StringComparer.Ordinal), Options);

    /// <summary>
    /// The stack file with <paramref name="app"/>'s image set to <paramref name="image"/>, every other character kept (the
    /// image's scalar is replaced where the parser found it, so comments and layout stay); the error names what is missing.
    /// </summary>
    public static (string? Text, string? Problem) RollBack(string stackText, string app, string image)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(image, @"^[A-Za-z0-9][A-Za-z0-9._:/@-]*$"))
            return (null, $"'{image}' is not an image reference.");
        var stream = new YamlStream();
        stream.Load(new StringReader(stackText));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("config"), out var configNode) || configNode is not YamlMappingNode config
            || !config.Children.TryGetValue(new YamlScalarNode("platform:apps"), out var appsNode) || appsNode is not YamlSequenceNode apps)
            return (null, "the stack file has no platform:apps list.");
        var entry = apps.Children.OfType<YamlMappingNode>().FirstOrDefault(m =>
            m.Children.TryGetValue(new YamlScalarNode("name"), out var n) && (n as YamlScalarNode)?.Value == app);
        if (entry is null) return (null, $"the stack has no app '{app}'.");
        if (!entry.Children.TryGetValue(new YamlScalarNode("image"), out var current) || current is not YamlScalarNode scalar)
            return (null, $"the app '{app}' has no image.");
        var (start, end) = ((int)scalar.Start.Index, (int)scalar.End.Index);
        return (stackText[..start] + image + stackText[end..], null);
    }

    /// <summary>
    /// <c>rollback --stack S --app A --releases FILE</c>: rewrites <c>Pulumi.S.yaml</c> with A's previous image from FILE (the
    /// <see cref="Output"/> of the last successful deploy) and prints the review of the change (<c>plan --against</c> the file
    /// as it was). Exit 1 when there is nothing to roll back to.
    /// </summary>
    public static int Run(string projectDir, string stack, string app, string releasesFile, TextWriter stdout, TextWriter stderr)
    {
        var (releases, problem) = Parse(File.ReadAllText(releasesFile));
        if (releases is null)
        {
            stderr.WriteLine($"{releasesFile} {problem} Write it with: pulumi stack output {Output} --stack {stack} > {releasesFile}");
            return 1;
        }
        if (!releases.TryGetValue(app, out var release) || release.Previous is null)
        {
            stderr.WriteLine($"{app}: no previous release recorded on {stack} (its image has not changed since the releases were first recorded); nothing to roll back to.");
            return 1;
        }
        var path = Path.Combine(projectDir, StackFiles.StackFile(stack));
        var before = File.ReadAllText(path);
        var (after, error) = RollBack(before, app, release.Previous);
        if (after is null)
        {
            stderr.WriteLine($"{path}: {error}");
            return 1;
        }
        File.WriteAllText(path, after);
        stdout.WriteLine($"{app} on {stack}: {release.Image} -> {release.Previous} (in {StackFiles.StackFile(stack)}; commit it, or the next deploy from the branch brings {release.Image} back)");
        return PlanCommand.Review(projectDir, stack, before, StackFiles.StackFile(stack) + " (before the rollback)", stdout, stderr);
    }
}
