using System.Collections;
using Platform.Components.Operations;
using Platform.Components.Secrets;
using Platform.Components.Services;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Pulumi;

namespace Platform.Infra.Tests;

[Collection(PulumiCollection.Name)]
public sealed class ShippedStackTests
{
    private const string Server = "hcloud:index/server:Server";
    private const string Firewall = "hcloud:index/firewall:Firewall";
    private const string SshKey = "hcloud:index/sshKey:SshKey";
    private const string Dns = "cloudflare:index/dnsRecord:DnsRecord";
    private const string Container = "docker:index/container:Container";
    private const string Image = "docker:index/remoteImage:RemoteImage";
    private const string Network = "docker:index/network:Network";
    private const string Volume = "docker:index/volume:Volume";
    private const string DockerProvider = "pulumi:providers:docker";
    private const string Command = "command:remote:Command";
    private const string Password = "random:index/randomPassword:RandomPassword";

    /// <summary>Every shipped stack: the single-server ones and the split one (scale).</summary>
    public static TheoryData<string> Stacks => new() { "staging", "prod", "scale" };

    /// <summary>The single-server stacks, for the rules only one server has.</summary>
    public static TheoryData<string> SingleServerStacks => new() { "staging", "prod" };

    /// <summary>The stacks whose environment is prod.</summary>
    public static TheoryData<string> ProdStacks => new() { "prod", "scale" };

    private const string OriginPulls = "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings";

