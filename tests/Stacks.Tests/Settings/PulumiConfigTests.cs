using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

/// <summary><c>plan</c> reads the stack file; <c>pulumi up</c> reads what Pulumi hands the program. Both must give one blueprint.</summary>
public sealed class PulumiConfigTests
{
    private static string StackFile(string stack) => File.ReadAllText(Path.Combine(TestStacks.RepoRoot, $"Pulumi.{stack}.yaml"));

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Pulumis_config_and_the_stack_file_give_the_same_blueprint(string stack)
    {
        var offline = TestStacks.ShippedBlueprint(stack) with { PendingSecrets = [] };
        var (config, secrets) = PulumiConfig.MapOfStackFile(StackFile(stack), path => "decrypted-" + path);
        var online = BlueprintBuilder.Build(SettingsReader.Read(PulumiConfig.FromMap("platform", stack, config, secrets)));
        Assert.Equal(PlanJson.Render(offline), PlanJson.Render(online));
        Assert.Equal(PlanText.Render(offline), PlanText.Render(online));
        // No decrypted value reaches the settings or the plan.
        Assert.DoesNotContain("decrypted-", PlanText.Render(online), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_from_an_esc_environment_or_a_config_flag_are_seen()
    {
        var (config, secrets) = PulumiConfig.MapOfStackFile(StackFile("staging"), _ => "x");
        // Not in the stack file: e.g. from an ESC environment, or `pulumi up --config platform:redisMaxMemoryMb=384`.
        config["platform:redisMaxMemoryMb"] = "384";
        config["platform:apps"] = config["platform:apps"].Replace("\"memoryMb\":128", "\"memoryMb\":192", StringComparison.Ordinal);
        var settings = SettingsReader.Read(PulumiConfig.FromMap("platform", "staging", config, secrets));
        Assert.Equal(384, settings.Redis.MaxMemoryMb);
        Assert.Equal(192, settings.Apps.Single(a => a.Name == "landing").MemoryMb);
    }

    [Fact]
    public void A_secret_set_in_plain_text_in_the_environment_is_still_secret_and_never_read()
    {
        var (config, secrets) = PulumiConfig.MapOfStackFile(StackFile("staging"), _ => "top-secret-value");
        var doc = PulumiConfig.FromMap("platform", "staging", config, secrets);
        Assert.True(doc.Values["cloudflareApiToken"].IsSecure);
        Assert.Null(doc.Values["cloudflareApiToken"].Node);
        Assert.DoesNotContain("top-secret-value", System.Text.Json.JsonSerializer.Serialize(doc.Values.Select(v => v.Value.Node?.ToString())), StringComparison.Ordinal);
        var settings = SettingsReader.Read(doc);
        Assert.Contains("appSecrets.web.SESSION_SECRET", settings.SecretsSet);
    }

    [Fact]
    public void Broken_config_json_is_an_error_naming_the_variable()
    {
        var doc = PulumiConfig.Parse("platform", "staging", "{not json", null);
        Assert.Contains(doc.Errors, e => e.Key == PulumiConfig.ConfigVariable);
        Assert.Throws<InvalidStackException>(() => SettingsReader.Read(doc));
    }
}
