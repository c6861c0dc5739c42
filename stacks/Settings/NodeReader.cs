using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>
/// Typed reads of YAML nodes that never throw: every problem is recorded as a
/// <see cref="SettingsError"/> naming the key, and a fallback is returned so reading goes on
/// and one run reports every mistake.
/// </summary>
internal sealed partial class NodeReader(List<SettingsError> errors)
{
    public List<SettingsError> Errors { get; } = errors;

    public void Error(string key, string problem, string fix) => Errors.Add(new SettingsError(key, problem, fix));

    public string? Scalar(YamlNode? node, string key, string expected)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode s:
                return s.Value;
            default:
                Error(key, $"must be {expected}, not a {(node is YamlSequenceNode ? "list" : "mapping")}.", $"Give {expected}.");
                return null;
        }
    }

    public string String(YamlNode? node, string key, string fallback = "")
    {
        var text = Scalar(node, key, "a string");
        return text ?? fallback;
    }

    public int Int(YamlNode? node, string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Scalar(node, key, "a whole number");
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            // Digits that do not fit an int are a number out of range, not a typo.
            if (System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var big))
                Error(key, $"is {SettingsError.Printable(text, 40)}, out of range.",
                    min == int.MinValue && max == int.MaxValue ? $"Use a value from {int.MinValue} to {int.MaxValue}." : $"Use a value from {min} to {max}.");
            else
                Error(key, $"must be a whole number, not '{text}'.", "Write digits only, e.g. 512.");
            return fallback;
        }
        if (value < min || value > max)
        {
            Error(key, $"is {value}, out of range.", $"Use a value from {min} to {max}.");
            return fallback;
        }
        return value;
    }

    /// <summary>A finite number from <paramref name="min"/> to <paramref name="max"/> (both included); <paramref name="why"/> explains the range.</summary>
    public double Number(YamlNode? node, string key, double fallback, double min, double max, string? why = null)
    {
        var text = Scalar(node, key, "a number");
        if (text is null) return fallback;
        // double.TryParse accepts NaN and Infinity, which no limit means and no renderer can write.
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(key, $"must be a number, not '{text}'.", "Write a finite decimal number, e.g. 0.5.");
            return fallback;
        }
        if (value < min || value > max)
        {
            Error(key, $"is {value.ToString(CultureInfo.InvariantCulture)}, out of range.",
                $"Use a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.{(why is null ? "" : " " + why)}");
            return fallback;
        }
        return value;
    }

    public bool Bool(YamlNode? node, string key, bool fallback)
    {
        var text = Scalar(node, key, "true or false");
        if (text is null) return fallback;
        switch (text)
        {
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
            default:
                Error(key, $"must be true or false, not '{text}'.", "Write true or false.");
                return fallback;
        }
    }

    public ImmutableArray<string> StringList(YamlNode? node, string key)
    {
        if (node is null) return [];
        if (node is YamlScalarNode { Value: "" or null }) return [];
        if (node is not YamlSequenceNode seq)
        {
            Error(key, "must be a list.", "Write one item per line, each starting with '- '.");
            return [];
        }
        var items = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (Scalar(seq.Children[i], $"{key}[{i}]", "a string") is { } s) items.Add(s);
        }
        return items.ToImmutable();
    }

    /// <summary>The items of a list with their keys (<c>key[i]</c>); reports a node that is not a list.</summary>
    public IEnumerable<(YamlNode Node, string Key)> Sequence(YamlNode? node, string key, string fix)
    {
        if (node is null) yield break;
        if (node is not YamlSequenceNode seq)
        {
            Error(key, "must be a list.", fix);
            yield break;
        }
        for (var i = 0; i < seq.Children.Count; i++) yield return (seq.Children[i], $"{key}[{i}]");
    }

    /// <summary>The mapping's entries by name; reports keys not in <paramref name="known"/>.</summary>
    public IReadOnlyDictionary<string, YamlNode> Mapping(YamlNode? node, string key, IReadOnlyCollection<string> known)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (node is null) return result;
        if (node is not YamlMappingNode map)
        {
            Error(key, "must be a mapping (name: value lines).", $"Give a mapping with keys from: {string.Join(", ", known)}.");
            return result;
        }
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name))
            {
                Error($"{key}.{name}", "is not a known setting.", Suggest(name, known));
                continue;
            }
            result[name] = v;
        }
        return result;
    }

    /// <summary>The known name nearest to <paramref name="name"/>.</summary>
    public static string Closest(string name, IEnumerable<string> known) =>
        known.OrderBy(k => Distance(name.ToLowerInvariant(), k.ToLowerInvariant())).ThenBy(k => k, StringComparer.Ordinal).First();

    /// <summary>"Did you mean …?" for a misspelt key.</summary>
    public static string Suggest(string name, IEnumerable<string> known)
    {
        // Edit distance is quadratic; a name this long is no typo of a known one.
        if (name.Length > 64) return $"Remove it; known keys are: {string.Join(", ", known.Order(StringComparer.Ordinal))}.";
        var best = known.Select(k => (k, d: Distance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(x => x.d).ThenBy(x => x.k, StringComparer.Ordinal).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(2, name.Length / 3)
            ? $"Did you mean '{best.k}'? Otherwise remove it."
            : $"Remove it; known keys are: {string.Join(", ", known.Order(StringComparer.Ordinal))}.";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
