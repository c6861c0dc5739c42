using System.Diagnostics;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Parts;
using Platform.Stacks.Policy;
using Platform.Stacks.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Parts.Server;

/// <summary>A split stack: app servers behind a load balancer and a data server on a private network.</summary>
public sealed class TopologyTests
{
    private static string Servers(int apps = 3, string appType = "cx32", string data = "{ type: ccx23, volumeGb: 100 }") =>
        $"platform:servers:\n  app: {{ type: {appType}, count: {apps} }}\n  data: {data}";

    private static string SplitYaml(string servers, string? apps = null, string environment = "staging") =>
        TestStacks.Yaml(apps, extra: servers, environment: environment).Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal);

    private static PlatformBlueprint Split(int apps = 3, string? appsYaml = null, string environment = "staging") =>
        TestStacks.Build(SplitYaml(Servers(apps), appsYaml, environment));

    [Fact]
    public void A_single_server_stack_has_one_server_with_every_role_and_nothing_of_the_split()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var server = Assert.Single(b.Servers);
        Assert.True(server.Key.IsSingle);
        Assert.Null(server.PrivateIp);
        Assert.False(b.IsSplit);
        Assert.Null(b.PrivateNetwork);
        Assert.Null(b.LoadBalancer);
        Assert.Null(b.PlacementGroup);
        Assert.Null(b.OriginCertificate);
        Assert.All(b.Services, s => Assert.Equal(ServerKey.Single, s.Host));
        Assert.All(b.DnsRecords, d => Assert.Equal(AddressTarget.Of(ServerKey.Single), d.Target));
        Assert.Equal("firewall", Assert.Single(b.Firewalls).ResourceName);
    }

    [Fact]
    public void The_servers_have_fixed_distinct_private_addresses_in_one_subnet()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        Assert.Equal(["data", "app-1", "app-2", "app-3"], b.Servers.Select(s => s.Key.Id));
        Assert.Equal(["10.20.1.2", "10.20.1.11", "10.20.1.12", "10.20.1.13"], b.Servers.Select(s => s.PrivateIp));
        Assert.Equal(["platform-scale-data", "platform-scale-app-1", "platform-scale-app-2", "platform-scale-app-3"], b.Servers.Select(s => s.Name));
        Assert.Equal(("10.20.0.0/16", "10.20.1.0/24", "eu-central"), (b.PrivateNetwork!.IpRange, b.PrivateNetwork.SubnetRange, b.PrivateNetwork.NetworkZone));
        Assert.Equal(["ccx23", "cx32", "cx32", "cx32"], b.Servers.Select(s => s.Type));
        Assert.All(b.Servers, s => Assert.True(s.Protect));
        // The app servers spread over Hetzner's hosts; the data server is on its own.
        Assert.Equal(b.AppServers.Select(s => s.Key), b.PlacementGroup!.Members);
        Assert.Equal(b.AppServers.Select(s => s.Key), b.Servers.Where(s => s.Spread).Select(s => s.Key));
    }

    [Fact]
    public void The_load_balancer_sends_80_and_443_with_the_proxy_protocol_to_every_app_server_and_dns_points_at_it()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var lb = b.LoadBalancer!;
        Assert.Equal(b.AppServers.Select(s => s.Key), lb.Targets);
        Assert.Equal([(80, 80), (443, 443)], lb.Services.Select(x => (x.ListenPort, x.DestinationPort)));
        Assert.All(lb.Services, x => Assert.True(x.ProxyProtocol));
        Assert.All(lb.Services, x => Assert.Equal((TopologyBlueprint.TraefikPingPort, "/ping"), (x.HealthPort, x.HealthPath)));
        Assert.StartsWith("10.20.1.", lb.PrivateIp, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Servers, s => s.PrivateIp == lb.PrivateIp);
        Assert.All(b.DnsRecords, d => Assert.True(d.Target.IsLoadBalancer));
        // Every Traefik trusts the PROXY header from the load balancer's address only (not the subnet, where every server's
        // containers are masqueraded to their server's address), and the health check reaches its ping entry point.
        Assert.Equal("10.20.1.254", lb.PrivateIp);
        foreach (var traefik in b.Services.Where(s => s.ContainerName == ServiceNames.Traefik))
        {
            var trusted = traefik.Command.Where(c => c.Contains(".proxyprotocol.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(
            [
                "--entrypoints.traefik.proxyprotocol.trustedips=10.20.1.254/32",
                "--entrypoints.web.proxyprotocol.trustedips=10.20.1.254/32",
                "--entrypoints.websecure.proxyprotocol.trustedips=10.20.1.254/32",
            ], trusted);
            Assert.DoesNotContain(traefik.Command, c => c.Contains("10.20.1.0/24", StringComparison.Ordinal));
            Assert.Contains($"--entrypoints.traefik.address=:{TopologyBlueprint.TraefikPingPort}", traefik.Command);
            Assert.Contains(traefik.PublishedPorts, p => p.HostPort == TopologyBlueprint.TraefikPingPort && p.HostIp == b.ServerOf(traefik.Host).PrivateIp);
        }
    }

    [Fact]
    public void Data_parts_run_on_the_data_server_only_and_their_ports_face_the_private_network_only()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        foreach (var name in new[] { "postgres", "pgbouncer", "app-api.redis", "app-web.redis", "minio", "uptime-kuma", "autokuma", "backup" })
            Assert.Equal(ServerKey.Data, b.Service(name).Host);
        Assert.All(b.Services.Where(s => s.Kind == ServiceKind.Data), s => Assert.Equal(ServerKey.Data, s.Host));
        Assert.All(b.Services.Where(s => s.Kind == ServiceKind.App), s => Assert.Equal(ServerRole.App, s.Host.Role));
        Assert.Equal([6432], b.Service("pgbouncer").PublishedPorts.Select(p => p.HostPort));
        Assert.Equal([5432], b.Service("postgres").PublishedPorts.Select(p => p.HostPort));
        // Each Redis instance on its own port of the private address, the one its apps' REDIS_URL names (and its redis.conf).
        var settings = TestStacks.Shipped("scale");
        foreach (var i in Platform.Stacks.Parts.Redis.RedisNames.Of(settings))
        {
            Assert.InRange(i.Port, 20000, 29999);
            Assert.Equal([i.Port], b.Service(i.Container).PublishedPorts.Select(p => p.HostPort));
            foreach (var member in i.Members)
                Assert.EndsWith($"@redis:{i.Port}/0", b.Services.First(x => x.App == member).Env["REDIS_URL"].Masked, StringComparison.Ordinal);
        }
        Assert.Equal(2, Platform.Stacks.Parts.Redis.RedisNames.Of(settings).Select(i => i.Port).Distinct().Count());
        Assert.Contains(b.Services.Single(x => x.Name == "worker-1").ExtraHosts, h => h.Host == "redis");
        // Docker publishes no port of a container on internal networks only: those join a bridge without masquerading.
        var publish = Assert.Single(b.Networks, n => n.Name == ServiceNames.PublishNetwork);
        Assert.Equal((ServerKey.Data, false, "false"), (publish.Host, publish.Internal, publish.Options["com.docker.network.bridge.enable_ip_masquerade"]));
        foreach (var s in b.Services.Where(s => !s.PublishedPorts.IsEmpty))
            Assert.Contains(s.Networks, n => !b.Networks.Single(x => x.Name == n.Network && x.Host == s.Host).Internal);
        Assert.Contains(b.Service("pgbouncer").Networks, n => n.Network == ServiceNames.PublishNetwork);
        Assert.All(b.Services.SelectMany(s => s.PublishedPorts), p => Assert.StartsWith("10.20.1.", p.HostIp, StringComparison.Ordinal));
        Assert.Empty(Policies.Check(b));
        // The data server's firewall lets in SSH from the admin CIDRs and ping, nothing else.
        var data = b.Firewalls.Single(f => f.Name == b.ServerOf(ServerKey.Data).FirewallName);
        Assert.Equal(["22", null], data.Rules.Select(r => r.Port));
        Assert.Equal(b.Firewalls.Single(f => f.ResourceName == "firewall-app").Name, b.ServerOf(ServerKey.App(2)).FirewallName);
    }

    [Fact]
    public void A_data_port_on_a_public_interface_breaks_the_policy()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var redis = b.Service("app-api.redis");
        var exposed = b with { Services = b.Services.Replace(redis, redis with { PublishedPorts = [new PublishedPort("0.0.0.0", 6379, 6379, "tcp")] }) };
        Assert.Contains(Policies.Check(exposed), v => v.Rule == "only-traefik-publishes-ports" && v.Subject == "app-api.redis");
        var open = b with { Firewalls = [.. b.Firewalls.Select(f => f.ResourceName == "firewall-data" ? f with { Rules = f.Rules.Add(new("PostgreSQL", "tcp", "5432", ["0.0.0.0/0"])) } : f)] };
        Assert.Contains(Policies.Check(open), v => v.Rule == "data-server-closed");
        // On prod the network and the load balancer are protected like the servers and the volume.
        Assert.True(b.PrivateNetwork!.Protect && b.LoadBalancer!.Protect);
        var unprotected = b with { LoadBalancer = b.LoadBalancer with { Protect = false }, PrivateNetwork = b.PrivateNetwork with { Protect = false } };
        var problems = Policies.Check(unprotected).Where(v => v.Rule == "prod-protected-and-backed-up").Select(v => v.Problem).ToList();
        Assert.Contains(problems, p => p.Contains("load balancer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("private network", StringComparison.Ordinal));
        Assert.False(Split().LoadBalancer!.Protect);
    }

    [Fact]
    public void App_instances_spread_round_robin_over_the_app_servers_one_per_server_by_default()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        // landing, web and api leave instances unset: one on every app server.
        foreach (var app in new[] { "landing", "web", "api", "admin" })
            Assert.Equal(["app-1", "app-2", "app-3"], b.Services.Where(s => s.App == app && !s.OneShot).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Host.Id));
        Assert.Equal(["app-1", "app-2"], b.Services.Where(s => s.App == "worker").OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Host.Id));
        // Each app server's Traefik routes to the instances next to it, so it depends on its own Traefik only.
        Assert.Equal(["traefik@app-2"], b.Service("web-2").DependsOn.Where(d => d.StartsWith("traefik", StringComparison.Ordinal)));
        Assert.Contains("app-web.attach@app-2", b.Service("web-2").AfterHostCommands);
        Assert.Equal(ServerKey.App(2), b.HostCommands.Single(c => c.Name == "app-web.attach@app-2").Host);
    }

    [Fact]
    public void Apps_reach_the_data_services_by_their_usual_names_at_the_data_servers_private_address()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var api = b.Service("api-3");
        Assert.Equal([("minio", "10.20.1.2"), ("pgbouncer", "10.20.1.2"), ("postgres", "10.20.1.2"), ("redis", "10.20.1.2")],
            api.ExtraHosts.Select(h => (h.Host, h.Ip)).OrderBy(h => h.Host, StringComparer.Ordinal));
        Assert.Contains("@pgbouncer:6432/api", api.Env["DATABASE_URL"].Masked, StringComparison.Ordinal);
        Assert.Contains("@postgres:5432/api", api.Env["DATABASE_DIRECT_URL"].Masked, StringComparison.Ordinal);
        // The data network is internal to the data server: no app container is on it.
        Assert.DoesNotContain(api.Networks, n => n.Network.EndsWith(".data", StringComparison.Ordinal));
        Assert.DoesNotContain(b.Networks, n => n.Host.Role == ServerRole.App && n.Internal && n.Name != ServiceNames.ControlNetwork && n.Name != Platform.Stacks.Parts.Observability.ObservabilityNames.LogsNetwork);
        Assert.Empty(b.Service("landing-1").ExtraHosts);
    }

    [Fact]
    public void Several_traefiks_serve_one_origin_ca_certificate_and_never_ask_lets_encrypt()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var origin = b.OriginCertificate!;
        Assert.Equal<string>(["brightlane.cloud", "*.brightlane.cloud"], origin.Hostnames);
        Assert.Equal(SecretSource.PrivateKey, b.Secrets.Single(s => s.Name == origin.KeySecret).Source);
        Assert.Equal(SecretSource.OriginCertificate, b.Secrets.Single(s => s.Name == origin.CertificateSecret).Source);
        Assert.DoesNotContain(b.Services.SelectMany(s => s.Labels.Keys), k => k.EndsWith(".tls.certresolver", StringComparison.Ordinal));
        foreach (var traefik in b.Services.Where(s => s.ContainerName == ServiceNames.Traefik))
        {
            Assert.DoesNotContain(traefik.Command, c => c.StartsWith("--certificatesresolvers.", StringComparison.Ordinal));
            Assert.False(traefik.Env.ContainsKey("CF_DNS_API_TOKEN"));
            Assert.Contains(traefik.Mounts, m => m.Source == TopologyBlueprint.TraefikCertHostDirectory && m.ReadOnly);
        }
        // Nothing uses Traefik's DNS-01 token, so the stack neither needs nor lists it.
        Assert.DoesNotContain(b.Secrets, x => x.Name == "cloudflareApiToken");
        Assert.DoesNotContain(TestStacks.Errors(SplitYaml(Servers()).Replace("  platform:cloudflareApiToken:\n    secure: v1:abc\n", "", StringComparison.Ordinal)),
            e => e.Key == "platform:cloudflareApiToken");
        Assert.Contains(TestStacks.Errors(SplitYaml(Servers(apps: 1)).Replace("  platform:cloudflareApiToken:\n    secure: v1:abc\n", "", StringComparison.Ordinal)),
            e => e.Key == "platform:cloudflareApiToken");
        // Each app server writes the certificate from the secrets (never a plain value), before the routes that use it.
        foreach (var server in b.AppServers)
        {
            var cert = b.HostCommands.Single(c => c.Name == server.Key.Qualify(HostCommandNames.TraefikCertificate));
            Assert.Equal(server.Key, cert.Host);
            Assert.Contains($"<secret:{origin.KeySecret}>", cert.Stdin!.Masked, StringComparison.Ordinal);
            Assert.Contains($"<secret:{origin.CertificateSecret}>", cert.Stdin.Masked, StringComparison.Ordinal);
            Assert.Contains(cert.Name, b.HostCommands.Single(c => c.Name == server.Key.Qualify(HostCommandNames.TraefikEdgeRoutes)).AfterCommands);
        }
    }

    [Fact]
    public void Every_traefik_routes_the_data_servers_public_hosts_through_its_file_provider()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var edge = b.HostCommands.Single(c => c.Name == "traefik-edge-routes@app-1");
        var yaml = edge.Stdin!.Masked;
        var doc = new YamlStream();
        doc.Load(new StringReader(yaml[yaml.IndexOf("http:", StringComparison.Ordinal)..yaml.IndexOf("PLATFORM_EDGE_YML", yaml.IndexOf("http:", StringComparison.Ordinal), StringComparison.Ordinal)]));
        var root = (YamlMappingNode)doc.Documents[0].RootNode;
        var http = (YamlMappingNode)root["http"];
        Assert.Equal("http://10.20.1.2:9000", ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)http["services"])["minio"])["loadBalancer"])["servers"]).Children[0])["url"]).Value);
        Assert.Equal("Host(`files.brightlane.cloud`)", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)http["routers"])["minio"])["rule"]).Value);
        var defaultCertificate = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["tls"])["stores"])["default"])["defaultCertificate"];
        Assert.Equal($"{TopologyBlueprint.TraefikCertDirectory}/origin.crt", ((YamlScalarNode)defaultCertificate["certFile"]).Value);
        // The load balancer is not behind Hetzner's firewall: Traefik refuses HTTPS connections that do not come from Cloudflare.
        var cloudflareOnly = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)http["middlewares"])[TopologyBlueprint.CloudflareOnlyMiddleware])["ipAllowList"];
        Assert.Equal(Catalog.CloudflareRanges.All, ((YamlSequenceNode)cloudflareOnly["sourceRange"]).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.False(cloudflareOnly.Children.ContainsKey(new YamlScalarNode("ipStrategy")));
        Assert.All(b.Services.Where(s => s.ContainerName == ServiceNames.Traefik),
            s => Assert.Contains($"--entrypoints.websecure.http.middlewares={TopologyBlueprint.CloudflareOnlyMiddleware}@file", s.Command));
        // MinIO carries no routing labels: there is no Traefik on the data server.
        Assert.DoesNotContain(b.Service("minio").Labels.Keys, k => k.StartsWith("traefik.", StringComparison.Ordinal));
        Assert.Equal("http://10.20.1.2:3001", b.FileRoutes.Single(r => r.Router == "status").ServiceUrl);
    }

    [Fact]
    public void Every_server_reports_its_host_metrics()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        foreach (var server in b.AppServers)
        {
            var metrics = b.Service($"host-metrics@{server.Key}");
            Assert.Equal(server.Key, metrics.Host);
            Assert.Equal("http://10.20.1.2:3001", metrics.Env["KUMA_URL"].Masked);
            Assert.False(metrics.Env.ContainsKey("PGPASSWORD"));
            // No database on an app server: its agent waits for Uptime Kuma only, not for the data server's provisioning.
            Assert.Empty(metrics.AfterHostCommands);
            Assert.Equal($"<secret:host-metrics-{server.Key}-cpu-push-token>", metrics.Files.Single(f => f.Path == Platform.Stacks.Operations.HostMetrics.SecretFile("PUSH_TOKEN_CPU")).Content.Masked);
            Assert.Contains(b.Monitors, m => m.Kind == "push" && m.Target.EndsWith($"threshold-cpu-{server.Key}", StringComparison.Ordinal));
            // What the load balancer's health check sees, Uptime Kuma watches too: a Traefik out of rotation alerts.
            Assert.Contains(b.Monitors, m => m.Kind == "http" && m.Target == $"http://{server.PrivateIp}:{TopologyBlueprint.TraefikPingPort}/ping");
            Assert.Contains(b.Secrets, s => s.Name == $"host-metrics-{server.Key}-disk-push-token" && s.Source == SecretSource.Generated);
        }
        Assert.Equal(ServerKey.Data, b.Service("host-metrics").Host);
    }

    [Fact]
    public void The_data_volume_is_the_data_servers_and_holds_its_durable_volumes_only()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var volume = b.DataVolume!;
        Assert.Equal((ServerKey.Data, 100, true), (volume.Server, volume.SizeGb, volume.Protect));
        Assert.All(b.Volumes.Where(v => v.HostPath is not null), v => Assert.Equal(ServerKey.Data, v.Host));
        Assert.Equal($"{ServerBlueprint.DataVolumeMountPath}/postgres-data", b.Volumes.Single(v => v.Name == "postgres-data").HostPath);
        // Behind the load balancer no Traefik keeps ACME state; with one app server it keeps it on its own disk.
        Assert.DoesNotContain(b.Volumes, v => v.Name == "traefik-acme");
        Assert.All(b.Services.Where(s => s.ContainerName == ServiceNames.Traefik), s => Assert.DoesNotContain(s.Mounts, m => m.Source == "traefik-acme"));
        var one = Split(apps: 1);
        Assert.Equal([(ServerKey.App(1), (string?)null)], one.Volumes.Where(v => v.Name == "traefik-acme").Select(v => (v.Host, v.HostPath)));
    }

    [Fact]
    public void Each_server_has_its_own_budget_and_the_cost_lists_servers_addresses_load_balancer_and_volume()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        Assert.Equal(4, b.Budgets.Length);
        Assert.All(b.Budgets, x => Assert.True(x.Fits, $"{x.Server}: {x.TotalMb} of {x.ServerMemoryMb} MB"));
        Assert.Contains(b.Budgets.Single(x => x.Server == ServerKey.Data).Lines, l => l.Name == "postgres");
        Assert.DoesNotContain(b.Budgets.Single(x => x.Server == ServerKey.App(1)).Lines, l => l.Name == "postgres");
        Assert.Equal(3, b.Budgets.Single(x => x.Server == ServerKey.App(1)).Lines.Count(l => l.Kind == "edge" || l.Name.StartsWith("host-metrics", StringComparison.Ordinal)));
        var lines = b.Cost.Lines.ToDictionary(l => l.Item[..l.Item.IndexOf(' ', 8)], l => l);
        Assert.Equal(3m, b.Cost.Lines.Single(l => l.Item.Contains("app server", StringComparison.Ordinal)).Quantity);
        Assert.Equal(4m, b.Cost.Lines.Single(l => l.Item.StartsWith("Primary IPv4", StringComparison.Ordinal)).Quantity);
        Assert.Equal(5.39m, b.Cost.Lines.Single(l => l.Item.Contains("load balancer", StringComparison.Ordinal)).MonthlyEur);
        Assert.Equal(4.4m, b.Cost.Lines.Single(l => l.Item.StartsWith("Hetzner Volume", StringComparison.Ordinal)).MonthlyEur);
        Assert.Equal(3 * 7.59m + 27.59m + 4 * 0.5m + 5.39m + 4.4m + 200 * 0.0055m, b.Cost.MonthlyEur);
        // Each server's own share, and what they share, add up to the total.
        Assert.Equal([("data", 32.49m), ("app-1", 8.09m), ("app-2", 8.09m), ("app-3", 8.09m)], b.Cost.PerServer.Select(x => (x.Server.Id, x.MonthlyEur)));
        Assert.Equal(5.39m + 200 * 0.0055m, b.Cost.MonthlyEur - b.Cost.PerServer.Sum(x => x.MonthlyEur));
        Assert.Contains("  cost: 32.49 EUR/month (the server, its IPv4, the data volume)", Platform.Stacks.Plan.PlanText.Render(b), StringComparison.Ordinal);
        var cheaper = TestStacks.Build(SplitYaml(Servers() + "\nplatform:prices: { lb11: 4.99 }"));
        Assert.Equal(4.99m, cheaper.Cost.Lines.Single(l => l.Item.Contains("load balancer", StringComparison.Ordinal)).MonthlyEur);
    }

    [Fact]
    public void With_one_app_server_there_is_no_load_balancer_and_its_traefik_is_the_single_servers()
    {
        var b = Split(apps: 1);
        Assert.Null(b.LoadBalancer);
        Assert.Null(b.OriginCertificate);
        Assert.All(b.DnsRecords, d => Assert.Equal(AddressTarget.Of(ServerKey.App(1)), d.Target));
        var traefik = b.Service("traefik@app-1");
        Assert.Equal(["0.0.0.0:80", ":::80", "0.0.0.0:443", ":::443"], traefik.PublishedPorts.Select(p => $"{p.HostIp}:{p.HostPort}"));
        Assert.Contains(traefik.Command, c => c.StartsWith("--certificatesresolvers.letsencrypt.", StringComparison.Ordinal));
        // Cloudflare reaches it directly: the app firewall opens 80/443 as a single server's does.
        Assert.Contains(b.Firewalls.Single(f => f.ResourceName == "firewall-app").Rules, r => r.Port == "443");
        Assert.Empty(Policies.Check(b));
    }

    [Fact]
    public void Every_mistake_in_servers_is_reported_at_once_with_its_key()
    {
        var yaml = TestStacks.Yaml(extra: "platform:dataVolumeGb: 50\nplatform:servers:\n  app: { type: cx99, count: 11 }\n  data: { type: ccx23, count: 2, volumeGb: 5 }\n  redis: { type: cx22 }");
        var keys = TestStacks.Errors(yaml).Select(e => e.Key).ToList();
        foreach (var key in new[] { "platform:serverType", "platform:dataVolumeGb", "platform:servers.app.type", "platform:servers.app.count",
                     "platform:servers.data.count", "platform:servers.data.volumeGb", "platform:servers.redis" })
            Assert.Contains(key, keys);
        var missing = TestStacks.Errors(SplitYaml("platform:servers:\n  app: { count: 2 }"));
        Assert.Contains(missing, e => e.Key == "platform:servers.data" && e.Fix.Contains("volumeGb", StringComparison.Ordinal));
        Assert.Contains(missing, e => e.Key == "platform:servers.app.type");
        var noVolume = TestStacks.Errors(SplitYaml("platform:servers:\n  app: { type: cx32 }\n  data: { type: ccx23 }"));
        Assert.Contains(noVolume, e => e.Key == "platform:servers.data.volumeGb");
    }

    [Fact]
    public void What_a_split_stack_cannot_do_is_refused_with_the_key_and_the_fix()
    {
        const string apps = """
            - name: files
              image: ghcr.io/example/files:1.0.0
              port: 8080
              routes: [{ host: files-app }, { domain: tenant.example.org }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
              volumes: [{ name: data, mountPath: /data, sizeGb: 5 }]
            - name: web
              image: ghcr.io/example/web:1.0.0
              port: 3000
              routes: [{ host: app }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
              talksTo: [search]
            - name: search
              image: ghcr.io/example/search:1.0.0
              healthCommand: [CMD, search, --check]
              cpus: 0.5
              memoryMb: 128
              instances: 1
            """;
        var servers = Servers() + "\nplatform:cloudflareOnlyIngress: false";
        var errors = TestStacks.Errors(SplitYaml(servers, apps));
        Assert.Contains(errors, e => e.Key == "platform:apps[0].volumes" && e.Fix.Contains("bucket", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:apps[2].instances");
        // A tenant's own domain is served behind the load balancer too (see the tenant issuer's test).
        Assert.DoesNotContain(errors, e => e.Key.EndsWith(".domain", StringComparison.Ordinal));
    }

    [Fact]
    public void Behind_the_load_balancer_one_traefik_gets_the_tenants_certificates_and_the_others_hand_it_their_traffic()
    {
        const string apps = """
            - name: shop
              image: ghcr.io/example/shop:1.0.0
              port: 8080
              routes: [{ host: shop }, { domain: shop.tenant.example.org }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
            """;
        var b = TestStacks.Build(SplitYaml(Servers() + "\nplatform:cloudflareOnlyIngress: false", apps));
        // app-1 is the issuer: its Traefik keeps the HTTP-01 resolver and its ACME state; nothing asks for the zone.
        var issuer = b.Service("traefik@app-1");
        Assert.Contains(issuer.Command, c => c.StartsWith($"--certificatesresolvers.{Routing.HttpCertResolver}.acme.httpchallenge.entrypoint=web", StringComparison.Ordinal));
        Assert.DoesNotContain(issuer.Command, c => c.StartsWith($"--certificatesresolvers.{Routing.CertResolver}.", StringComparison.Ordinal));
        Assert.Contains(issuer.Mounts, m => m.Source == "traefik-acme");
        Assert.Equal([ServerKey.App(1)], b.Volumes.Where(v => v.Name == "traefik-acme").Select(v => v.Host));
        Assert.Contains(b.Services.Where(s => s.App == "shop").SelectMany(s => s.Labels), l => l.Key.EndsWith(".tls.certresolver", StringComparison.Ordinal) && l.Value == Routing.HttpCertResolver);
        Assert.Empty(Policies.Check(b));
        Assert.Equal((ServerKey.App(1), "shop.tenant.example.org"), (b.TenantIssuer!.Server, Assert.Single(b.TenantIssuer.Domains)));
        Assert.Contains("tenant domains (shop.tenant.example.org): certificates by HTTP-01 on app-1 only; app-2, app-3 forward", Platform.Stacks.Plan.PlanText.Render(b), StringComparison.Ordinal);
        YamlMappingNode Edge(string server)
        {
            var yaml = b.HostCommands.Single(c => c.Name == $"traefik-edge-routes@{server}").Stdin!.Masked;
            var start = yaml.IndexOf("http:", StringComparison.Ordinal);
            var doc = new YamlStream();
            doc.Load(new StringReader(yaml[start..yaml.IndexOf("PLATFORM_EDGE_YML", start, StringComparison.Ordinal)]));
            return (YamlMappingNode)doc.Documents[0].RootNode;
        }
        Assert.False(Edge("app-1").Children.ContainsKey(new YamlScalarNode("tcp")));
        foreach (var other in new[] { "app-2", "app-3" })
        {
            var root = Edge(other);
            var passthrough = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["tcp"])["routers"])[EdgeBlueprint.TenantPassthroughRouter];
            Assert.Equal("HostSNI(`shop.tenant.example.org`)", ((YamlScalarNode)passthrough["rule"]).Value);
            Assert.Equal("true", ((YamlScalarNode)((YamlMappingNode)passthrough["tls"])["passthrough"]).Value);
            var service = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["tcp"])["services"])[EdgeBlueprint.TenantPassthroughRouter])["loadBalancer"];
            Assert.Equal("10.20.1.11:443", ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)service["servers"]).Children[0])["address"]).Value);
            Assert.Equal("2", ((YamlScalarNode)((YamlMappingNode)service["proxyProtocol"])["version"]).Value);
            var challenge = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["http"])["routers"])[EdgeBlueprint.TenantChallengeRouter];
            // A priority Traefik accepts on a user router (at most MaxInt-1000), above the lowered entry-point redirect.
            Assert.Equal("10000", ((YamlScalarNode)challenge["priority"]).Value);
            Assert.Contains("--entrypoints.web.http.redirections.entrypoint.priority=1", b.Service($"traefik@{other}").Command);
            Assert.Contains("Host(`shop.tenant.example.org`)", ((YamlScalarNode)challenge["rule"]).Value, StringComparison.Ordinal);
            // The other Traefiks have no resolver at all.
            Assert.DoesNotContain(b.Service($"traefik@{other}").Command, c => c.StartsWith("--certificatesresolvers.", StringComparison.Ordinal));
        }
        // Without tenant domains nobody issues anything.
        Assert.Null(TopologyBlueprint.TenantIssuer(TestStacks.Shipped("scale"), TestStacks.Shipped("scale").Topology!));
    }

    [Fact]
    public void An_app_server_too_small_for_its_instances_is_named_with_the_fix()
    {
        const string apps = """
            - name: big
              image: ghcr.io/example/big:1.0.0
              healthCommand: [CMD, big, --check]
              cpus: 1
              memoryMb: 4096
            """;
        var errors = TestStacks.Errors(SplitYaml(Servers(apps: 2, appType: "cx22"), apps));
        // Both app servers carry one instance each, and each is named.
        Assert.Equal(["platform:servers.app.type", "platform:servers.app.type"], errors.Select(e => e.Key));
        Assert.Contains(errors, e => e.Problem.Contains("app-1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Problem.Contains("app-2", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains("servers.app.count", e.Fix, StringComparison.Ordinal));
    }

    [Fact]
    public void An_apps_scheduled_jobs_run_on_the_first_app_server_and_report_to_the_data_server()
    {
        const string apps = """
            - name: shop
              image: ghcr.io/example/shop:1.0.0
              port: 8080
              routes: [{ host: shop }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
              jobs: [{ name: nightly, schedule: "0 3 * * *", command: [shop, nightly] }]
            """;
        var b = Split(appsYaml: apps);
        var job = b.Services.Single(s => s.Schedule is not null);
        Assert.Equal(ServerKey.App(1), job.Host);
        var timers = b.HostCommands.Single(c => c.Name == AppNames.JobsCommand("shop"));
        Assert.Equal(ServerKey.App(1), timers.Host);
        Assert.Contains("http://10.20.1.2:3001/api/push/", timers.Stdin!.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void The_private_address_wait_passes_once_the_address_is_up_and_fails_with_a_message_otherwise()
    {
        static (int Code, string Err) Run(string command)
        {
            using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true })!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, err);
        }
        Assert.Equal(0, Run(TopologyBlueprint.PrivateIpReady("127.0.0.1", 5)).Code);
        var (code, message) = Run(TopologyBlueprint.PrivateIpReady("10.255.255.254", 3));
        Assert.NotEqual(0, code);
        Assert.Contains("10.255.255.254 did not come up", message, StringComparison.Ordinal);
        Assert.Equal(TopologyBlueprint.PrivateIpReady("10.20.1.12"), TestStacks.ShippedBlueprint("scale").ServerOf(ServerKey.App(2)).PrivateIpReadyCommand);
    }

    [Fact]
    public void Names_copied_onto_app_servers_never_meet_a_platform_or_app_name()
    {
        var b = TestStacks.ShippedBlueprint("scale");
        var copies = b.Services.Where(s => s.Name.Contains('@', StringComparison.Ordinal)).Select(s => s.Name).ToList();
        // Traefik, its proxy and host metrics, and the observability part's collector, its proxy and node-exporter, on each of 3 app servers.
        Assert.Equal(18, copies.Count);
        Assert.All(copies, n => Assert.DoesNotContain(n[..n.IndexOf('@', StringComparison.Ordinal)], b.Services.Where(s => s.App is not null).Select(s => s.Name)));
        // App names cannot hold '@' (they are DNS labels), so no app can produce a copy's name.
        Assert.Contains(TestStacks.Errors(TestStacks.Yaml(apps: """
            - name: traefik@app-1
              image: ghcr.io/example/x:1.0.0
              healthCommand: [CMD, x]
              cpus: 0.5
              memoryMb: 64
            """)), e => e.Key == "platform:apps[0].name");
    }
}
