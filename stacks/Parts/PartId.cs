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

    /// <summary>The Pulumi type token of the part's component, e.g. <c>platform:data:Postgres</c>.</summary>
    public string TypeToken => Kind switch
    {
        PartKind.Edge => "platform:edge:Traefik",
        PartKind.Postgres => "platform:data:Postgres",
        PartKind.MariaDb => "platform:data:MariaDb",
        PartKind.Redis => "platform:data:Redis",
        PartKind.ObjectStorage => "platform:storage:Minio",
        PartKind.Monitoring => "platform:monitoring:UptimeKuma",
        PartKind.Backups => "platform:backups:Backups",
        PartKind.Observability => "platform:observability:Observability",
        PartKind.App => "platform:apps:App",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>
    /// The component's Pulumi resource name: platform parts by kind, apps as <c>app-&lt;name&gt;</c>.
    /// Platform names never start with <c>app-</c>, so the two namespaces cannot meet.
    /// </summary>
    public string ResourceName => Kind switch
    {
        PartKind.App => $"app-{AppName}",
        PartKind.Edge => "edge",
        PartKind.Postgres => "postgres",
        PartKind.MariaDb => "mariadb",
        PartKind.Redis => "redis",
        PartKind.ObjectStorage => "minio",
        PartKind.Monitoring => "monitoring",
        PartKind.Backups => "backups",
        PartKind.Observability => "observability",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>The heading of the part in the plan.</summary>
    public string Title => Kind switch
    {
        PartKind.App => $"App {AppName}",
        PartKind.Edge => "Edge: Traefik",
        PartKind.Postgres => "Data: PostgreSQL + PgBouncer",
        PartKind.MariaDb => "Data: MariaDB",
        PartKind.Redis => "Data: Redis",
        PartKind.ObjectStorage => "Storage: MinIO",
        PartKind.Monitoring => "Monitoring: Uptime Kuma",
        PartKind.Backups => "Backups",
        PartKind.Observability => "Observability: Prometheus, Loki, Grafana",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    public override string ToString() => ResourceName;
}
