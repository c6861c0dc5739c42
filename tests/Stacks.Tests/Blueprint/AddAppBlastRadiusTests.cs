using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// Adding an app restarts no platform container: every container that is not the new app's keeps exactly its
/// configuration (the shell sends what <see cref="ContainerConfigs"/> computes, see Infra.Tests'
/// ContainerConfigStackTests), so the Docker provider neither updates nor replaces it. What the app needs from
/// the platform changes in place: host commands that write files and reload (PgBouncer, Redis ACL, AutoKuma's
/// monitor directory, Traefik's routes) and network attaches.
/// </summary>
public sealed class AddAppBlastRadiusTests
{
    private const string Docs = """
            - name: docs
              image: ghcr.io/brightlane/docs:1.0.0
              port: 8080
              routes:
                - host: docs
              healthPath: /healthz
              cpus: 0.25
              memoryMb: 128
              needs: { database: true, buckets: [{ name: assets }] }
              jobs:
                - { name: reindex, schedule: "15 * * * *", command: [reindex] }

        """;

    [Theory]
    [InlineData("prod")]
    [InlineData("staging")]
    [InlineData("scale")]
    public void Adding_an_app_with_data_jobs_and_a_route_leaves_every_other_container_as_it_was(string stack)
    {
        var before = TestStacks.ShippedBlueprint(stack);
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, $"Pulumi.{stack}.yaml")) + Docs;
        var after = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", stack, yaml)));

        var old = ContainerConfigs.Of(before).ToDictionary(c => c.Service);
        var added = ContainerConfigs.Of(after).Where(c => !old.ContainsKey(c.Service)).Select(c => c.Service).ToList();
        Assert.NotEmpty(added);
        // Only the new app's own containers are added: its instances and jobs, and its own Redis instance.
        Assert.All(added, name =>
        {
            var spec = after.Services.Single(x => x.Name == name);
            Assert.True(spec.App == "docs" || spec.Part == Platform.Stacks.Parts.PartId.Redis && name.Contains("docs", StringComparison.Ordinal), $"{name} is not the new app's");
        });

        foreach (var config in ContainerConfigs.Of(after).Where(c => old.ContainsKey(c.Service)))
        {
            var was = old[config.Service];
            // Records hold immutable collections: compare their contents through a canonical text.
            Assert.True(Canonical(was) == Canonical(config), $"{stack}: adding an app changes the container {config.Service}:\n- {Canonical(was)}\n+ {Canonical(config)}");
        }
        // The monitors of the new app reach AutoKuma through its directory, not its container.
        var monitors = after.HostCommands.Single(h => h.Name == HostCommandNames.AutoKumaMonitors);
        Assert.Contains("docs", monitors.Stdin!.Masked, StringComparison.Ordinal);
    }

    /// <summary>
    /// The one exception left: an app with Redis gets its own Redis instance, whose dumps the backup runner archives
    /// from a volume it mounts, with a job file uploaded into it — so the runner (no traffic, between runs) is
    /// replaced. Pinned here so that moving those into a server directory, as AutoKuma's files were, shows up.
    /// </summary>
    [Fact]
    public void Adding_an_app_with_redis_changes_only_the_backup_runner_besides_its_own_containers()
    {
        var before = TestStacks.ShippedBlueprint("prod");
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"))
            + Docs.Replace("needs: { database: true,", "needs: { database: true, redis: true,", StringComparison.Ordinal);
        var after = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod", yaml)));
        var old = ContainerConfigs.Of(before).ToDictionary(c => c.Service);
        var changed = ContainerConfigs.Of(after).Where(c => old.TryGetValue(c.Service, out var was) && Canonical(was) != Canonical(c)).Select(c => c.Service).ToList();
        Assert.Equal(["backup"], changed);
    }

    [Fact]
    public void AutoKuma_reads_its_monitors_from_the_servers_directory_and_holds_no_push_token_in_its_env()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var autokuma = b.Services.Single(x => x.Name == Platform.Stacks.Operations.AutoKuma.ContainerName);
        // Its one uploaded file is its config (the login's password), which no app changes; the monitors are not uploads.
        Assert.Equal([Platform.Stacks.Operations.AutoKuma.ConfigPath], autokuma.Files.Select(f => f.Path));
        Assert.Contains(autokuma.Mounts, m => m.Kind == MountKind.Bind && m.Source == Platform.Stacks.Operations.AutoKuma.HostMonitorsDir && m.Target == Platform.Stacks.Operations.AutoKuma.MonitorsDir && m.ReadOnly);
        Assert.DoesNotContain(autokuma.Env.Keys, k => k.Contains("PUSH_TOKEN", StringComparison.Ordinal));
        Assert.Contains(HostCommandNames.AutoKumaMonitors, autokuma.AfterHostCommands);

        var files = b.HostCommands.Single(h => h.Name == HostCommandNames.AutoKumaMonitors);
        var stdin = files.Stdin!;
        // A push monitor's token is in its file as a secret reference, masked in the plan.
        Assert.Contains(stdin.Secrets, s => s.Contains("push", StringComparison.OrdinalIgnoreCase) || s.Contains("token", StringComparison.OrdinalIgnoreCase) || s.StartsWith("backup", StringComparison.Ordinal));
        Assert.DoesNotContain("get_env(name='AUTOKUMA__ENV__PUSH_TOKEN", stdin.Masked, StringComparison.Ordinal);
        // Files of monitors that are gone are removed.
        Assert.Contains("rm -f", stdin.Masked, StringComparison.Ordinal);
    }

    private static string Canonical(ContainerConfig c) => System.Text.Json.JsonSerializer.Serialize(new
    {
        c.ContainerName, c.Image, Entrypoint = c.Entrypoint.ToArray(), Command = c.Command.ToArray(),
        Env = c.Env.ToDictionary(kv => kv.Key, kv => kv.Value.Masked + "|" + string.Join(",", kv.Value.Secrets)),
        Labels = c.Labels.ToDictionary(),
        Networks = c.Networks.Select(n => n.Network + ":" + string.Join(",", n.Aliases)).ToArray(),
        Mounts = c.Mounts.Select(m => $"{m.Kind}:{m.Source}:{m.Target}:{m.ReadOnly}").ToArray(),
        Ports = c.Ports.Select(p => p.ToString()).ToArray(),
        Health = string.Join(" ", c.Healthcheck.Tests) + c.Healthcheck,
        c.MemoryMb, c.Cpus, c.Restart, c.StopGraceSeconds,
        Uploads = c.Uploads.Select(u => u.Path + "|" + u.Content.Masked + "|" + string.Join(",", u.Content.Secrets)).ToArray(),
        Hosts = c.Hosts.Select(h => h.ToString()).ToArray(),
        c.User, c.ReadOnlyRootFilesystem, CapDrop = c.CapDrop.ToArray(), CapAdd = c.CapAdd.ToArray(), c.Start, c.Wait,
    });
}
