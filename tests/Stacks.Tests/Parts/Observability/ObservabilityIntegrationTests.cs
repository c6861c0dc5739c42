using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary>
/// The rendered Prometheus files on Debian's real Prometheus (2.42, with promtool) and prometheus-node-exporter (1.5):
/// config and rule checks, unit tests of the alert rules, and a live scrape on loopback.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ObservabilityIntegrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("observability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The part's context as the blueprint builder makes it (with the stack's noeviction Redis instances).</summary>
    private static ObservabilityPartContext Context(string stack) => ObservabilityPartContext.FromBlueprint(TestStacks.ShippedBlueprint(stack)) with
    {
        NoEvictionRedis = [.. Platform.Stacks.Parts.Redis.RedisNames.Of(TestStacks.Shipped(stack)).Where(i => i.EvictionPolicy == "noeviction").Select(i => i.Container)],
    };

    private static readonly string[] Engines = ["postgres", "mariadb", "pgbouncer", "redis"];

    /// <summary>
    /// Writes the config, and the rules and targets files the prometheus-files host command writes (as rendered, with
    /// <paramref name="targets"/>' addresses); returns the config's path.
    /// </summary>
    private string Write(ObservabilityPartContext context, ObservabilitySettings settings, IReadOnlyList<ScrapeTarget> targets)
    {
        var spec = ObservabilityPart.Build(settings, context);
        var files = spec.HostFiles.Single(f => f.Command == ObservabilityNames.PrometheusFilesCommand);
        Assert.Equal(ObservabilityNames.PrometheusFilesDirectory, files.ContainerDirectory);
        foreach (var (name, content) in files.Files)
            File.WriteAllText(Path.Combine(_dir, name), name.EndsWith(".json", StringComparison.Ordinal)
                ? PrometheusConfig.TargetsJson(targets.Where(t => PrometheusConfig.TargetsFile(t.Job) == name))
                : content.Masked);
        Assert.Equal(spec.RulesYml, File.ReadAllText(Path.Combine(_dir, "platform.rules.yml")));
        var config = Path.Combine(_dir, "prometheus.yml");
        // Only the files' directory differs from the container's (the config is otherwise the rendered one).
        var alertmanager = context.AlertWebhookSecret is null ? null : "alertmanager:9093";
        File.WriteAllText(config, PrometheusConfig.Render(context.Stack, targets, settings.ScrapeIntervalSeconds, Path.Combine(_dir, "platform.rules.yml"), alertmanager, _dir));
        Assert.Equal(spec.PrometheusYml, PrometheusConfig.Render(context.Stack, spec.Targets, settings.ScrapeIntervalSeconds, alertmanager: alertmanager));
        return config;
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public async Task Promtool_accepts_the_rendered_config_and_rules(string stack)
    {
        // With the alerting block that sends to Alertmanager (the shipped stacks have an alert channel).
        var context = Context(stack) with { AlertWebhookSecret = ObservabilityNames.AlertWebhookSecret };
        var config = Write(context, new ObservabilitySettings { Enabled = true }, context.Targets);
        Assert.Contains("alertmanagers:", File.ReadAllText(config), StringComparison.Ordinal);
        var promtool = Proc.Require("promtool");
        var checkConfig = await Proc.RunAsync(promtool, ["check", "config", config]);
        Assert.True(checkConfig.Ok, checkConfig.ToString());
        // It read every data service's targets file (a missing one would be a warning only).
        Assert.DoesNotContain("does not exist", checkConfig.Stdout + checkConfig.Stderr, StringComparison.Ordinal);
        var checkRules = await Proc.RunAsync(promtool, ["check", "rules", Path.Combine(_dir, "platform.rules.yml")]);
        Assert.True(checkRules.Ok, checkRules.ToString());
        Assert.Contains("SUCCESS", checkRules.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Debian's amtool (0.25) predates the webhook's <c>url_file</c> (Alertmanager 0.26; <c>WebhookConfig.URLFile</c> in
    /// <c>config/notifiers.go</c>), so it checks the rendered file with that one line as <c>url</c>; everything else is the
    /// rendered file as the container gets it.
    /// </summary>
    private string WriteAlertmanagerConfig(string stack, string url = "http://127.0.0.1:9/alerts")
    {
        var spec = ObservabilityPart.Build(new ObservabilitySettings { Enabled = true }, Context(stack) with { AlertWebhookSecret = ObservabilityNames.AlertWebhookSecret });
        var rendered = Assert.IsType<string>(spec.AlertmanagerYml);
        var urlFileLine = $"      - url_file: '{ObservabilityNames.AlertWebhookUrlFile}'\n";
        Assert.Contains(urlFileLine, rendered, StringComparison.Ordinal);
        var path = Path.Combine(_dir, "alertmanager.yml");
        File.WriteAllText(path, rendered.Replace(urlFileLine, $"      - url: '{url}'\n", StringComparison.Ordinal));
        return path;
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public async Task Amtool_accepts_the_rendered_alertmanager_config(string stack)
    {
        var r = await Proc.RunAsync(Proc.Require("amtool"), ["check-config", WriteAlertmanagerConfig(stack)]);
        Assert.True(r.Ok, r.ToString());
        Assert.Contains("SUCCESS", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 receivers", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Amtool_rejects_a_route_to_a_missing_receiver_so_the_check_can_fail()
    {
        var path = WriteAlertmanagerConfig("prod");
        File.WriteAllText(path, File.ReadAllText(path).Replace("receiver: 'platform-alerts'", "receiver: 'nobody'", StringComparison.Ordinal));
        var r = await Proc.RunAsync(Proc.Require("amtool"), ["check-config", path]);
        Assert.False(r.Ok, r.ToString());
    }

    [Fact]
    public async Task Promtool_rejects_a_broken_rule_so_the_check_can_fail()
    {
        var rules = Path.Combine(_dir, "broken.rules.yml");
        File.WriteAllText(rules, PrometheusConfig.RenderRules([new AlertRule("host", "Broken", "100 * (1 - node_load1", "5m", "warning", "x")]));
        var r = await Proc.RunAsync(Proc.Require("promtool"), ["check", "rules", rules]);
        Assert.False(r.Ok, r.ToString());
    }

    /// <summary>
    /// promtool's unit tests of the alert rules: each threshold's warning fires above its warn percent and its critical
    /// only above its critical percent, each only after holding for 5 minutes; a target that stops answering alerts.
    /// </summary>
    [Fact]
    public async Task The_alert_rules_fire_at_the_platform_thresholds_in_promtools_unit_tests()
    {
        string[] queues = ["app-worker.redis", "app-jobs.redis"];
        var rules = PrometheusConfig.Rules(AlertThresholds.Default, new HashSet<string>(Engines), queues);
        File.WriteAllText(Path.Combine(_dir, "platform.rules.yml"), PrometheusConfig.RenderRules(rules));
        // Two servers: "web" at 75% CPU, 85% memory, 80% disk (warnings only); "db" at 95% CPU, 95% memory, 90% disk (both).
        // PostgreSQL at 90 of 100 connections (warning), MariaDB at 96 of 100 (both). Redis's exporter target is down.
        const string tests = """
            rule_files:
              - platform.rules.yml
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'node_cpu_seconds_total{job="node",server="web",instance="web",cpu="0",mode="idle"}'
                    values: '0+15x20'
                  - series: 'node_cpu_seconds_total{job="node",server="db",instance="db",cpu="0",mode="idle"}'
                    values: '0+3x20'
                  - series: 'node_memory_MemTotal_bytes{job="node",server="web",instance="web"}'
                    values: '1000x20'
                  - series: 'node_memory_MemAvailable_bytes{job="node",server="web",instance="web"}'
                    values: '150x20'
                  - series: 'node_memory_MemTotal_bytes{job="node",server="db",instance="db"}'
                    values: '1000x20'
                  - series: 'node_memory_MemAvailable_bytes{job="node",server="db",instance="db"}'
                    values: '50x20'
                  - series: 'node_filesystem_size_bytes{job="node",server="web",instance="web",mountpoint="/",device="sda1"}'
                    values: '1000x20'
                  - series: 'node_filesystem_avail_bytes{job="node",server="web",instance="web",mountpoint="/",device="sda1"}'
                    values: '200x20'
                  - series: 'node_filesystem_size_bytes{job="node",server="db",instance="db",mountpoint="/",device="sda1"}'
                    values: '1000x20'
                  - series: 'node_filesystem_avail_bytes{job="node",server="db",instance="db",mountpoint="/",device="sda1"}'
                    values: '100x20'
                  - series: 'node_filesystem_avail_bytes{job="node",server="db",instance="db",mountpoint="/boot",device="sda2"}'
                    values: '1x20'
                  - series: 'pg_stat_activity_count{job="postgres",server="db",instance="postgres",datname="api",state="active"}'
                    values: '50x20'
                  - series: 'pg_stat_activity_count{job="postgres",server="db",instance="postgres",datname="api",state="idle"}'
                    values: '40x20'
                  - series: 'pg_settings_max_connections{job="postgres",server="db",instance="postgres"}'
                    values: '100x20'
                  - series: 'mysql_global_status_threads_connected{job="mariadb",server="db",instance="mariadb"}'
                    values: '96x20'
                  - series: 'mysql_global_variables_max_connections{job="mariadb",server="db",instance="mariadb"}'
                    values: '100x20'
                  - series: 'up{job="redis",server="db",instance="redis"}'
                    values: '0x20'
                  - series: 'pgbouncer_pools_client_active_connections{job="pgbouncer",server="db",instance="pgbouncer",database="api",user="api"}'
                    values: '70x20'
                  - series: 'pgbouncer_pools_client_waiting_connections{job="pgbouncer",server="db",instance="pgbouncer",database="api",user="api"}'
                    values: '15x20'
                  - series: 'pgbouncer_pools_client_active_connections{job="pgbouncer",server="db",instance="pgbouncer",database="web",user="web"}'
                    values: '0x20'
                  - series: 'pgbouncer_pools_client_waiting_connections{job="pgbouncer",server="db",instance="pgbouncer",database="web",user="web"}'
                    values: '0x20'
                  - series: 'pgbouncer_config_max_client_connections{job="pgbouncer",server="db",instance="pgbouncer"}'
                    values: '100x20'
                  - series: 'pgbouncer_pools_client_maxwait_seconds{job="pgbouncer",server="db",instance="pgbouncer",database="api",user="api"}'
                    values: '0 0 0 8x17'
                  - series: 'pg_up{job="postgres",server="db",instance="postgres"}'
                    values: '1x20'
                  - series: 'redis_up{job="redis",server="db",instance="app-api.redis"}'
                    values: '1 1 0x18'
                  - series: 'redis_up{job="redis",server="db",instance="app-web.redis"}'
                    values: '1x20'
                  - series: 'redis_memory_used_bytes{job="redis",server="db",instance="app-worker.redis"}'
                    values: '85x20'
                  - series: 'redis_memory_max_bytes{job="redis",server="db",instance="app-worker.redis"}'
                    values: '100x20'
                  - series: 'redis_memory_used_bytes{job="redis",server="db",instance="app-web.redis"}'
                    values: '100x20'
                  - series: 'redis_memory_max_bytes{job="redis",server="db",instance="app-web.redis"}'
                    values: '100x20'
                  - series: 'redis_memory_used_bytes{job="redis",server="db",instance="app-jobs.redis"}'
                    values: '5x20'
                  - series: 'redis_memory_max_bytes{job="redis",server="db",instance="app-jobs.redis"}'
                    values: '0x20'
                  - series: 'up{job="node",server="web",instance="web"}'
                    values: '1x20'
                alert_rule_test:
                  - eval_time: 4m
                    alertname: HostCpuWarning
                    exp_alerts: []
                  - eval_time: 4m
                    alertname: TargetDown
                    exp_alerts: []
                  - eval_time: 10m
                    alertname: HostCpuWarning
                    exp_alerts:
                      - exp_labels: { severity: warning, server: web, instance: web }
                        exp_annotations: { summary: 'CPU of web above 70% for 5m' }
                      - exp_labels: { severity: warning, server: db, instance: db }
                        exp_annotations: { summary: 'CPU of db above 70% for 5m' }
                  - eval_time: 10m
                    alertname: HostCpuCritical
                    exp_alerts:
                      - exp_labels: { severity: critical, server: db, instance: db }
                        exp_annotations: { summary: 'CPU of db above 90% for 5m' }
                  - eval_time: 10m
                    alertname: HostMemoryWarning
                    exp_alerts:
                      - exp_labels: { severity: warning, server: web, instance: web }
                        exp_annotations: { summary: 'Memory of web above 80% for 5m' }
                      - exp_labels: { severity: warning, server: db, instance: db }
                        exp_annotations: { summary: 'Memory of db above 80% for 5m' }
                  - eval_time: 10m
                    alertname: HostMemoryCritical
                    exp_alerts:
                      - exp_labels: { severity: critical, server: db, instance: db }
                        exp_annotations: { summary: 'Memory of db above 90% for 5m' }
                  - eval_time: 10m
                    alertname: HostDiskWarning
                    exp_alerts:
                      - exp_labels: { severity: warning, server: web, instance: web }
                        exp_annotations: { summary: 'Root disk of web above 70% for 5m' }
                      - exp_labels: { severity: warning, server: db, instance: db }
                        exp_annotations: { summary: 'Root disk of db above 70% for 5m' }
                  - eval_time: 10m
                    alertname: HostDiskCritical
                    exp_alerts:
                      - exp_labels: { severity: critical, server: db, instance: db }
                        exp_annotations: { summary: 'Root disk of db above 85% for 5m' }
                  - eval_time: 10m
                    alertname: PostgresConnectionsWarning
                    exp_alerts:
                      - exp_labels: { severity: warning, server: db, instance: postgres }
                        exp_annotations: { summary: 'PostgreSQL connections of db above 80% for 5m' }
                  - eval_time: 10m
                    alertname: PostgresConnectionsCritical
                    exp_alerts: []
                  - eval_time: 10m
                    alertname: MariaDbConnectionsCritical
                    exp_alerts:
                      - exp_labels: { severity: critical, server: db, instance: mariadb }
                        exp_annotations: { summary: 'MariaDB connections of db above 95% for 5m' }
                  - eval_time: 10m
                    alertname: PgBouncerClientsWarning
                    exp_alerts:
                      - exp_labels: { severity: warning, server: db, instance: pgbouncer }
                        exp_annotations: { summary: 'PgBouncer client connections of db above 80% for 5m' }
                  - eval_time: 10m
                    alertname: PgBouncerClientsCritical
                    exp_alerts: []
                  - eval_time: 7m
                    alertname: PgBouncerClientsWaiting
                    exp_alerts: []
                  - eval_time: 10m
                    alertname: PgBouncerClientsWaiting
                    exp_alerts:
                      - exp_labels: { severity: warning, server: db, instance: pgbouncer }
                        exp_annotations: { summary: 'clients of pgbouncer on db wait more than 5s for a server connection (pool too small for the load, or PostgreSQL slow) for 5m' }
                  - eval_time: 10m
                    alertname: PostgreSQLDown
                    exp_alerts: []
                  - eval_time: 10m
                    alertname: RedisNoEvictionMemoryWarning
                    exp_alerts:
                      - exp_labels: { severity: warning, server: db, instance: app-worker.redis }
                        exp_annotations: { summary: 'Redis app-worker.redis on db (noeviction: it refuses writes when full) above 80% of maxmemory for 5m' }
                  - eval_time: 10m
                    alertname: RedisNoEvictionMemoryCritical
                    exp_alerts: []
                  - eval_time: 10m
                    alertname: RedisDown
                    exp_alerts:
                      - exp_labels: { severity: critical, server: db, instance: app-api.redis, job: redis }
                        exp_annotations: { summary: 'Redis app-api.redis on db does not answer its exporter for 5m' }
                  - eval_time: 10m
                    alertname: TargetDown
                    exp_alerts:
                      - exp_labels: { severity: critical, server: db, instance: redis, job: redis }
                        exp_annotations: { summary: 'redis target redis on db has not answered a scrape for 5m' }
            """;
        var testFile = Path.Combine(_dir, "platform.tests.yml");
        File.WriteAllText(testFile, tests);
        var r = await Proc.RunAsync(Proc.Require("promtool"), ["test", "rules", testFile]);
        Assert.True(r.Ok, r.ToString());
        Assert.Contains("SUCCESS", r.Stdout + r.Stderr, StringComparison.Ordinal);

        // The same tests fail against rules with other thresholds: they measure the thresholds, not just the syntax.
        File.WriteAllText(Path.Combine(_dir, "platform.rules.yml"),
            PrometheusConfig.RenderRules(PrometheusConfig.Rules(AlertThresholds.Default with { Cpu = new(80, 90) }, new HashSet<string>(Engines), queues)));
        var other = await Proc.RunAsync(Proc.Require("promtool"), ["test", "rules", testFile]);
        Assert.False(other.Ok, other.ToString());
    }

    /// <summary>
    /// Debian's Prometheus runs the config rendered for the staging stack, with only the target addresses moved to
    /// loopback: itself and a real node-exporter answer (<c>up == 1</c>), the data services' targets (no exporter here) do
    /// not, and every node-exporter metric the dashboards and rules read is in the real exporter's output.
    /// </summary>
    [Fact]
    public async Task A_real_prometheus_scrapes_a_real_node_exporter_with_the_rendered_config()
    {
        var promPort = Proc.FreePort();
        var nodePort = Proc.FreePort();
        var closedPort = Proc.FreePort();
        var context = Context("staging");
        var settings = new ObservabilitySettings { Enabled = true, ScrapeIntervalSeconds = 5 };
        var targets = context.Targets.Select(t => t with
        {
            Address = t.Job switch
            {
                "prometheus" => $"127.0.0.1:{promPort}",
                "node" => $"127.0.0.1:{nodePort}",
                _ => $"127.0.0.1:{closedPort}",
            },
        }).ToList();
        var config = Write(context, settings, targets);
        var data = Path.Combine(_dir, "data");

        await using var node = ServerProcess.Start("node-exporter", Proc.Require("prometheus-node-exporter"),
            [$"--web.listen-address=127.0.0.1:{nodePort}"], asUser: null);
        await using var prometheus = ServerProcess.Start("prometheus", Proc.Require("prometheus"),
            [$"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{promPort}",
             $"--storage.tsdb.retention.time={settings.RetentionDays}d"], asUser: null);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task<JsonElement> Query(string q)
            {
                var body = await http.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/query?query={Uri.EscapeDataString(q)}");
                return JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result").Clone();
            }
            async Task<bool> Up(string job)
            {
                try { return (await Query($"up{{job=\"{job}\"}} == 1")).GetArrayLength() > 0; }
                catch (HttpRequestException) { return false; }
            }
            async Task<int> Scraped()
            {
                try { return (await Query("up")).GetArrayLength(); }
                catch (HttpRequestException) { return 0; }
            }
            // Every target scraped at least once (each has an up series), and the two real ones answered.
            await prometheus.WaitUntilAsync(async () => await Scraped() == context.Targets.Length && await Up("node") && await Up("prometheus"), TimeSpan.FromSeconds(60));

            var node1 = (await Query("up{job=\"node\"}"))[0].GetProperty("metric");
            Assert.Equal("server", node1.GetProperty("server").GetString());
            Assert.Equal("server", node1.GetProperty("instance").GetString());
            var down = await Query("up == 0");
            Assert.Equal(context.Targets.Count(t => t.Job is not ("node" or "prometheus")), down.GetArrayLength());
            // The data services' targets came from their files, with their labels and, for Redis, the target parameter.
            var redis = await Query("up{job=\"redis\"}");
            Assert.Equal(context.Targets.Count(t => t.Job == "redis"), redis.GetArrayLength());
            Assert.All(redis.EnumerateArray(), r => Assert.EndsWith(".redis", r.GetProperty("metric").GetProperty("instance").GetString(), StringComparison.Ordinal));
            var targetsApi = await http.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/targets");
            Assert.Contains("target=redis%3A%2F%2Fapp-api.redis%3A6379", targetsApi, StringComparison.Ordinal);
            var rules = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/rules")).RootElement;
            Assert.Equal(ObservabilityPart.Build(settings, context).Rules.Length,
                rules.GetProperty("data").GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("rules").GetArrayLength()));

            var exposed = await http.GetStringAsync($"http://127.0.0.1:{nodePort}/metrics");
            var names = exposed.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => l.Split('{', ' ')[0]).ToHashSet(StringComparer.Ordinal);
            var spec = ObservabilityPart.Build(settings, context);
            var used = spec.Rules.SelectMany(r => PromQl.MetricNames(r.Expr))
                .Concat(GrafanaProvisioning.Dashboards.SelectMany(d => d.Panels).SelectMany(p => p.Queries).SelectMany(q => PromQl.MetricNames(q.Expr)))
                .Where(n => n.StartsWith("node_", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            Assert.NotEmpty(used);
            var missing = used.Where(n => !names.Contains(n)).ToList();
            Assert.True(missing.Count == 0, "not exposed by node-exporter: " + string.Join(", ", missing));
        }
        finally
        {
            await prometheus.StopAsync();
            await node.StopAsync();
        }
    }

    /// <summary>
    /// Debian's Alertmanager runs the rendered config (the webhook's URL moved to a loopback listener, as in
    /// <see cref="WriteAlertmanagerConfig"/>): alerts of one rule on one server arrive as one message after the group
    /// wait, another server's as another, both at the receiver the route names.
    /// </summary>
    [Fact]
    public async Task A_real_alertmanager_sends_the_alerts_to_the_webhook_grouped_by_rule_and_server()
    {
        var amPort = Proc.FreePort();
        var hookPort = Proc.FreePort();
        using var hook = new HttpListener();
        hook.Prefixes.Add($"http://127.0.0.1:{hookPort}/alerts/");
        hook.Start();
        var received = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        var listening = Task.Run(async () =>
        {
            while (hook.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await hook.GetContextAsync(); }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                using (var reader = new StreamReader(ctx.Request.InputStream))
                    received.Enqueue(JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone());
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        });
        var config = WriteAlertmanagerConfig("prod", $"http://127.0.0.1:{hookPort}/alerts/");
        await using var am = ServerProcess.Start("alertmanager", Proc.Require("prometheus-alertmanager"),
            [$"--config.file={config}", $"--storage.path={Path.Combine(_dir, "am")}", $"--web.listen-address=127.0.0.1:{amPort}", "--cluster.listen-address="], asUser: null);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task<bool> Ready()
            {
                try { return (await http.GetAsync($"http://127.0.0.1:{amPort}/-/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }
            await am.WaitUntilAsync(Ready, TimeSpan.FromSeconds(30));
            static string Alert(string server, string instance) =>
                "{\"labels\":{\"alertname\":\"TargetDown\",\"severity\":\"critical\",\"server\":\"" + server + "\",\"instance\":\"" + instance
                + "\",\"stack\":\"prod\"},\"annotations\":{\"summary\":\"down\"}}";
            var body = $"[{Alert("web", "redis")},{Alert("web", "minio")},{Alert("db", "postgres")}]";
            var posted = await http.PostAsync($"http://127.0.0.1:{amPort}/api/v2/alerts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
            // group_wait is 30s: both groups' messages come after it.
            await am.WaitUntilAsync(() => Task.FromResult(received.Count >= 2), TimeSpan.FromSeconds(60));
            var messages = received.ToList();
            Assert.Equal(2, messages.Count);
            Assert.All(messages, m => Assert.Equal(AlertRouting.Receiver, m.GetProperty("receiver").GetString()));
            Assert.All(messages, m => Assert.Equal("firing", m.GetProperty("status").GetString()));
            var byServer = messages.ToDictionary(m => m.GetProperty("groupLabels").GetProperty("server").GetString()!, m => m);
            Assert.Equal(2, byServer["web"].GetProperty("alerts").GetArrayLength());
            Assert.Equal(1, byServer["db"].GetProperty("alerts").GetArrayLength());
            Assert.Equal("TargetDown", byServer["web"].GetProperty("groupLabels").GetProperty("alertname").GetString());
        }
        finally
        {
            await am.StopAsync();
            hook.Stop();
            await listening;
        }
    }
}
