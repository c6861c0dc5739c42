using System.Diagnostics;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>plan reports every mistake as a message with its key, and a bug as one line with exit code 4, never a stack trace.</summary>
public sealed class PlanCommandTests
{
    [Fact]
    public void An_unexpected_exception_is_one_line_and_exit_code_4()
    {
        var err = new StringWriter();
        var code = PlanCommand.Guard(() => throw new InvalidOperationException("boom\nsecond line\u001B[2J"), err);
        Assert.Equal(PlanCommand.ExitInternalError, code);
        var text = err.ToString();
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.StartsWith("internal error, please report: InvalidOperationException: boom second line", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001B', text);
    }

    [Fact]
    public void The_guard_passes_exit_codes_through()
    {
        var err = new StringWriter();
        Assert.Equal(3, PlanCommand.Guard(() => 3, err));
        Assert.Equal("", err.ToString());
    }

    [Theory]
    [InlineData("restore-script")]
    [InlineData("redis-migrate-script")]
    [InlineData("rehearse")]
    public void Every_commands_help_describes_its_stack_option_for_that_command(string command)
    {
        var (code, stdout, _) = RunPlan(TestStacks.RepoRoot, command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--stack", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("to plan", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_too_big_for_its_setting_is_out_of_range_not_a_typo()
    {
        var e = Assert.Single(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("memoryMb: 128", "memoryMb: 99999999999999999999", StringComparison.Ordinal))));
        Assert.Equal("platform:apps[2].memoryMb", e.Key);
        Assert.Equal("is 99999999999999999999, out of range.", e.Problem);
        Assert.StartsWith("Use a value from ", e.Fix, StringComparison.Ordinal);
        Assert.Contains("must be a whole number", Assert.Single(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("memoryMb: 128", "memoryMb: 12x", StringComparison.Ordinal)))).Problem, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) RunPlan(string projectDir, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Platform.Stacks.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--project-dir");
        psi.ArgumentList.Add(projectDir);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [Fact]
    public void The_command_reports_a_broken_stack_by_key_without_a_stack_trace()
    {
        var dir = Directory.CreateTempSubdirectory("plan-cmd-").FullName;
        try
        {
            File.Copy(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml"), Path.Combine(dir, "Pulumi.yaml"));
            var apps = TestStacks.DefaultApps.Replace("cpus: 0.5\n  memoryMb: 256\n  needs", "cpus: NaN\n  memoryMb: 256\n  needs", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir, "Pulumi.broken.yaml"), TestStacks.Yaml(apps, "platform:backupRedisSchedule: \"0 0 31 2 *\""));
            var (code, stdout, stderr) = RunPlan(dir, "plan", "--stack", "broken");
            Assert.Equal(PlanCommand.ExitInvalidStack, code);
            Assert.Equal("", stdout);
            Assert.Contains("platform:apps[0].cpus: must be a number, not 'NaN'.", stderr, StringComparison.Ordinal);
            Assert.Contains("platform:backupRedisSchedule: '0 0 31 2 *' never fires", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            // CI asks for JSON: the same errors, as JSON on standard output.
            var json = RunPlan(dir, "plan", "--stack", "broken", "--format", "json");
            Assert.Equal(PlanCommand.ExitInvalidStack, json.Code);
            using (var doc = System.Text.Json.JsonDocument.Parse(json.Stdout))
                Assert.Equal(["platform:apps[0].cpus", "platform:backupRedisSchedule"],
                    doc.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("key").GetString()).Order(StringComparer.Ordinal));
            Assert.DoesNotContain("   at ", json.Stderr, StringComparison.Ordinal);

            var missing = RunPlan(dir, "plan", "--stack", "../etc");
            Assert.Equal(PlanCommand.ExitInvalidStack, missing.Code);
            Assert.Contains("--stack: '../etc' is not a stack name.", missing.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_shipped_stacks_plan_through_the_command()
    {
        foreach (var stack in new[] { "staging", "prod" })
        {
            var outcome = PlanCommand.Evaluate(TestStacks.RepoRoot, stack, "text");
            Assert.Equal(PlanCommand.ExitOk, outcome.ExitCode);
            Assert.Equal(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "snapshots", $"{stack}.plan.txt")), outcome.Stdout);
        }
    }

    [Fact]
    public void Plan_route_explains_requests_from_the_command_line()
    {
        var dir = Directory.CreateTempSubdirectory("plan-route-").FullName;
        try
        {
            File.Copy(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml"), Path.Combine(dir, "Pulumi.yaml"));
            File.WriteAllText(Path.Combine(dir, "Pulumi.edge.yaml"), Edge.EdgeStack.Yaml());
            var (code, stdout, stderr) = RunPlan(dir, "plan", "--stack", "edge",
                "--route", "https://api.example.com/v1/users", "--route", "https://deep.acme.example.com/");
            Assert.Equal(PlanCommand.ExitOk, code);
            Assert.Equal("", stderr);
            Assert.Contains("goes to api (service app-api-", stdout, StringComparison.Ordinal);
            Assert.Contains("also matches, lower priority (never reached): app-tenants_r0-", stdout, StringComparison.Ordinal);
            Assert.Contains("no router matches: Traefik answers 404.", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("== Server ==", stdout, StringComparison.Ordinal);

            var bad = RunPlan(dir, "plan", "--stack", "edge", "--route", "ftp://example.com/");
            Assert.Equal(PlanCommand.ExitInvalidStack, bad.Code);
            Assert.Contains("error: ftp://example.com/: 'ftp://example.com/' is not an http(s) URL", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Against_an_earlier_stack_file_it_prints_what_the_change_creates_and_destroys_then_the_changed_lines()
    {
        var prod = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));
        // Nothing changed: it says so.
        var same = PlanCommand.Against(TestStacks.RepoRoot, "prod", prod, "base.yaml");
        Assert.Equal((PlanCommand.ExitOk, "No changes.\n"), (same.ExitCode, same.Stdout));
        // The committed file is the change; the base had a bigger server.
        var smaller = PlanCommand.Against(TestStacks.RepoRoot, "prod", prod.Replace("platform:serverType: ccx23", "platform:serverType: ccx33", StringComparison.Ordinal), "base.yaml");
        Assert.Equal(PlanCommand.ExitOk, smaller.ExitCode);
        Assert.StartsWith($"@@ {PlanChanges.Heading} @@\n~ server server: platform-prod, Hetzner ccx33 -> ccx23\n", smaller.Stdout, StringComparison.Ordinal);
        Assert.Contains("\n- platform-prod: Hetzner ccx33", smaller.Stdout, StringComparison.Ordinal);
        // A broken base says which file is broken, and prints nothing.
        var broken = PlanCommand.Against(TestStacks.RepoRoot, "prod", prod.Replace("platform:serverType: ccx23", "platform:serverType: cx99", StringComparison.Ordinal), "base.yaml");
        Assert.Equal((PlanCommand.ExitInvalidStack, ""), (broken.ExitCode, broken.Stdout));
        Assert.StartsWith("base.yaml: ", broken.Stderr, StringComparison.Ordinal);
        Assert.Contains("platform:serverType", broken.Stderr, StringComparison.Ordinal);
    }
}
