using System.Collections.Immutable;

namespace Platform.Stacks.Blueprint;

/// <summary>What every container gets unless a service says otherwise.</summary>
public static class Conventions
{
    /// <summary>Restart after a crash or a reboot, but not after a deliberate stop.</summary>
    public const string RestartPolicy = "unless-stopped";

    /// <summary>Generated passwords: alphanumeric (safe in URLs and config files), long enough to be unguessable.</summary>
    public const int PasswordLength = 40;

    public static readonly LogSpec Log = new("json-file", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
    {
        ["max-size"] = "100m",
        ["max-file"] = "3",
    }));

    public static HealthCheckSpec Health(ImmutableArray<string> test, int startPeriodSeconds = 30) =>
        new(test, IntervalSeconds: 10, TimeoutSeconds: HealthTimeoutSeconds, Retries: 3, StartPeriodSeconds: startPeriodSeconds);

    /// <summary>Seconds one health check may take.</summary>
    public const int HealthTimeoutSeconds = 5;

    /// <summary>An app's HTTP health check: the platform's probe (<see cref="HealthProbe"/>), so it works in images without a shell or an HTTP client.</summary>
    public static ImmutableArray<string> HttpCheck(int port, string path) => HealthProbe.HttpCheck(port, path);

    public static ImmutableSortedDictionary<string, string> Labels(IEnumerable<KeyValuePair<string, string>> labels) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, labels);
}
