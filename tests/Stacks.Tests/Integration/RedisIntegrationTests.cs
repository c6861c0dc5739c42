using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The shipped staging stack's Redis instances (web's own; api's, shared with its worker), rendered and run on real
/// redis-server 7.0, spoken to as client libraries do: password-only AUTH, RQ's <c>rq:queue:default</c> list with a
/// blocking pop, BullMQ's <c>bull:&lt;queue&gt;:*</c> keys through EVALSHA, socket.io's adapter channel <c>socket.io#/#</c>
/// (raw RESP over kept-open connections, <see cref="RespClient"/>; and redis-cli).
/// </summary>
[Trait("Category", "Integration")]
public sealed class RedisIntegrationTests
{
    private static readonly Dictionary<string, string> Passwords = new(StringComparer.Ordinal)
    {
        [SecretNames.Redis("api")] = Secrets.NewPassword(),
        [SecretNames.Redis("worker")] = Secrets.NewPassword(),
        [SecretNames.Redis("web")] = Secrets.NewPassword(),
        [SecretNames.RedisAdmin] = Secrets.NewPassword(),
    };

    private static string Password(string app) => Passwords[SecretNames.Redis(app)];
    private static string Admin => Passwords[SecretNames.RedisAdmin];

    private static RedisInstance Instance(string owner) => RedisNames.Of(TestStacks.Shipped("staging")).Single(i => i.Owner == owner);

