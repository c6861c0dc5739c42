using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>Where the major-version guards sit in the blueprint, and how they read an image's version (offline).</summary>
public sealed class MajorVersionGuardBlueprintTests
{
    [Theory]
    [InlineData(GuardedEngine.Postgres, "postgres:16.6-alpine", "16")]
    [InlineData(GuardedEngine.Postgres, "postgres:17", "17")]
    [InlineData(GuardedEngine.Postgres, "registry.example.com:5000/mirror/postgres:15.10-bookworm@sha256:abc", "15")]
    [InlineData(GuardedEngine.Postgres, "postgres@sha256:abc", null)]
    [InlineData(GuardedEngine.Postgres, "postgres", null)]
    [InlineData(GuardedEngine.MariaDb, "mariadb:10.11.18", "10.11")]
    [InlineData(GuardedEngine.MariaDb, "mariadb:11.4", "11.4")]
    [InlineData(GuardedEngine.MariaDb, "mariadb:11", null)]
    [InlineData(GuardedEngine.Redis, "redis:7.4.2-alpine", "7.4")]
    [InlineData(GuardedEngine.Redis, "valkey/valkey:8.0.1", "8.0")]
    public void The_version_compared_is_read_from_the_images_tag(GuardedEngine engine, string image, string? expected) =>
        Assert.Equal(expected, MajorVersionGuard.ImageVersion(engine, image));

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Every_data_container_waits_for_its_guard_which_compares_its_own_setting(string stack)
    {
        var blueprint = TestStacks.ShippedBlueprint(stack);
        var data = blueprint.Services.Where(s => s.Name == ServiceNames.Postgres || s.Name == "mariadb" || s.Name.EndsWith(".redis", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(data);
        foreach (var service in data)
        {
            var name = MajorVersionGuard.CommandName(service.Name);
            Assert.Contains(name, service.AfterHostCommands);
            var guard = Assert.Single(blueprint.HostCommands, c => c.Name == name);
            Assert.Equal(service.Name, guard.Guards?.Service);
            Assert.Equal(service.Host, guard.Host);
            var script = guard.Stdin!.Masked;
            var setting = service.Name == ServiceNames.Postgres ? "postgresImage" : service.Name == "mariadb" ? "mariadbImage" : "redisImage";
            Assert.Contains($"{setting} = ", script, StringComparison.Ordinal);
            // The volume it reads is the one the container mounts its data from.
            var volume = service.Mounts.First(m => m.Kind == MountKind.Volume && (m.Target == "/data" || m.Target == "/var/lib/postgresql/data" || m.Target == "/var/lib/mysql")).Source;
            Assert.Contains($"docker volume inspect {volume} ", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void With_pitr_the_guard_compares_the_pinned_image_not_the_derived_one_and_runs_while_it_is_built()
    {
        var prod = TestStacks.ShippedBlueprint("prod");
        var postgres = prod.Services.Single(s => s.Name == ServiceNames.Postgres);
        Assert.StartsWith("platform/postgres-pgbackrest:", postgres.Image, StringComparison.Ordinal);
        var guard = prod.HostCommands.Single(c => c.Name == "postgres-major-guard");
        // It reads files only: it does not wait for the build; PostgreSQL waits for both.
        Assert.Empty(guard.AfterCommands);
        Assert.Contains(HostCommandNames.PostgresImage, postgres.AfterHostCommands);
        Assert.Contains(guard.Name, postgres.AfterHostCommands);
        Assert.Contains("postgresImage = postgres:16.6-alpine", guard.Stdin!.Masked, StringComparison.Ordinal);
        Assert.Contains("[ \"$found\" = 16 ]", guard.Stdin!.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_the_image_changes_the_guards_input_so_the_shell_runs_it_again()
    {
        var before = TestStacks.Build(TestStacks.Yaml()).HostCommands.Single(c => c.Name == "postgres-major-guard");
        var after = TestStacks.Build(TestStacks.Yaml(extra: "platform:postgresImage: postgres:17.2-alpine")).HostCommands.Single(c => c.Name == "postgres-major-guard");
        Assert.NotEqual(before.Stdin!.Masked, after.Stdin!.Masked);
        Assert.Contains("(PostgreSQL 17)", after.Stdin!.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rehearsal_skips_a_guard_whose_image_is_a_local_substitute_of_another_version()
    {
        var blueprint = TestStacks.ShippedBlueprint("staging");
        var map = ImageMap.Parse("postgres: local/postgres:15\n\"*\": { image: local/app:1, standIn: true }\n", "map.yaml").Map!;
        var plan = RehearsalPlan.Build(blueprint, blueprint.Server, new RehearsalTarget(map, "/tmp/rehearsal", "/tmp/engine/docker.sock"));
        var guard = plan.Commands.Single(c => c.Name == "postgres-major-guard");
        Assert.Contains("here the image is a local substitute", guard.SkipReason, StringComparison.Ordinal);
        var postgres = plan.Containers.Single(c => c.Config.ContainerName == ServiceNames.Postgres);
        Assert.Contains("command:postgres-major-guard", postgres.After);
    }
}
