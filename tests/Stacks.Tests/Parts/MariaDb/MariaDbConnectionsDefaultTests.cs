using System.Globalization;
using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.MariaDb;

/// <summary>
/// MariaDB's max_connections follows the stack: a platform of 20 tenant stores (20 connections each by default) plans
/// without tuning, with the apps' sum + 10 for the platform's own clients; a value the stack sets that is too small is
/// refused with the number to set.
/// </summary>
public sealed class MariaDbConnectionsDefaultTests
{
    private static string Stores(int count)
    {
        var sb = new StringBuilder();
        for (var i = 1; i <= count; i++)
        {
            var name = $"store-{i.ToString("00", CultureInfo.InvariantCulture)}";
            sb.Append(CultureInfo.InvariantCulture, $"""
                - name: {name}
                  image: wordpress:6.7.1-php8.3-apache
                  port: 80
                  routes: [{"{"} host: {name} {"}"}]
                  healthPath: /wp-login.php
                  cpus: 0.25
                  memoryMb: 128
                  needs: {"{"} database: {"{"} engine: mariadb {"}"} {"}"}

                """);
        }
        return sb.ToString();
    }

    private static string MaxConnectionsLine(PlatformBlueprint b) =>
        b.Service(ServiceNames.MariaDb).Files.Single(f => f.Path == MariaDbNames.ConfigPath).Content.Masked
            .Split('\n').Single(l => l.StartsWith("max_connections", StringComparison.Ordinal));

    [Fact]
    public void Twenty_tenant_stores_plan_with_the_default_and_max_connections_fits_them()
    {
        var yaml = TestStacks.Yaml(Stores(20));
        Assert.Empty(TestStacks.Errors(yaml));
        var b = TestStacks.Build(yaml);
        Assert.Equal(20, b.Databases.Count(d => d.Engine == Platform.Stacks.Settings.DatabaseEngine.MariaDb));
        // 20 × 20 for the stores + 10 for the platform's own clients.
        Assert.Equal("max_connections = 410", MaxConnectionsLine(b).Replace("  ", " ", StringComparison.Ordinal));
        Assert.Contains("MariaDB max_connections 410: the apps' connection limits add up to 400, + 10 for the platform's own clients, at least 100 (derived",
            PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_stack_keeps_100()
    {
        var b = TestStacks.Build(TestStacks.Yaml(Stores(2)));
        Assert.Equal("max_connections = 100", MaxConnectionsLine(b).Replace("  ", " ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_the_stack_sets_is_kept_and_one_too_small_is_refused_with_the_number()
    {
        var set = TestStacks.Build(TestStacks.Yaml(Stores(2), "platform:mariadbMaxConnections: 300"));
        Assert.Equal("max_connections = 300", MaxConnectionsLine(set).Replace("  ", " ", StringComparison.Ordinal));
        Assert.Contains("MariaDB max_connections 300: the apps' connection limits add up to 40 (platform:mariadbMaxConnections)", PlanText.Render(set), StringComparison.Ordinal);

        var e = Assert.Single(TestStacks.Errors(TestStacks.Yaml(Stores(20), "platform:mariadbMaxConnections: 100")));
        Assert.Equal("platform:mariadbMaxConnections", e.Key);
        Assert.Contains("add up to 400", e.Problem, StringComparison.Ordinal);
        Assert.Contains("Raise maxConnections to 410", e.Fix, StringComparison.Ordinal);
        Assert.Contains("leave it at 0", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new int[0], 100)]
    [InlineData(new[] { 20, 20 }, 100)]
    [InlineData(new[] { 45, 45 }, 100)]
    [InlineData(new[] { 50, 45 }, 105)]
    [InlineData(new[] { 9995, 9995 }, 10000)]
    public void The_derived_value_is_the_sum_plus_ten_at_least_100_and_within_the_settings_range(int[] limits, int expected) =>
        Assert.Equal(expected, MariaDbSettings.Derived(limits));
}
