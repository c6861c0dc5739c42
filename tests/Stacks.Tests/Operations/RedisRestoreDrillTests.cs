using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// The Redis backup, restored. Keys of every type (with and without TTLs) are written to a Redis started
/// from the rendered redis.conf; the snapshot is taken with the backup job's exact script
/// (<see cref="Backups.RedisDumpScript"/>: <c>redis-cli --user platform_admin --rdb</c>); a fresh Redis is
/// restored by the steps in docs/operations.md; keys, types, values and TTLs must be equal.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RedisRestoreDrillTests
{
    private sealed record KeyState(string Type, string Value, long PttlMs);

    private const string AdminSecret = "redis-admin";

    private static async Task<RedisServer> StartAsync(string adminPassword)
    {
        var server = await RedisServer.CreateAsync();
        var instance = Platform.Stacks.Parts.Redis.RedisNames.Of(TestStacks.Shipped("staging")).First();
        var options = RedisBlueprint.Options(instance) with
        {
            Bind = "127.0.0.1", Port = server.Port, Dir = server.Directory, AclFile = null, AdminPasswordSecret = AdminSecret,
            // The drill's data must all fit (the shipped api instance's noeviction would refuse rather than evict).
            MaxMemoryMb = 64,
        };
        await server.StartAsync(RedisConfig.Conf(options, [new RedisMember("shop", "app.shop.redis")]).Resolve(n => n == AdminSecret ? adminPassword : Secrets.NewPassword()),
            RedisConfig.AdminUser, adminPassword);
        return server;
    }

    private static async Task<string> Admin(RedisServer s, string password, params string[] command)
    {
        var r = await s.CliAsync(RedisConfig.AdminUser, password, command);
        Assert.True(r.Ok, r.ToString());
        return r.Stdout.Trim();
    }

    private static IEnumerable<string> Data()
    {
        yield return "SET drill:s:plain hello";
        yield return "SET drill:s:unicode \"Zoë 🚀 ünï \\\"quoted\\\" back\\\\slash\"";
        yield return "SET drill:s:ttl expiring EX 3600";
        yield return "INCRBY drill:s:counter 42";
        yield return "SET drill:s:big " + new string('x', 20000);
        yield return "HSET drill:h f1 v1 f2 \"v 2\" f3 3 \"field 4\" \"\"";
        yield return "PEXPIRE drill:h 7200000";
        yield return "RPUSH drill:l a b c \"d e\" a";
        yield return "SADD drill:set x y z \"with space\"";
        yield return "ZADD drill:z 1 one 2.5 two -3 minus 1e10 big";
        yield return "EXPIRE drill:z 600";
        yield return "SET shop:cart:1 \"{\\\"items\\\":[1,2,3]}\"";
        for (var i = 0; i < 150; i++)
            yield return i % 3 == 0 ? $"SET drill:n:{i} v{i} EX {1000 + i}" : $"SET drill:n:{i} v{i}";
        for (var i = 0; i < 200; i++) yield return $"RPUSH drill:biglist item{i}";
        for (var i = 0; i < 200; i++) yield return $"HSET drill:bighash k{i} {i}";
    }

    /// <summary>Every key's type, value (sets and hashes in a fixed order) and PTTL, read as the operators' user.</summary>
    private static async Task<Dictionary<string, KeyState>> Snapshot(RedisServer s, string password)
    {
        var keys = (await s.CliAsync(RedisConfig.AdminUser, password, "--scan")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        var types = (await s.CliBatchAsync(RedisConfig.AdminUser, password, keys.Select(k => $"TYPE {k}"))).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(keys.Count, types.Length);
        const string end = "--end-of-key--";
        var commands = new List<string>();
        for (var i = 0; i < keys.Count; i++)
        {
            var k = keys[i];
            commands.Add($"PTTL {k}");
            commands.Add(types[i] switch
            {
                "string" => $"GET {k}",
                "hash" => $"HGETALL {k}",
                "list" => $"LRANGE {k} 0 -1",
                "set" => $"SMEMBERS {k}",
                "zset" => $"ZRANGE {k} 0 -1 WITHSCORES",
                var t => throw new InvalidOperationException($"The drill has no reader for type {t}."),
            });
            commands.Add($"ECHO {end}");
        }
        var output = (await s.CliBatchAsync(RedisConfig.AdminUser, password, commands)).Stdout.Split('\n').ToList();
        var result = new Dictionary<string, KeyState>(StringComparer.Ordinal);
        var line = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var pttl = long.Parse(output[line++], CultureInfo.InvariantCulture);
            var values = new List<string>();
            while (output[line] != end) values.Add(output[line++]);
            line++;
            var value = types[i] switch
            {
                "set" => string.Join("\n", values.Order(StringComparer.Ordinal)),
                "hash" => string.Join("\n", values.Chunk(2).Select(p => p[0] + "=" + p[1]).Order(StringComparer.Ordinal)),
                _ => string.Join("\n", values),
            };
            result[keys[i]] = new KeyState(types[i], value, pttl);
        }
        return result;
    }

    /// <summary>What differs; a TTL may have run down by the time that passed between the two snapshots (plus a second).</summary>
    private static List<string> Compare(Dictionary<string, KeyState> expected, Dictionary<string, KeyState> actual, TimeSpan elapsed)
    {
        var differences = new List<string>();
        foreach (var (key, want) in expected)
        {
            if (!actual.TryGetValue(key, out var got)) { differences.Add($"{key}: missing"); continue; }
            if (got.Type != want.Type) differences.Add($"{key}: type {got.Type}, expected {want.Type}");
            else if (got.Value != want.Value) differences.Add($"{key}: value differs ({got.Value.Length} vs {want.Value.Length} characters)");
            if (want.PttlMs < 0 ? got.PttlMs != want.PttlMs : got.PttlMs > want.PttlMs || got.PttlMs < want.PttlMs - elapsed.TotalMilliseconds - 1000)
                differences.Add($"{key}: TTL {got.PttlMs} ms, expected {want.PttlMs} ms less at most {elapsed.TotalMilliseconds:0} ms");
        }
        differences.AddRange(actual.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"{k}: not in the backup"));
        return differences;
    }

    [Fact]
    public void Each_instances_job_renders_the_script_the_drill_runs()
    {
        // One job per instance, each dumping in its own container into its own dump volume, the password given to the exec only.
        var settings = TestStacks.Shipped("staging");
        var jobs = OperationsBlueprint.Of(settings).Jobs;
        var instances = Platform.Stacks.Parts.Redis.RedisNames.Of(settings);
        Assert.Equal(["app-api.redis", "app-web.redis"], instances.Select(i => i.Container));
        foreach (var i in instances)
        {
            var job = jobs.Single(j => j.Name == $"redis-{i.Owner}");
            Assert.Equal(Backups.RedisDumpScript(AppEnvironment.RedisPort, Backups.DumpDir, RedisConfig.AdminUser), job.DumpScript);
            Assert.Equal(i.Container, job.DumpContainer);
            Assert.Equal($"app-{i.Owner}.redis.dumps", job.SourceVolume);
            Assert.Equal(["REDISCLI_AUTH"], job.DumpEnv.Select(e => e.Name));
        }
        Assert.DoesNotContain(jobs, j => j.Name == "redis");
        // The runner mounts each instance's dump volume at its own directory.
        Assert.Equal(instances.Length, jobs.Where(j => j.Subject == BackupSubject.Redis).Select(j => j.SourceDirectory).Distinct().Count());
    }

    [Fact]
    public async Task Snapshot_with_the_jobs_script_and_restore_by_the_documented_steps_loses_nothing()
    {
        var password = Secrets.NewPassword();
        var dumpDir = Directory.CreateTempSubdirectory("redisdrill-").FullName;
        try
        {
            Dictionary<string, KeyState> expected;
            DateTime taken;
            await using (var source = await StartAsync(password))
            {
                var write = await source.CliBatchAsync(RedisConfig.AdminUser, password, Data());
                Assert.True(write.Ok, write.ToString());
                Assert.DoesNotContain("ERR", write.Stdout, StringComparison.Ordinal);
                expected = await Snapshot(source, password);
                taken = DateTime.UtcNow;
                Assert.Equal(162, expected.Count);
                Assert.Equal(["hash", "list", "set", "string", "zset"], expected.Values.Select(v => v.Type).Distinct().Order(StringComparer.Ordinal));
                Assert.True(expected.Values.Count(v => v.PttlMs > 0) >= 50, "the drill needs keys with TTLs");

                // The Redis container's backup hook script, against this server (on loopback, as in the container;
                // its port and dump directory).
                var script = Backups.RedisDumpScript(source.Port, dumpDir, RedisConfig.AdminUser);
                var cliDir = Path.GetDirectoryName(Proc.Require("redis-cli"))!;
                var dump = await Proc.RunAsync("sh", ["-c", script], env: new Dictionary<string, string>
                {
                    ["REDISCLI_AUTH"] = password,
                    ["PATH"] = cliDir + ":" + Environment.GetEnvironmentVariable("PATH"),
                });
                Assert.True(dump.Ok, dump.ToString());
            }
            var rdb = Path.Combine(dumpDir, "redis.rdb");
            Assert.True(new FileInfo(rdb).Length > 1000, "the snapshot is (nearly) empty");

            // docs/operations.md, "Redis and MinIO": stop Redis, put the RDB as dump.rdb, move appendonlydir
            // aside, start once with --appendonly no, CONFIG SET appendonly yes, wait for the rewrite, restart.
            await using var fresh = await StartAsync(password);
            Assert.Equal("0", await Admin(fresh, password, "DBSIZE"));
            await fresh.StopAsync();
            await fresh.InstallFileAsync(rdb, "dump.rdb");
            var aofDir = Path.Combine(fresh.Directory, "appendonlydir");
            Assert.True(Directory.Exists(aofDir), "the fresh Redis has no AOF directory to move aside");
            Directory.Move(aofDir, aofDir + ".old");
            await fresh.StartAgainAsync("--appendonly", "no");
            Assert.Equal("OK", await Admin(fresh, password, "CONFIG", "SET", "appendonly", "yes"));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string persistence;
            do
            {
                await Task.Delay(100);
                persistence = await Admin(fresh, password, "INFO", "persistence");
            } while (!(persistence.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal) && persistence.Contains("aof_rewrite_scheduled:0", StringComparison.Ordinal))
                     && DateTime.UtcNow < deadline);
            Assert.Contains("aof_enabled:1", persistence, StringComparison.Ordinal);
            Assert.Contains("aof_last_bgrewrite_status:ok", persistence, StringComparison.Ordinal);
            await fresh.StopAsync();
            await fresh.StartAgainAsync();

            var restored = await Snapshot(fresh, password);
            var differences = Compare(expected, restored, DateTime.UtcNow - taken);
            Assert.True(differences.Count == 0, "The restore lost or changed data:\n" + string.Join("\n", differences));
            Assert.True(Directory.Exists(aofDir), "Redis did not write a fresh AOF");

            // The comparison catches a lost key, a changed value and a lost TTL.
            Assert.Equal("1", await Admin(fresh, password, "DEL", "drill:n:7"));
            Assert.Equal("0", await Admin(fresh, password, "HSET", "drill:h", "f1", "changed"));
            Assert.Equal("1", await Admin(fresh, password, "PERSIST", "drill:z"));
            var broken = Compare(expected, await Snapshot(fresh, password), DateTime.UtcNow - taken);
            Assert.Equal(["drill:h: value differs (31 vs 26 characters)", "drill:n:7: missing", "drill:z: TTL -1 ms"],
                broken.Select(d => d.StartsWith("drill:z: TTL -1 ms", StringComparison.Ordinal) ? "drill:z: TTL -1 ms" : d).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dumpDir, recursive: true);
        }
    }
}
