using System.Collections.Immutable;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using Platform.Stacks.Parts.Storage;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// The complete, validated description of one stack's platform. Every decision — names, ports,
/// labels, env vars, limits, rules, file contents — is made here; the Pulumi components only
/// map it onto resources. Secrets appear only as references (<see cref="SecretText"/>).
/// Collections are sorted, so the same settings always give the same blueprint.
/// </summary>
public sealed record PlatformBlueprint
{
    public required string Project { get; init; }
    public required string Stack { get; init; }
    public required StackEnvironment Environment { get; init; }
    public required string Domain { get; init; }
    public required string Zone { get; init; }
    /// <summary>
    /// The servers: the one server of a single-server stack, or a split stack's data server, its cache and file servers
    /// (when declared) and then its app servers in order (see <see cref="ServerKey"/>).
    /// </summary>
    public required ImmutableArray<ServerSpec> Servers { get; init; }
    /// <summary>The first server: the only one, or a split stack's data server (where the databases, Uptime Kuma and the backups are).</summary>
    public ServerSpec Server => Servers[0];
    /// <summary>A split stack's app servers (none on a single-server stack).</summary>
    public ImmutableArray<ServerSpec> AppServers => [.. Servers.Where(x => x.Key.Role == ServerRole.App)];
    public ServerSpec ServerOf(ServerKey key) => Servers.Single(x => x.Key == key);
    public bool IsSplit => !Server.Key.IsSingle;
    /// <summary>The Hetzner Volume holding the durable data; null when it stays on the server's disk. Default: none.</summary>
    public DataVolumeSpec? DataVolume { get; init; }
    /// <summary>The Hetzner Volumes of a split stack's cache and file servers, where their stack file gives a <c>volumeGb</c>. Default: none.</summary>
    public ImmutableArray<DataVolumeSpec> RoleVolumes { get; init; } = [];
    /// <summary>The Hetzner Volume attached to <paramref name="server"/>, if any.</summary>
    public DataVolumeSpec? DataVolumeOf(ServerKey server) =>
        DataVolume is { } data && data.Server == server ? data : RoleVolumes.FirstOrDefault(v => v.Server == server);
    /// <summary>One firewall per role (one for the single server); each lists the servers it applies to.</summary>
    public required ImmutableArray<FirewallSpec> Firewalls { get; init; }
    public FirewallSpec Firewall => Firewalls[0];
    /// <summary>The private network of a split stack's servers; null on a single server. Default: none.</summary>
    public PrivateNetworkSpec? PrivateNetwork { get; init; }
    /// <summary>The load balancer in front of several app servers; null otherwise (DNS then points at the one server). Default: none.</summary>
    public LoadBalancerSpec? LoadBalancer { get; init; }
    /// <summary>The spread placement group of the app servers; null on a single server. Default: none.</summary>
    public PlacementGroupSpec? PlacementGroup { get; init; }
    /// <summary>
    /// The certificate every Traefik serves when there are several (a Cloudflare Origin CA certificate the program
    /// requests once); null when the one Traefik gets its own from Let's Encrypt. Default: none.
    /// </summary>
    public OriginCertificateSpec? OriginCertificate { get; init; }
    /// <summary>Authenticated origin pulls: the zone's setting on (Cloudflare presents its client certificate), Traefik requiring it. Default: off.</summary>
    public bool CloudflareOriginPulls { get; init; }
    /// <summary>
    /// Behind a load balancer, the app server whose Traefik gets the tenants' own domains' certificates (HTTP-01); the
    /// others forward those challenges and pass those domains' TLS through to it. Null when there is none. Default: none.
    /// </summary>
    public TenantIssuerSpec? TenantIssuer { get; init; }
    public required ImmutableArray<DnsRecordSpec> DnsRecords { get; init; }
    /// <summary>The records declared in the stack file (<c>platform:dnsRecords</c>), which the platform does not serve. Default: none.</summary>
    public ImmutableArray<Parts.Dns.ZoneRecordSpec> ZoneRecords { get; init; } = [];
    public required ImmutableArray<NetworkSpec> Networks { get; init; }
    public required ImmutableArray<VolumeSpec> Volumes { get; init; }
    public required ImmutableArray<ServiceSpec> Services { get; init; }
    public required ImmutableArray<DatabaseSpec> Databases { get; init; }
    public required ImmutableArray<BucketSpec> Buckets { get; init; }
    public required ImmutableArray<HostCommandSpec> HostCommands { get; init; }
    public required ImmutableArray<FileRouteSpec> FileRoutes { get; init; }
    /// <summary>
    /// Secrets whose stack-file value is still the shipped placeholder, each with the command that sets it:
    /// <c>pulumi preview</c>/<c>up</c> stop at them with "failed to decrypt" before the program runs. Default: none.
    /// </summary>
    public ImmutableArray<(string Key, string Command)> PendingSecrets { get; init; } = [];
    /// <summary>What the plan's summary warns of about images by tag and stale digests (<see cref="Parts.Images.ImageDigests"/>).</summary>
    public ImmutableArray<string> ImageWarnings { get; init; } = [];
    /// <summary>Private registries the Docker provider logs in to for image pulls. Default: none.</summary>
    public ImmutableArray<RegistrySpec> Registries { get; init; } = [];
    public required ImmutableArray<MonitorSpecView> Monitors { get; init; }
    public required ImmutableArray<BackupJobView> Backups { get; init; }
    /// <summary>MariaDB's max_connections when an app uses MariaDB: the value, whether it was derived, and the apps' limits' sum. Default: none.</summary>
    public (int MaxConnections, bool Derived, int AppLimits)? MariaDbConnections { get; init; }
    /// <summary>PostgreSQL's server-wide <c>log_min_duration_statement</c> in ms (-1: off), when PostgreSQL runs. Default: none.</summary>
    public int? PostgresLogMinDurationStatementMs { get; init; }
    /// <summary>The plan's line on the Storage Box the archives also go to (<c>backupStorageBox</c>). Default: none.</summary>
    public string? BackupStorageBox { get; init; }
    /// <summary>Where alerts and deploy results go: one line per channel (name, kind, where; the secret by name only). Default: none.</summary>
    public ImmutableArray<string> AlertChannels { get; init; } = [];
    /// <summary>Backup jobs the stack switched off, each with why (the plan lists them). Default: none.</summary>
    public ImmutableArray<(string Job, string Reason)> BackupsOff { get; init; } = [];
    public required ImmutableArray<SecretSpec> Secrets { get; init; }
    /// <summary>The memory budget of every server, in the order of <see cref="Servers"/>.</summary>
    public required ImmutableArray<MemoryBudget> Budgets { get; init; }
    public MemoryBudget Budget => Budgets[0];
    public required ConnectionBudget Connections { get; init; }
    /// <summary>What the plan says of the observability part (on, or off and what it would take). Default: none.</summary>
    public Parts.Observability.ObservabilityView? Observability { get; init; }
    public required CostEstimate Cost { get; init; }
    public required ImmutableArray<OutputSpec> Outputs { get; init; }
    /// <summary>Each app's connection to each data part it uses (what the shell's <c>ConnectionFor(app)</c> gives). Default: none.</summary>
    public ImmutableArray<Parts.AppConnection> AppConnections { get; init; } = [];

