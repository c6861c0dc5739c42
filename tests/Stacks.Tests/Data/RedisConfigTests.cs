using Platform.Stacks.Data;
using Platform.Stacks.Model;

namespace Platform.Stacks.Tests.Data;

public sealed class RedisConfigTests
{
    private static readonly RedisAppUser Api = new("api", "redis-api");
    private static readonly RedisAppUser Web = new("web-shop", "redis-web-shop");

    private static string[] Lines(SecretText t) => t.Masked.Split('\n');

    [Fact]
    public void Defaults_follow_the_platform_plan()
    {
        var lines = Lines(RedisConfig.Conf(new RedisOptions(), [Api]));
        foreach (var expected in new[]
        {
            "appendonly yes", "appendfsync everysec", "maxmemory 512mb", "maxmemory-policy allkeys-lru", "port 6379",
            "bind * -::*", "protected-mode no", "dir /data", "save 900 1 300 100 60 10000",
            "user default on nopass resetkeys resetchannels -@all +ping",
            "user api on #<sha256:redis-api> resetkeys ~api:* resetchannels &api:* +@all -@admin -@dangerous",
        })
            Assert.Contains(expected, lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("requirepass", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith($"user {RedisConfig.AdminUser}", StringComparison.Ordinal));
    }

    [Fact]
    public void Passwords_appear_only_as_sha256_hashes()
    {
        var conf = RedisConfig.Conf(new RedisOptions { AdminPasswordSecret = "redis-admin" }, [Web, Api]);
        Assert.Equal(["redis-admin", "redis-api", "redis-web-shop"], conf.Secrets.ToArray());
        var values = new Dictionary<string, string> { ["redis-admin"] = "admin-secret-value", ["redis-api"] = "api-secret-value", ["redis-web-shop"] = "web-secret-value" };
        var resolved = conf.Resolve(n => values[n]);
        foreach (var v in values.Values)
        {
            Assert.DoesNotContain(v, resolved, StringComparison.Ordinal);
            Assert.DoesNotContain(v, conf.Masked, StringComparison.Ordinal);
        }
        // sha256("api-secret-value")
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("api-secret-value"u8));
        Assert.Contains($"user api on #{hash} resetkeys ~api:* resetchannels &api:* +@all -@admin -@dangerous", resolved.Split('\n'));
        Assert.Contains($"user {RedisConfig.AdminUser} on #<sha256:redis-admin> ~* &* +@all", Lines(conf));
        // Users are sorted: the file is stable whatever the input order.
        Assert.Equal(conf, RedisConfig.Conf(new RedisOptions { AdminPasswordSecret = "redis-admin" }, [Api, Web]));
    }

    [Fact]
    public void Options_are_rendered_and_checked()
    {
        var lines = Lines(RedisConfig.Conf(new RedisOptions { MaxMemoryMb = 256, MaxMemoryPolicy = "volatile-lru", AppendFsync = "always", Port = 6380 }, []));
        Assert.Contains("maxmemory 256mb", lines);
        Assert.Contains("maxmemory-policy volatile-lru", lines);
        Assert.Contains("appendfsync always", lines);
        Assert.Contains("port 6380", lines);
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { MaxMemoryPolicy = "lru" }, []));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { AppendFsync = "sometimes" }, []));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { Dir = "/data\nuser evil on nopass ~* +@all" }, []));
    }

    [Theory]
    [InlineData("default")]
    [InlineData(RedisConfig.AdminUser)]
    [InlineData("Api")]
    [InlineData("api on nopass ~* +@all")]
    [InlineData("api\nuser x")]
    [InlineData("")]
    public void Bad_user_names_are_refused(string user) =>
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), [new RedisAppUser(user, "s")]));

    [Fact]
    public void Prefixes_must_not_overlap_or_hold_glob_characters()
    {
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), [new RedisAppUser("api", "a") { KeyPrefix = "shop" }, new RedisAppUser("shop", "b")]));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), [new RedisAppUser("api", "a") { KeyPrefix = "*" }]));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), [Api, Api]));
        // "api:" and "api-v2:" do not overlap.
        RedisConfig.Conf(new RedisOptions(), [Api, new RedisAppUser("api-v2", "b")]);
    }

    [Fact]
    public void Health_check_is_redis_cli_ping()
    {
        Assert.Equal(["redis-cli", "-p", "6379", "ping"], RedisConfig.HealthCommand(new RedisOptions()).ToArray());
        Assert.Equal(["CMD-SHELL", "redis-cli -p 6379 ping | grep -q PONG"], RedisConfig.HealthCheckTest(new RedisOptions()).ToArray());
    }
}
