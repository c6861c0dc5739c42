using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>
/// A stack's top-level <c>platform:</c> settings as every part's reader sees them: a value that is unset takes the
/// schema's default (a required one is reported), a plain setting stored as a secret is reported and takes its default,
/// and every problem goes to the one <see cref="NodeReader"/>, so a run reports all of them at once.
/// </summary>
internal sealed class StackValues(NodeReader r, ConfigDocument doc)
{
    public NodeReader R { get; } = r;

    /// <summary>The stack's name, for the commands a fix gives.</summary>
    public string Stack => doc.Stack;

    public ImmutableSortedDictionary<string, ConfigValue> Values => doc.Values;

    /// <summary>
    /// One secret of a mapping of secrets, at the config path <paramref name="path"/> (e.g. <c>appSecrets.api.TOKEN</c>): added to
    /// <paramref name="set"/> when it is encrypted; set in plain text, it is refused under <paramref name="errorKey"/> with the
    /// command that sets it properly (<paramref name="why"/>, when given, says what a leak of it allows).
    /// </summary>
    public static void Secret(NodeReader r, YamlNode node, string errorKey, string path, ISet<string> set, string stack, string? why = null)
    {
        if (StackFiles.IsSecure(node)) set.Add(path);
        else
            r.Error(errorKey, "is set in plain text, so the secret is in the repository.",
                $"Remove it, rotate it{(why is null ? "" : $" ({why})")}, and run: pulumi config set --secret --path '{path}' <value> --stack {stack}");
    }

    /// <summary>The full key of a setting: <c>platform:&lt;name&gt;</c>.</summary>
    public static string Key(string name) => SettingsSchema.Namespace + ":" + name;

    /// <summary>Whether the stack file sets <paramref name="name"/>.</summary>
    public bool IsSet(string name) => doc.Values.ContainsKey(name);

    /// <summary>The node as written, or null when unset (for settings the schema gives no default).</summary>
    public YamlNode? Raw(string name) => doc.Values.GetValueOrDefault(name)?.Node;

    /// <summary>The node of a schema setting: its default when unset, with the required and stored-as-secret checks.</summary>
    public YamlNode? Node(string name)
    {
        var def = SettingsSchema.ByName[name];
        if (!doc.Values.TryGetValue(name, out var v))
        {
            if (def.Required && !def.Secret)
                R.Error(def.Key, "is required but not set.", $"Set it: pulumi config set {name} <value> --stack {doc.Stack}  ({def.Description})");
            return DefaultNode(def);
        }
        if (v.IsSecure && !def.Secret)
        {
            R.Error(def.Key, "is stored as a secret but is not a secret setting.", $"Set it in plain text: pulumi config set {name} <value> --stack {doc.Stack}");
            return DefaultNode(def);
        }
        return v.Node;
    }

    public string Str(string name) => R.String(Node(name), Key(name));

    /// <summary>An integer setting, within the range its schema row states (<see cref="SettingDef.Min"/>, <see cref="SettingDef.Max"/>).</summary>
    public int Int(string name)
    {
        var def = SettingsSchema.ByName[name];
        return R.Int(Node(name), Key(name), (int)(def.Default ?? 0), (int)(def.Min ?? int.MinValue), (int)(def.Max ?? int.MaxValue));
    }

    public bool Bool(string name) => R.Bool(Node(name), Key(name), (bool)(SettingsSchema.ByName[name].Default ?? false));

    /// <summary>A platform service's <c>&lt;prefix&gt;Image</c> (pinned) and <c>&lt;prefix&gt;MemoryMb</c> (in its row's range), with its CPU limit.</summary>
    public ServiceSettings Service(string prefix, double cpus)
    {
        var image = Str(prefix + "Image");
        if (Names.ImageProblem(image) is { } problem)
            R.Error(Key(prefix + "Image"), $"The image {problem}", "Pin a version tag (e.g. :1.2.3) or a digest (@sha256:…); never latest.");
        return new ServiceSettings(image, Int(prefix + "MemoryMb"), cpus);
    }

    private static YamlScalarNode? DefaultNode(SettingDef def) => def.Default switch
    {
        null => null,
        bool b => new YamlScalarNode(b ? "true" : "false"),
        var v => new YamlScalarNode(Convert.ToString(v, CultureInfo.InvariantCulture)),
    };
}
