using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

/// <summary>
/// More input of the kind that reads well and does nothing or harm, each refused at its key with the fix and nothing
/// planned: an allow-list of addresses no internet client has (it lets nobody in), a volume at the root or over the
/// platform's health probe.
/// </summary>
public sealed class MoreInputRulesTests
{
    private const string Anchor = "  healthPath: /api/healthz\n";
    private const string ApiRoute = "routes: [{ host: app, path: /api, websockets: true }]";

    private static string WithApi(string add) => TestStacks.DefaultApps.Replace(Anchor, Anchor + add, StringComparison.Ordinal);

    private static SettingsError Refused(string yaml, string key, string says)
    {
        var errors = TestStacks.Errors(yaml);
        Assert.True(errors.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors)}");
        Assert.Equal(key, errors[0].Key);
        Assert.Contains(says, errors[0].Problem, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        Assert.Throws<InvalidStackException>(() => TestStacks.Read(yaml));
        return errors[0];
    }

    [Theory]
    [InlineData("[10.0.0.0/8]")]
    [InlineData("[192.168.1.0/24, 172.16.0.0/12]")]
    [InlineData("[127.0.0.1/32]")]
    [InlineData("[100.64.0.0/10]")]
    [InlineData("[\"fd00::/8\", \"fe80::/64\"]")]
    public void A_route_allow_list_of_addresses_no_internet_client_has_is_refused(string cidrs)
    {
        var yaml = TestStacks.Yaml(TestStacks.DefaultApps.Replace(ApiRoute, $"routes: [{{ host: app, path: /api, websockets: true, allowCidrs: {cidrs} }}]", StringComparison.Ordinal));
        var e = Refused(yaml, "platform:apps[0].routes[0].allowCidrs", "only private, loopback or link-local");
        Assert.Contains("public addresses", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[10.0.0.0/8, 203.0.113.10/32]")]   // the office's public address next to a private range
    [InlineData("[\"2001:db8:1::/48\"]")]
    [InlineData("[172.32.0.0/16]")]                 // just outside 172.16.0.0/12
    public void An_allow_list_with_a_public_address_passes(string cidrs) =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(TestStacks.DefaultApps.Replace(ApiRoute, $"routes: [{{ host: app, path: /api, websockets: true, allowCidrs: {cidrs} }}]", StringComparison.Ordinal))));

    [Fact]
    public void A_minio_console_open_only_to_private_addresses_is_refused() =>
        Refused(TestStacks.Yaml(null, "platform:minioConsoleHost: minio-admin\nplatform:minioConsoleAllowCidrs: [192.168.0.0/16]"),
            "platform:minioConsoleAllowCidrs", "only private");

    [Theory]
    [InlineData("/run/platform-probe", "health probe")]
    [InlineData("/run/platform-probe/busybox", "health probe")]
    [InlineData("/", "not an absolute path")]
    public void A_volume_at_the_root_or_over_the_health_probe_is_refused(string path, string says) =>
        Refused(TestStacks.Yaml(WithApi($"  volumes: [{{ name: data, mountPath: \"{path}\", sizeGb: 1 }}]\n")), "platform:apps[0].volumes[0].mountPath", says);

    [Fact]
    public void A_volume_under_run_elsewhere_is_fine() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(WithApi("  volumes: [{ name: data, mountPath: /run/app, sizeGb: 1 }]\n"))));
}
