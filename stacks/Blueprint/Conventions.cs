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
        new(test, IntervalSeconds: 10, TimeoutSeconds: 5, Retries: 3, StartPeriodSeconds: startPeriodSeconds);

    /// <summary>An HTTP health check that works with whichever of curl or wget the image has.</summary>
    public static ImmutableArray<string> HttpCheck(int port, string path) =>
        ["CMD-SHELL", $"curl -fsS -o /dev/null http://127.0.0.1:{port}{path} || wget -q -O /dev/null http://127.0.0.1:{port}{path}"];

    public static ImmutableSortedDictionary<string, string> Labels(IEnumerable<KeyValuePair<string, string>> labels) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, labels);
}
