using System.Diagnostics;
using System.Globalization;
using Docker.DotNet.Models;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Integration;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// Draining on the real engine: an app instance is replaced by the rehearsal's own code (the same
/// <see cref="Canonical.ContainerConfig"/> and <see cref="Draining.Script"/> the shell uses) while a slow request is in
/// flight on the old instance. The old instance turns unhealthy (out of Traefik's rotation: Traefik v3.3.6 drops a
/// container whose health is not <c>healthy</c> on its <c>health_status</c> event) before it gets SIGTERM, and the
/// request completes. The app is <c>Images/slowapp.c</c>, one static binary built here, nothing pulled.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class DrainingEngineTests
{
    private const string App = """
        - name: slow
          image: ghcr.io/drain/slow:1.0.0
          port: 8080
          routes: [{ host: slow }]
          healthPath: /healthz
          cpus: 0.25
          memoryMb: 32
          env: { RELEASE: "{release}" }
        """;

    private static PlatformBlueprint Stack(string release) =>
        TestStacks.Build(TestStacks.Yaml(App.Replace("{release}", release, StringComparison.Ordinal), extra: "platform:backupsEnabled: false"));

    [DockerFact]
    public async Task A_slow_request_in_flight_on_the_replaced_instance_completes_and_the_instance_is_unhealthy_before_its_sigterm()
    {
        var image = await BuildImageAsync();
        var run = "drain" + Guid.NewGuid().ToString("N")[..6];
        var first = Stack("1") with { Stack = run };
        var service = Assert.Single(first.Services, s => s.App == "slow" && s.StartOnDeploy && !s.OneShot);
        Assert.NotNull(service.DrainSeconds);

        var host = DockerEngine.Host!;
        using var docker = DockerEngine.Client();
        var state = RehearsalState.Open(Path.Combine(Path.GetTempPath(), $"platform-rehearsal-{run}"), host, first);
        var images = new ImageMap(ImageMap.None.Entries.Add("ghcr.io/drain/slow", new LocalImage(image, StandIn: false)));
        var log = new StringWriter();
        var engine = new RehearsalEngine(docker, state, log);
        RehearsalPlan PlanOf(PlatformBlueprint b)
        {
            state.AddSecrets(b);
            var full = RehearsalPlan.Build(b, b.Server, new RehearsalTarget(images, state.HostRoot, host["unix://".Length..]));
            // Only the app's instance and its networks: the rest of the stack is not what is tested here.
            var c = Assert.Single(full.Containers, x => x.Config.Service == service.Name) with { After = [] };
            var networks = c.Config.Networks.Select(n => n.Network).ToHashSet(StringComparer.Ordinal);
            return full with { Containers = [c], Commands = [], Networks = [.. full.Networks.Where(n => networks.Contains(n.Name))], Order = [c.Id] };
        }
        try
        {
            await engine.UpAsync(PlanOf(first));
            var old = Assert.Single(await docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RehearsalEngine.StackLabel}={run}"] = true } },
            }));
            var address = old.NetworkSettings.Networks.Values.First(n => !string.IsNullOrEmpty(n.IPAddress)).IPAddress;
            var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

            // Longer than the new instance's start plus the drain, shorter than that plus the grace period.
            const int slowMs = 55_000;
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(3) };
            var clock = Stopwatch.StartNew();
            var request = http.GetStringAsync($"http://{address}:8080/slow?ms={slowMs}");
            await Task.Delay(500);

            var replaced = await engine.UpAsync(PlanOf(Stack("2") with { Stack = run }));
            var replacedAfter = clock.Elapsed;
            var body = await request;
            var requestTook = clock.Elapsed;

            Assert.Equal($"done {slowMs}\n", body);
            Assert.Contains(old.Names[0].TrimStart('/'), replaced.Removed);
            var events = (await Proc.RunCheckedAsync("/usr/bin/docker", ["events", "--since", since.ToString(CultureInfo.InvariantCulture),
                // --until is whole seconds: one more, so the events of this second (the old container's die) are in.
                "--until", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture), "--filter", $"container={old.ID}",
                "--format", "{{.Action}}"], env: new Dictionary<string, string> { ["DOCKER_HOST"] = host })).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("exec_", StringComparison.Ordinal)).ToList();
            var unhealthy = events.IndexOf("health_status: unhealthy");
            var kill = events.IndexOf("kill");
            Assert.True(unhealthy >= 0 && kill > unhealthy,
                $"expected health_status: unhealthy before kill, saw: {string.Join(", ", events)}\n{log}");
            // SIGTERM, not SIGKILL after the grace: the app drained its request and exited on its own.
            Assert.Contains("die", events);
            Assert.Equal(1, events.Count(a => a == "kill"));
            Console.WriteLine($"draining: request of {slowMs / 1000} s took {requestTook.TotalSeconds:0.0} s, replacement done after {replacedAfter.TotalSeconds:0.0} s; drain wait at most {service.DrainSeconds} s, grace {service.StopGraceSeconds} s\n{log}");
        }
        finally
        {
            await engine.DownAsync(run);
        }
    }

    /// <summary>The app as a one-binary image (<c>Images/slowapp.c</c>, statically linked), imported: nothing pulled.</summary>
    private static async Task<string> BuildImageAsync()
    {
        var src = Path.Combine(TestStacks.RepoRoot, "tests", "Stacks.Tests", "Docker", "Images", "slowapp.c");
        var dir = Directory.CreateTempSubdirectory("slowapp");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "root", "app"));
            await Proc.RunCheckedAsync("gcc", ["-static", "-O2", "-Wall", "-o", Path.Combine(dir.FullName, "root", "app", "server"), src], timeout: TimeSpan.FromMinutes(2));
            var tag = "platform-test/slowapp:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(src)))[..12];
            await Proc.RunCheckedAsync("sh", ["-c", $"tar -C '{dir.FullName}/root' -c . | /usr/bin/docker import -c 'ENTRYPOINT [\"/app/server\"]' -c 'USER 10001' - {tag}"],
                env: new Dictionary<string, string> { ["DOCKER_HOST"] = DockerEngine.Host!, ["PATH"] = "/usr/bin:/bin" }, timeout: TimeSpan.FromMinutes(2));
            return tag;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
