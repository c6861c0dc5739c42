using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>Every problem with MariaDB settings and database requests, each naming its config key and the fix; all at once.</summary>
public static partial class MariaDbValidation
{
    /// <summary>Where the settings come from in the stack file, until the settings reader names it.</summary>
    public const string DefaultSettingsKey = "platform:mariadb";

    /// <summary>Where request <c>i</c> comes from, until the settings reader names it (e.g. <c>platform:apps[2].needs.database</c>).</summary>
    public static string DefaultRequestKey(int index) => $"platform:mariadb.databases[{index.ToString(CultureInfo.InvariantCulture)}]";

    [GeneratedRegex(@"^mariadb:10\.11\.[0-9]+$")]
    private static partial Regex PinnedImageRegex();

    /// <summary>
    /// Every error of <paramref name="settings"/> and <paramref name="requests"/>. <paramref name="settingsKey"/> is the
    /// settings' config key; <paramref name="requestKey"/> gives request <c>i</c>'s.
    /// </summary>
    public static IReadOnlyList<SettingsError> Errors(MariaDbSettings settings, IReadOnlyList<MariaDbDatabaseRequest> requests,
        string settingsKey = DefaultSettingsKey, Func<int, string>? requestKey = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(requests);
        var key = requestKey ?? DefaultRequestKey;
        var errors = new List<SettingsError>();
        // A declared upgrade (mariadbUpgrade) moves to its series (or, rolling back, returns to the old one).
        var series = settings.Upgrade is { From.Length: > 0, To.Length: > 0 } u ? (u.Rollback ? u.From : u.To) : null;
        if (series is not null && series != "10.11")
        {
            if (!Regex.IsMatch(settings.Image ?? "", $"^mariadb:{Regex.Escape(series)}\\.[0-9]+$", RegexOptions.CultureInvariant))
                errors.Add(new($"{settingsKey}.image", $"'{settings.Image}' is not a pinned MariaDB {series} image, the series mariadbUpgrade names.",
                    $"Use a full {series} patch tag such as 'mariadb:{series}.1' (never 'latest' or '{series}')."));
        }
        else if (!PinnedImageRegex().IsMatch(settings.Image ?? ""))
            errors.Add(new($"{settingsKey}.image", $"'{settings.Image}' is not a pinned MariaDB 10.11 image.",
                $"Use a full 10.11 patch tag such as '{MariaDbNames.DefaultImage}' (the series the platform is tested with; never 'latest' or '10.11'), or declare an upgrade to another series (mariadbUpgrade, docs/operations.md)."));
        if (settings.MemoryMb < MariaDbConfig.MinMemoryMb)
            errors.Add(new($"{settingsKey}.memoryMb", $"{settings.MemoryMb} MB is too little for MariaDB.",
                $"Set memoryMb to {MariaDbConfig.MinMemoryMb} or more."));
        if (settings.Cpus is <= 0 or double.NaN)
            errors.Add(new($"{settingsKey}.cpus", $"{settings.Cpus.ToString(CultureInfo.InvariantCulture)} is not a CPU limit.", "Set cpus to a positive number, e.g. 1."));
        if (settings.MaxConnections < 1)
            errors.Add(new($"{settingsKey}.maxConnections", $"{settings.MaxConnections} is not a connection count.", "Set maxConnections to a positive number, e.g. 100."));
        if (settings.BufferPoolMb is { } pool && (pool < MariaDbConfig.BufferPoolChunkMb || pool % MariaDbConfig.BufferPoolChunkMb != 0 || pool >= settings.MemoryMb))
            errors.Add(new($"{settingsKey}.bufferPoolMb", $"{pool} MB is not a multiple of {MariaDbConfig.BufferPoolChunkMb} MB below memoryMb ({settings.MemoryMb}).",
                $"Remove bufferPoolMb (default: {MariaDbConfig.BufferPoolPercent}% of memoryMb) or set a multiple of {MariaDbConfig.BufferPoolChunkMb} below memoryMb."));

        errors.AddRange(RequestErrors(requests, settings.MaxConnections, key));

        var total = requests.Sum(r => (long)Math.Max(0, r.ConnectionLimit));
        if (settings.MaxConnections >= 1 && total > settings.MaxConnections)
            errors.Add(new($"{settingsKey}.maxConnections", $"the apps' connection limits add up to {total}, more than maxConnections ({settings.MaxConnections}), so an app could be refused below its own limit.",
                $"Raise maxConnections to {total + MariaDbSettings.PlatformConnections} or more ({total} for the apps, {MariaDbSettings.PlatformConnections} for the platform's own clients), leave it at 0 to have it follow the apps' limits, or lower the apps' connection limits."));
        return errors;
    }

