namespace Platform.Stacks.Model;

/// <summary>The credentials an app can be given, each with its own secret.</summary>
public enum AppCredential { Postgres, MariaDb, Redis, Minio }

/// <summary>
/// Identities the platform derives from an app's name, each in the app namespace, so that no app name
/// can ever produce a platform identity or another app's:
/// <list type="bullet">
/// <item>secrets: <c>app.&lt;app&gt;.&lt;credential&gt;</c>. App names hold only a-z, 0-9 and '-', so the dots
/// make the form unreachable from any other name; platform secrets never start with <c>app.</c>.</item>
/// <item>MinIO users and policies: <c>app-&lt;app&gt;</c>; MinIO's root user is <c>platform-admin</c>.</item>
/// </list>
/// Database roles and Redis users keep the app's name: they live in the engine's own namespace, whose
/// built-in names (postgres, pg_*, default…) the engines' name rules refuse, and the platform's own
/// Redis user has an underscore no app name can hold.
/// </summary>
public static class Identities
{
    /// <summary>The prefix of every app-owned secret.</summary>
    public const string AppSecretPrefix = "app.";

    public static string AppSecret(string app, AppCredential credential) =>
        $"{AppSecretPrefix}{app}.{credential.ToString().ToLowerInvariant()}";

    /// <summary>
    /// The name the secret had before identities were namespaced (its random password resource keeps its
    /// value through an alias), or null when that old name would be another secret's identity — exactly
    /// the collision this namespacing removes.
    /// </summary>
    public static string FormerAppSecret(string app, AppCredential credential) => credential switch
    {
        AppCredential.Postgres => $"postgres-{app.Replace('-', '_')}",
        AppCredential.MariaDb => $"mariadb-{app}",
        AppCredential.Redis => $"redis-{app}",
        AppCredential.Minio => $"minio-{app}",
        _ => throw new ArgumentOutOfRangeException(nameof(credential), credential, null),
    };

    public static string MinioUser(string app) => $"app-{app}";

    public static string MinioPolicy(string app) => $"app-{app}";
}
