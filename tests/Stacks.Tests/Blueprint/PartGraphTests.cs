using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class PartGraphTests
{
    public static TheoryData<string> Shipped => new() { "staging", "prod" };

    [Theory, MemberData(nameof(Shipped))]
    public void Every_container_volume_and_host_command_belongs_to_exactly_one_part(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var parts = PartGraph.Of(b);
        Assert.Equal(b.Services.Length, parts.Sum(p => p.Services.Length));
        Assert.Equal(b.Volumes.Length, parts.Sum(p => p.Volumes.Length));
        Assert.Equal(b.HostCommands.Length, parts.Sum(p => p.HostCommands.Length));
        Assert.Equal(parts.Length, parts.Select(p => p.Id.ResourceName).Distinct().Count());
    }

    [Theory, MemberData(nameof(Shipped))]
    public void The_platform_is_its_parts_each_its_own_component(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var tokens = PartGraph.Of(b).Select(p => p.Id.TypeToken).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
            ["platform:apps:App", "platform:backups:Backups", "platform:data:Postgres", "platform:data:Redis", "platform:edge:Traefik", "platform:monitoring:UptimeKuma",
             .. b.Observability!.Enabled ? ["platform:observability:Observability"] : Array.Empty<string>(), "platform:storage:Minio"],
            tokens);
        Assert.Equal(b.Services.Where(s => s.App is not null).Select(s => s.App).Distinct().Count(), PartGraph.Of(b).Count(p => p.Id.Kind == PartKind.App));
        Assert.Equal(PartId.Postgres, b.Service("pgbouncer").Part);
        Assert.Equal(PartId.Edge, b.Service("socket-proxy").Part);
        Assert.Equal(PartId.Monitoring, b.Service("autokuma").Part);
    }

    [Fact]
    public void Every_kind_of_part_has_one_identity_row_and_no_two_rows_share_a_token_name_or_order()
    {
        var rows = PartIdentities.Rows;
        Assert.Equal(Enum.GetValues<PartKind>().Order(), rows.Select(r => r.Kind).Order());
        Assert.Equal(rows.Length, rows.Select(r => r.TypeToken).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(rows.Length, rows.Select(r => r.ResourceName).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(rows.Length, rows.Select(r => r.Order).Distinct().Count());
        Assert.All(rows, r => Assert.Matches("^platform:[a-z]+:[A-Z][A-Za-z]+$", r.TypeToken));
        // Platform parts' names never start with the app namespace's prefix.
        Assert.All(rows.Where(r => r.Kind != PartKind.App), r => Assert.False(r.ResourceName.StartsWith("app", StringComparison.Ordinal), r.ResourceName));
        Assert.Equal(("app-shop", "App shop", "platform:apps:App"), (PartId.App("shop").ResourceName, PartId.App("shop").Title, PartId.App("shop").TypeToken));
        Assert.Equal(("postgres", "Data: PostgreSQL + PgBouncer"), (PartId.Postgres.ResourceName, PartId.Postgres.Title));
    }

    [Theory, MemberData(nameof(Shipped))]
    public void Parts_come_after_every_part_they_depend_on(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var parts = PartGraph.Of(b);
        var position = parts.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i);
        foreach (var part in parts)
            foreach (var dep in part.DependsOn)
                Assert.True(position[dep] < position[part.Id], $"{part.Id} needs {dep} first");

        // The dependencies reviewers expect: apps after PostgreSQL provisioning, routed apps after Traefik,
        // backups after the data they back up and the monitors they report to.
        var api = parts.Single(p => p.Id == PartId.App("api"));
        Assert.Contains(PartId.Postgres, api.DependsOn);
        Assert.Contains(PartId.Edge, api.DependsOn);
        Assert.Contains(HostCommandNames.PostgresProvision, api.Services[0].AfterHostCommands);
        var backups = parts.Single(p => p.Id == PartId.Backups);
        Assert.Contains(PartId.Postgres, backups.DependsOn);
        Assert.Contains(PartId.Monitoring, backups.DependsOn);
    }

    [Fact]
    public void A_dependency_cycle_between_parts_is_reported_not_looped()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var traefik = b.Service("traefik");
        var cyclic = b with { Services = b.Services.Replace(traefik, traefik with { DependsOn = [.. traefik.DependsOn, "api-1"] }) };
        var error = Assert.Throws<InvalidOperationException>(() => PartGraph.Of(cyclic));
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_named_like_a_platform_part_is_still_an_app()
    {
        // App parts live in their own namespace: "app-<name>".
        Assert.NotEqual(PartId.Postgres.ResourceName, PartId.App("postgres").ResourceName);
        Assert.NotEqual(PartId.Edge.ResourceName, PartId.App("edge").ResourceName);
        Assert.All(Enum.GetValues<PartKind>().Where(k => k != PartKind.App), k => Assert.DoesNotMatch("^app-", new PartId(k).ResourceName));
    }
}
