using System.Collections.Immutable;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts.Storage;

namespace Platform.Stacks.Settings;

/// <summary>Whether a stack is the staging or the production platform.</summary>
public enum StackEnvironment { Staging, Prod }

/// <summary>
/// A stack's settings, typed and validated: everything the blueprint is derived from.
/// Read by <see cref="SettingsReader"/> from <c>Pulumi.yaml</c> (defaults) and
/// <c>Pulumi.&lt;stack&gt;.yaml</c> (values) — the one code path the Pulumi program and the
/// offline plan share. Secrets are never read: only the fact that they are set.
/// </summary>
public sealed record StackSettings
{
    public required string Project { get; init; }
    public required string Stack { get; init; }
    public required StackEnvironment Environment { get; init; }
    /// <summary>Base domain; the apex host of the stack.</summary>
    public required string Domain { get; init; }
    /// <summary>Cloudflare zone the records go into. Default: the domain.</summary>
    public required string Zone { get; init; }
    public required string AcmeEmail { get; init; }
    public required Parts.Server.ServerSettings Server { get; init; }
    public required ImmutableArray<string> AdminCidrs { get; init; }
    public required bool CloudflareOnlyIngress { get; init; }
    /// <summary>Traefik requires Cloudflare's origin-pull client certificate (mTLS), and the zone sends it. Default: false.</summary>
    public bool CloudflareOriginPulls { get; init; }
    /// <summary>Hetzner's automatic daily backups of every server (7 slots kept), at 20% of each server's price. Default: false.</summary>
    public bool ServerBackups { get; init; }
    public required Parts.Postgres.PostgresSettings Postgres { get; init; }
    public required Parts.Postgres.PgBouncerSettings PgBouncer { get; init; }
    /// <summary>Redis: the image, and the defaults of every app's instance (<see cref="Parts.Redis.RedisNeed"/> overrides them per app).</summary>
    public required Parts.Redis.RedisSettings Redis { get; init; }
    /// <summary>MariaDB, for apps that speak the MySQL protocol; deployed only when one needs it (<see cref="UsesMariaDb"/>).</summary>
    public required Parts.MariaDb.MariaDbSettings MariaDb { get; init; }
    public required ServiceSettings Minio { get; init; }
    /// <summary>MinIO's console on an admin-only host. Default: none (the console is reachable on the data network only).</summary>
    public Parts.Storage.MinioConsoleSettings? MinioConsole { get; init; }
    public required ServiceSettings Traefik { get; init; }
    public required ServiceSettings UptimeKuma { get; init; }
    public required ServiceSettings AutoKuma { get; init; }
    public required ServiceSettings SocketProxy { get; init; }
    public required Parts.Backups.BackupSettings Backups { get; init; }
    public required Parts.Monitoring.MonitoringSettings Monitoring { get; init; }
    /// <summary>Metrics, logs and dashboards (<c>platform:observability</c>). Default: off.</summary>
    public Parts.Observability.ObservabilitySettings Observability { get; init; } = new();
    /// <summary>Records of the zone the platform does not serve (mail, CAA, a SaaS, a server elsewhere): <c>platform:dnsRecords</c>. Default: none.</summary>
    public ImmutableArray<Parts.Dns.ZoneRecordSettings> DnsRecords { get; init; } = [];
    /// <summary>Maintenance mode (<c>platform:maintenance</c>). Default: off.</summary>
    public Parts.Maintenance.MaintenanceSettings Maintenance { get; init; } = new();
    /// <summary>Recorded digests of the images it deploys, by reference (<c>platform:imageDigests</c>, written by pin-images). Default: none.</summary>
    public ImmutableSortedDictionary<string, string> ImageDigests { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>Start (HH:MM UTC) of the window in which servers reboot themselves when an upgrade requires it (<c>platform:rebootWindow</c>). Default: null, never by themselves.</summary>
    public string? RebootWindow { get; init; }
    /// <summary>The <c>appReleases</c> output of the last successful deploy, handed back by the workflow (<c>platform:lastDeployReleases</c>). Default: none.</summary>
    public System.Collections.Immutable.ImmutableSortedDictionary<string, Blueprint.AppRelease> LastDeployReleases { get; init; } = System.Collections.Immutable.ImmutableSortedDictionary<string, Blueprint.AppRelease>.Empty;
    public required ImmutableArray<AppSettings> Apps { get; init; }
    /// <summary>Off-site backup storage the cost estimate assumes.</summary>
    public int BackupStorageGb { get; init; } = 50;
    /// <summary>Price overrides (EUR per month, or per GB-month for storage) by item: a server type, <c>ipv4</c>, <c>backupStoragePerGb</c>.</summary>
    public ImmutableSortedDictionary<string, decimal> Prices { get; init; } = ImmutableSortedDictionary<string, decimal>.Empty;
    /// <summary>Size of the Hetzner Volume holding the stateful data, in GB; 0 keeps it on the server's disk. Default: 0.</summary>
    public int DataVolumeGb { get; init; }

    /// <summary>The servers by role (<c>platform:servers</c>); null for the single-server form, one server with every role.</summary>
    public Parts.TopologySettings? Topology { get; init; }

    /// <summary>Whether the stack runs on app servers and a data server rather than one server.</summary>
    public bool IsSplit => Topology is not null;
    /// <summary>Private registries the server pulls images from, with credentials. Default: none.</summary>
    public ImmutableArray<Parts.Images.RegistrySettings> Registries { get; init; } = [];
    /// <summary>Secret config keys still holding the shipped placeholder instead of an encrypted value. Default: none.</summary>
    public ImmutableSortedSet<string> SecretPlaceholders { get; init; } = ImmutableSortedSet<string>.Empty;
    /// <summary>Secret config keys that are set (values never read), e.g. <c>cloudflareApiToken</c>, <c>appSecrets.api.STRIPE_KEY</c>.</summary>
    public required ImmutableSortedSet<string> SecretsSet { get; init; }

    public bool IsProd => Environment == StackEnvironment.Prod;

    /// <summary>Whether any app has a MariaDB database, so the stack runs MariaDB at all.</summary>
    public bool UsesMariaDb => Apps.Any(a => a.Database?.Engine == DatabaseEngine.MariaDb);

    /// <summary>The buckets other apps granted <paramref name="app"/>: owner, bucket, access.</summary>
    public ImmutableArray<(AppSettings Owner, BucketNeed Bucket, BucketAccess Access)> GrantsTo(string app) =>
        GrantIndexes.GetValue(this, BuildGrantIndex).GetValueOrDefault(app, []);

    /// <summary>
    /// Every app asks for its grants, several times while the blueprint is built: the grants are indexed once per
    /// settings object (not scanned per app, which made planning quadratic in the number of apps). Keyed by the
    /// instance, so a copy made with <c>with</c> gets its own index, and record equality is untouched.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings,
        Dictionary<string, ImmutableArray<(AppSettings Owner, BucketNeed Bucket, BucketAccess Access)>>> GrantIndexes = new();

    private static Dictionary<string, ImmutableArray<(AppSettings Owner, BucketNeed Bucket, BucketAccess Access)>> BuildGrantIndex(StackSettings s) =>
        s.Apps.SelectMany(o => o.Buckets.SelectMany(b => b.Grants.Select(g => (g.App, Grant: (o, b, g.Access)))))
            .GroupBy(x => x.App, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Grant).ToImmutableArray(), StringComparer.Ordinal);

