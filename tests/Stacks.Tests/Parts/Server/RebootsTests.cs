using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Server;

/// <summary>
/// Reboots: a reboot-required monitor per server, and with a window each server reboots itself at its own time, one at
/// a time on split stacks. The rendered reboot policy is read by apt itself (<c>apt-config</c>), the check run by sh.
/// </summary>
public sealed class RebootsTests
{
    private static string AptConfOf(PlatformBlueprint b, ServerKey k)
    {
        var script = b.HostCommands.Single(c => c.Name == k.Qualify(Reboots.CommandName)).Stdin!.Masked;
        var start = script.IndexOf($"{Reboots.AptConfPath}.new >/dev/null <<'PLATFORM_FILE'\n", StringComparison.Ordinal);
        Assert.True(start >= 0);
        start = script.IndexOf('\n', start) + 1;
        return script[start..script.IndexOf("PLATFORM_FILE\n", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void Without_a_window_every_server_has_a_reboot_required_monitor_and_never_reboots_by_itself()
    {
        var b = TestStacks.Build(TestStacks.Yaml());
        Assert.Contains(b.Monitors, m => m.Name == "Reboot required (server)" && m.Kind == "push" && m.IntervalSeconds == Reboots.CheckMinutes * 120);
        Assert.Contains(b.Secrets, x => x.Name == Reboots.TokenSecret(ServerKey.Single));
        Assert.Contains("Automatic-Reboot \"false\"", AptConfOf(b, ServerKey.Single), StringComparison.Ordinal);
        Assert.Null(Assert.Single(b.Servers).RebootAt);
        Assert.Contains("never reboots by itself (no rebootWindow)", Platform.Stacks.Plan.PlanText.Render(b), StringComparison.Ordinal);
        // The push token reaches the server as a secret, never in the plan's text.
        Assert.Contains(b.HostCommands.Single(c => c.Name == Reboots.CommandName).Stdin!.Parts, p => p is Platform.Stacks.Model.SecretPart);
    }

    [Fact]
    public void A_single_server_reboots_at_the_windows_start_and_the_plan_states_its_downtime()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: "platform:rebootWindow: \"03:30\""));
        Assert.Equal("03:30", Assert.Single(b.Servers).RebootAt);
        Assert.Contains("Unattended-Upgrade::Automatic-Reboot-Time \"03:30\";", AptConfOf(b, ServerKey.Single), StringComparison.Ordinal);
        var plan = Platform.Stacks.Plan.PlanText.Render(b);
        Assert.Contains("reboots itself at 03:30 UTC when an upgrade requires it", plan, StringComparison.Ordinal);
        Assert.Contains(Reboots.SingleServerDowntime, plan, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_split_stack_the_servers_reboot_one_at_a_time_app_servers_first_the_data_server_last()
    {
        var s = TestStacks.Shipped("scale") with { RebootWindow = "23:30" };
        var b = BlueprintBuilder.Build(s);
        var times = b.Servers.OrderBy(x => x.RebootAt, StringComparer.Ordinal).Select(x => (x.Key.Id, x.RebootAt)).ToList();
        var apps = s.Topology!.AppServers.Length;
        Assert.Equal([.. Enumerable.Range(1, apps).Select(i => $"app-{i}"), "data"], b.Servers.OrderBy(x => Reboots.Order(s).IndexOf(x.Key)).Select(x => x.Key.Id));
        // 20 minutes apart, across midnight.
        var expected = Reboots.Order(s).Select((k, i) => TimeOnly.Parse("23:30", System.Globalization.CultureInfo.InvariantCulture).AddMinutes(20 * i).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected, Reboots.Order(s).Select(k => b.Servers.Single(x => x.Key == k).RebootAt));
        Assert.Equal("00:10", b.Servers.Single(x => x.Key == ServerKey.App(3)).RebootAt);
        foreach (var k in Reboots.Order(s))
        {
            Assert.Contains($"Automatic-Reboot-Time \"{b.Servers.Single(x => x.Key == k).RebootAt}\"", AptConfOf(b, k), StringComparison.Ordinal);
            Assert.Contains(b.Monitors, m => m.Name == $"Reboot required ({k.Id})");
        }
        // An app server pushes to Uptime Kuma on the data server's private address.
        Assert.Contains("KUMA_URL=http://10.20.1.2:3001", b.HostCommands.Single(c => c.Name == ServerKey.App(1).Qualify(Reboots.CommandName)).Stdin!.Masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3:30")]
    [InlineData("24:00")]
    [InlineData("03:30 UTC")]
    public void A_window_that_is_no_time_of_day_is_an_error_naming_the_key(string window)
    {
        var (_, errors) = TestStacks.TryRead(TestStacks.Yaml(extra: $"platform:rebootWindow: \"{window}\""));
        Assert.Contains(errors, e => e.Key == "platform:rebootWindow");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Apt_reads_the_rendered_reboot_policy()
    {
        var dir = Directory.CreateTempSubdirectory("reboot-apt");
        try
        {
            foreach (var (time, expected) in new[] { ("04:10", "true"), ((string?)null, "false") })
            {
                var file = Path.Combine(dir.FullName, "52platform-reboot");
                await File.WriteAllTextAsync(file, Reboots.AptConf(time));
                var dump = await Proc.RunCheckedAsync(Proc.Require("apt-config"), ["-c", file, "dump", "Unattended-Upgrade"]);
                Assert.Contains($"Unattended-Upgrade::Automatic-Reboot \"{expected}\";", dump.Stdout, StringComparison.Ordinal);
                if (time is not null) Assert.Contains($"Unattended-Upgrade::Automatic-Reboot-Time \"{time}\";", dump.Stdout, StringComparison.Ordinal);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task The_check_pushes_down_with_the_packages_while_a_reboot_is_required_and_up_otherwise()
    {
        var dir = Directory.CreateTempSubdirectory("reboot-check");
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(dir.FullName, "bin")).FullName;
            var calls = Path.Combine(dir.FullName, "calls");
            await File.WriteAllTextAsync(Path.Combine(bin, "curl"), $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{calls}'\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, "curl"), (UnixFileMode)0b111_101_101);
            var env = Path.Combine(dir.FullName, "env");
            await File.WriteAllTextAsync(env, "PUSH_TOKEN=tok\nKUMA_URL=http://10.20.1.2:3001\n");
            var marker = Path.Combine(dir.FullName, "reboot-required");
            var script = Reboots.Script("uptime-kuma", "data", 3001);
            var vars = new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin", ["ENV_FILE"] = env, ["MARKER"] = marker };

            var up = await Proc.RunCheckedAsync("sh", ["-c", script], env: vars);
            Assert.Contains("reboot check: up", up.Stdout, StringComparison.Ordinal);
            await File.WriteAllTextAsync(marker, "*** System restart required ***\n");
            await File.WriteAllTextAsync(marker + ".pkgs", "linux-image-6.8.0-51-generic\nlibc6\n");
            var down = await Proc.RunCheckedAsync("sh", ["-c", script], env: vars);
            Assert.Contains("reboot check: down (reboot required: linux-image-6.8.0-51-generic libc6", down.Stdout, StringComparison.Ordinal);

            var pushed = (await File.ReadAllLinesAsync(calls)).ToList();
            Assert.Equal(2, pushed.Count);
            Assert.All(pushed, p => Assert.Contains("http://10.20.1.2:3001/api/push/tok", p, StringComparison.Ordinal));
            Assert.Contains("status=up", pushed[0], StringComparison.Ordinal);
            Assert.Contains("status=down", pushed[1], StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
