using System.Globalization;
using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>
/// A split stack's plan says what runs where: every server with its role, address, firewall and budget, the private
/// network, the load balancer and the certificate, and for every container, volume, network and host command its server.
/// A single-server plan keeps its one-server form.
/// </summary>
public sealed class SplitPlanTests
{
    private static readonly PlatformBlueprint Scale = TestStacks.ShippedBlueprint("scale");
    private static readonly string ScaleText = PlanText.Render(Scale);

    /// <summary>The scale stack with one app server: no load balancer, Traefik keeps Let's Encrypt.</summary>
    private static PlatformBlueprint OneAppServer() => BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "scale",
        File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml")).Replace("      count: 3\n", "      count: 1\n", StringComparison.Ordinal)
            // One Traefik asks Let's Encrypt itself (DNS-01): it needs the token a load-balanced stack does without.
            + "  platform:cloudflareApiToken:\n    secure: v1:abc\n")));

    private static string[] Section(string text, string title)
    {
        var lines = text.Split('\n');
        var start = Array.IndexOf(lines, $"== {title} ==");
        Assert.True(start >= 0, $"no section {title}");
        return [.. lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("== ", StringComparison.Ordinal))];
    }

    private static string Mb(int mb) => mb.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void The_scale_plan_names_every_server_with_its_role_address_firewall_and_budget()
    {
        Assert.Equal(4, Scale.Servers.Length);
        var servers = Section(ScaleText, "Servers");
        var budget = Section(ScaleText, "Memory budget");
        foreach (var (server, memory) in Scale.Servers.Zip(Scale.Budgets))
        {
            Assert.Equal(server.Key, memory.Server);
            var role = server.Key.Role == ServerRole.Data ? "data server" : $"app server {server.Key.Index}";
            Assert.Contains(servers, l => l.StartsWith($"{server.Key}: {server.Name}, {role}, Hetzner {server.Type} ", StringComparison.Ordinal));
            Assert.Contains(servers, l => l.StartsWith($"  private IP {server.PrivateIp} on {Scale.PrivateNetwork!.Name}; firewall {server.FirewallName}", StringComparison.Ordinal));
            // Each server's budget: its header, then its own total against its own RAM.
            var at = Array.IndexOf(budget, $"{server.Key}: {server.Name} ({server.Type}, {Mb(server.MemoryMb)} MB)");
            Assert.True(at >= 0, $"no budget for {server.Key}");
            Assert.Contains($"  total {Mb(memory.TotalMb)} MB of {Mb(memory.ServerMemoryMb)} MB ({server.Type}); {Mb(memory.FreeMb)} MB free",
                budget.Skip(at + 1).TakeWhile(l => l.StartsWith(' ')));
        }
        Assert.Contains($"all servers: {Mb(Scale.Budgets.Sum(x => x.TotalMb))} MB of {Mb(Scale.Budgets.Sum(x => x.ServerMemoryMb))} MB; {Mb(Scale.Budgets.Sum(x => x.FreeMb))} MB free", budget);
        // The data server holds the data parts; the app servers what is copied onto each and the apps.
        Assert.Contains("  parts: postgres, redis, minio, monitoring, backups, observability", servers);
        Assert.Contains(servers, l => l.StartsWith("  data volume platform-scale-data: Hetzner Volume, 100 GB", StringComparison.Ordinal));
    }

    [Fact]
    public void The_scale_plan_prices_every_server_address_the_load_balancer_the_volume_and_the_backups()
    {
        var cost = Section(ScaleText, "Monthly cost estimate (EUR, excl. VAT)");
        Assert.Contains(cost, l => l.StartsWith("  Hetzner cx32 app server (", StringComparison.Ordinal) && l.Contains(": 3 month x ", StringComparison.Ordinal));
        Assert.Contains(cost, l => l.StartsWith("  Hetzner ccx23 data server (", StringComparison.Ordinal) && l.Contains(": 1 month x ", StringComparison.Ordinal));
        Assert.Contains(cost, l => l.StartsWith("  Primary IPv4 address (one per server): 4 month x ", StringComparison.Ordinal));
        Assert.Contains(cost, l => l.StartsWith("  Hetzner lb11 load balancer: 1 month x ", StringComparison.Ordinal));
        Assert.Contains(cost, l => l.StartsWith("  Hetzner Volume for the stateful data (platform:servers.data.volumeGb): 100 GB-month x ", StringComparison.Ordinal));
        Assert.Contains(cost, l => l.StartsWith("  Off-site backup storage at ", StringComparison.Ordinal));
        Assert.Contains($"  total {Scale.Cost.MonthlyEur.ToString("0.00", CultureInfo.InvariantCulture)} EUR/month", cost);
        Assert.Contains("  per server: data 32.49, app-1 8.09, app-2 8.09, app-3 8.09; shared: 6.49 (load balancer, off-site storage)", cost);
        Assert.Equal(Scale.Cost.Lines.Length + 2, cost.Count(l => l.Length > 0));
    }

    [Fact]
    public void The_scale_plan_shows_the_private_network_the_load_balancer_and_the_certificate()
    {
        var servers = Section(ScaleText, "Servers");
        Assert.Contains("private network platform-scale: Hetzner network 10.20.0.0/16, subnet 10.20.1.0/24 in eu-central; every server and the load balancer at a fixed address", servers);
        Assert.Contains("placement group platform-scale-app: spread (each member on a different physical host): app-1, app-2, app-3", servers);
        Assert.Contains("load balancer platform-scale: Hetzner lb11 in fsn1, private IP 10.20.1.254; targets (by private IP): app-1 10.20.1.11, app-2 10.20.1.12, app-3 10.20.1.13", servers);
        foreach (var port in new[] { 80, 443 })
            Assert.Contains($"  tcp {port} -> {port} with the PROXY protocol; health check http :8080/ping every 10s (timeout 5s, 3 retries)", servers);
        Assert.Contains(servers, l => l.StartsWith("certificate: Cloudflare Origin CA for brightlane.cloud, *.brightlane.cloud", StringComparison.Ordinal));
    }

    [Fact]
    public void Firewalls_are_one_per_role_and_dns_says_what_it_points_at()
    {
        var network = Section(ScaleText, "Network: firewalls, DNS, routes, Docker networks");
        Assert.Contains("firewall platform-scale-data, on the data server: data (inbound; everything else dropped):", network);
        Assert.Contains("firewall platform-scale-app, on the app servers: app-1, app-2, app-3 (inbound; everything else dropped):", network);
        Assert.All(network.Where(l => l.Contains(" A -> ", StringComparison.Ordinal) || l.Contains(" AAAA -> ", StringComparison.Ordinal)),
            l => Assert.Contains(" -> load balancer IPv", l, StringComparison.Ordinal));
        Assert.DoesNotContain(network, l => l.Contains("-> server IPv", StringComparison.Ordinal));

        var one = PlanText.Render(OneAppServer());
        Assert.Contains("  brightlane.cloud A -> server app-1 IPv4 proxied ttl 1", one.Split('\n'));
        Assert.Contains("load balancer: none (one app server); DNS points at app-1", one.Split('\n'));
        Assert.DoesNotContain("certificate: Cloudflare Origin CA", one, StringComparison.Ordinal);
    }

    [Fact]
    public void Routes_name_their_certificate_and_a_file_route_without_a_step_is_not_live_after_nothing()
    {
        var routes = Section(ScaleText, "Network: firewalls, DNS, routes, Docker networks").Where(l => l.StartsWith("  [", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(routes);
        Assert.All(routes, l => Assert.EndsWith("; certificate: Origin CA (file)", l, StringComparison.Ordinal));
        Assert.DoesNotContain("live after )", ScaleText, StringComparison.Ordinal);
        Assert.Contains(routes, l => l.Contains("-> http://10.20.1.2:9000 (file route);", StringComparison.Ordinal));
        Assert.Contains(routes, l => l.Contains("(file route, live after uptime-kuma-setup-check);", StringComparison.Ordinal));
        // With one app server its Traefik keeps Let's Encrypt.
        var one = PlanText.Render(OneAppServer()).Split('\n').Where(l => l.StartsWith("  [", StringComparison.Ordinal)).ToList();
        Assert.All(one, l => Assert.EndsWith("; certificate by DNS-01", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_container_volume_network_and_host_command_says_its_server()
    {
        var lines = ScaleText.Split('\n');
        foreach (var s in Scale.Services)
            Assert.Contains($"{s.Name} [{s.Kind.ToString().ToLowerInvariant()}] {s.Image} on {s.Host}", lines);
        foreach (var v in Scale.Volumes)
            Assert.Contains(lines, l => l.StartsWith($"volume {v.Name} on {v.Host}: ", StringComparison.Ordinal));
        foreach (var c in Scale.HostCommands)
            Assert.Contains(lines, l => l.StartsWith($"host command {c.Name} on {c.Host}: ", StringComparison.Ordinal));
        foreach (var n in Scale.Networks)
            Assert.Contains(lines, l => l.StartsWith($"  {n.Name} on {n.Host}", StringComparison.Ordinal));
        // A network lists only the containers of its own server.
        var edgeOnData = lines.Single(l => l.StartsWith("  edge on data: ", StringComparison.Ordinal));
        Assert.DoesNotContain("traefik@", edgeOnData, StringComparison.Ordinal);
        Assert.StartsWith("  edge on app-2: alloy@app-2, host-metrics@app-2, node-exporter@app-2, traefik@app-2 — ", lines.Single(l => l.StartsWith("  edge on app-2: ", StringComparison.Ordinal)), StringComparison.Ordinal);
        // App containers reach the data services at the data server's private address.
        var api = Scale.Service("api-1");
        Assert.Contains(api.ExtraHosts, h => h.Host == "pgbouncer" && h.Ip == "10.20.1.2");
        Assert.Contains($"  extra hosts: {string.Join(", ", api.ExtraHosts.Select(h => $"{h.Host}={h.Ip}"))}", lines);
    }

    [Fact]
    public void The_origin_certificate_and_its_key_are_not_read_from_config()
    {
        var secrets = Section(ScaleText, "Secrets (names only; values never leave Pulumi's encrypted state)");
        Assert.Contains(secrets, l => l.StartsWith("  edge-origin-key: a private key the program generates — ", StringComparison.Ordinal));
        Assert.Contains(secrets, l => l.StartsWith("  edge-origin-certificate: issued by Cloudflare's Origin CA for edge-origin-key — ", StringComparison.Ordinal));
        Assert.DoesNotContain(secrets, l => l.Contains("from config  ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    [InlineData("small")]
    public void A_single_server_plan_has_no_servers_section_and_no_server_tags(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        Assert.False(b.IsSplit);
        var text = PlanText.Render(b);
        Assert.Contains("\n== Server ==\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("== Servers ==", text, StringComparison.Ordinal);
        Assert.Contains("\n== Network: firewall, DNS, routes, Docker networks ==\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" on server", text, StringComparison.Ordinal);
        Assert.DoesNotContain("load balancer", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Origin CA", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l.StartsWith("  total ", StringComparison.Ordinal) && l.EndsWith(" MB free", StringComparison.Ordinal));
    }

    [Fact]
    public void The_json_plan_names_servers_by_key_with_role_address_and_firewall()
    {
        using var doc = JsonDocument.Parse(PlanJson.Render(Scale));
        var root = doc.RootElement;
        var servers = root.GetProperty("servers").EnumerateArray().ToList();
        Assert.Equal(["data", "app-1", "app-2", "app-3"], servers.Select(s => s.GetProperty("key").GetString()));
        Assert.Equal(["data", "app", "app", "app"], servers.Select(s => s.GetProperty("role").GetString()));
        Assert.Equal(["10.20.1.2", "10.20.1.11", "10.20.1.12", "10.20.1.13"], servers.Select(s => s.GetProperty("privateIp").GetString()));
        Assert.Equal(["platform-scale-data", "platform-scale-app", "platform-scale-app", "platform-scale-app"], servers.Select(s => s.GetProperty("firewall").GetString()));
        Assert.Equal("platform-scale-app-2", servers[2].GetProperty("name").GetString());
        Assert.Equal("cx32", servers[2].GetProperty("type").GetString());
        Assert.False(root.TryGetProperty("appServers", out _));

        Assert.Equal("10.20.1.0/24", root.GetProperty("privateNetwork").GetProperty("subnetRange").GetString());
        var lb = root.GetProperty("loadBalancer");
        Assert.Equal("10.20.1.254", lb.GetProperty("privateIp").GetString());
        Assert.Equal(["app-1", "app-2", "app-3"], lb.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.All(lb.GetProperty("services").EnumerateArray(), s => Assert.True(s.GetProperty("proxyProtocol").GetBoolean()));
        Assert.Equal(["data", "app-1", "app-2", "app-3"], root.GetProperty("budgets").EnumerateArray().Select(b => b.GetProperty("server").GetString()));

        foreach (var (collection, key) in new[] { ("services", "name"), ("volumes", "key"), ("networks", "key"), ("hostCommands", "name") })
            Assert.All(root.GetProperty(collection).EnumerateArray(), x =>
                Assert.Contains(x.GetProperty("host").GetString(), new[] { "data", "app-1", "app-2", "app-3" }));
        Assert.Equal("app-2", root.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "api-2").GetProperty("host").GetString());
        Assert.All(root.GetProperty("dnsRecords").EnumerateArray(), d => Assert.Equal("loadBalancer", d.GetProperty("target").GetString()));
    }

    [Fact]
    public void The_json_plan_of_a_single_server_keeps_its_fields()
    {
        using var doc = JsonDocument.Parse(PlanJson.Render(TestStacks.ShippedBlueprint("prod")));
        var root = doc.RootElement;
        // The fields a single-server plan always had…
        foreach (var field in new[] { "server", "firewall", "budget", "dnsRecords", "networks", "volumes", "services", "hostCommands", "cost" })
            Assert.True(root.TryGetProperty(field, out _), field);
        Assert.Equal("platform-prod", root.GetProperty("server").GetProperty("name").GetString());
        Assert.Equal("ccx23", root.GetProperty("budget").GetProperty("serverType").GetString());
        // …and the one server by its key, with every role.
        var server = root.GetProperty("servers").EnumerateArray().Single();
        Assert.Equal("server", server.GetProperty("key").GetString());
        Assert.Equal("all", server.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("loadBalancer").ValueKind);
        Assert.All(root.GetProperty("services").EnumerateArray(), s => Assert.Equal("server", s.GetProperty("host").GetString()));
        Assert.All(root.GetProperty("dnsRecords").EnumerateArray(), d => Assert.Equal("server", d.GetProperty("target").GetString()));
    }

    [Fact]
    public void The_mermaid_diagram_draws_a_subgraph_per_server_behind_the_load_balancer()
    {
        var diagram = PlanMermaid.Render(Scale);
        Assert.Contains("  subgraph private[\"private network 10.20.1.0/24\"]\n", diagram, StringComparison.Ordinal);
        foreach (var s in Scale.Servers)
            Assert.Contains($"    subgraph server_{s.Key.Id.Replace('-', '_')}[\"{s.Name} ({s.Type}) {s.PrivateIp}\"]\n", diagram, StringComparison.Ordinal);
        foreach (var s in Scale.AppServers)
            Assert.Contains($"  lb -->|PROXY protocol| traefik__{s.Key.Id.Replace('-', '_')}\n", diagram, StringComparison.Ordinal);
        Assert.Contains("  cf -->|80/443| lb[Hetzner load balancer<br/>lb11, 10.20.1.254]\n", diagram, StringComparison.Ordinal);
        // Each app is drawn once, with its servers; it reaches the data services across the private network (one edge per
        // service), and every Traefik that serves it has an edge to it. The worker runs on two of the three app servers.
        Assert.Single(diagram.Split('\n'), l => l.Trim().StartsWith("app_api[", StringComparison.Ordinal));
        Assert.Single(diagram.Split('\n'), l => l == "  app_api --> pgbouncer");
        Assert.Contains("      app_worker[\"worker ×2<br/>on app-1, app-2\"]\n", diagram, StringComparison.Ordinal);
        foreach (var s in Scale.AppServers)
            Assert.Contains($"  traefik__{s.Key.Id.Replace('-', '_')} -->|app.brightlane.cloud/api| app_api\n", diagram, StringComparison.Ordinal);
        Assert.DoesNotContain("__app_", diagram.Replace("traefik__app_", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var one = PlanMermaid.Render(OneAppServer());
        Assert.DoesNotContain("lb", one.Split('\n').Select(l => l.Trim().Split(' ')[0]), StringComparer.Ordinal);
        Assert.Contains("  fw -->|80/443| traefik__app_1\n", one, StringComparison.Ordinal);
        Assert.DoesNotContain("subgraph", PlanMermaid.Render(TestStacks.ShippedBlueprint("prod")).Replace("subgraph server[", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_split_plan_is_deterministic()
    {
        var again = TestStacks.ShippedBlueprint("scale");
        Assert.Equal(ScaleText, PlanText.Render(again));
        Assert.Equal(PlanJson.Render(Scale), PlanJson.Render(again));
        Assert.Equal(PlanMermaid.Render(Scale), PlanMermaid.Render(again));
    }
}
