using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Apps;

/// <summary>Reads an app's <c>env</c> (plain values) and <c>secretEnv</c> (names of secrets set in <c>appSecrets.&lt;app&gt;</c>).</summary>
internal static class AppEnvReader
{
    public static (ImmutableSortedDictionary<string, string> Env, ImmutableArray<string> SecretEnv) Read(
        NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string key, string name, string stack, ImmutableSortedSet<string>.Builder secrets)
    {
        var env = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (m.TryGetValue("env", out var envNode))
        {
            if (envNode is not YamlMappingNode envMap)
                r.Error($"{key}.env", "must be a mapping of NAME: value.", "Write e.g. 'env: { LOG_LEVEL: info }'.");
            else
            {
                foreach (var (k, v) in envMap.Children)
                {
                    var envName = (k as YamlScalarNode)?.Value ?? "";
                    var ek = $"{key}.env.{envName}";
                    if (!Names.IsEnvName(envName))
                    {
                        r.Error(ek, $"'{envName}' is not an environment variable name.", "Use letters, digits and underscores, not starting with a digit, e.g. LOG_LEVEL.");
                        continue;
                    }
                    if (StackFiles.IsSecure(v))
                    {
                        r.Error(ek, "is a secret inside env.", $"List the name under secretEnv and set the value with: pulumi config set --secret --path 'appSecrets.{name}.{envName}' <value> --stack {stack}");
                        continue;
                    }
                    var envValue = r.String(v, ek);
                    if (envValue.Any(c => char.IsControl(c) && c != '\t'))
                    {
                        r.Error(ek, "contains a control character (NUL, a line break or an escape sequence), which Docker cannot pass or the app would misread.",
                            "Remove it; use a secretEnv value for anything binary, and encode it (e.g. base64).");
                        continue;
                    }
                    env[envName] = envValue;
                }
            }
        }

        var secretEnv = m.TryGetValue("secretEnv", out var seNode) ? r.StringList(seNode, $"{key}.secretEnv") : [];
        for (var j = 0; j < secretEnv.Length; j++)
        {
            var sk = $"{key}.secretEnv[{j}]";
            if (!Names.IsEnvName(secretEnv[j]))
                r.Error(sk, $"'{secretEnv[j]}' is not an environment variable name.", "Use letters, digits and underscores, not starting with a digit, e.g. STRIPE_API_KEY.");
            else if (env.ContainsKey(secretEnv[j]))
                r.Error(sk, $"{secretEnv[j]} is also in env.", "Keep it in one place: secretEnv for secrets, env for plain values.");
            else if (!secrets.Contains($"appSecrets.{name}.{secretEnv[j]}"))
                r.Error(sk, $"{secretEnv[j]} has no value in this stack.", $"pulumi config set --secret --path 'appSecrets.{name}.{secretEnv[j]}' <value> --stack {stack}");
        }

        return (env.ToImmutable(), secretEnv);
    }

    /// <summary>Adds each secret of <c>appSecrets.&lt;app&gt;.&lt;NAME&gt;</c> to <paramref name="set"/>; a plain-text one, or one encrypted blob, is refused.</summary>
    public static void CollectSecrets(NodeReader r, ConfigValue value, string stack, ImmutableSortedSet<string>.Builder set)
    {
        if (value.IsSecure)
        {
            r.Error(StackValues.Key("appSecrets"), "is one encrypted blob, so no app secret can be checked or referenced.",
                $"Set each value on its own path: pulumi config set --secret --path 'appSecrets.<app>.<NAME>' <value> --stack {stack}");
            return;
        }
        if (value.Node is not YamlMappingNode apps)
        {
            r.Error(StackValues.Key("appSecrets"), "must be a mapping of app name to secret values.", "Set values with: pulumi config set --secret --path 'appSecrets.<app>.<NAME>' <value>");
            return;
        }
        foreach (var (appKey, appNode) in apps.Children)
        {
            var app = (appKey as YamlScalarNode)?.Value ?? "";
            if (appNode is not YamlMappingNode names) continue;
            foreach (var (nameKey, secretNode) in names.Children)
            {
                var name = (nameKey as YamlScalarNode)?.Value ?? "";
                StackValues.Secret(r, secretNode, $"{StackValues.Key("appSecrets")}.{app}.{name}", $"appSecrets.{app}.{name}", set, stack);
            }
        }
    }
}
