using System.Collections.Immutable;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>
/// The settings as Pulumi hands them to the program (the <c>PULUMI_CONFIG</c> map and the list of
/// secret keys): the stack file merged with Pulumi ESC environments, <c>--config</c> flags and
/// <c>config set --path</c> edits. It yields the same <see cref="ConfigDocument"/> as the stack file
/// does, so both go through one reader and one validation. Secret values are never kept: a secret
/// key, or every leaf of a secret object, becomes a <c>secure:</c> marker that says only "set".
/// </summary>
public static class PulumiConfig
{
    /// <summary>The environment variables Pulumi's language host sets for the program (read the same way by the Pulumi SDK).</summary>
    public const string ConfigVariable = "PULUMI_CONFIG";
    public const string SecretKeysVariable = "PULUMI_CONFIG_SECRET_KEYS";

    /// <summary>Reads the config from the process environment, as the Pulumi SDK itself does.</summary>
    public static ConfigDocument FromEnvironment(string project, string stack) =>
        Parse(project, stack, Environment.GetEnvironmentVariable(ConfigVariable), Environment.GetEnvironmentVariable(SecretKeysVariable));

    /// <summary>Parses the JSON of <c>PULUMI_CONFIG</c> and <c>PULUMI_CONFIG_SECRET_KEYS</c>.</summary>
    public static ConfigDocument Parse(string project, string stack, string? configJson, string? secretKeysJson)
    {
        var errors = ImmutableArray.CreateBuilder<SettingsError>();
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        var secretKeys = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (!string.IsNullOrWhiteSpace(configJson))
                foreach (var p in JsonDocument.Parse(configJson).RootElement.EnumerateObject())
                    config[CleanKey(p.Name)] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            if (!string.IsNullOrWhiteSpace(secretKeysJson))
                foreach (var k in JsonDocument.Parse(secretKeysJson).RootElement.EnumerateArray())
                    if (k.GetString() is { } key) secretKeys.Add(CleanKey(key));
        }
        catch (JsonException e)
        {
            errors.Add(new SettingsError(ConfigVariable, $"is not the JSON Pulumi writes ({e.Message}).", "Run the program through the Pulumi CLI."));
            return new ConfigDocument(project, stack, ImmutableSortedDictionary<string, ConfigValue>.Empty, errors.ToImmutable());
        }
        return FromMap(project, stack, config, secretKeys, errors);
    }

    /// <summary>The config map (keys "namespace:name", structured values as JSON) as the reader's document.</summary>
    public static ConfigDocument FromMap(string project, string stack, IReadOnlyDictionary<string, string> config, IReadOnlySet<string> secretKeys,
        ImmutableArray<SettingsError>.Builder? errors = null)
    {
        errors ??= ImmutableArray.CreateBuilder<SettingsError>();
        var values = ImmutableSortedDictionary.CreateBuilder<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var (key, text) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var colon = key.IndexOf(':');
            if (colon <= 0 || key[..colon] != project) continue; // provider config (hcloud:token, …) is Pulumi's business
            var name = key[(colon + 1)..];
            var secret = secretKeys.Contains(key);
            var node = ToNode(text, structured: SettingsSchema.ByName.TryGetValue(name, out var def) && def.Type is SettingType.Object or SettingType.ObjectArray or SettingType.StringArray);
            if (node is null)
            {
                errors.Add(new SettingsError($"{project}:{name}", "holds JSON that cannot be read.", $"Set it again: pulumi config set --path '{name}…' <value> --stack {stack}"));
                continue;
            }
            values[name] = secret && node is YamlScalarNode
                ? new ConfigValue(null, IsSecure: true)
                : new ConfigValue(secret ? Mask(node) : node, IsSecure: false);
        }
        return new ConfigDocument(project, stack, values.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>
    /// What the Pulumi CLI hands the program for a stack file's config: every key, structured values as
    /// JSON, each secure value decrypted (here: replaced by <paramref name="secretValue"/> of its path) and
    /// its top-level key listed as secret. Used to check that both ways of reading settings agree.
    /// </summary>
    public static (Dictionary<string, string> Config, HashSet<string> SecretKeys) MapOfStackFile(string stackFileText, Func<string, string> secretValue)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var stream = new YamlStream();
        stream.Load(new StringReader(stackFileText));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var configNode = (YamlMappingNode)root.Children[new YamlScalarNode("config")];
        foreach (var (k, v) in configNode.Children)
        {
            var key = ((YamlScalarNode)k).Value!;
            var anySecret = false;
            object? Convert(YamlNode node, string path)
            {
                if (StackFiles.IsSecure(node)) { anySecret = true; return secretValue(path); }
                return node switch
                {
                    YamlMappingNode m => m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => Convert(c.Value, $"{path}.{((YamlScalarNode)c.Key).Value}")),
                    YamlSequenceNode l => l.Children.Select((c, i) => Convert(c, $"{path}[{i}]")).ToList(),
                    YamlScalarNode sc => Scalar(sc),
                    _ => null,
                };
            }
            var value = Convert(v, key[(key.IndexOf(':') + 1)..]);
            config[key] = value is string text ? text : JsonSerializer.Serialize(value);
            if (anySecret) secrets.Add(key);
        }
        return (config, secrets);
    }

    /// <summary>A YAML scalar as the CLI would type it in JSON: numbers and booleans unquoted, the rest strings.</summary>
    private static object? Scalar(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        if (node.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) return text;
        if (text is "true" or "false") return text == "true";
        if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        return text;
    }

    /// <summary>Pulumi's own key normalisation ("ns:config:key" → "ns:key").</summary>
    private static string CleanKey(string key)
    {
        var i = key.IndexOf(":config:", StringComparison.Ordinal);
        return i < 0 ? key : key[..i] + ":" + key[(i + ":config:".Length)..];
    }

    /// <summary>JSON is YAML: structured values parse into the same nodes a stack file gives.</summary>
    private static YamlNode? ToNode(string text, bool structured)
    {
        var trimmed = text.TrimStart();
        if (!structured && !(trimmed.StartsWith('{') || trimmed.StartsWith('['))) return new YamlScalarNode(text);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return structured ? null : new YamlScalarNode(text);
        }
    }

    /// <summary>Every leaf of a secret object becomes a <c>secure:</c> marker; the values are dropped here.</summary>
    private static YamlNode Mask(YamlNode node) => node switch
    {
        YamlMappingNode map => new YamlMappingNode(map.Children.Select(kv => new KeyValuePair<YamlNode, YamlNode>(kv.Key, Mask(kv.Value)))),
        YamlSequenceNode list => new YamlSequenceNode(list.Children.Select(Mask)),
        _ => new YamlMappingNode(new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode("secure"), new YamlScalarNode("set in Pulumi's config"))),
    };
}
