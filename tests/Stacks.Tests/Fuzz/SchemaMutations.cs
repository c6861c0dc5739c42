using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Stacks.Settings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Fuzz;

/// <summary>One targeted change of a valid stack that breaks a rule the schema states: the key's path, what was done, the stack.</summary>
public sealed record SchemaMutation(string Path, string Kind, string StackText)
{
    /// <summary>
    /// False for the values the schema allows at its edges (each enum value, the minimum, the maximum): the reader may
    /// refuse the stack for another reason (a memory budget), but not this key for a reason the schema states.
    /// </summary>
    public bool Wrong { get; init; } = true;

    /// <summary>For an unknown key put into a mapping: the stack with another key put there instead, and the keys the schema allows there.</summary>
    public Func<string, string>? InsertInstead { get; init; }
    public IReadOnlyCollection<string> AllowedKeys { get; init; } = [];

    /// <summary>A key name too long to be anyone's typo, so the reader's fix lists every key it knows there.</summary>
    public const string UnknownKey = "zz-no-setting-has-this-name-so-the-reader-lists-every-key-it-knows-here";

    /// <summary>The path without list indexes, so one shape is tried once: platform:apps[2].routes[0].path → platform:apps[].routes[].path.</summary>
    public string Shape => Regex.Replace(Path, @"\[\d+\]", "[]");
}

/// <summary>
/// Walks a valid stack file along the schema's rows and makes, for every key present, the mistakes a schema can
/// express: a value of the wrong type, a value outside the enum, a number just outside the range, an empty list
/// that must not be, a missing required key, an unknown key, a key only another kind allows, two keys that exclude
/// each other, a secret in plain text. The reader must refuse each one, and so must the schema.
/// </summary>
public static class SchemaMutations
{
    private abstract record Step;
    private sealed record KeyStep(string Key) : Step;
    private sealed record IndexStep(int Index) : Step;

    public static IEnumerable<SchemaMutation> For(string stackText)
    {
        var root = Load(stackText);
        var config = (YamlMappingNode)root.Children[new YamlScalarNode("config")];
        var steps = new List<Step> { new KeyStep("config") };
        var results = new List<SchemaMutation>();
        void Add(string path, string kind, IReadOnlyList<Step> at, Action<YamlNode, Step> change, bool wrong = true, IReadOnlyCollection<string>? allowed = null) =>
            results.Add(new SchemaMutation(path, kind, Apply(stackText, at, change))
            {
                Wrong = wrong,
                AllowedKeys = allowed ?? [],
                InsertInstead = allowed is null ? null : key => Apply(stackText, at, (parent, last) => ((YamlMappingNode)Get(parent, last)).Add(key, "x")),
            });

        Add("platform:zzUnknownSetting", "unknown key", steps, (parent, last) => ((YamlMappingNode)Get(parent, last)).Add($"{SettingsSchema.Namespace}:zzUnknownSetting", "1"));
        foreach (var def in SettingsSchema.All.Where(d => d.AsField().Required))
            if (config.Children.ContainsKey(new YamlScalarNode(def.Key)))
                Add(def.Key, "missing required", steps, (parent, last) => ((YamlMappingNode)Get(parent, last)).Children.Remove(new YamlScalarNode(def.Key)));
        foreach (var (keyNode, value) in config.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            if (!key.StartsWith(SettingsSchema.Namespace + ":", StringComparison.Ordinal)) continue;
            if (!SettingsSchema.ByName.TryGetValue(key[(SettingsSchema.Namespace.Length + 1)..], out var def)) continue;
            Walk(def.AsField(), key, [.. steps, new KeyStep(key)], value, Add);
        }
        return results;
    }

    private delegate void Adder(string path, string kind, IReadOnlyList<Step> at, Action<YamlNode, Step> change, bool wrong = true, IReadOnlyCollection<string>? allowed = null);

    private static YamlScalarNode Plain(string text) => new(text) { Style = ScalarStyle.Plain };

