using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Data;

/// <summary>The engines whose data directory outlives their image.</summary>
public enum GuardedEngine { Postgres, MariaDb, Redis }

/// <summary>
/// One data service whose container may only start on a data directory its image can run.
/// </summary>
/// <param name="Engine">What runs.</param>
/// <param name="Service">The container.</param>
/// <param name="Volume">Its data volume.</param>
/// <param name="Setting">The stack setting that picks the image (named in the refusal).</param>
/// <param name="Image">The image the setting gives (the version is read from its tag).</param>
public sealed record GuardedData(GuardedEngine Engine, string Service, string Volume, string Setting, string Image);

/// <summary>
/// The major-version guard: a script, run on the server by a host command that the data container waits for (so before
/// Pulumi replaces the container), that compares the version the image's tag names with the version that wrote the
/// data directory, and fails the deployment while the old container still runs:
/// PostgreSQL's <c>PG_VERSION</c> must equal the image's major; MariaDB's <c>mariadb_upgrade_info</c> (11.x) or
/// <c>mysql_upgrade_info</c> (10.x), written by the official image's entrypoint, must name the image's major.minor
/// (a MariaDB major is 10.11, 11.4, …); Redis refuses only a downgrade of the RDB format (<c>dump.rdb</c> and the AOF's
/// RDB base file start with <c>REDIS</c> and the format version, and a Redis refuses a newer one than it writes).
/// A first start (no volume, or no data in it) passes.
/// </summary>
public static class MajorVersionGuard
{
    /// <summary>The newest RDB format each Redis release reads and writes (<c>RDB_VERSION</c> in <c>src/rdb.h</c> at its tag).</summary>
    public static readonly ImmutableSortedDictionary<string, int> RedisRdbVersions = new Dictionary<string, int>
    {
        ["6.0"] = 9, ["6.2"] = 9, ["7.0"] = 10, ["7.2"] = 11, ["7.4"] = 12,
    }.ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static readonly Regex TagVersion = new(@"^v?(\d+)(?:\.(\d+))?", RegexOptions.CultureInvariant);

    /// <summary>The image's tag (before any digest), or null for an untagged image.</summary>
    public static string? Tag(string image)
    {
        var name = image.Split('@')[0];
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[(colon + 1)..] : null;
    }

    /// <summary>
    /// The version the guard compares: PostgreSQL's major (<c>16</c>), MariaDB's major.minor (<c>10.11</c>), Redis's
    /// major.minor (<c>7.4</c>); null when the tag names none.
    /// </summary>
    public static string? ImageVersion(GuardedEngine engine, string image)
    {
        if (Tag(image) is not { } tag || TagVersion.Match(tag) is not { Success: true } m) return null;
        return engine == GuardedEngine.Postgres ? m.Groups[1].Value
            : m.Groups[2].Success ? $"{m.Groups[1].Value}.{m.Groups[2].Value}" : null;
    }