    /// <summary>The app named <paramref name="name"/> (the first, should a broken stack repeat a name), or null.</summary>
    public AppSettings? App(string name) => AppIndexes.GetValue(this, BuildAppIndex).GetValueOrDefault(name);

    /// <summary>Apps by name, indexed once per settings object (see <see cref="GrantIndexes"/>).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings, Dictionary<string, AppSettings>> AppIndexes = new();

    private static Dictionary<string, AppSettings> BuildAppIndex(StackSettings s)
    {
        var index = new Dictionary<string, AppSettings>(StringComparer.Ordinal);
        foreach (var a in s.Apps) index.TryAdd(a.Name, a);
        return index;
    }

    /// <summary>The apps using <paramref name="owner"/>'s database: the owner and those naming it in databaseOf, by name.</summary>
    public ImmutableArray<string> DatabaseUsers(string owner) =>
        RelationIndexes.GetValue(this, BuildRelations).DatabaseUsers.GetValueOrDefault(owner, [owner]);

    /// <summary>The apps that name <paramref name="app"/> in talksTo, by name.</summary>
    public ImmutableArray<string> TalkersTo(string app) =>
        RelationIndexes.GetValue(this, BuildRelations).Talkers.GetValueOrDefault(app, []);

    private sealed record Relations(Dictionary<string, ImmutableArray<string>> DatabaseUsers, Dictionary<string, ImmutableArray<string>> Talkers);

    /// <summary>Who uses whose database, and who talks to whom, indexed once per settings object (see <see cref="GrantIndexes"/>).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StackSettings, Relations> RelationIndexes = new();

