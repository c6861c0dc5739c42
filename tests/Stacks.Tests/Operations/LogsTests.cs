using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations.Logs;
using Platform.Stacks.Parts;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// The <c>logs</c> command offline: which containers it reads on which server (single and split stacks), the ssh
/// command lines it runs (pinned host key, deploy user), and the merge of lines by time.
/// </summary>
public sealed class LogsTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheServerUnderTestAAAAAAAAAAAAAAAA";

    private static (ServerKey Server, string[] Instances)[] Layout(PlatformBlueprint b, LogSelection selection)
    {
        var (servers, problem) = LogSources.Containers(b, selection);
        Assert.Null(problem);
        return [.. servers.Select(s => (s.Server, s.Containers.Select(c => c.Instance).ToArray()))];
    }

    [Fact]
    public void On_one_server_an_app_is_every_instance_and_its_one_shots_and_file_servers()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var layout = Layout(b, new("api", null));
        var (server, instances) = Assert.Single(layout);
        Assert.Equal(ServerKey.Single, server);
        // Exactly the blueprint's services of the app, nothing of another app or of the platform.
        Assert.Equal(b.Services.Where(s => s.App == "api").Select(s => s.Name).Order(StringComparer.Ordinal), instances);
        Assert.Contains("api-1", instances);
        Assert.Contains("api-2", instances);
        Assert.DoesNotContain(instances, i => i.StartsWith("web", StringComparison.Ordinal) || i == "postgres");
    }

    [Fact]
    public void On_a_split_stack_instances_are_read_on_the_app_server_each_runs_on_and_services_where_they_run()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var api = Layout(b, new("api", null));
        Assert.Equal([ServerKey.App(1), ServerKey.App(2), ServerKey.App(3)], api.Select(x => x.Server));
        Assert.Equal(["api-1"], api[0].Instances.Where(i => i.StartsWith("api-", StringComparison.Ordinal)));
        Assert.Equal(["api-2"], api[1].Instances);
        Assert.Equal(["api-3"], api[2].Instances);
        // A platform service copied on each app server is read on each, under its own name.
        var traefik = Layout(b, new(null, "traefik"));
        Assert.Equal([ServerKey.App(1), ServerKey.App(2), ServerKey.App(3)], traefik.Select(x => x.Server));
        Assert.All(traefik, t => Assert.Equal(["traefik"], t.Instances));
        Assert.Equal([(ServerKey.Data, new[] { "postgres" })], Layout(b, new(null, "postgres")).Select(x => (x.Server, x.Instances)).ToArray());
    }

    [Fact]
    public void A_fixed_container_name_matches_only_itself_and_a_generated_one_only_the_providers_form()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var api1 = LogSources.Containers(b, new("api", null)).Servers.Single().Containers.Single(c => c.Instance == "api-1");
        Assert.Null(api1.FixedName);
        Assert.True(api1.Matches("api-1-container-3f9a0c1"));
        Assert.False(api1.Matches("api-1-container-3f9a0c"));     // 6 digits
        Assert.False(api1.Matches("api-1-container-3F9A0C1"));    // the provider writes lower-case hex
        Assert.False(api1.Matches("api-10-container-3f9a0c1"));   // another instance
        Assert.False(api1.Matches("api-1"));
        var postgres = LogSources.Containers(b, new(null, "postgres")).Servers.Single().Containers.Single();
        Assert.Equal("postgres", postgres.FixedName);
        Assert.True(postgres.Matches("postgres"));
        Assert.False(postgres.Matches("postgres-exporter"));
    }

    [Theory]
    [InlineData("nope", null, "stack 'prod' has no app 'nope'. Use one of: admin, api, landing, web, worker.")]
    [InlineData(null, "redis", "runs no platform service 'redis'. Use one of: ")]
    [InlineData(null, "api", "'api' is an app of stack 'prod'. Use --app api.")]
    [InlineData("api", "postgres", "--app <app> or --service <service> (one of them)")]
    [InlineData(null, null, "--app <app> or --service <service> (one of them)")]
    public void A_selection_the_stack_lacks_is_an_error_with_the_choices(string? app, string? service, string expected)
    {
        var (servers, problem) = LogSources.Containers(TestStacks.ShippedBlueprint("prod"), new(app, service));
        Assert.Empty(servers);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    private static string Outputs(params (string Key, string Value)[] outputs) =>
        JsonSerializer.Serialize(outputs.ToDictionary(o => o.Key, o => o.Value));

    [Fact]
    public void Each_server_is_found_in_the_stacks_outputs_by_its_address_and_host_key()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var containers = LogSources.Containers(b, new("api", null)).Servers;
        var json = Outputs(("serverIpv4.app-1", "203.0.113.11"), ("serverIpv4.app-2", "203.0.113.12"), ("serverIpv4.app-3", "203.0.113.13"),
            ("serverHostKey.app-1", Key), ("serverHostKey.app-2", Key), ("serverHostKey.app-3", Key), ("serverIpv4.data", "203.0.113.10"));
        var (servers, problem) = LogSources.Locate(b, json, "outputs.json", containers, "deploy");
        Assert.Null(problem);
        Assert.Equal(["203.0.113.11", "203.0.113.12", "203.0.113.13"], servers.Select(s => s.Address));
        Assert.All(servers, s => Assert.Equal((Key, "deploy"), (s.HostKey, s.User)));
    }

    [Fact]
    public void A_stack_without_its_servers_addresses_or_host_keys_is_an_error_naming_each_output_and_the_fix()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var containers = LogSources.Containers(b, new("api", null)).Servers;
        var (none, missing) = LogSources.Locate(b, "{}", "outputs.json", containers, "deploy");
        Assert.Empty(none);
        Assert.Contains("outputs.json has no serverIpv4: stack 'prod' has no server deployed there yet (pulumi up --stack prod creates it)", missing, StringComparison.Ordinal);
        Assert.Contains("outputs.json has no serverHostKey (", missing, StringComparison.Ordinal);
        Assert.Contains("Run pulumi up --stack prod once", missing, StringComparison.Ordinal);

        var (_, badKey) = LogSources.Locate(b, Outputs(("serverIpv4", "203.0.113.10"), ("serverHostKey", "not a key")), "o.json", containers, "deploy");
        Assert.Contains("serverHostKey is not an SSH public key", badKey, StringComparison.Ordinal);
        var (_, badAddress) = LogSources.Locate(b, Outputs(("serverIpv4", "[secret]"), ("serverHostKey", Key)), "o.json", containers, "deploy");
        Assert.Contains("serverIpv4 '[secret]' is not an IP address", badAddress, StringComparison.Ordinal);
        var (_, notJson) = LogSources.Locate(b, "Current stack outputs (2):", "o.json", containers, "deploy");
        Assert.Contains("pulumi stack output --json --stack prod > outputs.json", notJson, StringComparison.Ordinal);
    }

    [Fact]
    public void Ssh_runs_as_the_deploy_user_pinned_to_the_servers_host_key_and_asks_nothing()
    {
        var server = new LogServer(ServerKey.App(2), "203.0.113.12", Key, "deploy", []);
        var argv = LogSsh.Command(server, new SshAccess(), LogSsh.LogsCommand("api-2-container-0a1b2c3", new("1h", Follow: true)));
        var joined = string.Join(' ', argv);
        Assert.Contains("-o StrictHostKeyChecking=yes", joined, StringComparison.Ordinal);
        Assert.Contains("-o UserKnownHostsFile=/dev/null", joined, StringComparison.Ordinal);
        Assert.Contains("-o GlobalKnownHostsFile=/dev/null", joined, StringComparison.Ordinal);
        Assert.Contains($"KnownHostsCommand=/bin/echo %H {Key}", argv);
        Assert.Contains("-o BatchMode=yes", joined, StringComparison.Ordinal);
        Assert.DoesNotContain("StrictHostKeyChecking=no", joined, StringComparison.Ordinal);
        Assert.DoesNotContain("accept-new", joined, StringComparison.Ordinal);
        Assert.Equal(["-p", "22"], argv.SkipWhile(a => a != "-p").Take(2));
        // The destination, then the one remote command (after --, so nothing in it is read as an option of ssh).
        Assert.Equal(["--", "deploy@203.0.113.12", "docker logs --timestamps --since 1h --follow api-2-container-0a1b2c3"], argv.TakeLast(3));
        Assert.DoesNotContain("-i", argv);

        var withKey = LogSsh.Options(Key, new SshAccess(2222, "/home/me/.ssh/platform"));
        Assert.Equal(["-p", "2222", "-i", "/home/me/.ssh/platform", "-o", "IdentitiesOnly=yes"], withKey.TakeLast(6));
        Assert.Equal("docker ps --all --format '{{.Names}}'", LogSsh.ListCommand);
        Assert.Equal("docker logs --timestamps --since 2026-12-07T10:00:00Z postgres", LogSsh.LogsCommand("postgres", new("2026-12-07T10:00:00Z", false)));
        Assert.Equal("'a b'\\''c'", LogSsh.Quote("a b'c"));
    }

    [Theory]
    [InlineData("15m", "15m")]
    [InlineData("1h30m", "1h30m")]
    [InlineData("90s", "90s")]
    [InlineData("2026-12-07T10:00:00Z", "2026-12-07T10:00:00Z")]
    [InlineData("2026-12-07 11:00:00+01:00", "2026-12-07T10:00:00Z")]
    [InlineData("2026-12-07 10:00", "2026-12-07T10:00:00Z")]
    [InlineData("yesterday", null)]
    [InlineData("1d", null)]
    [InlineData("15m; rm -rf /", null)]
    public void Since_is_a_duration_or_a_moment_docker_reads(string given, string? sent) => Assert.Equal(sent, LogSsh.Since(given));

    [Fact]
    public void Ssh_failures_are_explained_with_their_fix()
    {
        var server = new LogServer(ServerKey.Single, "203.0.113.10", Key, "deploy", []);
        Assert.Contains("did not show the pinned host key (serverHostKey)", LogSsh.Explain(server, "prod", "Host key verification failed.\r\n", new()), StringComparison.Ordinal);
        Assert.Contains("ssh-add", LogSsh.Explain(server, "prod", "deploy@203.0.113.10: Permission denied (publickey).", new()), StringComparison.Ordinal);
        Assert.Contains("platform:adminCidrs", LogSsh.Explain(server, "prod", "ssh: connect to host 203.0.113.10 port 22: Connection timed out", new()), StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_of_several_containers_are_merged_by_their_time_stamps_to_the_nanosecond()
    {
        string[] a = ["2026-12-07T10:00:00.000000100Z first", "2026-12-07T10:00:02.5Z third", "2026-12-07T10:00:03Z fifth"];
        string[] b = ["2026-12-07T10:00:00.000000200Z second", "2026-12-07T11:00:02.600000000+01:00 fourth"];
        var lines = a.Select((l, i) => LogLine.Parse(l, "app-1/api-1", i)!).Concat(b.Select((l, i) => LogLine.Parse(l, "app-2/api-2", i)!));
        var merged = LogMerge.All(lines);
        Assert.Equal(["first", "second", "third", "fourth", "fifth"], merged.Select(l => l.Text));
        Assert.Equal("[app-2/api-2] 2026-12-07T10:00:00.000000200Z second", merged[1].ToString());
        // Equal times keep each source's order.
        var same = LogMerge.All([LogLine.Parse("2026-12-07T10:00:00Z b", "s/x", 2)!, LogLine.Parse("2026-12-07T10:00:00Z a", "s/x", 1)!]);
        Assert.Equal(["a", "b"], same.Select(l => l.Text));
    }

    [Theory]
    [InlineData("Error response from daemon: No such container: api-1")]
    [InlineData("")]
    [InlineData("2026-12-07 10:00:00 no T")]
    [InlineData("2026-12-07T10:00:00.1234567890Z ten digits")]
    public void A_line_without_dockers_time_stamp_is_no_log_line(string line) => Assert.Null(LogLine.Parse(line, "s/x", 0));

    [Fact]
    public void While_following_a_line_waits_a_window_for_earlier_lines_of_other_servers()
    {
        var t0 = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var follower = new LogMerge.Follower(TimeSpan.FromSeconds(1));
        follower.Add(LogLine.Parse("2026-12-07T10:00:00.500Z late-arriving-second", "app-1/api-1", 1)!, t0);
        Assert.Empty(follower.Release(t0.AddMilliseconds(500)));
        // Written earlier on another server, arrives later: still printed first.
        follower.Add(LogLine.Parse("2026-12-07T10:00:00.400Z first", "app-2/api-2", 1)!, t0.AddMilliseconds(600));
        follower.Add(LogLine.Parse("2026-12-07T10:00:01.000Z third", "app-2/api-2", 2)!, t0.AddMilliseconds(700));
        Assert.Equal(["first", "late-arriving-second"], follower.Release(t0.AddMilliseconds(1000)).Select(l => l.Text));
        Assert.Empty(follower.Release(t0.AddMilliseconds(1500)));
        Assert.Equal(["third"], follower.Release(t0.AddMilliseconds(1700)).Select(l => l.Text));
        follower.Add(LogLine.Parse("2026-12-07T10:00:02Z last", "app-1/api-1", 2)!, t0.AddMilliseconds(1800));
        Assert.Equal(["last"], follower.Drain().Select(l => l.Text));
    }
}

/// <summary>The command's errors: keyed, with the fix, exit 1, nothing read and no trace.</summary>
public sealed class LogsCommandErrorTests
{
    private static async Task<(int Exit, string Stdout, string Stderr)> Run(LogsRequest request)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await LogsCommand.RunAsync(request, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Unknown_app_bad_since_missing_outputs_and_a_stack_without_addresses_each_end_in_one_error_with_its_fix()
    {
        var root = TestStacks.RepoRoot;
        var unknown = await Run(new(root, "prod", new("nope", null)));
        Assert.Equal((1, ""), (unknown.Exit, unknown.Stdout));
        Assert.StartsWith("error: --app nope: stack 'prod' has no app 'nope'.", unknown.Stderr, StringComparison.Ordinal);

        var since = await Run(new(root, "prod", new("api", null)) { Since = "yesterday" });
        Assert.Contains("error: --since 'yesterday' is neither a duration nor a moment. Use e.g. --since 15m", since.Stderr, StringComparison.Ordinal);

        var missing = await Run(new(root, "prod", new("api", null)) { OutputsFile = Path.Combine(root, "no-such-outputs.json") });
        Assert.Contains("pulumi stack output --json --stack prod >", missing.Stderr, StringComparison.Ordinal);

        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{ "loadBalancerIpv4": "203.0.113.1" }""");
            var split = await Run(new(root, "scale", new(null, "traefik")) { OutputsFile = file });
            Assert.Equal(1, split.Exit);
            Assert.Equal(3, split.Stderr.Split('\n').Count(l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("has no serverIpv4.app-", StringComparison.Ordinal)));
            Assert.DoesNotContain("   at ", split.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
