using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// The environment an app container gets: the platform's default variables for what it needs, then its own
/// <c>env</c>, whose values may reference what the platform provides (<see cref="EnvTemplate"/>): the same values
/// as the defaults, under the app's own names and in its own formats.
/// </summary>
public static class AppEnvironment
{
    public const int PostgresPort = 5432;
    public const int PgBouncerPort = 6432;
    public const int RedisPort = 6379;
    public const int MinioPort = 9000;

    /// <summary>MinIO's S3 endpoint on the platform's networks.</summary>
    public static string MinioEndpoint => $"http://{ServiceNames.Minio}:{MinioPort}";
    public const string S3Region = "us-east-1";

    /// <summary>Through PgBouncer (transaction pooling): what the app uses at run time.</summary>
    public static SecretText PooledDatabaseUrl(DatabaseSpec db) =>
        new SecretTextBuilder().Text($"postgres://{db.Role}:").Secret(db.PasswordSecret)
            .Text($"@{ServiceNames.PgBouncer}:{PgBouncerPort}/{db.Database}?sslmode=disable").Build();

    /// <summary>Straight to PostgreSQL (session semantics): for migrations, advisory locks, LISTEN/NOTIFY.</summary>
    public static SecretText DirectDatabaseUrl(DatabaseSpec db) =>
        new SecretTextBuilder().Text($"postgres://{db.Role}:").Secret(db.PasswordSecret)
            .Text($"@{ServiceNames.Postgres}:{PostgresPort}/{db.Database}?sslmode=disable").Build();

    /// <summary>An app's URL of its Redis instance: the password only (the instance's default user takes every member's password).</summary>
    public static SecretText RedisUrl(string app, Parts.Redis.RedisInstance instance) =>
        new SecretTextBuilder().Text("redis://:").Secret(SecretNames.Redis(app))
            .Text($"@{Parts.Redis.RedisNames.Alias}:{instance.Port.ToString(CultureInfo.InvariantCulture)}/0").Build();

    /// <summary>The families of references and what each needs, for error messages and the README.</summary>
    public static readonly IReadOnlyList<(string Prefix, string Needs, string[] Names)> Families =
    [
        ("database.", "needs.database (or needs.databaseOf)", ["url", "directUrl", "host", "port", "directHost", "directPort", "name", "user", "password"]),
        ("redis.", "needs.redis", ["url", "host", "port", "user", "password", "keyPrefix"]),
        ("s3.", "needs.buckets (or a bucket another app grants it)", ["endpoint", "publicUrl", "region", "accessKey", "secretKey", "bucket.<name>", "bucket.<app>.<name>"]),
        ("app.", "", ["name", "url", "port"]),
        ("secret.", "a value at appSecrets.<app>.<NAME>", ["<NAME>"]),
    ];

