using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Blueprint;

/// <summary>Backups, monitors and the containers that run them, as the operations core renders them.</summary>
public sealed record OperationsParts(
    ImmutableArray<BackupJob> Jobs,
    ImmutableArray<MonitorSpec> Monitors,
    ImmutableArray<OpsContainer> Containers,
    ImmutableArray<GeneratedSecret> Secrets,
    ImmutableArray<NotificationTarget> Channels,
    BackupPlan? Backup)
{
    /// <summary>The backup hooks a database container carries (labels, env, dump volume); null when backups are off.</summary>
    public DumpHooks? HooksFor(string container) => Backup?.Hooks.FirstOrDefault(h => h.Container == container);
}

public static class OperationsBlueprint
{
    /// <summary>
    /// The operations containers, jobs and files. Asked for by the blueprint and by the memory budget (which the
    /// settings rules also compute), so computed once per settings object, keyed by the instance.
    /// </summary>
    public static OperationsParts Of(StackSettings s) => OperationsMemo.GetValue(s, ComputeOperations);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings, OperationsParts> OperationsMemo = new();

    internal static OperationsParts ComputeOperations(StackSettings s)
    {
        var networks = new OpsNetworks(ServiceNames.DataNetwork, ServiceNames.EdgeNetwork);
        var kumaUrl = Parts.Monitoring.MonitoringBlueprint.UptimeKumaInternalUrl;
        var plan = Parts.Backups.BackupsBlueprint.BackupsInput(s) is { } backups ? Backups.Plan(backups, Parts.MariaDb.MariaDbBlueprint.AgentDumps(s)) : null;
        var jobs = plan?.Jobs ?? [];
        var dataServices = Monitors.DefaultDataServices
            .AddRange(Parts.Redis.RedisNames.Of(s).Select(i => new DataService(Parts.Redis.RedisNames.MonitorName(i.Owner), i.Container, i.Port)));
        if (Parts.MariaDb.MariaDbBlueprint.PartOf(s) is { } mariadb) dataServices = dataServices.Add(mariadb.DataService);
        // Every alerting monitor notifies every channel; the id they carry says only that they alert.
        var channels = AlertChannels.Of(s);
        NotificationTarget? notification = channels.IsEmpty ? null : channels[0] with { Id = AlertChannels.MonitorsNotify };
        var monitors = Monitors.For(new MonitoringInput(Parts.Monitoring.MonitoringBlueprint.MonitoredHosts(s), dataServices, Monitors.DefaultMinioHealthUrl, jobs, notification))
            .AddRange(HostMetrics.MonitorsFor(notification?.Id)).AddRange(Parts.Apps.AppsBlueprint.JobMonitors(s, notification?.Id))
            .AddRange(s.Postgres.Pitr ? HostMetrics.PitrMonitorsFor(notification?.Id) : [])
            // Every app server (and cache or file server) of a split stack reports its own CPU, memory and disk.
            .AddRange((s.Topology?.ReportingServers ?? []).SelectMany(k => HostMetrics.MonitorsFor(notification?.Id, k)))
            // The load balancer quietly drops a failing Traefik from rotation; this says so.
            .AddRange(s.Topology is { LoadBalanced: true } t ? t.AppServers.Select(k => MonitorSpec.Http($"traefik-{k.Id}", $"Traefik on {k.Id} (load balancer health check)",
                $"http://{PrivateAddresses.Of(k)}:{Parts.Server.TopologyBlueprint.TraefikPingPort.ToString(CultureInfo.InvariantCulture)}/ping", notification?.Id)) : [])
            .AddRange(Parts.Reboots.Monitors(s, notification?.Id))
            .Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var monitoring = new MonitoringServicesInput(s.UptimeKuma.Image, s.AutoKuma.Image, Parts.Monitoring.MonitoringBlueprint.UptimeKumaAdminUser, SecretNames.UptimeKumaAdmin,
            monitors, channels, networks, kumaUrl, s.AutoKuma.MemoryMb);

        var containers = new List<OpsContainer>
        {
            AutoKuma.Container(monitoring),
            AutoKuma.SetupContainer(monitoring),
            HostMetrics.Container(new HostMetricsInput(s.Postgres.Service.Image, AlertThresholds.Default, ServiceNames.Postgres,
                SecretNames.PostgresMonitor, kumaUrl, networks, s.Monitoring.HostMetricsMemoryMb, s.Postgres.Pitr)),
        };
        if (plan is not null) containers.AddRange([plan.Runner, .. plan.Agents]);
        return new OperationsParts(jobs, monitors, [.. containers.OrderBy(c => c.Name, StringComparer.Ordinal)],
            [.. jobs.Select(j => j.PushToken).Concat(HostMetrics.Secrets).Concat(s.Postgres.Pitr ? HostMetrics.PitrSecrets : []).Concat((s.Topology?.ReportingServers ?? []).SelectMany(k => HostMetrics.SecretsFor(k)))
                .Concat(Parts.Apps.AppsBlueprint.JobSecrets(s)).Concat(Parts.Reboots.Secrets(s)).OrderBy(t => t.Name, StringComparer.Ordinal)], channels, plan);
    }

