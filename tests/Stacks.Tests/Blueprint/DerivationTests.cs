using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Dns;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class DerivationTests
{
    public static TheoryData<string> ShippedStacks => TestStacks.ShippedStackNames;

    private static PlatformBlueprint Test() => TestStacks.Build(TestStacks.Yaml());

    private static string[] NetworksOf(PlatformBlueprint b, string service) => [.. b.NetworksOf(service)];

    [Fact]
    public void Each_service_joins_exactly_the_networks_it_talks_on()
    {
        var b = Test();
        Assert.Equal(["app-api", "app-web", "control", "edge"], NetworksOf(b, "traefik"));   // + every routed app's own network
        Assert.Equal(["control"], NetworksOf(b, "socket-proxy"));
        Assert.Equal(["app-api.data", "app-worker.data", "data"], NetworksOf(b, "postgres"));
        Assert.Equal(["app-api.data", "app-worker.data", "data"], NetworksOf(b, "pgbouncer"));
        Assert.Equal(["app-api.data", "data"], NetworksOf(b, "app-api.redis"));   // api's own instance, on api's data network as "redis"
        Assert.Equal(["app-api.data", "data", "edge"], NetworksOf(b, "minio"));
        Assert.Equal(["app-api", "app-api.data"], NetworksOf(b, "api-1"));      // database, redis, buckets
        Assert.Equal(["app-web"], NetworksOf(b, "web-1"));                       // needs nothing
        Assert.Equal(["app-worker", "app-worker.data"], NetworksOf(b, "worker-1"));   // shares api's database
        Assert.True(b.Networks.Single(n => n.Name == "app-api.data").Internal);
        Assert.True(b.Networks.Single(n => n.Name == "app-web").Internal);        // no egress: web does not declare it
    }

    [Fact]
    public void Every_service_a_container_depends_on_shares_a_network_with_it()
    {
        foreach (var stack in new[] { "staging", "prod" })
        {
            var b = TestStacks.ShippedBlueprint(stack);
            foreach (var svc in b.Services)
            {
                foreach (var dep in svc.DependsOn)
                {
                    // The backup runner reaches the databases it dumps through Docker exec (their hook labels), not the network.
                    if (svc.Name == "backup" && b.Service(dep).Labels.GetValueOrDefault("docker-volume-backup.exec-label") == "platform-backup") continue;
                    var shared = b.NetworksOf(svc.Name).Intersect(b.NetworksOf(dep));
                    Assert.True(shared.Any(), $"{stack}: {svc.Name} depends on {dep} but shares no network with it");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public void Every_mounted_volume_network_and_dependency_is_declared(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        foreach (var svc in b.Services)
        {
            // On the container's own server: Docker volumes and networks are per host.
            foreach (var m in svc.Mounts.Where(m => m.Kind == MountKind.Volume)) Assert.Contains(b.Volumes, v => v.Name == m.Source && v.Host == svc.Host);
            foreach (var n in svc.Networks) Assert.Contains(b.Networks, x => x.Name == n.Network && x.Host == svc.Host);
            foreach (var d in svc.DependsOn) Assert.Contains(b.Services, x => x.Name == d);
            foreach (var c in svc.AfterHostCommands) Assert.Contains(b.HostCommands, x => x.Name == c);
        }
        foreach (var c in b.HostCommands)
            foreach (var n in c.Networks) Assert.Contains(b.Networks, x => x.Name == n && x.Host == c.Host);
        Assert.Equal(b.Volumes.Length, b.Volumes.Select(v => v.Key).Distinct().Count());
        Assert.Equal(b.Networks.Length, b.Networks.Select(v => v.Key).Distinct().Count());
        Assert.Equal(b.Services.Length, b.Services.Select(v => v.Name).Distinct().Count());
    }

    [Fact]
    public void Data_networks_are_internal()
    {
        var b = Test();
        Assert.True(b.Networks.Single(n => n.Name == "data").Internal);
        Assert.True(b.Networks.Single(n => n.Name == "control").Internal);
        Assert.False(b.Networks.Single(n => n.Name == "edge").Internal);
        Assert.All(b.Networks, n => Assert.Equal("bridge", n.Driver));
    }

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public void Only_traefik_publishes_host_ports(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        if (b.IsSplit)
        {
            // Behind the load balancer nothing listens on a public interface: Traefik and the data ports are on private addresses.
            Assert.NotNull(b.LoadBalancer);
            foreach (var s in b.Services.Where(s => !s.PublishedPorts.IsEmpty))
                Assert.All(s.PublishedPorts, p => Assert.Equal(b.ServerOf(s.Host).PrivateIp, p.HostIp));
            Assert.Equal(b.AppServers.Select(x => $"traefik@{x.Key}"),
                b.Services.Where(s => s.Kind == ServiceKind.Edge && !s.PublishedPorts.IsEmpty).Select(s => s.Name));
            return;
        }
        var publishers = b.Services.Where(s => !s.PublishedPorts.IsEmpty).Select(s => s.Name);
        Assert.Equal(["traefik"], publishers);
        // Both address families: the AAAA records point at the server too.
        Assert.Equal(["0.0.0.0:80", ":::80", "0.0.0.0:443", ":::443"], b.Service("traefik").PublishedPorts.Select(p => $"{p.HostIp}:{p.HostPort}"));
    }

    [Fact]
    public void An_app_with_a_database_gets_a_database_a_role_and_connection_env_through_pgbouncer()
    {
        var b = Test();
        var db = Assert.Single(b.Databases);
        Assert.Equal(("api", "api", "api"), (db.App, db.Database, db.Role));
        Assert.Equal<string>(["api", "worker"], db.UsedBy);
        Assert.Contains(b.Secrets, s => s.Name == db.PasswordSecret && s.Source == SecretSource.Generated && s.Length >= 32);

        var env = b.Service("api-1").Env;
        Assert.Equal("postgres://api:<secret:app.api.postgres>@pgbouncer:6432/api?sslmode=disable", env["DATABASE_URL"].Masked);
        Assert.Equal("postgres://api:<secret:app.api.postgres>@postgres:5432/api?sslmode=disable", env["DATABASE_DIRECT_URL"].Masked);
        Assert.Equal(env["DATABASE_URL"], b.Service("worker-1").Env["DATABASE_URL"]);
        Assert.False(b.Service("web-1").Env.ContainsKey("DATABASE_URL"));
        Assert.Contains("pgbouncer", b.Service("api-1").DependsOn);
        Assert.Contains(HostCommandNames.PostgresProvision, b.Service("api-1").AfterHostCommands);
    }

    [Fact]
    public void Connection_env_resolves_to_the_real_password()
    {
        var url = Test().Service("api-1").Env["DATABASE_URL"];
        Assert.Equal("postgres://api:s3cr3t@pgbouncer:6432/api?sslmode=disable", url.Resolve(name => name == "app.api.postgres" ? "s3cr3t" : throw new KeyNotFoundException(name)));
    }

    [Fact]
    public void Redis_and_bucket_needs_inject_their_env()
    {
        var env = Test().Service("api-1").Env;
        // Password only: the instance's default user takes it, so every client library accepts the URL as it is.
        Assert.Equal("redis://:<secret:app.api.redis>@redis:6379/0", env["REDIS_URL"].Masked);
        Assert.Equal("api:", env["REDIS_KEY_PREFIX"].Masked);
        Assert.Equal("api-uploads", env["S3_BUCKET_UPLOADS"].Masked);
        Assert.Equal("<secret:app.api.minio>", env["S3_SECRET_ACCESS_KEY"].Masked);
        Assert.Equal("https://files.example.com", env["S3_PUBLIC_URL"].Masked);
    }

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public void Every_public_host_gets_dns_records_a_tls_route_and_a_monitor(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var hosts = DnsBlueprint.PublicHosts(TestStacks.Shipped(stack)).Select(h => h.Fqdn).ToList();
        Assert.Contains($"status.{b.Domain}", hosts);
        Assert.Contains($"files.{b.Domain}", hosts);
        var routers = b.Services.SelectMany(s => s.Labels).Where(l => l.Key.StartsWith("traefik.http.routers.", StringComparison.Ordinal)).ToList();
        foreach (var host in hosts)
        {
            Assert.Contains(b.DnsRecords, d => d.Fqdn == host && d.Type == "A" && d.Proxied && d.Ttl == 1);
            Assert.Contains(b.DnsRecords, d => d.Fqdn == host && d.Type == "AAAA" && d.Proxied && d.Ttl == 1);
            // HTTP, or keyword (the status page's: its status codes include Uptime Kuma's own 404 page, never Traefik's).
            Assert.Contains(b.Monitors, m => m.Kind is "http" or "keyword" && m.Target.StartsWith($"https://{host}/", StringComparison.Ordinal));
            if (b.FileRoutes.Any(r => r.Fqdn == host)) continue; // routed by Traefik's file provider, see the status-page test
            var rule = routers.First(l => l.Key.EndsWith(".rule", StringComparison.Ordinal) && l.Value.Contains($"Host(`{host}`)", StringComparison.Ordinal));
            var router = rule.Key[..^".rule".Length];
            Assert.Contains(routers, l => l.Key == router + ".tls" && l.Value == "true");
            // Several Traefiks serve the one Origin CA certificate: no router asks Let's Encrypt.
            if (b.OriginCertificate is null)
                Assert.Contains(routers, l => l.Key == router + ".tls.certresolver" && l.Value == "letsencrypt");
            else
                Assert.DoesNotContain(routers, l => l.Key == router + ".tls.certresolver");
            Assert.Contains(routers, l => l.Key == router + ".entrypoints" && l.Value == "websecure");
            Assert.Contains(b.Monitors, m => m.Kind == "http" && m.Target.StartsWith($"https://{host}/", StringComparison.Ordinal));
        }
        Assert.Equal(hosts.Count * 2, b.DnsRecords.Length);
    }

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public void Every_container_has_a_pinned_image_limits_health_check_restart_policy_and_log_rotation(string stack)
    {
        foreach (var svc in TestStacks.ShippedBlueprint(stack).Services)
        {
            Assert.Null(Platform.Stacks.Settings.Names.ImageProblem(svc.Image));
            Assert.True(svc.Limits.MemoryMb > 0 && svc.Limits.Cpus > 0, svc.Name);
            Assert.NotEmpty(svc.HealthCheck.Test);
            Assert.Equal(svc.OneShot ? "no" : "unless-stopped", svc.RestartPolicy);
            Assert.Equal("json-file", svc.Log.Driver);
            Assert.Equal("100m", svc.Log.Options["max-size"]);
            Assert.Equal("3", svc.Log.Options["max-file"]);
        }
    }

    [Fact]
    public void App_containers_are_replaced_create_before_delete_and_singletons_keep_their_names()
    {
        var b = Test();
        foreach (var app in b.Services.Where(s => s.Kind == ServiceKind.App))
        {
            Assert.Null(app.ContainerName);
            Assert.Equal(Replacement.CreateBeforeDelete, app.Replacement);
            Assert.True(app.WaitHealthy);
        }
        Assert.Equal("postgres", b.Service("postgres").ContainerName);
        Assert.Equal(["web-1", "web-2"], b.Services.Where(s => s.App == "web").Select(s => s.Name));
    }

    [Fact]
    public void Prod_protects_the_server_and_stateful_volumes_staging_does_not()
    {
        var prod = TestStacks.ShippedBlueprint("prod");
        var staging = TestStacks.ShippedBlueprint("staging");
        Assert.True(prod.Server.Protect);
        Assert.False(staging.Server.Protect);
        Assert.All(prod.Volumes.Where(v => v.Name is "postgres-data" or "redis-data" or "minio-data" or "uptime-kuma-data" or "traefik-acme"), v => Assert.True(v.Protect, v.Name));
        // The dump volumes are written by PostgreSQL and Redis themselves, so they are protected like those services' data.
        Assert.All(prod.Volumes.Where(v => v.Name.StartsWith("backup-", StringComparison.Ordinal)), v => Assert.True(v.Protect, v.Name));
        Assert.All(prod.Volumes.Where(v => v.Name.StartsWith("host-metrics", StringComparison.Ordinal) || v.Name.StartsWith("autokuma", StringComparison.Ordinal)), v => Assert.False(v.Protect, v.Name));
        Assert.All(staging.Volumes, v => Assert.False(v.Protect, v.Name));
    }

    [Fact]
    public void Ssh_is_open_only_to_admin_cidrs_and_web_only_to_cloudflare()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var ssh = b.Firewall.Rules.Single(r => r.Port == "22");
        Assert.Equal<string>(["203.0.113.24/32", "198.51.100.0/28"], ssh.SourceIps);
        var https = b.Firewall.Rules.Single(r => r.Port == "443");
        Assert.Equal<string>(Catalog.CloudflareRanges.All, https.SourceIps);
    }

    [Fact]
    public void The_memory_budget_is_the_sum_of_the_container_limits()
    {
        foreach (var stack in TestStacks.ShippedStackList)
        {
            var b = TestStacks.ShippedBlueprint(stack);
            Assert.Equal(b.Servers.Select(x => x.Key), b.Budgets.Select(x => x.Server));
            foreach (var budget in b.Budgets)
            {
                var on = b.Services.Where(s => s.Host == budget.Server).ToList();
                Assert.Equal(on.Where(s => !s.OneShot).Sum(s => s.Limits.MemoryMb), budget.ContainersMb);
                Assert.Equal(on.Where(s => s.OneShot).Select(s => s.Limits.MemoryMb).DefaultIfEmpty(0).Max(), budget.OneShotPeakMb);
                Assert.Equal(on.Where(s => !s.OneShot && s.Kind != ServiceKind.App && s.Name is not ("postgres" or "minio") && !Platform.Stacks.Parts.Redis.RedisNames.IsContainer(s.Name)).Sum(s => s.Limits.MemoryMb),
                    budget.PlatformFixedMb);
                Assert.Equal(b.ServerOf(budget.Server).MemoryMb, budget.ServerMemoryMb);
                Assert.True(budget.Fits);
            }
        }
    }

    [Fact]
    public void Staging_fits_the_platform_in_three_quarters_of_a_gigabyte_and_small_fits_a_cx22()
    {
        var staging = TestStacks.ShippedBlueprint("staging").Budget;
        Assert.True(staging.PlatformFixedMb <= 768, $"staging's fixed overhead is {staging.PlatformFixedMb} MB");
        var small = TestStacks.ShippedBlueprint("small");
        Assert.Equal("cx22", small.Budget.ServerType);
        Assert.Equal(4096, small.Budget.ServerMemoryMb);
        Assert.True(small.Budget.Fits, $"small needs {small.Budget.TotalMb} MB");
        Assert.True(small.Budget.OneShotPeakMb <= small.Budget.FreeMb);
        // Every part is there: edge, data, monitoring, backups and two 256 MB apps.
        foreach (var name in new[] { "traefik", "socket-proxy", "postgres", "pgbouncer", "app-shop.redis", "minio", "uptime-kuma", "autokuma", "host-metrics", "backup" })
            Assert.Contains(small.Services, s => s.Name == name);
        Assert.Equal([256, 256], small.Services.Where(s => s.Kind == ServiceKind.App).Select(s => s.Limits.MemoryMb));
        Assert.NotEmpty(small.Backups);
    }

    [Fact]
    public void A_one_shot_that_does_not_fit_in_the_free_memory_fails_the_budget()
    {
        var b = TestStacks.ShippedBlueprint("small").Budget;
        var squeezed = b with { OsReserveMb = b.OsReserveMb + b.FreeMb - b.OneShotPeakMb + 1 };
        Assert.True(squeezed.FreeMb >= 0);
        Assert.False(squeezed.Fits);
        Assert.True((b with { OsReserveMb = b.OsReserveMb + b.FreeMb - b.OneShotPeakMb }).Fits);
    }

    [Fact]
    public void The_cost_estimate_uses_the_price_table_and_the_stacks_overrides()
    {
        var listed = TestStacks.Build(TestStacks.Yaml());
        Assert.Equal(18.59m + 0.50m + decimal.Round(50 * 0.0055m, 2), listed.Cost.MonthlyEur);
        var overridden = TestStacks.Build(TestStacks.Yaml(extra: "platform:prices: { cx42: 20.00, backupStoragePerGb: 0.01 }\nplatform:backupStorageGb: 100"));
        Assert.Equal(20.00m + 0.50m + 1.00m, overridden.Cost.MonthlyEur);
        var noBackups = TestStacks.Build(TestStacks.Yaml(extra: "platform:backupsEnabled: false"));
        Assert.Equal(2, noBackups.Cost.Lines.Length);
    }

    [Fact]
    public void Rate_limits_count_per_real_client_behind_cloudflare()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var labels = b.Service("api-1").Labels;
        var limit = TraefikNames.Of(labels, "middlewares", "app-api_r0-ratelimit");
        Assert.Equal("50", labels[$"traefik.http.middlewares.{limit}.ratelimit.average"]);
        Assert.Equal("CF-Connecting-IP", labels[$"traefik.http.middlewares.{limit}.ratelimit.sourcecriterion.requestheadername"]);
        Assert.Contains(limit, labels[$"traefik.http.routers.{TraefikNames.Of(labels, "routers", "app-api_r0")}.middlewares"]);
    }

    [Fact]
    public void The_same_settings_give_byte_identical_plans()
    {
        var a = TestStacks.ShippedBlueprint("prod");
        var b = TestStacks.ShippedBlueprint("prod");
        Assert.Equal(PlanText.Render(a), PlanText.Render(b));
        Assert.Equal(PlanJson.Render(a), PlanJson.Render(b));
        Assert.Equal(PlanMermaid.Render(a), PlanMermaid.Render(b));
    }

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public void No_secret_value_appears_in_any_plan_output(string stack)
    {
        var settings = TestStacks.Shipped(stack);
        var b = BlueprintBuilder.Build(settings);
        var outputs = new[] { PlanText.Render(b), PlanJson.Render(b), PlanMermaid.Render(b) };
        // The stack file's encrypted values never reach the blueprint…
        Assert.All(outputs, o => Assert.DoesNotContain("REPLACE-ME", o));
        // …and every secret reference is masked: resolving with sentinel values shows where they would go.
        var sentinel = "Sentinel-Value-9f8e7d";
        var everyText = b.Services.SelectMany(s => s.Env.Values.Concat(s.Files.Select(f => f.Content)))
            .Concat(b.HostCommands.Select(c => c.Stdin).OfType<SecretText>()).Concat(b.Outputs.Select(o => o.Value)).ToList();
        Assert.Contains(everyText, t => t.IsSecret);
        foreach (var text in everyText.Where(t => t.IsSecret))
        {
            Assert.Contains(sentinel, text.Resolve(_ => sentinel) + (text.Parts.OfType<DerivedSecretPart>().Any() ? sentinel : ""));
            Assert.DoesNotContain(sentinel, text.Masked);
        }
        Assert.All(b.Outputs.Where(o => o.Value.IsSecret), o => Assert.True(o.Secret, o.Name));
    }
}