    private static string N(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Mistakes of the value at <paramref name="at"/> (the last step names it in its parent).</summary>
    private static void Walk(FieldDef f, string path, List<Step> at, YamlNode node, Adder add)
    {
        void Replace(string kind, Func<YamlNode> value, bool wrong = true) => add(path, kind, at, (parent, last) => Set(parent, last, value()), wrong);
        switch (f.Type)
        {
            case FieldType.String:
                Replace("wrong type", () => new YamlSequenceNode(Plain("x")));
                if (!f.Enum.IsEmpty) Replace("not in enum", () => Plain("zz-not-a-value"));
                foreach (var value in f.Enum) Replace($"enum value {value}", () => Plain(value), wrong: false);
                break;
            case FieldType.StringOrNumber or FieldType.ScalarMap:
                Replace("wrong type", () => new YamlSequenceNode(Plain("x")));
                break;
            case FieldType.Integer or FieldType.Number:
                Replace("wrong type", () => Plain("abc"));
                if (f.Min is { } min) Replace("below minimum", () => Plain(N(f.Type == FieldType.Number && min > 0 ? min / 2 : min - 1)));
                if (f.Max is { } max && max < int.MaxValue) Replace("above maximum", () => Plain(N(max + 1)));
                if (f.Min is { } lowest) Replace("at minimum", () => Plain(N(lowest)), wrong: false);
                if (f.Max is { } highest && highest < int.MaxValue) Replace("at maximum", () => Plain(N(highest)), wrong: false);
                break;
            case FieldType.Boolean:
                Replace("wrong type", () => Plain("maybe"));
                break;
            case FieldType.StringList:
                Replace("wrong type", () => Plain("x"));
                if (f.NonEmpty) Replace("empty list", () => new YamlSequenceNode());
                if (!f.Enum.IsEmpty && node is YamlSequenceNode { Children.Count: > 0 })
                    add($"{path}[0]", "not in enum", [.. at, new IndexStep(0)], (parent, last) => Set(parent, last, Plain("zz-not-a-value")));
                break;
            case FieldType.Secret:
                Replace("secret in plain text", () => Plain("x"));
                break;
            case FieldType.Map:
                Replace("wrong type", () => new YamlSequenceNode(Plain("x")));
                if (f.Values is { } values && node is YamlMappingNode { Children.Count: > 0 } map)
                {
                    var (firstKey, firstValue) = map.Children.First();
                    var name = ((YamlScalarNode)firstKey).Value!;
                    Walk(values, $"{path}.{name}", [.. at, new KeyStep(name)], firstValue, add);
                }
                break;
            case FieldType.Object:
                Replace("wrong type", () => Plain("x"));
                if (node is YamlMappingNode o) WalkObject(f.Shape!, path, at, o, add);
                break;
            case FieldType.BooleanOrObject:
                Replace("wrong type", () => Plain("maybe"));
                if (node is YamlMappingNode bo) WalkObject(f.Shape!, path, at, bo, add);
                break;
            case FieldType.ObjectList:
                Replace("wrong type", () => Plain("x"));
                if (node is YamlSequenceNode list)
                    for (var i = 0; i < list.Children.Count; i++)
                        if (list.Children[i] is YamlMappingNode item) WalkObject(f.Shape!, $"{path}[{i}]", [.. at, new IndexStep(i)], item, add);
                break;
        }
    }

    private static void WalkObject(ObjectDef shape, string path, List<Step> at, YamlMappingNode map, Adder add)
    {
        bool Has(string key) => map.Children.ContainsKey(new YamlScalarNode(key));
        void Change(string kind, Action<YamlMappingNode> change) => add(path, kind, at, (parent, last) => change((YamlMappingNode)Get(parent, last)));
        var kind = shape.SwitchKey is { } sk && map.Children.TryGetValue(new YamlScalarNode(sk), out var kn) ? (kn as YamlScalarNode)?.Value : null;
        var allowed = shape.Keys.Where(k => !shape.OnlyWith.TryGetValue(k, out var kinds) || kinds.Contains(kind ?? "")).ToList();
        add($"{path}.{SchemaMutation.UnknownKey}", "unknown key", at, (parent, last) => ((YamlMappingNode)Get(parent, last)).Add(SchemaMutation.UnknownKey, "1"), allowed: allowed);
        foreach (var f in shape.Fields.Where(f => (f.Required || (kind is not null && shape.RequiredWith.TryGetValue(f.Name, out var kinds) && kinds.Contains(kind))) && Has(f.Name)))
            add($"{path}.{f.Name}", "missing required", at, (parent, last) => ((YamlMappingNode)Get(parent, last)).Children.Remove(new YamlScalarNode(f.Name)));
        if (!shape.AnyOfRequired.IsEmpty && shape.AnyOfRequired.Any(Has))
            Change($"none of {string.Join(", ", shape.AnyOfRequired)}", m => { foreach (var k in shape.AnyOfRequired) m.Children.Remove(new YamlScalarNode(k)); });
        foreach (var (a, b) in shape.Exclusive)
        {
            if (Has(a) == Has(b)) continue;
            var missing = Has(a) ? shape[b] : shape[a];
            Change($"{a} with {b}", m => m.Add(missing.Name, missing.Type == FieldType.StringList ? new YamlSequenceNode(Plain("CMD"), Plain("check")) : Plain("shop.example.org")));
        }
        if (shape.SwitchKey is { } switchKey && kind is not null)
            foreach (var (key, kinds) in shape.OnlyWith.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                if (!kinds.Contains(kind) && !Has(key))
                    add($"{path}.{key}", $"key of another {switchKey}", at, (parent, last) => ((YamlMappingNode)Get(parent, last)).Add(key, "x"));
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (key is null || !shape.Keys.Contains(key)) continue;
            Walk(shape[key], $"{path}.{key}", [.. at, new KeyStep(key)], value, add);
        }
    }

    private static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>Reloads the stack, applies <paramref name="change"/> to the node before the last step and that step, and writes it back.</summary>
    private static string Apply(string text, IReadOnlyList<Step> at, Action<YamlNode, Step> change)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        YamlNode parent = stream.Documents[0].RootNode;
        for (var i = 0; i < at.Count - 1; i++) parent = Get(parent, at[i]);
        change(parent, at[^1]);
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlNode Get(YamlNode parent, Step step) => step switch
    {
        KeyStep k => ((YamlMappingNode)parent).Children[new YamlScalarNode(k.Key)],
        IndexStep i => ((YamlSequenceNode)parent).Children[i.Index],
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    private static void Set(YamlNode parent, Step step, YamlNode value)
    {
        switch (step)
        {
            case KeyStep k: ((YamlMappingNode)parent).Children[new YamlScalarNode(k.Key)] = value; break;
            case IndexStep i: ((YamlSequenceNode)parent).Children[i.Index] = value; break;
        }
    }
}
