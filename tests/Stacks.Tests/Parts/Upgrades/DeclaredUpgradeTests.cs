using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Upgrades;

/// <summary>
/// A major-version upgrade declared in the stack file: what it refuses, what it adds to the blueprint (volumes, host
/// commands and their order), and how <c>plan --against</c> tells it apart from an undeclared major bump.
/// </summary>
public sealed class DeclaredUpgradeTests
{
    private const string Pg17 = "platform:postgresImage: postgres:17.2-alpine";

    private static string Upgrade(string body, string image = Pg17) => $"{image}\nplatform:postgresUpgrade: {body}";

    private const string MariaDbApps = """
        - name: shop
          image: ghcr.io/example/shop:1.0.0
          port: 8080
          routes: [{ host: shop }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          needs: { database: { engine: mariadb } }
        """;

    [Fact]
    public void A_declaration_that_does_not_match_the_image_or_itself_is_refused_at_its_keys_all_at_once()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: "platform:postgresUpgrade: { from: \"16\", to: \"17\", previousVolume: pg, rollback: true, keepOld: false, colour: red }"));
        // Rolling back to 16 with a 16 image is consistent: no error there.
        Assert.DoesNotContain(errors, e => e.Key == "platform:postgresUpgrade.rollback");
        Assert.Contains(errors, e => e.Key == "platform:postgresUpgrade.previousVolume" && e.Fix.Contains("postgres-data (never upgraded) or postgres-data-16", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:postgresUpgrade.keepOld" && e.Problem.Contains("the rollback runs on the old volume", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:postgresUpgrade.colour" && e.Problem == "is not a known setting.");

        // The image must name the new major (the old one when rolling back).
        var stale = Assert.Single(TestStacks.Errors(TestStacks.Yaml(extra: "platform:postgresUpgrade: { from: \"16\", to: \"17\" }")));
        Assert.Equal("platform:postgresUpgrade.to", stale.Key);
        Assert.Contains("upgrades to PostgreSQL 17, but postgresImage is postgres:16.6-alpine (PostgreSQL 16)", stale.Problem, StringComparison.Ordinal);
        Assert.Contains("Set postgresImage to a pinned PostgreSQL 17 image in the same change", stale.Fix, StringComparison.Ordinal);
        var back = Assert.Single(TestStacks.Errors(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\", rollback: true }"))));
        Assert.Equal("platform:postgresUpgrade.rollback", back.Key);
        Assert.Contains("rolls back to PostgreSQL 16, but postgresImage is postgres:17.2-alpine", back.Problem, StringComparison.Ordinal);

        var older = TestStacks.Errors(TestStacks.Yaml(extra: Upgrade("{ from: \"17\", to: \"16\" }", "platform:postgresImage: postgres:16.6-alpine")));
        Assert.Contains(older, e => e.Key == "platform:postgresUpgrade.to" && e.Problem == "PostgreSQL 16 is not newer than from (17).");
        var shape = TestStacks.Errors(TestStacks.Yaml(extra: Upgrade("{ from: \"16.4\", to: seventeen }")));
        Assert.Contains(shape, e => e.Key == "platform:postgresUpgrade.from" && e.Problem == "'16.4' is not a PostgreSQL major version.");
        Assert.Contains(shape, e => e.Key == "platform:postgresUpgrade.to" && e.Problem == "'seventeen' is not a PostgreSQL major version.");
        Assert.Contains(TestStacks.Errors(TestStacks.Yaml(extra: Upgrade("{ to: \"17\" }"))), e => e.Key == "platform:postgresUpgrade.from" && e.Problem == "is not set.");

        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\" }"))));
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(extra: Upgrade("{ from: 16, to: 17, previousVolume: postgres-data-16, keepOld: false, dataGb: 40 }"))));
    }

    [Fact]
    public void A_mariadb_image_of_another_series_needs_the_declaration()
    {
        var undeclared = TestStacks.Errors(TestStacks.Yaml(MariaDbApps, "platform:mariadbImage: mariadb:11.4.5"));
        Assert.Contains(undeclared, e => e.Key == "platform:mariadbImage" && e.Fix.Contains("declare an upgrade to another series (mariadbUpgrade", StringComparison.Ordinal));
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(MariaDbApps, "platform:mariadbImage: mariadb:11.4.5\nplatform:mariadbUpgrade: { from: \"10.11\", to: \"11.4\" }")));
        Assert.Contains(TestStacks.Errors(TestStacks.Yaml(MariaDbApps, "platform:mariadbImage: mariadb:11.4.5\nplatform:mariadbUpgrade: { from: \"10.11\", to: \"11\" }")),
            e => e.Key == "platform:mariadbUpgrade.to" && e.Fix.Contains("a MariaDB major is major.minor", StringComparison.Ordinal));
        var unused = Assert.Single(TestStacks.Errors(TestStacks.Yaml(extra: "platform:mariadbUpgrade: { from: \"10.11\", to: \"11.4\" }")), e => e.Key == "platform:mariadbUpgrade");
        Assert.Contains("no app uses MariaDB", unused.Problem, StringComparison.Ordinal);
        var b = TestStacks.Build(TestStacks.Yaml(MariaDbApps, "platform:mariadbImage: mariadb:11.4.5\nplatform:mariadbUpgrade: { from: \"10.11\", to: \"11.4\" }"));
        Assert.Equal("mariadb-data-11.4", b.Service("mariadb").Mounts.Single(m => m.Target == "/var/lib/mysql").Source);
        var upgrade = b.HostCommands.Single(c => c.Name == "mariadb-upgrade");
        Assert.Equal(("10.11", "11.4", "mariadb-data", "mariadb-data-11.4"), (upgrade.Upgrades!.From, upgrade.Upgrades.To, upgrade.Upgrades.OldVolume, upgrade.Upgrades.NewVolume));
        Assert.DoesNotContain(b.HostCommands, c => c.Name == "mariadb-upgrade-finish");
        Assert.Contains("mariadb-upgrade", b.Service("mariadb").AfterHostCommands);
        Assert.Contains(b.Volumes, v => v.Name == "mariadb-data" && v.Purpose.StartsWith("MariaDB 10.11 data, kept as it was", StringComparison.Ordinal));
    }

    [Fact]
    public void The_upgrade_copies_into_a_new_volume_before_the_guard_and_the_container_and_keeps_the_old_one()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\", dataGb: 5 }"), environment: "prod"));
        var pg = b.Service("postgres");
        Assert.Equal("postgres-data-17", pg.Mounts.Single(m => m.Target == "/var/lib/postgresql/data").Source);
        Assert.Equal(["postgres-upgrade", "postgres-major-guard"], pg.AfterHostCommands.Where(c => c.StartsWith("postgres-", StringComparison.Ordinal) && c != "postgres-pgbackrest-image").AsEnumerable());
        var kept = b.Volumes.Single(v => v.Name == "postgres-data");
        var fresh = b.Volumes.Single(v => v.Name == "postgres-data-17");
        Assert.True(kept.Protect && fresh.Protect && kept.Durable && fresh.Durable);
        Assert.Contains("kept as it was at the upgrade to 17", kept.Purpose, StringComparison.Ordinal);

        var upgrade = b.HostCommands.Single(c => c.Name == "postgres-upgrade");
        Assert.Equal(UpgradeScripts.Script(upgrade.Upgrades!), upgrade.Stdin!.Masked);
        Assert.StartsWith("DOWNTIME, declared upgrade (postgresUpgrade)", upgrade.Description, StringComparison.Ordinal);
        Assert.Contains("estimate about 7 min for 5 GB", upgrade.Description, StringComparison.Ordinal);
        var guard = b.HostCommands.Single(c => c.Name == "postgres-major-guard");
        Assert.Contains("postgres-upgrade", guard.AfterCommands);
        Assert.Equal("postgres-data-17", guard.Guards!.Volume);
        var finish = b.HostCommands.Single(c => c.Name == "postgres-upgrade-finish");
        Assert.Equal(["postgres"], finish.DependsOnServices.AsEnumerable());
        Assert.Equal(["postgres-upgrade"], finish.AfterCommands.AsEnumerable());

        // With point-in-time recovery (prod's default is off in this stack): the image is built first, the stanza follows the new cluster.
        var pitr = TestStacks.Build(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\" }") + "\nplatform:postgresPitr: true"));
        var pitrUpgrade = pitr.HostCommands.Single(c => c.Name == "postgres-upgrade");
        Assert.Equal(["postgres-pgbackrest-image"], pitrUpgrade.AfterCommands.AsEnumerable());
        Assert.True(pitrUpgrade.Upgrades!.Pitr);
        Assert.Equal("platform/postgres-pgbackrest:17.2-alpine", pitrUpgrade.Upgrades.Image);
        Assert.Contains("postgres-upgrade-finish", pitr.HostCommands.Single(c => c.Name == "postgres-pitr-stanza").AfterCommands);
        Assert.Contains("pgbackrest stanza-upgrade", pitr.HostCommands.Single(c => c.Name == "postgres-upgrade-finish").Stdin!.Masked, StringComparison.Ordinal);

        // keepOld: false lets the old volume go; a rollback runs the old major on it again and keeps the new one.
        var dropped = TestStacks.Build(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\", keepOld: false }")));
        Assert.DoesNotContain(dropped.Volumes, v => v.Name == "postgres-data");
        var rolledBack = TestStacks.Build(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\", rollback: true }", "platform:postgresImage: postgres:16.6-alpine")));
        Assert.Equal("postgres-data", rolledBack.Service("postgres").Mounts.Single(m => m.Target == "/var/lib/postgresql/data").Source);
        Assert.Contains(rolledBack.Volumes, v => v.Name == "postgres-data-17");
        Assert.DoesNotContain(rolledBack.HostCommands, c => c.Upgrades is not null || c.Name == "postgres-upgrade-finish");
    }

    [Fact]
    public void Plan_against_shows_a_declared_upgrade_as_a_downtime_step_with_its_estimate_and_still_flags_an_undeclared_bump()
    {
        var before = TestStacks.Build(TestStacks.Yaml());
        var undeclared = PlanVerdicts.Between(before, TestStacks.Build(TestStacks.Yaml(extra: Pg17)));
        Assert.Contains(undeclared, l => l.StartsWith("! refused by the major-version guard unless the data was upgraded first: container postgres (PostgreSQL 16 -> 17", StringComparison.Ordinal));
        Assert.DoesNotContain(undeclared, l => l.Contains("declared upgrade", StringComparison.Ordinal));

        var upgraded = TestStacks.Build(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\", dataGb: 5 }")));
        var declared = PlanVerdicts.Between(before, upgraded);
        Assert.DoesNotContain(declared, l => l.Contains("refused by the major-version guard", StringComparison.Ordinal));
        var step = Assert.Single(declared, l => l.StartsWith("! DOWNTIME, declared upgrade: container postgres (PostgreSQL 16 -> 17, postgresUpgrade)", StringComparison.Ordinal));
        Assert.Contains("copies every database into the new volume postgres-data-17", step, StringComparison.Ordinal);
        Assert.Contains("the apps lose PostgreSQL (PgBouncer is stopped) until postgres-upgrade-finish runs", step, StringComparison.Ordinal);
        Assert.Contains("postgres-data is kept as it was (rollback: postgresUpgrade.rollback: true)", step, StringComparison.Ordinal);
        // The estimate and what it is based on: 3 × 9.9 + 36.5 = 66.2 s per GB, 5 GB + 60 s = 391 s, 7 minutes.
        Assert.Contains("estimate about 7 min for 5 GB (postgresUpgrade.dataGb): 66 s per GB (the 1 GB dump 9.9 s and restore 36.5 s measured in docs/operations.md", step, StringComparison.Ordinal);
        Assert.Equal(7, UpgradeEstimate.Minutes(5));
        Assert.Equal(3, UpgradeEstimate.Minutes(1));
        // docs/operations.md gives the same figure for its example.
        Assert.Equal(24, UpgradeEstimate.Minutes(20));
        Assert.Contains("estimate about 24 min for 20 GB", File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "docs", "operations.md")), StringComparison.Ordinal);
        Assert.Contains(declared, l => l == "+ created: volume postgres-data-17");
        Assert.Contains(declared, l => l == "+ runs: host command postgres-upgrade");

        // Once done, a later plan (same declaration) has no upgrade step; a rollback says which data the container gets.
        Assert.DoesNotContain(PlanVerdicts.Between(upgraded, upgraded), l => l.Contains("DOWNTIME", StringComparison.Ordinal));
        var rollback = PlanVerdicts.Between(upgraded, TestStacks.Build(TestStacks.Yaml(extra: Upgrade("{ from: \"16\", to: \"17\", rollback: true }", "platform:postgresImage: postgres:16.6-alpine"))));
        Assert.DoesNotContain(rollback, l => l.Contains("refused by the major-version guard", StringComparison.Ordinal));
        Assert.Contains(rollback, l => l.StartsWith("! container postgres runs on volume postgres-data instead of postgres-data-17 (postgresImage = postgres:16.6-alpine;", StringComparison.Ordinal));
    }
}