    /// <summary>Platform containers joined to apps' networks by the apps' host commands (not by their own specs). Default: none.</summary>
    public ImmutableArray<NetworkJoinSpec> NetworkJoins { get; init; } = [];

    public bool IsProd => Environment == StackEnvironment.Prod;

    public ServiceSpec Service(string name) => Services.Single(s => s.Name == name);

    /// <summary>Every network a service is on: those of its spec and those a host command joins it to, sorted.</summary>
    public ImmutableArray<string> NetworksOf(string service) =>
        [.. Service(service).Networks.Select(n => n.Network).Concat(NetworkJoins.Where(j => j.Service == service).Select(j => j.Network))
            .Distinct().Order(StringComparer.Ordinal)];
}

/// <summary>A platform container joined to an app's network by <paramref name="Command"/>, under its usual name.</summary>
public sealed record NetworkJoinSpec(string Network, string Service, string Command);

/// <summary>The server, its cloud-init user data and the command that says it is ready.</summary>
/// <remarks><see cref="Key"/> says which server it is; a split stack's servers have a <see cref="PrivateIp"/>.</remarks>
public sealed record ServerSpec(
    string Name,
    string Type,
    string Location,
    string Image,
    ImmutableArray<SshKeySpec> SshKeys,
    string DeployUser,
    string UserData,
    ImmutableSortedDictionary<string, string> Labels,
    bool Protect,
    string ReadinessCommand,
    int ReadinessTimeoutSeconds,
    int MemoryMb,
    int Vcpus)
{
    public ServerKey Key { get; init; } = ServerKey.Single;
    /// <summary>Its fixed address on the private network; null on a single server.</summary>
    public string? PrivateIp { get; init; }
    /// <summary>Name of the firewall applied to it.</summary>
    public string FirewallName { get; init; } = Name;
    /// <summary>Whether it is in the spread placement group (app servers).</summary>
    public bool Spread { get; init; }
    /// <summary>
    /// Run over SSH before Docker publishes anything on <see cref="PrivateIp"/>: waits (bounded) until the private
    /// interface has its address, since Docker cannot bind an address the host does not have yet. Null on a single server.
    /// </summary>
    public string? PrivateIpReadyCommand { get; init; }
    /// <summary>
    /// Run over SSH before the server takes traffic (<see cref="Parts.ServerGates"/>): waits until cloud-init has finished,
    /// the full package upgrade included. Every DNS record of the platform and every load-balancer target waits for this step
    /// of every server, and so does a container that takes the public's requests directly. Null: no such step (a server the
    /// caller manages).
    /// </summary>
    public string? PatchedCommand { get; init; }
    /// <summary>Hetzner's automatic backups: a daily full-system image, the last 7 kept, at 20% of the server's price. Default: off.</summary>
    public bool Backups { get; init; }
    /// <summary>When (HH:MM UTC) it reboots itself if an upgrade requires it (<see cref="Parts.Reboots"/>); null: never by itself.</summary>
    public string? RebootAt { get; init; }
}

