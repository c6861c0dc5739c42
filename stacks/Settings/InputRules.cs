using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Platform.Stacks.Settings;

/// <summary>
/// Input that reads well but does nothing or harm: an allow-list that lets in the whole internet, a health path that is
/// no URL path, a NUL byte in a command, a volume over the kernel's or the system's directories, a tenant domain that is
/// an address or a public suffix. Each is refused at its key with the fix.
/// </summary>
internal static partial class InputRules
{
    public static void Check(StackSettings s, NodeReader r)
    {
        CheckOpenToAll(s.AdminCidrs, "platform:adminCidrs", "SSH", r,
            "List only your office or VPN CIDRs (e.g. 203.0.113.10/32); use a VPN or a bastion to reach the servers from anywhere.");
        if (s.MinioConsole is { } console)
        {
            CheckOpenToAll(console.AllowCidrs, "platform:minioConsoleAllowCidrs", "the MinIO console", r,
                "List only the CIDRs that should reach the console (e.g. 203.0.113.10/32), or remove minioConsoleHost.");
            CheckOpenToNobody(console.AllowCidrs, "platform:minioConsoleAllowCidrs", "the MinIO console", r);
        }
        foreach (var app in s.Apps)
        {
            for (var i = 0; i < app.Routes.Length; i++)
            {
                var rk = $"{app.Key}.routes[{i}]";
                CheckOpenToAll(app.Routes[i].AllowCidrs, $"{rk}.allowCidrs", "this route", r,
                    "List only the CIDRs that should reach the route, or remove allowCidrs to serve everyone.");
                CheckOpenToNobody(app.Routes[i].AllowCidrs, $"{rk}.allowCidrs", "this route", r);
                if (app.Routes[i].Domain is { } domain && DomainProblem(domain) is { } problem)
                    r.Error($"{rk}.domain", problem.Problem, problem.Fix);
            }
            CheckCommand(app.Command, $"{app.Key}.command", r);
            CheckCommand(app.HealthCommand, $"{app.Key}.healthCommand", r);
            if (app.Release is { } release) CheckCommand(release.Command, $"{app.Key}.release.command", r);
            for (var j = 0; j < app.Jobs.Length; j++)
            {
                CheckCommand(app.Jobs[j].Command, $"{app.Key}.jobs[{j}].command", r);
                if (JobScheduleProblem(app.Jobs[j].Schedule) is { } scheduleProblem)
                    r.Error($"{app.Key}.jobs[{j}].schedule", scheduleProblem.Problem, scheduleProblem.Fix);
            }
            for (var v = 0; v < app.Volumes.Length; v++)
                if (MountPathProblem(app.Volumes[v].MountPath) is { } mountProblem)
                    r.Error($"{app.Key}.volumes[{v}].mountPath", mountProblem.Problem, mountProblem.Fix);
        }
        foreach (var (key, value) in new[] { ("platform:domain", s.Domain), ("platform:zone", s.Zone) })
            if (value.Length > 0 && DomainProblem(value) is { } problem)
                r.Error(key, problem.Problem, problem.Fix);
    }

