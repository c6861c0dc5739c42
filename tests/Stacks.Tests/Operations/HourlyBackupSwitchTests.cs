using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// <c>platform:backupHourlyEnabled: false</c> switches the business-hours dumps off for one stack: no job, timer, heartbeat
/// monitor or MariaDB agent of them is planned, the daily dumps stay, and the plan says they are off.
/// </summary>
public sealed class HourlyBackupSwitchTests
{
    private const string Shop = """
        - name: shop
          image: wordpress:6.7.1-php8.3-apache
          port: 80
          routes: [{ host: shop }]
          healthPath: /wp-login.php
          cpus: 1
          memoryMb: 512
          needs: { database: { engine: mariadb } }
        """;

    private static PlatformBlueprint Blueprint(string extra) => TestStacks.Build(TestStacks.Yaml(TestStacks.DefaultApps + "\n" + Shop, extra));

    private static IEnumerable<string> Everything(PlatformBlueprint b) =>
        b.Backups.Select(j => j.Name)
            .Concat(b.Monitors.Select(m => m.Name + " " + m.Target))
            .Concat(b.Services.Select(x => x.Name))
            .Concat(b.HostCommands.Select(c => c.Create + " " + c.Stdin?.Masked));

    [Fact]
    public void By_default_both_engines_dump_hourly_in_business_hours()
    {
        var b = Blueprint("");
        Assert.Contains(b.Backups, j => j.Name == "postgres-hourly");
        Assert.Contains(b.Backups, j => j.Name == "mariadb-hourly");
        Assert.Empty(b.BackupsOff);
        Assert.DoesNotContain("backupHourlyEnabled", PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void Switched_off_no_hourly_job_timer_monitor_or_agent_is_planned_and_the_daily_dumps_stay()
    {
        var b = Blueprint("platform:backupHourlyEnabled: false");
        Assert.Empty(Policies.Check(b));
        Assert.DoesNotContain(Everything(b), x => x.Contains("-hourly", StringComparison.Ordinal));
        Assert.Contains(b.Backups, j => j.Name == "postgres-daily");
        Assert.Contains(b.Backups, j => j.Name == "mariadb-daily");
        Assert.Contains(b.Services, x => x.Name == "backup-mariadb-daily-agent");
        // Its memory is no longer in the budget.
        Assert.True(Blueprint("").Budget.TotalMb - b.Budget.TotalMb >= 1);
    }

    [Fact]
    public void The_plan_lists_the_hourly_jobs_as_off_and_why()
    {
        var text = PlanText.Render(Blueprint("platform:backupHourlyEnabled: false"));
        Assert.Contains("backup postgres-hourly: off (platform:backupHourlyEnabled: false)", text, StringComparison.Ordinal);
        Assert.Contains("backup mariadb-hourly: off (platform:backupHourlyEnabled: false)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_not_a_boolean_is_an_error_at_the_key()
    {
        var e = Assert.Single(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps, "platform:backupHourlyEnabled: sometimes")));
        Assert.Equal("platform:backupHourlyEnabled", e.Key);
    }
}
