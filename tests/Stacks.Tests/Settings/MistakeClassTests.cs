using Platform.Stacks.Catalog;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

/// <summary>
/// The classes of mistake that used to crash <c>plan</c> or slip through: each is now one error at its
/// key, with a fix, and never an exception.
/// </summary>
public sealed class MistakeClassTests
{
    private static SettingsError One(IReadOnlyList<SettingsError> errors, string key)
    {
        var at = errors.Where(e => e.Key == key).ToList();
        Assert.True(at.Count == 1, $"expected one error at {key}, got:\n{string.Join("\n", errors)}");
        Assert.False(string.IsNullOrWhiteSpace(at[0].Fix));
        return at[0];
    }

    private static IReadOnlyList<SettingsError> WithApp(int index, string replace, string with) =>
        TestStacks.Errors(TestStacks.Yaml(ReplaceInApp(index, replace, with)));

    /// <summary>The default apps with one line of app <paramref name="index"/> replaced.</summary>
    private static string ReplaceInApp(int index, string replace, string with)
    {
        var apps = TestStacks.DefaultApps.Split("- name: ").Skip(1).Select(a => "- name: " + a).ToList();
        Assert.Contains(replace, apps[index], StringComparison.Ordinal);
        apps[index] = apps[index].Replace(replace, with, StringComparison.Ordinal);
        return string.Concat(apps);
    }

    /// <summary>Whatever the input, plan ends with an exit code, never an exception.</summary>
    private static PlanOutcome Plan(string yaml) => PlanCommand.Evaluate(StackFiles.FromTexts("name: platform\n", "test", yaml), "json");

    // --- the connection budget ---

