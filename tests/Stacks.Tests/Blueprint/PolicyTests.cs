using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Policy;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// Each rule fires on a blueprint built to break it. Most of these blueprints cannot come from a
/// stack file (settings validation rejects the input first — see ValidationTests), so they are made
/// by changing a valid blueprint: the rules guard the core itself against regressions.
/// </summary>
public sealed class PolicyTests
{
    private static PlatformBlueprint Prod() => TestStacks.ShippedBlueprint("prod");

    private static PlatformBlueprint WithService(PlatformBlueprint b, string name, Func<ServiceSpec, ServiceSpec> change) =>
        b with { Services = [.. b.Services.Select(s => s.Name == name ? change(s) : s)] };

    private static void Fires(string rule, PlatformBlueprint broken, string subject)
    {
        var violations = Policies.Check(broken);
        Assert.Contains(violations, v => v.Rule == rule && v.Subject.Contains(subject, StringComparison.Ordinal));
        Assert.All(violations, v => Assert.False(string.IsNullOrWhiteSpace(v.Fix)));
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Shipped_stacks_pass_every_rule(string stack) => Assert.Empty(Policies.Check(TestStacks.ShippedBlueprint(stack)));

    [Fact]
    public void Every_rule_has_an_id_and_a_reason()
    {
        Assert.Equal(Policies.All.Length, Policies.All.Select(r => r.Id).Distinct().Count());
        Assert.All(Policies.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
    }

    [Fact]
    public void A_data_service_publishing_a_port_is_caught() =>
        Fires("only-traefik-publishes-ports", WithService(Prod(), "postgres", s => s with { PublishedPorts = [new PublishedPort("0.0.0.0", 5432, 5432, "tcp")] }), "postgres");

    [Fact]
    public void Ssh_from_anywhere_is_caught()
    {
        var b = Prod();
        var rules = b.Firewall.Rules.Select(r => r.Port == "22" ? r with { SourceIps = ["0.0.0.0/0"] } : r).ToImmutableArray();
        Fires("ssh-only-from-admin-cidrs", b with { Firewalls = [b.Firewall with { Rules = rules }] }, b.Firewall.Name);
    }

    [Fact]
    public void The_docker_socket_on_a_container_with_egress_is_caught()
    {
        var socket = new MountSpec(MountKind.Bind, "/var/run/docker.sock", "/var/run/docker.sock", ReadOnly: true);
        // The backup runner has egress (S3): given the raw socket back, it would be root on the server.
        Fires("no-docker-socket-with-egress", WithService(Prod(), "backup", s => s with { Mounts = [.. s.Mounts, socket] }), "backup");
        // A proxy that holds the socket must stay on internal networks only.
        Fires("no-docker-socket-with-egress",
            WithService(Prod(), "socket-proxy", s => s with { Networks = [.. s.Networks, new NetworkAttachment("edge", ["socket-proxy"])] }), "socket-proxy");
        // No network at all means Docker's default bridge, which has egress.
        Fires("no-docker-socket-with-egress", WithService(Prod(), "socket-proxy", s => s with { Networks = [] }), "socket-proxy");
    }

    [Fact]
    public void A_latest_image_is_caught() =>
        Fires("pinned-images", WithService(Prod(), "app-api.redis", s => s with { Image = "redis:latest" }), "app-api.redis");

    [Theory]
    [InlineData("memory")]
    [InlineData("health")]
    [InlineData("restart")]
    [InlineData("logs")]
    public void A_container_without_hygiene_is_caught(string what) =>
        Fires("container-hygiene", WithService(Prod(), "web-1", s => what switch
        {
            "memory" => s with { Limits = s.Limits with { MemoryMb = 0 } },
            "health" => s with { HealthCheck = s.HealthCheck with { Test = [] } },
            "restart" => s with { RestartPolicy = "no" },
            _ => s with { Log = new LogSpec("json-file", ImmutableSortedDictionary<string, string>.Empty) },
        }), "web-1");

    [Fact]
    public void A_route_without_tls_or_dns_is_caught()
    {
        var router = TraefikNames.Of(Prod().Service("admin-1").Labels, "routers", "app-admin_r0");
        var b = WithService(Prod(), "admin-1", s => s with { Labels = s.Labels.SetItem($"traefik.http.routers.{router}.tls", "false") });
        Fires("public-hosts-complete", b, router);
        var noDns = Prod() with { DnsRecords = [.. Prod().DnsRecords.Where(d => !d.Fqdn.StartsWith("admin.", StringComparison.Ordinal))] };
        Fires("public-hosts-complete", noDns, "admin.brightlane.io");
    }

    [Fact]
    public void A_public_host_without_a_monitor_is_caught()
    {
        var b = Prod();
        Assert.NotEmpty(b.Monitors);
        Fires("public-hosts-complete", b with { Monitors = [.. b.Monitors.Where(m => !m.Target.Contains("admin.", StringComparison.Ordinal))] }, "admin.brightlane.io");
    }

    [Fact]
    public void A_database_without_backup_is_caught()
    {
        var b = Prod();
        Fires("databases-backed-up", b with { Backups = [.. b.Backups.Where(j => !j.What.Contains("admin", StringComparison.Ordinal))] }, "admin");
    }

    [Fact]
    public void Unprotected_prod_is_caught()
    {
        var b = Prod();
        Fires("prod-protected-and-backed-up", b with { Servers = [b.Server with { Protect = false }] }, b.Server.Name);
        Fires("prod-protected-and-backed-up", b with { Volumes = [.. b.Volumes.Select(v => v with { Protect = false })] }, "postgres-data");
        Fires("prod-protected-and-backed-up", b with { Backups = [] }, "prod");
    }

    [Fact]
    public void A_plain_secret_in_env_is_caught() =>
        Fires("no-plain-secrets", WithService(Prod(), "api-1", s => s with { Env = s.Env.SetItem("SMTP_PASSWORD", Model.SecretText.Plain("hunter2")) }), "SMTP_PASSWORD");
}
