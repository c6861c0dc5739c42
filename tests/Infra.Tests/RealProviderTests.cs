using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;

namespace Platform.Infra.Tests;

/// <summary>
/// What the mocks cannot show by echoing inputs: the rules that keep a real second <c>pulumi up</c>
/// quiet and safe. Each test names the finding it keeps from returning.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed partial class RealProviderTests
{
    private const string Container = "docker:index/container:Container";
    private const string Command = "command:remote:Command";
    private const string SshKey = "hcloud:index/sshKey:SshKey";
    private const string DockerProvider = "pulumi:providers:docker";

    /// <summary>Every shipped stack: the single-server ones and the split one (scale).</summary>
    public static TheoryData<string> Stacks => new() { "staging", "prod", "scale" };

    private static object? Get(IReadOnlyDictionary<string, object> inputs, string key) => inputs.TryGetValue(key, out var v) ? v : null;

    /// <summary>Docker's opts.ParseCPUs: a decimal number of CPUs to NanoCPUs (exactly, or refused).</summary>
    private static long ParseCpus(string text) => (long)(decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 1_000_000_000m);

    /// <summary>Go's time.ParseDuration for the forms a health check uses ("90s", "1m30s", "1h0m0s").</summary>
    private static int ParseDuration(string text)
    {
        var match = GoDuration().Match(text);
        Assert.True(match.Success, $"'{text}' is not a Go duration");
        int Part(string g) => match.Groups[g].Success ? int.Parse(match.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        return Part("h") * 3600 + Part("m") * 60 + Part("s");
    }

    [GeneratedRegex(@"^(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+)s)?$")]
    private static partial Regex GoDuration();

    /// <summary>
    /// Finding 1 and 5, the "second up": feed every container input through what the real provider reads
    /// back (NanoCPUs → nanoInt64ToDecimalString, durations → time.Duration.String, MemorySwap/1024/1024)
    /// and require the result to equal the input, so a refresh finds no difference and nothing is replaced.
    /// </summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task A_second_up_finds_every_container_input_in_the_form_the_provider_reads_back(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var containers = run.OfType(Container).ToList();
        Assert.Equal(run.Blueprint.Services.Length, containers.Count);
        foreach (var c in containers)
        {
            var cpus = (string)c.Inputs["cpus"];
            Assert.Equal(cpus, DockerForms.CpusFromNanos(ParseCpus(cpus)));

            var health = (IReadOnlyDictionary<string, object>)c.Inputs["healthcheck"];
            foreach (var key in new[] { "interval", "timeout", "startPeriod" })
            {
                var sent = (string)health[key];
                Assert.Equal(sent, DockerForms.Duration(ParseDuration(sent)));
            }

            // Unset, the engine stores twice the memory as memory+swap and the provider reads that back.
            var memory = Convert.ToInt32(c.Inputs["memory"], CultureInfo.InvariantCulture);
            Assert.Equal(memory, Convert.ToInt32(Get(c.Inputs, "memorySwap"), CultureInfo.InvariantCulture));

            if (Get(c.Inputs, "ports") is ImmutableArray<object> ports)
            {
                var sentPorts = ports.Cast<IReadOnlyDictionary<string, object>>()
                    .Select(p => new PortBinding((string)p["ip"], Convert.ToInt32(p["external"], CultureInfo.InvariantCulture),
                        Convert.ToInt32(p["internal"], CultureInfo.InvariantCulture), (string)p["protocol"])).ToList();
                Assert.Equal(DockerForms.Ports(sentPorts), sentPorts);
            }
        }
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task A_changed_health_check_replaces_the_container(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var spec in run.Blueprint.Services)
            Assert.Contains("healthcheck", run.OptionsOf(Container, $"{spec.Name}-container").ReplaceOnChanges);
    }

    /// <summary>Finding 2: protection on what must never be deleted, never on what must be replaceable.</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task No_container_is_protected_and_on_prod_the_server_and_stateful_volumes_are(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        Assert.All(run.Options.Where(o => o.Type == Container), o => Assert.NotEqual(true, o.Protect));
        foreach (var server in run.Blueprint.Servers)
            Assert.Equal(run.Blueprint.IsProd, run.OptionsOf("hcloud:index/server:Server", $"{server.Key.ResourceName}-server").Protect ?? false);
        foreach (var volume in run.Blueprint.Volumes)
            Assert.Equal(volume.Protect, run.OptionsOf("docker:index/volume:Volume", $"volumes-{volume.Key}").Protect ?? false);
        if (run.Blueprint.IsProd) Assert.Contains(run.Blueprint.Volumes, v => v.Protect);
    }

    /// <summary>Finding 3: a failing one-shot fails the deployment, and the status page waits for its setup.</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_one_shot_is_followed_by_a_check_of_its_exit_code_and_the_status_route_by_both(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var oneShots = run.Blueprint.Services.Where(s => s.OneShot).ToList();
        Assert.NotEmpty(oneShots);
        foreach (var oneShot in oneShots)
        {
            var container = run.Named(Container, $"{oneShot.Name}-container");
            var check = run.Named(Command, $"{OneShotChecks.Name(oneShot.Name)}-command");
            Assert.Contains("exit 1", (string)check.Inputs["create"], StringComparison.Ordinal);
            Assert.True(check.Started >= container.Finished, $"the check of {oneShot.Name} must run after it exited");
        }
        var setupCheck = run.Named(Command, $"{OneShotChecks.Name("uptime-kuma-setup")}-command");
        // The single Traefik's route file, or each app server's.
        var writers = run.OfType(Command).Where(c => c.Name == $"{HostCommandNames.TraefikFileRoutes}-command"
            || c.Name.StartsWith($"{HostCommandNames.TraefikFileRoutes}@", StringComparison.Ordinal)).ToList();
        Assert.Equal(Math.Max(1, run.Blueprint.AppServers.Length), writers.Count);
        Assert.All(writers, routes => Assert.True(routes.Started >= setupCheck.Finished, $"the status page goes public ({routes.Name}) only after the setup succeeded"));
        var kuma = run.Named(Container, "uptime-kuma-container");
        Assert.DoesNotContain((ImmutableArray<object>)kuma.Inputs["labels"], l => ((string)((IReadOnlyDictionary<string, object>)l)["label"]).StartsWith("traefik.", StringComparison.Ordinal));
    }

    /// <summary>Finding 4: an old/new pair never shares a Traefik name (see the core's ReplacementSafetyTests for label changes).</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task Router_service_and_middleware_names_carry_their_configuration_hash(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var spec in run.Blueprint.Services.Where(s => s.Replacement == Replacement.CreateBeforeDelete && s.Labels.ContainsKey("traefik.enable")))
        {
            var labels = ((ImmutableArray<object>)run.Named(Container, $"{spec.Name}-container").Inputs["labels"])
                .Cast<IReadOnlyDictionary<string, object>>().Select(l => (string)l["label"]).ToList();
            var names = labels.Where(l => l.StartsWith("traefik.http.routers.", StringComparison.Ordinal) || l.StartsWith("traefik.http.services.", StringComparison.Ordinal))
                .Select(l => l.Split('.')[3]).Distinct().ToList();
            Assert.NotEmpty(names);
            Assert.All(names, n => Assert.Matches($"-[0-9a-f]{{{Routing.ConfigHashLength}}}$", n));
        }
    }

    /// <summary>Finding 6: everything on a server is bound to it and replaced with it.</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_docker_resource_is_replaced_with_its_server(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var docker = run.Options.Where(o => o.Type.StartsWith("docker:index/", StringComparison.Ordinal)).ToList();
        Assert.Contains(docker, o => o.Type == Container);
        Assert.Contains(docker, o => o.Type == "docker:index/volume:Volume");
        Assert.Contains(docker, o => o.Type == "docker:index/network:Network");
        Assert.Contains(docker, o => o.Type == "docker:index/remoteImage:RemoteImage");
        Assert.All(docker, o => Assert.True(o.HasReplacementTrigger, $"{o.Type} {o.Name} is not replaced with the server"));
        // Named objects (a volume's id is its name) are deleted before their replacement is created.
        Assert.All(docker.Where(o => o.Type is "docker:index/volume:Volume" or "docker:index/network:Network"), o => Assert.True(o.DeleteBeforeReplace, $"{o.Type} {o.Name}"));
        // Host commands re-run on a new server: the readiness step (a new id per server) is among their triggers' inputs.
        foreach (var command in run.Blueprint.HostCommands)
            Assert.True(run.Named(Command, $"{command.Name}-command").Started >= run.Named(Command, $"{command.Host.ResourceName}-ready").Finished, command.Name);
        foreach (var server in run.Blueprint.Servers.Select(x => x.Key.ResourceName))
            foreach (var step in run.OfType(Command).Where(c => c.Name.StartsWith(server + "-", StringComparison.Ordinal) && c.Name != $"{server}-ready"))
                Assert.True(step.Started >= run.Named(Command, $"{server}-ready").Finished, step.Name);
    }

    /// <summary>Finding 7: no SSH key is uploaded to Hetzner (cloud-init installs them).</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task No_ssh_key_is_uploaded_to_hetzner(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        Assert.Empty(run.OfType(SshKey));
        foreach (var server in run.Blueprint.Servers)
        {
            Assert.False(run.Named("hcloud:index/server:Server", $"{server.Key.ResourceName}-server").Inputs.ContainsKey("sshKeys"));
            Assert.All(server.SshKeys, k => Assert.Contains(k.PublicKey, server.UserData, StringComparison.Ordinal));
        }
    }

    /// <summary>Finding 11: private registries get credentials, and the password stays a secret.</summary>
    [Fact]
    public async Task Private_registries_reach_the_docker_provider_with_a_secret_password()
    {
        var b = Platform.Stacks.Blueprint.BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Load(StackRun.RepoRoot(), "staging"));
        b = b with
        {
            Registries = [new RegistrySpec("ghcr.io", "deploy-bot", "registrySecrets.ghcr")],
            Secrets = b.Secrets.Add(new SecretSpec("registrySecrets.ghcr", SecretSource.Config, 0, "platform:registrySecrets.ghcr", "registry")),
        };
        var run = await StackRun.Of(b, preview: false);
        var provider = run.OfType(DockerProvider).Single();
        var auth = System.Text.Json.JsonDocument.Parse((string)provider.Inputs["registryAuth"]).RootElement.EnumerateArray().Single();
        Assert.Equal("ghcr.io", auth.GetProperty("address").GetString());
        Assert.Equal("deploy-bot", auth.GetProperty("username").GetString());
        // The password reaches the engine inside Pulumi's secret envelope (signature 1b47061264138c4ac30d75fd1eb44270), so it is encrypted in state.
        var password = auth.GetProperty("password");
        Assert.Equal(System.Text.Json.JsonValueKind.Object, password.ValueKind);
        Assert.Equal("1b47061264138c4ac30d75fd1eb44270", password.GetProperty("4dabf18193072939515e22adb298388d").GetString());
    }

    /// <summary>Finding 8 and 13: readiness keeps dialling; every later connection is pinned to the host key it read.</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task Ssh_connections_are_pinned_to_the_host_key_the_readiness_step_read(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var readiness = run.Blueprint.Servers.Select(x => $"{x.Key.ResourceName}-ready").ToHashSet(StringComparer.Ordinal);
        foreach (var server in run.Blueprint.Servers)
        {
            var ready = (IReadOnlyDictionary<string, object>)run.Named(Command, $"{server.Key.ResourceName}-ready").Inputs["connection"];
            Assert.Equal(ShellDecisions.ReadinessDialErrorLimit(server.ReadinessTimeoutSeconds), Convert.ToInt32(ready["dialErrorLimit"], CultureInfo.InvariantCulture));
        }
        foreach (var command in run.OfType(Command).Where(c => !readiness.Contains(c.Name)))
            Assert.Equal(RecordingMocks.HostKey, ((IReadOnlyDictionary<string, object>)command.Inputs["connection"])["hostKey"]);
        Assert.Equal(run.Blueprint.Servers.Length, run.OfType(DockerProvider).Count());
        foreach (var provider in run.OfType(DockerProvider))
        {
            // Provider inputs reach the engine JSON-encoded.
            var ssh = System.Text.Json.JsonSerializer.Deserialize<List<string>>((string)provider.Inputs["sshOpts"])!;
            Assert.Contains($"KnownHostsCommand=/bin/echo %H {RecordingMocks.HostKey}", ssh);
            Assert.Contains("StrictHostKeyChecking=yes", ssh);
        }
    }
}
