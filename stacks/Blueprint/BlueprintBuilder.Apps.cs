using System.Collections.Immutable;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
    private static IEnumerable<ServiceSpec> AppServices(StackSettings s, AppSettings app, ImmutableArray<DatabaseSpec> databases)
    {
        var routes = app.Routes.Select((r, i) => new RouteSpec(
            app.Routes.Length == 1 ? app.Name : $"{app.Name}-{i}", Routing.Fqdn(r.Host, s.Domain), r.Host, r.PathPrefix, r.Websockets)).ToList();
        var labels = app.Port is { } port && routes.Count > 0
            ? Routing.Labels(app.Name, port, routes, s.Domain, app.HealthPath, app.RateLimit, s.CloudflareOnlyIngress,
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

/// <summary>Names of the commands run on the server over SSH.</summary>
public static class HostCommandNames
{
    public const string PostgresProvision = "postgres-provision";
    public const string MariaDbProvision = Parts.MariaDb.MariaDbNames.ProvisionCommand;
    public const string MinioProvision = "minio-provision";
    public const string PgBouncerConfig = "pgbouncer-config";
    public const string RedisAcl = "redis-acl";
    public const string TraefikFileRoutes = "traefik-file-routes";
}
