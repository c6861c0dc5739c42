using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Settings.Schema;

/// <summary>
/// The committed JSON Schema of the stack files, and stack files as an editor's YAML language server sees them:
/// YAML turned into JSON by YAML 1.2's core schema (a plain <c>8080</c> is a number, <c>true</c> a boolean,
/// <c>~</c> or nothing null, a quoted scalar a string), then validated with JsonSchema.Net.
/// </summary>
public static partial class StackSchema
{
    public static string CommittedText => File.ReadAllText(Path.Combine(TestStacks.RepoRoot, JsonSchemaWriter.RepositoryPath));

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(CommittedText));

    /// <summary>The schema's complaints about a stack file's text (empty: it conforms).</summary>
    public static IReadOnlyList<string> Problems(string stackText)
    {
        var json = ToJson(stackText);
        var result = Schema.Value.Evaluate(JsonSerializer.SerializeToElement(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        return [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid, without details")];
    }

    /// <summary>The stack file as JSON, as a YAML 1.2 language server reads it.</summary>
    public static JsonNode? ToJson(string yamlText)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yamlText));
        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(KeyText(kv.Key), ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode s => Scalar(s),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    private static string KeyText(YamlNode key) => key is YamlScalarNode { Value: { } text } ? text : $"<{key.NodeType}>";

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        if (s.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (IntRegex().IsMatch(text) && decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return JsonValue.Create(i);
        if (FloatRegex().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f))
            return JsonNode.Parse(f.ToString("R", CultureInfo.InvariantCulture));
        // Octal, hexadecimal, .inf and .nan are numbers to YAML too, but none has a JSON form: the text stays a string.
        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntRegex();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();

    /// <summary>Whether the reader accepts the stack text (as stack <c>staging</c> of the shipped project).</summary>
    public static bool ReaderAccepts(string stackText, string stack = "staging") =>
        SettingsReader.TryRead(StackFiles.FromTexts(ProjectText, stack, stackText)).Errors.Count == 0;

    public static IReadOnlyList<SettingsError> ReaderErrors(string stackText, string stack = "staging") =>
        SettingsReader.TryRead(StackFiles.FromTexts(ProjectText, stack, stackText)).Errors;

    public static string ProjectText { get; } = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, StackFiles.ProjectFile));
}
