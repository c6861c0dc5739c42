using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>One value from a stack file: its YAML node, or, for a <c>secure:</c> value, only the fact that it is set.</summary>
public sealed record ConfigValue(YamlNode? Node, bool IsSecure)
{
    /// <summary>A secret whose stack-file value is still the shipped placeholder (see <see cref="StackFiles.PlaceholderPrefix"/>).</summary>
    public bool IsPlaceholder { get; init; }
}

/// <summary>The raw config of one stack: the project's name and every <c>platform:</c> key of <c>Pulumi.&lt;stack&gt;.yaml</c>.</summary>
public sealed record ConfigDocument(
    string Project,
    string Stack,
    ImmutableSortedDictionary<string, ConfigValue> Values,
    ImmutableArray<SettingsError> Errors);

/// <summary>
/// Reads the same files the Pulumi CLI reads: <c>Pulumi.yaml</c> (project name) and
/// <c>Pulumi.&lt;stack&gt;.yaml</c> (the stack's values). Secret (<c>secure:</c>) values stay opaque.
/// </summary>
public static class StackFiles
{
    public const string ProjectFile = "Pulumi.yaml";

    public static string StackFile(string stack) => $"Pulumi.{stack}.yaml";

    /// <summary>The nearest directory at or above <paramref name="start"/> holding a <c>Pulumi.yaml</c>.</summary>
    public static string? FindProjectDirectory(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ProjectFile))) return dir.FullName;
        }
        return null;
    }

    /// <summary>The stacks that have a file next to <c>Pulumi.yaml</c>.</summary>
    public static ImmutableArray<string> AvailableStacks(string projectDir) =>
        Directory.EnumerateFiles(projectDir, "Pulumi.*.yaml")
            .Select(f => Path.GetFileName(f)["Pulumi.".Length..^".yaml".Length])
            .Order(StringComparer.Ordinal).ToImmutableArray();

    public static ConfigDocument Load(string projectDir, string stack)
    {
        var errors = ImmutableArray.CreateBuilder<SettingsError>();
        var project = SettingsSchema.Namespace;
        var projectPath = Path.Combine(projectDir, ProjectFile);
        if (ParseFile(projectPath, errors) is { } projectRoot
            && projectRoot.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode)
            && nameNode is YamlScalarNode { Value: { } name })
        {
            project = name;
        }

        var stackPath = Path.Combine(projectDir, StackFile(stack));
        if (!File.Exists(stackPath))
        {
            var available = AvailableStacks(projectDir);
            errors.Add(new SettingsError("stack", $"There is no stack '{stack}' ({StackFile(stack)} not found).",
                available.IsEmpty ? $"Create {StackFile(stack)}." : $"Use one of: {string.Join(", ", available)}, or create {StackFile(stack)}."));
            return new ConfigDocument(project, stack, ImmutableSortedDictionary<string, ConfigValue>.Empty, errors.ToImmutable());
        }

        var text = File.ReadAllText(stackPath);
        return Parse(project, stack, text, StackFile(stack), errors);
    }

    /// <summary>Parses a stack file's text (used by <see cref="Load"/> and by tests).</summary>
    public static ConfigDocument Parse(string project, string stack, string text, string fileName = "stack file",
        ImmutableArray<SettingsError>.Builder? errors = null)
    {
        errors ??= ImmutableArray.CreateBuilder<SettingsError>();
        var values = ImmutableSortedDictionary.CreateBuilder<string, ConfigValue>(StringComparer.Ordinal);
        var root = ParseText(text, fileName, errors);
        if (root is null) return new ConfigDocument(project, stack, values.ToImmutable(), errors.ToImmutable());

        if (!root.Children.TryGetValue(new YamlScalarNode("config"), out var configNode) || configNode is not YamlMappingNode config)
        {
            errors.Add(new SettingsError(fileName, "has no 'config:' mapping.", "Put the stack's settings under 'config:', e.g. 'config:\\n  platform:domain: example.com'."));
            return new ConfigDocument(project, stack, values.ToImmutable(), errors.ToImmutable());
        }

        foreach (var (keyNode, valueNode) in config.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var colon = key.IndexOf(':');
            if (colon <= 0)
            {
                errors.Add(new SettingsError(key, "is not namespaced.", $"Write it as '{project}:{key}'."));
                continue;
            }
            var ns = key[..colon];
            var name = key[(colon + 1)..];
            if (ns != project)
            {
                if (!SettingsSchema.ProviderNamespaces.Contains(ns))
                {
                    errors.Add(new SettingsError(key, $"uses the unknown namespace '{ns}'.",
                        $"Use '{project}:' for platform settings, or a provider namespace ({string.Join(", ", SettingsSchema.ProviderNamespaces.Order())})."));
                }
                continue;
            }
            var secure = IsSecure(valueNode);
            values[name] = new ConfigValue(secure ? null : valueNode, secure) { IsPlaceholder = IsPlaceholder(valueNode) };
        }
        return new ConfigDocument(project, stack, values.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>Whether a node is a Pulumi secret (<c>secure: …</c>), directly or anywhere below it.</summary>
    public static bool IsSecure(YamlNode node) =>
        node is YamlMappingNode { Children.Count: 1 } m && m.Children.First().Key is YamlScalarNode { Value: "secure" };

    /// <summary>
    /// The ciphertext marker the shipped stack files hold where an encrypted value goes. Pulumi cannot
    /// decrypt it and stops with "failed to decrypt" and no hint, so <c>plan</c> names every one left.
    /// </summary>
    public const string PlaceholderPrefix = "v1:REPLACE-ME";

    /// <summary>Whether <paramref name="node"/> is a <c>secure:</c> value that is still the shipped placeholder.</summary>
    public static bool IsPlaceholder(YamlNode node) =>
        IsSecure(node) && ((YamlMappingNode)node).Children.First().Value is YamlScalarNode { Value: { } text }
        && text.StartsWith(PlaceholderPrefix, StringComparison.Ordinal);

    private static YamlMappingNode? ParseFile(string path, ImmutableArray<SettingsError>.Builder errors)
    {
        if (!File.Exists(path))
        {
            errors.Add(new SettingsError(ProjectFile, "not found.", "Run the command from the project directory (the one with Pulumi.yaml)."));
            return null;
        }
        return ParseText(File.ReadAllText(path), Path.GetFileName(path), errors);
    }

    private static YamlMappingNode? ParseText(string text, string fileName, ImmutableArray<SettingsError>.Builder errors)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                errors.Add(new SettingsError(fileName, "is empty or not a YAML mapping.", "Start it with 'config:'."));
                return null;
            }
            return root;
        }
        catch (YamlException e)
        {
            errors.Add(new SettingsError($"{fileName}:{e.Start.Line}:{e.Start.Column}", $"is not valid YAML ({e.Message}).",
                "Fix the YAML syntax at that line (indentation, a missing ':' or an unclosed quote)."));
            return null;
        }
    }
}
