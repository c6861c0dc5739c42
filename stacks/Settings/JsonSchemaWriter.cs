using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Platform.Stacks.Settings;

/// <summary>
/// The JSON Schema (draft-07) of a stack file, <c>Pulumi.&lt;stack&gt;.yaml</c>, generated from the settings' rows
/// (<see cref="SettingsSchema"/> and the parts' <see cref="ObjectDef"/>s): what editors with a YAML language server
/// (VS Code's YAML extension, JetBrains IDEs) use for completion, hover text and errors while the file is written.
/// It holds what a schema can say about one key (type, values, range, pattern, required, unknown keys); rules that
/// relate keys or settings to each other stay the reader's. Committed as <see cref="RepositoryPath"/>; a test keeps
/// the two in step (regenerate with <c>dotnet run --project stacks -- stack-schema &gt; schema/stack.schema.json</c>).
/// </summary>
public static class JsonSchemaWriter
{
    public const string RepositoryPath = "schema/stack.schema.json";

    /// <summary>The comment the shipped stack files start with, so editors find the schema.</summary>
    public const string ModelineComment = "# yaml-language-server: $schema=./" + RepositoryPath;

    /// <summary>Top-level keys of a Pulumi stack file besides <c>config</c> (Pulumi's <c>ProjectStack</c>).</summary>
    private static readonly (string Name, string Description)[] StackFileKeys =
    [
        ("secretsprovider", "Where the stack's secrets are encrypted (Pulumi: pulumi stack change-secrets-provider)."),
        ("encryptedkey", "The stack's data key, encrypted by the secrets provider (written by Pulumi)."),
        ("encryptionsalt", "Salt of the passphrase secrets provider (written by Pulumi)."),
    ];