/// <summary>The app server that gets the certificates of the tenants' own <paramref name="Domains"/> behind a load balancer.</summary>
public sealed record TenantIssuerSpec(ServerKey Server, ImmutableArray<string> Domains);

/// <summary>A split stack's private network: the range, the one subnet every server and the load balancer are in, its zone.</summary>
public sealed record PrivateNetworkSpec(string Name, string IpRange, string SubnetRange, string NetworkZone, ImmutableSortedDictionary<string, string> Labels)
{
    /// <summary>Delete protection (prod): every private address hangs on it.</summary>
    public bool Protect { get; init; }
}

/// <summary>Hetzner's spread placement group: its members run on different physical hosts.</summary>
public sealed record PlacementGroupSpec(string Name, ImmutableArray<ServerKey> Members, ImmutableSortedDictionary<string, string> Labels);

/// <summary>
/// The load balancer in front of the app servers: TCP services to their private addresses with the PROXY protocol
/// (Traefik trusts it from the subnet only), a health check against Traefik's ping entry point.
/// </summary>
public sealed record LoadBalancerSpec(string Name, string Type, string Location, string PrivateIp, ImmutableArray<ServerKey> Targets,
    ImmutableArray<LoadBalancerServiceSpec> Services, ImmutableSortedDictionary<string, string> Labels)
{
    /// <summary>Delete protection (prod): a new load balancer has new public addresses, which DNS follows only on the next up.</summary>
    public bool Protect { get; init; }
}

/// <summary>One TCP service of the load balancer and its health check (HTTP <see cref="HealthPath"/> on <see cref="HealthPort"/>).</summary>
public sealed record LoadBalancerServiceSpec(int ListenPort, int DestinationPort, bool ProxyProtocol, int HealthPort, string HealthPath,
    int HealthIntervalSeconds, int HealthTimeoutSeconds, int HealthRetries);

