using System.Globalization;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// Identities of an app's resources. All start with <c>app-&lt;name&gt;</c>, which no platform name does, and
/// join the app's name to its own parts with a dot, which neither app nor volume nor job names may hold, so two
/// entries never meet (app <c>a-b</c>'s volume <c>c</c> is <c>app-a-b.c</c>, app <c>a</c>'s <c>b-c</c> is <c>app-a.b-c</c>).
/// </summary>
public static class AppNames
{
    public const string JobsDirectory = "/etc/platform/jobs";

    public static string Network(string app) => $"app-{app}";

    public static string DataNetwork(string app) => $"app-{app}.data";

    public static string Volume(string app, string volume) => $"app-{app}.{volume}";

    public static string Instance(string app, int i) => $"app-{app}.{i.ToString(CultureInfo.InvariantCulture)}";

    public static string Release(string app) => $"app-{app}.release";

    public static string Job(string app, string job) => $"app-{app}.job.{job}";

    public static string JobUnitPrefix(string app) => $"platform-app-{app}.job.";

    public static string JobUnit(string app, string job) => JobUnitPrefix(app) + job;

    public static string JobPushToken(string app, string job) => $"{JobMonitor(app, job)}-push-token";

    public static string AttachCommand(string app) => $"app-{app}.attach";

    public static string JobsCommand(string app) => $"app-{app}.jobs";

    /// <summary>Monitor ids allow only letters, digits and hyphens (64 at most): readable, with a hash of the pair so none meet.</summary>
    public static string JobMonitor(string app, string job)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{app}/{job}")))[..8];
        var readable = $"job-{app}-{job}";
        return $"{(readable.Length > 54 ? readable[..54].TrimEnd('-') : readable)}-{hash}";
    }
}
