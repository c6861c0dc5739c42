using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Observability;

/// <summary>Alertmanager: present exactly when the stack has an alert channel, the URL a mounted secret, its memory budgeted.</summary>
public sealed class AlertRoutingTests
{
    /// <summary>A marker standing for the webhook secret's value in the stack file (Pulumi's ciphertext).</summary>
    private const string Marker = "v1:WEBHOOK-CIPHERTEXT-4711";

    private static StackSettings Settings(bool webhook)
    {
        var yaml = TestStacks.Yaml(extra: "platform:observability: { enabled: true }")
            .Replace("platform:alertWebhookUrl:\n    secure: v1:abc", $"platform:alertWebhookUrl:\n    secure: {Marker}", StringComparison.Ordinal);
        Assert.Contains(Marker, yaml, StringComparison.Ordinal);
        var s = SettingsReader.Read(StackFiles.Parse("platform", "staging", yaml));
        Assert.True(s.Monitoring.AlertWebhook);
        return webhook ? s : s with { Monitoring = s.Monitoring with { AlertWebhook = false } };
    }

    [Fact]
    public void With_an_alert_channel_alertmanager_runs_on_the_storage_server_without_a_published_port_and_reads_the_url_from_a_secret_file()
    {
        var b = BlueprintBuilder.Build(Settings(webhook: true));
        var am = b.Services.Single(s => s.Name == ObservabilityNames.Alertmanager);
        Assert.Equal(PartId.Observability, am.Part);
        Assert.Equal("prom/alertmanager:v0.27.0", am.Image);
        Assert.InRange(am.Limits.MemoryMb, 32, 64);
        Assert.Empty(am.PublishedPorts);
        Assert.DoesNotContain(am.Labels.Keys, k => k.StartsWith("traefik.", StringComparison.Ordinal));
        Assert.Equal([ServiceNames.EdgeNetwork], am.Networks.Select(n => n.Network));
        Assert.Equal(Conventions.RestartPolicy, am.RestartPolicy);
        Assert.Equal(Conventions.Log, am.Log);
        Assert.Contains(HealthProbe.Mount, am.Mounts);
        Assert.Contains("9093/-/ready", string.Join(" ", am.HealthCheck!.Test), StringComparison.Ordinal);
        // The URL is only in the secret file; the environment holds nothing secret.
        var urlFile = am.Files.Single(f => f.Path == ObservabilityNames.AlertWebhookUrlFile);
        Assert.Equal("alertWebhookUrl", Assert.Single(urlFile.Content.Secrets));
        Assert.Single(urlFile.Content.Parts);
        Assert.DoesNotContain(am.Env.Values, v => v.IsSecret);
        var config = am.Files.Single(f => f.Path == ObservabilityNames.AlertmanagerConfigPath).Content;
        Assert.False(config.IsSecret);
        Assert.Contains($"url_file: '{ObservabilityNames.AlertWebhookUrlFile}'", config.Masked, StringComparison.Ordinal);
        Assert.DoesNotContain("url:", config.Masked, StringComparison.Ordinal);
        Assert.Contains($"--config.file={ObservabilityNames.AlertmanagerConfigPath}", am.Command);
        // Prometheus reaches it on a network they share.
        var prometheus = b.Services.Single(s => s.Name == ObservabilityNames.Prometheus);
        Assert.Contains(prometheus.Networks, n => n.Network == ServiceNames.EdgeNetwork);
        var prometheusYml = prometheus.Files.Single(f => f.Path == ObservabilityNames.PrometheusConfigPath).Content.Masked;
        Assert.Contains("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['alertmanager:9093']\n", prometheusYml, StringComparison.Ordinal);
        Assert.Empty(Policies.Check(b));
    }

