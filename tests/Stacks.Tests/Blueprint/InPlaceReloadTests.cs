using System.Diagnostics;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Parts.Postgres;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InPlaceReloadTests
{
    private const string ExtraApp = "\n- name: docs\n  image: ghcr.io/example/docs:1.0.0\n  port: 80\n  routes: [{ host: docs }]\n  healthPath: /\n  cpus: 0.1\n  memoryMb: 64\n  needs: { database: true }\n";

    [Fact]
    public void Adding_a_database_changes_the_pgbouncer_config_command_not_the_pgbouncer_container()
    {
        var before = TestStacks.Build(TestStacks.Yaml());
        var after = TestStacks.Build(TestStacks.Yaml(TestStacks.DefaultApps + ExtraApp));
        // Everything the container is made from — image, mounts, env, files, labels — is the same, so Pulumi keeps it.
        Assert.Equal(Section(Platform.Stacks.Plan.PlanText.Render(before), "pgbouncer [data]"), Section(Platform.Stacks.Plan.PlanText.Render(after), "pgbouncer [data]"));
        Assert.Contains("mount bind", Section(Platform.Stacks.Plan.PlanText.Render(before), "pgbouncer [data]"), StringComparison.Ordinal);
        var command = (HostCommandSpec b) => b.Stdin!.Masked;
        Assert.NotEqual(command(before.HostCommands.Single(c => c.Name == HostCommandNames.PgBouncerConfig)),
            command(after.HostCommands.Single(c => c.Name == HostCommandNames.PgBouncerConfig)));
        Assert.Contains(HostCommandNames.PgBouncerConfig, after.Service("pgbouncer").AfterHostCommands);
    }

    [Fact]
    public void The_config_command_writes_both_files_for_pgbouncer_only_and_reloads_it()
    {
        var b = TestStacks.Build(TestStacks.Yaml());
        var spec = b.HostCommands.Single(c => c.Name == HostCommandNames.PgBouncerConfig);
        var secrets = b.Secrets.ToDictionary(s => s.Name, s => "pw-" + s.Name.Replace('-', '_'));
        var script = spec.Stdin!.Resolve(name => secrets[name]);

        var root = Directory.CreateTempSubdirectory("host-files-").FullName;
        try
        {
            var dir = Path.Combine(root, "pgbouncer");
            Run(script.Replace(PostgresBlueprint.PgBouncerHostDirectory, dir, StringComparison.Ordinal), root);

            var options = PostgresBlueprint.PgBouncerOptions(TestStacks.Read(TestStacks.Yaml()));
            var apps = PostgresBlueprint.AppDatabases(b.Databases).ToList();
            Assert.Equal(PgBouncerConfig.Ini(options, apps), File.ReadAllText(Path.Combine(dir, "pgbouncer.ini")));
            Assert.Equal(PgBouncerConfig.Userlist(options, apps).Resolve(name => secrets[name]), File.ReadAllText(Path.Combine(dir, "userlist.txt")));
            Assert.Contains($"\"api\" \"{Scram.Verifier(secrets["app.api.postgres"], "api")}\"", File.ReadAllText(Path.Combine(dir, "userlist.txt")));
            foreach (var file in new[] { "pgbouncer.ini", "userlist.txt" })
            {
                Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(dir, file)));
                Assert.Equal(PostgresBlueprint.PgBouncerUid, OwnerUid(Path.Combine(dir, file)));
            }
            Assert.False(File.Exists(Path.Combine(dir, "userlist.txt.new")));
            Assert.Contains("kill -s HUP pgbouncer", File.ReadAllText(Path.Combine(root, "docker.log")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_worker_joining_the_apis_redis_changes_its_acl_command_not_its_container()
    {
        var yaml = TestStacks.DefaultApps.Replace("  memoryMb: 128\n  needs: { databaseOf: api }", "  memoryMb: 128\n  needs: { databaseOf: api, redisOf: api }");
        var before = TestStacks.Build(TestStacks.Yaml());
        var after = TestStacks.Build(TestStacks.Yaml(yaml));
        var instance = RedisNames.Container("api");
        Assert.Equal(Section(Platform.Stacks.Plan.PlanText.Render(before), instance + " [data]"), Section(Platform.Stacks.Plan.PlanText.Render(after), instance + " [data]"));
        Assert.DoesNotContain("holds secrets", Section(Platform.Stacks.Plan.PlanText.Render(after), instance + " [data]"), StringComparison.Ordinal);
        var acl = (PlatformBlueprint b) => b.HostCommands.Single(c => c.Name == RedisNames.AclCommand("api")).Stdin!.Masked;
        Assert.NotEqual(acl(before), acl(after));
        Assert.Contains("user default on resetpass #<sha256:app.api.redis> #<sha256:app.worker.redis> resetkeys ~* resetchannels &*", acl(after), StringComparison.Ordinal);
        // No second instance: the worker is joined to api's, under the name redis on its own data network.
        Assert.DoesNotContain(after.Services, x => x.Name == RedisNames.Container("worker"));
        Assert.Contains("docker network connect --alias redis app-worker.data app-api.redis",
            after.HostCommands.Single(c => c.Name == AppNames.AttachCommand("worker")).Create, StringComparison.Ordinal);
    }

    [Fact]
    public void The_acl_command_writes_the_users_for_redis_only_and_loads_them_as_the_operator()
    {
        var b = TestStacks.Build(TestStacks.Yaml());
        var secrets = b.Secrets.ToDictionary(s => s.Name, s => "pw-" + s.Name.Replace('-', '_'));
        var script = b.HostCommands.Single(c => c.Name == RedisNames.AclCommand("api")).Stdin!.Resolve(name => secrets[name]);
        var root = Directory.CreateTempSubdirectory("host-files-").FullName;
        try
        {
            var dir = Path.Combine(root, "redis");
            Run(script.Replace(RedisBlueprint.HostDirectory, dir, StringComparison.Ordinal), root);
            var settings = TestStacks.Read(TestStacks.Yaml());
            var instance = RedisNames.Of(settings).Single();
            var file = Path.Combine(dir, "app-api", "users.acl");
            Assert.Equal(RedisConfig.Acl(RedisBlueprint.Options(instance), RedisBlueprint.Members(instance)).Resolve(name => secrets[name]), File.ReadAllText(file));
            Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(file));
            Assert.Equal(RedisBlueprint.Uid, OwnerUid(file));
            var docker = File.ReadAllText(Path.Combine(root, "docker.log"));
            Assert.Contains("exec -i app-api.redis sh -c REDISCLI_AUTH=\"$(cat)\" redis-cli --no-auth-warning --user platform_admin -p 6379 ACL LOAD", docker, StringComparison.Ordinal);
            // The password reached the command through stdin, not its arguments.
            Assert.DoesNotContain(secrets["redis-admin"], docker, StringComparison.Ordinal);
            Assert.Equal(secrets["redis-admin"], File.ReadAllText(Path.Combine(root, "docker.stdin")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Runs a host script with stand-ins for the server's sudo (the test runs as root) and docker (records calls and stdin; the container "runs").</summary>
    private static void Run(string script, string root)
    {
        var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "sudo"), "#!/bin/sh\nexec \"$@\"\n");
        File.WriteAllText(Path.Combine(bin, "docker"),
            $"#!/bin/sh\necho \"$*\" >> {root}/docker.log\n[ \"$1\" = inspect ] && echo true\n[ \"$1\" = exec ] && cat > {root}/docker.stdin && echo OK\nexit 0\n");
        foreach (var f in new[] { "sudo", "docker" }) File.SetUnixFileMode(Path.Combine(bin, f), (UnixFileMode)0b111_101_101);
        var psi = new ProcessStartInfo("sh", ["-s"]) { RedirectStandardInput = true, RedirectStandardError = true };
        psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
    }

    /// <summary>A service's lines in the text plan: its header and the indented lines under it.</summary>
    private static string Section(string plan, string header)
    {
        var lines = plan.Split('\n');
        var start = Array.IndexOf(lines, lines.First(l => l.StartsWith(header, StringComparison.Ordinal)));
        return string.Join('\n', lines.Skip(start).TakeWhile((l, i) => i == 0 || l.StartsWith("  ", StringComparison.Ordinal)));
    }

    private static int OwnerUid(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var uid = int.Parse(p.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        p.WaitForExit();
        return uid;
    }
}
