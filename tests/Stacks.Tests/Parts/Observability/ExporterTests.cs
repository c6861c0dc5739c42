using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Data;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary>The data services' exporters and their monitoring users, from the stack file to the containers' configuration.</summary>
public sealed class ExporterTests
{
    private static PlatformBlueprint Prod(string extraApps = "") => BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod",
        File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml")) + extraApps)));

    private const string WordPress = """
            - name: shop
              image: wordpress:6.6.2-php8.3-apache
              port: 80
              routes:
                - host: shop
              healthPath: /wp-login.php
              cpus: 1
              memoryMb: 512
              needs:
                database: { engine: mariadb, connectionLimit: 30 }
            - name: docs
              image: ghcr.io/brightlane/docs:1.0.0
              port: 8080
              routes:
                - host: docs
              healthPath: /healthz
              cpus: 0.25
              memoryMb: 128
              needs: { redis: true }

        """;

    [Fact]
    public void Each_data_service_gets_its_exporter_pinned_limited_probed_restarted_and_rotated_with_no_secret_in_its_env()
    {
        var b = Prod(WordPress);
        var exporters = b.Services.Where(s => ObservabilityPart.ExporterOfJob.ContainsValue(s.Name)).ToList();
        Assert.Equal(["mysqld-exporter", "pgbouncer-exporter", "postgres-exporter", "redis-exporter"], exporters.Select(s => s.Name).Order(StringComparer.Ordinal));
        var configs = ContainerConfigs.Of(b).ToDictionary(c => c.Service);
        foreach (var svc in exporters)
        {
            var c = configs[svc.Name];
            Assert.Matches(@":v\d+\.\d+\.\d+$", c.Image);
            Assert.Equal(ObservabilityNames.ExporterMemoryMb[ObservabilityPart.ExporterOfJob.Single(x => x.Value == svc.Name).Key], c.MemoryMb);
            Assert.Equal(Conventions.RestartPolicy, c.Restart);
            Assert.Equal("json-file", c.LogDriver);
            Assert.Equal("100m", c.LogOpts["max-size"]);
            // Shell-less images: the health check is the platform's static BusyBox, mounted read-only.
            Assert.True(HealthProbe.Uses(svc.HealthCheck.Test), svc.Name);
            Assert.Contains(c.Mounts, m => m.Source == HealthProbe.HostPath && m.Target == HealthProbe.ContainerPath && m.ReadOnly);
            Assert.Empty(c.Ports);
            Assert.Equal([ServiceNames.DataNetwork], c.Networks.Select(n => n.Network));
            // Passwords only in files (uploads or a read-only host directory), never in the environment or the command line.
            Assert.DoesNotContain(c.Env.Values, v => v.IsSecret);
            Assert.DoesNotContain(c.Command, a => a.Contains("password", StringComparison.OrdinalIgnoreCase));
            Assert.True(c.Uploads.Any(u => u.Content.IsSecret) || c.Mounts.Any(m => m.Kind == MountKind.Bind && m.ReadOnly && m.Source.StartsWith("/srv/platform/", StringComparison.Ordinal)), svc.Name);
            Assert.Matches(@"^\d+MiB$", c.Env["GOMEMLIMIT"].Masked);
            Assert.True(int.Parse(c.Env["GOMEMLIMIT"].Masked[..^3], System.Globalization.CultureInfo.InvariantCulture) < c.MemoryMb, svc.Name);
        }
        // Each is on the server of the service it measures, and in that server's budget.
        var split = TestStacks.ShippedBlueprint("scale");
        foreach (var svc in split.Services.Where(s => ObservabilityPart.ExporterOfJob.ContainsValue(s.Name)))
        {
            Assert.Equal(ServerKey.Data, svc.Host);
            Assert.Contains(split.Budgets.Single(x => x.Server == ServerKey.Data).Lines, l => l.Name == svc.Name);
        }
    }

