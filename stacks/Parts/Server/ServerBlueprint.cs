using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Catalog;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Server;

/// <summary>
/// The server part on the stack: each Hetzner server with its cloud-init, the Hetzner firewall, the data volume, and the
/// monthly cost of it all.
/// </summary>
public static class ServerBlueprint
{
    /// <summary>A server of the stack: the single one, or (with <paramref name="key"/>) a split stack's data or app server.</summary>
    internal static ServerSpec Server(StackSettings s, ServerType type, ServerKey? key = null)
    {
        var keys = s.Server.SshPublicKeys.Select((k, i) => new SshKeySpec($"{s.Stack}-{Names.SshKeyName(k, i)}", k.Trim())).ToImmutableArray();
        var labels = new Dictionary<string, string> { ["project"] = s.Project, ["stack"] = s.Stack, ["environment"] = s.IsProd ? "prod" : "staging" };
        if (key is { Role: { } role }) labels["role"] = TopologySettings.RoleKey(key);
        return new ServerSpec(
            Name: key is null or { IsSingle: true } ? $"{s.Project}-{s.Stack}" : $"{s.Project}-{s.Stack}-{key.Id}",
            Type: type.Name,
            Location: s.Server.Location,
            Image: s.Server.Image,
            SshKeys: keys,
            DeployUser: s.Server.DeployUser,
            UserData: ServerUserData(s, type),
            Labels: Conventions.Labels(labels),
            Protect: s.IsProd,
            ReadinessCommand: ReadinessCommand,
            ReadinessTimeoutSeconds: (int)CloudInit.Readiness.Timeout.TotalSeconds,
            MemoryMb: type.MemoryGb * 1024,
            Vcpus: type.Vcpus) { Key = key ?? ServerKey.Single, Backups = s.ServerBackups };
    }

    /// <summary>The hardened server's first boot (see <see cref="CloudInit"/>); no secret is in it.</summary>
    internal static string ServerUserData(StackSettings s, ServerType type) =>
        CloudInit.Render(new CloudInitInput(s.Server.SshPublicKeys, CloudInit.SwapMbForRam(type.MemoryGb * 1024), s.Server.DeployUser)
        {
            AdminCidrs = s.AdminCidrs,
            NonLocalBind = s.IsSplit,
        });

    /// <summary>Run over SSH before Docker is touched; bounded by <c>timeout</c> because a remote command has no deadline of its own.</summary>
    public static string ReadinessCommand { get; } =
        $"timeout {(int)CloudInit.Readiness.Timeout.TotalSeconds} bash -c {Shell.Quote(CloudInit.Readiness.Command)}";

    internal static FirewallSpec Firewall(StackSettings s)
    {
        var web = s.CloudflareOnlyIngress ? CloudflareRanges.All : ["0.0.0.0/0", "::/0"];
        var webSource = s.CloudflareOnlyIngress ? "Cloudflare's ranges only" : "anywhere";
        return new FirewallSpec($"{s.Project}-{s.Stack}",
        [
            new($"SSH from admin CIDRs", "tcp", "22", s.AdminCidrs),
            new($"HTTP from {webSource} (redirects to HTTPS)", "tcp", "80", web),
            new($"HTTPS from {webSource}", "tcp", "443", web),
            new("ICMP (ping, path MTU discovery)", "icmp", null, ["0.0.0.0/0", "::/0"]),
        ]);
    }

    /// <summary>Where the Hetzner data volume is mounted on the server.</summary>
    public const string DataVolumeMountPath = "/srv/platform/data";

    /// <summary>With a data volume, every durable Docker volume binds to its own directory on it.</summary>
    internal static ImmutableArray<VolumeSpec> OnDataVolume(StackSettings s, ImmutableArray<VolumeSpec> volumes) =>
        s.DataVolumeGb == 0 ? volumes : [.. volumes.Select(v => v.Durable ? v with { HostPath = $"{DataVolumeMountPath}/{v.Name}" } : v)];

    internal static DataVolumeSpec? DataVolume(StackSettings s, ImmutableArray<VolumeSpec> volumes) =>
        s.DataVolumeGb == 0 ? null : DataVolume(s, volumes, $"{s.Project}-{s.Stack}-data", s.DataVolumeGb);