    [Theory]
    [InlineData("prod", true)]
    [InlineData("staging", false)]
    [InlineData("scale", false)]
    public async Task Hetzners_automatic_backups_are_on_for_every_server_exactly_where_the_stack_asks(string stack, bool on)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var servers = run.OfType(Server).ToList();
        Assert.NotEmpty(servers);
        Assert.All(servers, s => Assert.Equal(on, s.Inputs["backups"]));
    }

    [Theory]
    [InlineData("prod", true)]
    [InlineData("staging", false)]
    [InlineData("scale", false)]
    public async Task The_zones_authenticated_origin_pulls_are_on_exactly_where_the_stack_asks(string stack, bool on)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        Assert.Equal(on, run.Blueprint.CloudflareOriginPulls);
        var settings = run.OfType(OriginPulls).ToList();
        if (!on)
        {
            Assert.Empty(settings);
            return;
        }
        var setting = Assert.Single(settings);
        Assert.Equal("dns-origin-pulls", setting.Name);
        Assert.Equal(true, setting.Inputs["enabled"]);
        Assert.True(setting.Inputs.ContainsKey("zoneId"));
        Assert.Equal("platform:dns:Records", run.OptionsOf(OriginPulls, setting.Name).ParentType);
        // Traefik's TLS options that require the certificate are rendered only where the zone sends it.
        Assert.Contains(run.Mocks.Registrations, r => r.Name == HostCommandNames.TraefikOriginPulls + "-command");
    }

    private static string ProviderOf(ServerKey key) => $"{ShellDecisions.PerServer("docker", key)}-provider";

    private static (string Ipv4, string Ipv6) AddressesOf(ServerSpec server) => RecordingMocks.AddressesOf($"{server.Key.ResourceName}-server");

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_part_of_the_blueprint_becomes_its_resources(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var b = run.Blueprint;

        Assert.Equal(b.Servers.Length, run.OfType(Server).Count());
        Assert.Equal(b.Firewalls.Length, run.OfType(Firewall).Count());
        Assert.Equal(b.Servers.Length, run.OfType(DockerProvider).Count()); // one Docker host per server
        Assert.Empty(run.OfType(SshKey)); // cloud-init installs the keys; Hetzner refuses duplicate fingerprints across stacks
        Assert.Equal(b.DnsRecords.Length + b.ZoneRecords.Length, run.OfType(Dns).Count()); // the platform's records and the declared ones
        Assert.Equal(b.Networks.Length, run.OfType(Network).Count());
        Assert.Equal(b.Volumes.Length, run.OfType(Volume).Count());
        Assert.Equal(b.Services.Length, run.OfType(Container).Count());
        // Each image once per server that runs it.
        Assert.Equal(b.Servers.Sum(x => b.Services.Where(s => s.Host == x.Key && s.ImageBuiltBy is null).Select(s => s.Image).Distinct().Count()), run.OfType(Image).Count());
        Assert.Equal(b.Secrets.Count(s => s.Source == SecretSource.Generated), run.OfType(Password).Count());
        Assert.Equal(b.Secrets.Count(s => s.Source == SecretSource.PrivateKey), run.OfType("tls:index/privateKey:PrivateKey").Count());
        Assert.Equal(b.Secrets.Count(s => s.Source == SecretSource.OriginCertificate), run.OfType("cloudflare:index/originCaCertificate:OriginCaCertificate").Count());
        // + each server's readiness gate and patched gate, its private-address wait (split stacks), the data volume's mount
        // and each drained app instance's drain step.
        Assert.Equal(b.HostCommands.Length + b.Servers.Length + b.Servers.Count(x => x.PatchedCommand is not null)
            + b.Servers.Count(x => x.PrivateIpReadyCommand is not null) + (b.DataVolume is null ? 0 : 1)
            + b.Services.Count(s => s.DrainSeconds is not null), run.OfType(Command).Count());
        Assert.Equal(b.PrivateNetwork is null ? 0 : 1, run.OfType("hcloud:index/network:Network").Count());
        Assert.Equal(b.LoadBalancer is null ? 0 : 1, run.OfType("hcloud:index/loadBalancer:LoadBalancer").Count());
        Assert.Equal(b.LoadBalancer?.Targets.Length ?? 0, run.OfType("hcloud:index/loadBalancerTarget:LoadBalancerTarget").Count());
        Assert.Contains("cloudflare:index/getZone:getZone", run.Mocks.Calls);

        var known = new HashSet<string>
        {
            Server, Firewall, SshKey, Dns, Container, Image, Network, Volume, DockerProvider, Command, Password,
            "hcloud:index/network:Network", "hcloud:index/networkSubnet:NetworkSubnet", "hcloud:index/placementGroup:PlacementGroup",
            "hcloud:index/loadBalancer:LoadBalancer", "hcloud:index/loadBalancerNetwork:LoadBalancerNetwork", "hcloud:index/loadBalancerTarget:LoadBalancerTarget",
            "hcloud:index/loadBalancerService:LoadBalancerService", "hcloud:index/volume:Volume", "hcloud:index/volumeAttachment:VolumeAttachment",
            "tls:index/privateKey:PrivateKey", "tls:index/certRequest:CertRequest", "cloudflare:index/originCaCertificate:OriginCaCertificate",
            OriginPulls,
        };
        Assert.All(run.Mocks.Registrations, r => Assert.True(known.Contains(r.Type) || r.Type.StartsWith("platform:", StringComparison.Ordinal), $"unexpected {r.Type} {r.Name}"));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Server_firewall_and_dns_carry_the_blueprints_values(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var b = run.Blueprint;

        foreach (var spec in b.Servers)
        {
            var server = run.Named(Server, $"{spec.Key.ResourceName}-server").Inputs;
            Assert.Equal(spec.Name, server["name"]);
            Assert.Equal(spec.Type, server["serverType"]);
            Assert.Equal(spec.Location, server["location"]);
            Assert.Equal(spec.Image, server["image"]);
            Assert.Equal(spec.UserData, server.GetValueOrDefault("userData") ?? "");
            Assert.False(server.ContainsKey("sshKeys"));
            var firewall = b.Firewalls.Single(f => f.Name == spec.FirewallName);
            Assert.Equal(run.Named(Firewall, $"{firewall.ResourceName}-firewall").Id, Convert.ToString(Assert.Single((IList)server["firewallIds"]), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(spec.Protect, server["deleteProtection"]);
            Assert.Equal(spec.Protect, server["rebuildProtection"]);

            var ready = run.Named(Command, $"{spec.Key.ResourceName}-ready").Inputs;
            Assert.Equal(spec.ReadinessCommand, ready["create"]);
            Assert.Equal(AddressesOf(spec).Ipv4, ((IDictionary<string, object>)ready["connection"])["host"]);
            Assert.Equal(spec.DeployUser, ((IDictionary<string, object>)ready["connection"])["user"]);

            var provider = run.Named(DockerProvider, ProviderOf(spec.Key)).Inputs;
            Assert.Equal($"ssh://{spec.DeployUser}@{AddressesOf(spec).Ipv4}", provider["host"]);
        }

        foreach (var firewall in b.Firewalls)
        {
            var rules = (IList)run.Named(Firewall, $"{firewall.ResourceName}-firewall").Inputs["rules"];
            Assert.Equal(firewall.Rules.Length, rules.Count);
            var ssh = rules.Cast<IDictionary<string, object>>().Single(r => Equals(Get(r, "port"), "22"));
            Assert.Equal(firewall.Rules.Single(r => r.Port == "22").SourceIps, ((IList)ssh["sourceIps"]).Cast<string>());
        }

        foreach (var record in b.DnsRecords)
        {
            var dns = run.OfType(Dns).Single(r => Equals(r.Inputs["name"], record.Fqdn) && Equals(r.Inputs["type"], record.Type)).Inputs;
            Assert.Equal("zone-" + b.Zone, dns["zoneId"]);
            var (ipv4, ipv6) = record.Target.IsLoadBalancer ? (RecordingMocks.LoadBalancerIpv4, RecordingMocks.LoadBalancerIpv6) : AddressesOf(b.ServerOf(record.Target.Server!));
            Assert.Equal(record.Content == ServerAddress.Ipv4 ? ipv4 : ipv6, dns["content"]);
            Assert.Equal(record.Proxied, dns["proxied"]);
            Assert.Equal((double)record.Ttl, Convert.ToDouble(dns["ttl"], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Containers_map_their_service_spec(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var spec in run.Blueprint.Services)
        {
            var c = run.Named(Container, $"{spec.Name}-container").Inputs;
            Assert.Equal(spec.ContainerName, c.GetValueOrDefault("name"));
            // A pulled image by its id; one built on the server by its host command (PITR's PostgreSQL) by its tag.
            if (spec.ImageBuiltBy is null) Assert.StartsWith("sha256:", (string)c["image"]);
            else Assert.Equal(spec.Image, (string)c["image"]);
            Assert.Equal(spec.Limits.MemoryMb, Convert.ToInt32(c["memory"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(spec.RestartPolicy, c["restart"]);
            Assert.Equal(spec.Log.Driver, c["logDriver"]);
            Assert.Equal(spec.WaitHealthy, c["wait"]);
            Assert.Equal(spec.Labels, Labels(c));
            Assert.Equal(spec.Env.Keys.Order(StringComparer.Ordinal), Env(c).Keys.Order(StringComparer.Ordinal));
            Assert.Equal(spec.Networks.Select(n => n.Network).Order(), ((IList)c["networksAdvanced"]).Cast<IDictionary<string, object>>().Select(n => (string)n["name"]).Order());
            Assert.Equal(spec.Files.Length, c.TryGetValue("uploads", out var u) ? ((IList)u).Count : 0);
            var health = (IDictionary<string, object>)c["healthcheck"];
            Assert.Equal(spec.HealthCheck.Test, ((IList)health["tests"]).Cast<string>());
            Assert.Equal($"{spec.HealthCheck.IntervalSeconds}s", health["interval"]);
        }
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_container_is_pinned_limited_and_health_checked(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var image in run.OfType(Image).Select(r => (string)r.Inputs["name"]))
        {
            var tag = image.Contains('@', StringComparison.Ordinal) ? null : image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
            Assert.True(image.Contains("@sha256:", StringComparison.Ordinal) || tag is not null && tag != "latest", $"{image} is not pinned");
        }
        foreach (var spec in run.Blueprint.Services)
        {
            var c = run.Named(Container, $"{spec.Name}-container").Inputs;
            Assert.True(Convert.ToInt32(c["memory"], System.Globalization.CultureInfo.InvariantCulture) > 0, $"{spec.Name} has no memory limit");
            Assert.Equal(c["memory"], c["memorySwap"]);
            Assert.False(string.IsNullOrEmpty(Get(c, "cpus") as string), $"{spec.Name} has no CPU limit");
            Assert.NotEmpty((IList)((IDictionary<string, object>)c["healthcheck"])["tests"]);
            Assert.Equal(spec.Log.Driver, c["logDriver"]);
        }
    }

    [Theory, MemberData(nameof(SingleServerStacks))]
    public async Task Only_traefik_publishes_host_ports(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var publishing = run.OfType(Container)
            .Where(r => r.Inputs.TryGetValue("ports", out var p) && ((IList)p).Count > 0)
            .Select(r => r.Name).ToList();
        Assert.Equal([$"{ServiceNames.Traefik}-container"], publishing);
    }

    /// <summary>On every stack: only Traefik publishes on a public address; whatever else publishes does so on its server's private address.</summary>
    [Theory, MemberData(nameof(Stacks))]
    public async Task Only_traefik_publishes_beyond_the_private_network(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var r in run.OfType(Container))
        {
            var spec = run.Blueprint.Service(r.Name[..^"-container".Length]);
            var ips = r.Inputs.TryGetValue("ports", out var p) ? ((IList)p).Cast<IDictionary<string, object>>().Select(x => (string)x["ip"]).ToList() : [];
            var privateIp = run.Blueprint.ServerOf(spec.Host).PrivateIp;
            if (spec.ContainerName != ServiceNames.Traefik)
                Assert.All(ips, ip => Assert.Equal(privateIp, ip));
        }
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_public_host_has_proxied_dns_a_tls_router_and_its_monitors(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var b = run.Blueprint;
        var containers = run.OfType(Container).Select(r => (r.Name, Labels: Labels(r.Inputs), Files: Uploads(r.Inputs))).ToList();

        foreach (var fqdn in b.DnsRecords.Select(r => r.Fqdn).Distinct())
        {
            foreach (var type in new[] { "A", "AAAA" })
            {
                var dns = run.OfType(Dns).Single(r => Equals(r.Inputs["name"], fqdn) && Equals(r.Inputs["type"], type)).Inputs;
                Assert.Equal(true, dns["proxied"]);
                Assert.Equal(1d, Convert.ToDouble(dns["ttl"], System.Globalization.CultureInfo.InvariantCulture));
            }

            var routers = containers.SelectMany(c => c.Labels.Where(l => l.Key.EndsWith(".rule", StringComparison.Ordinal) && l.Value.Contains($"`{fqdn}`", StringComparison.Ordinal))
                .Select(l => (c.Labels, Router: l.Key[..^".rule".Length]))).ToList();
            // The status page is routed by Traefik's file provider once its setup has succeeded.
            if (b.FileRoutes.Any(r => r.Fqdn == fqdn))
            {
                // Written by the host command of the single Traefik, or of every app server's.
                var writers = run.OfType(Command).Where(c => new[] { HostCommandNames.TraefikFileRoutes, HostCommandNames.TraefikEdgeRoutes }
                    .Any(w => c.Name == $"{w}-command" || c.Name.StartsWith($"{w}@", StringComparison.Ordinal))).ToList();
                Assert.Equal(b.IsSplit ? b.AppServers.Length : 1, writers.Count(w => ((string)w.Inputs["stdin"]).Contains($"`{fqdn}`", StringComparison.Ordinal)));
                continue;
            }
            Assert.True(routers.Count > 0, $"no router for {fqdn}");
            Assert.All(routers, r => Assert.Equal("true", r.Labels.GetValueOrDefault($"{r.Router}.tls")));

            // Monitors come from the blueprint; whatever it declares for this host must reach AutoKuma: its monitor
            // directory, written by the autokuma-monitors host command on the server AutoKuma runs on.
            var monitorFiles = run.OfType(Command).Where(c => c.Name == $"{HostCommandNames.AutoKumaMonitors}-command").ToList();
            Assert.Single(monitorFiles);
            foreach (var monitor in b.Monitors.Where(m => m.Target.Contains(fqdn, StringComparison.Ordinal)))
            {
                Assert.True(monitorFiles.Any(c => ((string)c.Inputs["stdin"]).Contains(monitor.Target, StringComparison.Ordinal)),
                    $"monitor {monitor.Name} ({monitor.Target}) reaches no AutoKuma file");
            }
        }
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Docker_waits_for_readiness_and_apps_wait_for_their_provisioning(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        // Every Docker resource waits for the readiness of the server its provider reaches.
        var readyOf = run.Blueprint.Servers.ToDictionary(x => ProviderOf(x.Key), x => run.Named(Command, $"{x.Key.ResourceName}-ready"));
        var providerOf = run.Options.Where(o => o.ProviderName is not null).ToDictionary(o => (o.Type, o.Name), o => o.ProviderName!);
        foreach (var r in run.Mocks.Registrations.Where(r => r.Type.StartsWith("docker:", StringComparison.Ordinal) || r.Type == DockerProvider))
        {
            var ready = readyOf[r.Type == DockerProvider ? r.Name : providerOf[(r.Type, r.Name)]];
            Assert.True(r.Started > ready.Finished, $"{r.Type} {r.Name} started before the server was ready");
        }

        foreach (var spec in run.Blueprint.Services)
        {
            var container = run.Named(Container, $"{spec.Name}-container");
            foreach (var command in spec.AfterHostCommands)
                Assert.True(container.Started > run.Named(Command, $"{command}-command").Finished, $"{spec.Name} started before {command} finished");
            foreach (var dependency in spec.DependsOn)
                Assert.True(container.Started > run.Named(Container, $"{dependency}-container").Finished, $"{spec.Name} started before {dependency}");
        }
        foreach (var command in run.Blueprint.HostCommands)
        {
            var registration = run.Named(Command, $"{command.Name}-command");
            Assert.True(registration.Started > run.Named(Command, $"{command.Host.ResourceName}-ready").Finished);
            foreach (var service in command.DependsOnServices)
                Assert.True(registration.Started > run.Named(Container, $"{service}-container").Finished, $"{command.Name} ran before {service} existed");
        }
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_resource_is_a_child_of_its_component(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var parts = Platform.Stacks.Parts.PartGraph.Of(run.Blueprint);
        var partNames = parts.Select(p => p.Id.ResourceName).ToHashSet(StringComparer.Ordinal);
        var components = run.Options.Where(o => o.Type.StartsWith("platform:", StringComparison.Ordinal)).ToList();
        // At the top: the shared pieces and one component per part; below a part: its containers and host commands.
        var b = run.Blueprint;
        var shared = new HashSet<string>(StringComparer.Ordinal) { "secrets", "dns" };
        shared.UnionWith(b.Firewalls.Select(f => f.ResourceName));
        shared.UnionWith(b.Servers.SelectMany(x => new[] { x.Key.ResourceName, ShellDecisions.PerServer("docker", x.Key), ShellDecisions.PerServer("networks", x.Key), ShellDecisions.PerServer("images", x.Key) }));
        if (b.IsSplit) shared.UnionWith(["private-network", "placement"]);
        if (b.LoadBalancer is not null) shared.Add("load-balancer");
        Assert.All(components.Where(c => c.ParentType is null), c => Assert.True(partNames.Contains(c.Name) || shared.Contains(c.Name), $"{c.Type} {c.Name} at the top"));
        Assert.All(components.Where(c => c.Type is "platform:services:ServiceContainer" or "platform:operations:HostCommand"),
            c => Assert.Contains(c.ParentName!, partNames));
        var children = run.Options.Where(o => !o.Type.StartsWith("platform:", StringComparison.Ordinal)).ToList();
        Assert.Equal(run.Mocks.Registrations.Count(r => !r.Type.StartsWith("platform:", StringComparison.Ordinal)), children.Count);
        Assert.All(children, c =>
        {
            Assert.True(c.ParentType?.StartsWith("platform:", StringComparison.Ordinal), $"{c.Type} {c.Name} has parent {c.ParentType}");
            // Volumes keep the names they had under the former "volumes" component (their URNs are aliased).
            if (c.Type != Volume) Assert.StartsWith(c.ParentName + "-", c.Name);
        });
        foreach (var server in b.Servers)
        {
            Assert.Equal("platform:server:Server", run.OptionsOf(Server, $"{server.Key.ResourceName}-server").ParentType);
            Assert.Equal("platform:docker:Host", run.OptionsOf(DockerProvider, ProviderOf(server.Key)).ParentType);
        }
        foreach (var spec in run.Blueprint.Services)
            Assert.Equal(("platform:services:ServiceContainer", spec.Name), (run.OptionsOf(Container, $"{spec.Name}-container").ParentType, run.OptionsOf(Container, $"{spec.Name}-container").ParentName));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Containers_are_replaced_as_the_blueprint_says(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        foreach (var spec in run.Blueprint.Services)
        {
            var options = run.OptionsOf(Container, $"{spec.Name}-container");
            // Always explicit: the Docker provider asks for delete-before-replace on every container.
            Assert.Equal(spec.Replacement == Replacement.DeleteBeforeCreate, options.DeleteBeforeReplace);
            // Containers are never protected: an image bump or a config change must be able to replace them.
            Assert.NotEqual(true, options.Protect);
            var inputs = run.Named(Container, $"{spec.Name}-container").Inputs;
            if (spec.Replacement == Replacement.CreateBeforeDelete) Assert.False(inputs.ContainsKey("name"));
            else Assert.Equal(spec.ContainerName, inputs["name"]);
        }
        Assert.All(run.Blueprint.Servers, x => Assert.Equal(["userData", "sshKeys"], run.OptionsOf(Server, $"{x.Key.ResourceName}-server").IgnoreChanges));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task One_shots_run_to_completion_and_services_wait_to_be_healthy(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        Assert.Contains(run.Blueprint.Services, s => s.OneShot);
        foreach (var spec in run.Blueprint.Services)
        {
            var inputs = run.Named(Container, $"{spec.Name}-container").Inputs;
            Assert.Equal(spec.OneShot, Get(inputs, "attach") is true);
            Assert.Equal(spec.OneShot ? false : null, Get(inputs, "mustRun"));
            Assert.Equal(spec.WaitHealthy, Get(inputs, "wait") is true);
            Assert.Equal(spec.RestartPolicy, inputs["restart"]);
            Assert.Equal(spec.ShmMb, Get(inputs, "shmSize") is { } shm ? Convert.ToInt32(shm, System.Globalization.CultureInfo.InvariantCulture) : null);
        }
        Assert.NotNull(run.Blueprint.Service("postgres").ShmMb);
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task The_logs_command_finds_each_server_and_container(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var b = run.Blueprint;
        // Each server's pinned host key is an output (the logs command's SSH connections accept no other key).
        foreach (var server in b.Servers)
            Assert.Equal(RecordingMocks.HostKey, await StackRun.ValueOf((Output<string>)run.Outputs[ShellDecisions.ServerHostKeyOutputOf(server.Key)]!));
        // A container without a fixed name gets the provider's name from this resource name (ShellDecisions.ContainerResourceName).
        Assert.Equal(b.Services.Select(s => ShellDecisions.ContainerResourceName(s.Name)).Order(StringComparer.Ordinal),
            run.OfType(Container).Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task Secrets_stay_secret(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false);
        var b = run.Blueprint;
        foreach (var container in run.Resources.OfType<ServiceContainer>())
        {
            var spec = b.Service(container.GetResourceName());
            Assert.Equal(spec.Env.Values.Any(v => v.IsSecret), await Output.IsSecretAsync(container.Environment));
            foreach (var file in spec.Files)
                Assert.Equal(file.Content.IsSecret, await Output.IsSecretAsync(container.Files[file.Path]));
        }
        foreach (var command in run.Resources.OfType<HostCommand>())
            if (command.Stdin is not null) Assert.True(await Output.IsSecretAsync(command.Stdin));
        // Every secret's value, whatever makes it (a password, the config, a generated key, an issued certificate).
        var secrets = run.Resources.OfType<PlatformSecrets>().Single();
        foreach (var secret in b.Secrets)
            Assert.True(await Output.IsSecretAsync(secrets.Value(secret.Name)), $"{secret.Name} ({secret.Source}) is not a secret");

        // Password-like env values never reach a container as plain text.
        foreach (var r in run.OfType(Container))
        {
            var spec = b.Service(r.Name[..^"-container".Length]);
            foreach (var (key, value) in spec.Env)
                // A *_FILE variable names the file that holds the secret (the image reads it there): a path, not a secret.
                if (!key.EndsWith("_FILE", StringComparison.Ordinal)
                    && (key.Contains("PASSWORD", StringComparison.Ordinal) || key.Contains("SECRET", StringComparison.Ordinal) || key.EndsWith("_URL", StringComparison.Ordinal) && value.IsSecret))
                    Assert.True(value.IsSecret, $"{spec.Name} {key} is not a secret reference");
        }

        foreach (var output in b.Outputs)
            Assert.Equal(output.Secret, await Output.IsSecretAsync((Output<string>)run.Outputs[output.Name]!));
        Assert.Contains(b.Outputs, o => o.Name.StartsWith("databaseUrl.", StringComparison.Ordinal) && o.Secret);
    }

    [Theory, MemberData(nameof(ProdStacks))]
    public async Task Prod_protects_its_stateful_resources(string stack)
    {
        var prod = await StackRun.Shipped(stack, preview: false);
        foreach (var server in prod.Blueprint.Servers.Select(x => $"{x.Key.ResourceName}-server"))
        {
            Assert.Equal(true, prod.OptionsOf(Server, server).Protect);
            Assert.Equal(true, prod.Named(Server, server).Inputs["deleteProtection"]);
            Assert.Equal(true, prod.Named(Server, server).Inputs["rebuildProtection"]);
        }
        // Every volume a data service keeps its state in is protected, and kept if the stack drops it.
        var stateful = prod.Blueprint.Services.Where(s => s.Kind == ServiceKind.Data)
            .SelectMany(s => s.Mounts.Where(m => m.Kind == MountKind.Volume).Select(m => m.Source)).ToHashSet();
        Assert.NotEmpty(stateful);
        foreach (var volume in prod.Blueprint.Volumes)
        {
            var options = prod.OptionsOf(Volume, $"volumes-{volume.Key}");
            Assert.Equal(volume.Protect, options.Protect ?? false);
            Assert.Equal(volume.Protect, options.RetainOnDelete ?? false);
            if (stateful.Contains(volume.Name)) Assert.True(volume.Protect, $"{volume.Name} is not protected in prod");
        }
    }

    [Fact]
    public async Task Staging_does_not_block_teardown()
    {
        var staging = await StackRun.Shipped("staging", preview: false);
        Assert.Equal(false, staging.Named(Server, "server-server").Inputs["deleteProtection"]);
        Assert.All(staging.Options.Where(o => o.Type == Volume), o => Assert.NotEqual(true, o.Protect));
    }

    [Theory, MemberData(nameof(Stacks))]
    public async Task A_preview_with_the_server_address_unknown_succeeds(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: true);
        Assert.Equal(run.Blueprint.Services.Length, run.OfType(Container).Count());
        Assert.Equal(run.Blueprint.Servers.Length, run.OfType(DockerProvider).Count());
        Assert.All(run.OfType(DockerProvider), p => Assert.False(p.Inputs.ContainsKey("host"))); // unknown until the server exists
    }

    private static object? Get(IDictionary<string, object> d, string key) => d.TryGetValue(key, out var v) ? v : null;

    private static IReadOnlyDictionary<string, string> Labels(IReadOnlyDictionary<string, object> inputs) =>
        inputs.TryGetValue("labels", out var labels)
            ? ((IList)labels).Cast<IDictionary<string, object>>().ToDictionary(l => (string)l["label"], l => (string)l["value"], StringComparer.Ordinal)
            : new Dictionary<string, string>();

    private static IReadOnlyDictionary<string, string> Env(IReadOnlyDictionary<string, object> inputs) =>
        inputs.TryGetValue("envs", out var envs)
            ? ((IList)envs).Cast<string>().ToDictionary(e => e[..e.IndexOf('=', StringComparison.Ordinal)], e => e[(e.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal)
            : new Dictionary<string, string>();

    private static IReadOnlyList<string> Uploads(IReadOnlyDictionary<string, object> inputs) =>
        inputs.TryGetValue("uploads", out var uploads)
            ? ((IList)uploads).Cast<IDictionary<string, object>>().Select(u => Get(u, "content") as string ?? "").ToList()
            : [];
}