    /// <summary>
    /// An allow-list whose CIDRs together cover at least half of all IPv4 or all IPv6 addresses (0.0.0.0/0, ::/0, or
    /// 0.0.0.0/1 with 128.0.0.0/1): it restricts nothing worth the name.
    /// </summary>
    private static void CheckOpenToAll(ImmutableArray<string> cidrs, string key, string what, NodeReader r, string fix)
    {
        if (cidrs.IsDefaultOrEmpty) return;
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var share = Coverage(cidrs, family);
            if (share >= 0.5)
                r.Error(key, $"lets {(share >= 1 ? "every" : "at least half of all")} {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address{(share >= 1 ? "" : "es")} reach {what} ({string.Join(", ", cidrs)}), so it restricts nothing.", fix);
        }
    }

    /// <summary>The share (0–1) of a family's address space the CIDRs cover together, overlaps counted once.</summary>
    public static double Coverage(IEnumerable<string> cidrs, AddressFamily family)
    {
        var bits = family == AddressFamily.InterNetwork ? 32 : 128;
        var ranges = new List<(BigInteger Start, BigInteger End)>();
        foreach (var c in cidrs)
        {
            if (!Names.TryParseCidr(c, out var network, out _) || network.BaseAddress.AddressFamily != family) continue;
            var start = new BigInteger(network.BaseAddress.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
            ranges.Add((start, start + (BigInteger.One << (bits - network.PrefixLength))));
        }
        BigInteger covered = 0, reach = 0;
        foreach (var (start, end) in ranges.OrderBy(x => x.Start))
        {
            var from = BigInteger.Max(start, reach);
            if (end > from) covered += end - from;
            reach = BigInteger.Max(reach, end);
        }
        return (double)covered / (double)(BigInteger.One << bits);
    }

    // RFC 3986: path-absolute = "/" [ segment-nz *( "/" segment ) ], pchar = unreserved / pct-encoded / sub-delims / ":" / "@";
    // query = *( pchar / "/" / "?" ). No fragment: it never reaches the server.
    [GeneratedRegex("^/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*(?:\\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$")]
    private static partial Regex UrlPathRegex();

    /// <summary>
    /// Why a health path is not an RFC 3986 absolute path with an optional query, or null. The container's check runs without
    /// a shell (exec form, <see cref="Blueprint.HealthProbe"/>), so ';' or '&amp;' are just part of the URL; what no URL may hold
    /// is refused. Traefik resolves it against the server's URL (<c>target.Parse(config.Path)</c> in pkg/healthcheck/healthcheck.go),
    /// which keeps the query, and Uptime Kuma requests it as written.
    /// </summary>
    public static (string Problem, string Fix)? HealthPathProblem(string path)
    {
        if (UrlPathRegex().IsMatch(path) && !path.StartsWith("//", StringComparison.Ordinal)) return null;
        var bad = path.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || "._~!$&'()*+,;=:@/?%-".Contains(c, StringComparison.Ordinal)));
        var why = path.StartsWith("//", StringComparison.Ordinal) ? "starts with '//', which a URL reads as a host name"
            : !path.StartsWith('/') ? "does not start with '/'"
            : bad != default ? $"holds {(char.IsControl(bad) ? $"the control character U+{(int)bad:X4}" : $"'{bad}'")}, which a URL path or query cannot hold unencoded"
            : "holds a '%' that is not followed by two hex digits";
        return ($"'{Printable(path)}' is not a URL path: it {why}.",
            "Give the path and optional query the app answers on, e.g. /healthz or /health?full=1&deep=1; percent-encode anything else (a space is %20).");
    }

    /// <summary>Refuses NUL and other control characters (but tab and line breaks) in an argv: Docker and the kernel cut an argument at a NUL.</summary>
    private static void CheckCommand(ImmutableArray<string> command, string key, NodeReader r)
    {
        if (command.IsDefaultOrEmpty) return;
        for (var i = 0; i < command.Length; i++)
        {
            var arg = command[i];
            if (arg.Contains('\0', StringComparison.Ordinal))
                r.Error($"{key}[{i}]", "holds a NUL byte: the kernel ends an argument at it, so the program would get a different, shorter argument.",
                    "Remove it; pass binary data base64-encoded or through a file.");
            else if (arg.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
                r.Error($"{key}[{i}]", "holds a control character (an escape sequence or the like), which a reviewer cannot see in the plan.",
                    "Remove it; pass binary data base64-encoded or through a file.");
        }
    }

    /// <summary>
    /// The backup schedules' rules for a job's schedule (its heartbeat monitor is made the same way): one that never fires
    /// (<c>0 0 31 2 *</c>) would get a monitor waiting 366 days, one with gaps longer than Uptime Kuma can wait would go
    /// unnoticed when it stops. Null for a valid schedule, and for one the reader already refused as malformed.
    /// </summary>
    public static (string Problem, string Fix)? JobScheduleProblem(string schedule)
    {
        if (!Operations.CronSchedule.TryParse(schedule, out var cron, out _)) return null;
        var gap = cron!.LongestGap();
        if (gap is null)
            return ($"'{schedule}' never fires: no date matches it (e.g. 31 February, or 31 April), so the job would never run.",
                "Use a day of the month that every chosen month has, e.g. '0 2 28 2 *', or '0 2 * * *' for daily.");
        if (gap.Value.TotalSeconds + Operations.Backups.HeartbeatGraceSeconds > Operations.MonitorSpec.MaxIntervalSeconds)
            return ($"'{schedule}' can leave {gap.Value.TotalDays.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} days between runs; the job's heartbeat monitor cannot wait longer than {Operations.MonitorSpec.MaxIntervalSeconds / 86400} days (Uptime Kuma's limit), so a job that stopped would go unnoticed.",
                "Run it at least every 23 days, e.g. weekly '0 2 * * 0'; for a yearly task run a daily job that does nothing on other days.");
        return null;
    }

    /// <summary>The directory of the platform's health probe in every app container (<see cref="Blueprint.HealthProbe.ContainerPath"/>).</summary>
    private static readonly string ProbeDirectory = Blueprint.HealthProbe.ContainerPath[..Blueprint.HealthProbe.ContainerPath.LastIndexOf('/')];

    /// <summary>
    /// Address ranges no request from the internet comes from (RFC 1918 private, shared CGNAT 100.64/10, loopback,
    /// link-local, "this network", IPv6 unique-local and link-local): Traefik sees the client's public address (through
    /// Cloudflare's X-Forwarded-For, the load balancer's PROXY protocol, or the connection itself).
    /// </summary>
    private static readonly string[] NonPublicRanges =
        ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7", "fe80::/10"];

    /// <summary>An allow-list whose every CIDR lies in <see cref="NonPublicRanges"/>: it lets nobody in.</summary>
    private static void CheckOpenToNobody(ImmutableArray<string> cidrs, string key, string what, NodeReader r)
    {
        if (cidrs.IsDefaultOrEmpty) return;
        var parsed = cidrs.Select(c => Names.TryParseCidr(c, out var n, out _) ? n : (IPNetwork?)null).ToList();
        if (parsed.Any(n => n is null)) return; // a malformed CIDR is reported by the reader
        if (parsed.All(n => NonPublicRanges.Any(range => IPNetwork.Parse(range) is var outer
                && outer.BaseAddress.AddressFamily == n!.Value.BaseAddress.AddressFamily && outer.PrefixLength <= n.Value.PrefixLength && outer.Contains(n.Value.BaseAddress))))
            r.Error(key, $"lists only private, loopback or link-local addresses ({string.Join(", ", cidrs)}); requests reach {what} from the client's public address, so nobody could reach it.",
                "List the public addresses your office or VPN exit has on the internet (e.g. 203.0.113.10/32; 'curl https://ifconfig.me' shows yours), or remove the allow-list.");
    }

    /// <summary>Directories a volume must not cover: the kernel's interfaces and the system's own trees.</summary>
    private static readonly string[] KernelTrees = ["/proc", "/sys", "/dev"];
    private static readonly string[] SystemDirectories = ["/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr", "/var"];

    /// <summary>Why a volume's mount path escapes its own place or covers a kernel or system directory, or null.</summary>
    public static (string Problem, string Fix)? MountPathProblem(string path)
    {
        if (!path.StartsWith('/')) return null; // reported by the reader as not absolute
        var segments = path.Split('/').Skip(1).ToList();
        if (segments.Any(x => x is "." or ".."))
        {
            var kept = new List<string>();
            foreach (var x in segments)
            {
                if (x is "" or ".") continue;
                if (x == "..") { if (kept.Count > 0) kept.RemoveAt(kept.Count - 1); }
                else kept.Add(x);
            }
            return ($"'{path}' has '.' or '..' segments: Docker mounts it at {"/" + string.Join('/', kept)}, not where it reads.",
                "Give the plain absolute path where the image keeps the data, e.g. /app/uploads.");
        }
        if (KernelTrees.Any(k => path == k || path.StartsWith(k + "/", StringComparison.Ordinal)))
            return ($"'{path}' is inside {KernelTrees.First(k => path == k || path.StartsWith(k + "/", StringComparison.Ordinal))}, the kernel's interface: a volume there hides it from the app (and Docker refuses or breaks the container).",
                "Mount the volume where the image keeps its data, e.g. /app/data.");
        if (path == ProbeDirectory || path.StartsWith(ProbeDirectory + "/", StringComparison.Ordinal))
            return ($"'{path}' is where the platform mounts the health probe ({Blueprint.HealthProbe.ContainerPath}): a volume there collides with it, and the container's health check (or the container) fails.",
                "Mount the volume where the image keeps its data, e.g. /app/data.");
        if (path == Blueprint.Draining.Directory || path.StartsWith(Blueprint.Draining.Directory + "/", StringComparison.Ordinal))
            return ($"'{path}' is the platform's drain marker directory ({Blueprint.Draining.Directory}): a volume there would keep the marker across replacements, and a new instance would start out of the rotation.",
                "Mount the volume where the image keeps its data, e.g. /app/data.");
        if (SystemDirectories.Contains(path, StringComparer.Ordinal))
            return ($"'{path}' is a system directory: a volume over it hides the image's own files there, so the container no longer starts as built.",
                "Mount the volume on the data directory below it, e.g. /var/lib/app or /etc/app/conf.d.");
        return null;
    }

    /// <summary>
    /// Multi-label public suffixes people mistake for a domain of their own (a short embedded excerpt of the Public Suffix
    /// List, publicsuffix.org, not the whole list: no download at run time). Single-label suffixes (com, io…) are refused
    /// anyway, since a domain needs two labels.
    /// </summary>
    private static readonly ImmutableHashSet<string> PublicSuffixes = ImmutableHashSet.Create(StringComparer.Ordinal,
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "ac.uk", "gov.uk", "sch.uk", "nhs.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "id.au", "co.nz", "net.nz", "org.nz", "govt.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn", "gov.cn",
        "com.br", "net.br", "org.br", "gov.br", "com.ar", "com.mx", "org.mx", "co.in", "net.in", "org.in", "gov.in",
        "co.za", "org.za", "gov.za", "com.tr", "com.tw", "com.hk", "com.sg", "com.my", "co.id", "co.il", "co.th",
        "com.es", "com.pl", "com.ua", "com.ru", "co.at", "or.at", "gv.at", "co.it", "com.pt", "com.gr", "com.cy", "com.mt",
        "github.io", "gitlab.io", "pages.dev", "workers.dev", "herokuapp.com", "netlify.app", "vercel.app", "azurewebsites.net",
        "cloudfront.net", "appspot.com", "blogspot.com", "web.app", "firebaseapp.com", "fly.dev", "onrender.com", "duckdns.org",
        "s3.amazonaws.com", "elasticbeanstalk.com", "ngrok.io", "ngrok-free.app");

    /// <summary>Why a domain is an IP address or a public suffix (nobody's own domain), or null.</summary>
    public static (string Problem, string Fix)? DomainProblem(string domain)
    {
        var d = domain.TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(d.Trim('[', ']'), out _) || d.Split('.').All(l => l.Length > 0 && l.All(char.IsAsciiDigit)))
            return ($"'{domain}' is an IP address, not a domain: no certificate authority issues a certificate for it by HTTP-01 and no DNS record points a host at it.",
                "Give a domain name, e.g. shop.customer.com.");
        if (PublicSuffixes.Contains(d))
            return ($"'{domain}' is a public suffix (like co.uk), under which anyone registers domains; it is nobody's own domain.",
                $"Give a domain registered under it, e.g. example.{d}.");
        return null;
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
