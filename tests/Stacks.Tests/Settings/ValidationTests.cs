using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

public sealed class ValidationTests
{
    private static SettingsError Single(IReadOnlyList<SettingsError> errors, string key)
    {
        Assert.True(errors.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors)}");
        Assert.Equal(key, errors[0].Key);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }

    [Fact]
    public void The_test_stack_is_valid() => Assert.Empty(TestStacks.Errors(TestStacks.Yaml()));

    [Theory]
    [InlineData("platform:serverTyp: cx42", "platform:serverTyp", "serverType")]
    [InlineData("platform:postgresMemoryMB: 512", "platform:postgresMemoryMB", "postgresMemoryMb")]
    public void Unknown_keys_are_reported_with_a_suggestion(string line, string key, string suggestion)
    {
        var error = Single(TestStacks.Errors(TestStacks.Yaml(extra: line)), key);
        Assert.Contains(suggestion, error.Fix);
    }

    [Fact]
    public void Unknown_app_keys_are_reported_with_a_suggestion()
    {
        var apps = TestStacks.DefaultApps.Replace("memoryMb: 128", "memoryMb: 128\n  memorMb: 64");
        var error = Single(TestStacks.Errors(TestStacks.Yaml(apps)), "platform:apps[2].memorMb");
        Assert.Contains("memoryMb", error.Fix);
    }

    [Fact]
    public void Missing_required_values_are_reported()
    {
        var yaml = TestStacks.Yaml().Replace("  platform:domain: example.com\n", "").Replace("  platform:acmeEmail: ops@example.com\n", "");
        var errors = TestStacks.Errors(yaml);
        Assert.Contains(errors, e => e.Key == "platform:domain" && e.Problem.Contains("required"));
        Assert.Contains(errors, e => e.Key == "platform:acmeEmail" && e.Problem.Contains("required"));
    }

    [Theory]
    [InlineData("platform:domain: Example..com", "platform:domain")]
    [InlineData("platform:domain: localhost", "platform:domain")]
    [InlineData("platform:zone: other.org", "platform:zone")]
    [InlineData("platform:acmeEmail: not-an-email", "platform:acmeEmail")]
    [InlineData("platform:environment: production", "platform:environment")]
    [InlineData("platform:serverType: cx99", "platform:serverType")]
    [InlineData("platform:serverLocation: mars1", "platform:serverLocation")]
    [InlineData("platform:deployUser: root", "platform:deployUser")]
    [InlineData("platform:postgresImage: postgres", "platform:postgresImage")]
    [InlineData("platform:redisImage: redis:latest", "platform:redisImage")]
    [InlineData("platform:traefikImage: traefik:stable", "platform:traefikImage")]
    [InlineData("platform:postgresMemoryMb: 0", "platform:postgresMemoryMb")]
    [InlineData("platform:postgresMemoryMb: -5", "platform:postgresMemoryMb")]
    [InlineData("platform:postgresMemoryMb: lots", "platform:postgresMemoryMb")]
    [InlineData("platform:redisEvictionPolicy: lru", "platform:redisEvictionPolicy")]
    [InlineData("platform:backupPostgresDailySchedule: \"0 3 * *\"", "platform:backupPostgresDailySchedule")]
    [InlineData("platform:backupRedisSchedule: \"*/15 25 * * *\"", "platform:backupRedisSchedule")]
    [InlineData("platform:backupPostgresDailyRetentionDays: 0", "platform:backupPostgresDailyRetentionDays")]
    [InlineData("platform:backupRedisRetentionHours: 10000", "platform:backupRedisRetentionHours")]
    [InlineData("platform:backupS3Bucket: Bad_Bucket", "platform:backupS3Bucket")]
    [InlineData("platform:cloudflareOnlyIngress: maybe", "platform:cloudflareOnlyIngress")]
    [InlineData("platform:pgbouncerMinPoolSize: 50", "platform:pgbouncerMinPoolSize")]
    [InlineData("platform:prices: { cx43: 10 }", "platform:prices.cx43")]
    [InlineData("platform:prices: { ipv4: cheap }", "platform:prices.ipv4")]
    public void Bad_settings_name_their_key(string line, string key)
    {
        // A later line overrides an earlier one in YAML? No: duplicate keys are a YAML error, so override by replacing.
        var name = line[..line.IndexOf(':', "platform:".Length)];
        var yaml = TestStacks.Yaml();
        yaml = yaml.Contains("  " + name + ":") ? ReplaceLine(yaml, name, line) : yaml.Replace("  platform:apps:", "  " + line + "\n  platform:apps:");
        Single(TestStacks.Errors(yaml), key);
    }

    private static string ReplaceLine(string yaml, string name, string line) =>
        string.Join("\n", yaml.Split('\n').Select(l => l.StartsWith("  " + name + ":", StringComparison.Ordinal) ? "  " + line : l));

    [Theory]
    [InlineData("10.0.0.1", "is not a CIDR")]
    [InlineData("10.0.0.1/33", "is not a CIDR")]
    [InlineData("10.0.0.1/24", "host bits")]
    [InlineData("0.0.0.0/0", "whole internet")]
    public void Bad_admin_cidrs_are_rejected(string cidr, string problem)
    {
        var yaml = TestStacks.Yaml().Replace("[203.0.113.0/24]", $"[\"{cidr}\"]");
        var error = Single(TestStacks.Errors(yaml), "platform:adminCidrs[0]");
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Ipv6_admin_cidrs_are_accepted() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml().Replace("[203.0.113.0/24]", "[203.0.113.0/24, \"2001:db8::/48\"]")));

    [Fact]
    public void A_private_key_pasted_as_ssh_key_is_rejected()
    {
        var yaml = TestStacks.Yaml().Replace(TestStacks.Key, "-----BEGIN OPENSSH PRIVATE KEY-----");
        Single(TestStacks.Errors(yaml), "platform:sshPublicKeys[0]");
    }

    [Fact]
    public void Secrets_in_plain_text_are_rejected()
    {
        var yaml = TestStacks.Yaml().Replace("  platform:cloudflareApiToken:\n    secure: v1:abc", "  platform:cloudflareApiToken: cf-token-in-clear");
        var error = Single(TestStacks.Errors(yaml), "platform:cloudflareApiToken");
        Assert.Contains("--secret", error.Fix);
        Assert.DoesNotContain("cf-token-in-clear", error.ToString());
    }

    [Fact]
    public void Prod_without_backups_is_rejected()
    {
        var error = Single(TestStacks.Errors(TestStacks.Yaml(environment: "prod", extra: "platform:backupsEnabled: false")), "platform:backupsEnabled");
        Assert.Contains("prod", error.Problem);
    }

    [Fact]
    public void Prod_without_an_alert_target_is_rejected()
    {
        var yaml = TestStacks.Yaml(environment: "prod").Replace("  platform:alertWebhookUrl:\n    secure: v1:abc\n", "");
        Single(TestStacks.Errors(yaml), "platform:alertWebhookUrl");
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml().Replace("  platform:alertWebhookUrl:\n    secure: v1:abc\n", "")));
    }

    [Fact]
    public void An_autokuma_that_cannot_read_the_monitor_files_is_rejected() =>
        Single(TestStacks.Errors(TestStacks.Yaml(extra: "platform:autoKumaImage: ghcr.io/bigboot/autokuma:0.8.0")), "platform:autoKumaImage");

    [Fact]
    public void Backups_need_their_target_and_credentials()
    {
        var yaml = TestStacks.Yaml().Replace("  platform:backupS3Bucket: example-backups\n", "")
            .Replace("  platform:backupS3AccessKeyId:\n    secure: v1:abc\n", "");
        var errors = TestStacks.Errors(yaml);
        Assert.Equal(["platform:backupS3AccessKeyId", "platform:backupS3Bucket"], errors.Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("ghcr.io/example/api", "no tag")]
    [InlineData("ghcr.io/example/api:latest", "moving tag")]
    [InlineData("ghcr.io/example/api:main", "moving tag")]
    [InlineData("ghcr.io/example/API:1.0", "not a valid image")]
    [InlineData("ghcr.io/example/api@sha256:1234", "malformed digest")]
    public void App_images_must_be_pinned(string image, string problem)
    {
        var apps = TestStacks.DefaultApps.Replace("image: ghcr.io/example/web:2.0.0", $"image: {image}");
        var error = Single(TestStacks.Errors(TestStacks.Yaml(apps)), "platform:apps[1].image");
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void A_digest_pins_an_image() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("ghcr.io/example/web:2.0.0", "ghcr.io/example/web@sha256:" + new string('a', 64)))));

    [Fact]
    public void Duplicate_app_names_are_rejected()
    {
        var apps = TestStacks.DefaultApps.Replace("- name: worker", "- name: web");
        Single(TestStacks.Errors(TestStacks.Yaml(apps)), "platform:apps[2].name");
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("uptime-kuma")]
    [InlineData("backup-redis")]
    [InlineData("uptime-kuma-setup")]
    public void Apps_may_not_take_a_platform_service_name(string name)
    {
        var error = Single(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("- name: worker", $"- name: {name}"))), "platform:apps[2].name");
        Assert.Contains("platform service", error.Problem);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("all")]
    [InlineData("pg-stats")]
    public void App_names_that_postgres_reserves_are_rejected_for_databases(string name)
    {
        var error = Single(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("- name: api", $"- name: {name}").Replace("databaseOf: api", $"databaseOf: {name}"))), "platform:apps[0].name");
        Assert.Contains("PostgreSQL", error.Problem);
    }

    [Fact]
    public void An_app_named_like_a_redis_user_is_fine_now_that_apps_are_not_redis_users() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("- name: api", "- name: default").Replace("databaseOf: api", "databaseOf: default")
            .Replace("needs: { database: true, redis: true", "needs: { redis: true").Replace("needs: { databaseOf: default }", "needs: { redis: false }"))));

    [Theory]
    [InlineData("Api")]
    [InlineData("a")]
    [InlineData("api_v2")]
    [InlineData("1api")]
    public void Bad_app_names_are_rejected(string name) =>
        Single(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace("- name: worker", $"- name: {name}"))), "platform:apps[2].name");

    [Fact]
    public void Duplicate_routes_clash()
    {
        var apps = TestStacks.DefaultApps.Replace("routes: [{ host: app }, { host: \"@\" }]", "routes: [{ host: app, path: /api }, { host: \"@\" }]");
        var error = Single(TestStacks.Errors(TestStacks.Yaml(apps)), "platform:apps[1].routes[0].host");
        Assert.Contains("platform:apps[0]", error.Problem);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("files")]
    public void Routes_clash_with_platform_hosts(string host)
    {
        var apps = TestStacks.DefaultApps.Replace("{ host: \"@\" }", $"{{ host: {host} }}");
        var error = Single(TestStacks.Errors(TestStacks.Yaml(apps)), "platform:apps[1].routes[1].host");
        Assert.Contains("reserved", error.Fix);
    }

    [Theory]
    [InlineData("app.example.com", "not a full domain")]
    [InlineData("Bad_Host", "not a host name")]
    public void Bad_hosts_are_rejected(string host, string fix)
    {
        var apps = TestStacks.DefaultApps.Replace("{ host: \"@\" }", $"{{ host: \"{host}\" }}");
        var errors = TestStacks.Errors(TestStacks.Yaml(apps));
        Assert.Contains(errors, e => e.Key == "platform:apps[1].routes[1].host" && (e.Fix.Contains(fix) || e.Problem.Contains(fix)));
    }

    [Fact]
    public void Hosts_deeper_than_universal_ssl_covers_are_rejected()
    {
        var yaml = TestStacks.Yaml().Replace("platform:domain: example.com", "platform:domain: staging.example.com\n  platform:zone: example.com");
        var errors = TestStacks.Errors(yaml);
        Assert.Contains(errors, e => e.Key == "platform:apps[0].routes[0].host" && e.Problem.Contains("Universal SSL"));
    }

    [Theory]
    [InlineData("port: 8000", "port: 70000", "platform:apps[0].port")]
    [InlineData("port: 8000", "port: 0", "platform:apps[0].port")]
    [InlineData("memoryMb: 128", "memoryMb: 0", "platform:apps[2].memoryMb")]
    [InlineData("memoryMb: 128", "memoryMb: -1", "platform:apps[2].memoryMb")]
    [InlineData("cpus: 0.5\n  memoryMb: 128", "cpus: 0\n  memoryMb: 128", "platform:apps[2].cpus")]
    [InlineData("cpus: 0.5\n  memoryMb: 128", "cpus: 99\n  memoryMb: 128", "platform:apps[2].cpus")]
    [InlineData("instances: 2", "instances: 0", "platform:apps[1].instances")]
    [InlineData("path: /api", "path: api", "platform:apps[0].routes[0].path")]
    [InlineData("healthPath: /health", "healthPath: health", "platform:apps[1].healthPath")]
    [InlineData("needs: { databaseOf: api }", "needs: { databaseOf: web }", "platform:apps[2].needs.databaseOf")]
    [InlineData("needs: { databaseOf: api }", "needs: { databaseOf: nope }", "platform:apps[2].needs.databaseOf")]
    [InlineData("buckets: [{ name: uploads }]", "buckets: [{ name: Up }]", "platform:apps[0].needs.buckets[0].name")]
    [InlineData("  healthCommand: [CMD, worker, --check]\n", "", "platform:apps[2].healthPath")]
    [InlineData("memoryMb: 128", "memoryMb: 128\n  env: { DATABASE_URL: x }", "platform:apps[2].env.DATABASE_URL")]
    [InlineData("memoryMb: 128", "memoryMb: 128\n  env: { SMTP_PASSWORD: hunter2 }", "platform:apps[2].env.SMTP_PASSWORD")]
    [InlineData("memoryMb: 128", "memoryMb: 128\n  secretEnv: [SMTP_PASSWORD]", "platform:apps[2].secretEnv[0]")]
    [InlineData("memoryMb: 128", "memoryMb: 128\n  rateLimit: { average: 10 }", "platform:apps[2].rateLimit")]
    public void Bad_app_settings_name_their_key(string find, string replace, string key)
    {
        var apps = TestStacks.DefaultApps;
        var at = apps.LastIndexOf(find, StringComparison.Ordinal);
        if (key.Contains("[0]", StringComparison.Ordinal) && !key.Contains("apps[0].routes", StringComparison.Ordinal) && key.StartsWith("platform:apps[0]", StringComparison.Ordinal)) at = apps.IndexOf(find, StringComparison.Ordinal);
        if (key.StartsWith("platform:apps[0]", StringComparison.Ordinal)) at = apps.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, find);
        apps = apps[..at] + replace + apps[(at + find.Length)..];
        Single(TestStacks.Errors(TestStacks.Yaml(apps)), key);
    }

    [Fact]
    public void A_memory_budget_that_does_not_fit_is_rejected_with_the_figures()
    {
        var apps = TestStacks.DefaultApps.Replace("instances: 2", "instances: 20").Replace("memoryMb: 256\n  instances", "memoryMb: 1024\n  instances");
        var error = Single(TestStacks.Errors(TestStacks.Yaml(apps)), "platform:serverType");
        Assert.Contains("does not fit", error.Problem);
        Assert.Contains("16384 MB", error.Problem);
        Assert.Contains("cx52", error.Fix);
    }

    [Fact]
    public void App_secrets_must_be_listed_and_set()
    {
        var apps = TestStacks.DefaultApps.Replace("memoryMb: 128", "memoryMb: 128\n  secretEnv: [STRIPE_KEY]");
        var yaml = TestStacks.Yaml(apps, extra: "platform:appSecrets:\n  worker:\n    STRIPE_KEY:\n      secure: v1:x\n  ghost:\n    TOKEN:\n      secure: v1:x");
        var errors = TestStacks.Errors(yaml);
        Assert.Equal(["platform:appSecrets.ghost.TOKEN"], errors.Select(e => e.Key));
    }

    [Fact]
    public void Malformed_yaml_is_reported_with_its_line()
    {
        var errors = TestStacks.Errors("config:\n  platform:domain: [unclosed\n");
        var error = Assert.Single(errors);
        Assert.StartsWith("stack file:", error.Key);
    }

    [Fact]
    public void A_stack_with_n_distinct_mistakes_reports_n_errors_each_naming_its_key()
    {
        var apps = TestStacks.DefaultApps
            .Replace("image: ghcr.io/example/web:2.0.0", "image: ghcr.io/example/web:latest")
            .Replace("port: 8000", "port: 99999")
            .Replace("- name: worker", "- name: web");
        var yaml = TestStacks.Yaml(apps, extra: "platform:serverTyp: cx42\nplatform:backupRedisSchedule: \"every 15 minutes\"")
            .Replace("[203.0.113.0/24]", "[\"203.0.113.7/24\"]")
            .Replace("platform:acmeEmail: ops@example.com", "platform:acmeEmail: ops");
        var errors = TestStacks.Errors(yaml);
        string[] expected =
        [
            "platform:acmeEmail", "platform:adminCidrs[0]", "platform:apps[0].port", "platform:apps[1].image",
            "platform:apps[2].name", "platform:backupRedisSchedule", "platform:serverTyp",
        ];
        Assert.Equal(expected, errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Nothing_is_built_when_there_is_an_error()
    {
        var e = Assert.Throws<InvalidStackException>(() => TestStacks.Read(TestStacks.Yaml(extra: "platform:serverTyp: cx42")));
        Assert.Contains("platform:serverTyp", e.Message);
        Assert.Contains("nothing was planned or created", e.Message);
    }
}

public sealed class MariaDbValidationTests
{
    private static string App(string needs, string name = "shop") => $"""
        - name: {name}
          image: wordpress:6.7.1-php8.3-apache
          port: 80
          healthPath: /wp-login.php
          cpus: 1
          memoryMb: 256
          needs: {needs}
        """;

    private static IReadOnlyList<SettingsError> Errors(string app, string extra = "") => TestStacks.Errors(TestStacks.Yaml(app, extra));

    [Fact]
    public void A_mariadb_app_is_valid() => Assert.Empty(Errors(App("{ database: { engine: mariadb } }")));

    [Theory]
    [InlineData("{ database: { engine: mysql } }", "platform:apps[0].needs.database.engine", "mariadb")]
    [InlineData("{ database: { engine: mongo } }", "platform:apps[0].needs.database.engine", "postgres")]
    [InlineData("{ database: { engine: mariadb, extensions: [pg_trgm] } }", "platform:apps[0].needs.database.extensions", "Remove extensions")]
    public void Bad_mariadb_needs_name_their_key_and_the_fix(string needs, string key, string fix)
    {
        var error = Assert.Single(Errors(App(needs)));
        Assert.Equal(key, error.Key);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_limit_above_the_servers_is_refused_at_the_app_and_the_setting()
    {
        // Left at 0, max_connections follows the apps (500 + 10); set to 100, the app's limit is refused at both keys.
        Assert.Empty(Errors(App("{ database: { engine: mariadb, connectionLimit: 500 } }")));
        var errors = Errors(App("{ database: { engine: mariadb, connectionLimit: 500 } }"), "platform:mariadbMaxConnections: 100");
        Assert.Contains(errors, e => e.Key == "platform:apps[0].needs.database.connectionLimit" && e.Fix.Contains("100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:mariadbMaxConnections" && e.Problem.Contains("500", StringComparison.Ordinal));
    }

    [Fact]
    public void Connection_limits_adding_up_past_the_server_name_the_setting()
    {
        var apps = App("{ database: { engine: mariadb, connectionLimit: 60 } }", "shop") + "\n" + App("{ database: { engine: mariadb, connectionLimit: 60 } }", "faces");
        Assert.Empty(Errors(apps));
        var error = Assert.Single(Errors(apps, "platform:mariadbMaxConnections: 100"));
        Assert.Equal("platform:mariadbMaxConnections", error.Key);
        Assert.Contains("130", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("test")]
    [InlineData("healthcheck")]
    [InlineData("mysql")]
    public void An_app_name_that_cannot_name_a_mariadb_user_is_refused(string name)
    {
        var error = Assert.Single(Errors(App("{ database: { engine: mariadb } }", name)));
        Assert.Equal("platform:apps[0].name", error.Key);
        Assert.Contains("MariaDB", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("platform:mariadbMemoryMb: 128", "platform:mariadbMemoryMb")]
    [InlineData("platform:mariadbImage: mariadb:latest", "platform:mariadbImage")]
    [InlineData("platform:mariadbImage: mariadb:11.4.5", "platform:mariadbImage")]
    [InlineData("platform:mariadbMaxConnections: -1", "platform:mariadbMaxConnections")]
    public void Bad_mariadb_settings_name_their_key(string line, string key) =>
        Assert.Equal(key, Assert.Single(Errors(App("{ database: { engine: mariadb } }"), line)).Key);

    [Fact]
    public void Fewer_server_connections_than_an_app_may_open_name_both_keys()
    {
        var errors = Errors(App("{ database: { engine: mariadb } }"), "platform:mariadbMaxConnections: 5");
        Assert.Equal(["platform:apps[0].needs.database.connectionLimit", "platform:mariadbMaxConnections"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_platform_injects_the_mysql_env_so_an_app_may_not_set_it()
    {
        var app = App("{ database: { engine: mariadb } }") + "\n  env: { MYSQL_HOST: elsewhere }";
        Assert.Equal("platform:apps[0].env.MYSQL_HOST", Assert.Single(Errors(app)).Key);
    }
}
