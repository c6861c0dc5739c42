using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Operations;

/// <summary>What an Uptime Kuma monitor checks.</summary>
public enum MonitorKind
{
    /// <summary>HTTP(S) GET; up when the status code is accepted.</summary>
    Http,

    /// <summary>HTTP(S) GET; up when the status is accepted and the body contains <see cref="MonitorSpec.Keyword"/>.</summary>
    Keyword,

    /// <summary>TCP connect to host:port (Uptime Kuma's "port" type).</summary>
    Tcp,

    /// <summary>Heartbeat: up while pushes arrive at least every interval (backup jobs push after each success).</summary>
    Push,
}

/// <summary>
/// One Uptime Kuma monitor, declared as code (DESIGN.md: 60 s interval, 30 s retry interval, 3 retries).
/// </summary>
/// <param name="Id">Stable id (AutoKuma id = file name): lower-case letters, digits, hyphens.</param>
/// <param name="Name">Display name in Uptime Kuma.</param>
/// <param name="Kind">What is checked.</param>
/// <param name="Target">URL for http/keyword, <c>host:port</c> for tcp, empty for push.</param>
/// <param name="IntervalSeconds">Check interval; for push, the longest allowed time between pushes.</param>
/// <param name="RetryIntervalSeconds">Interval between retries once a check failed.</param>
/// <param name="MaxRetries">Failed retries before the monitor goes down and notifies.</param>
/// <param name="AcceptedStatusCodes">Accepted HTTP status codes (Uptime Kuma ranges such as <c>200-299</c>).</param>
/// <param name="Keyword">Body text a keyword monitor requires.</param>
/// <param name="PushTokenSecret">For push: the generated secret holding the monitor's 32-character push token.</param>
/// <param name="Notification">Id of the <see cref="NotificationTarget"/> alerted when it goes down; null for none.</param>
public sealed record MonitorSpec(
    string Id,
    string Name,
    MonitorKind Kind,
    string Target,
    int IntervalSeconds,
    int RetryIntervalSeconds,
    int MaxRetries,
    ImmutableArray<string> AcceptedStatusCodes,
    string? Keyword,
    string? PushTokenSecret,
    string? Notification)
{
    public const int DefaultIntervalSeconds = 60;
    public const int DefaultRetryIntervalSeconds = 30;
    public const int DefaultMaxRetries = 3;

    /// <summary>The longest interval Uptime Kuma accepts (its MAX_INTERVAL_SECOND, 24 days: a JavaScript timer's limit).</summary>
    public const int MaxIntervalSeconds = 2_073_600;
    public static readonly ImmutableArray<string> DefaultStatusCodes = ["200-299"];

    public static MonitorSpec Http(string id, string name, string url, string? notification, string? keyword = null) =>
        new(id, name, keyword is null ? MonitorKind.Http : MonitorKind.Keyword, url, DefaultIntervalSeconds, DefaultRetryIntervalSeconds,
            DefaultMaxRetries, DefaultStatusCodes, keyword, null, notification);

    public static MonitorSpec Tcp(string id, string name, string host, int port, string? notification) =>
        new(id, name, MonitorKind.Tcp, $"{host}:{port.ToString(CultureInfo.InvariantCulture)}", DefaultIntervalSeconds,
            DefaultRetryIntervalSeconds, DefaultMaxRetries, DefaultStatusCodes, null, null, notification);

    public static MonitorSpec Push(string id, string name, int intervalSeconds, string pushTokenSecret, string? notification) =>
        new(id, name, MonitorKind.Push, "", intervalSeconds, DefaultRetryIntervalSeconds, DefaultMaxRetries, DefaultStatusCodes,
            null, pushTokenSecret, notification);

    /// <summary>For tcp: the host part of <see cref="Target"/>.</summary>
    public string TcpHost => Target[..Target.LastIndexOf(':')];

    /// <summary>For tcp: the port part of <see cref="Target"/>.</summary>
    public int TcpPort => int.Parse(Target[(Target.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
}

/// <summary>Where Uptime Kuma sends alerts. Its credentials are secrets, by name.</summary>
public abstract record NotificationTarget(string Id, string Name);

/// <summary>A webhook (Slack/Teams/Mattermost-compatible or any JSON endpoint); the URL itself is the secret.</summary>
public sealed record WebhookNotification(string Id, string Name, string UrlSecret) : NotificationTarget(Id, Name);

/// <summary>Email through an SMTP relay; only the SMTP password is secret.</summary>
public sealed record EmailNotification(
    string Id, string Name, string SmtpHost, int SmtpPort, bool SmtpTls, string SmtpUsername, string SmtpPasswordSecret, string From, string To)
    : NotificationTarget(Id, Name);

/// <summary>A public host whose health path gets an HTTP monitor on <c>https://host/path</c>.</summary>
public sealed record PublicHost(string Name, string Host, string HealthPath, string? Keyword = null)
{
    /// <summary>The monitor's id; default <c>http-&lt;slug of the name&gt;</c> (the platform's own hosts).</summary>
    public string? Id { get; init; }
    /// <summary>
    /// Status codes that mean "up". Default: <see cref="MonitorSpec.DefaultStatusCodes"/>. A host closed to strangers
    /// (allowlist, basic auth) is up when it refuses the monitor: that proves TLS, the route and the guard.
    /// </summary>
    public ImmutableArray<string> AcceptedStatusCodes { get; init; } = MonitorSpec.DefaultStatusCodes;
}

/// <summary>A data service reachable on the internal network, monitored by TCP connect.</summary>
public sealed record DataService(string Name, string Host, int Port);

/// <summary>Everything that gets a monitor.</summary>
/// <param name="PublicHosts">Apps and platform UIs reachable from the internet.</param>
/// <param name="DataServices">Internal TCP services; <see cref="Monitors.DefaultDataServices"/> for the platform's own.</param>
/// <param name="MinioHealthUrl">MinIO's liveness URL on the internal network; null when MinIO is not deployed.</param>
/// <param name="Backups">Backup jobs: each gets its heartbeat (push) monitor.</param>
/// <param name="Notification">Where alerts go; null for none (the plan should warn).</param>
public sealed record MonitoringInput(
    ImmutableArray<PublicHost> PublicHosts,
    ImmutableArray<DataService> DataServices,
    string? MinioHealthUrl,
    ImmutableArray<BackupJob> Backups,
    NotificationTarget? Notification);

/// <summary>Turns what the platform runs into monitors (DESIGN.md intervals).</summary>
public static partial class Monitors
{
    /// <summary>postgres:5432, pgbouncer:6432 (the platform's container names on the data network); each app's Redis instance adds its own.</summary>
    public static readonly ImmutableArray<DataService> DefaultDataServices =
    [
        new("PostgreSQL", "postgres", 5432),
        new("PgBouncer", "pgbouncer", 6432),
    ];

    public const string DefaultMinioHealthUrl = "http://minio:9000/minio/health/live";

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex IdRegex();

    public static bool IsValidId(string id) => IdRegex().IsMatch(id);

    /// <summary>Every monitor, sorted by id; ids are unique.</summary>
    public static ImmutableArray<MonitorSpec> For(MonitoringInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var notify = input.Notification?.Id;
        var specs = new List<MonitorSpec>();
        foreach (var h in input.PublicHosts.NullToEmpty())
        {
            var path = h.HealthPath.StartsWith('/') ? h.HealthPath : "/" + h.HealthPath;
            specs.Add(MonitorSpec.Http(h.Id ?? $"http-{Slug(h.Name)}", $"{h.Name} ({h.Host})", $"https://{h.Host}{path}", notify, h.Keyword) with
            {
                AcceptedStatusCodes = h.AcceptedStatusCodes.IsDefaultOrEmpty ? MonitorSpec.DefaultStatusCodes : h.AcceptedStatusCodes,
            });
        }
        foreach (var d in input.DataServices.NullToEmpty())
            specs.Add(MonitorSpec.Tcp($"tcp-{Slug(d.Name)}", $"{d.Name} TCP {d.Host}:{d.Port.ToString(CultureInfo.InvariantCulture)}", d.Host, d.Port, notify));
        if (input.MinioHealthUrl is { } minio)
            specs.Add(MonitorSpec.Http("http-minio-live", "MinIO liveness", minio, notify));
        foreach (var job in input.Backups.NullToEmpty())
            specs.Add(job.Heartbeat with { Notification = notify });

        var duplicate = specs.GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Two monitors would have the id '{duplicate.Key}'; give the hosts or services distinct names.", nameof(input));
        foreach (var s in specs.Where(s => !IsValidId(s.Id)))
            throw new ArgumentException($"Monitor id '{s.Id}' is not valid (lower-case letters, digits, hyphens).", nameof(input));
        return [.. specs.OrderBy(s => s.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// An app route's monitor id: <c>http-app-&lt;app&gt;-r&lt;route index&gt;</c>. The app namespace keeps it apart
    /// from every platform monitor (none starts with <c>http-app-</c>), and the trailing <c>-r&lt;digits&gt;</c>
    /// reads back to one (app, route) pair only, so two apps' ids never meet. An app name has at most 30
    /// characters, so the id fits Uptime Kuma's 64 by construction.
    /// </summary>
    public static string AppRouteId(string app, int routeIndex) => $"http-app-{app}-r{routeIndex.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Lower-case, hyphen-separated form of a display name, usable as an id.</summary>
    public static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray();
        return string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
    }

    private static ImmutableArray<T> NullToEmpty<T>(this ImmutableArray<T> a) => a.IsDefault ? [] : a;
}