/// <summary>
/// A Cloudflare Origin CA certificate for the zone's hosts, its key generated by the program: Cloudflare's proxy
/// trusts it, every Traefik serves it from a file, and nothing asks Let's Encrypt per server.
/// </summary>
public sealed record OriginCertificateSpec(ImmutableArray<string> Hostnames, int ValidityDays, string KeySecret, string CertificateSecret);

public sealed record SshKeySpec(string Name, string PublicKey);

/// <summary>
/// A Hetzner Volume attached to the server that holds every durable Docker volume's data under
/// <see cref="MountPath"/>, so that the data outlives the server. <see cref="MountScript"/> mounts it
/// (by its stable device link) and makes the volumes' directories before any Docker volume exists.
/// </summary>
public sealed record DataVolumeSpec(string Name, int SizeGb, string Location, string Format, string MountPath, bool Protect, string MountScript)
{
    /// <summary>The server it is attached to (a split stack's data server).</summary>
    public ServerKey Server { get; init; } = ServerKey.Single;
}

public sealed record FirewallSpec(string Name, ImmutableArray<FirewallRuleSpec> Rules)
{
    /// <summary>The Pulumi name of the firewall's component: <c>firewall</c>, or <c>firewall-&lt;role&gt;</c> on a split stack.</summary>
    public string ResourceName { get; init; } = "firewall";
    /// <summary>What the servers it applies to are for (the plan's heading).</summary>
    public string AppliesTo { get; init; } = "the server";
}

/// <summary>An inbound rule. <c>Port</c> is null for ICMP.</summary>
public sealed record FirewallRuleSpec(string Description, string Protocol, string? Port, ImmutableArray<string> SourceIps);

/// <summary>A Cloudflare record. <c>Name</c> is relative to the zone (<c>@</c> for the zone apex); the content is an address of <see cref="Target"/>.</summary>
public sealed record DnsRecordSpec(string Name, string Fqdn, string Type, ServerAddress Content, bool Proxied, int Ttl, string Comment)
{
    /// <summary>Whose address: the server (the single one, or the one app server) or the load balancer.</summary>
    public AddressTarget Target { get; init; } = AddressTarget.Of(ServerKey.Single);
}

/// <summary>What a DNS record points at: a server, or the load balancer (<see cref="Server"/> null).</summary>
public sealed record AddressTarget(ServerKey? Server)
{
    public static readonly AddressTarget LoadBalancer = new((ServerKey?)null);

    public static AddressTarget Of(ServerKey server) => new(server);

    public bool IsLoadBalancer => Server is null;

    public override string ToString() => Server switch { null => "load balancer", { IsSingle: true } => "server", var k => $"server {k}" };
}

public enum ServerAddress { Ipv4, Ipv6 }

/// <summary>A Docker network on the server. <c>Driver</c> is Docker's network driver (single host: bridge).</summary>
public sealed record NetworkSpec(string Name, bool Internal, string Purpose)
{
    public string Driver { get; init; } = "bridge";
    /// <summary>Options of the bridge driver (e.g. no masquerading, so no egress). Default: none.</summary>
    public ImmutableSortedDictionary<string, string> Options { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>The server it is on (Docker networks are per host: a split stack has a copy on each server that uses it).</summary>
    public ServerKey Host { get; init; } = ServerKey.Single;
    /// <summary>Unique in the blueprint: the name, qualified with the server on a split stack's app, cache and file servers.</summary>
    public string Key => Host.ReportsToDataServer ? Host.Qualify(Name) : Name;
}

public sealed record VolumeSpec(string Name, string Service, string Purpose, bool Protect)
{
    /// <summary>The part whose data this is.</summary>
    public required PartId Part { get; init; }
    /// <summary>Data that must outlive the server (not dumps, caches or sockets): it goes on the data volume when there is one.</summary>
    public bool Durable { get; init; }
    /// <summary>The directory on the host the volume binds to (on the Hetzner data volume); null for Docker's own storage.</summary>
    public string? HostPath { get; init; }

    /// <summary>Docker's volume driver and its options: the local driver bound to <see cref="HostPath"/>, or Docker's default (none).</summary>
    public ImmutableSortedDictionary<string, string> DriverOptions => HostPath is null
        ? ImmutableSortedDictionary<string, string>.Empty
        : ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind", ["device"] = HostPath });

