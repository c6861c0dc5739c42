using Platform.Components.Data;
using Platform.Components.Docker;
using Platform.Components.Edge;
using Platform.Components.Parts;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Components.Storage;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;
using Pulumi.Testing;
using DockerSdk = Pulumi.Docker;

namespace Platform.Infra.Tests;

/// <summary>The platform as its parts: the component tree, what each part holds, and the order between parts.</summary>
[Collection(PulumiCollection.Name)]
public sealed class PartTreeTests
{
    private const string Container = "docker:index/container:Container";
    private const string Command = "command:remote:Command";

    /// <summary>Every shipped stack: the single-server ones and the split one (scale).</summary>
    public static TheoryData<string> Stacks => new() { "staging", "prod", "scale" };

    [Theory, MemberData(nameof(Stacks))]
    public async Task The_tree_has_one_component_per_part_with_its_type_token(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var expected = PartGraph.Of(run.Blueprint).Select(p => (p.Id.TypeToken, p.Id.ResourceName)).Order().ToList();
        var parts = run.Options.Where(o => o.ParentType is null && o.Type is "platform:edge:Traefik" or "platform:data:Postgres" or "platform:data:Redis"
            or "platform:storage:Minio" or "platform:monitoring:UptimeKuma" or "platform:backups:Backups" or "platform:apps:App" or "platform:observability:Observability")
            .Select(o => (o.Type, o.Name)).Order().ToList();
        Assert.Equal(expected, parts);
        Assert.Contains(("platform:data:Postgres", "postgres"), parts);
        Assert.Contains(("platform:apps:App", "app-api"), parts);
        // Shared pieces next to them: per server (one on a single-server stack), per firewall, and the stack's own.
        var b = run.Blueprint;
        var shared = new List<(string Type, string Name)> { ("platform:dns:Records", "dns"), ("platform:secrets:Secrets", "secrets") };
        shared.AddRange(b.Firewalls.Select(f => ("platform:server:Firewall", f.ResourceName)));
        foreach (var key in b.Servers.Select(x => x.Key))
            shared.AddRange([("platform:server:Server", key.ResourceName), ("platform:network:DockerNetworks", ShellDecisions.PerServer("networks", key)),
                ("platform:docker:Host", ShellDecisions.PerServer("docker", key)), ("platform:docker:Images", ShellDecisions.PerServer("images", key))]);
        if (b.PrivateNetwork is not null) shared.Add(("platform:network:PrivateNetwork", "private-network"));
        if (b.PlacementGroup is not null) shared.Add(("platform:server:PlacementGroup", "placement"));
        if (b.LoadBalancer is not null) shared.Add(("platform:network:LoadBalancer", "load-balancer"));
        foreach (var (type, name) in shared)
            Assert.Contains(run.Options, o => o.Type == type && o.Name == name && o.ParentType is null);
        Assert.Equal(shared.Count + parts.Count, run.Options.Count(o => o.ParentType is null));
        if (!b.IsSplit)
            Assert.Equal(["dns", "docker", "firewall", "images", "networks", "secrets", "server"], shared.Select(x => x.Name).Order(StringComparer.Ordinal));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_container_volume_and_command_has_its_part_as_an_ancestor(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var byName = run.Options.GroupBy(o => (o.Type, o.Name)).ToDictionary(g => g.Key, g => g.First());
        string? PartAbove(ResourceOptionsSeen o)
        {
            for (var current = o; current.ParentType is not null; current = byName[(current.ParentType, current.ParentName!)])
                if (current.ParentType.StartsWith("platform:", StringComparison.Ordinal) && PartGraph.Of(run.Blueprint).Any(p => p.Id.TypeToken == current.ParentType && p.Id.ResourceName == current.ParentName))
                    return current.ParentName;
            return null;
        }
        foreach (var spec in run.Blueprint.Services)
            Assert.Equal(spec.Part.ResourceName, PartAbove(run.OptionsOf(Container, $"{spec.Name}-container")));
        foreach (var volume in run.Blueprint.Volumes)
            Assert.Equal(volume.Part.ResourceName, PartAbove(run.OptionsOf("docker:index/volume:Volume", $"volumes-{volume.Key}")));
        foreach (var command in run.Blueprint.HostCommands)
            Assert.Equal(command.Part.ResourceName, PartAbove(run.OptionsOf(Command, $"{command.Name}-command")));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Parts_wait_for_the_parts_they_depend_on(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var provision = run.Named(Command, $"{HostCommandNames.PostgresProvision}-command");
        foreach (var app in run.Blueprint.Services.Where(s => s.Part.Kind == PartKind.App))
        {
            var container = run.Named(Container, $"{app.Name}-container");
            // The Traefik of its own server (the one Traefik, or its app server's copy).
            var traefik = run.Named(Container, $"{app.Host.Qualify(ServiceNames.Traefik)}-container");
            if (app.AfterHostCommands.Contains(HostCommandNames.PostgresProvision))
                Assert.True(container.Started >= provision.Finished, $"{app.Name} started before PostgreSQL was provisioned");
            if (app.Labels.ContainsKey("traefik.enable"))
                Assert.True(container.Started >= traefik.Finished, $"{app.Name} started before Traefik");
        }
        var kumaContainer = run.Named(Container, "uptime-kuma-container");
        foreach (var backup in run.Blueprint.Services.Where(s => s.Part == PartId.Backups && s.DependsOn.Contains(ServiceNames.UptimeKuma)))
            Assert.True(run.Named(Container, $"{backup.Name}-container").Started >= kumaContainer.Finished, backup.Name);
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Resources_that_moved_under_a_part_keep_their_urns_through_aliases(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        // Containers and commands: their wrapping component was at the stack's root before.
        Assert.All(run.Options.Where(o => o.Type is "platform:services:ServiceContainer" or "platform:operations:HostCommand"),
            o => Assert.True(o.HasNoParentAlias, $"{o.Type} {o.Name} has no alias to its root-level URN"));
        // Volumes were children of the "volumes" component.
        Assert.All(run.Options.Where(o => o.Type == "docker:index/volume:Volume"), o => Assert.True(o.HasParentUrnAlias, o.Name));
    }

    [Fact]
    public async Task App_secrets_renamed_into_their_namespace_keep_their_passwords_through_aliases()
    {
        var run = await StackRun.Shipped("prod", preview: false);
        var options = run.OptionsOf("random:index/randomPassword:RandomPassword", "secrets-app.api.postgres");
        Assert.Equal(["secrets-postgres-api"], options.AliasNames);
        Assert.Empty(run.OptionsOf("random:index/randomPassword:RandomPassword", "secrets-postgres-superuser").AliasNames);
    }

    private static PartNode Part(PlatformBlueprint b, PartId id) => PartGraph.Of(b).Single(p => p.Id == id);

    /// <summary>A data part or the edge, constructed on its own in a program of someone else's: just a Docker provider and an SSH target.</summary>
    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("minio")]
    [InlineData("edge")]
    public async Task A_part_can_be_used_on_its_own_with_only_a_docker_provider(string which)
    {
        Environment.SetEnvironmentVariable("PULUMI_ERROR_OUTPUT_STRING", "true");
        var b = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Load(StackRun.RepoRoot(), "staging"));
        // The edge reads the DNS-01 token from the program's config, like any config secret.
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", """{"platform:cloudflareApiToken":"test-token"}""");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", """["platform:cloudflareApiToken"]""");
        var mocks = new RecordingMocks(preview: false);
        var outputs = new Dictionary<string, object?>();
        await Deployment.TestAsync(mocks, new TestOptions { ProjectName = "elsewhere", StackName = "dev", IsPreview = false }, () =>
        {
            var provider = new DockerSdk.Provider("my-docker", new DockerSdk.ProviderArgs { Host = "ssh://ops@db.example.com" });
            var docker = DockerTarget.Of(provider);
            var infrastructure = new PartInfrastructure
            {
                Docker = docker,
                Ssh = new SshTarget("db.example.com", "ops", null, null),
                Networks = new DockerNetworks("nets", new DockerNetworksArgs { Networks = b.Networks, Docker = docker }),
                Images = new DockerImages("images", new DockerImagesArgs { Images = b.Services.Select(s => s.Image), Docker = docker }),
                Secrets = new PlatformSecrets("secrets", new PlatformSecretsArgs { Secrets = [.. b.Secrets.Where(s => s.Source == SecretSource.Generated || s.Name == "cloudflareApiToken")] }),
            };
            PlatformPart part = which switch
            {
                "postgres" => new Postgres("my-postgres", new PostgresArgs { Spec = Part(b, PartId.Postgres), Infrastructure = infrastructure }),
                "redis" => new Redis("my-redis", new RedisArgs { Spec = Part(b, PartId.Redis), Infrastructure = infrastructure }),
                "minio" => new Minio("my-minio", new MinioArgs { Spec = Part(b, PartId.ObjectStorage), Infrastructure = infrastructure }),
                _ => new Traefik("my-edge", new TraefikArgs { Spec = Part(b, PartId.Edge), Infrastructure = infrastructure }),
            };
            outputs["containers"] = part.Containers.Count;
            if (part is Postgres pg) outputs["pooled"] = pg.PooledPort;
            // What the app api would be handed, from the part itself.
            if (part is Postgres withDatabases) outputs["connection"] = withDatabases.ConnectionFor("api");
            if (part is Redis withInstances) outputs["connection"] = withInstances.ConnectionFor("api");
            return outputs;
        });
        if (outputs.TryGetValue("connection", out var given))
        {
            var connection = (Output<string>)given!;
            Assert.True(await Output.IsSecretAsync(connection));
            Assert.Matches(which == "postgres" ? "^postgres://api:[A-Za-z0-9]{16,}@pgbouncer:6432/api\\?sslmode=disable$" : "^redis://:[A-Za-z0-9]{16,}@redis:6379/0$",
                await StackRun.ValueOf(connection));
        }
        else Assert.True(which is "minio" or "edge");
        var id = which switch { "postgres" => PartId.Postgres, "redis" => PartId.Redis, "minio" => PartId.ObjectStorage, _ => PartId.Edge };
        var spec = Part(b, id);
        Assert.Equal(spec.Services.Select(s => s.Name + "-container").Order(), mocks.Registrations.Where(r => r.Type == Container).Select(r => r.Name).Order());
        Assert.Equal(spec.HostCommands.Select(c => c.Name + "-command").Order(), mocks.Registrations.Where(r => r.Type == Command).Select(r => r.Name).Order());
        Assert.Equal(spec.Volumes.Length, mocks.Registrations.Count(r => r.Type == "docker:index/volume:Volume"));
        // Pulumi's convention: the component takes the caller's name (its children keep the part's own names).
        Assert.Contains(mocks.Registrations, r => r.Type == id.TypeToken && r.Name == "my-" + which);
        Assert.Equal(spec.Services.Length, outputs["containers"]);
        // Only the edge publishes host ports.
        var publishes = mocks.Registrations.Where(r => r.Type == Container && r.Inputs.TryGetValue("ports", out var ports) && ports is System.Collections.IList { Count: > 0 }).Select(r => r.Name).ToList();
        Assert.Equal(which == "edge" ? ["traefik-container"] : [], publishes);
    }

    [Fact]
    public async Task A_part_handed_too_little_says_which_part_it_needs()
    {
        Environment.SetEnvironmentVariable("PULUMI_ERROR_OUTPUT_STRING", "true");
        var b = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Load(StackRun.RepoRoot(), "staging"));
        var mocks = new RecordingMocks(preview: false);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Deployment.TestAsync(mocks, new TestOptions { ProjectName = "x", StackName = "dev", IsPreview = false }, () =>
        {
            var docker = DockerTarget.Of(new DockerSdk.Provider("d", new DockerSdk.ProviderArgs { Host = "ssh://ops@h" }));
            var infrastructure = new PartInfrastructure
            {
                Docker = docker,
                Ssh = new SshTarget("h", "ops", null, null),
                Networks = new DockerNetworks("nets", new DockerNetworksArgs { Networks = b.Networks, Docker = docker }),
                Images = new DockerImages("images", new DockerImagesArgs { Images = b.Services.Select(s => s.Image), Docker = docker }),
                Secrets = new PlatformSecrets("secrets", new PlatformSecretsArgs { Secrets = [.. b.Secrets.Where(s => s.Source == SecretSource.Generated)] }),
            };
            _ = new Platform.Components.Apps.App("api", new Platform.Components.Apps.AppArgs { Spec = Part(b, PartId.App("api")), Infrastructure = infrastructure });
            return new Dictionary<string, object?>();
        }));
        Assert.Contains("needs the part", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>A stack with a MySQL-protocol app: the MariaDB part is its own component, and the app waits for it.</summary>
[Collection(PulumiCollection.Name)]
public sealed class MariaDbStackTests
{
    private const string Shop = """
            - name: shop
              image: wordpress:6.7.1-php8.3-apache
              port: 80
              routes: [{ host: shop }]
              healthPath: /wp-login.php
              cpus: 1
              memoryMb: 512
              needs: { database: { engine: mariadb, connectionLimit: 30 } }

        """;

    [Fact]
    public async Task A_wordpress_style_app_gets_a_mariadb_part_and_waits_for_its_provisioning()
    {
        var text = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.staging.yaml"))
            .Replace("  platform:apps:\n", "  platform:apps:\n" + Shop, StringComparison.Ordinal)
            .Replace("platform:serverType: cx32", "platform:serverType: cx42", StringComparison.Ordinal);
        var blueprint = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Read(Platform.Stacks.Settings.StackFiles.Parse("platform", "staging", text)));
        var run = await StackRun.Of(blueprint, preview: false);
        Assert.Contains(run.Options, o => o.Type == "platform:data:MariaDb" && o.Name == "mariadb" && o.ParentType is null);
        var mariadb = run.OptionsOf("docker:index/container:Container", "mariadb-container");
        Assert.Equal(("platform:services:ServiceContainer", "mariadb"), (mariadb.ParentType, mariadb.ParentName));
        var provision = run.Named("command:remote:Command", "mariadb-provision-command");
        Assert.True(run.Named("docker:index/container:Container", "shop-1-container").Started >= provision.Finished, "the app starts after its database exists");
        var mariaDbPart = Platform.Stacks.Parts.PartGraph.Of(blueprint).Single(p => p.Id == PartId.App("shop"));
        Assert.Contains(PartId.MariaDb, mariaDbPart.DependsOn);
    }
}
