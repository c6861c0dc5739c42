using System.Collections.Immutable;
using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Parts.Observability;

public sealed class ObservabilityPartTests
{
    private static ObservabilityPartSpec Shipped(string stack, ObservabilitySettings? settings = null) =>
        ObservabilityPart.Build(settings ?? new ObservabilitySettings { Enabled = true }, ObservabilityPartContext.FromBlueprint(TestStacks.ShippedBlueprint(stack)));

    [Fact]
    public void The_defaults_are_valid_and_the_part_is_off()
    {
        var s = new ObservabilitySettings();
        Assert.False(s.Enabled);
        Assert.Empty(ObservabilityValidation.Errors(s));
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_with_its_key_and_fix()
    {
        var errors = ObservabilityValidation.Errors(new ObservabilitySettings
        {
            RetentionDays = 0, LogRetentionDays = 1000, ScrapeIntervalSeconds = 1, PrometheusMemoryMb = 64, ExporterMemoryMb = 8,
        });
        Assert.Equal(
            ["platform:observability.exporterMemoryMb", "platform:observability.logRetentionDays", "platform:observability.prometheusMemoryMb",
             "platform:observability.retentionDays", "platform:observability.scrapeIntervalSeconds"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
        var thrown = Assert.Throws<ArgumentException>(() => ObservabilityPart.Build(new ObservabilitySettings { RetentionDays = 0 },
            ObservabilityPartContext.FromBlueprint(TestStacks.ShippedBlueprint("staging"))));
        Assert.Contains("platform:observability.retentionDays", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Every_server_and_every_data_service_of_the_blueprint_is_scraped(string stack)
    {
        var bp = TestStacks.ShippedBlueprint(stack);
        var targets = ScrapeTargets.From(bp);
        Assert.Equal(bp.Servers.Select(x => x.Key.Id).Order(StringComparer.Ordinal),
            targets.Where(t => t.Job == "node").Select(t => t.Server).Order(StringComparer.Ordinal));
        foreach (var s in bp.Services.Where(x => x.Part.Kind == PartKind.Redis && !x.OneShot && x.Schedule is null))
            Assert.Contains(targets, t => t.Job == "redis" && t.Instance == s.Name && t.Target == $"redis://{s.ContainerName ?? s.Name}:{s.InternalPorts[0]}");
        Assert.Equal(bp.Services.Any(x => x.Name == ServiceNames.Postgres), targets.Any(t => t.Job == "postgres"));
        Assert.Equal(bp.Services.Any(x => x.Name == ServiceNames.Minio), targets.Any(t => t.Job == "minio"));
        Assert.Equal(bp.Services.Any(x => x.Name == ServiceNames.MariaDb), targets.Any(t => t.Job == "mariadb"));
        Assert.Contains(targets, t => t.Job == "traefik");
        // Off the storage server, only private addresses: nothing is scraped over a public one.
        var privateIps = bp.Servers.Select(x => x.PrivateIp).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.All(targets.Where(t => char.IsDigit(t.Address[0])), t => Assert.Contains(t.Address.Split(':')[0], privateIps));
    }

    [Fact]
    public void A_split_stack_scrapes_the_app_servers_on_their_private_address()
    {
        var bp = TestStacks.ShippedBlueprint("scale");
        Assert.True(bp.Servers.Length > 1, "the scale stack is split");
        var targets = ScrapeTargets.From(bp);
        foreach (var app in bp.AppServers)
            Assert.Contains(targets, t => t.Job == "node" && t.Server == app.Key.Id && t.Address == $"{app.PrivateIp}:9100");
        Assert.Contains(targets, t => t.Job == "node" && t.Server == "data" && t.Address == "node-exporter:9100");
    }

    [Fact]
    public void An_added_app_server_is_scraped_without_a_line_of_configuration()
    {
        var bp = TestStacks.ShippedBlueprint("scale");
        var extra = bp.AppServers[0] with { Name = bp.AppServers[0].Name + "-x", PrivateIp = "10.0.1.99", Key = ServerKey.App(99) };
        var grown = bp with { Servers = bp.Servers.Add(extra) };
        var spec = ObservabilityPart.Build(new ObservabilitySettings { Enabled = true }, ObservabilityPartContext.FromBlueprint(grown));
        Assert.Contains("'10.0.1.99:9100'", spec.PrometheusYml, StringComparison.Ordinal);
        Assert.Contains("app-99", spec.Collectors.Keys);
    }

    [Fact]
    public void The_whole_part_fits_in_768_MB_on_staging()
    {
        var spec = Shipped("staging");
        Assert.True(spec.MemoryMb <= 768, $"{spec.MemoryMb} MB: " + string.Join(", ", spec.Budget.Select(l => $"{l.Name} {l.Instances}x{l.MemoryMb}")));
        Assert.Contains(spec.Budget, l => l.Name == "prometheus" && l.MemoryMb == 192);
    }

    [Fact]
    public void The_alert_rules_follow_the_platform_thresholds()
    {
        var rules = PrometheusConfig.Rules(AlertThresholds.Default, new HashSet<string> { "postgres" });
        Assert.EndsWith("> 70", rules.Single(r => r.Name == "HostCpuWarning").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 90", rules.Single(r => r.Name == "HostCpuCritical").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 80", rules.Single(r => r.Name == "HostMemoryWarning").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 90", rules.Single(r => r.Name == "HostMemoryCritical").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 70", rules.Single(r => r.Name == "HostDiskWarning").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 85", rules.Single(r => r.Name == "HostDiskCritical").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 80", rules.Single(r => r.Name == "PostgresConnectionsWarning").Expr, StringComparison.Ordinal);
        Assert.EndsWith("> 95", rules.Single(r => r.Name == "PostgresConnectionsCritical").Expr, StringComparison.Ordinal);
        Assert.DoesNotContain(rules, r => r.Name.StartsWith("MariaDb", StringComparison.Ordinal));

        var custom = PrometheusConfig.Rules(AlertThresholds.Default with { Cpu = new(60, 75) }, new HashSet<string>());
        Assert.EndsWith("> 60", custom.Single(r => r.Name == "HostCpuWarning").Expr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rendered_yaml_parses_and_names_each_job_once()
    {
        var spec = Shipped("prod");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(spec.PrometheusYml));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var jobs = ((YamlSequenceNode)root["scrape_configs"]).Select(j => ((YamlScalarNode)((YamlMappingNode)j)["job_name"]).Value!).ToList();
        Assert.Equal(jobs.Distinct().Count(), jobs.Count);
        Assert.Equal("prod", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)root["global"])["external_labels"])["stack"]).Value);
        foreach (var text in new[] { spec.RulesYml, spec.LokiYml, spec.GrafanaDatasources, spec.GrafanaDashboardProvider })
            new YamlStream().Load(new StringReader(text));
    }

    [Fact]
    public void Dashboards_are_valid_json_and_read_only_documented_exporter_metrics()
    {
        var documented = PromQl.Documented(TestStacks.RepoRoot);
        var spec = Shipped("prod");
        Assert.Contains("platform-host.json", spec.Dashboards.Keys);
        Assert.Contains("platform-edge.json", spec.Dashboards.Keys);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, json) in spec.Dashboards)
        {
            using var doc = JsonDocument.Parse(json);
            foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                    used.UnionWith(PromQl.MetricNames(target.GetProperty("expr").GetString()!));
        }
        foreach (var rule in spec.Rules) used.UnionWith(PromQl.MetricNames(rule.Expr));
        Assert.Contains("node_cpu_seconds_total", used);
        Assert.Contains("traefik_service_requests_total", used);
        var missing = used.Where(m => !documented.Contains(m)).ToList();
        Assert.True(missing.Count == 0, "not in exporter-metrics.txt: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_metric_name_reader_finds_names_and_skips_functions_labels_and_keywords()
    {
        Assert.Equal(["a_total", "b_bytes"],
            PromQl.MetricNames("sum by (x, y) (rate(a_total{mode=\"idle\",z=~\"q.*\"}[5m])) / on (x) group_left max(b_bytes) > 3").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_log_stream_is_labelled_by_stack_server_part_app_and_instance()
    {
        var spec = Shipped("scale");
        var bp = TestStacks.ShippedBlueprint("scale");
        Assert.Equal(bp.Servers.Select(x => x.Key.Id).Order(StringComparer.Ordinal), spec.Collectors.Keys);
        foreach (var (server, config) in spec.Collectors)
        {
            Assert.Contains("stack  = \"scale\"", config, StringComparison.Ordinal);
            Assert.Contains($"server = \"{server}\"", config, StringComparison.Ordinal);
            foreach (var label in new[] { "part", "app", "instance" })
                Assert.Contains($"target_label  = \"{label}\"", config, StringComparison.Ordinal);
            Assert.Contains("__meta_docker_container_label_platform_part", config, StringComparison.Ordinal);
        }
        var data = bp.Servers.Single(x => x.Key == ServerKey.Data);
        Assert.Contains($"http://{data.PrivateIp}:3100/loki/api/v1/push", spec.Collectors["app-1"], StringComparison.Ordinal);
        Assert.Contains("http://loki:3100/loki/api/v1/push", spec.Collectors["data"], StringComparison.Ordinal);
        Assert.Contains("retention_period: 168h", spec.LokiYml, StringComparison.Ordinal);
        Assert.Contains("retention_period: 72h", ObservabilityPart.Build(new ObservabilitySettings { LogRetentionDays = 3 },
            ObservabilityPartContext.FromBlueprint(bp)).LokiYml, StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_is_pure()
    {
        Assert.Equal(Shipped("prod").PrometheusYml, Shipped("prod").PrometheusYml);
        Assert.Equal(Shipped("prod").Dashboards, Shipped("prod").Dashboards);
    }
}

public sealed class ObservabilityServicesTests
{
    private static ObservabilityPartSpec Build(string stack) =>
        ObservabilityPart.Build(new ObservabilitySettings { Enabled = true }, ObservabilityPartContext.FromBlueprint(TestStacks.ShippedBlueprint(stack)));

    [Theory]
    [InlineData("staging")]
    [InlineData("scale")]
    public void No_container_publishes_a_port_but_on_a_private_address_and_each_is_pinned_limited_and_probed(string stack)
    {
        var spec = Build(stack);
        var privateIps = TestStacks.ShippedBlueprint(stack).Servers.ToDictionary(x => x.Key, x => x.PrivateIp);
        Assert.All(spec.Services, s =>
        {
            Assert.All(s.PublishedPorts, p => Assert.Equal(privateIps[s.Host], p.HostIp));
            Assert.Null(Platform.Stacks.Settings.Names.ImageProblem(s.Image));
            Assert.DoesNotContain(":latest", s.Image, StringComparison.Ordinal);
            Assert.True(HealthProbe.Uses(s.HealthCheck.Test), s.Name);
            Assert.Contains(HealthProbe.Mount, s.Mounts);
            Assert.Equal(PartId.Observability, s.Part);
        });
        Assert.Equal(stack == "scale", spec.Services.Any(s => !s.PublishedPorts.IsEmpty));
        // The containers' memory is the budget's.
        Assert.Equal(spec.Budget.Sum(l => l.MemoryMb * l.Instances), spec.Services.Sum(s => s.Limits.MemoryMb));
        Assert.Equal(spec.Services.Length, spec.Services.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void Every_server_gets_a_node_exporter_and_a_collector_and_the_storage_server_the_rest()
    {
        var bp = TestStacks.ShippedBlueprint("scale");
        var spec = Build("scale");
        foreach (var server in bp.Servers)
        {
            var on = spec.Services.Where(s => s.Host == server.Key).Select(s => s.ContainerName).ToHashSet();
            Assert.Contains("node-exporter", on);
            Assert.Contains("alloy", on);
            Assert.Equal(server.Key == ServerKey.Data, on.Contains("prometheus") && on.Contains("loki") && on.Contains("grafana"));
        }
        var prometheus = spec.Services.Single(s => s.Name == "prometheus");
        Assert.Contains("--storage.tsdb.retention.time=15d", prometheus.Command);
        Assert.Contains(prometheus.Files, f => f.Path == ObservabilityNames.PrometheusConfigPath);
        var grafana = spec.Services.Single(s => s.Name == "grafana");
        Assert.True(grafana.Files.Single(f => f.Path == grafana.Env["GF_SECURITY_ADMIN_PASSWORD__FILE"].Masked).Content.IsSecret);
        Assert.Equal(SecretText.Plain("false"), grafana.Env["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.Contains(spec.Secrets, x => x.Name == ObservabilityNames.GrafanaAdminSecret && x.Source == SecretSource.Generated);
    }
}
