using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Apps;

/// <summary>
/// Rules across an app's settings and the other apps': the database or Redis instance it shares exists, its env does
/// not set what the platform injects nor hold a secret in plain text, its buckets are listed once, and every app
/// secret set belongs to an app that uses it.
/// </summary>
internal static class AppSettingsRules
{
    /// <summary>Env var names the platform injects into apps; an app's own env must not set them.</summary>
    public static readonly IReadOnlySet<string> InjectedEnv = new HashSet<string>(StringComparer.Ordinal)
    {
        "DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL",
        Parts.MariaDb.MariaDbConnection.UrlEnv, Parts.MariaDb.MariaDbConnection.HostEnv, Parts.MariaDb.MariaDbConnection.PortEnv,
        Parts.MariaDb.MariaDbConnection.DatabaseEnv, Parts.MariaDb.MariaDbConnection.UserEnv, Parts.MariaDb.MariaDbConnection.PasswordEnv, "REDIS_KEY_PREFIX",
        "S3_ENDPOINT", "S3_PUBLIC_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION", "PORT", "APP_URL",
    };

    private static readonly string[] SecretLikeWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "CREDENTIAL"];

    /// <summary>Each app's shared database and Redis instance, env, secret env and buckets, app by app.</summary>
    public static void CheckApps(StackSettings s, NodeReader r, IReadOnlyDictionary<string, AppSettings> byName)
    {
        foreach (var app in s.Apps)
        {
            if (app.DatabaseOf is { } of)
            {
                if (!byName.TryGetValue(of, out var owner))
                    r.Error($"{app.Key}.needs.databaseOf", $"names '{of}', which is not an app of this stack.", $"Use one of: {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal))}.");
                else if (owner.Database is null)
                    r.Error($"{app.Key}.needs.databaseOf", $"names '{of}', which has no database of its own.", $"Add 'needs: {{ database: true }}' to {owner.Key}, or let this app have its own database.");
            }
            Redis.RedisRules.CheckShare(app, byName, r);
            foreach (var (name, value) in app.Env)
            {
                // A mapped value (DATABASE_URL: ${database.directUrl}) takes the default's name on purpose; a plain one would hide it.
                if (InjectedEnv.Contains(name) && !EnvTemplate.HasReference(value))
                    r.Error($"{app.Key}.env.{name}", $"{name} is set by the platform.", "Remove it; the platform injects it from the app's needs (or map it to a reference, e.g. ${database.directUrl}).");
                else if (!app.Buckets.IsEmpty && name.StartsWith("S3_BUCKET_", StringComparison.Ordinal) && !EnvTemplate.HasReference(value))
                    r.Error($"{app.Key}.env.{name}", $"{name} is a name the platform uses for the app's buckets (S3_BUCKET_<NAME>), so the value would be replaced.",
                        "Rename it; the platform sets S3_BUCKET_<NAME> for each bucket under needs.buckets.");
                else if (value.Length > 0 && !AppRules.ReferencesSecret(value) && SecretLikeWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)))
                    r.Error($"{app.Key}.env.{name}", $"{name} looks like a secret but is in plain config.",
                        $"Move it to secretEnv and set it with: pulumi config set --secret --path 'appSecrets.{app.Name}.{name}' <value> --stack {s.Stack}");
            }
            foreach (var name in app.SecretEnv.Where(InjectedEnv.Contains))
                r.Error($"{app.Key}.secretEnv", $"{name} is set by the platform.", "Remove it from secretEnv.");
            var bucketNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bucket in app.Buckets.Where(b => !bucketNames.Add(b.Name)))
                r.Error($"{app.Key}.needs.buckets", $"lists the bucket '{bucket.Name}' twice.", "List each bucket once.");
        }
    }

    /// <summary>Every <c>appSecrets.&lt;app&gt;.&lt;NAME&gt;</c> belongs to an app that uses it.</summary>
    public static void CheckSecrets(StackSettings s, NodeReader r, IReadOnlyDictionary<string, AppSettings> byName)
    {
        foreach (var secret in s.SecretsSet.Where(k => k.StartsWith("appSecrets.", StringComparison.Ordinal)))
        {
            var parts = secret.Split('.', 3);
            if (!byName.TryGetValue(parts[1], out var app))
                r.Error($"platform:{secret}", $"belongs to '{parts[1]}', which is not an app of this stack.", "Remove it (pulumi config rm --path ...) or fix the app name.");
            else if (!app.SecretEnv.Contains(parts[2]) && !app.Routes.Any(x => x.BasicAuthSecret == parts[2])
                     && !app.Env.Values.SelectMany(EnvTemplate.References).Contains("secret." + parts[2]))
                r.Error($"platform:{secret}", $"is set but {app.Key}.secretEnv does not list {parts[2]}, no route's basicAuth names it and no env value references ${{secret.{parts[2]}}}, so nothing would use it.", $"Add {parts[2]} to secretEnv (or a route's basicAuth, or reference it in env), or remove the value.");
        }
    }
}
