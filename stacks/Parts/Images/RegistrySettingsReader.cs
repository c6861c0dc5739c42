using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Images;

/// <summary>Reads <c>platform:registries</c> (private registries the server logs in to) and their secrets, <c>registrySecrets.&lt;name&gt;</c>.</summary>
internal static class RegistrySettingsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> RegistryKeys => SettingsShapes.Registry.Keys;

    public static ImmutableArray<RegistrySettings> Read(NodeReader r, YamlNode? node, string stack, ImmutableSortedSet<string>.Builder secrets)
    {
        if (node is null) return [];
        if (node is not YamlSequenceNode list)
        {
            r.Error(StackValues.Key("registries"), "must be a list of { name, address, username }.", "Write e.g. 'registries: [{ name: ghcr, address: ghcr.io, username: deploy-bot }]'.");
            return [];
        }
        var result = ImmutableArray.CreateBuilder<RegistrySettings>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var key = $"{StackValues.Key("registries")}[{i}]";
            if (list.Children[i] is not YamlMappingNode entry)
            {
                r.Error(key, "must be a mapping { name, address, username }.", "Write e.g. '{ name: ghcr, address: ghcr.io, username: deploy-bot }'.");
                continue;
            }
            foreach (var unknown in entry.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(k => !RegistryKeys.Contains(k)))
                r.Error($"{key}.{unknown}", "is not a registry setting.", NodeReader.Suggest(unknown, RegistryKeys));
            string Field(string name)
            {
                var value = entry.Children.TryGetValue(new YamlScalarNode(name), out var v) ? (v as YamlScalarNode)?.Value ?? "" : "";
                if (value.Length == 0) r.Error($"{key}.{name}", "is required.", "Give the registry's name, address (e.g. ghcr.io) and user name.");
                return value.Trim();
            }
            var registry = new RegistrySettings(Field("name"), Field("address").ToLowerInvariant(), Field("username"));
            if (registry.Name.Length > 0 && !Names.IsAppName(registry.Name))
                r.Error($"{key}.name", $"'{registry.Name}' is not a valid name.", "Use lower-case letters, digits and hyphens, e.g. ghcr.");
            if (registry.Address.Length > 0 && !Names.IsDomain(registry.Address.Split(':')[0]))
                r.Error($"{key}.address", $"'{registry.Address}' is not a registry host.", "Use the registry's host name, e.g. ghcr.io or registry.gitlab.com.");
            if (result.Any(x => x.Name == registry.Name))
                r.Error($"{key}.name", $"'{registry.Name}' is listed twice.", "Give each registry its own name.");
            if (result.Any(x => x.Address == registry.Address))
                r.Error($"{key}.address", $"'{registry.Address}' is listed twice.", "List each registry once.");
            if (registry.Name.Length > 0 && !secrets.Contains(registry.SecretKey))
                r.Error($"{StackValues.Key("registrySecrets")}.{registry.Name}", "is required but not set (the registry's password or token).",
                    $"pulumi config set --secret --path '{registry.SecretKey}' <token> --stack {stack}");
            result.Add(registry);
        }
        return result.ToImmutable();
    }

    /// <summary>Adds each secret of <c>registrySecrets</c> to <paramref name="set"/>; a plain-text one is refused.</summary>
    public static void CollectSecrets(NodeReader r, ConfigValue value, string stack, ImmutableSortedSet<string>.Builder set)
    {
        if (value.Node is not YamlMappingNode registries || value.IsSecure)
        {
            r.Error(StackValues.Key("registrySecrets"), "must be a mapping of registry name to its secret.", $"Set each with: pulumi config set --secret --path 'registrySecrets.<name>' <token> --stack {stack}");
            return;
        }
        foreach (var (nameKey, secretNode) in registries.Children)
        {
            var name = (nameKey as YamlScalarNode)?.Value ?? "";
            StackValues.Secret(r, secretNode, $"{StackValues.Key("registrySecrets")}.{name}", $"registrySecrets.{name}", set, stack);
        }
    }
}
