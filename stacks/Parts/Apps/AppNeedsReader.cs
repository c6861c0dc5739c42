using System.Collections.Immutable;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Apps;

/// <summary>What an app's <c>needs</c> asks of the data parts: its database (or another app's), its Redis instance (or another app's), its buckets.</summary>
internal sealed record AppNeeds(DatabaseNeed? Database, string? DatabaseOf, RedisNeed? Redis, string? RedisOf, ImmutableArray<BucketNeed> Buckets);

/// <summary>Reads an app's <c>needs</c>; the database here, Redis and buckets by their parts' readers.</summary>
internal static class AppNeedsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> NeedsKeys => AppSchema.Needs.Keys;
    public static System.Collections.Immutable.ImmutableArray<string> DatabaseKeys => AppSchema.Database.Keys;

    public static AppNeeds Read(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string key, string name)
    {
        DatabaseNeed? database = null;
        string? databaseOf = null;
        RedisNeed? redis = null;
        string? redisOf = null;
        ImmutableArray<BucketNeed> buckets = [];
        if (!m.TryGetValue("needs", out var needsNode)) return new AppNeeds(database, databaseOf, redis, redisOf, buckets);
        var nk = $"{key}.needs";
        var nm = r.Mapping(needsNode, nk, NeedsKeys);
        if (nm.TryGetValue("database", out var dbNode)) database = ReadDatabase(r, dbNode, nk);
        if (nm.TryGetValue("databaseOf", out var ofNode))
        {
            databaseOf = r.String(ofNode, $"{nk}.databaseOf");
            if (database is not null)
                r.Error($"{nk}.databaseOf", "is set together with database.", "Keep one: database for the app's own database, databaseOf to share another app's.");
        }
        if (nm.TryGetValue("redis", out var redisNode)) redis = RedisSettingsReader.ReadNeed(r, redisNode, nk);
        if (nm.TryGetValue("redisOf", out var redisOfNode))
        {
            redisOf = r.String(redisOfNode, $"{nk}.redisOf");
            if (redis is not null)
                r.Error($"{nk}.redisOf", "is set together with redis.", "Keep one: redis for the app's own instance, redisOf to share another app's.");
        }
        buckets = BucketNeedsReader.Read(r, nm.GetValueOrDefault("buckets"), nk, name);
        return new AppNeeds(database, databaseOf, redis, redisOf, buckets);
    }

    /// <summary><c>needs.database</c>: <c>true</c> for a PostgreSQL database of the defaults, or a mapping (engine, extensions, limit, names, timeouts).</summary>
    private static DatabaseNeed? ReadDatabase(NodeReader r, YamlNode dbNode, string nk)
    {
        if (dbNode is YamlScalarNode)
            return r.Bool(dbNode, $"{nk}.database", false) ? new DatabaseNeed([], 20) : null;
        var dk = $"{nk}.database";
        var dm = r.Mapping(dbNode, dk, DatabaseKeys);
        var engine = DatabaseEngine.Postgres;
        if (r.OptionalString(dm, "engine", dk) is { } text)
        {
            engine = text switch
            {
                "postgres" => DatabaseEngine.Postgres,
                "mariadb" => DatabaseEngine.MariaDb,
                _ => r.Fail($"{dk}.engine", $"is '{text}'.",
                    text is "mysql" ? "Use mariadb: the platform's MySQL-compatible server." : "Use postgres (the default) or mariadb (for apps that speak the MySQL protocol).",
                    DatabaseEngine.Postgres),
            };
        }
        var extensions = Data.PostgresTuningReader.ReadExtensions(r, dm, dk, engine == DatabaseEngine.Postgres);
        var limit = r.OptionalInt(dm, "connectionLimit", dk, 20, 1, 1000) ?? 20;
        // Checked as identifiers of their engine, and against every other app's, in SettingsRules.
        var dbName = r.OptionalString(dm, "name", dk);
        var dbRole = r.OptionalString(dm, "role", dk);
        return new DatabaseNeed(extensions, limit)
        {
            Engine = engine, Name = dbName, Role = dbRole,
            Session = Data.PostgresTuningReader.ReadDatabase(r, dm, dk, engine == DatabaseEngine.Postgres),
        };
    }
}
