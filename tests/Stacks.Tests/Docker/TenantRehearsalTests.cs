using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Rehearsal;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Docker;

/// <summary>
/// A stack with two tenant apps, applied once by the rehearsal's code: alpha (an ordinary image: a shell, no curl
/// or wget; PostgreSQL and Redis) and beta (one static binary, no shell and no HTTP client; Redis only).
/// </summary>
public sealed class TenantsUp : IAsyncLifetime
{
    public const string Alpha = """
        - name: alpha
          image: ghcr.io/tenants/alpha:1.0.0
          port: 8080
          routes: [{ host: alpha }]
          healthPath: /healthz
          cpus: 0.25
          memoryMb: 64
          needs: { database: true, redis: true }
        """;

    public const string Beta = """
        - name: beta
          image: ghcr.io/tenants/beta:1.0.0
          port: 9090
          routes: [{ host: beta }]
          healthPath: /healthz
          cpus: 0.25
          memoryMb: 64
          needs: { redis: true }
        """;

    public static PlatformBlueprint Stack(string apps) =>
        TestStacks.Build(TestStacks.Yaml(apps, extra: "platform:backupsEnabled: false"));

    public static PlatformBlueprint Original => Stack(Alpha + "\n" + Beta);

    public Rehearsal Rehearsal { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (DockerEngine.Host is null) return;
        var images = await LocalImages.Shared;
        var map = images.Map with
        {
            Entries = images.Map.Entries.SetItem("ghcr.io/tenants/beta", new LocalImage(images.Image("app-noshell"), StandIn: true)),
        };
        Rehearsal = Rehearsal.Open(Original, map);
        await Rehearsal.UpAsync();
    }

    public async Task DisposeAsync()
    {
        if (Rehearsal is not null) await Rehearsal.DisposeAsync();
    }
}

/// <summary>
/// Isolation, health, Redis and replacement on the real engine (iptables on, as on a server). Only containers the
/// rehearsal made are addressed; no packet leaves the machine.
/// </summary>
[Trait("Category", "Docker")]
[Collection(DockerCollection.Name)]
public sealed class TenantRehearsalTests(TenantsUp up) : IClassFixture<TenantsUp>
{
    private Rehearsal R => up.Rehearsal;

    private string AppService(string app) => R.Blueprint.Services.First(s => s.App == app && s.StartOnDeploy && !s.OneShot).Name;

    [DockerFact]
    public async Task Every_container_is_healthy_including_the_app_with_no_shell_and_no_http_client()
    {
        foreach (var c in R.Plan.Containers.Where(c => c.Config.MustRun))
        {
            var inspect = await R.Docker.Containers.InspectContainerAsync(await R.ContainerOf(c.Config.Service));
            Assert.True(inspect.State.Health?.Status == "healthy", $"{c.Config.Service}: {inspect.State.Status}, health {inspect.State.Health?.Status}");
        }
        // beta's image really has no shell and no HTTP client: its health check can only be the mounted probe.
        var beta = AppService("beta");
        Assert.NotEqual(0, (await R.ExecAsync(beta, "/bin/sh", "-c", "true")).ExitCode);
        Assert.NotEqual(0, (await R.ExecAsync(beta, "wget", "--help")).ExitCode);
        // alpha's has a shell (dash) but neither curl nor wget: the check the platform used before fails there.
        var alpha = AppService("alpha");
        Assert.Equal(0, (await R.ExecAsync(alpha, "/bin/sh", "-c", "true")).ExitCode);
        Assert.Equal(127, (await R.ExecAsync(alpha, "/bin/sh", "-c", "curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || wget -q -O /dev/null http://127.0.0.1:8080/healthz")).ExitCode);
        var config = R.Plan.Containers.Single(c => c.Config.Service == beta).Config;
        Assert.Equal(HealthProbe.ContainerPath, config.Healthcheck.Tests[1]);
        // The probe's exact command tells up from down (BusyBox's wget -T, which the check once had, segfaulted
        // with exit 139 either way in Debian's busybox-static 1.35).
        string[] probe = [.. config.Healthcheck.Tests.Skip(1)];
        Assert.Equal(0, (await R.ExecAsync(beta, probe)).ExitCode);
        Assert.Equal(1, (await R.ExecAsync(beta, [.. probe[..^1], probe[^1].Replace(":9090/", ":9/", StringComparison.Ordinal)])).ExitCode);
    }

