using System.Net.Sockets;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

/// <summary>Input that reads well but does nothing or harm is refused at its key, with the fix, and nothing is planned.</summary>
public sealed class InputRulesTests
{
    private static SettingsError Single(IReadOnlyList<SettingsError> errors, string key)
    {
        Assert.True(errors.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors)}");
        Assert.Equal(key, errors[0].Key);
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }

    private static string Api(string replace, string with) => TestStacks.DefaultApps.Replace(replace, with, StringComparison.Ordinal);

    /// <summary>The api on a host of its own, so every health path is served by its route.</summary>
    private static string OwnHost(string apps) => apps.Replace("routes: [{ host: app, path: /api, websockets: true }]", "routes: [{ host: api, websockets: true }]", StringComparison.Ordinal);

    private static void Refused(string yaml, string key, string says)
    {
        var error = Single(TestStacks.Errors(yaml), key);
        Assert.Contains(says, error.Problem, StringComparison.Ordinal);
        // Nothing is planned: the reader throws with every error.
        Assert.Throws<InvalidStackException>(() => TestStacks.Read(yaml));
    }

    [Theory]
    [InlineData("[0.0.0.0/0]", "every IPv4")]
    [InlineData("[\"::/0\"]", "every IPv6")]
    [InlineData("[0.0.0.0/1, 128.0.0.0/1]", "every IPv4")]
    [InlineData("[0.0.0.0/1, 203.0.113.0/24]", "at least half of all IPv4")]
    [InlineData("[\"::/1\", \"8000::/1\"]", "every IPv6")]
    public void A_route_allow_list_that_lets_everyone_in_is_refused(string cidrs, string says) =>
        Refused(TestStacks.Yaml(Api("routes: [{ host: app, path: /api, websockets: true }]", $"routes: [{{ host: app, path: /api, websockets: true, allowCidrs: {cidrs} }}]")),
            "platform:apps[0].routes[0].allowCidrs", says);

    [Fact]
    public void Narrow_allow_lists_pass()
    {
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(Api("routes: [{ host: app, path: /api, websockets: true }]",
            "routes: [{ host: app, path: /api, websockets: true, allowCidrs: [203.0.113.0/24, 198.51.100.7/32, \"2001:db8::/32\", 10.0.0.0/8] }]"))));
        Assert.Equal(0.25, InputRules.Coverage(["0.0.0.0/2", "0.0.0.0/3"], AddressFamily.InterNetwork));
        Assert.Equal(1.0, InputRules.Coverage(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"], AddressFamily.InterNetwork));
        Assert.Equal(0.0, InputRules.Coverage(["0.0.0.0/1"], AddressFamily.InterNetworkV6));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Ssh_open_to_two_halves_of_the_world_is_refused(string environment)
    {
        var yaml = TestStacks.Yaml(environment: environment).Replace("platform:adminCidrs: [203.0.113.0/24]", "platform:adminCidrs: [0.0.0.0/1, 128.0.0.0/1]", StringComparison.Ordinal);
        var error = TestStacks.Errors(yaml).Single(e => e.Key == "platform:adminCidrs");
        Assert.Contains("every IPv4 address reach SSH", error.Problem, StringComparison.Ordinal);
        Assert.Contains("VPN", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/health?full=1&deep=1")]
    [InlineData("/healthz;reboot")]              // a legal URL path: no shell ever sees it
    [InlineData("/api/v1/health/%7Euser")]
    [InlineData("/")]
    public void Health_paths_are_url_paths_with_an_optional_query_and_reach_the_check_as_one_argument(string path)
    {
        var yaml = TestStacks.Yaml(OwnHost(Api("healthPath: /api/healthz", $"healthPath: \"{path}\"")));
        Assert.Empty(TestStacks.Errors(yaml));
        var test = TestStacks.Build(yaml).Service("api-1").HealthCheck.Test;
        Assert.Equal("CMD", test[0]);   // exec form: no shell parses the path
        Assert.Equal($"http://127.0.0.1:8000{path}", test[^1]);
    }

    [Theory]
    [InlineData("/healthz; reboot", "' '")]
    [InlineData("/healthz`reboot`", "'`'")]
    [InlineData("/healthz\\\"x", "'\"'")]
    [InlineData("/healthz#frag", "'#'")]
    [InlineData("/health%zz", "'%'")]
    [InlineData("healthz", "does not start with '/'")]
    [InlineData("//evil.example/x", "host name")]
    [InlineData("/a<b>", "'<'")]
    public void Health_paths_that_are_no_url_path_are_refused(string path, string says) =>
        Refused(TestStacks.Yaml(OwnHost(Api("healthPath: /api/healthz", $"healthPath: \"{path}\""))), "platform:apps[0].healthPath", says);

    [Theory]
    [InlineData("release: { command: [\"bin/migrate\\0--force\"] }", "platform:apps[0].release.command[0]")]
    [InlineData("jobs: [{ name: report, schedule: \"0 2 * * *\", command: [bin/report, \"a\\0b\"] }]", "platform:apps[0].jobs[0].command[1]")]
    [InlineData("command: [\"serve\\0\"]", "platform:apps[0].command[0]")]
    [InlineData("release: { command: [\"bin/migrate\\e[2J\"] }", "platform:apps[0].release.command[0]")]
    public void Nul_bytes_and_escape_sequences_in_commands_are_refused(string entry, string key)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(Api("  healthPath: /api/healthz\n", $"  healthPath: /api/healthz\n  {entry}\n")));
        var error = Single(errors, key);
        Assert.Contains(entry.Contains("\\0", StringComparison.Ordinal) ? "NUL" : "control character", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 31 2 *", "never fires")]
    [InlineData("0 3 1 1 *", "days between runs")]
    [InlineData("0 3 1 */2 *", "days between runs")]
    public void Job_schedules_follow_the_backup_schedules_rules(string schedule, string says) =>
        Refused(TestStacks.Yaml(Api("  healthPath: /api/healthz\n", $"  healthPath: /api/healthz\n  jobs: [{{ name: report, schedule: \"{schedule}\", command: [bin/report] }}]\n")),
            "platform:apps[0].jobs[0].schedule", says);

    [Fact]
    public void A_weekly_job_is_fine() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(Api("  healthPath: /api/healthz\n", "  healthPath: /api/healthz\n  jobs: [{ name: report, schedule: \"0 2 * * 0\", command: [bin/report] }]\n"))));

    [Theory]
    [InlineData("/app/../../etc", "Docker mounts it at /etc")]
    [InlineData("/app/./data", "'.' or '..'")]
    [InlineData("/proc/sys", "kernel")]
    [InlineData("/sys", "kernel")]
    [InlineData("/dev", "kernel")]
    [InlineData("/dev/shm", "kernel")]
    [InlineData("/etc", "system directory")]
    [InlineData("/usr", "system directory")]
    public void Volume_mount_paths_that_escape_or_cover_the_kernel_or_the_system_are_refused(string path, string says) =>
        Refused(TestStacks.Yaml(Api("  healthPath: /api/healthz\n", $"  healthPath: /api/healthz\n  volumes: [{{ name: data, mountPath: \"{path}\", sizeGb: 1 }}]\n")),
            "platform:apps[0].volumes[0].mountPath", says);

    [Fact]
    public void Volumes_below_system_directories_are_fine() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(Api("  healthPath: /api/healthz\n",
            "  healthPath: /api/healthz\n  volumes: [{ name: conf, mountPath: /etc/app/conf.d, sizeGb: 1 }, { name: data, mountPath: /var/lib/app, sizeGb: 1 }]\n"))));

    [Theory]
    [InlineData("203.0.113.10", "IP address")]
    [InlineData("10.0.0.1", "IP address")]
    [InlineData("co.uk", "public suffix")]
    [InlineData("com.au", "public suffix")]
    [InlineData("github.io", "public suffix")]
    public void A_tenant_domain_that_is_an_address_or_a_public_suffix_is_refused(string domain, string says)
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(Api("routes: [{ host: app, path: /api, websockets: true }]", $"routes: [{{ host: app, path: /api, websockets: true }}, {{ domain: \"{domain}\" }}]"),
            extra: "platform:cloudflareOnlyIngress: false"));
        var error = errors.Single(e => e.Key == "platform:apps[0].routes[1].domain");
        Assert.Contains(says, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_domain_under_a_public_suffix_is_fine() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(Api("routes: [{ host: app, path: /api, websockets: true }]",
            "routes: [{ host: app, path: /api, websockets: true }, { domain: shop.customer.co.uk }]"), extra: "platform:cloudflareOnlyIngress: false")));

    [Fact]
    public void The_stack_domain_must_not_be_a_public_suffix()
    {
        var yaml = TestStacks.Yaml().Replace("platform:domain: example.com", "platform:domain: co.uk", StringComparison.Ordinal);
        Assert.Contains(TestStacks.Errors(yaml), e => e.Key == "platform:domain" && e.Problem.Contains("public suffix", StringComparison.Ordinal));
    }
}
