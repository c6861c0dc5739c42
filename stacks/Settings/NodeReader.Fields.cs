using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>
/// The shapes every part's reader repeats: an optional field of a mapping read under <c>key.name</c>, a required
/// string, a word from a closed set, a list of CIDRs. Each reports exactly what the long-hand form did.
/// </summary>
internal sealed partial class NodeReader
{
    /// <summary>Records <paramref name="error"/>, if any (a part's validation returns its errors as values).</summary>
    public void Report(SettingsError? error)
    {
        if (error is not null) Errors.Add(error);
    }

    /// <summary>Reports the problem and returns <paramref name="fallback"/>, so a switch arm can refuse a value.</summary>
    public T Fail<T>(string key, string problem, string fix, T fallback)
    {
        Error(key, problem, fix);
        return fallback;
    }

    /// <summary>The string at <c>key.name</c>; when the mapping lacks it, "is required." with <paramref name="fix"/>. True when it was given.</summary>
    public bool Required(IReadOnlyDictionary<string, YamlNode> map, string name, string key, string fix, out string value)
    {
        value = String(map.GetValueOrDefault(name), $"{key}.{name}");
        if (map.ContainsKey(name)) return true;
        Error($"{key}.{name}", "is required.", fix);
        return false;
    }

    /// <summary>The string at <c>key.name</c>, or null when unset.</summary>
    public string? OptionalString(IReadOnlyDictionary<string, YamlNode> map, string name, string key) =>
        map.TryGetValue(name, out var node) ? String(node, $"{key}.{name}") : null;

    /// <summary>The whole number at <c>key.name</c>, or null when unset.</summary>
    public int? OptionalInt(IReadOnlyDictionary<string, YamlNode> map, string name, string key, int fallback, int min, int max) =>
        map.TryGetValue(name, out var node) ? Int(node, $"{key}.{name}", fallback, min, max) : null;

    /// <summary>The switch at <c>key.name</c>; false when unset.</summary>
    public bool Flag(IReadOnlyDictionary<string, YamlNode> map, string name, string key) =>
        map.TryGetValue(name, out var node) && Bool(node, $"{key}.{name}", false);

    /// <summary>The list of strings at <c>key.name</c>; empty when unset.</summary>
    public ImmutableArray<string> OptionalList(IReadOnlyDictionary<string, YamlNode> map, string name, string key) =>
        map.TryGetValue(name, out var node) ? StringList(node, $"{key}.{name}") : [];

    /// <summary>
    /// The CIDRs of <paramref name="cidrs"/> written as networks (no host bits), each other one reported under
    /// <c>key[i]</c> with <paramref name="example"/> in its fix. With <paramref name="wholeInternet"/>, a /0 is refused
    /// too: "'0.0.0.0/0' &lt;wholeInternet&gt;", fixed by <paramref name="wholeInternetFix"/>.
    /// </summary>
    public ImmutableArray<string> Cidrs(IReadOnlyList<string> cidrs, string key, string example, string? wholeInternet = null, string? wholeInternetFix = null)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!Names.TryParseCidr(cidrs[i], out var network, out var canonical))
                Error($"{key}[{i}]", $"'{cidrs[i]}' is not a CIDR.", $"Write an address with a prefix length, e.g. {example}.");
            else if (!canonical)
                Error($"{key}[{i}]", $"'{cidrs[i]}' has host bits set.", $"Write it as {network}.");
            else if (wholeInternet is not null && network.PrefixLength == 0)
                Error($"{key}[{i}]", $"'{cidrs[i]}' {wholeInternet}", wholeInternetFix ?? "");
            else
                result.Add(cidrs[i]);
        }
        return result.ToImmutable();
    }
}