    internal static IEnumerable<ServiceSpec> OperationsServices(OperationsParts ops, StackSettings s) =>
        ops.Containers.Select(c => OpsService(c, s));

    /// <summary>An operations container as a service: same conventions as every other container.</summary>
    internal static ServiceSpec OpsService(OpsContainer c, StackSettings s) => new()
    {
        Name = c.Name,
        Part = OpsPart(c),
        Kind = ServiceKind.Operations,
        ContainerName = c.Name,
        Replacement = Replacement.DeleteBeforeCreate,
        Image = c.Image,
        Command = c.Command,
        Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, c.Env.Select(e => KeyValuePair.Create(e.Name, e.Value))),
        Mounts = [.. c.Mounts.Select(m => new MountSpec(m.Kind == Platform.Stacks.Operations.MountKind.Volume ? MountKind.Volume : MountKind.Bind, m.Source, m.Target, m.ReadOnly))],
        Networks = [.. c.Networks.Select(n => new NetworkAttachment(n, [c.Name]))],
        Labels = c.Labels,
        HealthCheck = Conventions.Health(OpsHealthCheck(c, s)),
        Limits = new ResourceLimits(c.MemoryMb, 0.5),
        RestartPolicy = c.Mode == RunMode.OneShot ? "no" : Conventions.RestartPolicy,
        OneShot = c.Mode == RunMode.OneShot,
        Log = Conventions.Log,
        Files = [.. c.Files.Select(f => new FileSpec(f.Path, f.Content))],
        DependsOn = OpsDependencies(c, s),
        AfterHostCommands = c.Name switch
        {
            AutoKuma.ContainerName => [HostCommandNames.AutoKumaMonitors],
            // Its role is created by the provisioning; before that every psql would fail and report "could not be measured".
            HostMetrics.ContainerName => [HostCommandNames.PostgresProvision],
            _ => [],
        },
        WaitHealthy = c.Mode == RunMode.Service,
    };

    /// <summary>Backup runners and their dump agents are the backups part; AutoKuma, the setup and host metrics are monitoring.</summary>
    internal static PartId OpsPart(OpsContainer c) =>
        c.Name is AutoKuma.ContainerName or AutoKuma.SetupContainerName or HostMetrics.ContainerName ? PartId.Monitoring : PartId.Backups;

    internal static ImmutableArray<string> OpsDependencies(OpsContainer c, StackSettings s) => c.Name switch
    {
        AutoKuma.ContainerName => [ServiceNames.UptimeKuma, AutoKuma.SetupContainerName],
        AutoKuma.SetupContainerName => [ServiceNames.UptimeKuma],
        HostMetrics.ContainerName => [ServiceNames.UptimeKuma, ServiceNames.Postgres],
        _ when Parts.MariaDb.MariaDbBlueprint.IsAgent(c) => [ServiceNames.MariaDb],
        // The runner reaches no other container: the host's timers exec the dumps and its runs; it only reads volumes.
        Backups.RunnerName => [],
        _ => [ServiceNames.UptimeKuma],
    };

    /// <summary>
    /// What "healthy" means for each operations container. The backup runner, AutoKuma and the one-shot setup
    /// are checked for being alive — whether a backup or a monitor sync really worked is what the backup
    /// heartbeat monitors and AutoKuma's own logs tell.
    /// </summary>
    internal static ImmutableArray<string> OpsHealthCheck(OpsContainer c, StackSettings s)
    {
        if (Parts.MariaDb.MariaDbBlueprint.IsAgent(c))
            // Over the shared socket as root, exactly as its dumps log in: healthy means a dump could run now.
            return ["CMD", "mariadb", "--no-defaults", $"--socket={Parts.MariaDb.MariaDbNames.SocketPath}", $"--user={Parts.MariaDb.MariaDbNames.AdminUser}",
                "--batch", "--execute=SELECT 1"];
        if (c.Name == HostMetrics.ContainerName) return HostMetrics.HealthCheck;
        return c.Name == AutoKuma.ContainerName || c.Name == AutoKuma.SetupContainerName
            ? ["CMD-SHELL", "kill -0 1"]
            : ["CMD-SHELL", "pgrep -x backup >/dev/null"];
    }

}
