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
public static partial class StackFiles
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

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex StackNameRegex();

    /// <summary>Whether <paramref name="stack"/> is a stack name Pulumi accepts (and so names a file next to Pulumi.yaml, never one elsewhere).</summary>
    public static bool IsStackName(string stack) => StackNameRegex().IsMatch(stack) && stack is not "." and not "..";

    public static ConfigDocument Load(string projectDir, string stack)
    {
        if (!IsStackName(stack))
        {
            return new ConfigDocument(SettingsSchema.Namespace, stack, ImmutableSortedDictionary<string, ConfigValue>.Empty,
            [
                new SettingsError("--stack", $"'{SettingsError.Printable(stack)}' is not a stack name.",
                    "Give the stack's name as in Pulumi.<stack>.yaml: letters, digits, '-', '_' and '.', e.g. --stack staging."),
            ]);
        }
        var projectPath = Path.Combine(projectDir, ProjectFile);
        var stackPath = Path.Combine(projectDir, StackFile(stack));
        var projectText = File.Exists(projectPath) ? File.ReadAllText(projectPath) : null;
        if (!File.Exists(stackPath))
        {
            var doc = FromTexts(projectText, stack, "");
            var available = AvailableStacks(projectDir);
            return doc with
            {
                Values = ImmutableSortedDictionary<string, ConfigValue>.Empty,
                Errors = doc.Errors.Where(e => !e.Key.StartsWith(StackFile(stack), StringComparison.Ordinal)).Append(
                    new SettingsError("--stack", $"There is no stack '{stack}' ({StackFile(stack)} not found).",
                        available.IsEmpty ? $"Create {StackFile(stack)}." : $"Use one of: {string.Join(", ", available)}, or create {StackFile(stack)}.")).ToImmutableArray(),
            };
        }
        return FromTexts(projectText, stack, File.ReadAllText(stackPath));
    }

    /// <summary>
    /// The stack as <see cref="Load"/> reads it, from the two files' texts: <paramref name="projectText"/> is
    /// Pulumi.yaml's (null: the file is missing), <paramref name="stackText"/> Pulumi.&lt;stack&gt;.yaml's.
    /// </summary>
    public static ConfigDocument FromTexts(string? projectText, string stack, string stackText, string? stackFileName = null)
    {
        var errors = ImmutableArray.CreateBuilder<SettingsError>();
        var project = SettingsSchema.Namespace;
        if (projectText is null)
            errors.Add(new SettingsError(ProjectFile, "not found.", "Run the command from the project directory (the one with Pulumi.yaml)."));
        else if (ParseText(projectText, ProjectFile, errors) is { } projectRoot
            && projectRoot.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode))
        {
            if (nameNode is YamlScalarNode { Value: { } name } && Names.IsLabel(name))
                project = name;
            else
                errors.Add(new SettingsError($"{ProjectFile}: name", $"'{SettingsError.Printable((nameNode as YamlScalarNode)?.Value ?? "(not a string)")}' is not a usable project name.",
                    $"Name the project with lower-case letters, digits and hyphens (it is part of the server's host name and of every config key), e.g. 'name: {SettingsSchema.Namespace}'."));
        }
        return Parse(project, stack, stackText, stackFileName ?? StackFile(stack), errors);
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
                if (keyNode is not YamlScalarNode { Value: { } key })
            {
                errors.Add(new SettingsError($"{fileName}: config", $"has a {(keyNode is YamlSequenceNode ? "list" : "mapping")} as a key.",
                    $"Write each setting as '{project}:<name>: <value>' on its own line."));
                continue;
            }
            // Errors about keys that are not the platform's name the file, since the key may not be ours to name.
            var colon = key.IndexOf(':');
            if (colon <= 0)
            {
                errors.Add(new SettingsError($"{fileName}: {key}", "is not namespaced.", $"Write it as '{project}:{key}'."));
                continue;
            }
            var ns = key[..colon];
            var name = key[(colon + 1)..];
            if (ns != project)
            {
                if (!SettingsSchema.ProviderNamespaces.Contains(ns))
                {
                    var known = SettingsSchema.ProviderNamespaces.Append(project).Order(StringComparer.Ordinal).ToList();
                    errors.Add(new SettingsError($"{fileName}: {key}", $"uses the unknown namespace '{ns}'.",
                        NodeReader.Suggest(ns, known) is var hint && hint.StartsWith("Did you mean", StringComparison.Ordinal)
                            ? $"Did you mean '{NodeReader.Closest(ns, known)}:{name}'?"
                            : $"Use '{project}:' for platform settings, or a provider namespace ({string.Join(", ", SettingsSchema.ProviderNamespaces.Order())})."));
                }
                else if (ProviderCredentials.Contains(key) && !IsSecure(valueNode))
                    errors.Add(new SettingsError($"{fileName}: {key}", "is a provider credential in plain text: anyone who can read the repository (or its history) can use it.",
                        $"Delete the line, run `pulumi config set --secret {key} <value> --stack {stack}` (it stores the value encrypted), and rotate the credential, since it is in the file's history."));
                continue;
            }
            var secure = IsSecure(valueNode);
            values[name] = new ConfigValue(secure ? null : valueNode, secure) { IsPlaceholder = IsPlaceholder(valueNode) };
        }
        return new ConfigDocument(project, stack, values.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>The providers' credentials a stack file may hold only as Pulumi secrets (<c>secure:</c>).</summary>
    public static readonly System.Collections.Frozen.FrozenSet<string> ProviderCredentials =
        System.Collections.Frozen.FrozenSet.ToFrozenSet(["hcloud:token", "cloudflare:apiToken", "cloudflare:apiKey", "cloudflare:apiUserServiceKey"], StringComparer.Ordinal);

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
        catch (Exception e) when (e is InvalidOperationException or (ArgumentException and not ArgumentNullException))
        {
            // YamlDotNet's parser gives up this way on some broken input: '[' before a mapping entry
            // (InvalidOperationException), a ': ' that starts a line inside a mapping (ArgumentException).
            errors.Add(new SettingsError(fileName, "is not valid YAML (an unclosed '[' or '{', a flow collection mixed with indented entries, or a line that starts with ':').",
                "Check the brackets and braces (every '[' needs its ']' and every '{' its '}' on the same value) and that every line is 'key: value' or '- item'."));
            return null;
        }
    }
}