    /// <summary>Every <c>${…}</c> reference the app can use, with its value (<c>secret.*</c> aside: any set app secret).</summary>
    public static ImmutableSortedDictionary<string, SecretText> Provided(StackSettings s, AppSettings app, ImmutableArray<DatabaseSpec> databases)
    {
        var values = new SortedDictionary<string, SecretText>(StringComparer.Ordinal)
        {
            ["app.name"] = SecretText.Plain(app.Name),
        };
        if (app.Port is { } port) values["app.port"] = SecretText.Plain(port.ToString(CultureInfo.InvariantCulture));
        if (app.Routes.FirstOrDefault() is { } route)
            values["app.url"] = SecretText.Plain($"https://{(route.IsWildcard ? s.Domain : route.Fqdn(s.Domain))}{route.PathPrefix}");

        var db = databases.UsedBy(app.Name);
        if (db is { Engine: DatabaseEngine.Postgres })
        {
            values["database.url"] = PooledDatabaseUrl(db);
            values["database.directUrl"] = DirectDatabaseUrl(db);
            values["database.host"] = SecretText.Plain(ServiceNames.PgBouncer);
            values["database.port"] = SecretText.Plain(PgBouncerPort.ToString(CultureInfo.InvariantCulture));
            values["database.directHost"] = SecretText.Plain(ServiceNames.Postgres);
            values["database.directPort"] = SecretText.Plain(PostgresPort.ToString(CultureInfo.InvariantCulture));
            values["database.name"] = SecretText.Plain(db.Database);
            values["database.user"] = SecretText.Plain(db.Role);
            values["database.password"] = SecretText.Of(new SecretPart(db.PasswordSecret));
        }
        if (db is { Engine: DatabaseEngine.MariaDb })
        {
            // MariaDB has no pooler: the direct values are the same.
            var request = MariaDbRequest(db);
            var url = MariaDbConnection.Url(request);
            values["database.url"] = url;
            values["database.directUrl"] = url;
            values["database.host"] = values["database.directHost"] = SecretText.Plain(MariaDbNames.Service);
            values["database.port"] = values["database.directPort"] = SecretText.Plain(MariaDbNames.Port.ToString(CultureInfo.InvariantCulture));
            values["database.name"] = SecretText.Plain(db.Database);
            values["database.user"] = SecretText.Plain(db.Role);
            values["database.password"] = SecretText.Of(new SecretPart(db.PasswordSecret));
        }
        if (Parts.Redis.RedisNames.For(s, app) is { } redis)
        {
            // Password only (the instance's default user takes every member's password): what every client library accepts.
            var redisPort = redis.Port.ToString(CultureInfo.InvariantCulture);
            values["redis.url"] = RedisUrl(app.Name, redis);
            values["redis.host"] = SecretText.Plain(Parts.Redis.RedisNames.Alias);
            values["redis.port"] = SecretText.Plain(redisPort);
            values["redis.user"] = SecretText.Plain("default");
            values["redis.password"] = SecretText.Of(new SecretPart(SecretNames.Redis(app.Name)));
            // The instance is the group's alone; the prefix only keeps the apps of one group apart where they want that.
            values["redis.keyPrefix"] = SecretText.Plain(app.Name + ":");
        }
        if (app.UsesObjectStorage(s))
        {
            values["s3.endpoint"] = SecretText.Plain(MinioEndpoint);
            values["s3.publicUrl"] = SecretText.Plain($"https://{Routing.Fqdn(ServiceNames.FilesHost, s.Domain)}");
            values["s3.region"] = SecretText.Plain(S3Region);
            values["s3.accessKey"] = SecretText.Plain(Identities.MinioUser(app.Name));
            values["s3.secretKey"] = SecretText.Of(new SecretPart(SecretNames.Minio(app.Name)));
            foreach (var bucket in app.Buckets)
                values[$"s3.bucket.{bucket.Name}"] = SecretText.Plain(bucket.FullName(app.Name));
            foreach (var (owner, bucket, _) in s.GrantsTo(app.Name))
                values[$"s3.bucket.{owner.Name}.{bucket.Name}"] = SecretText.Plain(bucket.FullName(owner.Name));
        }
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, values);
    }

    /// <summary>Why <paramref name="path"/> is not a reference <paramref name="app"/> can use (one sentence and a fix), or null.</summary>
    public static (string Problem, string Fix)? ReferenceProblem(StackSettings s, AppSettings app, IReadOnlyDictionary<string, SecretText> provided, string path)
    {
        if (EnvTemplate.SecretName(path) is { } secret)
        {
            if (!Names.IsEnvName(secret))
                return ($"references ${{{path}}}, but '{secret}' is not a secret name.", "Use upper-case letters, digits and underscores, e.g. ${secret.STRIPE_API_KEY}.");
            return s.SecretsSet.Contains($"appSecrets.{app.Name}.{secret}") ? null
                : ($"references ${{{path}}}, which has no value in this stack.", $"pulumi config set --secret --path 'appSecrets.{app.Name}.{secret}' <value> --stack {s.Stack}");
        }
        if (provided.ContainsKey(path)) return null;
        var family = Families.FirstOrDefault(f => path.StartsWith(f.Prefix, StringComparison.Ordinal));
        if (family.Prefix is not null && family.Needs.Length > 0 && !provided.Keys.Any(k => k.StartsWith(family.Prefix, StringComparison.Ordinal)))
            return ($"references ${{{path}}}, but the app does not use what it names.", $"Add {family.Needs} to the app, or remove the reference.");
        var known = provided.Keys.Select(k => "${" + k + "}").Append("${secret.<NAME>}");
        return ($"references ${{{path}}}, which the platform does not provide to this app.", $"Use one of: {string.Join(", ", known)}.");
    }

    /// <summary>
    /// The query of a provided URL (<c>sslmode=disable</c> of <c>${database.url}</c>), or null when it has none. The
    /// platform's URLs end in plain text after their last secret, so the query is in their last literal part.
    /// </summary>
    public static string? UrlQuery(SecretText value)
    {
        if (value.Parts.IsEmpty || value.Parts[^1] is not LiteralPart { Text: var tail }
            || !value.Parts.Any(p => p is LiteralPart { Text: var t } && t.Contains("://", StringComparison.Ordinal)))
            return null;
        var q = tail.IndexOf('?', StringComparison.Ordinal);
        return q < 0 || tail.Contains('#', StringComparison.Ordinal) ? null : tail[(q + 1)..];
    }

    /// <summary>
    /// Each place where a value extends a provided URL that already has a query with <c>?k=v</c>
    /// (<c>${database.directUrl}?schema=public</c>): the reference, the URL's query and the parameter names the text adds
    /// (up to a space, a '#' or the next reference). <see cref="Resolve"/> joins them with <c>&amp;</c>: one valid query.
    /// </summary>
    public static IEnumerable<(string Reference, string Query, ImmutableArray<string> Added)> QueryExtensions(string value, IReadOnlyDictionary<string, SecretText> provided)
    {
        var segments = EnvTemplate.Parse(value).Segments;
        for (var i = 0; i + 1 < segments.Length; i++)
        {
            if (segments[i] is EnvReference r && segments[i + 1] is EnvText { Text: var text } && text.StartsWith('?')
                && provided.TryGetValue(r.Path, out var v) && UrlQuery(v) is { } query)
            {
                var end = text.IndexOfAny([' ', '#'], 1);
                yield return (r.Path, query, QueryKeys(end < 0 ? text[1..] : text[1..end]));
            }
        }
    }

    /// <summary>The parameter names of a URL query (<c>a=1&amp;b=2</c>: a, b).</summary>
    public static ImmutableArray<string> QueryKeys(string query) =>
        [.. query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[0])];

    /// <summary>An env value with its references replaced; secrets stay references (masked in the plan, resolved by Pulumi).</summary>
    public static SecretText Resolve(string app, string value, IReadOnlyDictionary<string, SecretText> provided)
    {
        var b = new SecretTextBuilder();
        SecretText? previous = null;
        foreach (var segment in EnvTemplate.Parse(value).Segments)
        {
            var after = previous;
            previous = null;
            switch (segment)
            {
                // A URL that has a query, extended with "?k=v": one query, joined with '&' (a second '?' would make the
                // added parameters part of the platform's last value: sslmode=disable?schema=public).
                case EnvText t when t.Text.StartsWith('?') && after is not null && UrlQuery(after) is not null:
                    b.Text("&" + t.Text[1..]);
                    break;
                case EnvText t:
                    b.Text(t.Text);
                    break;
                case EnvReference r when EnvTemplate.SecretName(r.Path) is { } secret:
                    b.Secret($"appSecrets.{app}.{secret}");
                    break;
                case EnvReference r:
                    previous = provided.TryGetValue(r.Path, out var v) ? v
                        : throw new InvalidOperationException($"The env reference ${{{r.Path}}} of {app} was not validated.");
                    b.Append(previous);
                    break;
            }
        }
        return b.Build();
    }

    public static ImmutableSortedDictionary<string, SecretText> For(StackSettings s, AppSettings app, ImmutableArray<DatabaseSpec> databases)
    {
        var provided = Provided(s, app, databases);
        var env = new SortedDictionary<string, SecretText>(StringComparer.Ordinal);
        foreach (var name in app.SecretEnv) env[name] = SecretText.Of(new SecretPart($"appSecrets.{app.Name}.{name}"));
        if (provided.TryGetValue("app.port", out var port)) env["PORT"] = port;
        if (provided.TryGetValue("app.url", out var url)) env["APP_URL"] = url;

        var db = databases.UsedBy(app.Name);
        if (db is { Engine: DatabaseEngine.Postgres })
        {
            env["DATABASE_URL"] = provided["database.url"];
            env["DATABASE_DIRECT_URL"] = provided["database.directUrl"];
        }
        // MySQL's usual names (a URL and its parts), for the database's owner and the apps sharing it alike.
        if (db is { Engine: DatabaseEngine.MariaDb })
            foreach (var (k, v) in MariaDbConnection.Env(MariaDbRequest(db)))
                env[k] = v;
        if (provided.ContainsKey("redis.url"))
        {
            env["REDIS_URL"] = provided["redis.url"];
            env["REDIS_KEY_PREFIX"] = provided["redis.keyPrefix"];
        }
        if (app.UsesObjectStorage(s))
        {
            env["S3_ENDPOINT"] = provided["s3.endpoint"];
            env["S3_PUBLIC_URL"] = provided["s3.publicUrl"];
            env["S3_REGION"] = provided["s3.region"];
            env["S3_ACCESS_KEY_ID"] = provided["s3.accessKey"];
            env["S3_SECRET_ACCESS_KEY"] = provided["s3.secretKey"];
            foreach (var bucket in app.Buckets)
                env[$"S3_BUCKET_{bucket.Name.ToUpperInvariant().Replace('-', '_')}"] = provided[$"s3.bucket.{bucket.Name}"];
        }
        // The app's own names last: a mapped value may deliberately take a default's name (DATABASE_URL: ${database.directUrl}).
        foreach (var (k, v) in app.Env) env[k] = Resolve(app.Name, v, provided);
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, env);
    }

    /// <summary>The MariaDB request behind a MariaDB database spec (its names may differ from the app's).</summary>
    public static MariaDbDatabaseRequest MariaDbRequest(DatabaseSpec db) =>
        new(db.App, db.Database, db.Role, db.PasswordSecret, db.ConnectionLimit);
}
