using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Apps;

/// <summary>Which app containers are drained before their stop, with what, and how long they are given.</summary>
public sealed class DrainingTests
{
    private static ServiceSpec Instance(PlatformBlueprint b, string app) => b.Services.First(s => s.App == app && s.Kind == ServiceKind.App && s.StartOnDeploy && !s.OneShot);

    [Fact]
    public void A_routed_app_replaced_create_before_delete_is_drained_with_the_drain_aware_check_its_tmpfs_and_a_grace()
    {
        var b = TestStacks.Build(TestStacks.Yaml());
        var web = Instance(b, "web");
        Assert.Equal(Replacement.CreateBeforeDelete, web.Replacement);
        Assert.True(Draining.Uses(web.HealthCheck.Test));
        Assert.Equal(["CMD", HealthProbe.ContainerPath, "sh", "-c"], web.HealthCheck.Test[..4].ToArray());
        Assert.Equal("http://127.0.0.1:3000/health", web.HealthCheck.Test[^1]);
        Assert.Equal(Draining.TmpfsOptions, web.Tmpfs[Draining.Directory]);
        // Three failing checks 10 s apart (and the one under way), each up to 5 s, then Traefik's throttle.
        Assert.Equal(48, web.DrainSeconds);
        Assert.Equal(30, web.StopGraceSeconds);
        var config = ContainerConfigs.Of(web);
        Assert.Equal(48, config.DrainSeconds);
        Assert.Equal(30, config.StopGraceSeconds);
    }

    [Fact]
    public void An_app_without_a_route_or_with_an_exclusive_volume_is_not_drained()
    {
        var b = TestStacks.Build(TestStacks.Yaml(TestStacks.DefaultApps + """

            - name: files
              image: ghcr.io/example/files:1.0.0
              port: 8080
              routes: [{ host: files-app }]
              healthPath: /healthz
              cpus: 0.25
              memoryMb: 64
              volumes: [{ name: data, mountPath: /data, sizeGb: 1 }]
            """));
        var worker = Instance(b, "worker");
        Assert.Null(worker.DrainSeconds);
        Assert.False(worker.Tmpfs.ContainsKey(Draining.Directory));
        var files = Instance(b, "files");
        Assert.Equal(Replacement.DeleteBeforeCreate, files.Replacement);
        Assert.Null(files.DrainSeconds);
        Assert.False(Draining.Uses(files.HealthCheck.Test));
        Assert.Null(ContainerConfigs.Of(files).DrainSeconds);
    }

    [Fact]
    public void The_plan_says_how_an_instance_is_stopped()
    {
        var text = Platform.Stacks.Plan.PlanText.Render(TestStacks.Build(TestStacks.Yaml()));
        Assert.Contains("  stop: drained first (/run/platform-drain/draining fails its health check; unhealthy, it leaves Traefik's rotation; at most 48 s), then SIGTERM with 30 s to finish requests in flight before SIGKILL", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("web; rm -rf /")]
    [InlineData("$(id)")]
    public void The_drain_script_takes_only_a_container_name(string name) =>
        Assert.Throws<ArgumentException>(() => Draining.Script(name, 10));

    [Fact]
    public async Task The_drain_aware_check_runs_in_busybox_sh_and_fails_while_the_marker_exists()
    {
        // The check's shell text, run by the host's BusyBox (the probe binary) with wget replaced by a stub that
        // succeeds: only the marker decides.
        var test = Draining.HttpCheck(8080, "/healthz?a=1&b=2");
        var dir = Directory.CreateTempSubdirectory("drain");
        try
        {
            var marker = Path.Combine(dir.FullName, "draining");
            var script = test[4].Replace(Draining.Marker, marker, StringComparison.Ordinal)
                .Replace($"exec {HealthProbe.ContainerPath} wget -q -O /dev/null", "echo", StringComparison.Ordinal);
            var up = await Proc.RunAsync(HealthProbe.HostPath, ["sh", "-c", script, test[5]]);
            Assert.Equal(0, up.ExitCode);
            Assert.Equal("http://127.0.0.1:8080/healthz?a=1&b=2", up.Stdout.Trim());
            await File.WriteAllTextAsync(marker, "");
            var drained = await Proc.RunAsync(HealthProbe.HostPath, ["sh", "-c", script, test[5]]);
            Assert.NotEqual(0, drained.ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_volume_over_the_drain_directory_is_refused()
    {
        var (_, errors) = TestStacks.TryRead(TestStacks.Yaml("""
            - name: web
              image: ghcr.io/example/web:1.0.0
              port: 3000
              routes: [{ host: app }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
              volumes: [{ name: data, mountPath: /run/platform-drain, shared: true, sizeGb: 1 }]
            """));
        Assert.Contains(errors, e => e.Problem.Contains("drain marker directory", StringComparison.Ordinal));
    }
}
