using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class ShellDecisionsTests
{
    [Fact]
    public void The_deployment_waits_for_a_container_as_long_as_its_health_check_can_take()
    {
        var health = new HealthCheckSpec(["CMD", "true"], IntervalSeconds: 10, TimeoutSeconds: 5, Retries: 3, StartPeriodSeconds: 30);
        Assert.Equal(30 + (10 + 5) * 4, ShellDecisions.WaitTimeoutSeconds(health));
        foreach (var svc in TestStacks.ShippedBlueprint("prod").Services)
            Assert.True(ShellDecisions.WaitTimeoutSeconds(svc.HealthCheck) > svc.HealthCheck.StartPeriodSeconds + svc.HealthCheck.IntervalSeconds * svc.HealthCheck.Retries, svc.Name);
    }

    [Fact]
    public void Docker_over_ssh_checks_the_pinned_host_key_and_shares_one_connection()
    {
        const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn";
        var options = ShellDecisions.DockerSshOptions(key);
        var joined = string.Join(" ", options);
        Assert.Contains("StrictHostKeyChecking=yes", joined);
        Assert.DoesNotContain("StrictHostKeyChecking=no", joined);
        Assert.Contains($"KnownHostsCommand=/bin/echo %H {key}", options);
        Assert.Contains("ControlMaster=auto", joined);
        Assert.Contains("ServerAliveInterval=30", joined);
        // Every value follows its own -o, as ssh takes them.
        for (var i = 0; i < options.Length; i += 2) Assert.Equal("-o", options[i]);
    }

    [Fact]
    public void The_readiness_step_prints_the_host_key_and_it_is_read_back()
    {
        Assert.Contains("/etc/ssh/ssh_host_ed25519_key.pub", Platform.Stacks.Operations.CloudInit.Readiness.Command);
        const string output = "status: done\nplatform-host-key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn\n";
        Assert.Equal("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn", Platform.Stacks.Operations.CloudInit.HostKeyFrom(output));
        Assert.Null(Platform.Stacks.Operations.CloudInit.HostKeyFrom("status: done\n"));
        Assert.Null(Platform.Stacks.Operations.CloudInit.HostKeyFrom("platform-host-key: ssh-ed25519 not;a;key\n"));
    }

    [Fact]
    public void The_readiness_step_keeps_dialling_for_as_long_as_its_timeout()
    {
        var timeout = (int)Platform.Stacks.Operations.CloudInit.Readiness.Timeout.TotalSeconds;
        var limit = ShellDecisions.ReadinessDialErrorLimit(timeout);
        Assert.True(limit > 10, "more than the provider's default of 10");
        // At the back-off ceiling an attempt takes at least two seconds: the attempts cover the timeout.
        Assert.True(limit * 2 >= timeout);
    }
}