    private static Relations BuildRelations(StackSettings s) => new(
        s.Apps.Where(a => a.Database is not null || a.DatabaseOf is not null)
            .GroupBy(a => a.Database is not null ? a.Name : a.DatabaseOf!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(a => a.Name).Order(StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal),
        s.Apps.SelectMany(a => a.TalksTo.Distinct(StringComparer.Ordinal).Select(to => (To: to, From: a.Name)))
            .GroupBy(x => x.To, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.From).Order(StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal));

    /// <summary>The app whose Redis instance <paramref name="app"/> uses (itself, or the one in its redisOf), or null.</summary>
    public AppSettings? RedisOwner(AppSettings app) =>
        app.RedisInstance is not null ? app : app.RedisOf is { } of && App(of) is { RedisInstance: not null } owner ? owner : null;

    /// <summary>The app whose database <paramref name="app"/> uses (itself, or the one in its databaseOf), or null.</summary>
    public AppSettings? DatabaseOwner(AppSettings app) =>
        app.Database is not null ? app : app.DatabaseOf is { } of && App(of) is { Database: not null } owner ? owner : null;
}

/// <summary>A platform service's pinned image and its memory limit.</summary>
public sealed record ServiceSettings(string Image, int MemoryMb, double Cpus);

/// <summary>One app: one entry in <c>platform:apps</c>.</summary>
public sealed record AppSettings
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public int? Port { get; init; }
    public ImmutableArray<RouteSettings> Routes { get; init; } = [];
    public string? HealthPath { get; init; }
    public ImmutableArray<string> HealthCommand { get; init; } = [];
    public ImmutableArray<string> Command { get; init; } = [];
    public required double Cpus { get; init; }
    public required int MemoryMb { get; init; }
    public required int Instances { get; init; }
    public ImmutableSortedDictionary<string, string> Env { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public ImmutableArray<string> SecretEnv { get; init; } = [];
    public Parts.Apps.DatabaseNeed? Database { get; init; }
    /// <summary>Name of another app whose database (and role) this app shares, e.g. a worker of an API.</summary>
    public string? DatabaseOf { get; init; }
    /// <summary>The app's own Redis instance (shared with the apps that name this one in <see cref="RedisOf"/>). Default: none.</summary>
    public Parts.Redis.RedisNeed? RedisInstance { get; init; }
    /// <summary>Name of another app whose Redis instance this app shares: one keyspace, e.g. a queue's producer and its worker. Default: none.</summary>
    public string? RedisOf { get; init; }
    /// <summary>Whether the app uses Redis: its own instance or another app's.</summary>
    public bool Redis => RedisInstance is not null || RedisOf is not null;
    public ImmutableArray<BucketNeed> Buckets { get; init; } = [];
    public RateLimitSettings? RateLimit { get; init; }
    /// <summary>Docker volumes mounted into every instance (state the image keeps on disk, e.g. wp-content). Default: none.</summary>
    public ImmutableArray<Parts.Apps.VolumeSettings> Volumes { get; init; } = [];
    /// <summary>Other apps of the stack this app calls directly (by name, on their network). Default: none.</summary>
    public ImmutableArray<string> TalksTo { get; init; } = [];
    /// <summary>A command run once in a one-shot container of a new image before its instances start (migrations). Default: none.</summary>
    public Parts.Apps.ReleaseSettings? Release { get; init; }
    /// <summary>Scheduled one-shot runs of the app's image. Default: none.</summary>
    public ImmutableArray<Parts.Apps.JobSettings> Jobs { get; init; } = [];
    /// <summary>Cache-Control headers on paths of the app's routes (hashed static assets). Default: none (the app's own headers pass).</summary>
    public ImmutableArray<Parts.Edge.CacheRule> Cache { get; init; } = [];
    /// <summary>Paths of its hosts served straight from one of its volumes by a file server (uploads). Default: none.</summary>
    public ImmutableArray<Parts.Edge.StaticFilesSettings> StaticFiles { get; init; } = [];
    /// <summary>Whether its containers may open connections to the internet (<see cref="Blueprint.AppEgress"/>). Default: false.</summary>
    public bool Egress { get; init; }

    public string Key => $"platform:apps[{Index}]";

    /// <summary>Whether the app uses MinIO: it owns a bucket or was granted one (<see cref="StackSettings.GrantsTo"/>).</summary>
    public bool UsesObjectStorage(StackSettings s) => !Buckets.IsEmpty || !s.GrantsTo(Name).IsEmpty;
}

/// <summary>The database server an app's database lives on.</summary>
public enum DatabaseEngine { Postgres, MariaDb }