    [Fact]
    public void The_webhook_url_never_appears_in_the_plan_text_or_json()
    {
        var b = BlueprintBuilder.Build(Settings(webhook: true));
        Assert.Contains(b.Services, s => s.Name == ObservabilityNames.Alertmanager);
        foreach (var plan in new[] { PlanText.Render(b), PlanText.Render(b, verbose: true), PlanJson.Render(b) })
        {
            Assert.DoesNotContain(Marker, plan, StringComparison.Ordinal);
            Assert.DoesNotContain("WEBHOOK-CIPHERTEXT", plan, StringComparison.Ordinal);
            Assert.Contains(ObservabilityNames.AlertWebhookUrlFile, plan, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Its_memory_is_in_the_budget_and_the_parts_total()
    {
        var with = BlueprintBuilder.Build(Settings(webhook: true));
        var without = BlueprintBuilder.Build(Settings(webhook: false));
        var line = Assert.Single(with.Budget.Lines, l => l.Name == ObservabilityNames.Alertmanager);
        Assert.Equal(ObservabilityNames.AlertmanagerMemoryMb, line.TotalMb);
        Assert.True(ObservabilityView.IsPart(line));
        Assert.Equal(ObservabilityNames.AlertmanagerMemoryMb, with.Budget.ContainersMb - without.Budget.ContainersMb);
        // The budget is still every steady container's limit.
        Assert.Equal(with.Services.Where(s => !s.OneShot).Sum(s => s.Limits.MemoryMb), with.Budget.ContainersMb);
        var plan = PlanText.Render(with);
        Assert.Contains("alertmanager 32 MB", plan, StringComparison.Ordinal);
        Assert.Contains("alerts: Alertmanager (32 MB) sends every alert to the stack's alert channel, the webhook platform:alertWebhookUrl", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_alert_channel_there_is_no_alertmanager_and_the_plan_says_alerts_are_not_routed()
    {
        var b = BlueprintBuilder.Build(Settings(webhook: false));
        Assert.DoesNotContain(b.Services, s => s.Name == ObservabilityNames.Alertmanager);
        Assert.DoesNotContain(b.Volumes, v => v.Name == ObservabilityNames.AlertmanagerVolume);
        Assert.DoesNotContain(b.Budget.Lines, l => l.Name == ObservabilityNames.Alertmanager);
        var prometheusYml = b.Services.Single(s => s.Name == ObservabilityNames.Prometheus).Files.Single(f => f.Path == ObservabilityNames.PrometheusConfigPath).Content.Masked;
        Assert.DoesNotContain("alerting:", prometheusYml, StringComparison.Ordinal);
        Assert.Contains("alerts: NOT routed (platform:alertWebhookUrl is not set)", PlanText.Render(b), StringComparison.Ordinal);
        Assert.Empty(Policies.Check(b));
    }

    [Fact]
    public void On_a_split_stack_alertmanager_is_on_the_data_server_with_prometheus()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var am = b.Services.Single(s => s.Name == ObservabilityNames.Alertmanager);
        Assert.Equal(ServerKey.Data, am.Host);
        Assert.Equal(b.Services.Single(s => s.Name == ObservabilityNames.Prometheus).Host, am.Host);
        Assert.Empty(am.PublishedPorts);
        Assert.Contains(b.Networks, n => n.Name == ServiceNames.EdgeNetwork && n.Host == am.Host);
        Assert.Contains(b.Budgets.Single(x => x.Server == ServerKey.Data).Lines, l => l.Name == ObservabilityNames.Alertmanager);
    }

    [Fact]
    public void The_rendered_config_groups_and_repeats_as_documented()
    {
        var yml = AlertRouting.Render("/run/secrets/x");
        Assert.Contains("group_by: ['alertname', 'server']", yml, StringComparison.Ordinal);
        Assert.Contains("group_wait: 30s\n  group_interval: 5m\n  repeat_interval: 4h\n", yml, StringComparison.Ordinal);
        Assert.Contains("send_resolved: true", yml, StringComparison.Ordinal);
        Assert.Contains("url_file: '/run/secrets/x'", yml, StringComparison.Ordinal);
    }
}
