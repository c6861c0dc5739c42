using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;

namespace Platform.Stacks.Canonical;

/// <summary>
/// The one exact Docker configuration of a container, computed once from its <see cref="ServiceSpec"/> in
/// the forms the Docker provider (Pulumi.Docker 5.1.0) sends and reads back. The Pulumi shell copies it
/// field by field onto <c>docker.Container</c>; the rehearsal applies the very same record to a local
/// engine through the Engine API. Nothing that uses it decides anything.
/// </summary>
public sealed record ContainerConfig
{
    /// <summary>The blueprint's service name (the Pulumi resource name).</summary>
    public required string Service { get; init; }
    /// <summary>Fixed container name, or null for a unique generated one per replacement.</summary>
    public required string? ContainerName { get; init; }
    /// <summary>The pinned image reference the spec names.</summary>
    public required string Image { get; init; }
    /// <summary>Replaces the image's entrypoint; empty keeps it.</summary>
    public ImmutableArray<string> Entrypoint { get; init; } = [];
    /// <summary>Replaces the image's command; empty keeps it.</summary>
    public ImmutableArray<string> Command { get; init; } = [];
    /// <summary>Environment by name (values may reference secrets), sorted: the provider keeps env as a set.</summary>
    public required ImmutableSortedDictionary<string, SecretText> Env { get; init; }
    /// <summary>Labels, sorted by key.</summary>
    public required ImmutableSortedDictionary<string, string> Labels { get; init; }
    /// <summary>Networks (by blueprint network name) with the aliases the container answers to there.</summary>
    public required ImmutableArray<NetworkAttachment> Networks { get; init; }
    /// <summary>Volume and bind mounts.</summary>
    public required ImmutableArray<MountSpec> Mounts { get; init; }
    /// <summary>tmpfs mounts: container path → mount options (e.g. <c>size=64m</c>).</summary>
    public required ImmutableSortedDictionary<string, string> Tmpfs { get; init; }
    /// <summary>Published ports in the order the provider reads them back (<see cref="DockerForms.Ports"/>).</summary>
    public required ImmutableArray<PortBinding> Ports { get; init; }
    /// <summary>The health check in Docker's form with Go duration strings.</summary>
    public required ContainerHealthcheck Healthcheck { get; init; }
    /// <summary>Hard memory limit in MB.</summary>
    public required int MemoryMb { get; init; }
    /// <summary>Memory plus swap in MB (<see cref="DockerForms.MemorySwapMb"/>).</summary>
    public required int MemorySwapMb { get; init; }
    /// <summary>CPU limit as the provider reads it back (<see cref="DockerForms.Cpus"/>).</summary>
    public required string Cpus { get; init; }
    public required string Restart { get; init; }
    public required string LogDriver { get; init; }
    public required ImmutableSortedDictionary<string, string> LogOpts { get; init; }
    /// <summary>The signal <c>docker stop</c> sends; null keeps the image's (SIGTERM unless it says otherwise).</summary>
    public string? StopSignal { get; init; }
    /// <summary>Seconds between the stop signal and SIGKILL, on <c>docker stop</c> and on destroy.</summary>
    public required int StopGraceSeconds { get; init; }
    /// <summary>
    /// Drained before the stop (<see cref="Draining.Script"/>, at most this many seconds), and the container's own stop
    /// timeout set to <see cref="StopGraceSeconds"/> so a stop by the engine (a reboot) gives the same grace. Null: neither.
    /// </summary>
    public int? DrainSeconds { get; init; }
    /// <summary>Files put into the container before it starts.</summary>
    public required ImmutableArray<FileSpec> Uploads { get; init; }
    /// <summary>The user (uid or uid:gid) the process runs as; null keeps the image's.</summary>
    public string? User { get; init; }
    /// <summary>Root filesystem mounted read-only (writable paths are mounts or tmpfs).</summary>
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Capabilities dropped (<c>ALL</c> first when all are) and added back, sorted.</summary>
    public required ImmutableArray<string> CapDrop { get; init; }
    public required ImmutableArray<string> CapAdd { get; init; }
    /// <summary>Docker security options (<c>no-new-privileges:true</c>).</summary>
    public required ImmutableArray<string> SecurityOpts { get; init; }
    /// <summary>Size of /dev/shm in MB; null keeps Docker's 64 MB.</summary>
    public int? ShmSizeMb { get; init; }
    /// <summary>Extra <c>/etc/hosts</c> lines.</summary>
    public required ImmutableArray<ExtraHost> Hosts { get; init; }
    /// <summary>Started on deploy (false for a scheduled job's container, which its timer starts).</summary>
    public required bool Start { get; init; }
    /// <summary>Must be running after the deploy (false for one-shots and scheduled jobs).</summary>
    public required bool MustRun { get; init; }
    /// <summary>The deploy waits for the container to be healthy, at most <see cref="WaitTimeoutSeconds"/>.</summary>
    public required bool Wait { get; init; }
    public required int WaitTimeoutSeconds { get; init; }
    /// <summary>A one-shot: the deploy runs it to completion (a non-zero exit fails it) and keeps its logs.</summary>
    public required bool RunToCompletion { get; init; }
    /// <summary>Replaced by removing the old container first (fixed names), else create-before-delete.</summary>
    public required bool DeleteBeforeReplace { get; init; }
}