    /// <summary>The errors of the requests alone (names, secrets, limits, duplicates).</summary>
    public static IReadOnlyList<SettingsError> RequestErrors(IReadOnlyList<MariaDbDatabaseRequest> requests, int maxConnections, Func<int, string> key)
    {
        var errors = new List<SettingsError>();
        for (var i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            var k = key(i);
            if (r is null)
            {
                errors.Add(new(k, "the request is empty.", "Give database, user, passwordSecret and connectionLimit, or remove the entry."));
                continue;
            }
            if (string.IsNullOrWhiteSpace(r.App))
                errors.Add(new($"{k}.app", "no app is named.", "Name the app the database is for."));
            if (MariaDbNames.DatabaseProblem(r.Database) is { } db)
                errors.Add(new($"{k}.database", db + ".", $"Use 1–{MariaDbNames.MaxDatabaseLength} characters: a lower-case letter, then lower-case letters, digits or '_' (not a server schema such as 'mysql')."));
            if (MariaDbNames.UserProblem(r.User) is { } user)
                errors.Add(new($"{k}.user", user + ".", $"Use 1–{MariaDbNames.MaxUserLength} characters: a lower-case letter, then lower-case letters, digits or '_' (not 'root' or another server account)."));
            if (string.IsNullOrWhiteSpace(r.PasswordSecret))
                errors.Add(new($"{k}.passwordSecret", "no password secret is named.", $"Name a generated secret, e.g. '{MariaDbNames.PasswordSecret(r.App ?? "app")}'."));
            if (r.ConnectionLimit < 1 || r.ConnectionLimit > maxConnections)
                errors.Add(new($"{k}.connectionLimit", $"{r.ConnectionLimit} is not a connection limit between 1 and maxConnections ({maxConnections}).",
                    $"Set connectionLimit to a number from 1 to {maxConnections} (e.g. {MariaDbNames.DefaultConnectionLimit})."));
        }

        var valid = requests.Select((r, i) => (r, i)).Where(x => x.r is not null).ToList();
        foreach (var dup in valid.GroupBy(x => x.r.App, StringComparer.Ordinal).Where(g => g.Count() > 1 && !string.IsNullOrEmpty(g.Key)))
            foreach (var (_, i) in dup.Skip(1))
                errors.Add(new($"{key(i)}.app", $"app '{dup.Key}' already has a MariaDB database ({key(dup.First().i)}).", "Request one database per app."));
        foreach (var dup in valid.GroupBy(x => x.r.Database, StringComparer.Ordinal).Where(g => g.Count() > 1 && !string.IsNullOrEmpty(g.Key)))
            foreach (var (_, i) in dup.Skip(1))
                errors.Add(new($"{key(i)}.database", $"database '{dup.Key}' is also requested by {key(dup.First().i)}.", "Give every app its own database name."));
        foreach (var dup in valid.GroupBy(x => x.r.User, StringComparer.Ordinal).Where(g => g.Count() > 1 && !string.IsNullOrEmpty(g.Key)))
            foreach (var (_, i) in dup.Skip(1))
                errors.Add(new($"{key(i)}.user", $"user '{dup.Key}' is also requested by {key(dup.First().i)}; a user is limited to one database.", "Give every app its own user name."));
        return errors;
    }
}
