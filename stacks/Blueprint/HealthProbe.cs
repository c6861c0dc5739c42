using System.Collections.Immutable;
using System.Globalization;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// The HTTP health check of an app container, which must work in any image: one with no shell
/// (distroless, chiseled .NET, a static Go binary) and one with a shell but neither curl nor wget
/// (Debian's slim Python and Node images, the ASP.NET runtime image). Docker runs a <c>CMD</c> test by
/// exec inside the container, so the check needs a program that is there whatever the image holds:
/// the server's own static BusyBox (the distribution's <c>busybox-static</c> package, which cloud-init
/// installs and unattended upgrades keep patched), bind-mounted read-only into every app container
/// that has an HTTP health check, run as <c>busybox wget</c> with no shell in between. BusyBox's wget
/// exits non-zero on a refused connection, a time-out and any HTTP status of 400 or more.
/// </summary>
public static class HealthProbe
{
    /// <summary>The Debian/Ubuntu package that provides <see cref="HostPath"/>, a statically linked BusyBox.</summary>
    public const string Package = "busybox-static";

    /// <summary>Where the package puts the binary on the server.</summary>
    public const string HostPath = "/bin/busybox";

    /// <summary>Where app containers see it: under /run, outside any PATH, so the app itself never picks it up.</summary>
    public const string ContainerPath = "/run/platform-probe/busybox";

    /// <summary>The read-only bind mount of the probe.</summary>
    public static readonly MountSpec Mount = new(MountKind.Bind, HostPath, ContainerPath, ReadOnly: true);

    /// <summary>
    /// Docker's exec form of the check: GET <c>http://127.0.0.1:port/path</c> inside the container's own
    /// network namespace, failing on any error status. The path is one argument of an exec, never parsed by
    /// a shell. No <c>-T</c>: Debian bookworm's busybox-static (1.35.0) segfaults (exit 139) on any wget
    /// <c>-T</c>, measured on the real engine (tests/Stacks.Tests/Docker); Docker's own health-check timeout
    /// bounds the request instead (it kills the exec when the check's timeout passes).
    /// </summary>
    public static ImmutableArray<string> HttpCheck(int port, string path) =>
        ["CMD", ContainerPath, "wget", "-q", "-O", "/dev/null", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}"];

    /// <summary>
    /// A host command line that installs the probe where it is missing: cloud-init installs it on new servers,
    /// and servers made before the probe existed keep their user data (a change to it never replaces them).
    /// It runs before the app's containers (in the app's attach command), and is a no-op once installed.
    /// </summary>
    public const string EnsureInstalled =
        "[ -x " + HostPath + " ] || sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq " + Package + " >/dev/null";

    /// <summary>Whether a health test runs the probe (and so needs <see cref="Mount"/>).</summary>
    public static bool Uses(ImmutableArray<string> test) => !test.IsDefault && test.Length > 1 && test[0] == "CMD" && test[1] == ContainerPath;
}
