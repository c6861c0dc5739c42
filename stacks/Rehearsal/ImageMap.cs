using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Rehearsal;

/// <summary>The image a pinned image is swapped for; a stand-in keeps only the contract (ports, health command, user).</summary>
public sealed record LocalImage(string Image, bool StandIn);

/// <summary>
/// The <c>--images</c> file: pinned image → local image, in YAML or JSON. A key is a full reference
/// (<c>redis:7.4.2-alpine</c>), a repository (<c>redis</c>: every tag of it) or <c>*</c> (every other image).
/// A value is the local image, or <c>{ image: …, standIn: true }</c>.
/// </summary>
public sealed record ImageMap(ImmutableSortedDictionary<string, LocalImage> Entries)
{
    public static readonly ImageMap None = new(ImmutableSortedDictionary<string, LocalImage>.Empty);

    /// <summary>Parses the file's text; every problem is one line naming the key and the fix.</summary>
    public static (ImageMap? Map, ImmutableArray<string> Errors) Parse(string text, string source)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            return (null, [$"{source}: not YAML or JSON ({e.Message}). Write one 'pinned-image: local-image' per line."]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            return (null, [$"{source}: expected a map of pinned image to local image, e.g. 'redis: platform-local/redis:1'."]);
        var entries = ImmutableSortedDictionary.CreateBuilder<string, LocalImage>(StringComparer.Ordinal);
        foreach (var (k, v) in root.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (key.Length == 0) { errors.Add($"{source}: an empty key; use a pinned image, a repository or \"*\"."); continue; }
            LocalImage? image = v switch
            {
                YamlScalarNode { Value: { Length: > 0 } s } => new LocalImage(s, StandIn: false),
                YamlMappingNode m => FromMapping(m),
                _ => null,
            };
            if (image is null)
                errors.Add($"{source}: '{key}': expected a local image name or {{ image: <name>, standIn: true|false }}.");
            else
                entries[key] = image;
        }
        return errors.Count > 0 ? (null, errors.ToImmutable()) : (new ImageMap(entries.ToImmutable()), []);

        static LocalImage? FromMapping(YamlMappingNode m)
        {
            string? Get(string name) => m.Children.TryGetValue(new YamlScalarNode(name), out var n) ? (n as YamlScalarNode)?.Value : null;
            var image = Get("image");
            var standIn = Get("standIn");
            if (string.IsNullOrEmpty(image) || standIn is not (null or "true" or "false")) return null;
            return new LocalImage(image, standIn == "true");
        }
    }

    /// <summary>The local image for <paramref name="pinned"/> and the key that chose it; null keeps the pinned image.</summary>
    public (LocalImage Image, string Key)? Resolve(string pinned)
    {
        if (Entries.TryGetValue(pinned, out var exact)) return (exact, pinned);
        var repository = Repository(pinned);
        if (Entries.TryGetValue(repository, out var repo)) return (repo, repository);
        return Entries.TryGetValue("*", out var any) ? (any, "*") : null;
    }

    /// <summary>The repository of an image reference: without its digest and tag.</summary>
    public static string Repository(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var r = at >= 0 ? reference[..at] : reference;
        var colon = r.LastIndexOf(':');
        return colon > r.LastIndexOf('/') ? r[..colon] : r;
    }
}
