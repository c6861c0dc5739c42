using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.Observability;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// The staging stack with the observability part turned on, on the real engine by the rehearsal's code: every container
/// of the part comes up healthy with the configuration the shell gets, and the real programs among them — Debian's
/// Prometheus, node-exporter, postgres_exporter and redis_exporter, under their images' paths and users — work
/// together: Prometheus reads the data services' targets from the files the host command wrote, and the exporters log
/// in to the real PostgreSQL and Redis as the monitoring users the data parts' host commands made, with the rendered
/// credential files. Loki, Grafana, Alloy, Alertmanager and pgbouncer_exporter are stand-ins (not in Debian).
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class ObservabilityRehearsalTests(LocalImages images)
{
    [DockerFact]
    public async Task The_part_comes_up_healthy_and_prometheus_scrapes_the_exporters_logged_in_as_the_monitoring_users()
    {
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.staging.yaml")) + "\n  platform:observability: { enabled: true }\n";
        var blueprint = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "staging", yaml)));
        await using var rehearsal = Rehearsal.Open(blueprint, images.Map);
        await rehearsal.UpAsync();

        var part = rehearsal.Plan.Containers.Where(c => blueprint.Services.Single(s => s.Name == c.Config.Service).Part == PartId.Observability).ToList();
        Assert.Contains(part, c => c.Config.Service == ObservabilityNames.PostgresExporter);
        Assert.Contains(part, c => c.Config.Service == ObservabilityNames.RedisExporter);
        foreach (var c in part)
        {
            var state = (await rehearsal.Docker.Containers.InspectContainerAsync(await rehearsal.ContainerOf(c.Config.Service))).State;
            Assert.True(state.Running && state.Health?.Status == "healthy", $"{c.Config.Service}: {state.Status}, health {state.Health?.Status}");
        }

        // Prometheus answers on its own loopback only: ask it through the probe's BusyBox inside its container.
        async Task<JsonElement> Query(string q)
        {
            var r = await rehearsal.ExecAsync(ObservabilityNames.Prometheus, HealthProbe.ContainerPath, "wget", "-q", "-O", "-",
                $"http://127.0.0.1:{ObservabilityNames.PrometheusPort}/api/v1/query?query={Uri.EscapeDataString(q)}");
            return r.Ok ? JsonDocument.Parse(r.Stdout).RootElement.GetProperty("data").GetProperty("result").Clone() : default;
        }
        async Task<int> Count(string q) => await Query(q) is { ValueKind: JsonValueKind.Array } a ? a.GetArrayLength() : 0;

        var redisInstances = blueprint.Services.Count(s => s.Part.Kind == PartKind.Redis && !s.OneShot && s.Schedule is null);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && (await Count("pg_up == 1") < 1 || await Count("redis_up == 1") < redisInstances || await Count("up{job=\"node\"} == 1") < 1))
            await Task.Delay(TimeSpan.FromSeconds(3));
        var up = await Query("up");
        Assert.True(await Count("pg_up == 1") == 1, $"postgres_exporter did not reach PostgreSQL as platform_monitor: {up}\n{rehearsal.Log}");
        Assert.True(await Count("redis_up == 1") == redisInstances, $"redis_exporter did not reach every Redis instance: {await Query("redis_up")}\n{rehearsal.Log}");
        Assert.Equal(1, await Count("up{job=\"node\"} == 1"));
        Assert.Equal(1, await Count("up{job=\"prometheus\"} == 1"));
        // The rules came from the host command's directory, reloaded by SIGHUP: all of them are loaded.
        var rules = await rehearsal.ExecAsync(ObservabilityNames.Prometheus, HealthProbe.ContainerPath, "wget", "-q", "-O", "-",
            $"http://127.0.0.1:{ObservabilityNames.PrometheusPort}/api/v1/rules");
        Assert.True(rules.Ok, rules.ToString());
        Assert.Equal(blueprint.Observability!.Lines.Single(l => l.StartsWith("alert rules (", StringComparison.Ordinal)).Split(", ").Length,
            JsonDocument.Parse(rules.Stdout).RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("rules").GetArrayLength()));
    }
}
