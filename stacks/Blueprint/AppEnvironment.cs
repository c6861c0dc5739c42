using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>The environment an app container gets: its own settings plus connection strings for what it needs.</summary>
public static class AppEnvironment
{
    public const int PostgresPort = 5432;
    public const int PgBouncerPort = 6432;
    public const int RedisPort = 6379;
    public const int MinioPort = 9000;

    /// <summary>Through PgBouncer (transaction pooling): what the app uses at run time.</summary>
    public static SecretText PooledDatabaseUrl(DatabaseSpec db) =>
        new SecretTextBuilder().Text($"postgres://{db.Role}:").Secret(db.PasswordSecret)
            .Text($"@{ServiceNames.PgBouncer}:{PgBouncerPort}/{db.Database}?sslmode=disable").Build();

    /// <summary>Straight to PostgreSQL (session semantics): for migrations, advisory locks, LISTEN/NOTIFY.</summary>
    public static SecretText DirectDatabaseUrl(DatabaseSpec db) =>
        new SecretTextBuilder().Text($"postgres://{db.Role}:").Secret(db.PasswordSecret)
            .Text($"@{ServiceNames.Postgres}:{PostgresPort}/{db.Database}?sslmode=disable").Build();

    public static ImmutableSortedDictionary<string, SecretText> For(StackSettings s, AppSettings app, ImmutableArray<DatabaseSpec> databases)
    {
        var env = new SortedDictionary<string, SecretText>(StringComparer.Ordinal);
        foreach (var (k, v) in app.Env) env[k] = SecretText.Plain(v);
        foreach (var name in app.SecretEnv) env[name] = SecretText.Of(new SecretPart($"appSecrets.{app.Name}.{name}"));
        if (app.Port is { } port) env["PORT"] = SecretText.Plain(port.ToString(CultureInfo.InvariantCulture));
        if (app.Routes.FirstOrDefault() is { } route)
            env["APP_URL"] = SecretText.Plain($"https://{(route.IsWildcard ? s.Domain : route.Fqdn(s.Domain))}{route.PathPrefix}");

        var db = databases.FirstOrDefault(d => d.UsedBy.Contains(app.Name));
        if (db is { Engine: DatabaseEngine.Postgres })
        {
            env["DATABASE_URL"] = PooledDatabaseUrl(db);
            env["DATABASE_DIRECT_URL"] = DirectDatabaseUrl(db);
        }
        // MySQL's usual names (a URL and its parts), for the database's owner and the apps sharing it alike.
        if (db is { Engine: DatabaseEngine.MariaDb })
            foreach (var (k, v) in Parts.MariaDb.MariaDbConnection.Env(Parts.MariaDb.MariaDbDatabaseRequest.ForApp(db.App, db.ConnectionLimit)))
                env[k] = v;
        if (app.Redis)
        {
            env["REDIS_URL"] = new SecretTextBuilder().Text($"redis://{app.Name}:").Secret(SecretNames.Redis(app.Name))
                .Text($"@{ServiceNames.Redis}:{RedisPort}/0").Build();
            env["REDIS_KEY_PREFIX"] = SecretText.Plain(app.Name + ":");
        }
        if (!app.Buckets.IsEmpty)
        {
            env["S3_ENDPOINT"] = SecretText.Plain($"http://{ServiceNames.Minio}:{MinioPort}");
            env["S3_PUBLIC_URL"] = SecretText.Plain($"https://{Routing.Fqdn(ServiceNames.FilesHost, s.Domain)}");
            env["S3_REGION"] = SecretText.Plain("us-east-1");
            env["S3_ACCESS_KEY_ID"] = SecretText.Plain(Identities.MinioUser(app.Name));
            env["S3_SECRET_ACCESS_KEY"] = SecretText.Of(new SecretPart(SecretNames.Minio(app.Name)));
            foreach (var bucket in app.Buckets)
                env[$"S3_BUCKET_{bucket.Name.ToUpperInvariant().Replace('-', '_')}"] = SecretText.Plain($"{app.Name}-{bucket.Name}");
        }
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, env);
    }
}