    /// <summary>Starts an instance of the shipped stack from its rendered redis.conf and ACL file (on loopback, on a free port).</summary>
    private static async Task<RedisServer> StartAsync(RedisInstance instance, Func<RedisOptions, RedisOptions>? configure = null)
    {
        var server = await RedisServer.CreateAsync();
        try
        {
            var aclPath = Path.Combine(server.Directory, "users.acl");
            var options = RedisBlueprint.Options(instance) with { Bind = "127.0.0.1", Port = server.Port, Dir = server.Directory, AclFile = aclPath };
            options = configure?.Invoke(options) ?? options;
            await WriteAclAsync(server, RedisConfig.Acl(options, RedisBlueprint.Members(instance)).Resolve(n => Passwords[n]));
            var conf = RedisConfig.Conf(options, RedisBlueprint.Members(instance));
            Assert.False(conf.IsSecret);
            await server.StartAsync(conf.Resolve(n => Passwords[n]), RedisConfig.AdminUser, Admin);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static Task WriteAclAsync(RedisServer s, string acl) =>
        ServerDirectory.WriteFileAsync(Path.Combine(s.Directory, "users.acl"), acl, Proc.IsRoot ? RedisServer.OsUser : null);

    /// <summary>A connection authenticated the way a password-only client does (<c>AUTH &lt;password&gt;</c>, <c>redis://:pw@host</c>).</summary>
    private static async Task<RespClient> ConnectAsync(RedisServer s, string password)
    {
        var c = await RespClient.ConnectAsync(s.Port);
        Assert.Equal("OK", (await c.CallAsync("AUTH", password)).Text);
        return c;
    }

    private static async Task<string> Reply(Task<ProcResult> run)
    {
        var r = await run;
        Assert.True(r.Ok, r.ToString());
        return r.Stdout.Trim();
    }

    [Fact]
    public async Task A_password_alone_authenticates_and_unauthenticated_clients_get_nothing()
    {
        await using var s = await StartAsync(Instance("api"));
        // redis-cli with only REDISCLI_AUTH sends AUTH <password>, as a client with REDIS_PASSWORD or redis://:pw@host does.
        Assert.Equal("OK", await Reply(s.CliAsync(null, Password("api"), "SET", "rq:job:1", "payload")));
        Assert.Equal("payload", await Reply(s.CliAsync(null, Password("worker"), "GET", "rq:job:1")));
        // Clients that name the user (redis://default:pw@host, HELLO 3 AUTH default pw) work too.
        Assert.Equal("payload", await Reply(s.CliAsync("default", Password("api"), "GET", "rq:job:1")));
        await using (var hello = await RespClient.ConnectAsync(s.Port))
            Assert.False((await hello.CallAsync("HELLO", "2", "AUTH", "default", Password("worker"))).IsError);

        await using var anonymous = await RespClient.ConnectAsync(s.Port);
        foreach (var cmd in new[] { new[] { "PING" }, ["GET", "rq:job:1"], ["KEYS", "*"], ["FLUSHALL"], ["INFO"] })
            Assert.StartsWith("NOAUTH", (await anonymous.CallAsync(cmd)).Text, StringComparison.Ordinal);
        foreach (var wrong in new[] { "not-the-password", Password("web"), Admin + "x" })
            Assert.StartsWith("WRONGPASS", (await anonymous.CallAsync("AUTH", wrong)).Text, StringComparison.Ordinal);

        // The health check as rendered: its user needs no secret and may PING, nothing else.
        var test = RedisConfig.HealthCheckTest(new RedisOptions { Port = s.Port });
        Assert.Equal("CMD-SHELL", test[0]);
        Assert.True((await Proc.RunAsync("sh", ["-c", test[1]])).Ok);
        var plain = RedisConfig.HealthCommand(new RedisOptions { Port = s.Port });
        Assert.Equal("PONG", await Reply(Proc.RunAsync(Proc.Require(plain[0]), plain.Skip(1))));
        await using (var health = await RespClient.ConnectAsync(s.Port))
        {
            Assert.Equal("OK", (await health.CallAsync("AUTH", RedisConfig.HealthUser, "anything")).Text);
            Assert.Equal("PONG", (await health.CallAsync("PING")).Text);
            foreach (var cmd in new[] { new[] { "GET", "rq:job:1" }, ["KEYS", "*"], ["INFO"], ["CONFIG", "GET", "*"], ["SUBSCRIBE", "socket.io#/#"], ["FLUSHALL"] })
                Assert.StartsWith("NOPERM", (await health.CallAsync(cmd)).Text, StringComparison.Ordinal);
        }
        await s.StopAsync();
        Assert.False((await Proc.RunAsync("sh", ["-c", test[1]])).Ok);
    }

    [Fact]
    public async Task An_rq_job_pushed_by_the_api_is_popped_by_its_worker()
    {
        await using var s = await StartAsync(Instance("api"));
        await using var worker = await ConnectAsync(s, Password("worker"));
        await using var api = await ConnectAsync(s, Password("api"));
        // The worker blocks first, as RQ's worker does (BLPOP on its queues' keys), on its own connection.
        await worker.SendAsync("BLPOP", "rq:queue:high", "rq:queue:default", "5");
        Assert.Equal("2", (await api.CallAsync("HSET", "rq:job:9f1c", "status", "queued", "data", "send_welcome_email(42)")).Text);
        Assert.Equal("1", (await api.CallAsync("SADD", "rq:queues", "rq:queue:default")).Text);
        Assert.Equal("1", (await api.CallAsync("RPUSH", "rq:queue:default", "9f1c")).Text);
        var popped = await worker.ReadAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["rq:queue:default", "9f1c"], popped.Items!.Select(i => i.Text));
        Assert.Equal("send_welcome_email(42)", (await worker.CallAsync("HGET", "rq:job:9f1c", "data")).Text);
        Assert.Equal("0", (await api.CallAsync("LLEN", "rq:queue:default")).Text);
    }

    [Fact]
    public async Task A_bullmq_job_added_by_a_lua_script_is_taken_by_the_worker_through_evalsha()
    {
        await using var s = await StartAsync(Instance("api"));
        await using var api = await ConnectAsync(s, Password("api"));
        await using var worker = await ConnectAsync(s, Password("worker"));
        // BullMQ's addJob shape: a new id from bull:<queue>:id, the job hash under bull:<queue>:<id>, the id on the wait
        // list, an event on the stream bull:<queue>:events; loaded once, run by SHA (EVALSHA), keys built inside the script.
        const string addJob = """
            local id = redis.call('INCR', KEYS[1])
            redis.call('HSET', KEYS[4] .. id, 'name', ARGV[1], 'data', ARGV[2], 'timestamp', ARGV[3])
            redis.call('LPUSH', KEYS[2], id)
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'event', 'waiting', 'jobId', id)
            return id
            """;
        var sha = (await api.CallAsync("SCRIPT", "LOAD", addJob)).Text;
        Assert.Matches("^[0-9a-f]{40}$", sha);
        Assert.Equal("1", (await api.CallAsync("EVALSHA", sha, "4", "bull:email:id", "bull:email:wait", "bull:email:events", "bull:email:", "welcome", "{\"to\":42}", "1733570000000")).Text);
        // The worker (another app's connection in the same instance) moves it to active, as BullMQ's moveToActive does.
        Assert.Equal("1", (await worker.CallAsync("LMOVE", "bull:email:wait", "bull:email:active", "RIGHT", "LEFT")).Text);
        Assert.Equal("{\"to\":42}", (await worker.CallAsync("HGET", "bull:email:1", "data")).Text);
        Assert.Equal("1", (await worker.CallAsync("SCRIPT", "EXISTS", sha)).Items![0].Text);
        Assert.Equal("1", (await worker.CallAsync("XLEN", "bull:email:events")).Text);
        // BullMQ reads the eviction policy and lists its workers' connections.
        var policy = await worker.CallAsync("CONFIG", "GET", "maxmemory-policy");
        Assert.Equal("maxmemory-policy noeviction", policy.Text);
        Assert.False((await worker.CallAsync("CLIENT", "LIST")).IsError);
        Assert.False((await worker.CallAsync("CLIENT", "SETNAME", "bull:ZW1haWw=:w:1")).IsError);
        Assert.Contains("redis_version:7.", (await worker.CallAsync("INFO", "server")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_socket_io_adapter_channel_reaches_every_connection_of_one_app()
    {
        await using var s = await StartAsync(Instance("web"));
        // Two instances of web (two connections), each subscribed like @socket.io/redis-adapter: its broadcast channel
        // socket.io#/# and a pattern for rooms, and the request channel.
        await using var first = await ConnectAsync(s, Password("web"));
        await using var second = await ConnectAsync(s, Password("web"));
        await using var publisher = await ConnectAsync(s, Password("web"));
        foreach (var c in new[] { first, second })
        {
            Assert.Equal("subscribe socket.io#/# 1", (await c.CallAsync("SUBSCRIBE", "socket.io#/#")).Text);
            Assert.Equal("psubscribe socket.io#/#* 2", (await c.CallAsync("PSUBSCRIBE", "socket.io#/#*")).Text);
        }
        // Every subscription receives it: two channel subscribers and two pattern subscribers.
        Assert.Equal("4", (await publisher.CallAsync("PUBLISH", "socket.io#/#", "\u0093\u00a5emit")).Text);
        Assert.Equal("2", (await publisher.CallAsync("PUBLISH", "socket.io#/#room-1#", "to-room")).Text);
        foreach (var c in new[] { first, second })
        {
            var messages = new[] { await c.ReadAsync(TimeSpan.FromSeconds(5)), await c.ReadAsync(TimeSpan.FromSeconds(5)), await c.ReadAsync(TimeSpan.FromSeconds(5)) };
            Assert.Contains(messages, m => m.Text == "message socket.io#/# \u0093\u00a5emit");
            Assert.Contains(messages, m => m.Text == "pmessage socket.io#/#* socket.io#/# \u0093\u00a5emit");
            Assert.Contains(messages, m => m.Text == "pmessage socket.io#/#* socket.io#/#room-1# to-room");
        }
        Assert.Equal("socket.io#/# 2", (await publisher.CallAsync("PUBSUB", "NUMSUB", "socket.io#/#")).Text);
    }

    [Fact]
    public async Task Apps_that_share_nothing_are_isolated_and_an_app_cannot_administer_its_instance()
    {
        await using var api = await StartAsync(Instance("api"));
        await using var web = await StartAsync(Instance("web"));
        Assert.Equal("OK", await Reply(api.CliAsync(null, Password("api"), "SET", "rq:queue:default", "x")));
        Assert.Equal("OK", await Reply(web.CliAsync(null, Password("web"), "SET", "sess:abc", "alice")));
        // One's password is not the other's: neither web's nor the worker's password opens the other instance.
        await using (var c = await RespClient.ConnectAsync(api.Port))
            Assert.StartsWith("WRONGPASS", (await c.CallAsync("AUTH", Password("web"))).Text, StringComparison.Ordinal);
        await using (var c = await RespClient.ConnectAsync(web.Port))
        {
            Assert.StartsWith("WRONGPASS", (await c.CallAsync("AUTH", Password("api"))).Text, StringComparison.Ordinal);
            Assert.StartsWith("WRONGPASS", (await c.CallAsync("AUTH", Password("worker"))).Text, StringComparison.Ordinal);
        }
        // FLUSHALL, SCAN and RANDOMKEY act on the app's own instance only.
        Assert.Equal("sess:abc", await Reply(web.CliAsync(null, Password("web"), "RANDOMKEY")));
        Assert.Equal("OK", await Reply(web.CliAsync(null, Password("web"), "FLUSHALL")));
        Assert.Equal("OK", await Reply(web.CliAsync(null, Password("web"), "FLUSHDB")));
        Assert.Equal("x", await Reply(api.CliAsync(null, Password("api"), "GET", "rq:queue:default")));
        var scan = await Reply(api.CliAsync(null, Password("worker"), "SCAN", "0"));
        Assert.Equal("rq:queue:default", scan.Split('\n')[^1]);

        // What would break the instance's persistence, limits or users is the operators' only.
        foreach (var cmd in new[]
                 {
                     new[] { "CONFIG", "SET", "maxmemory", "0" }, ["CONFIG", "SET", "appendonly", "no"], ["SHUTDOWN", "NOSAVE"],
                     ["ACL", "SETUSER", "evil", "on", "nopass", "+@all"], ["ACL", "LIST"], ["MONITOR"], ["BGSAVE"], ["REPLICAOF", "127.0.0.1", "1"],
                     ["CLIENT", "KILL", "TYPE", "normal"], ["MODULE", "LIST"],
                 })
            Assert.StartsWith("NOPERM", await Reply(api.CliAsync(null, Password("api"), cmd)), StringComparison.Ordinal);
        // DEBUG is off in Redis 7 for everyone (enable-debug-command no), which it says before the ACL would.
        Assert.StartsWith("ERR DEBUG command not allowed", await Reply(api.CliAsync(null, Password("api"), "DEBUG", "SLEEP", "0")), StringComparison.Ordinal);
        Assert.Equal("OK", await Reply(api.CliAsync(RedisConfig.AdminUser, Admin, "CONFIG", "SET", "maxmemory", "128mb")));
        var limits = await Reply(api.CliAsync(RedisConfig.AdminUser, Admin, "CONFIG", "GET", "maxmemory*"));
        Assert.Contains("134217728", limits, StringComparison.Ordinal); // the shipped api instance's 128 MB
        var webLimits = await Reply(web.CliAsync(RedisConfig.AdminUser, Admin, "CONFIG", "GET", "maxmemory*"));
        Assert.Contains("67108864", webLimits, StringComparison.Ordinal); // web's default 64 MB
        Assert.Contains("allkeys-lru", webLimits, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_member_is_loaded_in_place_and_connected_clients_stay_connected()
    {
        var alone = Instance("api") with { Members = ["api"] };
        await using var s = await StartAsync(alone);
        await using var api = await ConnectAsync(s, Password("api"));
        await using var subscriber = await ConnectAsync(s, Password("api"));
        Assert.Equal("subscribe socket.io#/# 1", (await subscriber.CallAsync("SUBSCRIBE", "socket.io#/#")).Text);
        await using var blocked = await ConnectAsync(s, Password("api"));
        await blocked.SendAsync("BRPOP", "rq:queue:default", "20");
        Assert.Equal("1", (await api.CallAsync("RPUSH", "rq:queue:low", "kept")).Text);
        var pid = (await api.CallAsync("INFO", "server")).Text.Split('\n').Single(l => l.StartsWith("process_id:", StringComparison.Ordinal)).Trim();
        await using (var before = await RespClient.ConnectAsync(s.Port))
            Assert.StartsWith("WRONGPASS", (await before.CallAsync("AUTH", Password("worker"))).Text, StringComparison.Ordinal);

        // The worker joins api's instance: the ACL file gains its password and ACL LOAD applies it, as the host command does.
        var options = RedisBlueprint.Options(Instance("api"));
        await WriteAclAsync(s, RedisConfig.Acl(options, RedisBlueprint.Members(Instance("api"))).Resolve(n => Passwords[n]));
        Assert.Equal("OK", await Reply(s.CliAsync(RedisConfig.AdminUser, Admin, "ACL", "LOAD")));

        await using var worker = await ConnectAsync(s, Password("worker"));
        Assert.Equal("1", (await worker.CallAsync("LPUSH", "rq:queue:default", "job-after-reload")).Text);
        // The client blocked across the reload gets the job; the subscribed one still receives; the old one still works.
        Assert.Equal("rq:queue:default job-after-reload", (await blocked.ReadAsync(TimeSpan.FromSeconds(10))).Text);
        Assert.Equal("1", (await worker.CallAsync("PUBLISH", "socket.io#/#", "after-reload")).Text);
        Assert.Equal("message socket.io#/# after-reload", (await subscriber.ReadAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal("kept", (await api.CallAsync("LINDEX", "rq:queue:low", "0")).Text);
        Assert.Equal(pid, (await api.CallAsync("INFO", "server")).Text.Split('\n').Single(l => l.StartsWith("process_id:", StringComparison.Ordinal)).Trim());
    }

    private static IEnumerable<string> Writes(int n) => Enumerable.Range(0, n).Select(i => $"SET shop:k:{i} v{i}");

    private static async Task AssertAllPresentAsync(RedisServer s, int n)
    {
        var got = await s.CliBatchAsync(null, Password("api"), Enumerable.Range(0, n).Select(i => $"GET shop:k:{i}"));
        var values = got.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"v{i}"), values);
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_a_restart_with_the_production_settings()
    {
        await using var s = await StartAsync(Instance("api"));
        const int n = 300;
        var acked = await s.CliBatchAsync(null, Password("api"), Writes(n));
        Assert.Equal(n, acked.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l == "OK"));
        await s.StopAsync();
        await s.StartAgainAsync();
        await AssertAllPresentAsync(s, n);
        Assert.True(Directory.Exists(Path.Combine(s.Directory, "appendonlydir")), "the AOF directory exists");
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9_with_appendfsync_always()
    {
        // kill -9 gives Redis no chance to flush: only what was written to the AOF before the reply survives.
        // appendfsync always makes that a guarantee (write + fsync before every reply); with the production
        // everysec, a process kill still loses nothing in practice (the write happens before the reply) but a
        // machine crash may lose up to about a second — see docs/data-tier.md.
        await using var s = await StartAsync(Instance("api"), o => o with { AppendFsync = "always" });
        const int n = 300;
        var acked = await s.CliBatchAsync(null, Password("api"), Writes(n));
        Assert.Equal(n, acked.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l == "OK"));
        await s.KillAsync();
        await s.StartAgainAsync();
        await AssertAllPresentAsync(s, n);
    }
}
