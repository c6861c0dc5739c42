using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Apps;

/// <summary>The keys of an entry of <c>platform:apps</c> and of everything nested in it, as the reader knows them.</summary>
public static class AppSchema
{
    public static readonly ObjectDef RateLimit = new("rateLimit", "Requests per second per client address (Traefik's rate limit): { average, burst }.",
    [
        Int("average", "Requests per second per client, on average.", 1, 100_000, required: true),
        Int("burst", "Requests a client may send at once above the average. Default: twice the average.", 1, 1_000_000),
    ]);

    public static readonly ObjectDef Cors = new("cors", "CORS for an API called from browsers on other sites.",
    [
        List("origins", "Sites allowed to call the route: scheme and host (and port), e.g. https://app.example.com, or '*' for any.", nonEmpty: true, required: true),
        new("methods", FieldType.StringList, "HTTP methods allowed. Default: GET, POST, PUT, PATCH, DELETE, OPTIONS.") { Enum = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] },
        new("headers", FieldType.StringList, "Request headers allowed. Default: Authorization, Content-Type.") { Pattern = "^[A-Za-z0-9-]+$" },
        Bool("credentials", "Allow cookies and credentials (not with the origin '*')."),
        Int("maxAgeSeconds", "How long browsers may cache the preflight answer.", 0, 86_400, 600),
    ]);

    public static readonly ObjectDef Headers = new("headers", "Response headers of the route: { preset, frameDeny, contentSecurityPolicy, cors }.",
    [
        Enum("preset", "secure: the platform's headers; minimal: HSTS only, for an app that sets its own.", ["secure", "minimal"], "secure"),
        new("frameDeny", FieldType.Boolean, "Send X-Frame-Options: DENY. Default: by the preset.") ,
        Str("contentSecurityPolicy", "One Content-Security-Policy line, directives separated by ';', without a comma or line break."),
        Object("cors", Cors),
    ]);

    public static readonly ObjectDef Route = new("route", "A host (and path) the app answers on: { host or domain, path, stripPrefix, websockets, headers, maxBodyMb, rateLimit, allowCidrs, basicAuth, redirect, compress }.",
    [
        Str("host", "Subdomain of the stack's domain ('app'), '@' for the apex, or '*' for a wildcard; not a full domain."),
        Str("domain", "A tenant's own full domain outside the zone, instead of host."),
        Str("path", "Path prefix routed to the app, e.g. /api (starts with '/', no trailing '/')."),
        Bool("stripPrefix", "Remove the path prefix before the request reaches the app."),
        Bool("websockets", "The route carries WebSocket connections."),
        Object("headers", Headers),
        Int("maxBodyMb", "Largest request body accepted, in MB.", 1, 2048),
        Object("rateLimit", RateLimit),
        List("allowCidrs", "Client CIDRs allowed to reach the route; everyone else gets 403.", nonEmpty: true),
        Str("basicAuth", "Name of the app secret (appSecrets.<app>.<NAME>) that holds the htpasswd lines.", pattern: Names.EnvNamePattern),
        Enum("redirect", "apex: redirect www.<domain> to <domain>; www: the other way round.", ["apex", "www"]),
        Bool("compress", "Compress responses (gzip, brotli)."),
    ])
    { AnyOfRequired = ["host", "domain"], Exclusive = [("host", "domain")] };

    public static readonly ObjectDef Redis = new("redis", "The app's own Redis instance: { maxMemoryMb, evictionPolicy } (true: the defaults).",
    [
        Int("maxMemoryMb", "maxmemory of the app's instance. Default: platform:redisMaxMemoryMb.", Parts.Redis.RedisSettings.MinMaxMemoryMb, Parts.Redis.RedisSettings.MaxMaxMemoryMb),
        Enum("evictionPolicy", "maxmemory-policy of the app's instance (noeviction for a job queue). Default: platform:redisEvictionPolicy.", Parts.Redis.RedisSettings.EvictionPolicies),
    ]);

    public static readonly ObjectDef Database = new("database", "The app's own database: { engine, extensions, connectionLimit, name, role, and PostgreSQL's timeouts } (true: the defaults).",
    [
        Enum("engine", "postgres, or mariadb for apps that speak the MySQL protocol.", ["postgres", "mariadb"], "postgres"),
        List("extensions", "PostgreSQL extensions created in the database."),
        Int("connectionLimit", "Connections the app's role may hold.", 1, 1000, 20),
        Str("name", "The database's name. Default: the app's name, as an identifier of its engine."),
        Str("role", "The role's (user's) name. Default: the app's name."),
        .. Postgres.PostgresTuningSchema.Fields,
    ]);

    public static readonly ObjectDef Grant = new("grant", "Another app's access to the bucket: { app, access }.",
    [
        Str("app", "The app that gets access.", required: true),
        Enum("access", "read (get and list objects) or readwrite (also put and delete).", ["read", "readwrite"], required: true),
    ]);

    public static readonly ObjectDef Bucket = new("bucket", "A MinIO bucket of the app: { name, bucketName, publicRead, grants }.",
    [
        Str("name", "The bucket's short name; it is created as <app>-<name>.", required: true, pattern: "^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$"),
        Str("bucketName", "The bucket's full name instead of <app>-<name>."),
        Bool("publicRead", "Anyone may read the bucket's objects."),
        Objects("grants", Grant, "Other apps' access to the bucket."),
    ]);

    public static readonly ObjectDef Needs = new("needs", "The data services the app uses: { database or databaseOf, redis or redisOf, buckets }.",
    [
        new("database", FieldType.BooleanOrObject, Database.Description) { Shape = Database },
        Str("databaseOf", "Share another app's database (its name)."),
        new("redis", FieldType.BooleanOrObject, Redis.Description) { Shape = Redis },
        Str("redisOf", "Share another app's Redis instance (its name)."),
        Objects("buckets", Bucket),
    ]);

    public static readonly ObjectDef Volume = new("volume", "A Docker volume of the app: { name, mountPath, sizeGb, shared }.",
    [
        Str("name", "The volume's name.", required: true, pattern: Names.AppNamePattern),
        Str("mountPath", "Absolute path inside the container, e.g. /app/uploads.", required: true),
        Int("sizeGb", "Disk the volume is expected to take, in GB.", 1, 10_000, required: true),
        Bool("shared", "Every instance mounts the same volume."),
    ]);

    public static readonly ObjectDef Release = new("release", "A command run once per deployment before the new instances start (migrations): { command }.",
    [
        List("command", "The command as a list, e.g. [bin/rails, db:migrate].", nonEmpty: true, required: true),
    ]);

    public static readonly ObjectDef Job = new("job", "A scheduled command in the app's image: { name, schedule, command }.",
    [
        Str("name", "The job's name.", required: true, pattern: Names.AppNamePattern),
        Str("schedule", "Cron schedule (UTC): minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\".", required: true),
        List("command", "The command as a list, e.g. [bin/report, --yesterday].", nonEmpty: true, required: true),
    ]);

    public static readonly ObjectDef CacheRule = new("cacheRule", "Cache-Control for a path of hashed files: { path, cacheControl }.",
    [
        Str("path", "Path prefix of the files, e.g. /assets (not '/').", required: true),
        Str("cacheControl", "The Cache-Control header's value.", required: true),
    ]);

    public static readonly ObjectDef StaticFiles = new("staticFiles", "A path served from one of the app's volumes by a small web server: { host, path, volume, memoryMb }.",
    [
        Str("host", "The host of one of the app's routes.", required: true),
        Str("path", "The path the files are under, e.g. /uploads.", required: true),
        Str("volume", "The app's volume the files are in.", required: true),
        Int("memoryMb", "Memory limit of the file server.", 16, 1024, Edge.StaticFiles.DefaultMemoryMb),
    ]);

    public static readonly ObjectDef App = new("app", "One app: its image, port, routes, health check, limits, env, secrets, data services, volumes, release, jobs.",
    [
        Str("name", "The app's name: 2–30 lower-case letters, digits and hyphens, starting with a letter.", required: true, pattern: Names.AppNamePattern),
        Str("image", "The image, pinned by a version tag or a digest (never latest).", required: true),
        Int("port", "The port the app listens on inside its container. Required with routes or healthPath.", 1, 65_535),
        Objects("routes", Route, "Hosts (and paths) the app answers on."),
        Str("healthPath", "HTTP path answering 200 when the app is ready, e.g. /healthz. This or healthCommand."),
        List("healthCommand", "Docker health check: [CMD, <program>, <arg>…] or [CMD-SHELL, \"<shell command>\"]. This or healthPath.", nonEmpty: true),
        List("command", "The container's command, replacing the image's."),
        new("cpus", FieldType.Number, "CPU limit of each instance (a multiple of 0.1 or 0.25), at most the server type's vCPUs.")
            { Min = AppSettingsReader.MinCpus, Max = Catalog.ServerTypes.All.Values.Max(t => t.Vcpus), Required = true },
        Int("memoryMb", "Memory limit of each instance, in MB.", 16, 262_144, required: true),
        Int("instances", "Instances of the app. Default: one on every app server.", 1, 20),
        new("env", FieldType.ScalarMap, "Plain environment variables: NAME: value; ${...} references other apps' and services' addresses.") { Pattern = Names.EnvNamePattern },
        new("secretEnv", FieldType.StringList, "Names of secret environment variables; each value is the secret appSecrets.<app>.<NAME>.") { Pattern = Names.EnvNamePattern },
        Object("needs", Needs),
        Object("rateLimit", RateLimit, "Rate limit of every route of the app: { average, burst }."),
        Objects("volumes", Volume, "Docker volumes of the app."),
        List("talksTo", "Apps this app calls over the platform's networks."),
        Object("release", Release),
        Objects("jobs", Job, "Scheduled commands in the app's image."),
        Objects("cache", CacheRule, "Cache-Control per path: { path, cacheControl }."),
        Objects("staticFiles", StaticFiles, "Paths served from the app's volumes: { host, path, volume, memoryMb }."),
        Bool("egress", "The app's containers may open connections to the internet."),
    ])
    { AnyOfRequired = ["healthPath", "healthCommand"], Exclusive = [("healthPath", "healthCommand")] };
}
