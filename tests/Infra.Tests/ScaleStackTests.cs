using System.Collections;
using System.Globalization;
using Platform.Components.Operations;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Parts;
using Pulumi;
using Xunit.Abstractions;

namespace Platform.Infra.Tests;

/// <summary>
/// The shipped split stack (<c>Pulumi.scale.yaml</c>: three app servers behind a load balancer, a data server with its
/// data on a Hetzner Volume) through the program, under the mocks: what runs where, and how the servers are wired.
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed class ScaleStackTests(ITestOutputHelper output)
{
    private const string Server = "hcloud:index/server:Server";
    private const string Network = "hcloud:index/network:Network";
    private const string Subnet = "hcloud:index/networkSubnet:NetworkSubnet";
    private const string PlacementGroup = "hcloud:index/placementGroup:PlacementGroup";
    private const string Firewall = "hcloud:index/firewall:Firewall";
    private const string Balancer = "hcloud:index/loadBalancer:LoadBalancer";
    private const string BalancerNetwork = "hcloud:index/loadBalancerNetwork:LoadBalancerNetwork";
    private const string BalancerTarget = "hcloud:index/loadBalancerTarget:LoadBalancerTarget";
    private const string BalancerService = "hcloud:index/loadBalancerService:LoadBalancerService";
    private const string HetznerVolume = "hcloud:index/volume:Volume";
    private const string VolumeAttachment = "hcloud:index/volumeAttachment:VolumeAttachment";
    private const string Dns = "cloudflare:index/dnsRecord:DnsRecord";
    private const string OriginCertificate = "cloudflare:index/originCaCertificate:OriginCaCertificate";
    private const string PrivateKey = "tls:index/privateKey:PrivateKey";
    private const string CertRequest = "tls:index/certRequest:CertRequest";
    private const string Container = "docker:index/container:Container";
    private const string DockerNetwork = "docker:index/network:Network";
    private const string DockerVolume = "docker:index/volume:Volume";
    private const string Image = "docker:index/remoteImage:RemoteImage";
    private const string DockerProvider = "pulumi:providers:docker";
    private const string Command = "command:remote:Command";

    private static Task<StackRun> Scale() => StackRun.Shipped("scale", preview: false);

    private static string ProviderOf(ServerKey key) => $"{ShellDecisions.PerServer("docker", key)}-provider";

    private static int IdOf(Registration r) => int.Parse(r.Id, CultureInfo.InvariantCulture);

    private static int Int(object value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private static object? Get(IReadOnlyDictionary<string, object> d, string key) => d.TryGetValue(key, out var v) ? v : null;

    private static IEnumerable<IReadOnlyDictionary<string, object>> List(IReadOnlyDictionary<string, object> inputs, string key) =>
        Get(inputs, key) is IList list ? list.Cast<IReadOnlyDictionary<string, object>>() : [];

    [Fact]
    public async Task The_run_registers_every_server_and_reports_its_size_and_time()
    {
        var run = await Scale();
        var b = run.Blueprint;
        Assert.True(b.IsSplit);
        Assert.Equal(["server-data", "server-app-1", "server-app-2", "server-app-3"], b.Servers.Select(s => s.Key.ResourceName));
        Assert.Equal(b.Servers.Select(s => $"{s.Key.ResourceName}-server").Order(), run.OfType(Server).Select(r => r.Name).Order());
        Assert.Equal(b.Servers.Select(s => ProviderOf(s.Key)).Order(), run.OfType(DockerProvider).Select(r => r.Name).Order());
        Assert.Equal(b.Services.Length, run.OfType(Container).Count());
        Assert.Equal(b.Volumes.Length, run.OfType(DockerVolume).Count());
        Assert.Equal(b.Networks.Length, run.OfType(DockerNetwork).Count());

        var custom = run.Mocks.Registrations.Count(r => !r.Type.StartsWith("platform:", StringComparison.Ordinal));
        output.WriteLine($"scale stack mock run: {run.Elapsed.TotalSeconds:F2} s, {run.Mocks.Registrations.Count} registrations ({custom} provider resources, {run.Mocks.Registrations.Count - custom} components)");
        foreach (var group in run.Mocks.Registrations.Where(r => !r.Type.StartsWith("platform:", StringComparison.Ordinal)).GroupBy(r => r.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"  {group.Key}: {group.Count()}");
    }

    [Fact]
    public async Task The_load_balancer_targets_exactly_the_app_servers_on_their_private_addresses()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var lb = run.OfType(Balancer).Single();
        var spec = b.LoadBalancer!;
        Assert.Equal((spec.Name, spec.Type, spec.Location), (lb.Inputs["name"], lb.Inputs["loadBalancerType"], lb.Inputs["location"]));

        var attachment = run.OfType(BalancerNetwork).Single();
        Assert.Equal(IdOf(lb), Int(attachment.Inputs["loadBalancerId"]));
        Assert.Equal(run.OfType(Subnet).Single().Id, attachment.Inputs["subnetId"]);
        Assert.Equal(spec.PrivateIp, attachment.Inputs["ip"]);
        Assert.Equal(true, attachment.Inputs["enablePublicInterface"]);

        var appServerIds = b.AppServers.Select(s => IdOf(run.Named(Server, $"{s.Key.ResourceName}-server"))).Order().ToList();
        Assert.Equal(3, appServerIds.Count);
        var targets = run.OfType(BalancerTarget).ToList();
        Assert.Equal(appServerIds, targets.Select(t => Int(t.Inputs["serverId"])).Order());
        Assert.All(targets, t =>
        {
            Assert.Equal(("server", true, IdOf(lb)), (t.Inputs["type"], t.Inputs["usePrivateIp"], Int(t.Inputs["loadBalancerId"])));
            // A target on a private address needs the balancer in the network first.
            Assert.True(t.Started >= attachment.Finished, $"{t.Name} before the balancer joined the network");
        });
    }

    [Fact]
    public async Task The_load_balancer_forwards_80_and_443_over_tcp_with_proxy_protocol_and_checks_traefiks_ping()
    {
        var run = await Scale();
        var lb = run.OfType(Balancer).Single();
        var services = run.OfType(BalancerService).OrderBy(s => Int(s.Inputs["listenPort"])).ToList();
        Assert.Equal([80, 443], services.Select(s => Int(s.Inputs["listenPort"])));
        foreach (var service in services)
        {
            var inputs = service.Inputs;
            Assert.Equal(lb.Id, inputs["loadBalancerId"]); // a string here, unlike every other load balancer id
            Assert.Equal(("tcp", true), (inputs["protocol"], inputs["proxyprotocol"]));
            Assert.Equal(Int(inputs["listenPort"]), Int(inputs["destinationPort"]));
            var health = (IReadOnlyDictionary<string, object>)inputs["healthCheck"];
            Assert.Equal("http", health["protocol"]);
            Assert.Equal(TopologyBlueprint.TraefikPingPort, Int(health["port"]));
            Assert.Equal("/ping", ((IReadOnlyDictionary<string, object>)health["http"])["path"]);
            var spec = run.Blueprint.LoadBalancer!.Services.Single(s => s.ListenPort == Int(inputs["listenPort"]));
            Assert.Equal((spec.HealthIntervalSeconds, spec.HealthTimeoutSeconds, spec.HealthRetries), (Int(health["interval"]), Int(health["timeout"]), Int(health["retries"])));
        }
    }

    [Fact]
    public async Task Every_dns_record_points_at_the_load_balancer()
    {
        var run = await Scale();
        var records = run.OfType(Dns).ToList();
        Assert.Equal(run.Blueprint.DnsRecords.Length, records.Count);
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Equal(Equals(r.Inputs["type"], "A") ? RecordingMocks.LoadBalancerIpv4 : RecordingMocks.LoadBalancerIpv6, r.Inputs["content"]));
        Assert.Equal(RecordingMocks.LoadBalancerIpv4, await StackRun.ValueOf((Output<string>)run.Outputs[ShellDecisions.LoadBalancerIpv4Output]!));
        Assert.Equal(RecordingMocks.LoadBalancerIpv6, await StackRun.ValueOf((Output<string>)run.Outputs[ShellDecisions.LoadBalancerIpv6Output]!));
        foreach (var server in run.Blueprint.Servers)
        {
            Assert.Equal(RecordingMocks.AddressesOf($"{server.Key.ResourceName}-server").Ipv4, await StackRun.ValueOf((Output<string>)run.Outputs[ShellDecisions.ServerIpv4OutputOf(server.Key)]!));
            // The key the readiness step read, which the logs command pins its SSH connections to.
            Assert.Equal(RecordingMocks.HostKey, await StackRun.ValueOf((Output<string>)run.Outputs[ShellDecisions.ServerHostKeyOutputOf(server.Key)]!));
        }
    }

    [Fact]
    public async Task The_data_services_and_only_they_run_on_the_data_servers_docker_host()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var onData = run.Options.Where(o => o.Type == Container && o.ProviderName == ProviderOf(ServerKey.Data))
            .Select(o => o.Name[..^"-container".Length]).Order(StringComparer.Ordinal).ToList();
        // The data services, the backup runner, and nothing of the edge or an app.
        var dataServices = new[] { ServiceNames.Postgres, ServiceNames.PgBouncer, ServiceNames.Minio, ServiceNames.UptimeKuma, ServiceNames.MariaDb, "backup" }
            .Concat(b.Services.Where(s => Platform.Stacks.Parts.Redis.RedisNames.IsContainer(s.Name)).Select(s => s.Name))
            .Where(n => b.Services.Any(s => s.Name == n)).ToList();
        Assert.Contains("app-api.redis", dataServices);
        Assert.Contains("backup", dataServices);
        Assert.All(dataServices, n => Assert.Contains(n, onData));
        Assert.Equal(b.Services.Where(s => s.Host == ServerKey.Data).Select(s => s.Name).Order(StringComparer.Ordinal), onData);
        // (The observability part has its storage there, and a collector on every server.)
        Assert.All(onData, n => Assert.Contains(b.Service(n).Part.Kind, new[] { PartKind.Postgres, PartKind.MariaDb, PartKind.Redis, PartKind.ObjectStorage, PartKind.Monitoring, PartKind.Backups, PartKind.Observability }));
        // Every other container is on an app server's host, and none of the data services is.
        foreach (var o in run.Options.Where(o => o.Type == Container && o.ProviderName != ProviderOf(ServerKey.Data)))
        {
            var spec = b.Service(o.Name[..^"-container".Length]);
            Assert.Equal(ProviderOf(spec.Host), o.ProviderName);
            Assert.Equal(ServerRole.App, spec.Host.Role);
            Assert.DoesNotContain(spec.Name, dataServices);
        }
        // Images are pulled where they run, and nowhere else.
        foreach (var server in b.Servers)
        {
            var pulled = run.Options.Where(o => o.Type == Image && o.ProviderName == ProviderOf(server.Key)).Count();
            Assert.Equal(b.Services.Where(s => s.Host == server.Key).Select(s => s.Image).Distinct().Count(), pulled);
        }
    }

    [Fact]
    public async Task No_container_publishes_a_port_on_a_public_address()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var published = 0;
        foreach (var c in run.OfType(Container))
        {
            var spec = b.Service(c.Name[..^"-container".Length]);
            foreach (var port in List(c.Inputs, "ports"))
            {
                published++;
                var ip = (string)port["ip"];
                Assert.DoesNotContain(ip, new[] { "0.0.0.0", "::", "" });
                // On its own server's private address: reachable from the subnet (the balancer, the app servers) only.
                Assert.Equal(b.ServerOf(spec.Host).PrivateIp, ip);
            }
        }
        Assert.True(published > 0);
        Assert.All(b.AppServers, s => Assert.NotEmpty(List(run.Named(Container, $"{s.Key.Qualify(ServiceNames.Traefik)}-container").Inputs, "ports")));
    }

    [Fact]
    public async Task On_prod_the_private_network_and_the_load_balancer_are_protected_too()
    {
        var run = await Scale();
        foreach (var type in new[] { Network, Balancer })
        {
            var resource = run.OfType(type).Single();
            Assert.Equal(true, resource.Inputs["deleteProtection"]);
            Assert.True(run.OptionsOf(type, resource.Name).Protect);
        }
    }

    [Fact]
    public async Task The_hetzner_volume_is_attached_to_the_data_server_and_protected()
    {
        var run = await Scale();
        var b = run.Blueprint;
        Assert.Equal(ServerKey.Data, b.DataVolume!.Server);
        var volume = run.OfType(HetznerVolume).Single();
        var attachment = run.OfType(VolumeAttachment).Single();
        var dataServer = run.Named(Server, $"{ServerKey.Data.ResourceName}-server");
        Assert.Equal((IdOf(volume), IdOf(dataServer)), (Int(attachment.Inputs["volumeId"]), Int(attachment.Inputs["serverId"])));
        Assert.Equal(true, volume.Inputs["deleteProtection"]);
        var options = run.OptionsOf(HetznerVolume, volume.Name);
        Assert.Equal((true, true), (options.Protect, options.RetainOnDelete));
        Assert.Equal((double)b.DataVolume.SizeGb, Convert.ToDouble(volume.Inputs["size"], CultureInfo.InvariantCulture));
        // Mounted on the data server, before its Docker host exists.
        var mount = run.Named(Command, $"{ServerKey.Data.ResourceName}-data-mount");
        Assert.Equal(RecordingMocks.AddressesOf(dataServer.Name).Ipv4, ((IReadOnlyDictionary<string, object>)mount.Inputs["connection"])["host"]);
        Assert.True(run.Named(DockerProvider, ProviderOf(ServerKey.Data)).Started >= mount.Finished);
    }

    [Fact]
    public async Task App_instances_are_spread_one_per_app_server()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var appProviders = b.AppServers.Select(s => ProviderOf(s.Key)).Order(StringComparer.Ordinal).ToList();
        var byApp = b.Services.Where(s => s.App is not null && !s.OneShot && s.Schedule is null).GroupBy(s => s.App!).ToList();
        Assert.Contains(byApp, g => g.Count() == 3);
        foreach (var app in byApp.Where(g => g.Count() == 3))
        {
            var providers = app.Select(s => run.OptionsOf(Container, $"{s.Name}-container").ProviderName!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(appProviders, providers);
        }
        // Instances reach the data services by their usual names, at the data server's private address.
        foreach (var spec in b.Services.Where(s => !s.ExtraHosts.IsEmpty))
        {
            var hosts = List(run.Named(Container, $"{spec.Name}-container").Inputs, "hosts").Select(h => ((string)h["host"], (string)h["ip"])).Order().ToList();
            Assert.Equal(spec.ExtraHosts.Select(h => (h.Host, h.Ip)).Order(), hosts);
        }
        Assert.Contains(b.Services, s => s.ExtraHosts.Any(h => h.Host == ServiceNames.PgBouncer && h.Ip == b.ServerOf(ServerKey.Data).PrivateIp));
    }

    [Fact]
    public async Task Every_server_is_on_the_private_network_at_its_address_and_app_servers_are_spread()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var network = run.OfType(Network).Single();
        var subnet = run.OfType(Subnet).Single();
        Assert.Equal((b.PrivateNetwork!.Name, b.PrivateNetwork.IpRange), (network.Inputs["name"], network.Inputs["ipRange"]));
        Assert.Equal((IdOf(network), "cloud", b.PrivateNetwork.NetworkZone, b.PrivateNetwork.SubnetRange),
            (Int(subnet.Inputs["networkId"]), subnet.Inputs["type"], subnet.Inputs["networkZone"], subnet.Inputs["ipRange"]));
        var group = run.OfType(PlacementGroup).Single();
        Assert.Equal((b.PlacementGroup!.Name, "spread"), (group.Inputs["name"], group.Inputs["type"]));

        foreach (var spec in b.Servers)
        {
            var server = run.Named(Server, $"{spec.Key.ResourceName}-server");
            var attachment = Assert.Single(List(server.Inputs, "networks"));
            Assert.Equal((IdOf(network), spec.PrivateIp), (Int(attachment["networkId"]), attachment["ip"]));
            Assert.True(server.Started >= subnet.Finished, $"{server.Name} joined the network before its subnet existed");
            Assert.Equal(spec.Spread ? IdOf(group) : (int?)null, Get(server.Inputs, "placementGroupId") is { } id ? Int(id) : (int?)null);
            Assert.Equal(spec.Key.Role == ServerRole.App, spec.Spread);
        }
        Assert.Equal(b.PlacementGroup.Members.Select(k => k.Id).Order(StringComparer.Ordinal), b.Servers.Where(s => s.Spread).Select(s => s.Key.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Each_server_has_its_roles_firewall()
    {
        var run = await Scale();
        var b = run.Blueprint;
        Assert.Equal(b.Firewalls.Select(f => $"{f.ResourceName}-firewall").Order(), run.OfType(Firewall).Select(f => f.Name).Order());
        foreach (var spec in b.Servers)
        {
            var firewall = b.Firewalls.Single(f => f.Name == spec.FirewallName);
            var ids = ((IList)run.Named(Server, $"{spec.Key.ResourceName}-server").Inputs["firewallIds"]).Cast<object>().Select(Int).ToList();
            Assert.Equal([IdOf(run.Named(Firewall, $"{firewall.ResourceName}-firewall"))], ids);
        }
    }

    [Fact]
    public async Task Docker_on_each_server_waits_for_its_private_address_and_reaches_that_server()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var providerOf = run.Options.Where(o => o.ProviderName is not null).ToDictionary(o => (o.Type, o.Name), o => o.ProviderName!);
        foreach (var spec in b.Servers)
        {
            var name = spec.Key.ResourceName;
            var ready = run.Named(Command, $"{name}-ready");
            var privateIp = run.Named(Command, $"{name}-private-ip");
            Assert.Equal(spec.PrivateIpReadyCommand, privateIp.Inputs["create"]);
            var connection = (IReadOnlyDictionary<string, object>)privateIp.Inputs["connection"];
            Assert.Equal((RecordingMocks.AddressesOf($"{name}-server").Ipv4, RecordingMocks.HostKey), (connection["host"], connection["hostKey"]));
            Assert.True(privateIp.Started >= ready.Finished);

            var provider = run.Named(DockerProvider, ProviderOf(spec.Key));
            Assert.Equal($"ssh://{spec.DeployUser}@{RecordingMocks.AddressesOf($"{name}-server").Ipv4}", provider.Inputs["host"]);
            Assert.True(provider.Started >= privateIp.Finished, $"{provider.Name} before the private address was up");
            foreach (var r in run.Mocks.Registrations.Where(r => r.Type.StartsWith("docker:", StringComparison.Ordinal) && providerOf.GetValueOrDefault((r.Type, r.Name)) == provider.Name))
                Assert.True(r.Started >= privateIp.Finished, $"{r.Type} {r.Name} before {name}'s private address was up");
        }
        // Host commands run over SSH on the server the blueprint places them on, after its gate.
        foreach (var command in b.HostCommands)
        {
            var registration = run.Named(Command, $"{command.Name}-command");
            var host = command.Host.ResourceName;
            Assert.Equal(RecordingMocks.AddressesOf($"{host}-server").Ipv4, ((IReadOnlyDictionary<string, object>)registration.Inputs["connection"])["host"]);
            Assert.True(registration.Started >= run.Named(Command, $"{host}-private-ip").Finished, $"{command.Name} before {host}'s private address was up");
        }
    }

    [Fact]
    public async Task Volumes_and_networks_are_made_on_their_own_server_with_unique_names()
    {
        var run = await Scale();
        var b = run.Blueprint;
        foreach (var spec in b.Volumes)
        {
            // The single-server name for the data server's volumes (and their URNs), the key for an app server's copy.
            var name = $"volumes-{spec.Key}";
            Assert.Equal(spec.Name, run.Named(DockerVolume, name).Inputs["name"]);
            Assert.Equal(ProviderOf(spec.Host), run.OptionsOf(DockerVolume, name).ProviderName);
            Assert.Equal(spec.Protect, run.OptionsOf(DockerVolume, name).Protect ?? false);
        }
        Assert.Contains(b.Volumes, v => v.Host == ServerKey.Data && v.Key == v.Name);
        foreach (var spec in b.Networks)
        {
            var name = $"{ShellDecisions.PerServer("networks", spec.Host)}-{spec.Key}";
            var inputs = run.Named(DockerNetwork, name).Inputs;
            Assert.Equal((spec.Name, spec.Internal), (inputs["name"], inputs["internal"]));
            Assert.Equal(ProviderOf(spec.Host), run.OptionsOf(DockerNetwork, name).ProviderName);
            // The driver's options (e.g. no masquerading on the data server's publish network).
            var options = Get(inputs, "options") is IReadOnlyDictionary<string, object> o ? o.ToDictionary(kv => kv.Key, kv => (string)kv.Value) : [];
            Assert.Equal(spec.Options, options);
        }
        Assert.Contains(b.Networks, n => !n.Options.IsEmpty);
        // A container mounts its own server's copy of a volume.
        foreach (var spec in b.Services)
        {
            var mounts = List(run.Named(Container, $"{spec.Name}-container").Inputs, "volumes").Where(v => v.ContainsKey("volumeName")).Select(v => (string)v["volumeName"]).Order().ToList();
            Assert.Equal(spec.Mounts.Where(m => m.Kind == MountKind.Volume).Select(m => m.Source).Order(), mounts);
        }
    }

    /// <summary>One app server: no load balancer and no Origin CA certificate; DNS points at the app server, the data server stays private.</summary>
    [Fact]
    public async Task With_one_app_server_dns_points_at_it_and_there_is_no_load_balancer()
    {
        // One Traefik gets its certificates from Let's Encrypt by DNS-01, so the stack needs the token for it.
        var text = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.scale.yaml"))
            .Replace("      count: 3\n", "      count: 1\n", StringComparison.Ordinal)
            .Replace("config:\n", "config:\n  platform:cloudflareApiToken:\n    secure: v1:REPLACE-ME-with-pulumi-config-set-secret\n", StringComparison.Ordinal);
        var blueprint = BlueprintBuilder.Build(Platform.Stacks.Settings.SettingsReader.Read(Platform.Stacks.Settings.StackFiles.Parse("platform", "scale", text)));
        Assert.True(blueprint.IsSplit);
        Assert.Null(blueprint.LoadBalancer);
        var run = await StackRun.Of(blueprint, preview: false);

        Assert.Empty(run.OfType(Balancer));
        Assert.Empty(run.OfType(OriginCertificate));
        Assert.Empty(run.OfType(PrivateKey));
        Assert.Equal(2, run.OfType(Server).Count());
        var app = RecordingMocks.AddressesOf($"{ServerKey.App(1).ResourceName}-server");
        Assert.All(run.OfType(Dns), r => Assert.Equal(Equals(r.Inputs["type"], "A") ? app.Ipv4 : app.Ipv6, r.Inputs["content"]));
        Assert.False(run.Outputs.ContainsKey(ShellDecisions.LoadBalancerIpv4Output));
        Assert.All(blueprint.Services.Where(s => s.Host == ServerKey.Data), s =>
            Assert.All(List(run.Named(Container, $"{s.Name}-container").Inputs, "ports"), p => Assert.Equal(blueprint.ServerOf(ServerKey.Data).PrivateIp, p["ip"])));
        Assert.Equal(ProviderOf(ServerKey.App(1)), run.OptionsOf(Container, $"{ServerKey.App(1).Qualify(ServiceNames.Traefik)}-container").ProviderName);
    }

    [Fact]
    public async Task The_origin_certificate_and_its_key_reach_every_traefik_as_secrets()
    {
        var run = await Scale();
        var b = run.Blueprint;
        var origin = b.OriginCertificate!;
        var key = run.OfType(PrivateKey).Single();
        Assert.Equal(("ECDSA", "P256"), (key.Inputs["algorithm"], key.Inputs["ecdsaCurve"]));
        var csr = run.OfType(CertRequest).Single();
        Assert.Equal(origin.Hostnames, ((IList)csr.Inputs["dnsNames"]).Cast<string>());
        Assert.Equal(origin.Hostnames[0], ((IReadOnlyDictionary<string, object>)csr.Inputs["subject"])["commonName"]);
        Assert.Equal(RecordingMocks.PrivateKeyPem, csr.Inputs["privateKeyPem"]);
        var certificate = run.OfType(OriginCertificate).Single();
        Assert.Equal((RecordingMocks.CertRequestPem, "origin-ecc", (double)origin.ValidityDays),
            (certificate.Inputs["csr"], certificate.Inputs["requestType"], Convert.ToDouble(certificate.Inputs["requestedValidity"], CultureInfo.InvariantCulture)));
        Assert.Equal(origin.Hostnames, ((IList)certificate.Inputs["hostnames"]).Cast<string>());

        var commands = run.Resources.OfType<HostCommand>().Where(c => c.GetResourceName().StartsWith(HostCommandNames.TraefikCertificate + "@", StringComparison.Ordinal)).ToList();
        Assert.Equal(b.AppServers.Length, commands.Count);
        foreach (var command in commands)
        {
            Assert.True(await Output.IsSecretAsync(command.Stdin!));
            var stdin = (string)run.Named(Command, $"{command.GetResourceName()}-command").Inputs["stdin"];
            Assert.Contains(RecordingMocks.CertificatePem.Trim(), stdin, StringComparison.Ordinal);
            Assert.Contains(RecordingMocks.PrivateKeyPem.Trim(), stdin, StringComparison.Ordinal);
        }
        // Neither is in any container's environment or labels.
        foreach (var c in run.OfType(Container))
        {
            var envs = Get(c.Inputs, "envs") is IList e ? e.Cast<string>() : [];
            Assert.DoesNotContain(envs, v => v.Contains("mock-key", StringComparison.Ordinal));
        }
    }
}
