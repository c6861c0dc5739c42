using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations.Logs;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The <c>logs</c> command end to end: a real OpenSSH server (Debian's <c>openssh-server</c>) on a loopback port stands
/// for the server, the real Docker engine behind it runs two containers of the prod stack's app <c>api</c> named as the
/// Docker provider names them (<c>api-1-container-&lt;7 hex&gt;</c>) and one of another app; the command reads the stack
/// file, lists the containers over ssh, reads each with <c>docker logs --timestamps</c> and prints them merged by time.
/// The image is busybox-static imported locally; nothing is pulled. The login is the test's user (root: sshd's
/// privilege separation needs it) standing in for the deploy user, with its key passed as <c>--identity-file</c>.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class LogsEngineTests
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..7];
    private Dictionary<string, string> Env => new() { ["DOCKER_HOST"] = DockerEngine.Host ?? "", ["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin" };

    [DockerFact]
    public async Task Two_instances_are_read_over_pinned_ssh_and_merged_by_time_and_another_key_is_refused()
    {
        Assert.True(Proc.IsRoot, "sshd needs root here (privilege separation)");
        using var dir = await ServerDirectory.CreateAsync("logs", owner: null);
        string P(string name) => Path.Combine(dir.Path, name);
        foreach (var key in new[] { "host", "other", "client" })
            await Proc.RunCheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", P(key), "-C", ""]);
        string Pub(string name) => string.Join(' ', File.ReadAllText(P(name + ".pub")).Trim().Split(' ').Take(2));
        File.WriteAllText(P("authorized_keys"), Pub("client") + "\n");
        var port = Proc.FreePort();
        File.WriteAllText(P("sshd_config"), $"""
            Port {port.ToString(CultureInfo.InvariantCulture)}
            ListenAddress 127.0.0.1
            HostKey {P("host")}
            PidFile {P("sshd.pid")}
            AuthorizedKeysFile {P("authorized_keys")}
            StrictModes no
            PermitRootLogin prohibit-password
            UsePAM no
            PasswordAuthentication no
            SetEnv DOCKER_HOST={DockerEngine.Host}

            """);
        Directory.CreateDirectory("/run/sshd");
        await using var sshd = ServerProcess.Start("sshd", Proc.Require("sshd"), ["-D", "-e", "-f", P("sshd_config")], asUser: null);
        await sshd.WaitUntilAsync(async () => (await Proc.RunAsync("ssh-keyscan", ["-T", "2", "-p", port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"])).Stdout.Contains("ssh-ed25519", StringComparison.Ordinal));

        // A busybox image (busybox run as sh finds its own applets: sleep), imported from a folder.
        var rootfs = Directory.CreateDirectory(P("rootfs"));
        Directory.CreateDirectory(Path.Combine(rootfs.FullName, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs.FullName, "bin", "busybox"));
        var image = $"platform-local/logs-{_run}:1";
        await Proc.RunCheckedAsync("tar", ["-C", rootfs.FullName, "-cf", P("rootfs.tar"), "."]);
        await Docker("import", "-c", """ENTRYPOINT ["/bin/busybox", "sh", "-c"]""", P("rootfs.tar"), image);

        // The names the provider gives (resource name, '-', 7 hex digits); one of another app and one of another form.
        var api1 = $"{ShellDecisions.ContainerResourceName("api-1")}-{_run}";
        var api2 = $"{ShellDecisions.ContainerResourceName("api-2")}-{_run}";
        var web1 = $"{ShellDecisions.ContainerResourceName("web-1")}-{_run}";
        var stray = $"api-1-{_run}";
        var names = new[] { api1, api2, web1, stray };
        try
        {
            await Docker("run", "-d", "--name", web1, image, "echo web-line");
            await Docker("run", "-d", "--name", stray, image, "echo stray-line");
            await Docker("run", "-d", "--name", api1, image, "echo one; sleep 2; echo three >&2; sleep 2; echo five");
            await Docker("run", "-d", "--name", api2, image, "sleep 1; echo two; sleep 2; echo four");

            var outputs = P("outputs.json");
            File.WriteAllText(outputs, $$"""{ "serverIpv4": "127.0.0.1", "serverHostKey": "{{Pub("host")}}", "serverIpv6": "::1" }""");
            LogsRequest Request(bool follow) => new(TestStacks.RepoRoot, "prod", new("api", null))
            {
                Since = "10m", Follow = follow, OutputsFile = outputs,
                Access = new SshAccess(port, P("client")), User = Environment.UserName,
            };

            // Followed while the containers run: it ends when both have exited.
            var followed = await RunAsync(Request(follow: true));
            Assert.True(followed.Exit == 0, followed.ToString());
            var expected = new[] { ("api-1", "one"), ("api-2", "two"), ("api-1", "three"), ("api-2", "four"), ("api-1", "five") };
            AssertMerged(expected, followed.Stdout);

            // Read to the end afterwards: the same lines in the same order.
            var read = await RunAsync(Request(follow: false));
            Assert.True(read.Exit == 0, read.ToString());
            AssertMerged(expected, read.Stdout);
            Assert.DoesNotContain("web-line", read.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("stray-line", read.Stdout, StringComparison.Ordinal);
            // The prod api's release and file server have no container here: said on standard error, not fatal.
            Assert.Contains("[server/app-api.static-0] no container on server", read.Stderr, StringComparison.Ordinal);

            // Another host key pinned: nothing is read, and the error says why.
            File.WriteAllText(outputs, $$"""{ "serverIpv4": "127.0.0.1", "serverHostKey": "{{Pub("other")}}" }""");
            var refused = await RunAsync(Request(follow: false));
            Assert.Equal(1, refused.Exit);
            Assert.Equal("", refused.Stdout);
            Assert.Contains($"{Environment.UserName}@127.0.0.1 (server) did not show the pinned host key (serverHostKey)", refused.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in names) await Proc.RunAsync("/usr/bin/docker", ["rm", "-f", name], env: Env);
            await Proc.RunAsync("/usr/bin/docker", ["rmi", image], env: Env);
        }
    }

    /// <summary>Each expected (instance, text) in order, one line each: <c>[server/api-1] 2026-…Z one</c>.</summary>
    private static void AssertMerged((string Instance, string Text)[] expected, string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, lines.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var parsed = LogLine.Parse(lines[i][(lines[i].IndexOf(' ', StringComparison.Ordinal) + 1)..], "x", i);
            Assert.NotNull(parsed);
            Assert.StartsWith($"[server/{expected[i].Instance}] ", lines[i], StringComparison.Ordinal);
            Assert.Equal(expected[i].Text, parsed.Text);
        }
    }

    private sealed record Outcome(int Exit, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    private static async Task<Outcome> RunAsync(LogsRequest request)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var exit = await LogsCommand.RunAsync(request, stdout, stderr, timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "the command did not end");
        return new(exit, stdout.ToString(), stderr.ToString());
    }

    private Task<ProcResult> Docker(params string[] args) => Proc.RunCheckedAsync("/usr/bin/docker", args, env: Env, timeout: TimeSpan.FromMinutes(2));
}