    [Fact]
    public void The_connection_budget_is_in_the_plan()
    {
        var b = TestStacks.Build(TestStacks.Yaml());
        // api's role (limit 20, shared with worker) + 2 dump agents + the threshold agent + provisioning.
        Assert.Equal(24, b.Connections.TotalConnections);
        Assert.Equal(97, b.Connections.AvailableConnections);
        var text = PlanText.Render(b);
        Assert.Contains("== PostgreSQL connection budget ==", text, StringComparison.Ordinal);
        Assert.Contains("total 24 of 97 (max_connections 100 - superuser_reserved_connections 3); 73 free", text, StringComparison.Ordinal);
        Assert.Contains("superuser_reserved_connections = 3", b.Service("postgres").Files.Single(f => f.Path.EndsWith("postgresql.conf", StringComparison.Ordinal)).Content.Masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(93, false)] // 93 + 4 = 97: exactly full
    [InlineData(94, true)]
    [InlineData(1000, true)]
    public void Connection_limits_beyond_max_connections_are_rejected(int limit, bool rejected)
    {
        var errors = WithApp(0, "database: true", $"database: {{ connectionLimit: {limit} }}");
        if (!rejected)
        {
            Assert.Empty(errors);
            return;
        }
        var e = One(errors, "platform:postgresMaxConnections");
        Assert.Contains($"role api {limit}", e.Problem, StringComparison.Ordinal);
        Assert.Contains($"= {limit + 4}, but PostgreSQL allows 97", e.Problem, StringComparison.Ordinal);
        Assert.Contains($"at least {limit + 4 + 3}", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mariadb_database_is_not_in_postgresqls_budget()
    {
        var b = TestStacks.Build(TestStacks.Yaml(ReplaceInApp(0, "database: true", "database: { engine: mariadb, connectionLimit: 90 }")));
        Assert.DoesNotContain(b.Connections.Lines, l => l.Kind == "app");
        Assert.Equal(4, b.Connections.TotalConnections);
    }

    [Fact]
    public void A_small_max_connections_is_checked_against_the_apps_limits()
    {
        var e = One(TestStacks.Errors(TestStacks.Yaml(extra: "platform:postgresMaxConnections: 20")), "platform:postgresMaxConnections");
        Assert.Contains("PostgreSQL allows 17", e.Problem, StringComparison.Ordinal);
    }

    // --- cron schedules ---

    [Theory]
    [InlineData("0 0 31 2 *")]
    [InlineData("0 0 30 2 *")]
    [InlineData("0 3 31 4,6,9,11 *")]
    public void Schedules_that_never_fire_are_rejected(string cron)
    {
        var e = One(TestStacks.Errors(TestStacks.Yaml(extra: $"platform:backupPostgresDailySchedule: \"{cron}\"")), "platform:backupPostgresDailySchedule");
        Assert.Contains("never fires", e.Problem, StringComparison.Ordinal);
        Assert.Equal(PlanCommand.ExitInvalidStack, Plan(TestStacks.Yaml(extra: $"platform:backupRedisSchedule: \"{cron}\"")).ExitCode);
    }

    [Theory]
    [InlineData("0 3 1 * *", "31 days")]
    [InlineData("0 3 29 2 *", "1461 days")]
    [InlineData("* * 29 2 *", "1460")]
    public void Schedules_too_rare_for_their_heartbeat_monitor_are_rejected(string cron, string gap)
    {
        var e = One(TestStacks.Errors(TestStacks.Yaml(extra: $"platform:backupMinioSchedule: \"{cron}\"")), "platform:backupMinioSchedule");
        Assert.Contains(gap, e.Problem, StringComparison.Ordinal);
        Assert.Contains("24 days", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weekly_schedule_is_monitored() =>
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(extra: "platform:backupMinioSchedule: \"0 3 * * 0\"")));

    // --- numbers ---

    [Theory]
    [InlineData("NaN")]
    [InlineData(".nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e309")]
    [InlineData("1e308")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("0.001")]
    [InlineData("0.0099")]
    [InlineData("8.01")]
    public void Impossible_cpu_limits_are_rejected(string cpus)
    {
        Assert.Equal(8, ServerTypes.All["cx42"].Vcpus);
        var e = One(WithApp(0, "cpus: 0.5", $"cpus: {cpus}"), "platform:apps[0].cpus");
        Assert.Contains(cpus.Contains("n", StringComparison.OrdinalIgnoreCase) || cpus == "1e309" ? "must be a number" : "out of range", e.Problem, StringComparison.Ordinal);
        // NaN used to reach the JSON renderer and crash it.
        Assert.Equal(PlanCommand.ExitInvalidStack, Plan(TestStacks.Yaml(ReplaceInApp(0, "cpus: 0.5", $"cpus: {cpus}"))).ExitCode);
    }

    [Theory]
    [InlineData("0.1")] // 0.01 is Docker's minimum, but its provider reads it back as no limit: refused for that
    [InlineData("8")]
    public void Cpu_limits_up_to_the_servers_vcpus_are_accepted(string cpus) =>
        Assert.Empty(WithApp(0, "cpus: 0.5", $"cpus: {cpus}"));

    [Theory]
    [InlineData("memoryMb: 256", "memoryMb: 5", "platform:apps[0].memoryMb")]
    [InlineData("memoryMb: 256", "memoryMb: -1", "platform:apps[0].memoryMb")]
    [InlineData("memoryMb: 256", "memoryMb: NaN", "platform:apps[0].memoryMb")]
    [InlineData("memoryMb: 256", "memoryMb: 99999999999999999999", "platform:apps[0].memoryMb")]
    [InlineData("memoryMb: 256", "memoryMb: 2.5e2", "platform:apps[0].memoryMb")]
    [InlineData("port: 8000", "port: 65536", "platform:apps[0].port")]
    [InlineData("port: 8000", "port: -inf", "platform:apps[0].port")]
    public void Impossible_app_numbers_are_rejected(string replace, string with, string key) =>
        One(WithApp(0, replace, with), key);

    [Theory]
    [InlineData("platform:postgresMemoryMb: .inf", "platform:postgresMemoryMb")]
    [InlineData("platform:redisMaxMemoryMb: 1e9", "platform:redisMaxMemoryMb")]
    [InlineData("platform:backupStorageGb: -1", "platform:backupStorageGb")]
    [InlineData("platform:osReserveMb: 2147483648", "platform:osReserveMb")]
    [InlineData("platform:prices: { cx42: 1e30 }", "platform:prices.cx42")]
    [InlineData("platform:prices: { backupStoragePerGb: 79228162514264337593543950335 }", "platform:prices.backupStoragePerGb")]
    [InlineData("platform:prices: { ipv4: NaN }", "platform:prices.ipv4")]
    public void Impossible_platform_numbers_are_rejected(string line, string key) =>
        One(TestStacks.Errors(TestStacks.Yaml(extra: line)), key);

    [Fact]
    public void The_largest_price_override_still_sums()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: $"platform:backupStorageGb: 1000000\nplatform:prices: {{ backupStoragePerGb: {Platform.Stacks.Catalog.PriceSettingsReader.MaxPrice}, cx42: {Platform.Stacks.Catalog.PriceSettingsReader.MaxPrice} }}"));
        Assert.Equal(100_000m * 1_000_000 + 100_000m + Prices.PrimaryIpv4Eur, b.Cost.MonthlyEur);
    }

