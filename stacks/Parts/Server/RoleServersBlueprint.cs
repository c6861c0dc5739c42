using System.Collections.Immutable;
using System.Globalization;
using MountKind = Platform.Stacks.Blueprint.MountKind;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Server;

/// <summary>
/// A split stack's optional cache server (<c>platform:servers.cache</c>: every Redis instance) and file server
/// (<c>platform:servers.files</c>: MinIO). Their data services publish their ports on their own private address, as the
/// data server's do; what stays on the data server and used them by name (Uptime Kuma's monitors) reaches them at that
/// address; and each archives its own data with a backup runner of its own, since the runner reads the data from the
/// server's volumes (a runner on the data server cannot mount a volume of another server, and copying the data across
/// the private network first would only add a step that can fail). Their timers report to Uptime Kuma on the data
/// server like every other job's, so a failing archive there turns the same monitor red.
/// </summary>
public static class RoleServersBlueprint
{
    /// <summary>The server a data-service name an app resolves lives on: <c>redis</c> on the cache server, <c>minio</c> on the file server, when declared.</summary>
    internal static ServerKey AliasHost(TopologySettings t, string alias) =>
        alias == Parts.Redis.RedisNames.Alias ? t.HostOf(PartKind.Redis)
        : alias == ServiceNames.Minio ? t.HostOf(PartKind.ObjectStorage)
        : ServerKey.Data;

    /// <summary>The Hetzner Volumes of the cache and file servers that have a <c>volumeGb</c>, each holding the durable volumes placed there.</summary>
    internal static ImmutableArray<DataVolumeSpec> RoleVolumes(StackSettings s, TopologySettings t, ImmutableArray<VolumeSpec> placed) =>
    [
        .. t.RoleServers.Where(k => t.VolumeGbOf(k) > 0).Select(k =>
            Parts.Server.ServerBlueprint.DataVolume(s, [.. placed.Where(v => v.Host == k)], $"{s.Project}-{s.Stack}-{k.Id}", t.VolumeGbOf(k)) with { Server = k }),
    ];

    /// <summary>
    /// With a cache or file server: Uptime Kuma (on the data server) resolves the names of the data services that moved
    /// to that server's address, and each such server gets its own backup runner (<c>backup@cache</c>, <c>backup@files</c>)
    /// and timers (<c>backup-timers@cache</c>, …) for the jobs whose data is on its volumes; the data server's runner keeps
    /// the rest. Nothing changes without them.
    /// </summary>
    internal static void WithRoleServers(StackSettings s, TopologySettings t, List<ServiceSpec> services, List<HostCommandSpec> commands, List<VolumeSpec> volumes)
    {
        if (t.RoleServers.IsEmpty) return;
        var moved = services.Where(x => x.Host.Role is ServerRole.Cache or ServerRole.Files && x.Kind == ServiceKind.Data && !x.PublishedPorts.IsEmpty)
            .Select(x => new ExtraHost(x.ContainerName ?? x.Name, PrivateAddresses.Of(x.Host)))
            .OrderBy(h => h.Host, StringComparer.Ordinal).ToImmutableArray();
        var kuma = services.FindIndex(x => x.Name == ServiceNames.UptimeKuma);
        if (kuma >= 0 && !moved.IsEmpty)
            services[kuma] = services[kuma] with { ExtraHosts = [.. services[kuma].ExtraHosts, .. moved] };

        if (BackupsBlueprint.BackupsInput(s) is not { } input) return;
        var jobs = Operations.Backups.Plan(input, Parts.MariaDb.MariaDbBlueprint.AgentDumps(s)).Jobs;
        var runnerIndex = services.FindIndex(x => x.Name == Operations.Backups.RunnerName);
        if (runnerIndex < 0) return;
        var runner = services[runnerIndex];
        var homeOf = volumes.Where(v => v.Host.HoldsData).GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Host, StringComparer.Ordinal);
        ServerKey HomeOf(BackupJob job) => job.SourceMounts.Select(m => homeOf.GetValueOrDefault(m.Source)).OfType<ServerKey>().FirstOrDefault() ?? ServerKey.Data;
        var byServer = jobs.GroupBy(HomeOf).ToDictionary(g => g.Key, g => g.ToList());
        if (byServer.Keys.All(k => k == ServerKey.Data)) return;

        // A runner with only the mounts and job files of some jobs (the credentials, encryption and Storage Box files stay).
        ServiceSpec RunnerFor(IReadOnlyList<BackupJob> mine, IEnumerable<BackupJob> others)
        {
            var otherFiles = others.Select(j => j.Config.Path).ToHashSet(StringComparer.Ordinal);
            var mounts = mine.SelectMany(j => j.SourceMounts).Select(m => (m.Source, m.Target)).ToHashSet();
            return runner with
            {
                Mounts = [.. runner.Mounts.Where(m => m.Kind != MountKind.Volume || mounts.Contains((m.Source, m.Target)))],
                Files = [.. runner.Files.Where(f => !otherFiles.Contains(f.Path))],
            };
        }
        var kumaUrl = $"http://{PrivateAddresses.Of(ServerKey.Data)}:{Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort.ToString(CultureInfo.InvariantCulture)}";
        var timers = commands.FindIndex(c => c.Name == Parts.Backups.BackupsBlueprint.BackupTimersCommand);
        var dataJobs = byServer.GetValueOrDefault(ServerKey.Data) ?? [];
        if (dataJobs.Count > 0)
        {
            services[runnerIndex] = RunnerFor(dataJobs, jobs.Except(dataJobs));
            if (timers >= 0) commands[timers] = Parts.Backups.BackupsBlueprint.BackupTimersHostCommand(dataJobs, null, null) with { Host = ServerKey.Data };
        }
        else
        {
            services.RemoveAt(runnerIndex);
            if (timers >= 0) commands.RemoveAt(timers);
        }
        foreach (var server in t.RoleServers.Where(byServer.ContainsKey))
        {
            var mine = byServer[server];
            services.Add(RunnerFor(mine, jobs.Except(mine)) with { Name = server.Qualify(runner.Name), Host = server });
            commands.Add(Parts.Backups.BackupsBlueprint.BackupTimersHostCommand(mine, server, kumaUrl));
        }
    }
}
