using System.Collections.Immutable;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Parts.Hardening;

/// <summary>
/// What a container may do beyond running its process: the Linux capabilities it keeps, whether its root filesystem
/// is writable, and the reasons for each exception. Every container drops every capability and may not gain
/// privileges (<c>no-new-privileges</c>); a container keeps a capability or a writable root only with a stated reason,
/// which the plan prints and the <c>containers-hardened</c> policy rule requires.
/// </summary>
/// <param name="CapAdd">Capabilities added back after dropping <c>ALL</c>, sorted.</param>
/// <param name="CapabilitiesWhy">Why the image needs <paramref name="CapAdd"/>; required when it is not empty.</param>
/// <param name="ReadOnlyRoot">Mount the root filesystem read-only, with <paramref name="Tmpfs"/> as the writable scratch places.</param>
/// <param name="WritableRootWhy">Why the root filesystem stays writable; required when <paramref name="ReadOnlyRoot"/> is false.</param>
/// <param name="Tmpfs">tmpfs mounts of a read-only root (path → options).</param>
public sealed record HardeningProfile(
    ImmutableArray<string> CapAdd,
    string? CapabilitiesWhy,
    bool ReadOnlyRoot,
    string? WritableRootWhy,
    ImmutableSortedDictionary<string, string> Tmpfs);

public static class ContainerHardening
{
    /// <summary>
    /// An image whose entrypoint starts as root, makes its data directory its service user's (chown, chmod) and then
    /// drops to that user (su-exec, gosu, setpriv): the official PostgreSQL, Redis and MariaDB images, Uptime Kuma.
    /// Read from their entrypoints: docker-library/postgres <c>docker-entrypoint.sh</c> (<c>find … \! -user postgres
    /// -exec chown</c>, <c>exec su-exec postgres</c>), docker-library/redis (<c>find . \! -user redis -exec chown</c>,
    /// <c>exec su-exec redis</c>), MariaDB's <c>docker_create_db_directories</c> and <c>exec gosu mysql</c>, and
    /// uptime-kuma's <c>extra/entrypoint.sh</c> (<c>chown -R</c>, <c>exec setpriv --reuid --regid --clear-groups</c>).
    /// </summary>
    public static readonly ImmutableArray<string> RootThenServiceUser = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"];

    private const string RootThenServiceUserWhy =
        "its entrypoint starts as root, gives the data directory to the service user and drops to it (chown, su-exec/gosu/setpriv)";

