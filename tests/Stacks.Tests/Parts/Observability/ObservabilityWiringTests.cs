using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary><c>platform:observability</c> from the stack file to the blueprint, the budget and the plan.</summary>
public sealed class ObservabilityWiringTests
{
    private static (StackSettings? Settings, IReadOnlyList<SettingsError> Errors) Read(string extra, string? apps = null) =>
        SettingsReader.TryRead(StackFiles.Parse("platform", "staging", TestStacks.Yaml(apps, extra)));

    private static PlatformBlueprint Build(string extra) => BlueprintBuilder.Build(Read(extra).Settings ?? throw new InvalidOperationException(string.Join("\n", Read(extra).Errors)));

    [Fact]
    public void Unset_it_is_off_and_the_blueprint_has_none_of_its_containers()
    {
        var (settings, errors) = Read("");
        Assert.Empty(errors);
        Assert.False(settings!.Observability.Enabled);
        var b = BlueprintBuilder.Build(settings);
        Assert.DoesNotContain(b.Services, s => s.Part == PartId.Observability);
        Assert.False(b.Observability!.Enabled);
        Assert.DoesNotContain(b.Services.Single(s => s.Name == ServiceNames.Traefik).Command, c => c.StartsWith("--metrics.", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_under_its_key_with_the_fix()
    {
        var (_, errors) = Read("""
            platform:observability:
              enabled: yes please
              retentionDays: 0
              logRetentionDays: seven
              prometheusMemoryMb: 64
              retention: 3
            """);
        var keys = errors.Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["platform:observability.enabled", "platform:observability.logRetentionDays", "platform:observability.prometheusMemoryMb",
            "platform:observability.retention", "platform:observability.retentionDays"], keys);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
        Assert.Contains("retentionDays", errors.Single(e => e.Key == "platform:observability.retention").Fix, StringComparison.Ordinal);
        Assert.Contains(errors, e => e.Key == "platform:observability" || e.Key.StartsWith("platform:observability.", StringComparison.Ordinal));
        var (_, notMapping) = Read("platform:observability: true");
        Assert.Contains(notMapping, e => e.Key == "platform:observability" && e.Fix.Contains("enabled", StringComparison.Ordinal));
    }

    [Fact]
    public void The_setting_is_in_the_schema_and_the_readme()
    {
        Assert.True(SettingsSchema.ByName.ContainsKey("observability"));
        var readme = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "README.md"));
        Assert.Contains("`observability: { enabled, retentionDays", readme, StringComparison.Ordinal);
        Assert.Contains("host, allowCidrs }`", readme, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prod")]
    [InlineData("scale")]
    public void It_is_on_in_the_shipped_prod_and_scale_stacks_and_every_server_still_fits(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        Assert.True(b.Observability!.Enabled);
        Assert.All(b.Budgets, budget => Assert.True(budget.Fits, $"{budget.Server}: {budget.FreeMb} MB free"));
        Assert.Empty(Policies.Check(b));
        var plan = PlanText.Render(b);
        Assert.Contains("== Observability (metrics, logs, dashboards) ==", plan, StringComparison.Ordinal);
        Assert.Contains("kept 15 days", plan, StringComparison.Ordinal);
        Assert.Contains("prometheus ", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_single_server_the_budget_lines_are_exactly_the_parts_containers()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var part = b.Services.Where(s => s.Part == PartId.Observability).ToList();
        Assert.NotEmpty(part);
        Assert.Equal(part.Sum(s => s.Limits.MemoryMb), b.Budget.Lines.Where(ObservabilityView.IsPart).Sum(l => l.TotalMb));
        // And the whole budget is still every steady container's limit.
        Assert.Equal(b.Services.Where(s => !s.OneShot).Sum(s => s.Limits.MemoryMb), b.Budget.ContainersMb);
    }

    [Fact]
    public void On_a_split_stack_storage_is_on_the_data_server_and_collectors_and_node_exporter_on_every_server_over_the_private_network()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var part = b.Services.Where(s => s.Part == PartId.Observability).ToList();
        foreach (var name in new[] { "prometheus", "loki", "grafana" })
            Assert.Equal(ServerKey.Data, part.Single(s => s.Name == name).Host);
        foreach (var server in b.Servers)
            foreach (var container in new[] { "node-exporter", "alloy", "logs-proxy" })
                Assert.Single(part, s => s.Host == server.Key && s.ContainerName == container);
        // Collectors off the data server push to Loki at its private address, which Loki publishes there only.
        var loki = part.Single(s => s.Name == "loki");
        Assert.Equal(new PublishedPort("10.20.1.2", 3100, 3100, "tcp"), Assert.Single(loki.PublishedPorts));
        // Traefik on each app server exposes its metrics entry point on its private address only.
        foreach (var app in b.AppServers)
        {
            var traefik = b.Services.Single(s => s.Name == app.Key.Qualify(ServiceNames.Traefik));
            Assert.Contains("--metrics.prometheus.entrypoint=metrics", traefik.Command);
            Assert.Contains(new PublishedPort(app.PrivateIp!, 8082, 8082, "tcp"), traefik.PublishedPorts);
        }
        // Every network a container of the part is on exists on its server.
        foreach (var s in part)
            foreach (var n in s.Networks)
                Assert.Contains(b.Networks, x => x.Name == n.Network && x.Host == s.Host);
        Assert.All(b.Networks.Where(n => n.Name == ObservabilityNames.LogsNetwork), n => Assert.True(n.Internal));
        Assert.Empty(Policies.Check(b));
    }

    [Fact]
    public void MinIO_serves_its_metrics_without_a_token_only_when_the_part_is_on()
    {
        Assert.Equal("public", TestStacks.ShippedBlueprint("prod").Services.Single(s => s.Name == ServiceNames.Minio).Env[ObservabilityNames.MinioPrometheusAuthEnv].Masked);
        Assert.DoesNotContain(ObservabilityNames.MinioPrometheusAuthEnv, TestStacks.ShippedBlueprint("staging").Services.Single(s => s.Name == ServiceNames.Minio).Env.Keys);
    }

    [Fact]
    public void An_added_app_server_and_its_traefik_are_scraped_without_a_line_of_observability_configuration()
    {
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml"));
        Assert.Contains("count: 3", yaml, StringComparison.Ordinal);
        var grown = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale", yaml.Replace("count: 3", "count: 4", StringComparison.Ordinal))));
        var prometheus = grown.Services.Single(s => s.Name == ObservabilityNames.Prometheus);
        var config = prometheus.Files.Single(f => f.Path == ObservabilityNames.PrometheusConfigPath).Content.Masked;
        Assert.Contains("'10.20.1.14:9100'", config, StringComparison.Ordinal);
        Assert.Contains("'10.20.1.14:8082'", config, StringComparison.Ordinal);
        Assert.Contains(grown.Services, s => s.Name == "alloy@app-4" && s.Host == ServerKey.App(4));
    }

    [Fact]
    public void An_added_app_has_its_logs_labelled_and_its_traffic_measured_without_changing_any_observability_container()
    {
        var before = TestStacks.ShippedBlueprint("prod");
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml")) + """
                - name: docs
                  image: ghcr.io/brightlane/docs:1.0.0
                  port: 8080
                  routes:
                    - host: docs
                  healthPath: /healthz
                  cpus: 0.25
                  memoryMb: 128

            """;
        var after = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod", yaml)));
        // Its containers carry the labels the collector turns into the app and instance labels of its log streams.
        var docs = after.Services.First(s => s.App == "docs");
        Assert.Equal("docs", docs.Labels[ObservabilityNames.AppLabel]);
        Assert.Equal(docs.Name, docs.Labels[ObservabilityNames.InstanceLabel]);
        // Traefik labels its requests by service, which the edge dashboard groups by: the part's files stay as they were
        // (AddAppBlastRadiusTests checks every container's whole configuration on prod and scale, where the part is on).
        static string Files(PlatformBlueprint b) => string.Join("\n", b.Services.Where(s => s.Part == PartId.Observability).SelectMany(s => s.Files).Select(f => f.Path + "=" + f.Content.Masked));
        Assert.Equal(Files(before), Files(after));
    }

    [Fact]
    public void The_small_stack_does_not_fit_the_part_and_its_plan_says_so_with_the_fix()
    {
        var b = TestStacks.ShippedBlueprint("small");
        Assert.False(b.Observability!.Enabled);
        Assert.False(b.Observability.Fits);
        var plan = PlanText.Render(b);
        Assert.Contains("it does NOT fit on a cx22. Fix: set platform:serverType to cx32 (8 GB)", plan, StringComparison.Ordinal);
        // Turning it on there anyway is refused, keyed, with the same fix.
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.small.yaml")) + "\n  platform:observability: { enabled: true }\n";
        var (_, errors) = SettingsReader.TryRead(StackFiles.Parse("platform", "small", yaml));
        var error = Assert.Single(errors);
        Assert.Equal("platform:serverType", error.Key);
        Assert.Contains("cx32", error.Fix, StringComparison.Ordinal);
        Assert.Contains("platform:observability", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Staging_fits_the_part_within_768_MB()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        Assert.True(b.Observability!.Fits);
        var on = Build("""
            platform:observability: { enabled: true }
            """);
        var total = on.Budget.Lines.Where(ObservabilityView.IsPart).Sum(l => l.TotalMb);
        Assert.InRange(total, 1, 768);
    }

    [Fact]
    public void The_readmes_memory_figures_are_the_ones_the_plans_print()
    {
        var readme = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "README.md"));
        var section = readme[readme.IndexOf("## Observability", StringComparison.Ordinal)..readme.IndexOf("## Sizing a small server", StringComparison.Ordinal)];
        var prod = PlanText.Render(TestStacks.ShippedBlueprint("prod"));
        var scale = PlanText.Render(TestStacks.ShippedBlueprint("scale"));
        var small = PlanText.Render(TestStacks.ShippedBlueprint("small"));
        Assert.Contains("memory: 768 MB in all — prometheus 192 MB, loki 160 MB, grafana 160 MB, alertmanager 32 MB, alloy 96 MB, logs-proxy 32 MB, node-exporter 32 MB, pgbouncer-exporter 24 MB, postgres-exporter 24 MB, redis-exporter 16 MB", prod, StringComparison.Ordinal);
        Assert.Contains("memory: 1248 MB in all — prometheus 192 MB, loki 160 MB, grafana 160 MB, alertmanager 32 MB, alloy 4 x 96 MB, logs-proxy 4 x 32 MB, node-exporter 4 x 32 MB, pgbouncer-exporter 24 MB, postgres-exporter 24 MB, redis-exporter 16 MB", scale, StringComparison.Ordinal);
        Assert.Contains("turned on it takes 768 MB", PlanText.Render(TestStacks.ShippedBlueprint("staging")), StringComparison.Ordinal);
        Assert.Contains("but only 552 MB are free: it does NOT fit on a cx22. Fix: set platform:serverType to cx32 (8 GB), or lower the apps' memory by 216 MB", small, StringComparison.Ordinal);
        Assert.Contains("kept 15 days", prod, StringComparison.Ordinal);
        Assert.Contains("kept 7 days", prod, StringComparison.Ordinal);
        foreach (var figure in new[] { "768 MB", "prometheus 192 MB, loki 160 MB, grafana 160 MB, alertmanager 32 MB, alloy 96 MB, logs-proxy 32 MB, node-exporter 32 MB, pgbouncer-exporter 24 MB, postgres-exporter 24 MB, redis-exporter 16 MB", "1248 MB", "552 MB", "216 MB", "15 days", "7 days" })
            Assert.Contains(figure, section.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
