using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Platform.Stacks.Canonical;

/// <summary>
/// The forms in which the Docker provider (Pulumi.Docker 5.1.0, bridging terraform-provider-docker
/// 4.5.0) reads a container's settings back from the engine. Mocks echo inputs, the real provider
/// does not: an input sent in any other form differs from the state on every refresh, and for a
/// ForceNew attribute such as <c>cpus</c> that is a replacement on every <c>pulumi up</c>. Every
/// value the shell sends for these attributes comes from here.
/// </summary>
public static class DockerForms
{
    private const long NanosPerUnit = 1_000_000_000;

    /// <summary>
    /// <c>cpus</c> as the provider reads it back: <c>nanoInt64ToDecimalString(HostConfig.NanoCPUs)</c>
    /// in internal/provider/helpers.go. It prints nine decimals and, when exactly nine '0' characters
    /// appear in that string, one decimal ("1.0", "2.0", "0.1"); otherwise it trims trailing zeros
    /// ("1.5", "2.25", and for 10 CPUs "10."). Docker stores NanoCPUs, so the value is rounded to 1e-9.
    /// </summary>
    public static string Cpus(double cpus)
    {
        if (double.IsNaN(cpus) || double.IsInfinity(cpus) || cpus < 0)
            throw new ArgumentOutOfRangeException(nameof(cpus), cpus, "CPUs must be a finite, non-negative number.");
        return CpusFromNanos((long)Math.Round(cpus * NanosPerUnit, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// Whether the read-back form of <paramref name="cpus"/> means the same limit. It does not for
    /// values such as 0.01 ("0.0": no limit at all) or 0.05 ("0.1"); settings reject those.
    /// </summary>
    public static bool CpusRoundTrip(double cpus)
    {
        if (double.IsNaN(cpus) || double.IsInfinity(cpus) || cpus <= 0 || cpus > 1_000_000) return false;
        var nanos = (long)Math.Round(cpus * NanosPerUnit, MidpointRounding.AwayFromZero);
        return decimal.TryParse(CpusFromNanos(nanos), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var back)
            && back * NanosPerUnit == nanos;
    }

    /// <summary>The provider's own function, ported: NanoCPUs to its decimal string.</summary>
    public static string CpusFromNanos(long nanos)
    {
        if (nanos == 0) return "0";
        var whole = BigInteger.DivRem(nanos, NanosPerUnit, out var fraction);
        var nine = whole.ToString(CultureInfo.InvariantCulture) + "." + fraction.ToString("000000000", CultureInfo.InvariantCulture);
        if (nine.Count(c => c == '0') == 9)
        {
            // big.Rat.FloatString(1): one decimal, rounded half away from zero.
            var tenths = (long)Math.Round(nanos / 100_000_000.0, MidpointRounding.AwayFromZero);
            return (tenths / 10).ToString(CultureInfo.InvariantCulture) + "." + (tenths % 10).ToString(CultureInfo.InvariantCulture);
        }
        return nine.TrimEnd('0');
    }

    /// <summary>
    /// A health-check duration as the provider reads it back: Go's <c>time.Duration.String()</c>
    /// (resourceDockerContainerRead sets <c>interval</c>, <c>timeout</c>, <c>start_period</c> from it):
    /// 0 → "0s", 30 → "30s", 60 → "1m0s", 90 → "1m30s", 3600 → "1h0m0s".
    /// </summary>
    public static string Duration(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        if (seconds == 0) return "0s";
        var sb = new StringBuilder();
        var h = seconds / 3600;
        var m = seconds % 3600 / 60;
        var s = seconds % 60;
        if (h > 0) sb.Append(h.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (h > 0 || m > 0) sb.Append(m.ToString(CultureInfo.InvariantCulture)).Append('m');
        sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }

    /// <summary>
    /// <c>memory_swap</c> (MB): memory plus swap. Left unset, the engine stores twice the memory
    /// limit (Docker's default when only <c>--memory</c> is given) and the provider reads that back
    /// against an unset input, an update on every run. Equal to the memory limit means no swap:
    /// the limit is a hard limit, stored and read back as sent (MemorySwap/1024/1024).
    /// </summary>
    public static int MemorySwapMb(int memoryMb) => memoryMb;

    /// <summary>The addresses a host port is published on: IPv4 and IPv6, so AAAA records reach it.</summary>
    public static readonly ImmutableArray<string> PublishAddresses = ["0.0.0.0", "::"];

    /// <summary>
    /// Port bindings in the order the provider reads them back (flattenContainerPorts in
    /// resource_docker_container_structures.go): by container port and protocol ("80/tcp" before
    /// "443/tcp"), then the engine's binding order, IPv4 before IPv6. <c>ports</c> is a ForceNew
    /// list, so any other order would replace the container.
    /// </summary>
    public static ImmutableArray<PortBinding> Ports(IEnumerable<PortBinding> bindings) =>
        [.. bindings
            .OrderBy(b => b.ContainerPort)
            .ThenBy(b => b.Protocol, StringComparer.Ordinal)
            .ThenBy(b => b.HostIp.Contains(':', StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(b => b.HostIp, StringComparer.Ordinal)];

    /// <summary>Env as Docker holds it ("K=V"), sorted: the provider keeps env as a set, so order carries no meaning.</summary>
    public static ImmutableArray<string> Env(IEnumerable<KeyValuePair<string, string>> env) =>
        [.. env.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)];
}

/// <summary>A host port binding: <paramref name="HostIp"/>:<paramref name="HostPort"/> → <paramref name="ContainerPort"/>/<paramref name="Protocol"/>.</summary>
public sealed record PortBinding(string HostIp, int HostPort, int ContainerPort, string Protocol);