    /// <summary>The volume driver: <c>local</c> with <see cref="DriverOptions"/>, or null for Docker's default.</summary>
    public string? Driver => HostPath is null ? null : "local";
    /// <summary>Disk the volume is expected to take (Docker's local volumes have no quota); null for platform volumes sized by their service.</summary>
    public int? SizeGb { get; init; }
    /// <summary>Whether the app's backups archive it (app volumes). Default: false (platform data has its own jobs).</summary>
    public bool BackedUp { get; init; }
    /// <summary>The server it is on.</summary>
    public ServerKey Host { get; init; } = ServerKey.Single;
    /// <summary>Unique in the blueprint: the name, qualified with the server on a split stack's app, cache and file servers.</summary>
    public string Key => Host.ReportsToDataServer ? Host.Qualify(Name) : Name;
}

public enum ServiceKind { Edge, Data, App, Operations }

/// <summary>How a container is replaced when its spec changes.</summary>
public enum Replacement
{
    /// <summary>A fixed container name (a stateful singleton other services reach by name): stop the old, start the new.</summary>
    DeleteBeforeCreate,

    /// <summary>A unique name per container: the new one starts and turns healthy before the old one is removed.</summary>
    CreateBeforeDelete,
}

/// <summary>One container.</summary>
public sealed record ServiceSpec
{
    /// <summary>Logical name, unique in the blueprint; also the Pulumi resource name.</summary>
    public required string Name { get; init; }
    /// <summary>The part this container belongs to (its component in the shell).</summary>
    public required PartId Part { get; init; }
    public required ServiceKind Kind { get; init; }
    /// <summary>The container name, or null for a unique generated name (see <see cref="Replacement"/>).</summary>
    public required string? ContainerName { get; init; }
    public required Replacement Replacement { get; init; }
    public required string Image { get; init; }
    public ImmutableArray<string> Command { get; init; } = [];
    public ImmutableSortedDictionary<string, SecretText> Env { get; init; } = ImmutableSortedDictionary<string, SecretText>.Empty;
    public ImmutableArray<int> InternalPorts { get; init; } = [];
    public ImmutableArray<PublishedPort> PublishedPorts { get; init; } = [];
    public ImmutableArray<MountSpec> Mounts { get; init; } = [];
    public required ImmutableArray<NetworkAttachment> Networks { get; init; }
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public required HealthCheckSpec HealthCheck { get; init; }
    public required ResourceLimits Limits { get; init; }
    public required string RestartPolicy { get; init; }
    public required LogSpec Log { get; init; }
    public ImmutableArray<string> DependsOn { get; init; } = [];
    /// <summary>Host commands (e.g. database provisioning) that must have run before this container starts.</summary>
    public ImmutableArray<string> AfterHostCommands { get; init; } = [];
    /// <summary>
    /// The host command that builds <see cref="Image"/> on the server (it is in no registry, so the shell must not pull
    /// it; the container is created after that command). Default: null, a pinned image pulled from its registry.
    /// </summary>
    public string? ImageBuiltBy { get; init; }
    public ImmutableArray<FileSpec> Files { get; init; } = [];
    /// <summary>The app this container runs, for app containers.</summary>
    public string? App { get; init; }
    /// <summary>Seconds Docker waits after SIGTERM before killing the container.</summary>
    public int StopGraceSeconds { get; init; } = 30;
    /// <summary>Wait for the container to be healthy before the deployment goes on (and before an old one is removed).</summary>
    public bool WaitHealthy { get; init; } = true;
    /// <summary>
    /// Created only once every server is fully patched (<see cref="ServerSpec.PatchedCommand"/>): it takes the public's
    /// requests directly (<see cref="Parts.ServerGates"/>). Default: false.
    /// </summary>
    public bool AfterServersPatched { get; init; }
    /// <summary>Runs to completion once per change (restart "no"); the deployment waits for exit code 0.</summary>
    public bool OneShot { get; init; }
    /// <summary>Size of /dev/shm in MB; null keeps Docker's 64 MB.</summary>
    public int? ShmMb { get; init; }
    /// <summary>
    /// Created but not started by the deployment: a scheduled job's container, which a systemd timer on the
    /// server starts (<see cref="Schedule"/>). Default: started.
    /// </summary>
    public bool StartOnDeploy { get; init; } = true;
    /// <summary>Five-field cron schedule (UTC) a timer starts the container on; null for containers that run on deployment.</summary>
    public string? Schedule { get; init; }
    /// <summary>The server it runs on.</summary>
    public ServerKey Host { get; init; } = ServerKey.Single;
    /// <summary>Names resolved to addresses inside the container (Docker's extra hosts): on app servers, the data services. Default: none.</summary>
    public ImmutableArray<ExtraHost> ExtraHosts { get; init; } = [];
    /// <summary>Replaces the image's entrypoint. Default: the image's.</summary>
    public ImmutableArray<string> Entrypoint { get; init; } = [];
    /// <summary>tmpfs mounts (container path → options such as <c>size=64m</c>), the writable places of a read-only root. Default: none.</summary>
    public ImmutableSortedDictionary<string, string> Tmpfs { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>The signal a stop sends. Default: the image's (SIGTERM unless the image says otherwise).</summary>
    public string? StopSignal { get; init; }
    /// <summary>
    /// Taken out of Traefik's rotation before it is stopped (<see cref="Draining"/>), waiting at most this many seconds.
    /// Default: null, stopped at once.
    /// </summary>
    public int? DrainSeconds { get; init; }
    /// <summary>The user (uid or uid:gid) the process runs as. Default: the image's.</summary>
    public string? User { get; init; }
    /// <summary>Mount the root filesystem read-only. Default: false.</summary>
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Linux capabilities dropped (<c>ALL</c> for every one) and added back. Default: Docker's default set.</summary>
    public ImmutableArray<string> CapDrop { get; init; } = [];
    /// <inheritdoc cref="CapDrop"/>
    public ImmutableArray<string> CapAdd { get; init; } = [];
    /// <summary>Forbid gaining privileges through setuid binaries or file capabilities. Default: false.</summary>
    public bool NoNewPrivileges { get; init; }
    /// <summary>Why the image needs the capabilities in <see cref="CapAdd"/> (see <see cref="Parts.Hardening.ContainerHardening"/>).</summary>
    public string? CapabilitiesWhy { get; init; }
    /// <summary>Why the root filesystem stays writable, when it is not read-only.</summary>
    public string? WritableRootWhy { get; init; }
}

/// <summary>A host name the container resolves to a fixed address (an <c>/etc/hosts</c> line).</summary>
public sealed record ExtraHost(string Host, string Ip);

/// <summary>A host port published on <paramref name="HostIp"/> ("0.0.0.0" for IPv4, "::" for IPv6).</summary>
public sealed record PublishedPort(string HostIp, int HostPort, int ContainerPort, string Protocol);

public enum MountKind { Volume, Bind }

public sealed record MountSpec(MountKind Kind, string Source, string Target, bool ReadOnly);

public sealed record NetworkAttachment(string Network, ImmutableArray<string> Aliases);

/// <summary>A Docker health check; <c>Test</c> is Docker's form (<c>["CMD", …]</c> or <c>["CMD-SHELL", "…"]</c>).</summary>
public sealed record HealthCheckSpec(ImmutableArray<string> Test, int IntervalSeconds, int TimeoutSeconds, int Retries, int StartPeriodSeconds);

public sealed record ResourceLimits(int MemoryMb, double Cpus);

public sealed record LogSpec(string Driver, ImmutableSortedDictionary<string, string> Options);

/// <summary>A file put into a container before it starts.</summary>
public sealed record FileSpec(string Path, SecretText Content);

public sealed record BucketSpec(string Name, string App, bool PublicRead)
{
    /// <summary>Other apps' access (MinIO policy statements on their users). Default: none.</summary>
    public ImmutableArray<BucketGrant> Grants { get; init; } = [];
    /// <summary>The app's name for it (<c>needs.buckets[].name</c>) when the stack chose the bucket's name (<c>bucketName</c>). Default: none, derived.</summary>
    public string? ChosenFor { get; init; }
}

/// <summary>
/// A command run on the server over SSH (e.g. provisioning SQL), re-run whenever its input changes or a
/// container it depends on is replaced.
/// </summary>
public sealed record HostCommandSpec(string Name, string Description, string Create, SecretText? Stdin, ImmutableArray<string> DependsOnServices)
{
    /// <summary>Host commands that must have succeeded first. Default: none.</summary>
    public ImmutableArray<string> AfterCommands { get; init; } = [];
    /// <summary>The part this command belongs to (its component in the shell).</summary>
    public required PartId Part { get; init; }
    /// <summary>Run when the command's resource is deleted (undoes what it set up on the server). Default: nothing.</summary>
    public string? Delete { get; init; }
    /// <summary>Docker networks the command works on: it runs after they exist, and its delete step before they go. Default: none.</summary>
    public ImmutableArray<string> Networks { get; init; } = [];
    /// <summary>The server it runs on.</summary>
    public ServerKey Host { get; init; } = ServerKey.Single;
    /// <summary>The container it makes reread the files it writes, and whether by restarting it. Default: none.</summary>
    public HostReload? Reload { get; init; }
    /// <summary>The data container whose major-version guard this is, with the image it compares with the data. Default: none.</summary>
    public Data.GuardedData? Guards { get; init; }
    /// <summary>The declared major-version upgrade this command runs (it copies, verifies and switches). Default: none.</summary>
    public Data.DataUpgradeSpec? Upgrades { get; init; }
}

/// <summary>A files host command's container, reloaded in place or (<paramref name="Restarts"/>) restarted.</summary>
public sealed record HostReload(string Container, bool Restarts);

/// <summary>
/// A route Traefik reads from its file provider rather than from a container's labels: it goes live only
/// when the host command that writes it runs, i.e. after <see cref="AfterCommand"/> succeeded (Uptime Kuma's
/// status page, which must not be public before its first admin exists).
/// </summary>
public sealed record FileRouteSpec(string Router, string Fqdn, string Rule, string ServiceUrl, ImmutableArray<string> Middlewares, string AfterCommand)
{
    /// <summary>The router's priority (see <see cref="Routing.Priority(HostKind, string?)"/>).</summary>
    public required int Priority { get; init; }
    /// <summary>Its certificate resolver; null when Traefik serves the stack's Origin CA certificate. Default: DNS-01.</summary>
    public string? CertResolver { get; init; } = Routing.CertResolver;
    /// <summary>Client CIDRs let in (an allow-list middleware defined with the route); empty for everyone. Default: everyone.</summary>
    public ImmutableArray<string> AllowCidrs { get; init; } = [];
}

/// <summary>A private registry's credentials: the password is the named secret (never a value).</summary>
public sealed record RegistrySpec(string Address, string Username, string PasswordSecret);

/// <summary>
/// Where a secret's value comes from: a random password resource, the stack's encrypted config, a private key the
/// program generates, or the Cloudflare Origin CA certificate issued for that key.
/// </summary>
public enum SecretSource { Generated, Config, PrivateKey, OriginCertificate }

/// <summary>
/// A secret the platform uses. Generated ones come from a random password resource (alphanumeric,
/// so they are safe inside URLs); config ones from the stack's encrypted config. Never a value.
/// </summary>
public sealed record SecretSpec(string Name, SecretSource Source, int Length, string? ConfigKey, string Purpose)
{
    /// <summary>The name a generated secret had before (its value is kept through an alias). Default: none.</summary>
    public string? FormerName { get; init; }
}

public sealed record OutputSpec(string Name, SecretText Value, bool Secret, string Description);

/// <summary>A monitor as shown in the plan.</summary>
public sealed record MonitorSpecView(string Name, string Kind, string Target, int IntervalSeconds, int RetryIntervalSeconds, int MaxRetries);

/// <summary>A backup job as shown in the plan.</summary>
public sealed record BackupJobView(string Name, string What, string Schedule, string Destination, string Retention);
