using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Maintenance;

/// <summary>
/// Maintenance mode (<c>platform:maintenance</c>): the apps whose routes answer 503 with <c>Retry-After</c> (and an optional
/// page) to everyone outside <see cref="AllowCidrs"/>, who still reach the app. Switching it is a change of <see cref="Apps"/>:
/// Traefik's file provider reloads the routes in place, no container is replaced.
/// </summary>
public sealed record MaintenanceSettings
{
    /// <summary>The wildcard entry of <see cref="Apps"/>: every app of the stack.</summary>
    public const string Everything = "*";

    /// <summary>Apps in maintenance by name, or <c>"*"</c> for all of them. Default: none (off).</summary>
    public ImmutableArray<string> Apps { get; init; } = [];

    /// <summary>Seconds a client is told to wait before it tries again (<c>Retry-After</c>). Default: 300.</summary>
    public int RetryAfterSeconds { get; init; } = 300;

    /// <summary>An http(s) URL whose page is the body of the 503. Default: none (Traefik's "Service Unavailable").</summary>
    public string? PageUrl { get; init; }

    /// <summary>Clients that pass through to the app (the client address Cloudflare appended). Default: <c>platform:adminCidrs</c>.</summary>
    public ImmutableArray<string> AllowCidrs { get; init; } = [];

    public bool Covers(string app) => Apps.Contains(Everything) || Apps.Contains(app);
}

/// <summary>Reads <c>platform:maintenance</c> (a mapping; unset means off), every problem under its key with the fix.</summary>
internal static class MaintenanceSettingsReader
{
    public const string Key = "platform:maintenance";
    public static System.Collections.Immutable.ImmutableArray<string> Keys => MaintenanceSchema.Maintenance.Keys;

    public static MaintenanceSettings Read(NodeReader r, YamlNode? node, ImmutableArray<string> adminCidrs, IEnumerable<string> appNames)
    {
        var d = new MaintenanceSettings { AllowCidrs = adminCidrs };
        if (node is null) return d;
        var map = r.Mapping(node, Key, Keys);
        var settings = d with
        {
            Apps = map.TryGetValue("apps", out var apps) ? r.StringList(apps, $"{Key}.apps") : [],
            RetryAfterSeconds = map.TryGetValue("retryAfterSeconds", out var retry) ? r.Int(retry, $"{Key}.retryAfterSeconds", d.RetryAfterSeconds, 1, 86_400) : d.RetryAfterSeconds,
            PageUrl = map.TryGetValue("pageUrl", out var page) ? r.String(page, $"{Key}.pageUrl").Trim() : null,
            AllowCidrs = map.TryGetValue("allowCidrs", out var cidrs) ? r.StringList(cidrs, $"{Key}.allowCidrs") : adminCidrs,
        };
        var known = appNames.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < settings.Apps.Length; i++)
        {
            var app = settings.Apps[i];
            if (app != MaintenanceSettings.Everything && !known.Contains(app))
                r.Error($"{Key}.apps[{i}]", $"'{app}' is no app of this stack.",
                    $"Name an app of platform:apps ({string.Join(", ", known.Order(StringComparer.Ordinal))}), or \"*\" for every app.");
        }
        if (settings.PageUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.AbsolutePath.Length > 1
                && string.IsNullOrEmpty(u.UserInfo) && string.IsNullOrEmpty(u.Fragment)))
            r.Error($"{Key}.pageUrl", $"'{url}' is not an http(s) URL of a page (a path after the host, no user or fragment).",
                "Give the page's full URL, e.g. https://files.example.com/public/maintenance.html.");
        if (!settings.Apps.IsEmpty && settings.AllowCidrs.IsEmpty)
            r.Error($"{Key}.allowCidrs", "is empty, so nobody could reach an app in maintenance, not even to check it.",
                "List the CIDRs that pass through, e.g. allowCidrs: [203.0.113.10/32], or leave it unset to use platform:adminCidrs.");
        r.Cidrs(settings.AllowCidrs, $"{Key}.allowCidrs", "203.0.113.10/32");
        return settings;
    }
}

/// <summary>
/// The day-two settings each part reads for itself (<c>maintenance</c>, <c>lastDeployReleases</c>, <c>rebootWindow</c>), applied to the settings
/// the main reader made: one call there, the reading here.
/// </summary>
internal static class DayTwoSettingsReader
{
    public static StackSettings Read(NodeReader r, Func<string, YamlNode?> node, StackSettings s)
    {
        var releases = ImmutableSortedDictionary<string, Blueprint.AppRelease>.Empty;
        if (node(Blueprint.Rollback.LastDeployKey) is { } json)
        {
            var key = $"platform:{Blueprint.Rollback.LastDeployKey}";
            var (parsed, problem) = Blueprint.Rollback.Parse(r.String(json, key));
            if (parsed is null)
                r.Error(key, problem!, $"Give the {Blueprint.Rollback.Output} output of the last deploy as it is (pulumi stack output {Blueprint.Rollback.Output}), or leave it unset.");
            else
                releases = parsed;
        }
        string? window = null;
        if (node("rebootWindow") is { } w)
        {
            window = r.String(w, "platform:rebootWindow").Trim();
            if (!TimeOnly.TryParseExact(window, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
            {
                r.Error("platform:rebootWindow", $"'{window}' is not a time of day as HH:MM (UTC).", "Give the window's start in 24-hour UTC, e.g. \"03:30\".");
                window = null;
            }
        }
        return s with
        {
            RebootWindow = window,
            Maintenance = MaintenanceSettingsReader.Read(r, node("maintenance"), s.AdminCidrs, s.Apps.Select(a => a.Name)),
            LastDeployReleases = releases,
        };
    }
}