    public static string Render()
    {
        var objects = new SortedDictionary<string, ObjectDef>(StringComparer.Ordinal);
        foreach (var def in SettingsSchema.All) Collect(def.AsField(), objects);

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
            w.WriteString("title", "Pulumi.<stack>.yaml of the platform");
            w.WriteString("description", $"A stack's settings. Generated from the settings schema by `dotnet run --project stacks -- stack-schema`; do not edit {RepositoryPath} by hand.");
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            w.WriteStartObject("config");
            w.WriteString("description", $"The stack's settings: {SettingsSchema.Namespace}:<name> keys, and the providers' own ({string.Join(", ", SettingsSchema.ProviderNamespaces.Order(StringComparer.Ordinal))}).");
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            foreach (var def in SettingsSchema.All)
            {
                w.WritePropertyName(def.Key);
                WriteField(w, def.AsField());
            }
            foreach (var credential in StackFiles.ProviderCredentials.Order(StringComparer.Ordinal))
            {
                w.WriteStartObject(credential);
                w.WriteString("description", "A provider credential: only as a secret (pulumi config set --secret).");
                w.WriteString("$ref", "#/definitions/secret");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("patternProperties");
            w.WriteStartObject($"^({string.Join("|", SettingsSchema.ProviderNamespaces.Order(StringComparer.Ordinal))}):.");
            w.WriteString("description", "A provider's own setting, passed to it unchecked.");
            w.WriteEndObject();
            w.WriteEndObject();
            WriteRequired(w, SettingsSchema.All.Select(d => d.AsField()).Where(f => f.Required).Select(f => f.Name));
            w.WriteBoolean("additionalProperties", false);
            w.WriteEndObject();
            foreach (var (name, description) in StackFileKeys)
            {
                w.WriteStartObject(name);
                w.WriteString("description", description);
                w.WriteString("type", "string");
                w.WriteEndObject();
            }
            w.WriteStartObject("environment");
            w.WriteString("description", "Pulumi ESC environments the stack imports.");
            w.WriteEndObject();
            w.WriteEndObject();
            WriteRequired(w, ["config"]);
            w.WriteBoolean("additionalProperties", false);

            w.WriteStartObject("definitions");
            w.WriteStartObject("secret");
            w.WriteString("description", "A secret, encrypted: set it with pulumi config set --secret (--path for a nested one); never in plain text.");
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            w.WriteStartObject("secure");
            w.WriteString("type", "string");
            w.WriteEndObject();
            w.WriteEndObject();
            WriteRequired(w, ["secure"]);
            w.WriteBoolean("additionalProperties", false);
            w.WriteEndObject();
            foreach (var o in objects.Values) WriteObject(w, o);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Every object shape reachable from <paramref name="field"/>, by name; two different shapes may not share one.</summary>
    private static void Collect(FieldDef field, SortedDictionary<string, ObjectDef> objects)
    {
        if (field.Values is { } values) Collect(values, objects);
        if (field.Shape is not { } shape) return;
        if (objects.TryGetValue(shape.Name, out var known))
        {
            if (!ReferenceEquals(known, shape) && !known.Keys.SequenceEqual(shape.Keys))
                throw new InvalidOperationException($"Two object shapes are named '{shape.Name}'.");
            return;
        }
        objects[shape.Name] = shape;
        foreach (var f in shape.Fields) Collect(f, objects);
    }

    private static void WriteObject(Utf8JsonWriter w, ObjectDef o)
    {
        w.WriteStartObject(o.Name);
        w.WriteString("description", o.Description);
        w.WriteString("type", "object");
        w.WriteStartObject("properties");
        foreach (var f in o.Fields)
        {
            w.WritePropertyName(f.Name);
            WriteField(w, f);
        }
        w.WriteEndObject();
        WriteRequired(w, o.Fields.Where(f => f.Required).Select(f => f.Name));
        w.WriteBoolean("additionalProperties", false);
        var rules = new List<Action>();
        if (!o.AnyOfRequired.IsEmpty)
            rules.Add(() =>
            {
                w.WriteStartObject();
                w.WriteStartArray("anyOf");
                foreach (var k in o.AnyOfRequired)
                {
                    w.WriteStartObject();
                    WriteRequired(w, [k]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        foreach (var (a, b) in o.Exclusive)
            rules.Add(() =>
            {
                w.WriteStartObject();
                w.WriteString("description", $"{a} and {b} exclude each other.");
                w.WriteStartObject("not");
                WriteRequired(w, [a, b]);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        if (o.SwitchKey is { } switchKey)
            foreach (var value in o[switchKey].Enum)
            {
                var refused = o.OnlyWith.Where(kv => !kv.Value.Contains(value)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
                var required = o.RequiredWith.Where(kv => kv.Value.Contains(value)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
                if (refused.Count == 0 && required.Count == 0) continue;
                rules.Add(() =>
                {
                    w.WriteStartObject();
                    w.WriteStartObject("if");
                    w.WriteStartObject("properties");
                    w.WriteStartObject(switchKey);
                    w.WriteString("const", value);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    WriteRequired(w, [switchKey]);
                    w.WriteEndObject();
                    w.WriteStartObject("then");
                    if (refused.Count > 0)
                    {
                        w.WriteStartObject("propertyNames");
                        w.WriteStartObject("not");
                        w.WriteStartArray("enum");
                        foreach (var k in refused) w.WriteStringValue(k);
                        w.WriteEndArray();
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    WriteRequired(w, required);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
        if (rules.Count > 0)
        {
            w.WriteStartArray("allOf");
            foreach (var rule in rules) rule();
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter w, FieldDef f)
    {
        w.WriteStartObject();
        w.WriteString("description", f.Description);
        switch (f.Type)
        {
            case FieldType.String:
                w.WriteString("type", "string");
                WriteEnumAndPattern(w, f);
                break;
            case FieldType.StringOrNumber:
                w.WriteStartArray("type");
                w.WriteStringValue("string");
                w.WriteStringValue("number");
                w.WriteEndArray();
                break;
            case FieldType.Integer or FieldType.Number:
                w.WriteString("type", f.Type == FieldType.Integer ? "integer" : "number");
                if (f.Min is { } min) w.WriteNumber("minimum", min);
                if (f.Max is { } max && max < int.MaxValue) w.WriteNumber("maximum", max);
                break;
            case FieldType.Boolean:
                w.WriteString("type", "boolean");
                break;
            case FieldType.StringList:
                w.WriteString("type", "array");
                w.WriteStartObject("items");
                w.WriteString("type", "string");
                WriteEnumAndPattern(w, f);
                w.WriteEndObject();
                if (f.NonEmpty) w.WriteNumber("minItems", 1);
                break;
            case FieldType.Object:
                w.WriteStartArray("allOf");
                WriteRef(w, f.Shape!.Name);
                w.WriteEndArray();
                break;
            case FieldType.ObjectList:
                w.WriteString("type", "array");
                w.WritePropertyName("items");
                WriteRef(w, f.Shape!.Name);
                break;
            case FieldType.BooleanOrObject:
                w.WriteStartArray("anyOf");
                w.WriteStartObject();
                w.WriteString("type", "boolean");
                w.WriteEndObject();
                WriteRef(w, f.Shape!.Name);
                w.WriteEndArray();
                break;
            case FieldType.ScalarMap:
                w.WriteString("type", "object");
                WriteKeyPattern(w, f);
                w.WriteStartObject("additionalProperties");
                w.WriteStartArray("type");
                foreach (var t in new[] { "string", "number", "boolean", "null" }) w.WriteStringValue(t);
                w.WriteEndArray();
                w.WriteEndObject();
                break;
            case FieldType.Secret:
                w.WriteString("$ref", "#/definitions/secret");
                break;
            case FieldType.Map:
                w.WriteString("type", "object");
                WriteKeyPattern(w, f);
                w.WritePropertyName("additionalProperties");
                if (f.Values is { } values) WriteField(w, values);
                else w.WriteBooleanValue(true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(f), f.Type, null);
        }
        switch (f.Default)
        {
            case null: break;
            case bool b: w.WriteBoolean("default", b); break;
            case int i: w.WriteNumber("default", i); break;
            case string s: w.WriteString("default", s); break;
            default: throw new ArgumentOutOfRangeException(nameof(f), f.Default, "a default must be a bool, an int or a string");
        }
        w.WriteEndObject();
    }

    private static void WriteRef(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject();
        w.WriteString("$ref", "#/definitions/" + name);
        w.WriteEndObject();
    }

    private static void WriteEnumAndPattern(Utf8JsonWriter w, FieldDef f)
    {
        if (!f.Enum.IsEmpty)
        {
            w.WriteStartArray("enum");
            foreach (var v in f.Enum) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        if (f.Pattern is { } pattern) w.WriteString("pattern", pattern);
    }

    private static void WriteKeyPattern(Utf8JsonWriter w, FieldDef f)
    {
        if (f.Pattern is not { } pattern) return;
        w.WriteStartObject("propertyNames");
        w.WriteString("pattern", pattern);
        w.WriteEndObject();
    }

    private static void WriteRequired(Utf8JsonWriter w, IEnumerable<string> names)
    {
        var list = names.ToList();
        if (list.Count == 0) return;
        w.WriteStartArray("required");
        foreach (var n in list) w.WriteStringValue(n);
        w.WriteEndArray();
    }

    /// <summary>How many keys the schema describes: the settings and every key of every nested object.</summary>
    public static (int Settings, int Objects, int NestedKeys) Size()
    {
        var objects = new SortedDictionary<string, ObjectDef>(StringComparer.Ordinal);
        foreach (var def in SettingsSchema.All) Collect(def.AsField(), objects);
        return (SettingsSchema.All.Count, objects.Count, objects.Values.Sum(o => o.Fields.Length));
    }
}
