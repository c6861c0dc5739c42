using System.Collections.Immutable;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    private static IEnumerable<ServiceSpec> AppServices(StackSettings s, AppSettings app, ImmutableArray<DatabaseSpec> databases)
    {
        var routes = AppRoutes(s, app);
        var labels = app.Port is { } port && routes.Length > 0
            ? Routing.Labels(Routing.AppService(app.Name), port, routes, s.Domain, app.HealthPath, s.CloudflareOnlyIngress,
                sticky: app.Instances > 1 && routes.Any(r => r.Websockets))
            : ImmutableSortedDictionary<string, string>.Empty;
        var db = databases.FirstOrDefault(d => d.UsedBy.Contains(app.Name));
        var needsData = db is not null || app.Redis || !app.Buckets.IsEmpty;

        var networks = new List<NetworkAttachment> { new(ServiceNames.EdgeNetwork, [app.Name]) };
        if (needsData) networks.Insert(0, new NetworkAttachment(ServiceNames.DataNetwork, [app.Name]));

        var dependsOn = new List<string>();
        if (db is not null) dependsOn.Add(db.Engine == DatabaseEngine.MariaDb ? ServiceNames.MariaDb : ServiceNames.PgBouncer);
        if (app.Redis) dependsOn.Add(ServiceNames.Redis);
        if (!app.Buckets.IsEmpty) dependsOn.Add(ServiceNames.Minio);
        // A routed app goes live through Traefik: the edge is up before its first instance.
        if (!labels.IsEmpty) dependsOn.Add(ServiceNames.Traefik);
        var after = new List<string>();
        if (db is not null) after.Add(db.Engine == DatabaseEngine.MariaDb ? HostCommandNames.MariaDbProvision : HostCommandNames.PostgresProvision);
        if (!app.Buckets.IsEmpty) after.Add(HostCommandNames.MinioProvision);
        // Traefik reads the htpasswd file when it builds the route's middleware: the file is there first.
        if (routes.Any(r => r.BasicAuthFile is not null)) after.Add(HostCommandNames.TraefikAuthFiles);

        var health = app.HealthPath is not null && app.Port is { } p
            ? Conventions.HttpCheck(p, app.HealthPath)
            : app.HealthCommand;
        var env = AppEnvironment.For(s, app, databases);

        for (var i = 1; i <= app.Instances; i++)
        {
            yield return new ServiceSpec
            {
                Name = $"{app.Name}-{i}",
                Part = PartId.App(app.Name),
                Kind = ServiceKind.App,
                ContainerName = null,
                Replacement = Replacement.CreateBeforeDelete,
                Image = app.Image,
                Command = app.Command,
                Env = env,
                InternalPorts = app.Port is { } ip ? [ip] : [],
                Networks = [.. networks],
                Labels = labels,
                HealthCheck = Conventions.Health(health),
                Limits = new ResourceLimits(app.MemoryMb, app.Cpus),
                RestartPolicy = Conventions.RestartPolicy,
                Log = Conventions.Log,
                DependsOn = [.. dependsOn],
                AfterHostCommands = [.. after],
                App = app.Name,
            };
        }
    }
}

public static partial class BlueprintBuilder
{
    /// <summary>An app's routes as Traefik serves them: names, host kind, certificate resolver and middlewares.</summary>
    public static ImmutableArray<RouteSpec> AppRoutes(StackSettings s, AppSettings app) =>
    [
        .. app.Routes.Select((r, i) => new RouteSpec(Routing.AppRouter(app.Name, i), r.Fqdn(s.Domain), r.Domain ?? r.Host, r.PathPrefix, r.Websockets)
        {
            Kind = r.IsWildcard ? HostKind.Wildcard : HostKind.Exact,
            CertResolver = r.Domain is null ? Routing.CertResolver : Routing.HttpCertResolver,
            StripPrefix = r.StripPrefix,
            Headers = r.Headers,
            MaxBodyMb = r.MaxBodyMb,
            // The app's rateLimit is the default of each of its routes.
            RateLimit = r.RateLimit ?? app.RateLimit,
            AllowCidrs = r.AllowCidrs,
            BasicAuthFile = r.BasicAuthSecret is null ? null : $"{TraefikAuthDirectory}/{AuthFileName(app.Name, i)}",
            RedirectTo = r.Redirect switch
            {
                RedirectTarget.Apex => r.Domain is { } d ? d["www.".Length..] : s.Domain,
                RedirectTarget.Www => "www." + (r.Domain ?? s.Domain),
                _ => null,
            },
            Compress = r.Compress,
        }),
    ];

    /// <summary>Where Traefik reads basic-auth htpasswd files: on the server, and inside Traefik (read-only).</summary>
    public const string TraefikAuthHostDirectory = "/srv/platform/traefik/auth";
    public const string TraefikAuthDirectory = "/etc/traefik/auth";

    private static string AuthFileName(string app, int route) => $"{Routing.AppRouter(app, route)}.htpasswd";

    /// <summary>
    /// Writes every basic-auth route's htpasswd file from its secret (never a label or a command line). Traefik reads
    /// a users file only when it builds the middleware, so a changed file applies by restarting Traefik: a second
    /// without the edge, and only when a basic-auth secret or route changed.
    /// </summary>
    private static HostCommandSpec? TraefikAuthFiles(StackSettings s)
    {
        var files = s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal)
            .SelectMany(a => a.Routes.Select((r, i) => (r, i)).Where(x => x.r.BasicAuthSecret is not null)
                .Select(x => (AuthFileName(a.Name, x.i), SecretText.Of(new SecretPart($"appSecrets.{a.Name}.{x.r.BasicAuthSecret}")))))
            .ToList();
        if (files.Count == 0) return null;
        // Traefik runs as root in its image; 0600 root-owned files are readable to it and to nobody else.
        return HostFilesCommand(HostCommandNames.TraefikAuthFiles,
            "writes the htpasswd file of each basic-auth route from its secret; restarts Traefik so it rereads them",
            TraefikAuthHostDirectory, 0, 0, files, ServiceNames.Traefik, SecretText.Plain($"docker restart {ServiceNames.Traefik} >/dev/null"), PartId.Edge);
    }
}

/// <summary>Names of the commands run on the server over SSH.</summary>
public static class HostCommandNames
{
    public const string PostgresProvision = "postgres-provision";
    public const string MariaDbProvision = Parts.MariaDb.MariaDbNames.ProvisionCommand;
    public const string MinioProvision = "minio-provision";
    public const string PgBouncerConfig = "pgbouncer-config";
    public const string RedisAcl = "redis-acl";
    public const string TraefikFileRoutes = "traefik-file-routes";
    public const string TraefikAuthFiles = "traefik-auth-files";
}