    /// <summary>A Hetzner Volume of <paramref name="sizeGb"/> named <paramref name="name"/>, holding <paramref name="volumes"/>' directories.</summary>
    internal static DataVolumeSpec DataVolume(StackSettings s, ImmutableArray<VolumeSpec> volumes, string name, int sizeGb)
    {
        var directories = volumes.Where(v => v.HostPath is not null).Select(v => v.HostPath!).Order(StringComparer.Ordinal);
        // Hetzner links each attached volume as /dev/disk/by-id/scsi-0HC_Volume_<id>; the server has exactly one.
        var script = string.Join("\n",
        [
            "set -eu",
            "set -- /dev/disk/by-id/scsi-0HC_Volume_*",
            "if [ \"$#\" -ne 1 ] || [ ! -e \"$1\" ]; then echo \"expected exactly one attached Hetzner Volume, found: $*\" >&2; exit 1; fi",
            $"sudo install -d -m 0755 {DataVolumeMountPath}",
            $"grep -q ' {DataVolumeMountPath} ' /etc/fstab || echo \"$1 {DataVolumeMountPath} ext4 discard,nofail,defaults 0 2\" | sudo tee -a /etc/fstab >/dev/null",
            $"mountpoint -q {DataVolumeMountPath} || sudo mount {DataVolumeMountPath}",
            .. directories.Select(d => $"sudo install -d -m 0755 {d}"),
            "",
        ]);
        return new DataVolumeSpec(name, sizeGb, s.Server.Location, "ext4", DataVolumeMountPath, s.IsProd, script);
    }

    /// <summary>The monthly cost from the price table, with the stack's <c>prices</c> overrides applied.</summary>
    internal static CostEstimate Cost(StackSettings s, ServerType type)
    {
        decimal Price(string item, decimal listed) => s.Prices.TryGetValue(item, out var over) ? over : listed;
        var lines = new List<CostLine>
        {
            new($"Hetzner {type.Name} server ({type.Vcpus} vCPU, {type.MemoryGb} GB, {type.Cpu}; traffic included)", 1, "month", Price(type.Name, type.MonthlyEur)),
            new("Primary IPv4 address", 1, "month", Price("ipv4", Prices.PrimaryIpv4Eur)),
        };
        if (s.ServerBackups)
            lines.Add(ServerBackupsLine($"{type.Name} server", 1, Price(type.Name, type.MonthlyEur)));
        if (s.DataVolumeGb > 0)
            lines.Add(new($"Hetzner Volume for the stateful data (platform:dataVolumeGb)", s.DataVolumeGb, "GB-month", Price("volumePerGb", Prices.VolumePerGbEur)));
        if (s.Backups.Enabled)
            lines.Add(new($"Off-site backup storage at {s.Backups.S3Endpoint} (estimate, platform:backupStorageGb)", s.BackupStorageGb, "GB-month", Price("backupStoragePerGb", Prices.BackupStoragePerGbEur)));
        if (s.Backups is { Enabled: true, StorageBox: { } box })
            lines.Add(StorageBox.CostLine(box, Price));
        if (s.Postgres.Pitr)
            lines.Add(new($"Point-in-time recovery repository (pgBackRest: base backups and WAL) at {s.Backups.S3Endpoint} (estimate, platform:postgresPitrStorageGb)",
                s.Postgres.PitrStorageGb, "GB-month", Price("backupStoragePerGb", Prices.BackupStoragePerGbEur)));
        return new CostEstimate([.. lines]);
    }

    /// <summary>Hetzner's automatic backups of <paramref name="count"/> servers: a share of each one's price.</summary>
    internal static CostLine ServerBackupsLine(string servers, int count, decimal serverPriceEur) =>
        new($"Hetzner automatic backups of the {servers}{(count > 1 ? "s" : "")} (7 daily slots; {Prices.ServerBackupsPercent.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}% of the server price; platform:serverBackups)",
            count, "month", ServerBackupsEur(serverPriceEur));

    /// <summary>What Hetzner bills for one server's backups: 20% of its price, to the cent, as its price list shows it.</summary>
    internal static decimal ServerBackupsEur(decimal serverPriceEur) => decimal.Round(serverPriceEur * Prices.ServerBackupsPercent / 100m, 2);


