using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The move from the shared Redis to one instance per app or group, on real redis-server 7.0: the copy that
/// <c>redis-migrate-script</c>'s <c>load</c> runs inside the throw-away server, against the shipped staging stack's
/// rendered instances (web's; api's, which the worker now shares).
/// </summary>
[Trait("Category", "Integration")]
public sealed class RedisMigrationTests
{
    [Fact]
    public async Task Each_apps_keys_are_copied_into_the_instance_it_uses_with_their_ttls_and_a_newer_key_wins()
    {
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SecretNames.Redis("api")] = Secrets.NewPassword(), [SecretNames.Redis("worker")] = Secrets.NewPassword(),
            [SecretNames.Redis("web")] = Secrets.NewPassword(), [SecretNames.RedisAdmin] = Secrets.NewPassword(),
        };
        var admin = passwords[SecretNames.RedisAdmin];
        var instances = RedisNames.Of(TestStacks.Shipped("staging")).ToDictionary(i => i.Owner);

        // The old shared server, as the throw-away copy of its snapshot runs: no users, loopback only.
        await using var legacy = await RedisServer.CreateAsync();
        await legacy.StartAsync($"bind 127.0.0.1\nport {legacy.Port}\ndir {legacy.Directory}\nappendonly no\nsave \"\"\n");
        var seed = await legacy.CliBatchAsync(null, null,
        [
            "SET api:rq:job:1 payload EX 3600", "RPUSH api:queue a b c", "HSET worker:state last 42", "SET web:sess:1 alice",
            "SET web:sess:2 bob PX 7200000", "SET \"web:odd \\\"quoted\\\" \\\\ key\" x", "SET apiary:x not-api", "SET admin:x no-redis-app",
        ]);
        Assert.DoesNotContain("ERR", seed.Stdout, StringComparison.Ordinal);

        await using var api = await StartAsync(instances["api"], passwords);
        await using var web = await StartAsync(instances["web"], passwords);
        // Web wrote a new session under the same name after the deploy: it must be kept.
        Assert.Equal("OK", (await web.CliAsync(null, passwords[SecretNames.Redis("web")], "SET", "web:sess:1", "alice-new")).Stdout.Trim());

        var script = RedisMigration.CopyScript([("api", "127.0.0.1", api.Port), ("web", "127.0.0.1", web.Port), ("worker", "127.0.0.1", api.Port)], legacy.Port);
        Assert.DoesNotContain(admin, script, StringComparison.Ordinal);
        var cliDir = Path.GetDirectoryName(Proc.Require("redis-cli"))!;
        var run = await Proc.RunAsync("sh", ["-c", script], env: new Dictionary<string, string>
        {
            [RedisMigration.PasswordEnv] = admin,
            ["PATH"] = cliDir + ":" + Environment.GetEnvironmentVariable("PATH"),
        });
        Assert.True(run.Ok, run.ToString());
        Assert.Equal(
            [
                $"api: 2 keys copied to 127.0.0.1:{api.Port}, 0 already there (kept), 0 failed",
                $"web: 2 keys copied to 127.0.0.1:{web.Port}, 1 already there (kept), 0 failed",
                $"worker: 1 keys copied to 127.0.0.1:{api.Port}, 0 already there (kept), 0 failed",
            ], run.Stdout.Trim().Split('\n'));

        async Task<string> Get(RedisServer s, params string[] cmd) => (await s.CliAsync(RedisConfig.AdminUser, admin, cmd)).Stdout.Trim();
        Assert.Equal("payload", await Get(api, "GET", "api:rq:job:1"));
        Assert.InRange(long.Parse(await Get(api, "TTL", "api:rq:job:1"), System.Globalization.CultureInfo.InvariantCulture), 3500, 3600);
        Assert.Equal("a\nb\nc", await Get(api, "LRANGE", "api:queue", "0", "-1"));
        Assert.Equal("42", await Get(api, "HGET", "worker:state", "last"));   // the worker's keys, in the instance it shares
        Assert.Equal("alice-new", await Get(web, "GET", "web:sess:1"));
        Assert.InRange(long.Parse(await Get(web, "PTTL", "web:sess:2"), System.Globalization.CultureInfo.InvariantCulture), 7_000_000, 7_200_000);
        Assert.Equal("x", await Get(web, "GET", "web:odd \"quoted\" \\ key"));
        // Nothing of another app, nor of an app without Redis, nor a prefix that merely starts alike.
        Assert.Equal("3", await Get(api, "DBSIZE"));
        Assert.Equal("3", await Get(web, "DBSIZE"));
        // COPY: the snapshot keeps everything, so the copy can run again.
        Assert.Equal("8", (await legacy.CliAsync(null, null, "DBSIZE")).Stdout.Trim());
        var again = await Proc.RunAsync("sh", ["-c", script], env: new Dictionary<string, string>
        {
            [RedisMigration.PasswordEnv] = admin,
            ["PATH"] = cliDir + ":" + Environment.GetEnvironmentVariable("PATH"),
        });
        Assert.True(again.Ok, again.ToString());
        Assert.StartsWith($"api: 0 keys copied to 127.0.0.1:{api.Port}, 2 already there (kept), 0 failed", again.Stdout, StringComparison.Ordinal);

        // A wrong password is a failure, not a silent zero.
        var wrong = await Proc.RunAsync("sh", ["-c", script], env: new Dictionary<string, string>
        {
            [RedisMigration.PasswordEnv] = "wrong",
            ["PATH"] = cliDir + ":" + Environment.GetEnvironmentVariable("PATH"),
        });
        Assert.False(wrong.Ok, wrong.ToString());
        Assert.Contains("2 failed", wrong.Stdout, StringComparison.Ordinal);
    }

    private static async Task<RedisServer> StartAsync(RedisInstance instance, Dictionary<string, string> passwords)
    {
        var server = await RedisServer.CreateAsync();
        var options = RedisBlueprint.Options(instance) with { Bind = "127.0.0.1", Port = server.Port, Dir = server.Directory, AclFile = null };
        await server.StartAsync(RedisConfig.Conf(options, RedisBlueprint.Members(instance)).Resolve(n => passwords[n]), RedisConfig.AdminUser, passwords[SecretNames.RedisAdmin]);
        return server;
    }

    [Fact]
    public void The_script_saves_before_and_copies_every_redis_app_after_the_deploy()
    {
        var script = RedisMigration.Script(TestStacks.Shipped("prod"));
        Assert.Contains("REDISCLI_AUTH=\"$pw\" docker exec -e REDISCLI_AUTH redis sh -c 'rm -f /tmp/legacy.rdb; redis-cli --no-auth-warning --user platform_admin --rdb /tmp/legacy.rdb >/dev/null'", script, StringComparison.Ordinal);
        Assert.Contains("/etc/platform/backups/redis*.env", script, StringComparison.Ordinal);
        Assert.Contains("copy api app-api.redis 6379\ncopy web app-web.redis 6379\ncopy worker app-api.redis 6379\n", script, StringComparison.Ordinal);
        Assert.Contains("docker exec -i -e TARGET_AUTH redis-migrate-legacy sh -s", script, StringComparison.Ordinal);
        Assert.Contains("--network data", script, StringComparison.Ordinal);
        // The load step's copy is exactly the tested one.
        Assert.Contains(RedisMigration.CopyScript([("api", "app-api.redis", 6379), ("web", "app-web.redis", 6379), ("worker", "app-api.redis", 6379)]), script, StringComparison.Ordinal);
    }
}
