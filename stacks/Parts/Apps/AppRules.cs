using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Settings;

/// <summary>
/// Rules of an app entry that span apps or need the platform's view of them: volumes, talksTo, jobs, database
/// names, bucket grants and env references.
/// </summary>
internal static class AppRules
{
    public static void Check(StackSettings s, NodeReader r, IReadOnlyDictionary<string, AppSettings> byName)
    {
        var others = string.Join(", ", byName.Keys.Order(StringComparer.Ordinal));
        foreach (var app in s.Apps)
        {
            CheckVolumes(app, r);
            var talks = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < app.TalksTo.Length; i++)
            {
                var target = app.TalksTo[i];
                var key = $"{app.Key}.talksTo[{i}]";
                if (target == app.Name) r.Error(key, "names the app itself.", "Remove it; an app always reaches its own instances.");
                else if (!byName.ContainsKey(target)) r.Error(key, $"names '{target}', which is not an app of this stack.", $"Use one of: {others}.");
                else if (!talks.Add(target)) r.Error(key, $"lists '{target}' twice.", "List each app once.");
            }
            var jobs = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < app.Jobs.Length; i++)
            {
                if (app.Jobs[i].Name.Length > 0 && !jobs.TryAdd(app.Jobs[i].Name, i))
                    r.Error($"{app.Key}.jobs[{i}].name", $"'{app.Jobs[i].Name}' is also the name of {app.Key}.jobs[{jobs[app.Jobs[i].Name]}].", "Give every job of the app its own name.");
            }
            CheckGrants(app, r, byName, others);
        }
        CheckPostgresNames(s, r);
        CheckBucketNames(s, r);
        CheckReferences(s, r);
        CheckHealthRoutes(s, r);
    }

    /// <summary>
    /// Every app with a health path and a public route has a route that takes that path to it; an app whose health path or
    /// routes are already in error is left out (its health route follows once they are fixed).
    /// </summary>
    private static void CheckHealthRoutes(StackSettings s, NodeReader r)
    {
        foreach (var app in s.Apps)
        {
            var key = $"{app.Key}.healthPath";
            if (r.Errors.Any(e => e.Key == key || e.Key.StartsWith(app.Key + ".routes", StringComparison.Ordinal))) continue;
            if (HealthRoutes.Problem(s, app) is { } health)
                r.Error(key, health.Problem, health.Fix);
        }
    }

    private static void CheckVolumes(AppSettings app, NodeReader r)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < app.Volumes.Length; i++)
        {
            var v = app.Volumes[i];
            var key = $"{app.Key}.volumes[{i}]";
            if (v.Name.Length > 0 && !names.TryAdd(v.Name, i))
                r.Error($"{key}.name", $"'{v.Name}' is also the name of {app.Key}.volumes[{names[v.Name]}].", "Give every volume of the app its own name.");
            if (v.MountPath.Length > 0 && !paths.TryAdd(v.MountPath, i))
                r.Error($"{key}.mountPath", $"{v.MountPath} is also where {app.Key}.volumes[{paths[v.MountPath]}] is mounted.", "Mount each volume at its own path.");
            // Several containers writing one volume is safe only when the app says it copes (uploads by unique name, not a database file).
            if (app.Instances > 1 && !v.Shared)
                r.Error($"{key}.shared", $"is false, but the app runs {app.Instances} instances, which would all write the volume '{v.Name}' at once.",
                    "Set 'shared: true' if the app copes with concurrent writers (e.g. uploaded files), or run one instance.");
        }
    }

    private static void CheckGrants(AppSettings app, NodeReader r, IReadOnlyDictionary<string, AppSettings> byName, string others)
    {
        for (var b = 0; b < app.Buckets.Length; b++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var g = 0; g < app.Buckets[b].Grants.Length; g++)
            {
                var grant = app.Buckets[b].Grants[g];
                var key = $"{app.Key}.needs.buckets[{b}].grants[{g}].app";
                if (grant.App.Length == 0) continue;
                if (grant.App == app.Name) r.Error(key, "names the bucket's owner.", "Remove it; the owner always has full access to its buckets.");
                else if (!byName.ContainsKey(grant.App)) r.Error(key, $"names '{grant.App}', which is not an app of this stack.", $"Use one of: {others}.");
                else if (!seen.Add(grant.App)) r.Error(key, $"grants '{grant.App}' access twice.", "Keep one grant per app (access: read or readwrite).");
            }
        }
    }

    /// <summary>PostgreSQL database and role names: valid identifiers, and each used by one app only.</summary>
    private static void CheckPostgresNames(StackSettings s, NodeReader r)
    {
        var databases = new Dictionary<string, string>(StringComparer.Ordinal);
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var app in s.Apps.Where(a => a.Database is { Engine: DatabaseEngine.Postgres } && Names.IsAppName(a.Name)))
        {
            var need = app.Database!;
            var (database, role) = BlueprintBuilder.DatabaseNames(app);
            var dbKey = need.Name is null ? $"{app.Key}.name" : $"{app.Key}.needs.database.name";
            var roleKey = need.Role is not null ? $"{app.Key}.needs.database.role" : dbKey;
            if (need.Name is not null && Data.PostgresNames.Problem(database) is { } dbProblem)
                r.Error(dbKey, $"'{database}' cannot name a PostgreSQL database: it {dbProblem}.", "Use a lower-case identifier such as tour_crm.");
            if (need.Role is not null && Data.PostgresNames.Problem(role) is { } roleProblem)
                r.Error(roleKey, $"'{role}' cannot name a PostgreSQL role: it {roleProblem}.", "Use a lower-case identifier such as tour_crm.");
            if (databases.TryGetValue(database, out var owner))
                r.Error(dbKey, $"the database '{database}' is also {owner}'s.", "Give every app its own database name (needs.database.name), or share one with needs.databaseOf.");
            else databases[database] = dbKey;
            if (roles.TryGetValue(role, out var roleOwner))
                r.Error(roleKey, $"the role '{role}' is also {roleOwner}'s.", "Give every app its own role (needs.database.role), or share a database with needs.databaseOf.");
            else roles[role] = roleKey;
        }
    }

    /// <summary>
    /// Buckets are created as &lt;app&gt;-&lt;name&gt;, or under the name the stack chose (bucketName): no two entries may make
    /// the same bucket (app a-b's c and app a's b-c; a chosen name and another app's derived one), and none a name the
    /// platform keeps (<see cref="Platform.Stacks.Parts.Storage.BucketNames.PlatformProblem"/>).
    /// </summary>
    private static void CheckBucketNames(StackSettings s, NodeReader r)
    {
        var seen = new Dictionary<string, (string App, string Name, string Key)>(StringComparer.Ordinal);
        foreach (var app in s.Apps)
        {
            for (var b = 0; b < app.Buckets.Length; b++)
            {
                var bucket = app.Buckets[b];
                var key = $"{app.Key}.needs.buckets[{b}].{(bucket.BucketName is null ? "name" : "bucketName")}";
                var full = bucket.FullName(app.Name);
                if (bucket.BucketName is null && Platform.Stacks.Parts.Storage.BucketNames.PlatformProblem(full) is { } problem)
                    r.Error(key, $"makes the bucket '{full}', which {problem}.", "Choose another bucket name, or set bucketName.");
                // The same app listing a bucket twice is reported where the app's buckets are read.
                if (seen.TryGetValue(full, out var owner) && (owner.App != app.Key || owner.Name != bucket.Name))
                    r.Error(key, $"makes the bucket '{full}', which {owner.Key} makes too.",
                        "Choose another bucket name (or bucketName); to share a bucket, grant it to the other app (grants: [{ app: …, access: read }]).");
                else seen.TryAdd(full, (app.Key, bucket.Name, key));
            }
        }
    }

    /// <summary>Every ${…} in every env value parses and names something the platform provides to that app.</summary>
    private static void CheckReferences(StackSettings s, NodeReader r)
    {
        var databases = BlueprintBuilder.Databases(s);
        foreach (var app in s.Apps.Where(a => a.Env.Values.Any(v => v.Contains('$', StringComparison.Ordinal))))
        {
            var provided = AppEnvironment.Provided(s, app, databases);
            foreach (var (name, value) in app.Env)
            {
                var key = $"{app.Key}.env.{name}";
                var (segments, problem) = EnvTemplate.Parse(value);
                if (problem is not null)
                {
                    r.Error(key, problem, "Write references as ${database.url} (a literal '${' as '$${').");
                    continue;
                }
                foreach (var reference in segments.OfType<EnvReference>().Select(x => x.Path).Distinct(StringComparer.Ordinal))
                {
                    if (AppEnvironment.ReferenceProblem(s, app, provided, reference) is { } p)
                        r.Error(key, p.Problem, p.Fix);
                }
                // "?k=v" after a URL with a query is joined with '&'; a parameter the platform's URL sets already would be
                // there twice, and drivers disagree on which one counts.
                foreach (var (reference, query, added) in AppEnvironment.QueryExtensions(value, provided))
                {
                    var twice = added.Intersect(AppEnvironment.QueryKeys(query), StringComparer.Ordinal).ToList();
                    if (twice.Count > 0)
                        r.Error(key, $"adds {string.Join(", ", twice.Select(k => $"'{k}'"))} to ${{{reference}}}, whose URL already sets {query}.",
                            $"Remove {string.Join(", ", twice)} from the value: the platform's URL keeps {query} (its services are reached on private networks), and other parameters are joined to it with '&'.");
                }
            }
        }
    }

    /// <summary>Whether a value takes a secret from the platform (then its name may say PASSWORD without being one in plain text).</summary>
    public static bool ReferencesSecret(string value) =>
        EnvTemplate.References(value).Any(p => p.StartsWith("secret.", StringComparison.Ordinal)
            || p is "database.url" or "database.directUrl" or "database.password" or "redis.url" or "redis.password" or "s3.secretKey");
}
