using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Canonical;

public sealed class ContainerConfigTests
{
    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Every_container_of_a_shipped_stack_has_one_configuration_in_the_providers_forms(string stack)
    {
        var blueprint = TestStacks.ShippedBlueprint(stack);
        var configs = ContainerConfigs.Of(blueprint);
        Assert.Equal(blueprint.Services.Length, configs.Length);
        foreach (var (spec, config) in blueprint.Services.Zip(configs))
        {
            Assert.Equal(spec.Name, config.Service);
            Assert.Equal(spec.Image, config.Image);
            Assert.Equal(DockerForms.Cpus(spec.Limits.Cpus), config.Cpus);
            Assert.Equal(spec.Limits.MemoryMb, config.MemoryMb);
            Assert.Equal(config.MemoryMb, config.MemorySwapMb);
            // Go's time.Duration.String(): what the provider reads back.
            Assert.Matches("^([0-9]+h)?([0-9]+m)?[0-9]+s$", config.Healthcheck.Interval);
            Assert.Matches("^([0-9]+h)?([0-9]+m)?[0-9]+s$", config.Healthcheck.StartPeriod);
            Assert.Equal(spec.ContainerName is not null, config.DeleteBeforeReplace);
            Assert.True(DockerForms.Ports(config.Ports).SequenceEqual(config.Ports), spec.Name);
            Assert.True(config.MustRun == (spec.StartOnDeploy && !spec.OneShot), spec.Name);
            Assert.False(config.Wait && !config.Start, spec.Name);
            Assert.True(config.WaitTimeoutSeconds > 0);
            Assert.NotEqual("latest", config.Image.Split(':').Last());
        }
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void App_health_checks_need_no_shell_and_no_http_client_in_the_image(string stack)
    {
        var blueprint = TestStacks.ShippedBlueprint(stack);
        var probed = 0;
        foreach (var config in ContainerConfigs.Of(blueprint))
        {
            var spec = blueprint.Services.Single(s => s.Name == config.Service);
            if (spec.Kind != ServiceKind.App) continue;
            Assert.NotEqual("CMD-SHELL", config.Healthcheck.Tests[0]);
            if (!HealthProbe.Uses(config.Healthcheck.Tests)) continue;
            probed++;
            // The probe is there whatever the image holds: the host's static BusyBox, read-only.
            Assert.Contains(new MountSpec(MountKind.Bind, HealthProbe.HostPath, HealthProbe.ContainerPath, ReadOnly: true), config.Mounts);
            // ... and the host has it before the container starts: the app's attach command installs it where missing.
            var attach = blueprint.HostCommands.Where(h => spec.AfterHostCommands.Contains(h.Name)).ToList();
            Assert.Contains(attach, h => h.Create.Contains(HealthProbe.EnsureInstalled, StringComparison.Ordinal));
        }
        Assert.True(probed > 0, $"{stack} has no app with an HTTP health check");
    }

    [Fact]
    public void A_health_path_with_a_query_is_one_argument_and_never_reaches_a_shell()
    {
        var test = Conventions.HttpCheck(8080, "/healthz?full=1&deep=1");
        Assert.Equal("CMD", test[0]);
        Assert.Equal("http://127.0.0.1:8080/healthz?full=1&deep=1", test[^1]);
        Assert.DoesNotContain(test, a => a.Contains("||", StringComparison.Ordinal));
    }

    [Fact]
    public void Hardening_settings_reach_the_configuration_sorted_and_without_duplicates()
    {
        var spec = TestStacks.ShippedBlueprint("staging").Services.First() with
        {
            CapDrop = ["ALL", "ALL"],
            CapAdd = ["SETUID", "CHOWN"],
            NoNewPrivileges = true,
            ReadOnlyRootFilesystem = true,
            User = "999:999",
        };
        var config = ContainerConfigs.Of(spec);
        Assert.Equal(new[] { "ALL" }, config.CapDrop.ToArray());
        Assert.Equal(new[] { "CHOWN", "SETUID" }, config.CapAdd.ToArray());
        Assert.Equal(new[] { ContainerConfigs.NoNewPrivileges }, config.SecurityOpts.ToArray());
        Assert.True(config.ReadOnlyRootFilesystem);
        Assert.Equal("999:999", config.User);
        Assert.Empty(ContainerConfigs.Of(spec with { NoNewPrivileges = false }).SecurityOpts);
    }

    [Fact]
    public void A_fixed_name_with_create_before_delete_is_refused()
    {
        var spec = TestStacks.ShippedBlueprint("staging").Services.First(s => s.Replacement == Replacement.CreateBeforeDelete);
        Assert.Throws<InvalidOperationException>(() => ContainerConfigs.Of(spec with { ContainerName = "fixed" }));
    }
}
