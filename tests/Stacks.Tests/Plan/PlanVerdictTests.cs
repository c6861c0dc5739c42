using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>
/// plan --against says what happens to each resource, by the shell's own rules: the verdict of a container is
/// <see cref="ShellDecisions.ContainerChange"/> over the <see cref="ContainerConfig"/> the shell copies, with the
/// <see cref="ContainerConfig.DeleteBeforeReplace"/> it sets; a files host command's container is reloaded or restarted
/// as its <see cref="HostCommandSpec.Reload"/> says.
/// </summary>
public sealed class PlanVerdictTests
{
    private static readonly string Prod = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));

    private static PlatformBlueprint Plan(string yaml) => BlueprintBuilder.Build(SettingsReader.Read(
        StackFiles.FromTexts(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml")), "prod", yaml)));

    private static string Review(string changed) => PlanDiff.Render(Plan(Prod), Plan(changed));

    [Fact]
    public void The_same_stack_has_no_changes() => Assert.Equal("No changes.\n", Review(Prod));

    [Fact]
    public void A_postgres_image_bump_replaces_it_delete_first_with_downtime_for_the_apps_that_use_it()
    {
        var review = Review(Prod.Replace("  platform:postgresMemoryMb: 4096\n", "  platform:postgresMemoryMb: 4096\n  platform:postgresImage: postgres:16.8-alpine\n", StringComparison.Ordinal));
        var line = Assert.Single(review.Split('\n'), l => l.Contains("container postgres ", StringComparison.Ordinal));
        // Prod runs PITR, so PostgreSQL's image is the one derived on the server from the pinned image (pgBackRest added).
        Assert.StartsWith("! replaced delete-before-create, DOWNTIME: container postgres (image platform/postgres-pgbackrest:16.6-alpine -> platform/postgres-pgbackrest:16.8-alpine)", line, StringComparison.Ordinal);
        Assert.Contains("api", line, StringComparison.Ordinal);
        Assert.Contains("pgbouncer", line, StringComparison.Ordinal);
        Assert.True(ContainerConfigs.Of(Plan(Prod).Service("postgres")).DeleteBeforeReplace);
        Assert.Contains("@@ Data: PostgreSQL + PgBouncer (platform:data:Postgres postgres) > postgres @@", review, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_major_version_bump_is_flagged_as_refused_by_the_guard_unless_the_data_was_upgraded()
    {
        var review = Review(Prod.Replace("  platform:postgresMemoryMb: 4096\n", "  platform:postgresMemoryMb: 4096\n  platform:postgresImage: postgres:17.2-alpine\n", StringComparison.Ordinal));
        Assert.Contains("~ runs again: host command postgres-major-guard", review, StringComparison.Ordinal);
        Assert.Contains("! refused by the major-version guard unless the data was upgraded first: container postgres (PostgreSQL 16 -> 17, postgresImage; postgres-major-guard stops the deployment before the container is touched", review, StringComparison.Ordinal);
        // A patch release is no major change.
        var patch = Review(Prod.Replace("  platform:postgresMemoryMb: 4096\n", "  platform:postgresMemoryMb: 4096\n  platform:postgresImage: postgres:16.8-alpine\n", StringComparison.Ordinal));
        Assert.Contains("~ runs again: host command postgres-major-guard", patch, StringComparison.Ordinal);
        Assert.DoesNotContain("refused by the major-version guard", patch, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_redis_is_flagged_and_a_newer_one_is_not()
    {
        var older = Review(Prod.Replace("config:\n", "config:\n  platform:redisImage: redis:7.2.5\n", StringComparison.Ordinal));
        Assert.Contains("! refused by the major-version guard if the data is newer: container app-api.redis (Redis 7.4 -> 7.2, redisImage;", older, StringComparison.Ordinal);
        var newer = Review(Prod.Replace("config:\n", "config:\n  platform:redisImage: redis:8.0.2\n", StringComparison.Ordinal));
        Assert.Contains("~ runs again: host command app-api.redis-major-guard", newer, StringComparison.Ordinal);
        Assert.DoesNotContain("refused by the major-version guard", newer, StringComparison.Ordinal);
    }

    [Fact]
    public void Raising_an_apps_memory_updates_its_containers_in_place_and_gives_the_memory_delta()
    {
        var review = Review(Prod.Replace("      memoryMb: 1024\n", "      memoryMb: 1536\n", StringComparison.Ordinal));
        Assert.Contains("~ updated in place, no restart: container api-1 (memory 1024 -> 1536 MB, swap)", review, StringComparison.Ordinal);
        Assert.Contains("= memory: +1024 MB", review, StringComparison.Ordinal);
        Assert.DoesNotContain("replaced", review, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_an_app_creates_its_resources_and_reloads_pgbouncer_in_place()
    {
        var review = Review(Prod + """
                - name: docs
                  image: ghcr.io/brightlane/docs:1.0.0
                  port: 8080
                  routes:
                    - host: docs
                  healthPath: /healthz
                  cpus: 0.25
                  memoryMb: 128
                  needs:
                    database: true

            """);
        Assert.Contains("+ created: container docs-1 (ghcr.io/brightlane/docs:1.0.0)", review, StringComparison.Ordinal);
        Assert.Contains("+ created: DNS A docs.brightlane.io", review, StringComparison.Ordinal);
        Assert.Contains("~ reloaded in place, no restart: pgbouncer (host command pgbouncer-config rewrites its files)", review, StringComparison.Ordinal);
        Assert.Contains("= memory: +128 MB", review, StringComparison.Ordinal);
        // Adding an app replaces no data service and not the edge (AutoKuma's monitor files do replace it: the review says so).
        foreach (var service in new[] { "postgres", "pgbouncer", "traefik", "minio" })
            Assert.DoesNotContain($"container {service} (", review, StringComparison.Ordinal);
        Assert.DoesNotContain("! restarted", review, StringComparison.Ordinal);
    }

    [Fact]
    public void The_containers_rules_are_the_shells()
    {
        Assert.Equal(ContainerAction.None, ShellDecisions.ContainerChange([], deleteBeforeReplace: true));
        Assert.Equal(ContainerAction.UpdateInPlace, ShellDecisions.ContainerChange(["MemoryMb", "MemorySwapMb"], deleteBeforeReplace: true));
        Assert.Equal(ContainerAction.ReplaceDeleteFirst, ShellDecisions.ContainerChange(["MemoryMb", "Healthcheck"], deleteBeforeReplace: true));
        Assert.Equal(ContainerAction.ReplaceCreateFirst, ShellDecisions.ContainerChange(["Image"], deleteBeforeReplace: false));
        // Every field updated in place is a field of the configuration the shell copies.
        var fields = typeof(ContainerConfig).GetProperties().Select(p => p.Name).ToHashSet();
        Assert.All(ShellDecisions.ContainerUpdatedInPlace, f => Assert.Contains(f, fields));
        // Only Traefik's basic-auth files restart a container; every other files command reloads in place.
        foreach (var c in TestStacks.ShippedBlueprint("prod").HostCommands.Where(c => c.Reload is not null))
            Assert.Equal(c.Stdin!.Masked.Contains(ShellDecisions.RestartCommand(c.Reload!.Container), StringComparison.Ordinal), c.Reload!.Restarts);
    }
}
