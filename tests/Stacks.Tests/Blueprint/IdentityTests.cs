using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// Identities by construction: whatever the app names are, no app-derived identity equals a platform
/// identity or another app's. Tried over generated names and over the names that used to collide.
/// </summary>
public sealed class IdentityTests
{
    /// <summary>Valid app names, including every platform account's name and name fragments.</summary>
    private static IEnumerable<string> AppNames()
    {
        string[] dangerous = ["superuser", "admin", "root", "stats", "platform-admin", "postgres", "redis", "minio", "uptime-kuma", "backup", "app", "edge",
            "monitoring", "backups", "pgbouncer-stats", "uptime-kuma-admin", "mariadb", "host-metrics", "a", "app-x", "x"];
        var random = new Random(20261201);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        var generated = Enumerable.Range(0, 400).Select(_ =>
        {
            var length = random.Next(2, 30);
            var chars = new char[length];
            chars[0] = (char)('a' + random.Next(26));
            for (var i = 1; i < length - 1; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            chars[^1] = (char)('a' + random.Next(26));
            return new string(chars);
        });
        return dangerous.Concat(generated).Where(Platform.Stacks.Settings.Names.IsAppName).Distinct();
    }

    [Fact]
    public void No_app_name_produces_a_platform_secret_or_another_apps()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var platform = b.Secrets.Select(s => s.Name).Where(n => !n.StartsWith(Identities.AppSecretPrefix, StringComparison.Ordinal)).ToHashSet();
        Assert.Contains(SecretNames.PostgresSuperuser, platform);
        var seen = new Dictionary<string, (string App, AppCredential Credential)>(StringComparer.Ordinal);
        foreach (var app in AppNames())
            foreach (var credential in Enum.GetValues<AppCredential>())
            {
                var name = Identities.AppSecret(app, credential);
                Assert.DoesNotContain(name, platform);
                Assert.True(seen.TryAdd(name, (app, credential)), $"{app}/{credential} and {seen.GetValueOrDefault(name)} share {name}");
            }
        // Every platform-owned name is outside the app namespace.
        Assert.All(platform, n => Assert.False(n.StartsWith(Identities.AppSecretPrefix, StringComparison.Ordinal), n));
    }

    [Theory]
    [InlineData("superuser", AppCredential.Postgres)]   // was postgres-superuser, the PostgreSQL superuser's secret
    [InlineData("admin", AppCredential.Redis)]          // was redis-admin, the Redis operators' secret
    [InlineData("root", AppCredential.Minio)]           // was minio-root, MinIO's root secret
    public void Apps_named_after_platform_accounts_get_their_own_secrets(string app, AppCredential credential)
    {
        var need = credential switch
        {
            AppCredential.Postgres => "needs: { database: true }",
            AppCredential.Redis => "needs: { redis: true }",
            _ => "needs: { buckets: [{ name: files }] }",
        };
        var b = TestStacks.Build(TestStacks.Yaml($"""
            - name: {app}
              image: ghcr.io/example/{app}:1.0.0
              port: 8080
              routes: [{"{"} host: {app} {"}"}]
              healthPath: /healthz
              cpus: 0.5
              memoryMb: 256
              {need}
            """));
        var own = Identities.AppSecret(app, credential);
        Assert.Contains(b.Secrets, s => s.Name == own && s.Source == SecretSource.Generated);
        var env = b.Service($"{app}-1").Env;
        var used = env.Values.SelectMany(v => v.Secrets).ToHashSet();
        Assert.Contains(own, used);
        Assert.DoesNotContain(SecretNames.PostgresSuperuser, used);
        Assert.DoesNotContain(SecretNames.RedisAdmin, used);
        Assert.DoesNotContain(SecretNames.MinioRoot, used);
        // The former name collided with the platform's: no alias may claim the platform's resource.
        Assert.Null(b.Secrets.Single(s => s.Name == own).FormerName);
    }

    [Fact]
    public void Renamed_app_secrets_alias_their_former_names_so_passwords_are_kept()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        Assert.Equal("postgres-api", b.Secrets.Single(s => s.Name == "app.api.postgres").FormerName);
        Assert.Equal("redis-api", b.Secrets.Single(s => s.Name == "app.api.redis").FormerName);
        Assert.Equal("minio-api", b.Secrets.Single(s => s.Name == "app.api.minio").FormerName);
        Assert.Equal(b.Secrets.Count(s => s.FormerName is not null), b.Secrets.Where(s => s.FormerName is not null).Select(s => s.FormerName).Distinct().Count());
    }

    [Fact]
    public void Minio_users_live_in_the_app_namespace_and_never_equal_the_root_user()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var provision = b.HostCommands.Single(c => c.Name == HostCommandNames.MinioProvision).Stdin!.Masked;
        Assert.Contains("mc admin user add local app-api ", provision, StringComparison.Ordinal);
        Assert.Equal("app-api", b.Service("api-1").Env["S3_ACCESS_KEY_ID"].Masked);
        Assert.All(AppNames(), n => Assert.NotEqual("platform-admin", Identities.MinioUser(n)));
    }

    [Fact]
    public void Part_names_of_apps_never_equal_a_platform_parts()
    {
        var platform = Enum.GetValues<PartKind>().Where(k => k != PartKind.App).Select(k => new PartId(k).ResourceName).ToHashSet();
        Assert.All(AppNames(), n => Assert.DoesNotContain(PartId.App(n).ResourceName, platform));
    }
}

public sealed class ServiceNameTests
{
    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void App_instances_can_never_take_a_platform_containers_name(string stack)
    {
        // App instances are <app>-<n>; no platform service name ends in -<digits>, so none can be produced.
        var b = TestStacks.ShippedBlueprint(stack);
        var platform = b.Services.Where(s => s.Part.Kind != PartKind.App).Select(s => s.Name).ToList();
        Assert.NotEmpty(platform);
        Assert.All(platform, n => Assert.DoesNotMatch(@"-\d+$", n));
        Assert.All(b.Services.Where(s => s.Part.Kind == PartKind.App && s.Replacement == Replacement.CreateBeforeDelete), s => Assert.Matches(@"-\d+$", s.Name));
        Assert.Equal(b.Services.Length, b.Services.Select(s => s.Name).Distinct().Count());
    }
}
