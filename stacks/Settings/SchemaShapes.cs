using System.Collections.Immutable;

namespace Platform.Stacks.Settings;

/// <summary>The type of a key inside a setting's value (an app's port, a route's host …).</summary>
public enum FieldType
{
    String,
    Integer,
    Number,
    Boolean,
    StringList,
    /// <summary>A mapping with the keys of <see cref="FieldDef.Shape"/>.</summary>
    Object,
    /// <summary>A list of mappings with the keys of <see cref="FieldDef.Shape"/>.</summary>
    ObjectList,
    /// <summary>A mapping of names the user chooses to scalars (an app's env).</summary>
    ScalarMap,
    /// <summary><c>true</c>/<c>false</c>, or a mapping with the keys of <see cref="FieldDef.Shape"/> (needs.database, needs.redis).</summary>
    BooleanOrObject,
    /// <summary>A string, or a plain number YAML reads as one (a version such as 16 or 10.11, a numeric chat id).</summary>
    StringOrNumber,
    /// <summary>A Pulumi secret: <c>secure: &lt;ciphertext&gt;</c>, as <c>pulumi config set --secret</c> writes it.</summary>
    Secret,
    /// <summary>A mapping of names the user chooses (<see cref="FieldDef.Pattern"/>, if any) to values of <see cref="FieldDef.Values"/>.</summary>
    Map,
}

/// <summary>
/// One key of a nested setting: its name, type, description, default and the limits the reader enforces on its
/// own (a range, a list of values, a pattern, required). Rules that depend on other keys or other settings are the
/// reader's only. Written once here, the key is what the reader accepts, what the stack file's JSON Schema
/// (<see cref="JsonSchemaWriter"/>) tells editors and what the README's table lists.
/// </summary>
public sealed record FieldDef(string Name, FieldType Type, string Description)
{
    public object? Default { get; init; }
    public bool Required { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public ImmutableArray<string> Enum { get; init; } = [];
    /// <summary>A regular expression (ECMA-262, as JSON Schema's <c>pattern</c>) every value matches.</summary>
    public string? Pattern { get; init; }
    /// <summary>The keys of an object, of each item of an object list, of the mapping form of a boolean-or-object.</summary>
    public ObjectDef? Shape { get; init; }
    /// <summary>A list that must have at least one item when given.</summary>
    public bool NonEmpty { get; init; }
    /// <summary>The value of each entry of a <see cref="FieldType.Map"/>.</summary>
    public FieldDef? Values { get; init; }
}

/// <summary>
/// The keys of one kind of mapping in a stack file (an app, a route, a volume …): every key the reader knows for it,
/// and nothing else. <see cref="Keys"/> is the list the reader checks unknown keys against.
/// </summary>
public sealed record ObjectDef(string Name, string Description, ImmutableArray<FieldDef> Fields)
{
    public ImmutableArray<string> Keys { get; } = [.. Fields.Select(f => f.Name)];

    public FieldDef this[string name] => Fields.First(f => f.Name == name);

    /// <summary>Keys only some values of another key allow (an alert channel's keys by its kind): key → the values of <see cref="SwitchKey"/> that allow it.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> OnlyWith { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>Keys required for some values of <see cref="SwitchKey"/> only (a Telegram channel's chatId): key → those values.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> RequiredWith { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>The key whose value <see cref="OnlyWith"/> and <see cref="RequiredWith"/> depend on.</summary>
    public string? SwitchKey { get; init; }

    /// <summary>At least one of these keys must be given (an app's health check: healthPath or healthCommand).</summary>
    public ImmutableArray<string> AnyOfRequired { get; init; } = [];

    /// <summary>Pairs of keys that must not be given together.</summary>
    public ImmutableArray<(string, string)> Exclusive { get; init; } = [];
}

/// <summary>Short constructors for schema rows.</summary>
internal static class Field
{
    public static FieldDef Str(string name, string description, string? @default = null, bool required = false, string? pattern = null) =>
        new(name, FieldType.String, description) { Default = @default, Required = required, Pattern = pattern };

    public static FieldDef Enum(string name, string description, IEnumerable<string> values, string? @default = null, bool required = false) =>
        new(name, FieldType.String, description) { Default = @default, Required = required, Enum = [.. values] };

    public static FieldDef Int(string name, string description, int min, int max, int? @default = null, bool required = false) =>
        new(name, FieldType.Integer, description) { Default = @default, Min = min, Max = max, Required = required };

    public static FieldDef Bool(string name, string description, bool @default = false) =>
        new(name, FieldType.Boolean, description) { Default = @default };

    public static FieldDef List(string name, string description, bool nonEmpty = false, bool required = false) =>
        new(name, FieldType.StringList, description) { NonEmpty = nonEmpty, Required = required };

    public static FieldDef Object(string name, ObjectDef shape, string? description = null, bool required = false) =>
        new(name, FieldType.Object, description ?? shape.Description) { Shape = shape, Required = required };

    public static FieldDef Objects(string name, ObjectDef shape, string? description = null) =>
        new(name, FieldType.ObjectList, description ?? shape.Description) { Shape = shape };
}
