using System.Collections.Immutable;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using Xunit.Abstractions;

namespace Platform.Infra.Tests;

/// <summary>Volumes, release commands, jobs and per-app networks under Pulumi's mocks.</summary>
[Collection(PulumiCollection.Name)]
public sealed class AppFeatureStackTests(ITestOutputHelper output)
{
    private const string Apps = """
            - name: crm
              image: ghcr.io/example/crm:2.1.0
              port: 3000
              routes: [{ host: crm }]
              healthPath: /up
              cpus: 0.5
              memoryMb: 256
              talksTo: [api]
              volumes: [{ name: uploads, mountPath: /rails/storage, sizeGb: 5 }]
              release: { command: [bin/rails, db:migrate] }
              jobs: [{ name: nightly-report, schedule: "0 2 * * *", command: [bin/rails, report:nightly] }]
              env: { DIRECT_URL: "${database.directUrl}", REDIS_PASSWORD: "${redis.password}" }
              needs: { database: { name: tour_crm, role: tour_crm }, redis: true }

        """;

    private static PlatformBlueprint Blueprint(string stack)
    {
        var text = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), $"Pulumi.{stack}.yaml"))
            .Replace("  platform:apps:\n", "  platform:apps:\n" + Apps, StringComparison.Ordinal)
            .Replace("platform:serverType: cx32", "platform:serverType: cx42", StringComparison.Ordinal);
        return BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", stack, text)));
    }

    private static ImmutableArray<object> List(Registration r, string input) =>
        r.Inputs.TryGetValue(input, out var value) && value is ImmutableArray<object> list ? list : [];

    private static IEnumerable<string> Networks(Registration container) =>
        List(container, "networksAdvanced").OfType<ImmutableDictionary<string, object>>().Select(n => (string)n["name"]);

    [Fact]
    public async Task The_release_runs_before_the_instances_and_the_job_is_created_but_not_started()
    {
        var run = await StackRun.Of(Blueprint("staging"), preview: false);
        const string container = "docker:index/container:Container";
        const string command = "command:remote:Command";
        var attach = run.Named(command, "app-crm.attach-command");
        var release = run.Named(container, "app-crm.release-container");
        var check = run.Named(command, "app-crm.release-check-command");
        var instance = run.Named(container, "crm-1-container");
        Assert.True(release.Started >= attach.Finished, "the release runs once the data services are on the app's network");
        Assert.True(check.Started >= release.Finished);
        Assert.True(instance.Started >= check.Finished, "no instance starts before the release command succeeded");
        Assert.Equal(true, release.Inputs["attach"]);
        Assert.Equal("no", release.Inputs["restart"]);

        var job = run.Named(container, "app-crm.job.nightly-report-container");
        Assert.Equal(false, job.Inputs["start"]);
        Assert.Equal(false, job.Inputs["mustRun"]);
        var timers = run.Named(command, "app-crm.jobs-command");
        Assert.True(timers.Started >= job.Finished);
        Assert.Contains("systemctl disable", (string)timers.Inputs["delete"], StringComparison.Ordinal);

        // The attach command disconnects on removal, so it depends on the networks it joins.
        Assert.Contains("docker network disconnect", (string)attach.Inputs["delete"], StringComparison.Ordinal);
        Assert.True(attach.Started >= run.Named("docker:index/network:Network", "networks-app-crm.data").Finished);
        Assert.Equal(["app-api", "app-crm", "app-crm.data"], Networks(instance).Order(StringComparer.Ordinal));
        Assert.Contains(List(instance, "envs").OfType<string>(), e => e.StartsWith("DIRECT_URL=postgres://tour_crm:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_app_volume_is_the_apps_protected_on_prod_and_archived_by_the_backups()
    {
        var blueprint = Blueprint("prod");
        var run = await StackRun.Of(blueprint, preview: false);
        var volume = run.OptionsOf("docker:index/volume:Volume", "volumes-app-crm.uploads");
        Assert.Equal(("platform:apps:App", "app-crm", true, true), (volume.ParentType, volume.ParentName, volume.Protect, volume.RetainOnDelete));
        // The one backup runner archives every schedule, the app volumes among them.
        var runner = run.Named("docker:index/container:Container", "backup-container");
        Assert.Contains(List(runner, "volumes").OfType<ImmutableDictionary<string, object>>(),
            v => v.TryGetValue("volumeName", out var n) && (string)n == "app-crm.uploads" && v.TryGetValue("readOnly", out var ro) && (bool)ro);
        Assert.Contains(PartId.App("crm"), PartGraph.Of(blueprint).Single(p => p.Id == PartId.Backups).DependsOn);
    }

    [Fact]
    public async Task Twenty_tenant_stores_share_no_network()
    {
        var blueprint = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "tenants", StackGenerator.TenantStores(20))));
        var run = await StackRun.Of(blueprint, preview: false);
        var stores = Enumerable.Range(1, 20).Select(i => run.Named("docker:index/container:Container", $"shop-{i:D2}-1-container")).ToList();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var store in stores)
            foreach (var network in Networks(store))
                Assert.True(seen.TryAdd(network, store.Name), $"{store.Name} and {seen.GetValueOrDefault(network)} share {network}");
        Assert.Equal(40, seen.Count);
        output.WriteLine($"20-store mock run: {run.Elapsed.TotalSeconds:F2} s, {run.Mocks.Registrations.Count} registrations");
    }
}
