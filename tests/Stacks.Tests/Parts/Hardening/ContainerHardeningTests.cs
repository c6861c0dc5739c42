using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Parts.Hardening;
using Platform.Stacks.Plan;
using Platform.Stacks.Policy;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Hardening;

/// <summary>Every container drops every capability, gains none, and keeps a capability or a writable root only with a reason.</summary>
public sealed class ContainerHardeningTests
{
    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Every_container_of_a_shipped_stack_drops_all_capabilities_and_may_not_gain_privileges(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        Assert.All(b.Services, s =>
        {
            var c = ContainerConfigs.Of(s);
            Assert.Equal(["ALL"], c.CapDrop.ToArray());
            Assert.Contains(ContainerConfigs.NoNewPrivileges, c.SecurityOpts);
            if (!c.CapAdd.IsEmpty) Assert.False(string.IsNullOrWhiteSpace(s.CapabilitiesWhy), s.Name);
            if (!c.ReadOnlyRootFilesystem) Assert.False(string.IsNullOrWhiteSpace(s.WritableRootWhy), s.Name);
        });
        Assert.DoesNotContain(Policies.Check(b), v => v.Rule == "containers-hardened");
    }

    [Fact]
    public void Traefik_keeps_only_the_capability_to_bind_80_and_443()
    {
        var traefik = ContainerConfigs.Of(TestStacks.ShippedBlueprint("prod").Services.Single(s => s.Name == ServiceNames.Traefik));
        Assert.Equal(["NET_BIND_SERVICE"], traefik.CapAdd.ToArray());
    }

    /// <summary>
    /// Docker 20.10 refuses an upload into a container whose root is read-only ("container rootfs is marked
    /// read-only"): the rehearsal found it when Traefik's token file was uploaded. A container with files keeps a
    /// writable root and says why; one without runs read-only where its profile allows.
    /// </summary>
    [Fact]
    public void A_container_with_uploaded_files_keeps_a_writable_root_and_one_without_runs_read_only_where_its_image_allows()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        Assert.All(b.Services.Where(s => !s.Files.IsEmpty), s => Assert.False(s.ReadOnlyRootFilesystem, s.Name));
        var traefik = b.Services.Single(s => s.Name == ServiceNames.Traefik);
        Assert.Equal(ContainerHardening.UploadsNeedWritableRoot, traefik.WritableRootWhy);
        var exporter = b.Services.Single(s => s.Name == "node-exporter");
        Assert.Empty(exporter.Files);
        Assert.True(exporter.ReadOnlyRootFilesystem);
        Assert.True(exporter.Tmpfs.ContainsKey("/tmp"));
        Assert.Empty(exporter.CapAdd);
    }

    /// <summary>What the README's security section says runs read-only: node-exporter, and a split stack's app-server Traefiks.</summary>
    [Fact]
    public void On_the_split_stack_node_exporter_and_the_app_servers_traefiks_run_read_only_and_nothing_else()
    {
        var readOnly = TestStacks.ShippedBlueprint("scale").Services.Where(s => s.ReadOnlyRootFilesystem).Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["node-exporter", "node-exporter@app-1", "node-exporter@app-2", "node-exporter@app-3", "traefik@app-1", "traefik@app-2", "traefik@app-3"], readOnly.ToArray());
    }

    [Fact]
    public void Apps_lose_raw_sockets_device_nodes_and_chroot_but_keep_what_common_entrypoints_use()
    {
        var app = TestStacks.ShippedBlueprint("prod").Services.First(s => s.Kind == ServiceKind.App);
        foreach (var lost in new[] { "NET_RAW", "MKNOD", "SYS_CHROOT", "SETFCAP", "AUDIT_WRITE" }) Assert.DoesNotContain(lost, app.CapAdd);
        foreach (var kept in new[] { "CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE" }) Assert.Contains(kept, app.CapAdd);
    }

    [Fact]
    public void Databases_keep_what_their_entrypoints_need_to_hand_the_data_directory_to_their_user()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var postgres = b.Services.Single(s => s.Name == ServiceNames.Postgres);
        Assert.Equal(ContainerHardening.RootThenServiceUser.ToArray(), postgres.CapAdd.ToArray());
        Assert.Contains("su-exec", postgres.CapabilitiesWhy);
        Assert.All(b.Services.Where(s => Platform.Stacks.Parts.Redis.RedisNames.IsContainer(s.Name)), r => Assert.Equal(ContainerHardening.RootThenServiceUser.ToArray(), r.CapAdd.ToArray()));
    }

    [Fact]
    public void The_plan_states_each_containers_privileges_with_the_reasons()
    {
        var text = PlanText.Render(TestStacks.ShippedBlueprint("prod"));
        Assert.Contains($"  privileges: capabilities NET_BIND_SERVICE only (binds ports 80 and 443 as root); no-new-privileges; writable root ({ContainerHardening.UploadsNeedWritableRoot})", text);
        Assert.Contains("  privileges: no capabilities; no-new-privileges; read-only root (tmpfs /tmp)", text);
        Assert.DoesNotContain("no reason given", text);
        Assert.DoesNotContain("privileges: Docker's default capabilities", text);
    }

    [Fact]
    public void The_policy_refuses_a_container_that_keeps_default_capabilities_gains_privileges_or_writes_its_root_without_a_reason()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        var victim = b.Services.Single(s => s.Name == ServiceNames.Traefik);
        Assert.NotEmpty(victim.CapAdd);
        var broken = b with
        {
            Services = [.. b.Services.Select(s => s.Name != victim.Name ? s : s with
            {
                CapDrop = [], NoNewPrivileges = false, ReadOnlyRootFilesystem = false, WritableRootWhy = null,
            })],
        };
        var problems = Policies.Check(broken).Where(v => v.Rule == "containers-hardened" && v.Subject == victim.Name).Select(v => v.Problem).ToList();
        Assert.Contains("keeps Docker's default capabilities.", problems);
        Assert.Contains("may gain privileges through setuid binaries.", problems);
        Assert.Contains("has a writable root filesystem without a reason.", problems);

        var unexplained = b with { Services = [.. b.Services.Select(s => s.Name != victim.Name ? s : s with { CapabilitiesWhy = null })] };
        Assert.Contains(Policies.Check(unexplained), v => v.Rule == "containers-hardened" && v.Problem == "adds back NET_BIND_SERVICE without a reason.");
    }
}
