using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Platform.Stacks.Operations;

/// <summary>Docker's default logging for every container (DESIGN.md: json-file, 100m, 3 files).</summary>
public sealed record DockerLogOptions(string Driver = "json-file", string MaxSize = "100m", int MaxFile = 3);

/// <summary>What the server's first boot needs. No secret goes in here: user data is readable by anything on the host.</summary>
/// <param name="SshPublicKeys">OpenSSH public key lines allowed to log in as <see cref="DeployUser"/>.</param>
/// <param name="SwapMb">Swap file size; use <see cref="CloudInit.SwapMbForRam"/>. 0 means no swap file.</param>
/// <param name="DeployUser">The only user allowed to log in over SSH (default <c>deploy</c>).</param>
/// <param name="Timezone">Server time zone (default UTC: logs and cron schedules agree everywhere).</param>
/// <param name="DockerLogs">Docker's default log options; null means DESIGN.md's defaults.</param>
/// <param name="GrantSudo">Passwordless sudo for the deploy user (see docs/operations.md for why it is passwordless).</param>
public sealed record CloudInitInput(
    ImmutableArray<string> SshPublicKeys,
    int SwapMb,
    string DeployUser = "deploy",
    string Timezone = "UTC",
    DockerLogOptions? DockerLogs = null,
    bool GrantSudo = true)
{
    public DockerLogOptions Logs => DockerLogs ?? new DockerLogOptions();

    /// <summary>Where the deployment and the admins connect from; fail2ban never bans them. Default: none.</summary>
    public ImmutableArray<string> AdminCidrs { get; init; } = [];

    /// <summary>
    /// Let programs bind an address the host does not have yet (a split stack's servers: Docker publishes on the
    /// private address, which after a reboot may come up after Docker has started its containers). Default: off.
    /// </summary>
    public bool NonLocalBind { get; init; }
}

/// <summary>
/// What the Pulumi shell runs over SSH (as the deploy user) before the Docker provider touches the server:
/// <see cref="Command"/> must exit 0. The command waits for cloud-init, insists on <c>status: done</c>
/// (not <c>error</c>, not <c>degraded</c>), then checks the deploy user can reach the Docker daemon.
/// </summary>
public sealed record ReadinessCheck(string Command, ImmutableArray<int> SuccessExitCodes, string ExpectedStatusLine, TimeSpan Timeout);

/// <summary>Renders the hardened server's cloud-init user data.</summary>
public static class CloudInit
{
    public const string SshdDropInPath = "/etc/ssh/sshd_config.d/00-platform-hardening.conf";
    public const string DockerDaemonJsonPath = "/etc/docker/daemon.json";
    public const string AutoUpgradesPath = "/etc/apt/apt.conf.d/20auto-upgrades";
    public const string Fail2banJailPath = "/etc/fail2ban/jail.d/sshd.local";
    public const string SwappinessPath = "/etc/sysctl.d/60-platform-swap.conf";
    public const string NonLocalBindPath = "/etc/sysctl.d/60-platform-nonlocal-bind.conf";
    public const string NonLocalBind = "net.ipv4.ip_nonlocal_bind = 1\n";
    public const string NeedrestartPath = "/etc/needrestart/conf.d/60-platform-docker.conf";

    /// <summary>
    /// needrestart (on Ubuntu's server images) restarts services whose libraries an upgrade replaced. The full upgrade runs
    /// while the deployment drives Docker (<see cref="Render"/>), so it never restarts the Docker daemon or containerd by
    /// itself: a restart mid-deployment would fail the Docker provider's calls. They are fresh from the same package lists
    /// anyway; a library they use that the upgrade replaces is picked up at the next reboot (the reboot-required monitor).
    /// </summary>
    public const string NeedrestartDocker =
        "# Managed by the platform (cloud-init): the first boot's full upgrade runs while the deployment uses Docker.\n"
        + "push @{$nrconf{blacklist_rc}}, qr(^docker\\.service$), qr(^containerd\\.service$);\n";

    /// <summary>
    /// The full upgrade, cloud-init's last step: what cloud-init's <c>package_upgrade</c> ran before (its Debian distro's
    /// <c>APT_GET_COMMAND</c> with <c>dist-upgrade</c>: keep changed configuration files, unsafe I/O, no questions), plus a
    /// wait for the package lock that a starting apt timer may hold.
    /// </summary>
    public static readonly ImmutableArray<string> FullUpgrade =
    [
        "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "--option=Dpkg::Options::=--force-confold", "--option=Dpkg::options::=--force-unsafe-io",
        "--option=DPkg::Lock::Timeout=600", "--assume-yes", "--quiet", "dist-upgrade",
    ];
    public const string SwapFile = "/swapfile";

    /// <summary>Packages installed on first boot: Docker from the distribution, intrusion bans, security updates, time sync.</summary>
    public static readonly ImmutableArray<string> Packages = ["docker.io", "fail2ban", "unattended-upgrades", "systemd-timesyncd", Blueprint.HealthProbe.Package];

