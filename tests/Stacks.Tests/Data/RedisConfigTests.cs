using Platform.Stacks.Data;
using Platform.Stacks.Model;

namespace Platform.Stacks.Tests.Data;

public sealed class RedisConfigTests
{
    private static readonly RedisMember Api = new("api", "app.api.redis");
    private static readonly RedisMember Worker = new("worker", "app.worker.redis");

    private static string[] Lines(SecretText t) => t.Masked.Split('\n');

    [Fact]
    public void Defaults_follow_the_platform_plan_for_a_small_cache()
    {
        var lines = Lines(RedisConfig.Conf(new RedisOptions(), [Api]));
        foreach (var expected in new[]
        {
            "appendonly yes", "appendfsync everysec", "maxmemory 64mb", "maxmemory-policy allkeys-lru", "port 6379",
            "bind * -::*", "protected-mode yes", "dir /data", "save 900 1 300 100 60 10000",
            "user default on resetpass #<sha256:app.api.redis> resetkeys ~* resetchannels &* +@all -@admin +config|get +client|list",
        })
            Assert.Contains(expected, lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("requirepass", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("nopass", StringComparison.Ordinal) && !l.StartsWith($"user {RedisConfig.HealthUser} ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith($"user {RedisConfig.AdminUser}", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_members_password_is_the_default_users_and_appears_only_as_a_sha256_hash()
    {
        var conf = RedisConfig.Conf(new RedisOptions { AdminPasswordSecret = "redis-admin" }, [Worker, Api]);
        Assert.Equal(["app.api.redis", "app.worker.redis", "redis-admin"], conf.Secrets.ToArray());
        var values = new Dictionary<string, string> { ["redis-admin"] = "admin-secret-value", ["app.api.redis"] = "api-secret-value", ["app.worker.redis"] = "worker-secret-value" };
        var resolved = conf.Resolve(n => values[n]);
        foreach (var v in values.Values)
        {
            Assert.DoesNotContain(v, resolved, StringComparison.Ordinal);
            Assert.DoesNotContain(v, conf.Masked, StringComparison.Ordinal);
        }
        string Hash(string v) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(v)));
        Assert.Contains($"user default on resetpass #{Hash("api-secret-value")} #{Hash("worker-secret-value")} resetkeys ~* resetchannels &* {RedisConfig.AppCommandRules}", resolved.Split('\n'));
        Assert.Contains($"user {RedisConfig.AdminUser} on resetpass #{Hash("admin-secret-value")} resetkeys ~* resetchannels &* +@all", resolved.Split('\n'));
        // Members are sorted: the file is stable whatever the input order.
        Assert.Equal(conf, RedisConfig.Conf(new RedisOptions { AdminPasswordSecret = "redis-admin" }, [Api, Worker]));
    }

    [Fact]
    public void With_an_acl_file_the_conf_holds_no_secret()
    {
        var options = new RedisOptions { AdminPasswordSecret = "redis-admin", AclFile = "/etc/redis-acl/users.acl" };
        var conf = RedisConfig.Conf(options, [Api]);
        Assert.False(conf.IsSecret);
        Assert.Contains("aclfile /etc/redis-acl/users.acl", Lines(conf));
        Assert.DoesNotContain(Lines(conf), l => l.StartsWith("user ", StringComparison.Ordinal));
        Assert.Equal(3, Lines(RedisConfig.Acl(options, [Api])).Count(l => l.StartsWith("user ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Options_are_rendered_and_checked()
    {
        var lines = Lines(RedisConfig.Conf(new RedisOptions { MaxMemoryMb = 256, MaxMemoryPolicy = "noeviction", AppendFsync = "always", Port = 20123 }, [Api]));
        Assert.Contains("maxmemory 256mb", lines);
        Assert.Contains("maxmemory-policy noeviction", lines);
        Assert.Contains("appendfsync always", lines);
        Assert.Contains("port 20123", lines);
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { MaxMemoryPolicy = "lru" }, [Api]));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { AppendFsync = "sometimes" }, [Api]));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { Dir = "/data\nuser evil on nopass ~* +@all" }, [Api]));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), []));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), [Api, Api]));
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions(), [new RedisMember("api", " ")]));
    }

    [Fact]
    public void Health_check_pings_as_a_user_that_may_only_ping_and_needs_no_secret()
    {
        Assert.Equal(["redis-cli", "--no-auth-warning", "--user", "platform_health", "--pass", "-", "-p", "6379", "ping"], RedisConfig.HealthCommand(new RedisOptions()).ToArray());
        Assert.Equal(["CMD-SHELL", "redis-cli --no-auth-warning --user platform_health --pass - -p 6379 ping | grep -q PONG"], RedisConfig.HealthCheckTest(new RedisOptions()).ToArray());
        Assert.Contains("user platform_health on nopass resetkeys resetchannels -@all +ping", Lines(RedisConfig.Conf(new RedisOptions(), [Api])));
    }
}
