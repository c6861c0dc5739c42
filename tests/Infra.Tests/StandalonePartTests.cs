using System.Collections;
using System.Text.RegularExpressions;
using Platform.Components.Data;
using Platform.Components.Parts;
using Platform.Components.Server;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Parts.Redis;
using Pulumi;
using Pulumi.Testing;

namespace Platform.Infra.Tests;

/// <summary>
/// A part used in someone else's Pulumi program from typed settings, with no stack file: the README's "Using one part in
/// your own Pulumi program", run under Pulumi's mocks. Also each data part's <c>ConnectionFor(app)</c>.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed partial class StandalonePartTests
{
    private const string Container = "docker:index/container:Container";

    [Fact]
    public async Task MariaDb_from_typed_settings_runs_on_an_existing_docker_host_and_gives_each_app_its_connection()
    {
        Output<string>? connection = null;
        Output<string>? host = null;
        var mocks = await InOwnProgram(() =>
        {
            // As in the README: settings and requests in code, the part's spec from the core, the component from the shell.
            MariaDbDatabaseRequest[] requests = [MariaDbDatabaseRequest.ForApp("shop"), MariaDbDatabaseRequest.ForApp("blog", connectionLimit: 10)];
            var spec = MariaDbPart.Build(new MariaDbSettings { MemoryMb = 512 }, requests);
            var part = spec.AsPart(requests);
            var infrastructure = StandaloneInfrastructure.For("db", part, spec.Secrets, "ssh://ops@db.example.com",
                new SshTarget("db.example.com", "ops", HostKey: null, Readiness: null));
            var mariadb = new MariaDb("db", new MariaDbArgs { Spec = part, Infrastructure = infrastructure });
            connection = mariadb.ConnectionFor("shop");
            host = mariadb.Host;
            Assert.Throws<RunException>(() => mariadb.ConnectionFor("nobody"));
        });

        Assert.Contains(mocks.Registrations, r => r.Type == PartId.MariaDb.TypeToken && r.Name == "db");
        var server = mocks.Registrations.Single(r => r.Type == Container);
        Assert.Equal("mariadb", server.Inputs["name"]);
        Assert.Equal(512, Convert.ToInt32(server.Inputs["memory"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(mocks.Registrations, r => r.Type == "command:remote:Command" && r.Name == MariaDbNames.ProvisionCommand + "-command");
        // Its one network, internal, on the caller's Docker host through the caller's provider.
        var network = mocks.Registrations.Single(r => r.Type == "docker:index/network:Network");
        Assert.Equal(("data", true), (network.Inputs["name"], network.Inputs["internal"]));
        Assert.Equal("ssh://ops@db.example.com", mocks.Registrations.Single(r => r.Type == "pulumi:providers:docker").Inputs["host"]);
        // The root password and each app's password, generated.
        Assert.Equal(3, mocks.Registrations.Count(r => r.Type == "random:index/randomPassword:RandomPassword"));

        Assert.True(await Output.IsSecretAsync(connection!));
        Assert.Matches(UrlOf("mysql", "shop", "mariadb", 3306, "shop"), await StackRun.ValueOf(connection!));
        Assert.Equal("mariadb", await StackRun.ValueOf(host!));
    }

    [Fact]
    public async Task Redis_from_typed_settings_runs_on_an_existing_docker_host()
    {
        Output<string>? connection = null;
        var mocks = await InOwnProgram(() =>
        {
            var spec = RedisPart.Build(new RedisSettings { MaxMemoryMb = 256 }, ["shop"]);
            var part = spec.AsPart();
            var infrastructure = StandaloneInfrastructure.For("cache", part, spec.Secrets, "ssh://ops@cache.example.com",
                new SshTarget("cache.example.com", "ops", HostKey: null, Readiness: null));
            var redis = new Platform.Components.Data.Redis("cache", new RedisArgs { Spec = part, Infrastructure = infrastructure });
            connection = redis.ConnectionFor("shop");
        });

        Assert.Contains(mocks.Registrations, r => r.Type == PartId.Redis.TypeToken && r.Name == "cache");
        var container = mocks.Registrations.Single(r => r.Type == Container);
        Assert.Equal(RedisNames.Container("shop"), container.Inputs["name"]);
        // Twice maxmemory, for the fork of a snapshot.
        Assert.Equal(512, Convert.ToInt32(container.Inputs["memory"], System.Globalization.CultureInfo.InvariantCulture));
        // Its ACL file is written on the host and loaded in place, as on a stack.
        Assert.Contains(mocks.Registrations, r => r.Type == "command:remote:Command" && r.Name == RedisNames.AclCommand("shop") + "-command");
        Assert.True(await Output.IsSecretAsync(connection!));
        Assert.Matches("^redis://:[A-Za-z0-9]{16,}@redis:6379/0$", await StackRun.ValueOf(connection!));
    }

    [Fact]
    public async Task Each_data_part_gives_an_app_the_url_its_environment_has()
    {
        var run = await StackRun.Shipped("staging", preview: false);
        var blueprint = run.Blueprint;
        // The core's connections are the values the apps' containers get by default (the masked forms name the same secrets).
        var api = blueprint.Services.First(s => s.Part == PartId.App("api"));
        var parts = PartGraph.Of(blueprint).ToDictionary(p => p.Id);
        Assert.Equal(api.Env["DATABASE_URL"].Masked, parts[PartId.Postgres].Connections["api"].Masked);
        Assert.Equal(api.Env["REDIS_URL"].Masked, parts[PartId.Redis].Connections["api"].Masked);
        Assert.DoesNotContain("api", parts[PartId.ObjectStorage].Connections.Keys);
        // And the container registered with that env holds the same URL the part's ConnectionFor renders.
        var container = run.Named(Container, $"{api.Name}-container");
        var env = ((IEnumerable)container.Inputs["envs"]).Cast<object>().Select(e => e.ToString()!).ToList();
        var databaseUrl = env.Single(e => e.StartsWith("DATABASE_URL=", StringComparison.Ordinal))["DATABASE_URL=".Length..];
        Assert.Matches(UrlOf("postgres", "api", "pgbouncer", 6432, "api"), databaseUrl);
    }

    /// <summary>Runs <paramref name="program"/> as someone else's Pulumi program (project shop, stack dev, no platform config) under the mocks.</summary>
    private static async Task<RecordingMocks> InOwnProgram(Action program)
    {
        Environment.SetEnvironmentVariable("PULUMI_ERROR_OUTPUT_STRING", "true");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", "{}");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", "[]");
        var mocks = new RecordingMocks(preview: false);
        await Deployment.TestAsync(mocks, new TestOptions { ProjectName = "shop", StackName = "dev", IsPreview = false }, () =>
        {
            program();
            return new Dictionary<string, object?>();
        });
        return mocks;
    }

    private static Regex UrlOf(string scheme, string user, string host, int port, string database) =>
        new($"^{scheme}://{user}:[A-Za-z0-9]{{16,}}@{host}:{port}/{database}(\\?sslmode=disable)?$");
}