    /// <summary>
    /// An app's image is the app's own: it keeps the part of Docker's default set that common images' entrypoints
    /// use (chown a directory, drop to a user, bind a port below 1024, signal their children), and loses the rest of
    /// it (NET_RAW, MKNOD, AUDIT_WRITE, SETFCAP, SETPCAP, SYS_CHROOT, FSETID).
    /// </summary>
    public static readonly ImmutableArray<string> AppDefault = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "NET_BIND_SERVICE", "SETGID", "SETUID"];

    private static readonly ImmutableSortedDictionary<string, string> ScratchTmp =
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("/tmp", "size=16m,mode=1777")]);

    private static HardeningProfile Strict(bool readOnly, string? writableWhy = null) =>
        new([], null, readOnly, readOnly ? null : writableWhy, readOnly ? ScratchTmp : ImmutableSortedDictionary<string, string>.Empty);

    private static HardeningProfile WithCaps(ImmutableArray<string> caps, string why, string writableWhy) =>
        new([.. caps.Order(StringComparer.Ordinal)], why, false, writableWhy, ImmutableSortedDictionary<string, string>.Empty);

    /// <summary>The profile of a container, by what it runs (a split stack's copies, <c>name@app-n</c>, as their original).</summary>
    public static HardeningProfile For(ServiceSpec s)
    {
        // An app's file server (nginx's unprivileged image: user 101, port 8080, pid and temporary files in /tmp).
        if (Edge.StaticFiles.IsService(s.Name.Split('@')[0])) return Strict(readOnly: true);
        if (s.Kind == ServiceKind.App)
            return WithCaps(AppDefault, "an app's own image: Docker's default set less NET_RAW, MKNOD, AUDIT_WRITE, SETFCAP, SETPCAP, SYS_CHROOT and FSETID, which no web app needs",
                "an app's own image may write anywhere in its filesystem");
        var name = s.Name.Split('@')[0];
        if (Redis.RedisNames.IsContainer(name))
            return WithCaps(RootThenServiceUser, RootThenServiceUserWhy, "the entrypoint may lower the umask and writes its pid and config checks under the image's directories");
        return name switch
        {
            ServiceNames.Traefik => new(["NET_BIND_SERVICE"], "binds ports 80 and 443 as root", true, null, ScratchTmp),
            ServiceNames.Postgres or ServiceNames.MariaDb => WithCaps(RootThenServiceUser, RootThenServiceUserWhy,
                "the server writes its socket and lock files under /var/run (PostgreSQL, MariaDB) and the entrypoint its init scripts' state"),
            ServiceNames.UptimeKuma or "uptime-kuma-setup" => WithCaps(RootThenServiceUser, RootThenServiceUserWhy,
                "Uptime Kuma writes under /app (its data directory and the Node.js cache)"),
            // Reads the dump files the databases' users wrote (mode 0600), as root without owning them.
            ServiceNames.Backup => WithCaps(["DAC_READ_SEARCH"], "reads the dump files the database users wrote (mode 0600) to archive them",
                "the runner stages archives in its own filesystem before the upload"),
            "prometheus" or "alertmanager" or "node-exporter" or "loki" => Strict(readOnly: true),
            ServiceNames.SocketProxy or "logs-proxy" => Strict(false, "the image's entrypoint writes HAProxy's configuration and state in the image's directories"),
            ServiceNames.Minio => Strict(false, "MinIO creates its certificate directory under $HOME at start"),
            ServiceNames.PgBouncer => Strict(false, "the image's entrypoint prepares its log and run directories"),
            "grafana" => Strict(false, "Grafana writes its plugins and temporary files outside its data volume"),
            "alloy" => Strict(false, "Alloy keeps its write-ahead log and positions under /var/lib/alloy"),
            _ => Strict(false, "the image writes state in its own filesystem (no volume holds it)"),
        };
    }

    public const string UploadsNeedWritableRoot = "its files are uploaded into it before it starts, which Docker refuses on a read-only root";

    /// <summary>The container with its profile applied: every capability dropped, the profile's added back, no new privileges.</summary>
    public static ServiceSpec Apply(ServiceSpec s)
    {
        var p = For(s);
        // Files reach a container by an upload into its filesystem before it starts, and Docker refuses that on a
        // read-only root ("container rootfs is marked read-only", seen on Docker 20.10 in the rehearsal): such a
        // container keeps a writable root until its files come from a host directory instead.
        if (p.ReadOnlyRoot && !s.Files.IsEmpty)
            p = p with { ReadOnlyRoot = false, WritableRootWhy = UploadsNeedWritableRoot, Tmpfs = ImmutableSortedDictionary<string, string>.Empty };
        return s with
        {
            CapDrop = ["ALL"],
            CapAdd = p.CapAdd,
            CapabilitiesWhy = p.CapabilitiesWhy,
            NoNewPrivileges = true,
            ReadOnlyRootFilesystem = p.ReadOnlyRoot,
            WritableRootWhy = p.WritableRootWhy,
            Tmpfs = p.ReadOnlyRoot ? s.Tmpfs.SetItems(p.Tmpfs.Where(t => !s.Tmpfs.ContainsKey(t.Key))) : s.Tmpfs,
        };
    }

    /// <summary>Every container of the blueprint hardened.</summary>
    public static PlatformBlueprint Apply(PlatformBlueprint b) => b with { Services = [.. b.Services.Select(Apply)] };
}
