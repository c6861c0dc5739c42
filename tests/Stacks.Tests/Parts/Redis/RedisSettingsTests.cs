using Platform.Stacks.Data;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Redis;

/// <summary>The Redis part's settings: defaults written once on the record, its validation keyed with the fix, its reader.</summary>
public sealed class RedisSettingsTests
{
    [Fact]
    public void The_schema_rows_and_the_renderer_take_their_defaults_from_the_record()
    {
        var d = new RedisSettings();
        Assert.Equal(d.Image, SettingsSchema.ByName["redisImage"].Default);
        Assert.Equal(d.MaxMemoryMb, SettingsSchema.ByName["redisMaxMemoryMb"].Default);
        Assert.Equal(d.EvictionPolicy, SettingsSchema.ByName["redisEvictionPolicy"].Default);
        var options = new RedisOptions();
        Assert.Equal(d.MaxMemoryMb, options.MaxMemoryMb);
        Assert.Equal(d.EvictionPolicy, options.MaxMemoryPolicy);
        Assert.Equal(new ServiceSettings(d.Image, 2 * d.MaxMemoryMb, 1), d.Service);
    }

    [Fact]
    public void A_stack_without_redis_settings_reads_the_defaults()
    {
        Assert.Equal(new RedisSettings(), TestStacks.Read(TestStacks.Yaml()).Redis);
    }

    [Fact]
    public void The_renderer_accepts_every_policy_the_reader_accepts_and_no_other()
    {
        var members = new[] { new RedisMember("api", "redis-api") };
        foreach (var policy in RedisSettings.EvictionPolicies)
        {
            Assert.Empty(RedisValidation.Errors(new RedisSettings { EvictionPolicy = policy }));
            Assert.Contains($"maxmemory-policy {policy}", RedisConfig.Conf(new RedisOptions { MaxMemoryPolicy = policy }, members).Masked, StringComparison.Ordinal);
        }
        Assert.Throws<ArgumentException>(() => RedisConfig.Conf(new RedisOptions { MaxMemoryPolicy = "lru" }, members));
    }

    [Fact]
    public void Validation_reports_every_problem_under_its_key_with_the_fix()
    {
        var errors = RedisValidation.Errors(new RedisSettings { Image = "redis:latest", MaxMemoryMb = 8, EvictionPolicy = "lru", Cpus = 0 });
        Assert.Equal(["platform:redisImage", "platform:redisMaxMemoryMb", "platform:redisEvictionPolicy", "platform:redisCpus"], errors.Select(e => e.Key));
        Assert.Equal("'lru' is not a Redis eviction policy.", errors[2].Problem);
        Assert.Equal($"Use one of: {string.Join(", ", RedisSettings.EvictionPolicies)}.", errors[2].Fix);
        Assert.Equal("Use a value from 16 to 131072.", errors[1].Fix);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
    }

    [Fact]
    public void The_reader_reports_the_same_errors_as_the_validation_in_the_same_order()
    {
        var yaml = TestStacks.Yaml(extra: "platform:redisImage: redis:latest\nplatform:redisEvictionPolicy: lru");
        var read = TestStacks.Errors(yaml).Where(e => e.Key.StartsWith("platform:redis", StringComparison.Ordinal)).ToList();
        var validated = RedisValidation.Errors(new RedisSettings { Image = "redis:latest", EvictionPolicy = "lru" });
        Assert.Equal(validated, read);
    }

    [Fact]
    public void An_apps_own_policy_is_checked_against_the_same_list()
    {
        var apps = TestStacks.DefaultApps.Replace("redis: true", "redis: { evictionPolicy: lru }", StringComparison.Ordinal);
        var error = Assert.Single(TestStacks.Errors(TestStacks.Yaml(apps)), e => e.Key.EndsWith(".needs.redis.evictionPolicy", StringComparison.Ordinal));
        Assert.Equal($"Use one of: {string.Join(", ", RedisSettings.EvictionPolicies)} (noeviction for a job queue, allkeys-lru for a cache).", error.Fix);
    }
}
