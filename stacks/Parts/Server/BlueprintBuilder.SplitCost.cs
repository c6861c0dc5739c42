using Platform.Stacks.Catalog;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    /// <summary>
    /// A split stack's monthly cost: the app servers, the data server, the cache and file servers when declared, one IPv4
    /// per server, their automatic backups, the load balancer, each Hetzner Volume and the off-site storage; and what each
    /// server costs alone (the load balancer and off-site storage are shared).
    /// </summary>
    private static CostEstimate SplitCost(StackSettings s, TopologySettings t)
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