    /// <summary>
    /// Swap size for a server with <paramref name="ramMb"/> of memory: half the RAM, at least 1 GiB, at most 4 GiB.
    /// Swap is a cushion against the kernel's OOM killer during a spike (every container has a memory limit),
    /// not capacity: more than a few GiB only turns an outage into a slow crawl and wastes disk.
    /// </summary>
    public static int SwapMbForRam(int ramMb)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ramMb);
        return Math.Clamp(ramMb / 2, 1024, 4096);
    }

    /// <summary>
    /// The readiness step the shell runs before Docker is used (see <see cref="ReadinessCheck"/>): it waits until the deploy
    /// user reaches the Docker daemon, which cloud-init installs before it runs the full upgrade (<see cref="Render"/>), so
    /// images pull and containers start while the upgrade finishes. It fails as soon as cloud-init has finished (done, error
    /// or degraded) with Docker still unreachable, printing <c>cloud-init status --long</c>. It prints the host key last.
    /// </summary>
    public static ReadinessCheck Readiness { get; } = new(
        Command: string.Join("; ",
            "until docker info --format '{{.ServerVersion}}' >/dev/null 2>&1",
            "do s=$(cloud-init status 2>/dev/null | sed -n 's/^status: //p')",
            "case \"$s\" in *done*|*error*|*degraded*|disabled) cloud-init status --long >&2; echo \"cloud-init is $s but the deploy user cannot reach the Docker daemon; see /var/log/cloud-init-output.log on the server\" >&2; exit 1;; esac",
            "sleep 2",
            "done",
            // The host key, read on this first contact and pinned for every later SSH connection of the deployment.
            $"printf '{HostKeyMarker}%s\\n' \"$(cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub)\""),
        SuccessExitCodes: [0],
        ExpectedStatusLine: "",
        Timeout: TimeSpan.FromMinutes(20));

    /// <summary>
    /// The step before a server takes traffic: cloud-init has finished, the full package upgrade (its last step) included.
    /// It insists on <c>status: done</c> (not <c>error</c>, not <c>degraded</c>): a failed upgrade keeps the stack's DNS records
    /// and load-balancer targets from being made, so no request reaches a server that is not fully patched.
    /// </summary>
    public static ReadinessCheck Patched { get; } = new(
        Command: string.Join("; ",
            "out=$(cloud-init status --wait 2>&1)",
            "rc=$?",
            "printf '%s\\n' \"$out\"",
            "if [ \"$rc\" -ne 0 ] || ! printf '%s\\n' \"$out\" | grep -qx 'status: done'; then cloud-init status --long >&2; echo \"cloud-init did not finish cleanly (exit $rc), the full upgrade included; see /var/log/cloud-init-output.log on the server\" >&2; exit 1; fi"),
        SuccessExitCodes: [0],
        ExpectedStatusLine: "status: done",
        Timeout: TimeSpan.FromMinutes(20));

    /// <summary>Prefix of the readiness output's line that carries the server's ed25519 host key.</summary>
    public const string HostKeyMarker = "platform-host-key: ";

    /// <summary>
    /// The host key from the readiness step's output ("ssh-ed25519 AAAA…"), or null when it printed none.
    /// </summary>
    public static string? HostKeyFrom(string? readinessOutput)
    {
        var line = (readinessOutput ?? "").Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(HostKeyMarker, StringComparison.Ordinal));
        var key = line?[HostKeyMarker.Length..].Trim();
        var parts = key?.Split(' ');
        return parts is [var type, var blob] && type.StartsWith("ssh-", StringComparison.Ordinal) && blob.Length > 16 && blob.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')
            ? key
            : null;
    }

    /// <summary>The sshd drop-in: keys only, no root, only the deploy user.</summary>
    public static string SshdHardening(string deployUser) => string.Join("\n",
        "# Managed by the platform (cloud-init). sshd uses the first value it reads; this file sorts first.",
        "PermitRootLogin no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        "AuthenticationMethods publickey",
        "PermitEmptyPasswords no",
        "X11Forwarding no",
        // The deploying agent may hold several keys; each offered key counts as a try (use IdentitiesOnly).
        "MaxAuthTries 6",
        // The deployment opens many SSH sessions at once (host commands in parallel; the Docker provider
        // multiplexes its own over one connection): start refusing unauthenticated connections at 30, not 10.
        "MaxStartups 30:50:100",
        "MaxSessions 20",
        "LoginGraceTime 30",
        $"AllowUsers {deployUser}",
        "");

    /// <summary>Docker daemon settings: log rotation for every container, and containers survive a daemon restart.</summary>
    public static string DockerDaemonJson(DockerLogOptions logs)
    {
        var json = new JsonObject
        {
            ["log-driver"] = logs.Driver,
            ["log-opts"] = new JsonObject
            {
                ["max-size"] = logs.MaxSize,
                // Docker requires log-opts values to be strings.
                ["max-file"] = logs.MaxFile.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            ["live-restore"] = true,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public const string AutoUpgrades =
        "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\nAPT::Periodic::AutocleanInterval \"7\";\n";

    /// <summary>
    /// fail2ban's sshd jail. The admin CIDRs (where the deployment runs from) are never banned: a deploy
    /// with many parallel sessions, or an agent offering several keys, must not lock the deployer out.
    /// </summary>
    public static string Fail2banJail(IEnumerable<string> adminCidrs) =>
        "[sshd]\nenabled = true\nmode = aggressive\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\n"
        + $"ignoreip = {string.Join(" ", new[] { "127.0.0.1/8", "::1" }.Concat(adminCidrs))}\n";

    public const string Swappiness = "vm.swappiness = 10\n";

    /// <summary>The user data: <c>#cloud-config</c> followed by YAML serialized from a model (never concatenated).</summary>
    public static string Render(CloudInitInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Problems(input) is { Count: > 0 } problems)
            throw new ArgumentException("Invalid cloud-init input: " + string.Join(" ", problems), nameof(input));

        var user = new Dictionary<string, object>
        {
            ["name"] = input.DeployUser,
            ["gecos"] = "Platform deploy user",
            ["shell"] = "/bin/bash",
            ["groups"] = new[] { "docker" },
            ["lock_passwd"] = true,
            ["ssh_authorized_keys"] = input.SshPublicKeys.ToArray(),
        };
        if (input.GrantSudo) user["sudo"] = "ALL=(ALL) NOPASSWD:ALL";

        var doc = new Dictionary<string, object>
        {
            ["timezone"] = input.Timezone,
            ["disable_root"] = true,
            ["ssh_pwauth"] = false,
            // Created before the users, so the deploy user can join it before docker.io is installed.
            ["groups"] = new[] { "docker" },
            ["users"] = new object[] { user },
            ["write_files"] = (object[])
            [
                File(SshdDropInPath, SshdHardening(input.DeployUser), "0644"),
                File(DockerDaemonJsonPath, DockerDaemonJson(input.Logs), "0644"),
                File(AutoUpgradesPath, AutoUpgrades, "0644"),
                File(Fail2banJailPath, Fail2banJail(input.AdminCidrs), "0644"),
                File(SwappinessPath, Swappiness, "0644"),
                File(NeedrestartPath, NeedrestartDocker, "0644"),
                .. (input.NonLocalBind ? new[] { File(NonLocalBindPath, NonLocalBind, "0644") } : []),
            ],
            // Docker first, from fresh package lists (so the upgrade below has nothing of it to replace): the readiness step
            // lets the deployment pull images and start containers as soon as Docker answers.
            ["package_update"] = true,
            ["package_upgrade"] = false,
            ["package_reboot_if_required"] = false,
            ["packages"] = Packages.ToArray(),
            ["runcmd"] = new object[]
            {
                new[] { "sysctl", "--system" },
                new[] { "timedatectl", "set-ntp", "true" },
                new[] { "systemctl", "enable", "--now", "docker", "fail2ban", "unattended-upgrades" },
                new[] { "sh", "-c", "sshd -t && systemctl try-reload-or-restart ssh" },
                // Last: cloud-init reports done only once the server is fully patched (the step before it takes traffic).
                FullUpgrade.ToArray(),
            },
        };

        if (input.SwapMb > 0)
        {
            doc["swap"] = new Dictionary<string, object>
            {
                ["filename"] = SwapFile,
                ["size"] = (long)input.SwapMb * 1024 * 1024,
                ["maxsize"] = (long)input.SwapMb * 1024 * 1024,
            };
        }

        return "#cloud-config\n" + Serializer.Serialize(doc);
    }

    /// <summary>Built once: building a serializer costs far more than using it, and it keeps no state between uses.</summary>
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    /// <summary>What is wrong with <paramref name="input"/>; empty when it can be rendered.</summary>
    public static IReadOnlyList<string> Problems(CloudInitInput input)
    {
        var problems = new List<string>();
        if (!System.Text.RegularExpressions.Regex.IsMatch(input.DeployUser, "^[a-z_][a-z0-9_-]{0,31}$"))
            problems.Add($"Deploy user '{input.DeployUser}' is not a valid Linux user name.");
        if (input.DeployUser == "root") problems.Add("The deploy user must not be root.");
        if (input.SshPublicKeys.IsDefaultOrEmpty) problems.Add("At least one SSH public key is required (password login is disabled).");
        else if (input.SshPublicKeys.Any(k => k.Contains('\n') || k.Contains('\r') || !k.StartsWith("ssh-", StringComparison.Ordinal) && !k.StartsWith("ecdsa-", StringComparison.Ordinal) && !k.StartsWith("sk-", StringComparison.Ordinal)))
            problems.Add("Every SSH public key must be one OpenSSH public key line (ssh-ed25519 AAAA… comment).");
        if (input.SwapMb is < 0 or > 65536) problems.Add($"Swap size {input.SwapMb} MB is outside 0–65536.");
        if (string.IsNullOrWhiteSpace(input.Timezone)) problems.Add("Timezone is empty.");
        if (input.Logs.MaxFile < 1) problems.Add("Docker log max-file must be at least 1.");
        return problems;
    }

    private static Dictionary<string, object> File(string path, string content, string permissions) => new()
    {
        ["path"] = path,
        ["owner"] = "root:root",
        ["permissions"] = permissions,
        ["content"] = content,
    };
}
