namespace Platform.Stacks.Parts;

/// <summary>The kinds of part the platform is made of; each maps to one component in the shell.</summary>
public enum PartKind
{
    /// <summary>Traefik, its Docker API proxy, routes, middlewares, certificates.</summary>
    Edge,
    /// <summary>PostgreSQL, PgBouncer, databases, roles, provisioning.</summary>
    Postgres,
    /// <summary>MariaDB, databases, users (for MySQL-protocol apps).</summary>
    MariaDb,
    /// <summary>Redis and its ACL users.</summary>
    Redis,
    /// <summary>MinIO, buckets, users, policies.</summary>
    ObjectStorage,
    /// <summary>Uptime Kuma, AutoKuma, monitors, host metrics, the status page.</summary>
    Monitoring,
    /// <summary>The backup runner, every schedule, the off-site target.</summary>
    Backups,
    /// <summary>One app: its instances, routes, grants.</summary>
    App,
    /// <summary>Prometheus, exporters, Loki, the log collectors, Grafana (optional).</summary>
    Observability,
}

/// <summary>
/// A part's identity: its kind, and for apps the app's name. Platform parts live in the platform
/// namespace and apps in their own, so no app name can ever produce a platform part's identity.
/// </summary>
public sealed record PartId(PartKind Kind, string? AppName = null)
{
    public static readonly PartId Edge = new(PartKind.Edge);
    public static readonly PartId Postgres = new(PartKind.Postgres);
    public static readonly PartId MariaDb = new(PartKind.MariaDb);
    public static readonly PartId Redis = new(PartKind.Redis);
    public static readonly PartId ObjectStorage = new(PartKind.ObjectStorage);
    public static readonly PartId Monitoring = new(PartKind.Monitoring);
    public static readonly PartId Backups = new(PartKind.Backups);
    public static readonly PartId Observability = new(PartKind.Observability);

    public static PartId App(string name) => new(PartKind.App, name);

    /// <summary>The row of <see cref="PartIdentities"/> that describes this part's kind.</summary>
    public PartIdentity Identity => PartIdentities.Of(Kind);

    /// <summary>The Pulumi type token of the part's component, e.g. <c>platform:data:Postgres</c>.</summary>
    public string TypeToken => Identity.TypeToken;

    /// <summary>
    /// The component's Pulumi resource name: platform parts by kind, apps as <c>app-&lt;name&gt;</c>.
    /// Platform names never start with <c>app-</c>, so the two namespaces cannot meet.
    /// </summary>
    public string ResourceName => AppName is null ? Identity.ResourceName : $"{Identity.ResourceName}-{AppName}";

    /// <summary>The heading of the part in the plan.</summary>
    public string Title => AppName is null ? Identity.Title : $"{Identity.Title} {AppName}";

    public override string ToString() => ResourceName;
}

/// <summary>
/// What identifies one kind of part to the shell and the plan.
/// </summary>
/// <param name="Kind">The kind this row describes.</param>
/// <param name="TypeToken">The Pulumi type token of its component.</param>
/// <param name="ResourceName">Its component's Pulumi resource name; for apps the prefix of <c>app-&lt;name&gt;</c>.</param>
/// <param name="Title">Its heading in the plan; for apps followed by the app's name.</param>
/// <param name="Order">Where it comes among parts that do not depend on each other (lower first).</param>
public sealed record PartIdentity(PartKind Kind, string TypeToken, string ResourceName, string Title, int Order);

/// <summary>One row per kind of part: the closed set the platform is made of.</summary>
public static class PartIdentities
{
    public static readonly System.Collections.Immutable.ImmutableArray<PartIdentity> Rows =
    [
        new(PartKind.Edge, "platform:edge:Traefik", "edge", "Edge: Traefik", 0),
        new(PartKind.Postgres, "platform:data:Postgres", "postgres", "Data: PostgreSQL + PgBouncer", 1),
        new(PartKind.MariaDb, "platform:data:MariaDb", "mariadb", "Data: MariaDB", 2),
        new(PartKind.Redis, "platform:data:Redis", "redis", "Data: Redis", 3),
        new(PartKind.ObjectStorage, "platform:storage:Minio", "minio", "Storage: MinIO", 4),
        new(PartKind.Monitoring, "platform:monitoring:UptimeKuma", "monitoring", "Monitoring: Uptime Kuma", 5),
        new(PartKind.App, "platform:apps:App", "app", "App", 6),
        new(PartKind.Backups, "platform:backups:Backups", "backups", "Backups", 7),
        new(PartKind.Observability, "platform:observability:Observability", "observability", "Observability: Prometheus, Loki, Grafana", 8),
    ];

    private static readonly System.Collections.Frozen.FrozenDictionary<PartKind, PartIdentity> ByKind =
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(Rows, r => r.Kind);

    /// <summary>The row of <paramref name="kind"/>.</summary>
    public static PartIdentity Of(PartKind kind) =>
        ByKind.TryGetValue(kind, out var row) ? row : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no identity row for this kind of part");
}
