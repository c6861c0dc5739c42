using System.Text;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Fuzz;

/// <summary>A mutated pair of stack files and what was done to them, for reproducing a finding.</summary>
public sealed record MutatedStack(int Seed, string? ProjectText, string StackText, IReadOnlyList<string> Mutations);

/// <summary>
/// Mutates a stack file the way a new user's mistakes (and odd but legal choices) do: drops,
/// duplicates and retypes values (scalar, list, mapping), lengthens keys and values, puts unicode
/// (combining marks, right-to-left marks, emoji, NUL, escape sequences) into them, swaps numbers
/// for huge ones, NaN and infinities, gives names legal but unusual values, and breaks the YAML
/// text itself. The same seed always gives the same mutation.
/// </summary>
public sealed class StackMutator(int seed)
{
    private readonly Random _rng = new(seed);
    private readonly List<string> _log = [];

    private static readonly string[] Numbers =
    [
        "NaN", ".nan", "nan", "inf", "-inf", ".inf", "-.inf", "Infinity", "-Infinity", "1e308", "1e309", "-1e309", "-1", "0", "-0",
        "0.0", "0.001", "0.0099", "0.01", "5e-3", "99999999999999999999999", "2147483647", "2147483648", "-2147483649", "4.9e-324",
        "0x1F", "1_000", "+5", " 7 ", "1,5", "5.", ".5", "1e3", "6", "5", "65536", "1000000", "4", "64", "3", "10000",
    ];

    private static readonly string[] Unicode =
    [
        "\u0301", "\u202E", "\u200F", "\u200D", "🚀", "👩‍💻", "\0", "\u0007", "\u001B[31m", "\t", "\n", "\r\n", "\u00A0", "\uFEFF",
        "ß", "İ", "ǅ", "Ⅻ", "٣", "ﬁ", "\u0085", "\u2028", "\"", "'", "\\", "$(id)", "`id`", "; rm -rf /", "&&", "|", ">", "#", ": ", "- ",
        "{", "}", "[", "]", "%", "@", "*", "&a", "!!str",
    ];

    private static readonly string[] Words =
    [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "CMD", "CMD-SHELL", "NONE", "status-page", "files", "status", "postgres",
        "backup-x", "autokuma", "default", "platform_admin", "api", "web", "worker", "admin", "landing", "@", "*", "/", "/api", "//x",
        "0 0 31 2 *", "0 0 30 2 *", "* * 29 2 *", "0 0 31 4,6,9,11 *", "*/15 * * * *", "@daily", "0 3 * * 7", "60 * * * *",
        "latest", "nginx", "nginx:latest", "ghcr.io/x/y:1.0.0", "x@sha256:" + new string('a', 64),
        "203.0.113.0/24", "0.0.0.0/0", "::/0", "10.0.0.1/33", "ssh-rsa AAAA", "prod", "staging", "ccx63", "cx22", "cax11",
    ];

