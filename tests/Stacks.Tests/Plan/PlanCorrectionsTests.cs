using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>Things the plan used to get wrong, as a new user found them.</summary>
public sealed class PlanCorrectionsTests
{
    [Fact]
    public void The_fixed_overhead_leaves_out_jobs_and_mariadb()
    {
        var plain = TestStacks.Build(TestStacks.Yaml()).Budget.PlatformFixedMb;
        var apps = TestStacks.DefaultApps + """

            - name: reports
              image: ghcr.io/example/reports:1.0.0
              healthCommand: [CMD, reports, --check]
              cpus: 0.25
              memoryMb: 128
              jobs:
                - { name: nightly, schedule: "0 2 * * *", command: [reports, run] }
            - name: shop
              image: wordpress:6.7.1-php8.3-apache
              port: 80
              routes: [{ host: shop }]
              healthPath: /wp-login.php
              cpus: 0.5
              memoryMb: 256
              needs: { database: { engine: mariadb } }
            """;
        var b = TestStacks.Build(TestStacks.Yaml(apps).Replace("platform:serverType: cx42", "platform:serverType: cx52", StringComparison.Ordinal));
        Assert.Contains(b.Budget.Lines, l => l.Kind == "job");
        Assert.Contains(b.Budget.Lines, l => l.Name == "mariadb");
        // The MariaDB backup agents are the platform's own; the job and MariaDB itself are not.
        var agents = b.Budget.Lines.Where(l => l.Name.StartsWith("backup-mariadb-", StringComparison.Ordinal)).Sum(l => l.TotalMb);
        Assert.Equal(plain + agents, b.Budget.PlatformFixedMb);
        Assert.Contains($"platform fixed overhead (all but PostgreSQL, MariaDB, Redis, MinIO, apps and their jobs): {plain + agents} MB", PlanText.Render(b), StringComparison.Ordinal);
    }
}

public sealed class ProviderCredentialTests
{
    [Theory]
    [InlineData("hcloud:token")]
    [InlineData("cloudflare:apiToken")]
    [InlineData("cloudflare:apiKey")]
    public void A_provider_credential_in_plain_text_is_refused_with_the_command_that_stores_it_encrypted(string key)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: $"{key}: abcdef0123456789"));
        var e = Assert.Single(errors);
        Assert.Equal($"stack file: {key}", e.Key);
        Assert.Contains($"pulumi config set --secret {key} <value> --stack test", e.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdef0123456789", e.ToString(), StringComparison.Ordinal);
        // As a Pulumi secret it is fine.
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(extra: $"{key}:\n  secure: v1:abc")));
    }
}

/// <summary>One mistake is reported once: the errors that only follow from it are left out.</summary>
public sealed class ErrorCauseTests
{
    [Fact]
    public void A_misspelt_required_key_is_one_error_that_says_to_rename_it()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml().Replace("platform:domain:", "platform:domian:", StringComparison.Ordinal));
        var e = Assert.Single(errors);
        Assert.Equal("platform:domian", e.Key);
        Assert.Equal("Rename it to 'domain': that setting is required and is not set otherwise.", e.Fix);
    }

    [Fact]
    public void A_misspelt_optional_key_keeps_its_suggestion()
    {
        var e = Assert.Single(TestStacks.Errors(TestStacks.Yaml(extra: "platform:postgresMemoryMB: 512")));
        Assert.StartsWith("Did you mean 'postgresMemoryMb'?", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_in_plain_text_is_not_also_reported_as_missing()
    {
        var apps = TestStacks.DefaultApps.Replace("  instances: 2\n", "  instances: 2\n  secretEnv: [SESSION_SECRET]\n", StringComparison.Ordinal);
        var errors = TestStacks.Errors(TestStacks.Yaml(apps, "platform:appSecrets:\n  web:\n    SESSION_SECRET: hunter2"));
        var e = Assert.Single(errors);
        Assert.Equal("platform:appSecrets.web.SESSION_SECRET", e.Key);
        Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
        // Without any value, the missing value is the error.
        var missing = Assert.Single(TestStacks.Errors(TestStacks.Yaml(apps)));
        Assert.Contains("has no value in this stack", missing.Problem, StringComparison.Ordinal);
    }
}