    [Fact]
    public void Without_the_part_there_is_no_exporter_and_no_exporter_user_only_the_postgres_role_host_metrics_uses()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        Assert.False(b.Observability!.Enabled);
        Assert.DoesNotContain(b.Services, s => s.Name.EndsWith("-exporter", StringComparison.Ordinal));
        // Only PostgreSQL's monitoring role exists without the part: host metrics counts connections with it.
        Assert.Equal([SecretNames.PostgresMonitor], b.Secrets.Where(s => s.Name.EndsWith("-monitor", StringComparison.Ordinal)).Select(s => s.Name));
        var provision = b.HostCommands.Single(h => h.Name == HostCommandNames.PostgresProvision).Stdin!.Masked;
        Assert.Contains($"CONNECTION LIMIT {MonitorRole.HostMetricsConnections} PASSWORD", provision, StringComparison.Ordinal);
        var text = string.Join("\n", b.HostCommands.Select(h => h.Stdin?.Masked ?? "")) + string.Join("\n", b.Services.SelectMany(s => s.Files).Select(f => f.Content.Masked));
        Assert.DoesNotContain(PgBouncerConfig.MonitorUser, text, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Connections.Lines, l => l.Name == MonitorRole.Name);
    }

    [Fact]
    public void With_it_each_engine_gets_a_user_that_reads_statistics_only()
    {
        var b = Prod(WordPress);
        string Stdin(string command) => b.HostCommands.Single(h => h.Name == command).Stdin!.Masked;

        var sql = Stdin(HostCommandNames.PostgresProvision);
        var role = PostgresNames.QuoteIdent(MonitorRole.Name);
        Assert.Contains($"GRANT pg_monitor TO {role};", sql, StringComparison.Ordinal);
        Assert.Contains($"GRANT CONNECT ON DATABASE postgres TO {role};", sql, StringComparison.Ordinal);
        Assert.Single(sql.Split('\n'), l => l.StartsWith("GRANT", StringComparison.Ordinal) && l.Contains(role, StringComparison.Ordinal) && !l.Contains("pg_monitor", StringComparison.Ordinal));
        // The exporter's two connections and host metrics' one.
        Assert.Contains($"NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT {MonitorRole.ExporterConnections + MonitorRole.HostMetricsConnections}", sql, StringComparison.Ordinal);
        Assert.Contains(b.Connections.Lines, l => l.Name == MonitorRole.Name && l.Connections == MonitorRole.ExporterConnections);

        var bouncer = Stdin(HostCommandNames.PgBouncerConfig);
        Assert.Contains($"stats_users = {PgBouncerConfig.DefaultStatsUser}, {PgBouncerConfig.MonitorUser}\n", bouncer, StringComparison.Ordinal);
        Assert.Contains($"admin_users = {PgBouncerConfig.DefaultStatsUser}\n", bouncer, StringComparison.Ordinal);
        Assert.Contains($"\"{PgBouncerConfig.MonitorUser}\" \"", bouncer, StringComparison.Ordinal);

        foreach (var acl in b.HostCommands.Where(h => h.Name.EndsWith(".redis-acl", StringComparison.Ordinal)))
        {
            var line = acl.Stdin!.Masked.Split('\n').Single(l => l.StartsWith($"user {RedisConfig.MonitorUser} ", StringComparison.Ordinal));
            Assert.EndsWith($" resetkeys resetchannels {RedisConfig.MonitorCommandRules}", line, StringComparison.Ordinal);
            Assert.DoesNotContain("~", line, StringComparison.Ordinal);
            Assert.DoesNotContain("config", line, StringComparison.Ordinal);
        }
        Assert.Equal(3, b.HostCommands.Count(h => h.Name.EndsWith(".redis-acl", StringComparison.Ordinal)));

        var maria = Stdin(HostCommandNames.MariaDbProvision);
        Assert.Contains($"GRANT PROCESS, REPLICATION CLIENT ON *.* TO {MariaDbNames.Account(MariaDbNames.MonitorUser)};", maria, StringComparison.Ordinal);
        Assert.Contains($"GRANT SELECT ON performance_schema.* TO {MariaDbNames.Account(MariaDbNames.MonitorUser)};", maria, StringComparison.Ordinal);

        foreach (var secret in new[] { SecretNames.PostgresMonitor, SecretNames.PgBouncerMonitor, SecretNames.RedisMonitor, SecretNames.MariaDbMonitor })
            Assert.Contains(b.Secrets, s => s.Name == secret && s.Source == SecretSource.Generated);
    }

    [Fact]
    public void Only_the_noeviction_redis_instances_get_a_memory_alert()
    {
        var settings = TestStacks.Shipped("prod");
        var instances = Platform.Stacks.Parts.Redis.RedisNames.Of(settings);
        var queues = instances.Where(i => i.EvictionPolicy == "noeviction").Select(i => i.Container).ToList();
        Assert.NotEmpty(queues);
        Assert.Contains(instances, i => i.EvictionPolicy != "noeviction");
        var rules = Prod().HostCommands.Single(h => h.Name == ObservabilityNames.PrometheusFilesCommand).Stdin!.Masked;
        Assert.Contains("- alert: RedisNoEvictionMemoryWarning\n", rules, StringComparison.Ordinal);
        Assert.Contains("- alert: RedisNoEvictionMemoryCritical\n", rules, StringComparison.Ordinal);
        foreach (var i in instances)
            Assert.Equal(queues.Contains(i.Container), rules.Contains(i.Container.Replace(".", "[.]", StringComparison.Ordinal), StringComparison.Ordinal));
        // No noeviction instance, no rule.
        Assert.DoesNotContain(PrometheusConfig.Rules(Platform.Stacks.Operations.AlertThresholds.Default, new HashSet<string> { "redis" }, []), r => r.Name.StartsWith("RedisNoEviction", StringComparison.Ordinal));
    }

    [Fact]
    public void No_app_can_take_a_monitoring_users_name()
    {
        Assert.False(PostgresNames.IsValid(MonitorRole.Name));
        Assert.False(PostgresNames.IsValid(PgBouncerConfig.MonitorUser));
        Assert.NotNull(MariaDbNames.UserProblem(MariaDbNames.MonitorUser));
    }

    [Fact]
    public void An_added_apps_redis_is_scraped_through_files_on_the_server_without_changing_prometheus()
    {
        var before = TestStacks.ShippedBlueprint("prod");
        var after = Prod(WordPress);
        string Files(PlatformBlueprint b, string command) => b.HostCommands.Single(h => h.Name == command).Stdin!.Masked;
        // prometheus.yml is the same; the targets file and redis_exporter's passwords name the new instance.
        var prometheus = (PlatformBlueprint b) => b.Services.Single(s => s.Name == ObservabilityNames.Prometheus).Files.Single().Content.Masked;
        Assert.Equal(prometheus(before), prometheus(after));
        Assert.DoesNotContain("app-docs.redis", Files(before, ObservabilityNames.PrometheusFilesCommand), StringComparison.Ordinal);
        Assert.Contains("redis://app-docs.redis:6379", Files(after, ObservabilityNames.PrometheusFilesCommand), StringComparison.Ordinal);
        Assert.Contains("\"redis://app-docs.redis:6379\": \"", Files(after, ObservabilityExporters.RedisPasswordsCommand), StringComparison.Ordinal);
        // The first MariaDB app's exporter and rules come the same way.
        Assert.Contains("mysqld-exporter:9104", Files(after, ObservabilityNames.PrometheusFilesCommand), StringComparison.Ordinal);
        Assert.Contains("MariaDbConnectionsWarning", Files(after, ObservabilityNames.PrometheusFilesCommand), StringComparison.Ordinal);
        Assert.DoesNotContain("MariaDbConnectionsWarning", Files(before, ObservabilityNames.PrometheusFilesCommand), StringComparison.Ordinal);
        // Prometheus rereads them on SIGHUP; redis_exporter reads its passwords at start, so it is restarted.
        Assert.Equal(new HostReload(ObservabilityNames.Prometheus, Restarts: false), after.HostCommands.Single(h => h.Name == ObservabilityNames.PrometheusFilesCommand).Reload);
        Assert.Equal(new HostReload(ObservabilityNames.RedisExporter, Restarts: true), after.HostCommands.Single(h => h.Name == ObservabilityExporters.RedisPasswordsCommand).Reload);
        Assert.Contains(ObservabilityNames.PrometheusFilesCommand, after.Services.Single(s => s.Name == ObservabilityNames.Prometheus).AfterHostCommands);
    }

    [Fact]
    public void The_credential_files_hold_the_secret_as_a_reference_and_are_owned_by_the_exporters_uid()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var pgpass = b.HostCommands.Single(h => h.Name == ObservabilityExporters.PgPassCommand);
        Assert.True(pgpass.Stdin!.IsSecret);
        Assert.Contains($"*:*:*:{PgBouncerConfig.MonitorUser}:", pgpass.Stdin.Masked, StringComparison.Ordinal);
        Assert.Contains($"install -o {ObservabilityExporters.NobodyUid} -g {ObservabilityExporters.NobodyUid} -m 0600", pgpass.Stdin.Masked, StringComparison.Ordinal);
        var redis = b.HostCommands.Single(h => h.Name == ObservabilityExporters.RedisPasswordsCommand);
        Assert.Contains($"install -o {ObservabilityExporters.RedisExporterUid} -g {ObservabilityExporters.RedisExporterUid} -m 0600", redis.Stdin!.Masked, StringComparison.Ordinal);
        // The JSON parses once the secret is filled in, and maps each instance's target to it.
        var json = ObservabilityExporters.RedisPasswords(["redis://a:1", "redis://b:2"], "s").Resolve(_ => "pw");
        var map = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;
        Assert.Equal(new Dictionary<string, string> { ["redis://a:1"] = "pw", ["redis://b:2"] = "pw" }, map);
        Assert.Equal("[client]\nuser = platform_monitor\npassword = pw\nhost = mariadb\nport = 3306\n", ObservabilityExporters.MyCnf("s").Resolve(_ => "pw"));
    }

    [Fact]
    public void Every_prometheus_targets_file_is_valid_json_with_its_jobs_targets()
    {
        var spec = TestStacks.ShippedBlueprint("scale");
        var targets = Platform.Stacks.Parts.Observability.ScrapeTargets.From(spec);
        foreach (var (job, _) in PrometheusConfig.FileJobs)
        {
            var groups = System.Text.Json.JsonDocument.Parse(PrometheusConfig.TargetsJson(targets.Where(t => t.Job == job))).RootElement;
            Assert.Equal(targets.Count(t => t.Job == job), groups.GetArrayLength());
            foreach (var g in groups.EnumerateArray())
                Assert.Equal("data", g.GetProperty("labels").GetProperty("server").GetString());
        }
        var yml = PrometheusConfig.Render("scale", targets, 30);
        foreach (var (job, _) in PrometheusConfig.FileJobs)
            Assert.Contains($"files: ['{ObservabilityNames.PrometheusFilesDirectory}/{job}.json']", yml, StringComparison.Ordinal);
        Assert.DoesNotContain("__param_target", yml, StringComparison.Ordinal);
    }
}
