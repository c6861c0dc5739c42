using System.Collections.Immutable;
using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Images;

/// <summary>
/// Images by digest (<c>platform:imageDigests</c>): the stack names images by tag (apps' <c>image</c>, the platform's
/// catalog), and <c>pin-images</c> records the digest each tag had when it ran. What deploys is then <c>image@digest</c>
/// (Docker pulls exactly that manifest; the tag is kept for readers), so a tag moved on the registry changes nothing until
/// <c>pin-images</c> runs again, and that run is a reviewed change of the stack file (<c>plan --against</c> shows every
/// container whose image's digest moved). Images built on the server (<see cref="ServiceSpec.ImageBuiltBy"/>) are in no
/// registry and deploy as built.
/// </summary>
public static class ImageDigests
{
    public const string Name = "imageDigests";
    public const string Key = "platform:" + Name;

    /// <summary>Reads the mapping of image reference (as the stack or catalog writes it) to <c>sha256:…</c> digest.</summary>
    internal static ImmutableSortedDictionary<string, string> Read(NodeReader r, YamlNode? node)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (node is null) return result.ToImmutable();
        if (node is not YamlMappingNode map)
        {
            r.Error(Key, "must be a mapping of image reference to digest.", "Let pin-images write it: dotnet run --project stacks -- pin-images --stack <stack>.");
            return result.ToImmutable();
        }
        foreach (var (k, v) in map.Children)
        {
            var image = (k as YamlScalarNode)?.Value ?? "";
            var key = $"{Key}.{image}";
            var (reference, problem) = ImageReference.Parse(image);
            if (reference is null || reference.Digest is not null)
            {
                r.Error(key, $"'{image}' is not an image reference by tag: {problem ?? "it already holds a digest"}.", "Name the image as the stack does (e.g. ghcr.io/acme/api:1.4.0), or let pin-images write the mapping.");
                continue;
            }
            var digest = r.String(v, key).Trim();
            if (!ImageReference.IsDigest(digest))
            {
                r.Error(key, $"'{digest}' is not a digest.", "Give sha256: and 64 lower-case hexadecimal digits, as pin-images or `docker buildx imagetools inspect` print it.");
                continue;
            }
            result[image] = digest;
        }
        return result.ToImmutable();
    }

    /// <summary>The registry images the blueprint's containers use, by reference as written (no digest), sorted.</summary>
    public static ImmutableArray<string> Pullable(PlatformBlueprint b) =>
        [.. b.Services.Where(x => x.ImageBuiltBy is null).Select(x => Strip(x.Image)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The reference without its <c>@digest</c>.</summary>
    public static string Strip(string image) => image.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? image[..at] : image;

    /// <summary>Every container whose image has a recorded digest, pinned to it (<c>image@digest</c>).</summary>
    public static PlatformBlueprint Apply(IReadOnlyDictionary<string, string> digests, PlatformBlueprint b) => digests.Count == 0 ? b : b with
    {
        Services = [.. b.Services.Select(x => x.ImageBuiltBy is null && !x.Image.Contains('@', StringComparison.Ordinal) && digests.TryGetValue(x.Image, out var d)
            ? x with { Image = $"{x.Image}@{d}" } : x)],
    };

    /// <summary>
    /// The plan's warnings: on prod, images that deploy by tag (none recorded); on every stack, recorded digests of images it
    /// no longer uses (a stale entry pins nothing).
    /// </summary>
    public static IEnumerable<string> Warnings(bool prod, string stack, IReadOnlyDictionary<string, string> digests, PlatformBlueprint b)
    {
        var pullable = Pullable(b);
        var byTag = pullable.Where(i => !digests.ContainsKey(i)).ToList();
        var pin = $"run `dotnet run --project stacks -- pin-images --stack {stack}` and commit {StackFiles.StackFile(stack)}";
        // Without counts when nothing is pinned, so adding an app does not change the warning.
        if (prod && byTag.Count == pullable.Length && byTag.Count > 0)
            yield return $"every image deploys by tag, none by a recorded digest: {pin}";
        else if (prod && byTag.Count > 0)
            yield return $"{byTag.Count} of {pullable.Length} images deploy by tag, not by a recorded digest ({string.Join(", ", byTag)}): {pin}";
        var unused = digests.Keys.Where(k => !pullable.Contains(k)).ToList();
        if (unused.Count > 0)
            yield return $"{Key} records {unused.Count} image(s) the stack does not deploy ({string.Join(", ", unused)}): pin-images removes them";
    }

    /// <summary>
    /// The stack file with <c>platform:imageDigests</c> set to <paramref name="digests"/>, every other character kept: the
    /// mapping is replaced where it is, or added at the end of the <c>config:</c> block.
    /// </summary>
    public static (string? Text, string? Problem) Write(string stackText, IReadOnlyDictionary<string, string> digests)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(stackText));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("config"), out var configNode) || configNode is not YamlMappingNode config)
            return (null, "the stack file has no config: mapping.");
        var keyIndent = config.Children.Count == 0 ? 2 : (int)config.Children.First().Key.Start.Column - 1;
        var pad = new string(' ', keyIndent);
        var block = new StringBuilder();
        block.Append(pad).Append(Key).Append(":                # written by pin-images: what deploys is image@digest\n");
        foreach (var (image, digest) in digests.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            block.Append(pad).Append("  \"").Append(image).Append("\": ").Append(digest).Append('\n');
        var existing = config.Children.FirstOrDefault(kv => (kv.Key as YamlScalarNode)?.Value == Key);
        if (existing.Key is not null)
        {
            // From the key's line to the end of its value's last line.
            var start = LineStart(stackText, (int)existing.Key.Start.Index);
            var end = LineEnd(stackText, LastIndex(existing.Value, stackText));
            return (stackText[..start] + block + stackText[end..], null);
        }
        var last = config.Children.Last();
        var after = LineEnd(stackText, LastIndex(last.Value, stackText));
        var newline = after > 0 && stackText[after - 1] != '\n' ? "\n" : "";
        return (stackText[..after] + newline + block + stackText[after..], null);
    }

    /// <summary>The index just past the node's last character (for a block mapping, its last entry's value).</summary>
    private static int LastIndex(YamlNode node, string text) => node switch
    {
        YamlMappingNode { Children.Count: > 0 } m => LastIndex(m.Children.Last().Value, text),
        YamlSequenceNode { Children.Count: > 0 } s => LastIndex(s.Children.Last(), text),
        _ => Math.Max((int)node.Start.Index, (int)node.End.Index - 1),
    };

    private static int LineStart(string text, int index) => text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;

    private static int LineEnd(string text, int index)
    {
        var nl = text.IndexOf('\n', Math.Min(index, text.Length));
        return nl < 0 ? text.Length : nl + 1;
    }
}
