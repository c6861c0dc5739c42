using System.Globalization;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The backup job's Storage Box check, as rendered, against a real OpenSSH server (Debian's <c>openssh-server</c>) on a
/// loopback port: the runner (which accepts any host key) is run with the box only when the server shows the pinned key;
/// otherwise the runner's SSH target is blanked for the run, the archive still goes to S3, and the job reports down.
/// <c>docker</c> and <c>curl</c> are stand-ins on PATH that record their arguments; ssh-keyscan and sshd are real.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageBoxHostKeyTests
{
    [Fact]
    public async Task The_job_uploads_to_the_box_only_when_it_shows_the_pinned_key()
    {
        Assert.True(Proc.IsRoot, "sshd needs root here (privilege separation)");
        using var dir = await ServerDirectory.CreateAsync("sbx", owner: null);
        var sshd = Proc.Require("sshd");
        await Proc.RunCheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir.Path, "host"), "-C", ""]);
        await Proc.RunCheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir.Path, "other"), "-C", ""]);
        string Pub(string name) => string.Join(' ', File.ReadAllText(Path.Combine(dir.Path, name + ".pub")).Trim().Split(' ').Take(2));
        var port = Proc.FreePort();
        var config = Path.Combine(dir.Path, "sshd_config");
        File.WriteAllText(config, $"""
            Port {port.ToString(CultureInfo.InvariantCulture)}
            ListenAddress 127.0.0.1
            HostKey {Path.Combine(dir.Path, "host")}
            PidFile {Path.Combine(dir.Path, "sshd.pid")}
            UsePAM no
            PasswordAuthentication no

            """);
        Directory.CreateDirectory("/run/sshd");   // its privilege separation directory, as the package's unit makes it
        await using var server = ServerProcess.Start("sshd", sshd, ["-D", "-e", "-f", config], asUser: null);
        await server.WaitUntilAsync(async () => (await Proc.RunAsync("ssh-keyscan", ["-T", "2", "-p", port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"])).Stdout.Contains("ssh-ed25519", StringComparison.Ordinal));

        // Stand-ins for the host's docker and curl: each logs its argv.
        var bin = Path.Combine(dir.Path, "bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "docker", "curl" })
        {
            var path = Path.Combine(bin, tool);
            File.WriteAllText(path, $"#!/bin/sh\necho \"{tool} $*\" >> {Path.Combine(dir.Path, "calls")}\n[ \"$1\" = inspect ] && echo 172.18.0.5\nexit 0\n");
            await Proc.RunCheckedAsync("chmod", ["0700", path]);
        }

        async Task<(ProcResult Result, string Calls)> RunJob(string pinned, int boxPort)
        {
            File.Delete(Path.Combine(dir.Path, "calls"));
            var box = new StorageBoxSettings("127.0.0.1", boxPort, "u1", "backups", pinned, "bx11");
            var job = Backups.Jobs(BackupsInputs.Minimal(box)).First();
            var script = Path.Combine(dir.Path, "job.sh");
            File.WriteAllText(script, BackupTimers.Script(job, Backups.RunnerName, "uptime-kuma", "edge", 3001));
            var env = new Dictionary<string, string> { ["PATH"] = $"{bin}:/usr/bin:/bin", ["PUSH_TOKEN"] = "t0k" };
            var result = await Proc.RunAsync("sh", [script], env: env);
            return (result, File.ReadAllText(Path.Combine(dir.Path, "calls")));
        }

        var pinnedOk = await RunJob(Pub("host"), port);
        Assert.True(pinnedOk.Result.Ok, pinnedOk.Result.ToString());
        Assert.Contains("docker exec backup sh -c", pinnedOk.Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("SSH_HOST_NAME", pinnedOk.Calls, StringComparison.Ordinal);
        Assert.Contains("status=up&msg=OK", pinnedOk.Calls, StringComparison.Ordinal);

        var wrongKey = await RunJob(Pub("other"), port);
        Assert.False(wrongKey.Result.Ok);
        Assert.Contains("docker exec -e SSH_HOST_NAME= backup sh -c", wrongKey.Calls, StringComparison.Ordinal);
        Assert.Contains("status=down&msg=storage%20box%20host%20key%20is%20not%20the%20pinned%20one", wrongKey.Calls, StringComparison.Ordinal);

        var unreachable = await RunJob(Pub("host"), Proc.FreePort());
        Assert.False(unreachable.Result.Ok);
        Assert.Contains("docker exec -e SSH_HOST_NAME= backup sh -c", unreachable.Calls, StringComparison.Ordinal);
    }
}

/// <summary>The smallest backups input with a Storage Box: one PostgreSQL database, no Redis, no MinIO.</summary>
internal static class BackupsInputs
{
    public static BackupsInput Minimal(StorageBoxSettings box) => new(
        "offen/docker-volume-backup:v2.48.2",
        new S3Target("s3.example.net", "bucket", "eu", "backupS3AccessKeyId", "backupS3SecretAccessKey", null, "p-s"),
        new BackupSources(["shop"], "postgres:16.6-alpine", "postgres-superuser", "redis:7.4.2-alpine", "redis", null, RedisInstances: []),
        new BackupPolicy(),
        new OpsNetworks())
    { StorageBox = box };
}