    /// <summary>
    /// The script's body. It reads the data through two shell functions the preamble defines: <c>datafile PATH</c> prints
    /// a file of the data directory (nothing when absent; PATH may hold a glob) and <c>dataexists PATH</c> tests one.
    /// </summary>
    public static string Body(GuardedData g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var version = ImageVersion(g.Engine, g.Image);
        var who = $"{g.Service} (volume {g.Volume})";
        string Refuse(string message) => $"{{ echo {Backups.ShellQuote("error: " + message)} >&2; exit 1; }}";
        var lines = new List<string>();
        switch (g.Engine)
        {
            case GuardedEngine.Postgres:
            {
                var procedure = $"Either set {g.Setting} back to an image of that major, or upgrade: dump, restore into a new volume with the new major, verify, switch, which the deployment does when the stack file declares it: platform:{UpgradeKey(g)}: {{ from: \\\"$found\\\", to: \\\"{version}\\\" }} (docs/operations.md, section Major-version upgrades).";
                lines.Add("found=\"$(datafile pgdata/PG_VERSION | tr -d '[:space:]')\"");
                lines.Add($"[ -n \"$found\" ] || {{ echo {Backups.ShellQuote($"{who}: no PostgreSQL data directory yet, nothing to compare.")}; exit 0; }}");
                if (version is null)
                    lines.Add($"{Refuse($"{who} holds a PostgreSQL data directory, and {g.Setting} ({g.Image}) has no version tag to compare it with. Pin a tag such as postgres:16.6-alpine.")}");
                else
                {
                    lines.Add($"[ \"$found\" = {version} ] || {{ echo \"error: {who} holds a PostgreSQL $found data directory, but {g.Setting} is {g.Image} (PostgreSQL {version}), which cannot start on it; the container was left running as it was. {procedure}\" >&2; exit 1; }}");
                    lines.Add($"echo {Backups.ShellQuote($"{who}: data directory of PostgreSQL {version}, as {g.Setting}: no major-version change.")}");
                }
                break;
            }
            case GuardedEngine.MariaDb:
            {
                var procedure = $"Either set {g.Setting} back to a MariaDB $found image, or upgrade: dump, restore into a new volume with the new version, verify, switch, which the deployment does when the stack file declares it: platform:{UpgradeKey(g)}: {{ from: \\\"$found\\\", to: \\\"{version}\\\" }} (docs/operations.md, section Major-version upgrades).";
                lines.Add("info=\"$(datafile mariadb_upgrade_info)\"");
                lines.Add("[ -n \"$info\" ] || info=\"$(datafile mysql_upgrade_info)\"");
                lines.Add("found=\"$(printf '%s\\n' \"$info\" | sed -n '1s/^\\([0-9][0-9]*\\.[0-9][0-9]*\\).*/\\1/p')\"");
                lines.Add("if [ -z \"$found\" ]; then");
                lines.Add($"  dataexists ibdata1 || dataexists mysql || {{ echo {Backups.ShellQuote($"{who}: no MariaDB data directory yet, nothing to compare.")}; exit 0; }}");
                lines.Add($"  {Refuse($"{who} holds a MariaDB data directory that does not say which version wrote it (no mariadb_upgrade_info or mysql_upgrade_info), so {g.Setting} ({g.Image}) may not start on it. Run mariadb-upgrade with the image that wrote it, then deploy again.")}");
                lines.Add("fi");
                if (version is null)
                    lines.Add($"{Refuse($"{who} holds MariaDB data, and {g.Setting} ({g.Image}) has no version tag to compare it with. Pin a tag such as mariadb:10.11.18.")}");
                else
                {
                    lines.Add($"[ \"$found\" = {version} ] || {{ echo \"error: {who} holds data written by MariaDB $found, but {g.Setting} is {g.Image} (MariaDB {version}); the container was left running as it was. {procedure}\" >&2; exit 1; }}");
                    lines.Add($"echo {Backups.ShellQuote($"{who}: data written by MariaDB {version}, as {g.Setting}: no major-version change.")}");
                }
                break;
            }
            case GuardedEngine.Redis:
            {
                if (version is null || !RedisRdbVersions.TryGetValue(version, out var rdb))
                {
                    // Newer releases read every older format; only a known release's limit can be checked.
                    lines.Add($"echo {Backups.ShellQuote($"{who}: {g.Image} is not a Redis release whose RDB format the guard knows; a newer Redis reads every older format, so nothing is refused.")}");
                    break;
                }
                var procedure = $"Set {g.Setting} back to a release that reads it (or newer), or export the keys with the newer Redis and import them into an empty volume (docs/operations.md, section Major-version upgrades).";
                lines.Add("for file in dump.rdb 'appendonlydir/*.base.rdb'; do");
                lines.Add("  head=\"$(datafile \"$file\" | head -c 9)\"");
                lines.Add("  case \"$head\" in REDIS[0-9][0-9][0-9][0-9]) ;; *) continue ;; esac");
                lines.Add("  found=\"$(printf '%s' \"${head#REDIS}\" | sed 's/^0*//')\"");
                lines.Add($"  [ \"$found\" -le {rdb.ToString(CultureInfo.InvariantCulture)} ] || {{ echo \"error: {who}'s $file is RDB format $found, but {g.Setting} is {g.Image} (Redis {version}), which reads RDB formats up to {rdb.ToString(CultureInfo.InvariantCulture)} and would start empty or not at all; the container was left running as it was. {procedure}\" >&2; exit 1; }}");
                lines.Add("done");
                lines.Add($"echo {Backups.ShellQuote($"{who}: no RDB file newer than {g.Setting} ({g.Image}, RDB format {rdb.ToString(CultureInfo.InvariantCulture)}) reads.")}");
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(g));
        }
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>
    /// The host command's script on the server: the data directory is read through the volume's folder on the host (its
    /// bind device when the volume lives on the server's data disk, else Docker's mount point), as root, without pulling
    /// or starting anything; a volume that does not exist yet is a first start.
    /// </summary>
    public static string Script(GuardedData g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var v = Backups.ShellQuote(g.Volume);
        return string.Join("\n",
            "set -eu",
            $"# The major-version guard of {g.Service}: {g.Setting} = {g.Image}.",
            $"docker volume inspect {v} >/dev/null 2>&1 || {{ echo {Backups.ShellQuote($"{g.Service}: volume {g.Volume} does not exist yet (a first start), nothing to compare.")}; exit 0; }}",
            $"dir=\"$(docker volume inspect -f '{{{{ index .Options \"device\" }}}}' {v} 2>/dev/null || true)\"",
            $"case \"$dir\" in /*) ;; *) dir=\"$(docker volume inspect -f '{{{{ .Mountpoint }}}}' {v})\" ;; esac",
            "datafile() { sudo sh -c \"cat $dir/$1\" 2>/dev/null || true; }",
            "dataexists() { sudo test -e \"$dir/$1\"; }",
            Body(g));
    }

    /// <summary>The setting that declares an upgrade of the guarded engine (<c>postgresImage</c> → <c>postgresUpgrade</c>).</summary>
    private static string UpgradeKey(GuardedData g) => g.Setting.Replace("Image", "Upgrade", StringComparison.Ordinal);

    /// <summary>The name of the guard's host command for <paramref name="service"/>.</summary>
    public static string CommandName(string service) => $"{service}-major-guard";
}