    // --- health commands ---

    [Theory]
    [InlineData("[CMD]", "without a program", "[CMD, /app/healthcheck]")]
    [InlineData("[CMD, \"\"]", "empty program", "Put the program first")]
    [InlineData("[CMD, \"curl -f localhost || exit 1\"]", "shell syntax", "[CMD-SHELL, \"curl -f localhost || exit 1\"]")]
    [InlineData("[CMD, worker, --check, \">\", /dev/null]", "shell syntax", "[CMD-SHELL, \"worker --check > /dev/null\"]")]
    [InlineData("[CMD, \"a;b\"]", "shell syntax", "CMD-SHELL")]
    [InlineData("[CMD, \"echo $(date)\"]", "shell syntax", "CMD-SHELL")]
    [InlineData("[CMD, \"echo `date`\"]", "shell syntax", "CMD-SHELL")]
    [InlineData("[CMD, \"a && b\"]", "shell syntax", "CMD-SHELL")]
    [InlineData("[CMD-SHELL]", "without a command", "one string")]
    [InlineData("[CMD-SHELL, worker, --check]", "2 items after CMD-SHELL", "[CMD-SHELL, \"worker --check\"]")]
    [InlineData("[CMD-SHELL, \" \"]", "empty shell command", "pg_isready")]
    [InlineData("[NONE]", "turns the health check off", "healthPath")]
    [InlineData("[worker, --check]", "starts with 'worker', not CMD or CMD-SHELL", "[CMD, worker, --check]")]
    [InlineData("[\"worker --check | grep ok\"]", "not CMD or CMD-SHELL", "[CMD-SHELL, \"worker --check | grep ok\"]")]
    [InlineData("[cmd, worker]", "starts with 'cmd'", "[CMD, cmd, worker]")]
    [InlineData("[CMD, \"work\\0er\"]", "control character", "one line")]
    public void Health_commands_must_have_one_of_dockers_forms(string command, string problem, string fix)
    {
        var e = One(WithApp(2, "healthCommand: [CMD, worker, --check]", "healthCommand: " + command), "platform:apps[2].healthCommand");
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Contains(fix, e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[CMD, worker, --check]")]
    [InlineData("[CMD-SHELL, \"worker --check | grep -q ok\"]")]
    [InlineData("[CMD, /bin/sh, -c, \"worker --check | grep -q ok\"]")]
    public void Health_commands_in_dockers_forms_are_accepted(string command) =>
        Assert.Empty(WithApp(2, "healthCommand: [CMD, worker, --check]", "healthCommand: " + command));

    [Fact]
    public void An_empty_health_command_is_rejected()
    {
        var errors = WithApp(2, "healthCommand: [CMD, worker, --check]", "healthCommand: []");
        Assert.Contains("empty list", One(errors, "platform:apps[2].healthCommand").Problem, StringComparison.Ordinal);
    }

    // --- env ---

    [Theory]
    [InlineData("9LIVES")]
    [InlineData("LOG-LEVEL")]
    [InlineData("LOG.LEVEL")]
    [InlineData("ÜBER")]
    [InlineData("A B")]
    public void Env_names_outside_the_portable_set_are_rejected(string name)
    {
        var e = One(WithApp(1, "instances: 2", $"instances: 2\n  env: {{ \"{name}\": x }}"), $"platform:apps[1].env.{name}");
        Assert.Contains("not an environment variable name", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Lower_case_env_names_are_accepted() =>
        Assert.Empty(WithApp(1, "instances: 2", "instances: 2\n  env: { log_level: info, _X1: y }"));

    [Theory]
    [InlineData("\"a\\0b\"")]
    [InlineData("\"line1\\nline2\"")]
    [InlineData("\"\\e[31mred\"")]
    [InlineData("\"\\x7f\"")]
    public void Env_values_with_control_characters_are_rejected(string value)
    {
        var e = One(WithApp(1, "instances: 2", $"instances: 2\n  env: {{ GREETING: {value} }}"), "platform:apps[1].env.GREETING");
        Assert.Contains("control character", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(e.ToString(), char.IsControl);
    }

    [Fact]
    public void A_tab_in_an_env_value_is_kept()
    {
        var settings = TestStacks.Read(TestStacks.Yaml(ReplaceInApp(1, "instances: 2", "instances: 2\n  env: { COLUMNS: \"a\\tb\" }")));
        Assert.Equal("a\tb", settings.Apps[1].Env["COLUMNS"]);
    }

    [Fact]
    public void Env_may_not_take_a_bucket_variable_of_the_platform()
    {
        var e = One(WithApp(0, "memoryMb: 256", "memoryMb: 256\n  env: { S3_BUCKET_UPLOADS: mine }"), "platform:apps[0].env.S3_BUCKET_UPLOADS");
        Assert.Contains("buckets", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_like_env_names_are_caught_in_lower_case_too() =>
        Assert.Contains("looks like a secret", One(WithApp(1, "instances: 2", "instances: 2\n  env: { db_password: hunter2 }"), "platform:apps[1].env.db_password").Problem, StringComparison.Ordinal);

    [Fact]
    public void A_nul_in_a_command_argument_is_rejected() =>
        One(WithApp(2, "healthCommand: [CMD, worker, --check]", "healthCommand: [CMD, worker, --check]\n  command: [worker, \"--x\\0\"]"), "platform:apps[2].command[1]");

    // --- monitor ids (made from app and host names until identities are namespaced) ---

    // Monitor ids are namespaced by construction (http-app-<app>-r<route>): what used to collide now plans.
    [Fact]
    public void An_app_named_like_another_apps_host_monitor_plans_with_its_own_monitor()
    {
        // web has two routes (app, @); an app named web-app used to make web's monitor id too.
        var apps = TestStacks.DefaultApps + """

            - name: web-app
              image: ghcr.io/example/web:2.0.0
              port: 3000
              routes: [{ host: other }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
            """;
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(apps)));
        var ids = TestStacks.Build(TestStacks.Yaml(apps)).Monitors.Select(m => m.Name).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(PlanCommand.ExitOk, Plan(TestStacks.Yaml(apps)).ExitCode);
    }

    [Fact]
    public void An_app_named_like_a_platform_monitor_keeps_the_platform_monitor()
    {
        Assert.Empty(WithApp(1, "name: web", "name: status-page"));
        var yaml = TestStacks.Yaml(ReplaceInApp(1, "name: web", "name: status-page"));
        var b = TestStacks.Build(yaml);
        var hosts = MonitoringBlueprint.MonitoredHosts(TestStacks.Read(yaml));
        Assert.Contains(hosts, h => h.Id is null && h.Name == "status-page");
        Assert.Contains(hosts, h => h.Id == "http-app-status-page-r0");
        Assert.Contains(b.Monitors, m => m.Target == "https://status.example.com/status");
    }

    [Fact]
    public void A_long_host_still_makes_a_monitor_id_that_fits()
    {
        var host = "h" + new string('x', 62);
        var yaml = TestStacks.Yaml(ReplaceInApp(1, "routes: [{ host: app }, { host: \"@\" }]", $"routes: [{{ host: {host} }}, {{ host: \"@\" }}]"));
        Assert.DoesNotContain(TestStacks.Errors(yaml), e => e.Problem.Contains("monitor id", StringComparison.Ordinal));
        Assert.All(MonitoringBlueprint.MonitoredHosts(TestStacks.Read(yaml)).Where(h => h.Id is not null),
            h => Assert.True(Platform.Stacks.Operations.Monitors.IsValidId(h.Id!), h.Id));
    }

    // --- the stack files themselves ---

    [Fact]
    public void A_misspelt_namespace_names_the_file_and_suggests_the_key()
    {
        var doc = StackFiles.FromTexts("name: platform\n", "test", TestStacks.Yaml(extra: "platfrom:osReserveMb: 512"));
        var e = Assert.Single(doc.Errors);
        Assert.Equal("Pulumi.test.yaml: platfrom:osReserveMb", e.Key);
        Assert.Contains("'platform:osReserveMb'", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    // Found by the stack fuzzer: YamlDotNet throws InvalidOperationException (not YamlException) here…
    [InlineData("config:\n  platform:apps:\n    - env:\n      [  LOG_LEVEL: info\n      secretEnv: [STRIPE_API_KEY]\n")]
    // … and ArgumentException ("The current event is of an unsupported type") here.
    [InlineData("config:\n  platform:appSecrets:\n    api:\n      STRIPE_API_KEY:\n       : secure: v1:abc\n")]
    public void Input_that_breaks_yamldotnets_parser_is_a_yaml_error(string text)
    {
        var doc = StackFiles.FromTexts("name: platform\n", "test", text);
        var e = Assert.Single(doc.Errors);
        Assert.Equal("Pulumi.test.yaml", e.Key);
        Assert.Contains("not valid YAML", e.Problem, StringComparison.Ordinal);
        Assert.Equal(PlanCommand.ExitInvalidStack, PlanCommand.Evaluate(doc, "text").ExitCode);
    }

    [Fact]
    public void Control_characters_in_quoted_values_are_shown_escaped()
    {
        var yaml = TestStacks.Yaml().Replace("platform:environment: staging", "platform:environment: \"stag\\0ing\\e[2J\u202E\"", StringComparison.Ordinal);
        var e = One(TestStacks.Errors(yaml), "platform:environment");
        Assert.Contains("stag\\u0000ing\\u001B[2J\\u202E", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(e.ToString(), c => char.IsControl(c) || c == '\u202E');
    }

    [Fact]
    public void A_huge_value_is_cut_in_the_message()
    {
        var value = new string('k', 100_000);
        var e = One(TestStacks.Errors(TestStacks.Yaml().Replace("platform:environment: staging", "platform:environment: " + value, StringComparison.Ordinal)), "platform:environment");
        Assert.True(e.ToString().Length < 5000, $"{e.ToString().Length} characters");
        Assert.Matches(@"… \(1000\d\d characters\)$", e.Problem);
    }

    [Fact]
    public void A_huge_key_is_cut_in_the_message()
    {
        // YAML allows 1024 characters in a plain key; a longer one needs the explicit '? key' form.
        var key = "platform:" + new string('k', 100_000);
        var e = Assert.Single(TestStacks.Errors(TestStacks.Yaml(extra: $"? {key}\n: 1")));
        Assert.True(e.ToString().Length < 5000, $"{e.ToString().Length} characters");
        Assert.Contains("(100009 characters)", e.Key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: \"plat form\"\n")]
    [InlineData("name: [platform]\n")]
    [InlineData("name: \"platform\\0\"\n")]
    public void An_unusable_project_name_is_reported_at_pulumi_yaml(string project)
    {
        var doc = StackFiles.FromTexts(project, "test", TestStacks.Yaml());
        Assert.Contains(doc.Errors, e => e.Key == "Pulumi.yaml: name" && e.Fix.Contains("lower-case", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../staging")]
    [InlineData("")]
    [InlineData("prod\0")]
    [InlineData("..")]
    public void A_stack_name_that_is_no_file_name_is_rejected(string stack)
    {
        var e = Assert.Single(StackFiles.Load(TestStacks.RepoRoot, stack).Errors);
        Assert.Equal("--stack", e.Key);
        Assert.Contains("not a stack name", e.Problem, StringComparison.Ordinal);
    }
}
