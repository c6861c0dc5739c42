using System.Diagnostics;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>A Hetzner Volume that holds the durable data, so it outlives the server.</summary>
public sealed class DataVolumeTests
{
    private static PlatformBlueprint With(int gb, string environment = "staging") =>
        TestStacks.Build(TestStacks.Yaml(extra: $"platform:dataVolumeGb: {gb}", environment: environment));

    [Fact]
    public void Without_the_setting_the_data_stays_in_dockers_own_storage()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        Assert.Null(b.DataVolume);
        Assert.All(b.Volumes, v => Assert.Null(v.HostPath));
    }

    [Fact]
    public void Every_durable_volume_and_only_those_bind_to_the_data_volume()
    {
        var b = With(100);
        var data = Assert.IsType<DataVolumeSpec>(b.DataVolume);
        Assert.Equal((100, "ext4", ServerBlueprint.DataVolumeMountPath), (data.SizeGb, data.Format, data.MountPath));
        foreach (var name in new[] { "postgres-data", "app-api.redis.data", "minio-data", "uptime-kuma-data", "traefik-acme" })
            Assert.Equal($"{ServerBlueprint.DataVolumeMountPath}/{name}", b.Volumes.Single(v => v.Name == name).HostPath);
        // Dumps, sync state and sockets are not data that must outlive the server.
        Assert.All(b.Volumes.Where(v => !v.Durable), v => Assert.Null(v.HostPath));
        Assert.Contains(b.Volumes, v => !v.Durable);
        // The mount script makes each durable volume's directory.
        Assert.All(b.Volumes.Where(v => v.HostPath is not null), v => Assert.Contains($"sudo install -d -m 0755 {v.HostPath}", data.MountScript, StringComparison.Ordinal));
        Assert.Contains("Hetzner Volume for the stateful data (platform:dataVolumeGb): 100 GB-month x 0.044", PlanText.Render(b), StringComparison.Ordinal);
        Assert.Contains($"data volume {data.Name}: Hetzner Volume, 100 GB ext4", PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void On_prod_the_data_volume_is_protected_and_the_policy_requires_it()
    {
        var b = With(50, "prod");
        Assert.True(b.DataVolume!.Protect);
        Assert.Empty(Platform.Stacks.Policy.Policies.Check(b));
        var unprotected = b with { DataVolume = b.DataVolume with { Protect = false } };
        Assert.Contains(Platform.Stacks.Policy.Policies.Check(unprotected), v => v.Rule == "prod-protected-and-backed-up" && v.Subject == b.DataVolume.Name);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20000)]
    [InlineData(-1)]
    public void Sizes_hetzner_cannot_make_are_refused_with_the_key(int gb)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: $"platform:dataVolumeGb: {gb}"));
        Assert.Contains(errors, e => e.Key == "platform:dataVolumeGb");
    }

    [Fact]
    public void The_mount_script_is_valid_sh_and_refuses_anything_but_exactly_one_volume()
    {
        var script = With(20).DataVolume!.MountScript;
        Assert.Equal(0, Run("sh", "-n", "-c", script).Exit);
        // On a machine without a Hetzner Volume the glob matches nothing: the script stops before touching fstab.
        var (exit, output) = Run("sh", "-c", script.Replace("sudo ", "echo would-run ", StringComparison.Ordinal));
        Assert.NotEqual(0, exit);
        Assert.Contains("expected exactly one attached Hetzner Volume", output, StringComparison.Ordinal);
        Assert.DoesNotContain("would-run", output, StringComparison.Ordinal);
    }

    private static (int Exit, string Output) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}

public sealed class ProjectFileTests
{
    [Fact]
    public void Pulumi_yaml_is_the_project_file_generated_from_the_settings_schema() =>
        Assert.Equal(ProjectFile.Render(), File.ReadAllText(Path.Combine(TestStacks.RepoRoot, StackFiles.ProjectFile)));
}

public sealed class VolumeDriverTests
{
    [Fact]
    public void A_volume_on_the_data_volume_uses_the_local_driver_bound_to_its_directory()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: "platform:dataVolumeGb: 20"));
        var pg = b.Volumes.Single(v => v.Name == "postgres-data");
        Assert.Equal("local", pg.Driver);
        Assert.Equal(new Dictionary<string, string> { ["device"] = pg.HostPath!, ["o"] = "bind", ["type"] = "none" }, pg.DriverOptions);
        var plain = TestStacks.ShippedBlueprint("staging").Volumes.Single(v => v.Name == "postgres-data");
        Assert.Null(plain.Driver);
        Assert.Empty(plain.DriverOptions);
    }
}
