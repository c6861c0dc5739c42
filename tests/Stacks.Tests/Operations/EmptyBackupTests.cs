using System.Collections.Immutable;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// No empty green backups: the rendered dump scripts (the very text of the database containers' hooks) fail — so the
/// runner fails the job and pushes its heartbeat down — when the server lists no database, or a dump is empty, cut
/// short or not of its format. Run with real pg_dump, mariadb-dump and a real empty cluster; where a broken dump
/// cannot be made to happen on demand, a stand-in client writes the broken file and the rest of the script is real.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmptyBackupTests
{
    private static Dictionary<string, string> PathWith(string first, IReadOnlyDictionary<string, string>? env = null) =>
        new(env ?? new Dictionary<string, string>())
        {
            ["PATH"] = first + ":" + Environment.GetEnvironmentVariable("PATH"),
        };

    /// <summary>A stand-in program in a fresh directory: a POSIX sh script.</summary>
    private static string StandIn(string name, string body)
    {
        var dir = Directory.CreateTempSubdirectory("standin-").FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return dir;
    }

    [Fact]
    public async Task The_postgres_hook_fails_on_an_empty_cluster_and_passes_once_a_database_exists()
    {
        var dumpDir = Directory.CreateTempSubdirectory("emptybk-").FullName;
        try
        {
            await using var pg = await DrillPostgres.StartAsync();
            var env = PathWith(DrillPostgres.BinDir, pg.ClientEnv);
            var script = Backups.PostgresDumpScript(dumpDir);

            var empty = await DrillPostgres.RunAsync("sh", ["-c", script], env, check: false);
            Assert.NotEqual(0, empty.Exit);
            Assert.Contains("lists no app database", empty.Output, StringComparison.Ordinal);

            // A stack without any app database renders the script that accepts it.
            Assert.Equal(0, (await DrillPostgres.RunAsync("sh", ["-c", Backups.PostgresDumpScript(dumpDir, expectDatabases: false)], env, check: false)).Exit);

            await pg.ExecAsync("postgres", "CREATE DATABASE shop");
            var ok = await DrillPostgres.RunAsync("sh", ["-c", script], env, check: false);
            Assert.True(ok.Exit == 0, ok.Output);
            Assert.True(new FileInfo(Path.Combine(dumpDir, "shop.dump")).Length >= Backups.MinDumpBytes);

            // A pg_dump that "succeeds" yet writes nothing: the script fails, naming the file.
            var broken = StandIn("pg_dump", "for a; do case \"$a\" in --file=*) : > \"${a#--file=}\";; esac; done");
            try
            {
                var env2 = PathWith(broken + ":" + DrillPostgres.BinDir, pg.ClientEnv);
                var zero = await DrillPostgres.RunAsync("sh", ["-c", script], env2, check: false);
                Assert.NotEqual(0, zero.Exit);
                Assert.Contains("shop.dump is unreadable", zero.Output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(broken, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(dumpDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_size_check_counts_files_and_bytes()
    {
        var dir = Directory.CreateTempSubdirectory("sizechk-").FullName;
        try
        {
            async Task<(int Exit, string Output)> Check(string min) =>
                await DrillPostgres.RunAsync("sh", ["-c", "set -eu; " + Backups.SizeCheck(dir, "*.dump", min)], check: false);

            var none = await Check("1");
            Assert.NotEqual(0, none.Exit);
            Assert.Contains("0 dump files", none.Output, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(dir, "a.dump"), new string('x', Backups.MinDumpBytes));
            Assert.Equal(0, (await Check("1")).Exit);
            Assert.NotEqual(0, (await Check("2")).Exit);
            await File.WriteAllTextAsync(Path.Combine(dir, "b.dump"), "tiny");
            var small = await Check("1");
            Assert.NotEqual(0, small.Exit);
            Assert.Contains("b.dump is only 4 bytes", small.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_redis_hook_fails_when_the_snapshot_is_empty_or_not_an_rdb_file()
    {
        var dumpDir = Directory.CreateTempSubdirectory("emptyrdb-").FullName;
        var script = Backups.RedisDumpScript(6379, dumpDir);
        foreach (var (body, message) in new[]
                 {
                     ("for a; do last=$a; done; : > \"$last\"", "redis.rdb is only 0 bytes"),
                     ("for a; do last=$a; done; printf '%0100d' 0 > \"$last\"", "redis.rdb is not an RDB file"),
                 })
        {
            var standIn = StandIn("redis-cli", body);
            try
            {
                var r = await DrillPostgres.RunAsync("sh", ["-c", script], PathWith(standIn), check: false);
                Assert.NotEqual(0, r.Exit);
                Assert.Contains(message, r.Output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(standIn, recursive: true);
            }
        }
        Directory.Delete(dumpDir, recursive: true);
    }

    [Fact]
    public async Task The_mariadb_hook_passes_on_real_dumps_and_fails_on_a_dump_cut_short()
    {
        ImmutableArray<string> dbs = ["shop"];
        var dumpDir = Directory.CreateTempSubdirectory("emptymdb-").FullName;
        try
        {
            await using var server = await MariaDbServer.StartAsync();
            await server.SqlAsync("CREATE DATABASE shop; CREATE TABLE shop.t (id int PRIMARY KEY); INSERT INTO shop.t VALUES (1), (2);");
            // The agent's script, adapted only in where the socket is and whom it maps to.
            var script = MariaDbBackups.DumpScript(dbs, dumpDir)
                .Replace("--socket=" + MariaDbNames.SocketPath, "--socket=" + server.Socket, StringComparison.Ordinal)
                .Replace("--user=" + MariaDbNames.AdminUser, "--user=" + MariaDbServer.AdminUser, StringComparison.Ordinal);
            Assert.Contains("--socket=" + server.Socket, script, StringComparison.Ordinal);
            var ok = await DrillPostgres.RunAsync("sh", ["-c", script], check: false);
            Assert.True(ok.Exit == 0, ok.Output);

            // A dump killed half way: what it wrote so far, without mariadb-dump's closing line.
            var partial = string.Join('\n', (await File.ReadAllLinesAsync(Path.Combine(dumpDir, "shop.sql"))).SkipLast(3));
            var partialFile = Path.Combine(Path.GetTempPath(), "partial-" + Guid.NewGuid().ToString("N")[..8] + ".sql");
            await File.WriteAllTextAsync(partialFile, partial);
            var standIn = StandIn("mariadb-dump", $"for a; do case \"$a\" in --result-file=*) cp {partialFile} \"${{a#--result-file=}}\";; esac; done");
            try
            {
                var cut = await DrillPostgres.RunAsync("sh", ["-c", script], PathWith(standIn), check: false);
                Assert.NotEqual(0, cut.Exit);
                Assert.Contains("shop.sql is incomplete", cut.Output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(standIn, recursive: true);
                File.Delete(partialFile);
            }
        }
        finally
        {
            Directory.Delete(dumpDir, recursive: true);
        }
    }
}
