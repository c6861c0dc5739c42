using System.Collections;
using System.Collections.Immutable;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Canonical;

namespace Platform.Infra.Tests;

/// <summary>
/// The shell copies the core's one container configuration field by field: what the Docker provider
/// receives for every container of every shipped stack is exactly <see cref="ContainerConfigs.Of(Platform.Stacks.Blueprint.ServiceSpec)"/>.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed class ContainerConfigStackTests
{
    private const string Container = "docker:index/container:Container";

    public static TheoryData<string> Stacks => new() { "staging", "prod", "small", "scale" };

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_container_receives_exactly_the_cores_configuration(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var config in ContainerConfigs.Of(run.Blueprint))
        {
            var inputs = run.Named(Container, $"{config.Service}-container").Inputs;
            var at = config.Service;

            Assert.Equal(config.ContainerName, inputs.GetValueOrDefault("name") as string);
            Assert.Equal(config.MemoryMb, Convert.ToInt32(inputs["memory"]));
            Assert.Equal(config.MemorySwapMb, Convert.ToInt32(inputs["memorySwap"]));
            Assert.Equal(config.Cpus, inputs["cpus"]);
            Assert.Equal(config.Restart, inputs["restart"]);
            Assert.Equal(config.LogDriver, inputs["logDriver"]);
            Assert.Equal(config.LogOpts.ToDictionary(), StringMap(inputs["logOpts"]));
            Assert.Equal(config.StopGraceSeconds, Convert.ToInt32(inputs["destroyGraceSeconds"]));
            // A drained instance: its own stop timeout is the grace, and a drain command whose delete step drains it by name.
            if (config.DrainSeconds is { } drain)
            {
                Assert.Equal(config.StopGraceSeconds, Convert.ToInt32(inputs["stopTimeout"]));
                var drainCommand = run.Named("command:remote:Command", $"{config.Service}-drain").Inputs;
                var registered = run.Named(Container, $"{config.Service}-container");
                var name = $"{registered.Name}-{registered.Id}"; // the mocks' stand-in for the provider's generated name
                Assert.Equal(Platform.Stacks.Blueprint.Draining.Script(name, drain), drainCommand["delete"]);
            }
            else
            {
                Assert.False(inputs.ContainsKey("stopTimeout"), $"{at}: a stop timeout would replace a container that is not drained");
            }
            Assert.Equal(config.Command.ToArray(), Strings(inputs.GetValueOrDefault("command")));
            Assert.Equal(config.Entrypoint.ToArray(), Strings(inputs.GetValueOrDefault("entrypoints")));

            var health = Map(inputs["healthcheck"]);
            Assert.Equal(config.Healthcheck.Tests.ToArray(), Strings(health["tests"]));
            Assert.Equal(config.Healthcheck.Interval, health["interval"]);
            Assert.Equal(config.Healthcheck.Timeout, health["timeout"]);
            Assert.Equal(config.Healthcheck.StartPeriod, health["startPeriod"]);
            Assert.Equal(config.Healthcheck.Retries, Convert.ToInt32(health["retries"]));

            var labels = List(inputs.GetValueOrDefault("labels")).Select(Map).ToDictionary(l => (string)l["label"], l => (string)l["value"]);
            Assert.Equal(config.Labels.ToDictionary(), labels);

            var ports = List(inputs.GetValueOrDefault("ports")).Select(Map)
                .Select(p => new PortBinding((string)p["ip"], Convert.ToInt32(p["external"]), Convert.ToInt32(p["internal"]), (string)p["protocol"])).ToArray();
            Assert.Equal(config.Ports.ToArray(), ports);

            var mounts = List(inputs.GetValueOrDefault("volumes")).Select(Map).ToArray();
            Assert.Equal(config.Mounts.Length, mounts.Length);
            foreach (var (mount, sent) in config.Mounts.Zip(mounts))
            {
                Assert.Equal(mount.Target, sent["containerPath"]);
                Assert.Equal(mount.ReadOnly, sent.TryGetValue("readOnly", out var ro) && ro is true);
            }

            var networks = List(inputs["networksAdvanced"]).Select(Map).ToArray();
            Assert.Equal(config.Networks.Length, networks.Length);
            foreach (var (network, sent) in config.Networks.Zip(networks))
                Assert.Equal(network.Aliases.ToArray(), Strings(sent.GetValueOrDefault("aliases")));

            Assert.Equal(config.Hosts.Length, List(inputs.GetValueOrDefault("hosts")).Count());
            Assert.Equal(config.Uploads.Select(u => u.Path).ToArray(), List(inputs.GetValueOrDefault("uploads")).Select(Map).Select(u => (string)u["file"]).ToArray());
            Assert.Equal(config.User, inputs.GetValueOrDefault("user") as string);
            Assert.Equal(config.ReadOnlyRootFilesystem, inputs.GetValueOrDefault("readOnly") is true);
            Assert.Equal(config.SecurityOpts.ToArray(), Strings(inputs.GetValueOrDefault("securityOpts")));
            Assert.Equal(config.Tmpfs.ToDictionary(), inputs.TryGetValue("tmpfs", out var tmpfs) ? StringMap(tmpfs) : new Dictionary<string, string>());
            Assert.Equal(config.Wait, inputs.GetValueOrDefault("wait") is true);
            Assert.Equal(config.Start, inputs.GetValueOrDefault("start") is not false);
            Assert.Equal(config.MustRun, inputs.GetValueOrDefault("mustRun") is not false);
            Assert.Equal(config.RunToCompletion, inputs.GetValueOrDefault("attach") is true);
            Assert.Equal(config.ShmSizeMb, inputs.TryGetValue("shmSize", out var shm) ? Convert.ToInt32(shm) : null);

            // The options the core decides too.
            Assert.True(config.DeleteBeforeReplace == run.OptionsOf(Container, $"{at}-container").DeleteBeforeReplace, at);
        }
    }

    private static Dictionary<string, object> Map(object value) =>
        ((IEnumerable)value).Cast<object>().Select(o => o switch
        {
            KeyValuePair<string, object> kv => kv,
            DictionaryEntry e => KeyValuePair.Create((string)e.Key, e.Value!),
            _ => throw new InvalidOperationException($"not a map entry: {o}"),
        }).ToDictionary(kv => kv.Key, kv => kv.Value);

    private static Dictionary<string, string> StringMap(object value) => Map(value).ToDictionary(kv => kv.Key, kv => (string)kv.Value);

    private static IEnumerable<object> List(object? value) => value is null ? [] : ((IEnumerable)value).Cast<object>();

    private static string[] Strings(object? value) => [.. List(value).Select(o => (string)o)];
}