/// <summary>Docker's health check: <c>Tests</c> in Docker's form, durations as Go prints them.</summary>
public sealed record ContainerHealthcheck(ImmutableArray<string> Tests, string Interval, string Timeout, string StartPeriod, int Retries)
{
    /// <summary>Docker's "no check" form, which turns an image's own HEALTHCHECK off.</summary>
    public bool Disabled => Tests is ["NONE"];
}

/// <summary>Computes the <see cref="ContainerConfig"/> of every container.</summary>
public static class ContainerConfigs
{
    /// <summary>The security option that keeps setuid binaries and file capabilities from raising privileges.</summary>
    public const string NoNewPrivileges = "no-new-privileges:true";

    /// <summary>
    /// The container configuration of <paramref name="spec"/>. Computed once per spec (the plan, its verdicts and the deploy-time
    /// model each ask for every container); a spec is immutable, and a copy made with <c>with</c> is another key.
    /// </summary>
    public static ContainerConfig Of(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Computed.GetValue(spec, Compute);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ServiceSpec, ContainerConfig> Computed = new();

    private static ContainerConfig Compute(ServiceSpec spec)
    {
        var fixedName = spec.Replacement == Replacement.DeleteBeforeCreate;
        if (fixedName && spec.ContainerName is null)
            throw new InvalidOperationException($"Service {spec.Name} is replaced delete-before-create but has no container name.");
        if (!fixedName && spec.ContainerName is not null)
            throw new InvalidOperationException($"Service {spec.Name} is replaced create-before-delete, so it cannot have the fixed container name '{spec.ContainerName}' (two containers would need it at once).");

        var health = spec.HealthCheck;
        var securityOpts = spec.NoNewPrivileges ? ImmutableArray.Create(NoNewPrivileges) : [];
        return new ContainerConfig
        {
            Service = spec.Name,
            ContainerName = spec.ContainerName,
            Image = spec.Image,
            Entrypoint = spec.Entrypoint.IsDefault ? [] : spec.Entrypoint,
            Command = spec.Command.IsDefault ? [] : spec.Command,
            Env = spec.Env,
            Labels = spec.Labels,
            Networks = spec.Networks,
            Mounts = spec.Mounts.IsDefault ? [] : spec.Mounts,
            Tmpfs = spec.Tmpfs,
            Ports = DockerForms.Ports(spec.PublishedPorts.IsDefault ? [] : spec.PublishedPorts.Select(p => new PortBinding(p.HostIp, p.HostPort, p.ContainerPort, p.Protocol))),
            Healthcheck = new ContainerHealthcheck(health.Test,
                DockerForms.Duration(health.IntervalSeconds), DockerForms.Duration(health.TimeoutSeconds),
                DockerForms.Duration(health.StartPeriodSeconds), health.Retries),
            MemoryMb = spec.Limits.MemoryMb,
            MemorySwapMb = DockerForms.MemorySwapMb(spec.Limits.MemoryMb),
            Cpus = DockerForms.Cpus(spec.Limits.Cpus),
            Restart = spec.RestartPolicy,
            LogDriver = spec.Log.Driver,
            LogOpts = spec.Log.Options,
            StopSignal = spec.StopSignal,
            StopGraceSeconds = spec.StopGraceSeconds,
            DrainSeconds = spec.DrainSeconds,
            Uploads = spec.Files.IsDefault ? [] : spec.Files,
            User = spec.User,
            ReadOnlyRootFilesystem = spec.ReadOnlyRootFilesystem,
            CapDrop = Caps(spec.CapDrop),
            CapAdd = Caps(spec.CapAdd),
            SecurityOpts = securityOpts,
            ShmSizeMb = spec.ShmMb,
            Hosts = spec.ExtraHosts.IsDefault ? [] : spec.ExtraHosts,
            Start = spec.StartOnDeploy,
            MustRun = spec.StartOnDeploy && !spec.OneShot,
            Wait = spec.StartOnDeploy && spec.WaitHealthy,
            WaitTimeoutSeconds = ShellDecisions.WaitTimeoutSeconds(health),
            RunToCompletion = spec.OneShot,
            DeleteBeforeReplace = fixedName,
        };
    }

    /// <summary>Every container of the blueprint, in the blueprint's order.</summary>
    public static ImmutableArray<ContainerConfig> Of(PlatformBlueprint blueprint) => [.. blueprint.Services.Select(Of)];

    private static ImmutableArray<string> Caps(ImmutableArray<string> caps) =>
        caps.IsDefaultOrEmpty ? [] : [.. caps.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
