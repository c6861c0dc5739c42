namespace Platform.Stacks.Blueprint;

/// <summary>Names of the platform's own services: container names and the DNS names apps reach them by.</summary>
public static class ServiceNames
{
    public const string Traefik = "traefik";
    public const string SocketProxy = "socket-proxy";
    public const string Postgres = "postgres";
    public const string PgBouncer = "pgbouncer";
    public const string Redis = "redis";
    public const string MariaDb = Parts.MariaDb.MariaDbNames.Service;
    public const string Minio = "minio";
    public const string UptimeKuma = "uptime-kuma";
    public const string AutoKuma = Operations.AutoKuma.ContainerName;
    public const string Backup = Operations.Backups.RunnerName;

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Traefik, SocketProxy, Postgres, PgBouncer, Redis, MariaDb, Minio, UptimeKuma, AutoKuma, Backup,
    };

    /// <summary>Networks: <c>edge</c> (Traefik and what it routes to; has internet egress), <c>data</c> (internal: data services and their clients), <c>control</c> (internal: the Docker API proxy).</summary>
    public const string EdgeNetwork = "edge";
    public const string DataNetwork = "data";
    public const string ControlNetwork = "control";

    /// <summary>
    /// A split stack's data server: the network the data services publish their ports through. Docker publishes no port of
    /// a container that is on internal networks only, so this one is a bridge, but without masquerading: answers to the
    /// app servers flow back, while nothing from it reaches the internet.
    /// </summary>
    public const string PublishNetwork = "publish";

    /// <summary>Hosts the platform itself serves under the stack's domain.</summary>
    public const string StatusHost = "status";
    public const string FilesHost = "files";
    /// <summary>Uptime Kuma's admin (dashboard, login, socket.io, API): to the admin CIDRs only.</summary>
    public const string StatusAdminHost = "status-admin";

    public static readonly IReadOnlySet<string> PlatformHosts = new HashSet<string>(StringComparer.Ordinal) { StatusHost, FilesHost, StatusAdminHost };
}
