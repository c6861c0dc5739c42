using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Redis;

/// <summary>
/// The stack's Redis defaults: every app's own instance (<c>needs.redis</c>) runs this image and takes this maxmemory
/// and policy unless it sets its own. Every member has a default, which the schema's rows (<c>redisImage</c>,
/// <c>redisMaxMemoryMb</c>, <c>redisEvictionPolicy</c>) and <see cref="Data.RedisOptions"/> take from here;
/// <see cref="RedisValidation.Errors"/> reports what is wrong with a value.
/// </summary>
public sealed record RedisSettings
{
    /// <summary>The pinned image of every instance. Default: <c>redis:7.4.2-alpine</c>.</summary>
    public string Image { get; init; } = "redis:7.4.2-alpine";

    /// <summary>An instance's maxmemory in MB, from <see cref="MinMaxMemoryMb"/> to <see cref="MaxMaxMemoryMb"/>; its container's limit is twice it (copy-on-write of snapshots). Default: 64.</summary>
    public int MaxMemoryMb { get; init; } = 64;

    /// <summary>An instance's maxmemory-policy, one of <see cref="EvictionPolicies"/> (a job queue wants noeviction). Default: allkeys-lru.</summary>
    public string EvictionPolicy { get; init; } = "allkeys-lru";

    /// <summary>An instance's CPU limit. Default: 1.</summary>
    public double Cpus { get; init; } = 1;

    /// <summary>The container an instance of the default size runs as: the image, twice the maxmemory, the CPU limit.</summary>
    public ServiceSettings Service => new(Image, MaxMemoryMb * 2, Cpus);

    /// <summary>The defaults, for the schema's rows and the renderer's options.</summary>
    public static readonly RedisSettings Defaults = new();

    /// <summary>The smallest maxmemory an instance may have, in MB.</summary>
    public const int MinMaxMemoryMb = 16;

    /// <summary>The largest maxmemory an instance may have, in MB.</summary>
    public const int MaxMaxMemoryMb = 131072;

    /// <summary>Redis's maxmemory-policy values.</summary>
    public static readonly ImmutableArray<string> EvictionPolicies =
        ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"];
}

/// <summary>An app's own Redis instance (<c>needs.redis</c>); null members take the stack's defaults.</summary>
/// <param name="MaxMemoryMb">maxmemory of the instance. Default: <c>redisMaxMemoryMb</c> (<see cref="RedisSettings.MaxMemoryMb"/>).</param>
/// <param name="EvictionPolicy">maxmemory-policy of the instance (a queue wants noeviction). Default: <c>redisEvictionPolicy</c>.</param>
public sealed record RedisNeed(int? MaxMemoryMb = null, string? EvictionPolicy = null);