    /// <summary>Exit code of a TCP connect from inside a service's container: 0 connected, 1 not, 2 the name does not resolve.</summary>
    private Task<int> Connect(string fromService, string host, int port) =>
        R.ExecAsync(fromService, "/app/server", "connect", host, port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ContinueWith(t => t.Result.ExitCode);

    [DockerFact]
    public async Task Apps_reach_the_data_services_they_declared_by_name_and_nothing_else()
    {
        (string Host, int Port)[] data = [("pgbouncer", 6432), ("postgres", 5432), ("redis", 6379), ("minio", 9000), ("mariadb", 3306)];
        // (Each app's Redis answers to "redis" on that app's own data network only.)
        foreach (var app in new[] { "alpha", "beta" })
        {
            var service = AppService(app);
            // What the app declared, read from the connection settings it was given (not from the network model).
            var env = string.Join("\n", R.Blueprint.Service(service).Env.Values.Select(v => v.Masked));
            foreach (var (host, port) in data)
            {
                var declared = Regex.IsMatch(env, $@"[@/]{host}:{port}\b");
                var code = await Connect(service, host, port);
                Assert.True(declared ? code == 0 : code != 0, $"{app} -> {host}:{port}: connect exit {code}, declared {declared}");
            }
            // Not the Docker API: neither by name nor by address.
            Assert.NotEqual(0, await Connect(service, "socket-proxy", 2375));
            var proxy = await R.Docker.Containers.InspectContainerAsync(await R.ContainerOf("socket-proxy"));
            foreach (var ip in proxy.NetworkSettings.Networks.Values.Select(n => n.IPAddress))
                Assert.Equal(1, await Connect(service, ip, 2375));
        }
        Assert.Contains(R.Blueprint.Services, s => s.Name == "socket-proxy");
    }

    [DockerFact]
    public async Task Two_tenants_networks_are_isolated_both_ways()
    {
        var alpha = AppService("alpha");
        var beta = AppService("beta");
        var alphaIps = (await R.Docker.Containers.InspectContainerAsync(await R.ContainerOf(alpha))).NetworkSettings.Networks.Values.Select(n => n.IPAddress).ToList();
        var betaIps = (await R.Docker.Containers.InspectContainerAsync(await R.ContainerOf(beta))).NetworkSettings.Networks.Values.Select(n => n.IPAddress).ToList();
        Assert.Equal(2, await Connect(alpha, "beta", 9090));
        Assert.Equal(2, await Connect(beta, "alpha", 8080));
        foreach (var ip in betaIps) Assert.Equal(1, await Connect(alpha, ip, 9090));
        foreach (var ip in alphaIps) Assert.Equal(1, await Connect(beta, ip, 8080));
        // Each reaches itself by its own name: the checks above fail for isolation, not for a broken client.
        Assert.Equal(0, await Connect(alpha, "alpha", 8080));
        Assert.Equal(0, await Connect(beta, "beta", 9090));
    }

    private async Task<string> RedisAdmin(string instance, params string[] command)
    {
        var r = await R.Docker.ExecAsync(await R.ContainerOf(instance), [$"REDISCLI_AUTH={R.State.Secret(SecretNames.RedisAdmin)}"],
            ["redis-cli", "--no-auth-warning", "--user", RedisConfig.AdminUser, .. command]);
        return r.Stdout + r.Stderr;
    }

    private async Task<string> RedisAs(string instance, string passwordSecret, params string[] command)
    {
        var r = await R.Docker.ExecAsync(await R.ContainerOf(instance), [$"REDISCLI_AUTH={R.State.Secret(passwordSecret)}"],
            ["redis-cli", "--no-auth-warning", .. command]);
        return (r.Stdout + r.Stderr).Trim();
    }

    private static string? ClientId(string clientList, string name) =>
        Regex.Match(clientList, $@"id=(\d+) .*name={name} ") is { Success: true } m ? m.Groups[1].Value : null;

    [DockerFact]
    public async Task Redis_runs_the_rendered_config_and_acl_file_and_a_member_added_later_loads_without_a_restart_or_a_dropped_client()
    {
        var alpha = RedisNames.Container("alpha");
        // The ACL file the host command wrote is Redis's (uid 999) through the read-only bind mount, and Redis runs as 999.
        Assert.Equal("999:1000 600", (await R.ExecAsync(alpha, "stat", "-c", "%u:%g %a", "/etc/redis-acl/users.acl")).Stdout.Trim());
        Assert.Contains("Uid:\t999", (await R.ExecAsync(alpha, "grep", "^Uid", "/proc/1/status")).Stdout, StringComparison.Ordinal);
        // The app's password opens its own instance; the other tenant's does not.
        Assert.Equal("OK", await RedisAs(alpha, SecretNames.Redis("alpha"), "SET", "k", "v"));
        Assert.Contains("WRONGPASS", await RedisAs(alpha, SecretNames.Redis("beta"), "SET", "k", "v"), StringComparison.Ordinal);

        // A client that stays connected: one connection, naming itself every second (its output goes nowhere: an
        // exec started without attaching would die of SIGPIPE on its first reply).
        var keeper = await R.Docker.Exec.ExecCreateContainerAsync(await R.ContainerOf(alpha), new global::Docker.DotNet.Models.ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "exec redis-cli --no-auth-warning -r -1 -i 1 CLIENT SETNAME keeper >/dev/null 2>&1"],
            Env = [$"REDISCLI_AUTH={R.State.Secret(SecretNames.Redis("alpha"))}"],
        });
        await R.Docker.Exec.StartContainerExecAsync(keeper.ID);
        string? before = null;
        var clients = "";
        for (var i = 0; i < 20 && before is null; i++)
        {
            await Task.Delay(500);
            clients = await RedisAdmin(alpha, "CLIENT", "LIST");
            before = ClientId(clients, "keeper");
        }
        Assert.True(before is not null, $"no client named keeper:\n{clients}");