    /// <summary>
    /// A split stack's monthly cost: the app servers, the data server, the cache and file servers when declared, one IPv4
    /// per server, their automatic backups, the load balancer, each Hetzner Volume and the off-site storage; and what each
    /// server costs alone (the load balancer and off-site storage are shared).
    /// </summary>
    internal static CostEstimate SplitCost(StackSettings s, TopologySettings t)
    {
        decimal Price(string item, decimal listed) => s.Prices.TryGetValue(item, out var over) ? over : listed;
        var app = ServerTypes.All[t.AppType];
        var data = ServerTypes.All[t.DataType];
        var roles = t.RoleServers.Select(k => (Key: k, Type: ServerTypes.All[t.TypeOf(k)], VolumeGb: t.VolumeGbOf(k))).ToList();
        List<CostLine> lines =
        [
            new($"Hetzner {app.Name} app server ({app.Vcpus} vCPU, {app.MemoryGb} GB, {app.Cpu}; traffic included)", t.AppCount, "month", Price(app.Name, app.MonthlyEur)),
            new($"Hetzner {data.Name} data server ({data.Vcpus} vCPU, {data.MemoryGb} GB, {data.Cpu}; traffic included)", 1, "month", Price(data.Name, data.MonthlyEur)),
            .. roles.Select(r => new CostLine($"Hetzner {r.Type.Name} {r.Key.Description} ({r.Type.Vcpus} vCPU, {r.Type.MemoryGb} GB, {r.Type.Cpu}; traffic included)", 1, "month", Price(r.Type.Name, r.Type.MonthlyEur))),
            new("Primary IPv4 address (one per server)", t.AppCount + 1 + roles.Count, "month", Price("ipv4", Prices.PrimaryIpv4Eur)),
        ];
        if (s.ServerBackups)
        {
            lines.Add(ServerBackupsLine($"{app.Name} app server", t.AppCount, Price(app.Name, app.MonthlyEur)));
            lines.Add(ServerBackupsLine($"{data.Name} data server", 1, Price(data.Name, data.MonthlyEur)));
            lines.AddRange(roles.Select(r => ServerBackupsLine($"{r.Type.Name} {r.Key.Description}", 1, Price(r.Type.Name, r.Type.MonthlyEur))));
        }
        if (t.LoadBalanced)
            lines.Add(new($"Hetzner {Prices.LoadBalancerType} load balancer", 1, "month", Price(Prices.LoadBalancerType, Prices.LoadBalancerEur)));
        lines.Add(new("Hetzner Volume for the stateful data (platform:servers.data.volumeGb)", t.DataVolumeGb, "GB-month", Price("volumePerGb", Prices.VolumePerGbEur)));
        foreach (var r in roles.Where(r => r.VolumeGb > 0))
            lines.Add(new($"Hetzner Volume for the {r.Key.Description}'s data (platform:servers.{TopologySettings.RoleKey(r.Key)}.volumeGb)", r.VolumeGb, "GB-month", Price("volumePerGb", Prices.VolumePerGbEur)));
        if (s.Backups.Enabled)
            lines.Add(new($"Off-site backup storage at {s.Backups.S3Endpoint} (estimate, platform:backupStorageGb)", s.BackupStorageGb, "GB-month", Price("backupStoragePerGb", Prices.BackupStoragePerGbEur)));
        if (s.Backups is { Enabled: true, StorageBox: { } box })
            lines.Add(Platform.Stacks.Operations.StorageBox.CostLine(box, Price));
        var ipv4 = Price("ipv4", Prices.PrimaryIpv4Eur);
        decimal Volume(int gb) => decimal.Round(gb * Price("volumePerGb", Prices.VolumePerGbEur), 2);
        decimal Backups(decimal serverEur) => s.ServerBackups ? ServerBackupsEur(serverEur) : 0m;
        decimal Server(ServerType type, int volumeGb) => Price(type.Name, type.MonthlyEur) + Backups(Price(type.Name, type.MonthlyEur)) + ipv4 + Volume(volumeGb);
        return new CostEstimate([.. lines])
        {
            PerServer =
            [
                new ServerCost(ServerKey.Data, Server(data, t.DataVolumeGb)),
                .. roles.Select(r => new ServerCost(r.Key, Server(r.Type, r.VolumeGb))),
                .. t.AppServers.Select(k => new ServerCost(k, Server(app, 0))),
            ],
        };
    }
}
