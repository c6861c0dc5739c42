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
    public void Docker_over_ssh_does_not_hang_on_an_unknown_host_key_and_keeps_the_connection_alive()
    {
        var options = string.Join(" ", ShellDecisions.DockerSshOptions);
        Assert.Contains("StrictHostKeyChecking=no", options);
        Assert.Contains("ServerAliveInterval=30", options);
        Assert.Contains("ConnectTimeout=30", options);
    }
}