        var gammaService = "";
        try
        {
            // gamma shares alpha's Redis: its password joins alpha's ACL file, applied by ACL LOAD.
            var gamma = TenantsUp.Beta.Replace("beta", "gamma", StringComparison.Ordinal).Replace("9090", "9191", StringComparison.Ordinal)
                .Replace("needs: { redis: true }", "needs: { redisOf: alpha }", StringComparison.Ordinal);
            var grown = TenantsUp.Stack(TenantsUp.Alpha + "\n" + TenantsUp.Beta + "\n" + gamma);
            gammaService = grown.Services.First(x => x.App == "gamma").Name;
            var result = await R.UpAsync(grown);
            Assert.Contains(RedisNames.AclCommand("alpha"), result.CommandsRun);
            Assert.DoesNotContain(alpha, result.Created);
            Assert.Equal("OK", await RedisAs(alpha, SecretNames.Redis("gamma"), "SET", "g", "v"));
            // The app's client (the default user, by password) stays connected through ACL LOAD. Measured on Redis 7.0
            // (Debian bookworm's), whose ACL LOAD keeps the default user's clients though it drops every other user's
            // (the others' are kept only since 7.2, redis/redis#12171); the stacks pin 7.4.
            Assert.Equal(before, ClientId(await RedisAdmin(alpha, "CLIENT", "LIST"), "keeper"));
        }
        finally
        {
            await R.UpAsync(TenantsUp.Original);
        }
        Assert.Empty(await R.ContainersOf(gammaService, all: true));
    }

    [DockerFact]
    public async Task Replacing_an_app_whose_labels_change_keeps_the_old_container_until_the_new_one_is_healthy()
    {
        var alpha = AppService("alpha");
        var old = Assert.Single(await R.ContainersOf(alpha));
        var snapshots = new ConcurrentQueue<(int Running, int Healthy)>();
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var running = await R.ContainersOf(alpha);
                snapshots.Enqueue((running.Count, running.Count(c => c.Status.Contains("(healthy)", StringComparison.Ordinal))));
                await Task.Delay(100);
            }
        });
        try
        {
            var moved = TenantsUp.Stack(TenantsUp.Alpha.Replace("host: alpha", "host: alpha-new", StringComparison.Ordinal) + "\n" + TenantsUp.Beta);
            Assert.NotEqual(TenantsUp.Original.Service(alpha).Labels, moved.Service(alpha).Labels);
            var result = await R.UpAsync(moved);
            Assert.Contains(alpha, result.Created);
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }
        Assert.All(snapshots, s => Assert.True(s.Healthy >= 1, $"a moment with {s.Running} running and {s.Healthy} healthy alpha containers"));
        Assert.Contains(snapshots, s => s.Running == 2);
        var now = Assert.Single(await R.ContainersOf(alpha));
        Assert.NotEqual(old.ID, now.ID);
        await R.UpAsync(TenantsUp.Original);
    }
}
