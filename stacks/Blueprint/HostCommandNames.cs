namespace Platform.Stacks.Blueprint;

/// <summary>Names of the platform's commands run on the server over SSH (an app's are in <see cref="AppNames"/>).</summary>
public static class HostCommandNames
{
    public const string PostgresProvision = "postgres-provision";
    public const string MariaDbProvision = Parts.MariaDb.MariaDbNames.ProvisionCommand;
    public const string MinioProvision = "minio-provision";
    public const string PgBouncerConfig = "pgbouncer-config";
    /// <summary>With PITR: builds PostgreSQL's image with pgBackRest on the server.</summary>
    public const string PostgresImage = "postgres-pgbackrest-image";
    /// <summary>With PITR: creates pgBackRest's stanza once PostgreSQL runs.</summary>
    public const string PostgresPitrStanza = "postgres-pitr-stanza";
    public const string RedisAcl = "redis-acl";
    public const string TraefikFileRoutes = "traefik-file-routes";
    /// <summary>Maintenance mode's routes (<see cref="Parts.Maintenance.MaintenanceBlueprint.MaintenanceYaml"/>), on every Traefik.</summary>
    public const string TraefikMaintenance = "traefik-maintenance";
    public const string TraefikAuthFiles = "traefik-auth-files";
    /// <summary>A split stack's app servers: Traefik's routes to the data server and its default certificate.</summary>
    public const string TraefikEdgeRoutes = "traefik-edge-routes";
    /// <summary>Behind a load balancer: the Origin CA certificate and key every Traefik serves.</summary>
    public const string TraefikCertificate = "traefik-certificate";
    /// <summary>AutoKuma's monitor files in a server directory it reads on every sync.</summary>
    public const string AutoKumaMonitors = "autokuma-monitors";
    /// <summary>Every server: the daily timer that removes unused images (see <see cref="ImageHygiene"/>).</summary>
    public const string ImageHygiene = "image-hygiene";
    /// <summary>With authenticated origin pulls: Traefik's TLS options requiring Cloudflare's client certificate.</summary>
    public const string TraefikOriginPulls = "traefik-origin-pulls";
    /// <summary>Every server: its packet filter for containers and the private network (see <see cref="Blueprint.HostFirewall"/>).</summary>
    public const string HostFirewall = "host-firewall";
}
