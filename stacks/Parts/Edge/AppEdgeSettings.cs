using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Edge;

/// <summary>Reads the edge's keys of an app entry (<c>cache</c>, <c>staticFiles</c>), so the app reader only hands them over.</summary>
internal static class AppEdgeSettings
{
    public static readonly string[] Keys = ["cache", "staticFiles"];

    /// <summary><paramref name="app"/> with its edge settings from the app's mapping <paramref name="m"/> (key <paramref name="appKey"/>).</summary>
    public static AppSettings Read(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string appKey, AppSettings app) => app with
    {
        Cache = CacheRules.Read(r, m.GetValueOrDefault("cache"), appKey),
        StaticFiles = StaticFiles.Read(r, m.GetValueOrDefault("staticFiles"), appKey),
    };
}
