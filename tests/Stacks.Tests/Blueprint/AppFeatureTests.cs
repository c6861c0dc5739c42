using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Parts;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// Apps as real platforms run them: volumes, env in the app's own names, database names, bucket grants,
/// release commands, scheduled jobs and network isolation.
/// </summary>
public sealed class AppFeatureTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A Rails-style CRM next to a store whose media it reads.</summary>
    private const string Apps = """
        - name: shop
          image: wordpress:6.8.1-php8.3-apache
          port: 80
          routes: [{ host: shop }]
          healthPath: /wp-login.php
          cpus: 0.5
          memoryMb: 256
          volumes: [{ name: wp-content, mountPath: /var/www/html/wp-content, sizeGb: 10 }]
          env:
            WORDPRESS_DB_HOST: "${database.host}:${database.port}"
            WORDPRESS_DB_USER: ${database.user}
            WORDPRESS_DB_PASSWORD: ${database.password}
            WORDPRESS_DB_NAME: ${database.name}
          needs:
            database: { engine: mariadb, name: shop_db, role: shop_user }
            buckets: [{ name: media, grants: [{ app: crm, access: read }, { app: worker, access: readwrite }] }]
        - name: crm
          image: ghcr.io/example/crm:2.1.0
          port: 3000
          routes: [{ host: crm }]
          healthPath: /up
          cpus: 0.5
          memoryMb: 512
          instances: 2
          talksTo: [api]
          volumes: [{ name: uploads, mountPath: /rails/storage, sizeGb: 5, shared: true }]
          release: { command: [bin/rails, db:migrate] }
          jobs:
            - { name: nightly-report, schedule: "0 2 * * *", command: [bin/rails, report:nightly] }
          env:
            DIRECT_URL: ${database.directUrl}
            ConnectionStrings__DefaultConnection: "Host=${database.host};Port=${database.port};Database=${database.name};Username=${database.user};Password=${database.password}"
            REDIS_HOST: ${redis.host}
            REDIS_PORT: ${redis.port}
            REDIS_PASSWORD: ${redis.password}
            S3_ACCESS_KEY: ${s3.accessKey}
            SHOP_MEDIA_BUCKET: ${s3.bucket.shop.media}
            PAYMENT_KEY: ${secret.STRIPE_KEY}
            PRICE_FORMAT: "$${amount} USD"
          needs:
            database: { name: tour_crm, role: tour_crm }
            redis: true
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
        - name: worker
          image: ghcr.io/example/worker:1.0.0
          healthCommand: [CMD, worker, --check]
          cpus: 0.25
          memoryMb: 128
        """;

    private const string CrmSecret = """
        platform:appSecrets:
          crm:
            STRIPE_KEY:
              secure: v1:abc
        """;

    private static string Yaml(string apps = Apps, string environment = "staging") =>
        TestStacks.Yaml(apps, CrmSecret, environment).Replace("platform:serverType: cx42", "platform:serverType: cx52", StringComparison.Ordinal);

    private static PlatformBlueprint Build(string environment = "staging") => TestStacks.Build(Yaml(environment: environment));

    private static SettingsError Only(IReadOnlyList<SettingsError> errors, string key)
    {
        Assert.True(errors.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors)}");
        Assert.Equal(key, errors[0].Key);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }

    private static string Replace(string from, string to)
    {
        Assert.Contains(from, Apps, StringComparison.Ordinal);
        return Yaml(Apps.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void The_stack_validates_plans_and_keeps_every_policy()
    {
        var b = Build("prod");
        Assert.Empty(Policies.Check(b));
        Assert.Contains("app-shop.wp-content", PlanText.Render(b), StringComparison.Ordinal);
    }

    // ---- volumes

    [Fact]
    public void A_volume_is_namespaced_part_of_the_app_protected_on_prod_mounted_and_backed_up()
    {
        var b = Build("prod");
        var volume = Assert.Single(b.Volumes, v => v.Name == "app-shop.wp-content");
        Assert.Equal(PartId.App("shop"), volume.Part);
        Assert.True(volume.Protect);
        Assert.Equal(10, volume.SizeGb);
        Assert.Contains(new MountSpec(Platform.Stacks.Blueprint.MountKind.Volume, "app-shop.wp-content", "/var/www/html/wp-content", false), b.Service("shop-1").Mounts);
        var job = Assert.Single(b.Backups, j => j.Name == Backups.AppVolumesJobName);
        Assert.Contains("app-shop.wp-content", job.What, StringComparison.Ordinal);
        Assert.Contains("app-crm.uploads", job.What, StringComparison.Ordinal);
        // The one runner archives every app volume read-only; the backups part therefore comes after the app parts.
        var runner = b.Service(Backups.RunnerName);
        Assert.Contains(runner.Mounts, m => m.Source == "app-shop.wp-content" && m.Target == "/backup/app-volumes/app-shop.wp-content" && m.ReadOnly);
        Assert.Contains(runner.Files, f => f.Path == $"{Backups.JobsDirectory}/{Backups.AppVolumesJobName}.env" && f.Content.Masked.Contains("BACKUP_SOURCES=\"/backup/app-volumes\"", StringComparison.Ordinal));
        var backups = PartGraph.Of(b).Single(p => p.Id == PartId.Backups);
        Assert.Contains(PartId.App("shop"), backups.DependsOn);
        Assert.False(Build("staging").Volumes.Single(v => v.Name == "app-shop.wp-content").Protect);
    }

    [Fact]
    public void A_non_shared_volume_gets_one_writer_and_a_shared_one_keeps_create_before_delete()
    {
        var b = Build();
        var shop = b.Service("shop-1");
        Assert.Equal(Replacement.DeleteBeforeCreate, shop.Replacement);
        Assert.Equal("app-shop.1", shop.ContainerName);
        Assert.All(b.Services.Where(s => s.App == "crm" && s.Name.StartsWith("crm-", StringComparison.Ordinal)), s =>
        {
            Assert.Equal(Replacement.CreateBeforeDelete, s.Replacement);
            Assert.Contains(s.Mounts, m => m.Source == "app-crm.uploads");
        });
    }

    [Fact]
    public void Volume_names_of_different_apps_cannot_meet()
    {
        // app a-b's volume c and app a's volume b-c would both be app-a-b-c with a hyphen.
        Assert.NotEqual(AppNames.Volume("a-b", "cd"), AppNames.Volume("a", "b-cd"));
        // Every app-* volume is an app's, or its Redis instance's (app-<owner>.redis.data and .redis.dumps: a dot no volume name holds).
        Assert.DoesNotContain(TestStacks.ShippedBlueprint("prod").Volumes, v => v.Name.StartsWith("app-", StringComparison.Ordinal) && v.Part.Kind != PartKind.App
            && !(v.Part.Kind == PartKind.Redis && (v.Name.EndsWith(".redis.data", StringComparison.Ordinal) || v.Name.EndsWith(".redis.dumps", StringComparison.Ordinal))));
        Assert.NotEqual(AppNames.Volume("a", "redis"), Platform.Stacks.Parts.Redis.RedisNames.Volume("a"));
        Assert.NotEqual(AppNames.Volume("a", "redis-data"), Platform.Stacks.Parts.Redis.RedisNames.Volume("a"));
    }

    [Fact]
    public void Several_instances_on_a_volume_not_declared_shared_is_an_error()
    {
        var error = Only(TestStacks.Errors(Replace("sizeGb: 5, shared: true", "sizeGb: 5")), "platform:apps[1].volumes[0].shared");
        Assert.Contains("2 instances", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mountPath: /rails/storage", "mountPath: rails/storage", "platform:apps[1].volumes[0].mountPath")]
    [InlineData("name: uploads, mountPath", "name: Uploads_1, mountPath", "platform:apps[1].volumes[0].name")]
    [InlineData(", sizeGb: 5, shared: true", ", shared: true", "platform:apps[1].volumes[0].sizeGb")]
    [InlineData("{ name: uploads, mountPath: /rails/storage, sizeGb: 5, shared: true }",
        "{ name: uploads, mountPath: /rails/storage, sizeGb: 5, shared: true }, { name: uploads, mountPath: /tmp/x, sizeGb: 1, shared: true }", "platform:apps[1].volumes[1].name")]
    public void Bad_volumes_are_reported_at_their_key(string from, string to, string key) => Only(TestStacks.Errors(Replace(from, to)), key);

    // ---- env mapping

    [Fact]
    public void Env_values_map_the_platforms_values_to_the_apps_own_names()
    {
        var env = Build().Service("crm-1").Env;
        string Masked(string name) => env[name].Masked;
        Assert.Equal("postgres://tour_crm:<secret:app.crm.postgres>@postgres:5432/tour_crm?sslmode=disable", Masked("DIRECT_URL"));
        Assert.Equal("Host=pgbouncer;Port=6432;Database=tour_crm;Username=tour_crm;Password=<secret:app.crm.postgres>", Masked("ConnectionStrings__DefaultConnection"));
        Assert.Equal(("redis", "6379", "<secret:app.crm.redis>"), (Masked("REDIS_HOST"), Masked("REDIS_PORT"), Masked("REDIS_PASSWORD")));
        Assert.Equal(("app-crm", "shop-media"), (Masked("S3_ACCESS_KEY"), Masked("SHOP_MEDIA_BUCKET")));
        Assert.Equal("<secret:appSecrets.crm.STRIPE_KEY>", Masked("PAYMENT_KEY"));
        Assert.Equal("${amount} USD", Masked("PRICE_FORMAT"));
        // Secrets stay secrets end to end; the defaults are still there.
        Assert.True(env["REDIS_PASSWORD"].IsSecret);
        Assert.True(env["PAYMENT_KEY"].IsSecret);
        Assert.True(env["ConnectionStrings__DefaultConnection"].IsSecret);
        Assert.False(env["REDIS_HOST"].IsSecret);
        Assert.Contains("DATABASE_URL", env.Keys);
        Assert.Contains("REDIS_URL", env.Keys);
    }

    [Fact]
    public void A_referenced_app_secret_is_a_config_secret_and_never_plain_in_the_plan()
    {
        var b = Build();
        Assert.Contains(b.Secrets, x => x.Name == "appSecrets.crm.STRIPE_KEY" && x.Source == SecretSource.Config);
        var plan = PlanText.Render(b);
        Assert.Contains("env PAYMENT_KEY=<secret:appSecrets.crm.STRIPE_KEY>", plan, StringComparison.Ordinal);
        Assert.Contains("env REDIS_PASSWORD=<secret:app.crm.redis>", plan, StringComparison.Ordinal);
        Assert.Empty(Policies.Check(b).Where(v => v.Rule == "no-plain-secrets"));
    }

    [Fact]
    public void Database_references_of_a_mariadb_app_are_mariadbs_values()
    {
        var env = Build().Service("shop-1").Env;
        Assert.Equal(("mariadb:3306", "shop_user", "shop_db", "<secret:app.shop.mariadb>"),
            (env["WORDPRESS_DB_HOST"].Masked, env["WORDPRESS_DB_USER"].Masked, env["WORDPRESS_DB_NAME"].Masked, env["WORDPRESS_DB_PASSWORD"].Masked));
        Assert.Equal("mysql://shop_user:<secret:app.shop.mariadb>@mariadb:3306/shop_db", env["MYSQL_URL"].Masked);
    }

    [Theory]
    [InlineData("REDIS_HOST: ${redis.host}", "REDIS_HOST: ${redis.hostname}", "platform:apps[1].env.REDIS_HOST", "redis.host")]
    [InlineData("PAYMENT_KEY: ${secret.STRIPE_KEY}", "PAYMENT_KEY: ${secret.PAYPAL_KEY}", "platform:apps[1].env.PAYMENT_KEY", "appSecrets.crm.PAYPAL_KEY")]
    [InlineData("REDIS_HOST: ${redis.host}", "REDIS_HOST: \"${redis.host\"", "platform:apps[1].env.REDIS_HOST", "${database.url}")]
    [InlineData("SHOP_MEDIA_BUCKET: ${s3.bucket.shop.media}", "SHOP_MEDIA_BUCKET: ${s3.bucket.shop.logos}", "platform:apps[1].env.SHOP_MEDIA_BUCKET", "s3.bucket.shop.media")]
    public void A_reference_the_app_cannot_use_is_an_error_at_its_env_key(string from, string to, string key, string inFix)
    {
        var errors = TestStacks.Errors(Replace(from, to));
        // (An app secret no longer referenced is reported too, at its own key.)
        Assert.All(errors, e => Assert.True(e.Key == key || e.Key.StartsWith("platform:appSecrets.", StringComparison.Ordinal), e.ToString()));
        Assert.Contains(errors, e => e.Key == key && e.Fix.Contains(inFix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_reference_to_something_the_app_does_not_use_says_what_to_add()
    {
        var errors = TestStacks.Errors(Replace("    redis: true", "    redis: false"));
        Assert.Equal(["platform:apps[1].env.REDIS_HOST", "platform:apps[1].env.REDIS_PASSWORD", "platform:apps[1].env.REDIS_PORT"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.Contains("needs.redis", e.Fix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_default_name_may_be_mapped_but_not_overwritten_with_plain_text()
    {
        Assert.Empty(TestStacks.Errors(Replace("DIRECT_URL: ${database.directUrl}", "DATABASE_URL: ${database.directUrl}")));
        Assert.Equal("postgres://tour_crm:<secret:app.crm.postgres>@postgres:5432/tour_crm?sslmode=disable",
            TestStacks.Build(Replace("DIRECT_URL: ${database.directUrl}", "DATABASE_URL: ${database.directUrl}")).Service("crm-1").Env["DATABASE_URL"].Masked);
        Only(TestStacks.Errors(Replace("DIRECT_URL: ${database.directUrl}", "DATABASE_URL: postgres://x")), "platform:apps[1].env.DATABASE_URL");
    }

    // ---- database names

    [Fact]
    public void A_database_is_named_independently_of_the_app()
    {
        var b = Build();
        var crm = Assert.Single(b.Databases, d => d.App == "crm");
        Assert.Equal(("tour_crm", "tour_crm"), (crm.Database, crm.Role));
        var sql = b.HostCommands.Single(c => c.Name == HostCommandNames.PostgresProvision).Stdin!.Masked;
        Assert.Contains("tour_crm", sql, StringComparison.Ordinal);
        Assert.Contains(b.Backups, j => j.Name == "postgres-daily" && j.What.EndsWith("tour_crm", StringComparison.Ordinal));
        var shop = Assert.Single(b.Databases, d => d.App == "shop");
        Assert.Equal(("shop_db", "shop_user"), (shop.Database, shop.Role));
    }

    [Theory]
    [InlineData("name: api, role: tour_crm", "platform:apps[2].name", "platform:apps[1].needs.database.name")]
    [InlineData("name: tour_crm, role: api", "platform:apps[2].name", "platform:apps[1].needs.database.role")]
    public void Two_apps_with_one_database_or_role_name_are_an_error_naming_both_keys(string names, string key, string other)
    {
        // The api gets its own database, named (as its role) after the app: 'api'.
        var apps = Apps.Replace("database: { name: tour_crm, role: tour_crm }", $"database: {{ {names} }}", StringComparison.Ordinal)
            .Replace("  memoryMb: 256\n- name: worker", "  memoryMb: 256\n  needs: { database: true }\n- name: worker", StringComparison.Ordinal);
        var error = Only(TestStacks.Errors(Yaml(apps)), key);
        Assert.Contains(other, error.Problem, StringComparison.Ordinal);
        Assert.Contains("'api'", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: tour_crm, role: tour_crm", "name: Tour-CRM, role: tour_crm", "platform:apps[1].needs.database.name")]
    [InlineData("name: tour_crm, role: tour_crm", "name: tour_crm, role: pgbouncer", "platform:apps[1].needs.database.role")]
    [InlineData("name: shop_db, role: shop_user", "name: shop_db, role: root", "platform:apps[0].needs.database.role")]
    public void Database_names_are_identifiers_of_their_engine(string from, string to, string key) =>
        Assert.Contains(TestStacks.Errors(Replace(from, to)), e => e.Key == key);

    // ---- grants

    [Fact]
    public void Bucket_grants_become_minio_policies_on_the_grantees()
    {
        var b = Build();
        var bucket = Assert.Single(b.Buckets);
        Assert.Equal(["crm", "worker"], bucket.Grants.Select(g => g.App));
        var policies = MinioBlueprint.Policies(b.Buckets);
        var read = string.Join("", policies["crm"]);
        Assert.Contains("s3:GetObject", read, StringComparison.Ordinal);
        Assert.Contains("s3:ListBucket", read, StringComparison.Ordinal);
        Assert.DoesNotContain("s3:PutObject", read, StringComparison.Ordinal);
        Assert.DoesNotContain("s3:*", read, StringComparison.Ordinal);
        var write = string.Join("", policies["worker"]);
        Assert.Contains("s3:PutObject", write, StringComparison.Ordinal);
        Assert.Contains("s3:DeleteObject", write, StringComparison.Ordinal);
        // The owner works with every object but cannot change the bucket itself (no policy: it cannot make it public).
        var own = string.Join("", policies["shop"]);
        foreach (var action in new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:AbortMultipartUpload" })
            Assert.Contains($"\"{action}\"", own, StringComparison.Ordinal);
        Assert.DoesNotContain("s3:*", own, StringComparison.Ordinal);
        Assert.DoesNotContain("Policy", own, StringComparison.Ordinal);
        Assert.DoesNotContain("s3:DeleteBucket", own, StringComparison.Ordinal);
        // The grantee gets a MinIO user of its own and the S3 settings, but no bucket variable of another app's.
        var script = b.HostCommands.Single(c => c.Name == HostCommandNames.MinioProvision).Stdin!.Masked;
        Assert.Contains("mc admin user add local app-worker >/dev/null <<'PLATFORM_SECRET'\n<secret:app.worker.minio>\nPLATFORM_SECRET\n", script, StringComparison.Ordinal);
        Assert.Equal("app-worker", b.Service("worker-1").Env["S3_ACCESS_KEY_ID"].Masked);
        Assert.DoesNotContain(b.Service("worker-1").Env.Keys, k => k.StartsWith("S3_BUCKET_", StringComparison.Ordinal));
        Assert.Contains("granted to crm (read), worker (readwrite)", PlanText.Render(b), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ app: worker, access: readwrite }", "{ app: billing, access: readwrite }", "platform:apps[0].needs.buckets[0].grants[1].app")]
    [InlineData("{ app: worker, access: readwrite }", "{ app: shop, access: readwrite }", "platform:apps[0].needs.buckets[0].grants[1].app")]
    [InlineData("{ app: worker, access: readwrite }", "{ app: crm, access: readwrite }", "platform:apps[0].needs.buckets[0].grants[1].app")]
    [InlineData("{ app: crm, access: read }", "{ app: crm, access: write }", "platform:apps[0].needs.buckets[0].grants[0].access")]
    public void Bad_grants_are_reported_at_their_key(string from, string to, string key) => Only(TestStacks.Errors(Replace(from, to)), key);

    // ---- release command

    [Fact]
    public void The_release_command_runs_once_in_a_one_shot_of_the_new_image_before_any_instance()
    {
        var b = Build();
        var release = b.Service("app-crm.release");
        Assert.True(release.OneShot);
        Assert.Equal("app-crm.release", release.ContainerName);
        Assert.Equal("no", release.RestartPolicy);
        Assert.Equal(b.Service("crm-1").Image, release.Image);
        Assert.Equal(["bin/rails", "db:migrate"], release.Command.AsEnumerable());
        Assert.Equal(b.Service("crm-1").Env, release.Env);
        Assert.Empty(release.Labels);                                            // never routed
        Assert.All(release.Networks, n => Assert.Empty(n.Aliases));              // never found by the app's name
        var check = Assert.Single(b.HostCommands, c => c.Name == "app-crm.release-check");
        Assert.Equal(["app-crm.release"], check.DependsOnServices.AsEnumerable());
        Assert.Equal(PartId.App("crm"), check.Part);
        Assert.All(b.Services.Where(s => s.Name is "crm-1" or "crm-2"), s => Assert.Contains("app-crm.release-check", s.AfterHostCommands));
        Assert.Contains("app-crm.attach", release.AfterHostCommands);
        Assert.Contains(HostCommandNames.PostgresProvision, release.AfterHostCommands);
    }

    // ---- jobs

    [Fact]
    public void A_job_is_a_container_its_timer_starts_with_a_heartbeat_monitor()
    {
        var b = Build();
        var job = b.Service("app-crm.job.nightly-report");
        Assert.False(job.StartOnDeploy);
        Assert.False(job.OneShot);
        Assert.Equal("0 2 * * *", job.Schedule);
        Assert.Equal(["bin/rails", "report:nightly"], job.Command.AsEnumerable());
        Assert.Equal(b.Service("crm-1").Image, job.Image);
        var timers = Assert.Single(b.HostCommands, c => c.Name == "app-crm.jobs");
        var script = timers.Stdin!.Masked;
        Assert.Contains("OnCalendar=*-*-* 02:00:00 UTC", script, StringComparison.Ordinal);
        Assert.Contains("ExecStart=/etc/platform/jobs/run-job.sh app-crm.job.nightly-report", script, StringComparison.Ordinal);
        Assert.Contains("PUSH_TOKEN=<secret:" + AppNames.JobPushToken("crm", "nightly-report") + ">", script, StringComparison.Ordinal);
        Assert.True(timers.Stdin.IsSecret);
        Assert.NotNull(timers.Delete);
        var monitor = Assert.Single(b.Monitors, m => m.Target == "heartbeat " + AppNames.JobMonitor("crm", "nightly-report"));
        Assert.Equal(86400 + Backups.HeartbeatGraceSeconds, monitor.IntervalSeconds);
        Assert.Contains(b.Secrets, x => x.Name == AppNames.JobPushToken("crm", "nightly-report"));
        Assert.Contains(b.Budget.Lines, l => l.Kind == "job" && l.MemoryMb == 512);
        Assert.True(Monitors.IsValidId(AppNames.JobMonitor("crm", "nightly-report")));
        Assert.True(Monitors.IsValidId(AppNames.JobMonitor(new string('a', 30), new string('b', 30))));
        Assert.NotEqual(AppNames.JobMonitor("a-b", "cd"), AppNames.JobMonitor("a", "b-cd"));
    }

    [Theory]
    [InlineData("schedule: \"0 2 * * *\"", "schedule: \"0 25 * * *\"", "platform:apps[1].jobs[0].schedule")]
    [InlineData("command: [bin/rails, report:nightly]", "command: []", "platform:apps[1].jobs[0].command")]
    [InlineData("name: nightly-report,", "name: Nightly,", "platform:apps[1].jobs[0].name")]
    [InlineData("release: { command: [bin/rails, db:migrate] }", "release: { command: [] }", "platform:apps[1].release.command")]
    [InlineData("talksTo: [api]", "talksTo: [billing]", "platform:apps[1].talksTo[0]")]
    [InlineData("talksTo: [api]", "talksTo: [crm]", "platform:apps[1].talksTo[0]")]
    public void Bad_jobs_releases_and_talks_are_reported_at_their_key(string from, string to, string key) => Only(TestStacks.Errors(Replace(from, to)), key);

    [Theory]
    [InlineData("0 2 * * *", new[] { "*-*-* 02:00:00 UTC" })]
    [InlineData("*/15 8-9 * * 1-5", new[] { "Mon,Tue,Wed,Thu,Fri *-*-* 08,09:00,15,30,45:00 UTC" })]
    [InlineData("30 4 1 * 1", new[] { "*-*-01 04:30:00 UTC", "Mon *-*-* 04:30:00 UTC" })]
    [InlineData("0 0 1 JAN,JUL *", new[] { "*-01,07-01 00:00:00 UTC" })]
    public void Cron_schedules_become_systemd_calendars(string cron, string[] calendars) =>
        Assert.Equal(calendars, CronSchedule.Parse(cron).SystemdCalendars().AsEnumerable());

    // ---- isolation

    [Fact]
    public void Apps_share_a_network_only_with_what_they_use_and_the_apps_they_talk_to()
    {
        var b = Build();
        var crm = b.NetworksOf("crm-1");
        Assert.Contains("app-api", crm);                                          // talksTo: [api]
        Assert.Empty(crm.Intersect(b.NetworksOf("shop-1")));                     // shares a bucket, not a network
        Assert.Empty(b.NetworksOf("api-1").Intersect(b.NetworksOf("shop-1")));
        Assert.Contains("app-crm.data", b.NetworksOf(ServiceNames.PgBouncer));
        Assert.DoesNotContain("app-crm.data", b.NetworksOf(ServiceNames.MariaDb));
        Assert.Contains("app-shop.data", b.NetworksOf(ServiceNames.MariaDb));
        // No app is on the platform's shared networks any more.
        Assert.All(b.Services.Where(s => s.Kind == ServiceKind.App), s =>
            Assert.DoesNotContain(s.Networks, n => n.Network is ServiceNames.DataNetwork or ServiceNames.EdgeNetwork or ServiceNames.ControlNetwork));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Traefik_is_on_the_network_every_routed_container_names(string which)
    {
        var b = which == "features" ? Build() : TestStacks.ShippedBlueprint(which);
        var traefik = b.NetworksOf(ServiceNames.Traefik);
        var routed = b.Services.Where(s => s.Labels.ContainsKey("traefik.docker.network")).ToList();
        Assert.NotEmpty(routed);
        Assert.All(routed, s =>
        {
            var network = s.Labels["traefik.docker.network"];
            Assert.Contains(network, traefik);
            Assert.Contains(s.Networks, n => n.Network == network);
        });
    }

    public static TheoryData<string> Stacks => new() { "features", "staging", "prod" };

    // ---- 20 tenant stores

    [Fact]
    public void Twenty_tenant_stores_of_one_image_each_have_their_own_database_volume_and_networks()
    {
        var b = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "tenants", StackGenerator.TenantStores(20))));
        Assert.Empty(Policies.Check(b));
        Assert.True(b.Budget.Fits, $"{b.Budget.TotalMb} MB of {b.Budget.ServerMemoryMb} MB");
        var stores = b.Services.Where(s => s.Kind == ServiceKind.App).ToList();
        Assert.Equal(20, stores.Count);
        Assert.Single(stores.Select(s => s.Image).Distinct());
        Assert.Equal(20, b.Databases.Select(d => d.Database).Distinct().Count());
        Assert.All(b.Databases, d => Assert.StartsWith("store_", d.Database, StringComparison.Ordinal));
        Assert.Equal(20, b.Volumes.Count(v => v.Part.Kind == PartKind.App && v.Protect));
        for (var i = 0; i < stores.Count; i++)
        {
            var mine = b.NetworksOf(stores[i].Name);
            for (var j = i + 1; j < stores.Count; j++)
                Assert.Empty(mine.Intersect(b.NetworksOf(stores[j].Name)));
        }
        Assert.Equal(20, stores.Count(s => s.Env["WORDPRESS_DB_PASSWORD"].IsSecret));
        var plan = PlanText.Render(b);
        Assert.DoesNotContain("store_01:", plan.Replace("store_01:<secret:", "", StringComparison.Ordinal), StringComparison.Ordinal);
        output.WriteLine($"20-store plan: {plan.Split('\n').Length - 1} lines, {System.Text.Encoding.UTF8.GetByteCount(plan)} bytes; "
            + $"memory {b.Budget.TotalMb} MB of {b.Budget.ServerMemoryMb} MB ({b.Budget.ServerType}), {b.Budget.FreeMb} MB free; "
            + $"apps {b.Budget.Lines.Where(l => l.Kind == "app").Sum(l => l.TotalMb)} MB; {b.Networks.Length} networks, {b.HostCommands.Length} host commands");
    }
}
