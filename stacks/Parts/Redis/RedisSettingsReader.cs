using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Redis;

/// <summary>Reads the stack's Redis defaults (<c>redisImage</c>, <c>redisMaxMemoryMb</c>, <c>redisEvictionPolicy</c>) and an app's <c>needs.redis</c>.</summary>
internal static class RedisSettingsReader
{
    /// <summary>The keys of an app's <c>needs.redis</c> mapping.</summary>
    public static System.Collections.Immutable.ImmutableArray<string> RedisKeys => Apps.AppSchema.Redis.Keys;

    public static RedisSettings Read(StackValues v)
    {
        var image = v.Str("redisImage");
        v.R.Report(RedisValidation.ImageError(image, StackValues.Key("redisImage")));
        var maxMemory = v.Int("redisMaxMemoryMb");
        var eviction = v.Str("redisEvictionPolicy");
        v.R.Report(RedisValidation.PolicyError(eviction, StackValues.Key("redisEvictionPolicy")));
        return new RedisSettings { Image = image, MaxMemoryMb = maxMemory, EvictionPolicy = eviction };
    }

    /// <summary>
    /// <c>needs.redis</c> at <paramref name="needsKey"/>: <c>true</c> for an instance of the stack's defaults, or a mapping
    /// that sets its own maxmemory and policy; null for <c>false</c>.
    /// </summary>
    public static RedisNeed? ReadNeed(NodeReader r, YamlNode node, string needsKey)
    {
        if (node is YamlScalarNode)
            return r.Bool(node, $"{needsKey}.redis", false) ? new RedisNeed() : null;
        var rm = r.Mapping(node, $"{needsKey}.redis", RedisKeys);
        var max = r.OptionalInt(rm, "maxMemoryMb", $"{needsKey}.redis", RedisSettings.Defaults.MaxMemoryMb, RedisSettings.MinMaxMemoryMb, RedisSettings.MaxMaxMemoryMb);
        var policy = r.OptionalString(rm, "evictionPolicy", $"{needsKey}.redis");
        if (policy is not null)
            r.Report(RedisValidation.PolicyError(policy, $"{needsKey}.redis.evictionPolicy", "(noeviction for a job queue, allkeys-lru for a cache)"));
        return new RedisNeed(max, policy);
    }
}
