using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Integration;

/// <summary>The rendered redis.conf and its ACL users, against a real redis-server (client: redis-cli).</summary>
[Trait("Category", "Integration")]
public sealed class RedisIntegrationTests
{
    private static readonly RedisAppUser Shop = new("shop", "redis-shop");
    private static readonly RedisAppUser Blog = new("blog-api", "redis-blog-api");

    private sealed class Running(RedisServer server, Dictionary<string, string> secrets) : IAsyncDisposable
    {
        public RedisServer Server { get; } = server;
        public string Password(RedisAppUser u) => secrets[u.PasswordSecret];
        public string AdminPassword => secrets["redis-admin"];
        public string Conf { get; init; } = "";
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<Running> StartAsync(Func<RedisOptions, RedisOptions>? configure = null)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Shop.PasswordSecret] = Secrets.NewPassword(),
            [Blog.PasswordSecret] = Secrets.NewPassword(),
            ["redis-admin"] = Secrets.NewPassword(),
        };
        var server = await RedisServer.CreateAsync();
        try
        {
            var options = new RedisOptions { Bind = "127.0.0.1", Port = server.Port, Dir = server.Directory, AdminPasswordSecret = "redis-admin" };
            options = configure?.Invoke(options) ?? options;
            var conf = RedisConfig.Conf(options, [Shop, Blog]).Resolve(n => secrets[n]);
            await server.StartAsync(conf);
            return new Running(server, secrets) { Conf = conf };
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> Reply(Task<ProcResult> run)
    {
        var r = await run;
        Assert.True(r.Ok, r.ToString());
        return r.Stdout.Trim();
    }

    [Fact]
    public async Task Unauthenticated_clients_may_only_ping_and_the_health_check_works()
    {
        await using var r = await StartAsync();
        var s = r.Server;
        Assert.DoesNotContain(r.Password(Shop), r.Conf, StringComparison.Ordinal);
        Assert.Equal("PONG", await Reply(s.CliAsync(null, null, "PING")));
        foreach (var cmd in new[] { new[] { "GET", "shop:x" }, ["SET", "shop:x", "1"], ["KEYS", "*"], ["CONFIG", "GET", "*"], ["INFO"], ["FLUSHALL"], ["ACL", "LIST"], ["SCAN", "0"], ["PUBLISH", "shop:c", "m"] })
            Assert.StartsWith("NOPERM", await Reply(s.CliAsync(null, null, cmd)), StringComparison.Ordinal);
        // A wrong password: AUTH fails (redis-cli reports it and carries on as the default user, who still may not read).
        foreach (var wrong in new[] { "not-the-password", r.Password(Blog) })
        {
            var failed = await s.CliAsync("shop", wrong, "GET", "shop:x");
            Assert.Contains("WRONGPASS", failed.Stderr + failed.Stdout, StringComparison.Ordinal);
            Assert.StartsWith("NOPERM", failed.Stdout.Trim(), StringComparison.Ordinal);
        }

        // The health check, exactly as rendered, against this server (the rendered port is this server's).
        var test = RedisConfig.HealthCheckTest(new RedisOptions { Port = s.Port });
        Assert.Equal("CMD-SHELL", test[0]);
        Assert.True((await Proc.RunAsync("sh", ["-c", test[1]])).Ok);
        var plain = RedisConfig.HealthCommand(new RedisOptions { Port = s.Port });
        Assert.Equal("PONG", await Reply(Proc.RunAsync(Proc.Require(plain[0]), plain.Skip(1))));
        await s.StopAsync();
        Assert.False((await Proc.RunAsync("sh", ["-c", test[1]])).Ok);
    }

    [Fact]
    public async Task With_an_acl_file_users_change_in_place_with_acl_load()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Shop.PasswordSecret] = Secrets.NewPassword(),
            [Blog.PasswordSecret] = Secrets.NewPassword(),
            ["redis-admin"] = Secrets.NewPassword(),
        };
        await using var s = await RedisServer.CreateAsync();
        var aclPath = Path.Combine(s.Directory, "users.acl");
        var options = new RedisOptions { Bind = "127.0.0.1", Port = s.Port, Dir = s.Directory, AdminPasswordSecret = "redis-admin", AclFile = aclPath };
        var owner = Proc.IsRoot ? RedisServer.OsUser : null;
        await ServerDirectory.WriteFileAsync(aclPath, RedisConfig.Acl(options, [Shop]).Resolve(n => secrets[n]), owner);
        var conf = RedisConfig.Conf(options, [Shop]).Resolve(n => secrets[n]);
        Assert.DoesNotContain("user shop", conf, StringComparison.Ordinal);
        Assert.False(RedisConfig.Conf(options, [Shop]).IsSecret);
        await s.StartAsync(conf);

        Assert.Equal("OK", await Reply(s.CliAsync("shop", secrets[Shop.PasswordSecret], "SET", "shop:kept", "1")));
        var before = await s.CliAsync("blog-api", secrets[Blog.PasswordSecret], "SET", "blog-api:x", "1");
        Assert.Contains("WRONGPASS", before.Stderr + before.Stdout, StringComparison.Ordinal);
        var pid = await Reply(s.CliAsync(RedisConfig.AdminUser, secrets["redis-admin"], "INFO", "server"));

        // A new app: the ACL file gains its user, and ACL LOAD applies it without a restart.
        await ServerDirectory.WriteFileAsync(aclPath, RedisConfig.Acl(options, [Shop, Blog]).Resolve(n => secrets[n]), owner);
        Assert.Equal("OK", await Reply(s.CliAsync(RedisConfig.AdminUser, secrets["redis-admin"], "ACL", "LOAD")));
        Assert.Equal("OK", await Reply(s.CliAsync("blog-api", secrets[Blog.PasswordSecret], "SET", "blog-api:x", "1")));
        Assert.Equal("1", await Reply(s.CliAsync("shop", secrets[Shop.PasswordSecret], "GET", "shop:kept")));
        Assert.StartsWith("NOPERM", await Reply(s.CliAsync("blog-api", secrets[Blog.PasswordSecret], "GET", "shop:kept")), StringComparison.Ordinal);
        var processId = (string info) => info.Split('\n').Single(l => l.StartsWith("process_id:", StringComparison.Ordinal)).Trim();
        Assert.Equal(processId(pid), processId(await Reply(s.CliAsync(RedisConfig.AdminUser, secrets["redis-admin"], "INFO", "server"))));
    }

    [Fact]
    public async Task Each_app_reaches_only_its_own_key_prefix_and_channels()
    {
        await using var r = await StartAsync();
        var s = r.Server;
        var shop = r.Password(Shop);
        var blog = r.Password(Blog);
        Assert.Equal("OK", await Reply(s.CliAsync("shop", shop, "SET", "shop:cart:1", "3 items")));
        Assert.Equal("OK", await Reply(s.CliAsync("blog-api", blog, "SET", "blog-api:post:1", "hello")));
        Assert.Equal("3 items", await Reply(s.CliAsync("shop", shop, "GET", "shop:cart:1")));
        Assert.StartsWith("NOPERM", await Reply(s.CliAsync("shop", shop, "GET", "blog-api:post:1")), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await Reply(s.CliAsync("blog-api", blog, "GET", "shop:cart:1")), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await Reply(s.CliAsync("shop", shop, "SET", "unprefixed", "x")), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await Reply(s.CliAsync("shop", shop, "MGET", "shop:cart:1", "blog-api:post:1")), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await Reply(s.CliAsync("shop", shop, "PUBLISH", "blog-api:events", "x")), StringComparison.Ordinal);
        Assert.Equal("0", await Reply(s.CliAsync("shop", shop, "PUBLISH", "shop:events", "x")));
        foreach (var cmd in new[] { new[] { "FLUSHALL" }, ["FLUSHDB"], ["CONFIG", "SET", "appendonly", "no"], ["KEYS", "*"], ["ACL", "LIST"], ["SHUTDOWN"], ["MONITOR"], ["BGSAVE"], ["SAVE"] })
            Assert.StartsWith("NOPERM", await Reply(s.CliAsync("shop", shop, cmd)), StringComparison.Ordinal);
        // The operators' user can do anything.
        Assert.Equal("hello", await Reply(s.CliAsync(RedisConfig.AdminUser, r.AdminPassword, "GET", "blog-api:post:1")));
        Assert.Contains("appendonly", await Reply(s.CliAsync(RedisConfig.AdminUser, r.AdminPassword, "CONFIG", "GET", "appendonly")), StringComparison.Ordinal);
        var settings = await Reply(s.CliAsync(RedisConfig.AdminUser, r.AdminPassword, "CONFIG", "GET", "maxmemory*"));
        Assert.Contains("536870912", settings, StringComparison.Ordinal);
        Assert.Contains("allkeys-lru", settings, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Writes(int n) => Enumerable.Range(0, n).Select(i => $"SET shop:k:{i} v{i}");

    private static async Task AssertAllPresentAsync(Running r, int n)
    {
        var got = await r.Server.CliBatchAsync("shop", r.Password(Shop), Enumerable.Range(0, n).Select(i => $"GET shop:k:{i}"));
        var values = got.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"v{i}"), values);
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_a_restart_with_the_production_settings()
    {
        await using var r = await StartAsync();
        const int n = 300;
        var acked = await r.Server.CliBatchAsync("shop", r.Password(Shop), Writes(n));
        Assert.Equal(n, acked.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l == "OK"));
        await r.Server.StopAsync();
        await r.Server.StartAgainAsync();
        await AssertAllPresentAsync(r, n);
        Assert.True(Directory.Exists(Path.Combine(r.Server.Directory, "appendonlydir")), "the AOF directory exists");
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9_with_appendfsync_always()
    {
        // kill -9 gives Redis no chance to flush: only what was written to the AOF before the reply survives.
        // appendfsync always makes that a guarantee (write + fsync before every reply); with the production
        // everysec, a process kill still loses nothing in practice (the write happens before the reply) but a
        // machine crash may lose up to about a second — see docs/data-tier.md.
        await using var r = await StartAsync(o => o with { AppendFsync = "always" });
        const int n = 300;
        var acked = await r.Server.CliBatchAsync("shop", r.Password(Shop), Writes(n));
        Assert.Equal(n, acked.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l == "OK"));
        await r.Server.KillAsync();
        await r.Server.StartAgainAsync();
        await AssertAllPresentAsync(r, n);
    }
}
