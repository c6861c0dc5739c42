using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

public sealed class RegistryTests
{
    private static string WithRegistries(string registries, string secrets) =>
        File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.staging.yaml")).Replace("config:\n", $"config:\n{registries}{secrets}", StringComparison.Ordinal);

    private static (StackSettings? Settings, IReadOnlyList<SettingsError> Errors) Read(string stackYaml) =>
        SettingsReader.TryRead(StackFiles.Parse("platform", "staging", stackYaml));

    [Fact]
    public void A_private_registry_gets_credentials_from_its_secret()
    {
        var (settings, errors) = Read(WithRegistries(
            "  platform:registries:\n    - { name: ghcr, address: ghcr.io, username: deploy-bot }\n",
            "  platform:registrySecrets:\n    ghcr:\n      secure: v1:abc\n"));
        Assert.Empty(errors);
        var b = BlueprintBuilder.Build(settings!);
        var registry = Assert.Single(b.Registries);
        Assert.Equal(("ghcr.io", "deploy-bot", "registrySecrets.ghcr"), (registry.Address, registry.Username, registry.PasswordSecret));
        Assert.Contains(b.Secrets, s => s.Name == "registrySecrets.ghcr" && s.Source == SecretSource.Config && s.ConfigKey == "platform:registrySecrets.ghcr");
        Assert.Contains("registry ghcr.io: pulls as deploy-bot, password from registrySecrets.ghcr", Platform.Stacks.Plan.PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_mistakes_are_reported_with_their_keys()
    {
        var (_, errors) = Read(WithRegistries(
            "  platform:registries:\n    - { name: ghcr, address: ghcr.io }\n    - { name: ghcr, address: 'not a host', username: x, token: y }\n",
            "  platform:registrySecrets:\n    other: plain-text\n"));
        var keys = errors.Select(e => e.Key).ToList();
        Assert.Contains("platform:registries[0].username", keys);
        Assert.Contains("platform:registries[1].name", keys);
        Assert.Contains("platform:registries[1].address", keys);
        Assert.Contains("platform:registries[1].token", keys);
        Assert.Contains("platform:registrySecrets.ghcr", keys);   // required, not set
        Assert.Contains("platform:registrySecrets.other", keys);  // plain text
    }
}

public sealed class PlaceholderTests
{
    [Fact]
    public void Plan_names_every_secret_left_as_a_placeholder_with_the_command_that_sets_it()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.staging.yaml"));
        var count = text.Split(StackFiles.PlaceholderPrefix).Length - 1;
        Assert.Equal(count, b.PendingSecrets.Length);
        Assert.Contains(b.PendingSecrets, p => p.Key == "cloudflareApiToken" && p.Command == "pulumi config set --secret cloudflareApiToken <value> --stack staging");
        Assert.Contains(b.PendingSecrets, p => p.Key == "appSecrets.web.SESSION_SECRET" && p.Command.Contains("--path 'appSecrets.web.SESSION_SECRET'", StringComparison.Ordinal));
        Assert.Contains("still placeholders in Pulumi.staging.yaml (9)", Platform.Stacks.Plan.PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_values_are_not_placeholders()
    {
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.staging.yaml"))
            .Replace(StackFiles.PlaceholderPrefix + "-with-pulumi-config-set-secret", "v1:AAABAHgDzBZs1q8z3bD2", StringComparison.Ordinal);
        var settings = SettingsReader.Read(StackFiles.Parse("platform", "staging", text));
        Assert.Empty(BlueprintBuilder.Build(settings).PendingSecrets);
    }
}
