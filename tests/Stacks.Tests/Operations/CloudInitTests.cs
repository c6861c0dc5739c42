using System.Diagnostics;
using System.Text.Json;
using Platform.Stacks.Operations;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Operations;

public class CloudInitTests
{
    private const string Key1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHd4zFqUpd3l9Bv9x1Fvq0bWkDLcY0G8h0Yq3w7mS8tX alice@laptop";
    private const string Key2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEzQ4cPj3vV9a8hR2qL1YbS0TgYk7Cq9Pq2Vv3Xx0AbC bob@ci";

    private static CloudInitInput Input(int swapMb = 4096) => new([Key1, Key2], swapMb);

    private static YamlMappingNode Parse(string userData)
    {
        Assert.StartsWith("#cloud-config\n", userData, StringComparison.Ordinal);
        var stream = new YamlStream();
        stream.Load(new StringReader(userData));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    private static YamlSequenceNode Seq(YamlNode node, string key) => (YamlSequenceNode)((YamlMappingNode)node)[key];

    private static string FileContent(YamlMappingNode root, string path) =>
        Scalar(Seq(root, "write_files").Children.Single(f => Scalar(f, "path") == path), "content");

    [Fact]
    public void Rendered_user_data_passes_the_real_cloud_init_schema_validator()
    {
        AssertValidCloudConfig(CloudInit.Render(Input()));
        AssertValidCloudConfig(CloudInit.Render(Input(swapMb: 0) with { GrantSudo = false, DeployUser = "ops" }));
    }

    [Fact]
    public void A_split_stacks_servers_may_bind_their_private_address_before_it_is_up_and_a_single_server_does_not_change()
    {
        var b = Platform.Stacks.Tests.Support.TestStacks.ShippedBlueprint("scale");
        foreach (var server in b.Servers)
        {
            AssertValidCloudConfig(server.UserData);
            var root = Parse(server.UserData);
            Assert.Equal(CloudInit.NonLocalBind, FileContent(root, CloudInit.NonLocalBindPath));
        }
        var single = Parse(Platform.Stacks.Tests.Support.TestStacks.ShippedBlueprint("prod").Server.UserData);
        Assert.DoesNotContain(Seq(single, "write_files").Children, f => Scalar(f, "path") == CloudInit.NonLocalBindPath);
    }

    [Fact]
    public void The_schema_validator_used_by_these_tests_rejects_a_broken_config()
    {
        // Proves the validator is really checking: a wrongly typed key must fail.
        var (exit, output) = RunSchema("#cloud-config\nssh_pwauth: [1, 2]\npackage_update: maybe\n");
        Assert.True(exit != 0, "cloud-init schema accepted an invalid config:\n" + output);
    }

    [Fact]
    public void Deploy_user_gets_the_keys_the_docker_group_and_no_password()
    {
        var root = Parse(CloudInit.Render(Input()));
        var user = (YamlMappingNode)Seq(root, "users").Children.Single();
        Assert.Equal("deploy", Scalar(user, "name"));
        Assert.Equal("true", Scalar(user, "lock_passwd"));
        Assert.Equal(["docker"], Seq(user, "groups").Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal([Key1, Key2], Seq(user, "ssh_authorized_keys").Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal("ALL=(ALL) NOPASSWD:ALL", Scalar(user, "sudo"));
        Assert.Equal(["docker"], Seq(root, "groups").Children.Select(c => ((YamlScalarNode)c).Value));

        var noSudo = (YamlMappingNode)Seq(Parse(CloudInit.Render(Input() with { GrantSudo = false })), "users").Children.Single();
        Assert.False(noSudo.Children.ContainsKey("sudo"));
    }

    [Fact]
    public void Root_and_passwords_are_off_and_sshd_is_hardened()
    {
        var root = Parse(CloudInit.Render(Input()));
        Assert.Equal("true", Scalar(root, "disable_root"));
        Assert.Equal("false", Scalar(root, "ssh_pwauth"));
        var sshd = FileContent(root, CloudInit.SshdDropInPath).Split('\n');
        Assert.Contains("PermitRootLogin no", sshd);
        Assert.Contains("PasswordAuthentication no", sshd);
        Assert.Contains("KbdInteractiveAuthentication no", sshd);
        Assert.Contains("AllowUsers deploy", sshd);
        Assert.Contains("AllowUsers ops", FileContent(Parse(CloudInit.Render(Input() with { DeployUser = "ops" })), CloudInit.SshdDropInPath).Split('\n'));
        // Fitting limits for a deployment's parallel sessions and an agent with several keys.
        Assert.Contains("MaxStartups 30:50:100", sshd);
        Assert.Contains("MaxAuthTries 6", sshd);
    }

    [Fact]
    public void Fail2ban_never_bans_the_admin_cidrs_the_deployment_comes_from()
    {
        var root = Parse(CloudInit.Render(Input() with { AdminCidrs = ["203.0.113.24/32", "198.51.100.0/28"] }));
        var jail = FileContent(root, CloudInit.Fail2banJailPath).Split('\n');
        Assert.Contains("ignoreip = 127.0.0.1/8 ::1 203.0.113.24/32 198.51.100.0/28", jail);
        Assert.Contains("enabled = true", jail);
    }

    [Fact]
    public void Packages_updates_timezone_and_swap()
    {
        var root = Parse(CloudInit.Render(Input(swapMb: 2048)));
        Assert.Equal(["docker.io", "fail2ban", "unattended-upgrades", "systemd-timesyncd", "busybox-static"],
            Seq(root, "packages").Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal("true", Scalar(root, "package_update"));
        // Docker first, from fresh lists; the full upgrade is runcmd's last command, so cloud-init is done only once it is.
        Assert.Equal("false", Scalar(root, "package_upgrade"));
        var runcmd = Seq(root, "runcmd").Children.Select(c => string.Join(" ", ((YamlSequenceNode)c).Children.Select(x => ((YamlScalarNode)x).Value))).ToList();
        Assert.Equal(string.Join(" ", CloudInit.FullUpgrade), runcmd[^1]);
        Assert.Contains("apt-get", runcmd[^1], StringComparison.Ordinal);
        Assert.EndsWith(" dist-upgrade", runcmd[^1], StringComparison.Ordinal);
        Assert.Contains("--force-confold", runcmd[^1], StringComparison.Ordinal);
        Assert.Contains("DPkg::Lock::Timeout=", runcmd[^1], StringComparison.Ordinal);
        Assert.Equal(CloudInit.NeedrestartDocker, FileContent(root, CloudInit.NeedrestartPath));
        Assert.Equal("UTC", Scalar(root, "timezone"));
        var swap = (YamlMappingNode)root["swap"];
        Assert.Equal("/swapfile", Scalar(swap, "filename"));
        Assert.Equal((2048L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(swap, "size"));
        Assert.False(Parse(CloudInit.Render(Input(swapMb: 0))).Children.ContainsKey("swap"));

        var upgrades = FileContent(root, CloudInit.AutoUpgradesPath);
        Assert.Contains("APT::Periodic::Unattended-Upgrade \"1\";", upgrades, StringComparison.Ordinal);
        Assert.Contains("APT::Periodic::Update-Package-Lists \"1\";", upgrades, StringComparison.Ordinal);
        Assert.Contains("enabled = true", FileContent(root, CloudInit.Fail2banJailPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_daemon_json_rotates_logs_and_keeps_containers_alive()
    {
        var root = Parse(CloudInit.Render(Input()));
        using var json = JsonDocument.Parse(FileContent(root, CloudInit.DockerDaemonJsonPath));
        Assert.Equal("json-file", json.RootElement.GetProperty("log-driver").GetString());
        Assert.Equal("100m", json.RootElement.GetProperty("log-opts").GetProperty("max-size").GetString());
        Assert.Equal("3", json.RootElement.GetProperty("log-opts").GetProperty("max-file").GetString());
        Assert.True(json.RootElement.GetProperty("live-restore").GetBoolean());
    }

    [Fact]
    public void User_data_holds_no_secret_and_is_deterministic()
    {
        var a = CloudInit.Render(Input());
        Assert.Equal(a, CloudInit.Render(Input()));
        Assert.DoesNotContain("<secret:", a, StringComparison.Ordinal);
        Assert.DoesNotContain("password:", a, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("passwd:", a.Replace("lock_passwd:", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024, 1024)]
    [InlineData(2048, 1024)]
    [InlineData(4096, 2048)]
    [InlineData(8192, 4096)]
    [InlineData(16384, 4096)]
    [InlineData(65536, 4096)]
    public void Swap_is_half_the_ram_between_1_and_4_GiB(int ramMb, int swapMb) =>
        Assert.Equal(swapMb, CloudInit.SwapMbForRam(ramMb));

    [Fact]
    public void Bad_input_is_refused_with_reasons()
    {
        Assert.Contains(CloudInit.Problems(new CloudInitInput([], 1024)), p => p.Contains("SSH public key", StringComparison.Ordinal));
        Assert.Contains(CloudInit.Problems(Input() with { DeployUser = "root" }), p => p.Contains("root", StringComparison.Ordinal));
        Assert.Contains(CloudInit.Problems(Input() with { DeployUser = "Bad User" }), p => p.Contains("user name", StringComparison.Ordinal));
        Assert.Contains(CloudInit.Problems(new CloudInitInput(["not a key"], 1024)), p => p.Contains("OpenSSH", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => CloudInit.Render(new CloudInitInput([], 1024)));
    }

    [Fact]
    public void Readiness_waits_for_Docker_and_the_patched_gate_requires_status_done()
    {
        var r = CloudInit.Readiness;
        Assert.Contains("docker info", r.Command, StringComparison.Ordinal);
        Assert.DoesNotContain("status --wait", r.Command, StringComparison.Ordinal);
        Assert.Equal([0], r.SuccessExitCodes.ToArray());
        Assert.Equal(0, RunShell("sh", "-n", "-c", r.Command).Exit); // valid POSIX sh
        var p = CloudInit.Patched;
        Assert.Contains("cloud-init status --wait", p.Command, StringComparison.Ordinal);
        Assert.Contains("grep -qx 'status: done'", p.Command, StringComparison.Ordinal);
        Assert.Equal("status: done", p.ExpectedStatusLine);
        Assert.Equal(0, RunShell("sh", "-n", "-c", p.Command).Exit);
    }

    [Fact]
    public void Readiness_passes_once_Docker_answers_even_while_cloud_init_still_upgrades()
    {
        // The exact command against stand-ins for cloud-init and docker on PATH.
        var running = Run(CloudInit.Readiness.Command, "status: running", 0, dockerWorks: true);
        Assert.Equal(0, running.Exit);
        Assert.Contains(CloudInit.HostKeyMarker, running.Output);
        Assert.Equal(0, Run(CloudInit.Readiness.Command, "status: done", 0, dockerWorks: true).Exit);
        // cloud-init has finished (or failed) and Docker still does not answer: it says so at once, not after its timeout.
        Assert.NotEqual(0, Run(CloudInit.Readiness.Command, "status: done", 0, dockerWorks: false).Exit);
        Assert.NotEqual(0, Run(CloudInit.Readiness.Command, "status: error", 1, dockerWorks: false).Exit);
        Assert.NotEqual(0, Run(CloudInit.Readiness.Command, "status: degraded done", 2, dockerWorks: false).Exit);
        // Docker not there yet while cloud-init runs: it keeps waiting (here until the test's own deadline).
        Assert.Equal(124, Run($"timeout 3 sh -c {Platform.Stacks.Blueprint.Shell.Quote(CloudInit.Readiness.Command)}", "status: running", 0, dockerWorks: false).Exit);
    }

    [Fact]
    public void The_patched_gate_passes_only_on_status_done_with_exit_0()
    {
        Assert.Equal(0, Run(CloudInit.Patched.Command, "status: done", 0, dockerWorks: true).Exit);
        Assert.NotEqual(0, Run(CloudInit.Patched.Command, "status: error", 1, dockerWorks: true).Exit);
        Assert.NotEqual(0, Run(CloudInit.Patched.Command, "status: degraded done", 2, dockerWorks: true).Exit);
        // A failed upgrade (runcmd's last command) ends cloud-init in error: the gate stays shut.
        Assert.NotEqual(0, Run(CloudInit.Patched.Command, "status: error", 0, dockerWorks: true).Exit);
    }

    /// <summary>needrestart reads its conf.d files as Perl: the fragment adds Docker and containerd to the services it never restarts.</summary>
    [Fact]
    public void The_needrestart_fragment_keeps_Docker_and_containerd_running()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, CloudInit.NeedrestartDocker);
            var (exit, output) = RunShell("perl", "-e",
                "our %nrconf = (blacklist_rc => [qr(^cryptdisks)]); do $ARGV[0]; die $@ if $@; "
                + "for my $s (qw(docker.service containerd.service ssh.service)) { print $s, ' ', ((grep { $s =~ $_ } @{$nrconf{blacklist_rc}}) ? 'kept' : 'restartable'), \"\\n\" }",
                file);
            Assert.True(exit == 0, output);
            Assert.Contains("docker.service kept", output, StringComparison.Ordinal);
            Assert.Contains("containerd.service kept", output, StringComparison.Ordinal);
            Assert.Contains("ssh.service restartable", output, StringComparison.Ordinal);
        }
        finally { File.Delete(file); }
    }

    private static (int Exit, string Output) Run(string command, string status, int exit, bool dockerWorks)
    {
        var dir = Directory.CreateTempSubdirectory("readiness-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "cloud-init"), $"#!/bin/sh\necho '{status}'\nexit {exit}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "docker"), $"#!/bin/sh\nexit {(dockerWorks ? 0 : 1)}\n");
            if (!OperatingSystem.IsWindows())
                foreach (var f in dir.GetFiles()) File.SetUnixFileMode(f.FullName, (UnixFileMode)0b111_101_101);
            var psi = new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["PATH"] = dir.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        finally { dir.Delete(true); }
    }

    internal static void AssertValidCloudConfig(string userData)
    {
        var (exit, output) = RunSchema(userData);
        Assert.True(exit == 0, "cloud-init schema rejected the user data:\n" + output + "\n---\n" + userData);
        Assert.Contains("Valid cloud-config", output, StringComparison.OrdinalIgnoreCase);
        // Deprecated keys make newer cloud-init finish as "degraded done", which the readiness check refuses.
        Assert.DoesNotContain("DEPRECATED", output, StringComparison.Ordinal);
    }

    private static (int Exit, string Output) RunSchema(string userData)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, userData);
            return RunShell("cloud-init", "schema", "--config-file", file);
        }
        finally { File.Delete(file); }
    }

    private static (int Exit, string Output) RunShell(string exe, params string[] args)
    {
        // Deliberately no skip: the validator is part of the test contract (.ci/run installs cloud-init).
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{exe}' is not installed; install it (apt-get install -y cloud-init) — this test must not be skipped.", e);
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
