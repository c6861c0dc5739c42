using System.Text.RegularExpressions;
using Platform.Stacks.Data;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Upgrades;

/// <summary>
/// A declared major-version upgrade of a data service (<c>platform:postgresUpgrade</c>, <c>platform:mariadbUpgrade</c>):
/// the stack's image names <see cref="To"/>, its data is in <see cref="From"/>. The deployment copies the data into a new
/// volume with the new major, verifies it and switches (see <see cref="UpgradeScripts"/>). Stays in the stack file after
/// the upgrade: it says which volume the data is in.
/// </summary>
public sealed record UpgradeSettings
{
    /// <summary>The major the data is in (PostgreSQL: <c>16</c>; MariaDB: <c>10.11</c>).</summary>
    public required string From { get; init; }

    /// <summary>The major the image runs; must be newer than <see cref="From"/> and be the image tag's.</summary>
    public required string To { get; init; }

    /// <summary>The volume the data is in now. Default: the engine's volume (<c>postgres-data</c>); after an earlier declared upgrade, that one's new volume (<c>postgres-data-16</c>).</summary>
    public string? PreviousVolume { get; init; }

    /// <summary>Keep the old volume (the rollback) as it was at the switch; false lets the deployment delete it. Default: true.</summary>
    public bool KeepOld { get; init; } = true;

    /// <summary>Run the old major on the old volume again (with the image set back to <see cref="From"/>); the new volume is kept. Default: false.</summary>
    public bool Rollback { get; init; }

    /// <summary>The data's size in GB, for the downtime estimate of <c>plan --against</c>. Default: 1.</summary>
    public int DataGb { get; init; } = 1;

    /// <summary>The volume the data is copied into: the engine's volume name and the new major.</summary>
    public static string NewVolume(string baseVolume, string to) => $"{baseVolume}-{to}";
}

/// <summary>Reads and checks an upgrade declaration; every problem under its key, with the fix.</summary>
internal static partial class UpgradeSettingsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> Keys => UpgradeSchema.Keys;

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex PostgresMajor();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+$")]
    private static partial Regex MariaDbMajor();

    /// <summary>
    /// The declaration at <paramref name="key"/> (null when unset). <paramref name="image"/> is the stack's image for
    /// the engine (<paramref name="imageKey"/>), whose tag must name <see cref="UpgradeSettings.To"/> (or, rolling back, <see cref="UpgradeSettings.From"/>).
    /// </summary>
    public static UpgradeSettings? Read(NodeReader r, YamlNode? node, string key, GuardedEngine engine, string image, string imageKey, string baseVolume)
    {
        if (node is null) return null;
        var map = r.Mapping(node, key, Keys);
        var engineName = engine == GuardedEngine.Postgres ? "PostgreSQL" : "MariaDB";
        var example = engine == GuardedEngine.Postgres ? "from: \"16\", to: \"17\"" : "from: \"10.11\", to: \"11.4\"";
        string Version(string name)
        {
            if (!map.TryGetValue(name, out var n))
            {
                r.Error($"{key}.{name}", "is not set.", $"Give both majors, as the image tags name them: {{ {example} }}.");
                return "";
            }
            var text = r.String(n, $"{key}.{name}").Trim();
            var ok = engine == GuardedEngine.Postgres ? PostgresMajor().IsMatch(text) : MariaDbMajor().IsMatch(text);
            if (!ok)
            {
                r.Error($"{key}.{name}", $"'{text}' is not a {engineName} major version.",
                    $"Write the major as the image tags name it{(engine == GuardedEngine.MariaDb ? " (a MariaDB major is major.minor)" : "")}: {{ {example} }}.");
                return "";
            }
            return text;
        }
        var from = Version("from");
        var to = Version("to");
        var u = new UpgradeSettings
        {
            From = from,
            To = to,
            PreviousVolume = map.TryGetValue("previousVolume", out var pv) ? r.String(pv, $"{key}.previousVolume").Trim() : null,
            KeepOld = !map.TryGetValue("keepOld", out var keep) || r.Bool(keep, $"{key}.keepOld", true),
            Rollback = map.TryGetValue("rollback", out var back) && r.Bool(back, $"{key}.rollback", false),
            DataGb = map.TryGetValue("dataGb", out var gb) ? r.Int(gb, $"{key}.dataGb", 1, 1, 100_000) : 1,
        };
        if (from.Length == 0 || to.Length == 0) return u;

        if (System.Version.Parse(Padded(to)) <= System.Version.Parse(Padded(from)))
            r.Error($"{key}.to", $"{engineName} {to} is not newer than from ({from}).",
                "An upgrade goes to a newer major. To go back after an upgrade, keep its declaration and set rollback: true (docs/operations.md, Major-version upgrades).");
        var imageVersion = MajorVersionGuard.ImageVersion(engine, image);
        var wanted = u.Rollback ? from : to;
        if (imageVersion != wanted)
            r.Error(u.Rollback ? $"{key}.rollback" : $"{key}.to",
                $"{(u.Rollback ? "rolls back to" : "upgrades to")} {engineName} {wanted}, but {imageKey} is {image} ({(imageVersion is null ? "no version in its tag" : $"{engineName} {imageVersion}")}).",
                $"Set {imageKey} to a pinned {engineName} {wanted} image in the same change{(u.Rollback ? " (the old major, on the old volume)" : "")}.");
        var allowed = new[] { baseVolume, UpgradeSettings.NewVolume(baseVolume, from) };
        if (u.PreviousVolume is { } previous && !allowed.Contains(previous, StringComparer.Ordinal))
            r.Error($"{key}.previousVolume", $"'{previous}' is not a volume the platform keeps {engineName}'s data in.",
                $"Name the volume the running container uses: {allowed[0]} (never upgraded) or {allowed[1]} (after the upgrade to {from}); or leave it unset for {allowed[0]}.");
        if (u.Rollback && !u.KeepOld)
            r.Error($"{key}.keepOld", "is false while rollback is true: the rollback runs on the old volume.", "Keep the old volume while rolling back (remove keepOld), or finish the upgrade (rollback: false).");
        return u;
    }

    /// <summary>The volume the data is in now.</summary>
    public static string OldVolume(UpgradeSettings u, string baseVolume) => u.PreviousVolume ?? baseVolume;

    private static string Padded(string v) => v.Contains('.', StringComparison.Ordinal) ? v : v + ".0";
}