    /// <summary>Applies one to four mutations to the stack file (and now and then to Pulumi.yaml).</summary>
    public MutatedStack Mutate(string projectText, string stackText)
    {
        var project = projectText;
        var text = stackText;
        if (_rng.Next(20) == 0) project = MutateProject(projectText);

        if (_rng.Next(10) == 0)
        {
            text = MutateText(text);
        }
        else
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            // Mostly one mutation, so that many cases stay valid and reach the blueprint and the renderers.
            var count = _rng.Next(3) == 0 ? 2 + _rng.Next(3) : 1;
            for (var i = 0; i < count; i++) MutateTree(root);
            var sw = new StringWriter();
            new YamlStream(new YamlDocument(root)).Save(sw, assignAnchors: false);
            text = sw.ToString();
            if (_rng.Next(15) == 0) text = MutateText(text);
        }
        return new MutatedStack(seed, project, text, [.. _log]);
    }

    private string MutateProject(string text)
    {
        switch (_rng.Next(4))
        {
            case 0:
                _log.Add("Pulumi.yaml: removed");
                return null!;
            case 1:
                var name = Pick(["", "Platform", "plat form", "platform\0", "🚀", new string('p', 200), "-x", "platform-" + new string('a', 80)]);
                _log.Add($"Pulumi.yaml: name '{Escape(name)}'");
                return System.Text.RegularExpressions.Regex.Replace(text, "(?m)^name: .*$", "name: \"" + YamlEscape(name) + "\"");
            case 2:
                _log.Add("Pulumi.yaml: name as a list");
                return System.Text.RegularExpressions.Regex.Replace(text, "(?m)^name: .*$", "name: [platform]");
            default:
                _log.Add("Pulumi.yaml: text broken");
                return MutateText(text);
        }
    }

    private string MutateText(string text)
    {
        var lines = text.Split('\n').ToList();
        switch (_rng.Next(5))
        {
            case 0:
                var cut = SafeIndex(text, _rng.Next(text.Length));
                _log.Add($"text: cut at {cut}");
                return text[..cut];
            case 1:
                var at = _rng.Next(lines.Count);
                _log.Add($"text: line {at + 1} duplicated");
                lines.Insert(at, lines[at]);
                return string.Join('\n', lines);
            case 2:
                var drop = _rng.Next(lines.Count);
                _log.Add($"text: line {drop + 1} dropped");
                lines.RemoveAt(drop);
                return string.Join('\n', lines);
            case 3:
                var pos = SafeIndex(text, _rng.Next(text.Length));
                var junk = Pick([":", "-", "\t", "'", "\"", "{", "[", "&x", "*x", "!", "|", ">", "%", "\0", "\uFEFF", "  ", "\n  x"]);
                _log.Add($"text: '{Escape(junk)}' inserted at {pos}");
                return text[..pos] + junk + text[pos..];
            default:
                var line = _rng.Next(lines.Count);
                _log.Add($"text: line {line + 1} indented");
                lines[line] = "   " + lines[line];
                return string.Join('\n', lines);
        }
    }

    private sealed record Slot(string Path, YamlNode Node, YamlNode? Parent, YamlNode? Key, int Index);

    private static List<Slot> Slots(YamlMappingNode root)
    {
        var slots = new List<Slot>();
        void Walk(YamlNode node, string path, YamlNode? parent, YamlNode? key, int index)
        {
            slots.Add(new Slot(path, node, parent, key, index));
            switch (node)
            {
                case YamlMappingNode m:
                    foreach (var (k, v) in m.Children.ToList()) Walk(v, $"{path}.{(k as YamlScalarNode)?.Value}", m, k, -1);
                    break;
                case YamlSequenceNode s:
                    for (var i = 0; i < s.Children.Count; i++) Walk(s.Children[i], $"{path}[{i}]", s, null, i);
                    break;
            }
        }
        Walk(root, "", null, null, -1);
        return slots.Where(s => s.Parent is not null).ToList();
    }

    private void MutateTree(YamlMappingNode root)
    {
        var slots = Slots(root);
        if (slots.Count == 0)
        {
            _log.Add("empty file: 'config: {}' added");
            root.Children[new YamlScalarNode("config")] = new YamlMappingNode();
            return;
        }
        // Most mistakes are made inside the config block, and most of that is apps: pick uniformly among its nodes.
        var slot = slots[_rng.Next(slots.Count)];
        // Names are where legal but unusual choices collide: a third of the mutations aim at them.
        var named = slots.Where(x => x.Node is YamlScalarNode && x.Key is YamlScalarNode { Value: "name" or "host" or "path" or "databaseOf" }).ToList();
        if (named.Count > 0 && _rng.Next(3) == 0)
        {
            var target = named[_rng.Next(named.Count)];
            var names = named.Where(x => x.Key is YamlScalarNode { Value: "name" }).Select(x => ((YamlScalarNode)x.Node).Value ?? "").ToList();
            var hosts = named.Where(x => x.Key is YamlScalarNode { Value: "host" }).Select(x => ((YamlScalarNode)x.Node).Value ?? "").ToList();
            // An earlier mutation may have removed every name (or host): pick among legal ones then.
            if (names.Count == 0) names.Add(LegalName());
            if (hosts.Count == 0) hosts.Add("www");
            var value = _rng.Next(5) switch
            {
                0 => LegalName(),
                1 => Pick(names) + "-" + Pick(hosts.Select(h => h == "@" ? "apex" : h).ToList()),
                2 => Pick(names),
                3 => Pick(["status-page", "files", "minio-live", "postgresql", "pgbouncer", "redis", "backup-redis", "threshold-cpu", "status", "www", "@", "*", "/", "/api", "/API", "/api/"]),
                _ => Pick(names) + "-" + LegalName(),
            };
            SetScalar(target, value, "name");
            return;
        }
        switch (_rng.Next(10))
        {
            case 0:
                _log.Add($"drop {slot.Path}");
                Remove(slot);
                break;
            case 1:
                Duplicate(slot, slots);
                break;
            case 2:
                Retype(slot);
                break;
            case 3:
                Lengthen(slot);
                break;
            case 4:
            case 5:
                InsertUnicode(slot);
                break;
            case 6:
                SetScalar(slot, Pick(Numbers), "number");
                break;
            case 7:
                SetScalar(slot, Pick(Words), "word");
                break;
            case 8:
                SetScalar(slot, LegalName(), "legal name");
                break;
            default:
                var other = slots[_rng.Next(slots.Count)];
                if (other.Node is YamlScalarNode { Value: { } v }) SetScalar(slot, v, $"value of {other.Path}");
                else SetScalar(slot, Pick(Numbers), "number");
                break;
        }
    }

    private string LegalName()
    {
        const string first = "abcdefghijklmnopqrstuvwxyz";
        const string middle = "abcdefghijklmnopqrstuvwxyz0123456789-";
        var length = Pick([1, 2, 3, 8, 20, 29, 30, 31, 40, 57, 62, 63, 64]);
        var sb = new StringBuilder().Append(first[_rng.Next(first.Length)]);
        while (sb.Length < length) sb.Append(middle[_rng.Next(middle.Length)]);
        if (sb[^1] == '-') sb[^1] = 'z';
        return sb.ToString();
    }

    private void SetScalar(Slot slot, string value, string what)
    {
        _log.Add($"{slot.Path} = '{Escape(value)}' ({what})");
        Replace(slot, new YamlScalarNode(value));
    }

    private void Remove(Slot slot)
    {
        if (slot.Parent is YamlMappingNode m) m.Children.Remove(slot.Key!);
        else if (slot.Parent is YamlSequenceNode s) s.Children.RemoveAt(slot.Index);
    }

    private static void Replace(Slot slot, YamlNode node)
    {
        if (slot.Parent is YamlMappingNode m) m.Children[slot.Key!] = node;
        else if (slot.Parent is YamlSequenceNode s) s.Children[slot.Index] = node;
    }

    private void Duplicate(Slot slot, List<Slot> slots)
    {
        if (slot.Parent is YamlSequenceNode s)
        {
            _log.Add($"duplicate {slot.Path}");
            s.Children.Insert(slot.Index, Clone(slot.Node));
        }
        else if (slot.Parent is YamlMappingNode m)
        {
            // A mapping cannot hold a key twice: copy another value over this one instead.
            var donor = slots[_rng.Next(slots.Count)];
            _log.Add($"{slot.Path} = copy of {donor.Path}");
            m.Children[slot.Key!] = Clone(donor.Node);
        }
    }

    private void Retype(Slot slot)
    {
        YamlNode replacement = slot.Node switch
        {
            YamlScalarNode sc => _rng.Next(3) switch
            {
                0 => new YamlSequenceNode(Clone(sc)),
                1 => new YamlMappingNode(new YamlScalarNode("value"), Clone(sc)),
                _ => new YamlSequenceNode(),
            },
            YamlSequenceNode seq => _rng.Next(3) switch
            {
                0 => seq.Children.Count > 0 ? Clone(seq.Children[0]) : new YamlScalarNode("x"),
                1 => new YamlMappingNode(new YamlScalarNode("items"), Clone(seq)),
                _ => new YamlScalarNode(string.Join(",", seq.Children.OfType<YamlScalarNode>().Select(c => c.Value))),
            },
            YamlMappingNode map => _rng.Next(3) switch
            {
                0 => new YamlScalarNode("mapping"),
                1 => new YamlSequenceNode(Clone(map)),
                _ => new YamlMappingNode(),
            },
            _ => new YamlScalarNode(""),
        };
        _log.Add($"retype {slot.Path} from {slot.Node.NodeType} to {replacement.NodeType}");
        Replace(slot, replacement);
    }

    private void Lengthen(Slot slot)
    {
        var length = Pick([31, 64, 65, 100, 254, 1000, 10000, 100000]);
        if (slot.Parent is YamlMappingNode m && _rng.Next(3) == 0 && slot.Key is YamlScalarNode { Value: { } keyText })
        {
            var longKey = Repeat(keyText, length);
            _log.Add($"key {slot.Path} lengthened to {longKey.Length}");
            RenameKey(m, slot.Key, longKey);
            return;
        }
        var value = slot.Node is YamlScalarNode { Value: { } v } ? v : "x";
        SetScalar(slot, Repeat(value, length), $"lengthened to {length}");
    }

    private void InsertUnicode(Slot slot)
    {
        var insert = Pick(Unicode);
        if (slot.Parent is YamlMappingNode m && _rng.Next(3) == 0 && slot.Key is YamlScalarNode { Value: { } keyText })
        {
            var pos = SafeIndex(keyText, _rng.Next(keyText.Length + 1));
            var newKey = keyText[..pos] + insert + keyText[pos..];
            _log.Add($"key {slot.Path}: '{Escape(insert)}' inserted");
            RenameKey(m, slot.Key, newKey);
            return;
        }
        var value = slot.Node is YamlScalarNode { Value: { } v } ? v : "x";
        var at = SafeIndex(value, _rng.Next(value.Length + 1));
        SetScalar(slot, value[..at] + insert + value[at..], $"'{Escape(insert)}' inserted");
    }

    private static void RenameKey(YamlMappingNode m, YamlNode oldKey, string newKey)
    {
        var entries = m.Children.ToList();
        if (entries.Any(e => e.Key is YamlScalarNode { Value: { } k } && k == newKey)) return;
        m.Children.Clear();
        foreach (var (k, v) in entries) m.Children.Add(ReferenceEquals(k, oldKey) ? new YamlScalarNode(newKey) : k, v);
    }

    private static string Repeat(string text, int length)
    {
        if (text.Length == 0) text = "a";
        var sb = new StringBuilder(length + text.Length);
        while (sb.Length < length) sb.Append(text);
        return sb.ToString(0, SafeIndex(sb.ToString(), length));
    }

    /// <summary>An index that does not split a surrogate pair (a half emoji is not text a user could type).</summary>
    private static int SafeIndex(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) ? index - 1 : Math.Min(index, text.Length);

    private static YamlNode Clone(YamlNode node) => node switch
    {
        YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style },
        YamlSequenceNode q => new YamlSequenceNode(q.Children.Select(Clone)),
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(kv => new KeyValuePair<YamlNode, YamlNode>(Clone(kv.Key), Clone(kv.Value)))),
        _ => new YamlScalarNode(""),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    /// <summary>For the log: control characters visible, long text cut.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Length > 60 ? text[..60] : text)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        if (text.Length > 60) sb.Append($"…({text.Length})");
        return sb.ToString();
    }

    private static string YamlEscape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
}
