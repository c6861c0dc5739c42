using System.Net;
using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Monitoring;

/// <summary>
/// Alert channels as code (<c>platform:alertChannels</c>): the settings and their errors, AutoKuma's notification files with
/// Uptime Kuma 2.0.2's provider fields, the monitors that notify every channel, the plan's lines, and the deploy notices.
/// </summary>
public sealed class AlertChannelsTests
{
    private const string Channels = """
        platform:alertChannels:
          - { name: ops, kind: slack, channel: "#ops-alerts", username: platform }
          - { name: team, kind: discord }
          - { name: oncall, kind: telegram, chatId: "-1001234567890" }
          - { name: ops-mail, kind: email, smtpHost: smtp.example.com, from: alerts@example.com, to: "ops@example.com, cto@example.com" }
          - { name: pager, kind: webhook }
        platform:alertChannelSecrets:
          ops: { secure: v1:abc }
          team: { secure: v1:abc }
          oncall: { secure: v1:abc }
          ops-mail: { secure: v1:abc }
          pager: { secure: v1:abc }
        """;

    private static IReadOnlyList<string> ErrorLines(string extra, string environment = "staging") =>
        [.. TestStacks.Errors(TestStacks.Yaml(extra: extra, environment: environment)).Select(e => $"{e.Key}: {e.Problem} | {e.Fix}")];

    [Fact]
    public void Each_kind_is_read_with_its_settings_and_its_secret_by_name()
    {
        var s = TestStacks.Read(TestStacks.Yaml(extra: Channels));
        var all = AlertChannels.Of(s);
        // alertWebhookUrl stays a channel, first, under the id its file always had.
        Assert.Equal(["alerts", "ops", "team", "oncall", "ops-mail", "pager"], all.Select(c => c.Id));
        Assert.Equal(new SlackNotification("ops", "ops (slack)", "alertChannelSecrets.ops", "#ops-alerts", "platform"), all[1]);
        Assert.Equal(new TelegramNotification("oncall", "oncall (telegram)", "alertChannelSecrets.oncall", "-1001234567890", null), all[3]);
        var mail = Assert.IsType<EmailNotification>(all[4]);
        Assert.Equal(("smtp.example.com", 587, false, "alerts@example.com", "alertChannelSecrets.ops-mail"), (mail.SmtpHost, mail.SmtpPort, mail.SmtpTls, mail.SmtpUsername, mail.SmtpPasswordSecret));
        var b = BlueprintBuilder.Build(s);
        Assert.All(all.Skip(1), c => Assert.Contains(b.Secrets, x => x.Name == AlertChannels.SecretOf(c) && x.ConfigKey == "platform:" + AlertChannels.SecretOf(c)));
    }

    [Fact]
    public void Secrets_in_plain_text_anywhere_are_refused_with_the_command_that_sets_them()
    {
        var plain = ErrorLines("""
            platform:alertChannels:
              - { name: ops, kind: slack, webhookUrl: "https://hooks.slack.com/services/T0/B0/x" }
            platform:alertChannelSecrets:
              ops: https://hooks.slack.com/services/T0/B0/x
            """);
        Assert.Contains(plain, l => l.StartsWith("platform:alertChannels[0].webhookUrl: would put the channel's secret in the stack file in plain text. | Remove it and run: pulumi config set --secret --path 'alertChannelSecrets.ops' <value> --stack test", StringComparison.Ordinal));
        Assert.Contains(plain, l => l.StartsWith("platform:alertChannelSecrets.ops: is set in plain text, so the secret is in the repository.", StringComparison.Ordinal)
            && l.Contains("pulumi config set --secret --path 'alertChannelSecrets.ops' <value> --stack test", StringComparison.Ordinal));
        // And the value never appears in an error.
        Assert.DoesNotContain(plain, l => l.Contains("hooks.slack.com", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("- { name: ops, kind: slack }", "platform:alertChannelSecrets.ops: is required but not set (the Slack incoming webhook URL of the channel 'ops'). | pulumi config set --secret --path 'alertChannelSecrets.ops' <webhook-url> --stack test")]
    [InlineData("- { name: ops, kind: pagerduty }", "platform:alertChannels[0].kind: 'pagerduty' is not a channel kind. | Use one of: slack, discord, telegram, email, webhook.")]
    [InlineData("- { name: ops }", "platform:alertChannels[0].kind: is required.")]
    [InlineData("- { name: Ops, kind: slack }", "platform:alertChannels[0].name: 'Ops' is not a valid channel name.")]
    [InlineData("- { name: alerts, kind: slack }", "platform:alertChannels[0].name: 'alerts' is the channel of platform:alertWebhookUrl.")]
    [InlineData("- { name: oncall, kind: telegram }", "platform:alertChannels[0].chatId: is required.")]
    [InlineData("- { name: oncall, kind: telegram, chatId: \"my group\" }", "platform:alertChannels[0].chatId: 'my group' is not a Telegram chat id.")]
    [InlineData("- { name: mail, kind: email, smtpHost: smtp.example.com, from: alerts@example.com }", "platform:alertChannels[0].to: is required.")]
    [InlineData("- { name: mail, kind: email, from: a@example.com, to: b@example.com, smtpSecurity: ssl }", "platform:alertChannels[0].smtpSecurity: 'ssl' is not starttls or tls.")]
    [InlineData("- { name: ops, kind: discord, chatId: \"1\" }", "platform:alertChannels[0].chatId: is not a known setting.")]
    [InlineData("- { name: ops, kind: slack }\n  - { name: ops, kind: discord }", "platform:alertChannels[1].name: 'ops' is listed twice.")]
    public void A_channel_the_platform_cannot_use_is_an_error_at_its_key(string channels, string expected)
    {
        var errors = ErrorLines($"platform:alertChannels:\n  {channels}");
        Assert.Contains(errors, l => l.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_without_its_channel_is_an_error_and_prod_needs_one_channel_of_either_kind()
    {
        Assert.Contains(ErrorLines("platform:alertChannelSecrets:\n  gone: { secure: v1:abc }"),
            l => l.StartsWith("platform:alertChannelSecrets.gone: is set but no channel of platform:alertChannels has that name", StringComparison.Ordinal));
        var noWebhook = TestStacks.Yaml(environment: "prod").Replace("  platform:alertWebhookUrl:\n    secure: v1:abc\n", "", StringComparison.Ordinal);
        Assert.Contains(TestStacks.Errors(noWebhook), e => e.Key == "platform:alertWebhookUrl" && e.Fix.Contains("platform:alertChannels", StringComparison.Ordinal));
        var channelOnly = noWebhook.Replace("  platform:apps:", "  platform:alertChannels: [{ name: ops, kind: slack }]\n  platform:alertChannelSecrets: { ops: { secure: v1:abc } }\n  platform:apps:", StringComparison.Ordinal);
        Assert.DoesNotContain(TestStacks.Errors(channelOnly), e => e.Key == "platform:alertWebhookUrl");
    }

    [Fact]
    public void Every_alerting_monitor_notifies_every_channel_through_autokumas_notification_files()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: Channels));
        var ops = OperationsBlueprint.Of(TestStacks.Read(TestStacks.Yaml(extra: Channels)));
        var files = AutoKuma.Files(ops.Monitors, ops.Channels).ToDictionary(f => f.Path[(f.Path.LastIndexOf('/') + 1)..], f => f.Content);
        foreach (var id in new[] { "alerts", "ops", "team", "oncall", "ops-mail", "pager" })
            Assert.True(files.ContainsKey($"notify-{id}.json"), id);
        using var monitor = JsonDocument.Parse(files["tcp-postgresql.json"].Masked);
        Assert.Equal(["notify-alerts", "notify-ops", "notify-team", "notify-oncall", "notify-ops-mail", "notify-pager"],
            monitor.RootElement.GetProperty("notification_name_list").EnumerateArray().Select(x => x.GetString()));
        // The files are written by AutoKuma's host command: the channels' secrets are in its input, never in a container.
        var command = b.HostCommands.Single(c => c.Name == HostCommandNames.AutoKumaMonitors);
        Assert.Contains("alertChannelSecrets.oncall", command.Stdin!.Secrets);
        Assert.DoesNotContain(b.Services, s => s.Env.Values.Any(v => v.Secrets.Any(x => x.StartsWith("alertChannelSecrets.", StringComparison.Ordinal))));
    }

    /// <summary>
    /// Field names of Uptime Kuma 2.0.2 (server/notification-providers/): slack.js reads notification.slackwebhookURL,
    /// slackchannel, slackusername; discord.js discordWebhookUrl, discordUsername; telegram.js telegramBotToken,
    /// telegramChatID, telegramServerUrl (default https://api.telegram.org); smtp.js smtpHost, smtpPort, smtpSecure (nodemailer's
    /// secure: implicit TLS), smtpUsername, smtpPassword, smtpFrom, smtpTo; webhook.js webhookURL, webhookContentType. The
    /// entity is AutoKuma v2.0.0's `notification` (ENTITY_TYPES.md: active, is_default, config).
    /// </summary>
    [Fact]
    public void Notification_files_carry_uptime_kumas_own_provider_fields_and_the_secret_by_reference()
    {
        var s = TestStacks.Read(TestStacks.Yaml(extra: Channels));
        string Config(string id) => JsonDocument.Parse(AutoKuma.NotificationFile(AlertChannels.Of(s).Single(c => c.Id == id)).Content.Masked).RootElement.GetProperty("config").GetRawText();
        Assert.Equal("""{"type":"slack","slackwebhookURL":"<secret:alertChannelSecrets.ops>","slackchannel":"#ops-alerts","slackusername":"platform"}""", Compact(Config("ops")));
        Assert.Equal("""{"type":"discord","discordWebhookUrl":"<secret:alertChannelSecrets.team>"}""", Compact(Config("team")));
        Assert.Equal("""{"type":"telegram","telegramBotToken":"<secret:alertChannelSecrets.oncall>","telegramChatID":"-1001234567890"}""", Compact(Config("oncall")));
        Assert.Equal("""{"type":"smtp","smtpHost":"smtp.example.com","smtpPort":587,"smtpSecure":false,"smtpUsername":"alerts@example.com","smtpPassword":"<secret:alertChannelSecrets.ops-mail>","smtpFrom":"alerts@example.com","smtpTo":"ops@example.com, cto@example.com"}""", Compact(Config("ops-mail")));
        Assert.Equal("""{"type":"webhook","webhookURL":"<secret:alertChannelSecrets.pager>","webhookContentType":"json"}""", Compact(Config("pager")));
        var file = AutoKuma.NotificationFile(AlertChannels.Of(s).Single(c => c.Id == "oncall"));
        Assert.Equal("/autokuma/monitors/notify-oncall.json", file.Path);
        using var entity = JsonDocument.Parse(file.Content.Masked);
        Assert.Equal(("notification", "oncall (telegram)", true), (entity.RootElement.GetProperty("type").GetString(), entity.RootElement.GetProperty("name").GetString(), entity.RootElement.GetProperty("active").GetBoolean()));
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Fact]
    public void The_plan_lists_each_channel_by_name_kind_and_secret_name_never_a_value()
    {
        var text = PlanCommand.Evaluate(Platform.Stacks.Settings.StackFiles.Parse("platform", "test", TestStacks.Yaml(extra: Channels)), "text").Stdout;
        Assert.Contains("alert channel ops: Slack #ops-alerts, webhook URL in secret alertChannelSecrets.ops (every monitor's alerts and each deploy's result)", text, StringComparison.Ordinal);
        Assert.Contains("alert channel oncall: Telegram chat -1001234567890, bot token in secret alertChannelSecrets.oncall", text, StringComparison.Ordinal);
        Assert.Contains("alert channel ops-mail: e-mail to ops@example.com, cto@example.com from alerts@example.com via smtp.example.com:587 (STARTTLS)", text, StringComparison.Ordinal);
        Assert.Contains("alert channel alerts: webhook, URL in secret alertWebhookUrl", text, StringComparison.Ordinal);
        var none = PlanCommand.Evaluate(Platform.Stacks.Settings.StackFiles.Parse("platform", "test", TestStacks.Yaml().Replace("  platform:alertWebhookUrl:\n    secure: v1:abc\n", "", StringComparison.Ordinal)), "text").Stdout;
        Assert.Contains("alert channels: none (a red monitor and a deploy's result alert nobody", none, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_channel_restarts_no_container()
    {
        var before = TestStacks.Build(TestStacks.Yaml());
        var after = TestStacks.Build(TestStacks.Yaml(extra: Channels));
        static IEnumerable<string> Containers(PlatformBlueprint b) => b.Services.Select(Platform.Stacks.Canonical.ContainerConfigs.Of).Select(c => JsonSerializer.Serialize(c));
        Assert.Equal(Containers(before), Containers(after));
        Assert.Contains("autokuma", Containers(after).Single(c => c.Contains("\"autokuma\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.NotEqual(before.HostCommands.Single(c => c.Name == HostCommandNames.AutoKumaMonitors).Stdin!.Masked, after.HostCommands.Single(c => c.Name == HostCommandNames.AutoKumaMonitors).Stdin!.Masked);
    }
}

/// <summary>The deploy notice each channel gets (<c>notify</c>), built offline and delivered to a loopback listener only.</summary>
public sealed class DeployNoticeTests
{
    private static readonly DeployResult Failed = new("prod", "failure", "0123456789abcdef", "alice", "https://github.com/o/r/actions/runs/42");

    [Fact]
    public void The_message_names_the_stack_the_outcome_the_commit_the_actor_and_the_run()
    {
        Assert.Equal("prod: deploy FAILED (0123456 by alice) https://github.com/o/r/actions/runs/42", DeployNotice.Text(Failed));
        Assert.Equal("staging: deploy succeeded", DeployNotice.Text(new("staging", "success")));
        Assert.Equal("staging: deploy cancelled (by bob)", DeployNotice.Text(new("staging", "cancelled", Actor: "bob")));
    }

    [Fact]
    public void Each_kind_gets_the_body_its_service_takes_and_the_secret_only_in_the_address()
    {
        var slack = Assert.IsType<HttpNotice>(DeployNotice.For(new SlackNotification("ops", "ops", "k", "#ops", null), "https://hooks.slack.com/services/T/B/SECRET", Failed));
        Assert.Equal("""{"text":"prod: deploy FAILED (0123456 by alice) https://github.com/o/r/actions/runs/42","channel":"#ops"}""", slack.Json);
        Assert.DoesNotContain("SECRET", slack.ToString(), StringComparison.Ordinal);
        var discord = Assert.IsType<HttpNotice>(DeployNotice.For(new DiscordNotification("team", "team", "k", "platform"), "https://discord.com/api/webhooks/1/SECRET", Failed));
        Assert.Equal("""{"content":"prod: deploy FAILED (0123456 by alice) https://github.com/o/r/actions/runs/42","username":"platform"}""", discord.Json);
        var telegram = Assert.IsType<HttpNotice>(DeployNotice.For(new TelegramNotification("oncall", "oncall", "k", "-100123", null), "123:SECRET", Failed));
        Assert.Equal("https://api.telegram.org/bot123:SECRET/sendMessage", telegram.Url.ToString());
        Assert.Equal("""{"chat_id":"-100123","text":"prod: deploy FAILED (0123456 by alice) https://github.com/o/r/actions/runs/42"}""", telegram.Json);
        Assert.DoesNotContain("SECRET", telegram.ToString(), StringComparison.Ordinal);
        var hook = Assert.IsType<HttpNotice>(DeployNotice.For(new WebhookNotification("pager", "pager", "k"), "https://example.com/hook?token=SECRET", Failed));
        using (var body = JsonDocument.Parse(hook.Json))
            Assert.Equal(("prod: deploy FAILED (0123456 by alice) https://github.com/o/r/actions/runs/42", "failure", "0123456789abcdef"),
                (body.RootElement.GetProperty("msg").GetString(), body.RootElement.GetProperty("status").GetString(), body.RootElement.GetProperty("commit").GetString()));
        var mail = Assert.IsType<MailNotice>(DeployNotice.For(new EmailNotification("m", "m", "smtp.example.com", 587, false, "u", "k", "alerts@example.com", "ops@example.com"), "SECRET", Failed));
        Assert.Equal(("[prod] deploy FAILED", "prod: deploy FAILED (0123456 by alice) https://github.com/o/r/actions/runs/42\n"), (mail.Subject, mail.Body));
        Assert.DoesNotContain("SECRET", mail.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_read_from_pulumis_config_json_plain_and_by_path()
    {
        using var config = JsonDocument.Parse("""
            {
              "platform:alertWebhookUrl": { "value": "https://example.com/hook", "secret": true },
              "platform:alertChannelSecrets": { "value": "{\"ops\":\"https://hooks.slack.com/x\"}", "objectValue": { "ops": "https://hooks.slack.com/x" }, "secret": true },
              "platform:domain": { "value": "example.com", "secret": false }
            }
            """);
        Assert.Equal("https://example.com/hook", DeployNotice.SecretFrom(config.RootElement, "alertWebhookUrl"));
        Assert.Equal("https://hooks.slack.com/x", DeployNotice.SecretFrom(config.RootElement, "alertChannelSecrets.ops"));
        Assert.Null(DeployNotice.SecretFrom(config.RootElement, "alertChannelSecrets.team"));
        using var masked = JsonDocument.Parse("""{ "platform:alertWebhookUrl": { "value": "[secret]", "secret": true }, "platform:alertChannelSecrets": { "value": "{\"ops\":\"x\"}", "secret": true } }""");
        Assert.Null(DeployNotice.SecretFrom(masked.RootElement, "alertWebhookUrl"));
        Assert.Equal("x", DeployNotice.SecretFrom(masked.RootElement, "alertChannelSecrets.ops"));
    }

    [Fact]
    public async Task Notify_posts_to_each_channel_here_a_loopback_listener_and_reports_without_secrets()
    {
        var port = Integration.Proc.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new List<(string Path, string Body)>();
        var serve = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                lock (received) received.Add((context.Request.Url!.AbsolutePath, body));
                // The "discord" address refuses, as a deleted webhook does.
                context.Response.StatusCode = context.Request.Url.AbsolutePath.Contains("gone", StringComparison.Ordinal) ? 404 : 200;
                context.Response.Close();
            }
        });

        var dir = Directory.CreateTempSubdirectory("notify");
        try
        {
            File.Copy(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml"), Path.Combine(dir.FullName, "Pulumi.yaml"));
            File.WriteAllText(Path.Combine(dir.FullName, "Pulumi.test.yaml"), TestStacks.Yaml(extra: $$"""
                platform:alertChannels:
                  - { name: ops, kind: slack, channel: "#ops" }
                  - { name: team, kind: discord }
                  - { name: oncall, kind: telegram, chatId: "-100123", serverUrl: "http://127.0.0.1:{{port}}" }
                platform:alertChannelSecrets:
                  ops: { secure: v1:abc }
                  team: { secure: v1:abc }
                  oncall: { secure: v1:abc }
                """));
            var config = Path.Combine(dir.FullName, "config.json");
            File.WriteAllText(config, $$"""
                {
                  "platform:alertWebhookUrl": { "value": "http://127.0.0.1:{{port}}/hook/SECRET-HOOK", "secret": true },
                  "platform:alertChannelSecrets": { "objectValue": { "ops": "http://127.0.0.1:{{port}}/slack/SECRET-SLACK", "team": "http://127.0.0.1:{{port}}/gone/SECRET-DISCORD", "oncall": "42:SECRET-TOKEN" }, "secret": true }
                }
                """);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await NotifyCommand.RunAsync(new NotifyRequest(dir.FullName, new DeployResult("test", "success", "abcdef0123", "alice")) { ConfigFile = config }, stdout, stderr);

            Assert.Equal(1, exit); // the refused channel makes the step fail
            lock (received)
            {
                Assert.Equal(["/bot42:SECRET-TOKEN/sendMessage", "/gone/SECRET-DISCORD", "/hook/SECRET-HOOK", "/slack/SECRET-SLACK"], received.Select(r => r.Path).Order(StringComparer.Ordinal));
                Assert.Equal("""{"text":"test: deploy succeeded (abcdef0 by alice)","channel":"#ops"}""", received.Single(r => r.Path.StartsWith("/slack/", StringComparison.Ordinal)).Body);
                Assert.Equal("""{"chat_id":"-100123","text":"test: deploy succeeded (abcdef0 by alice)"}""", received.Single(r => r.Path.StartsWith("/bot", StringComparison.Ordinal)).Body);
            }
            var output = stdout + "\n" + stderr;
            Assert.Contains("ops (slack): sent (HTTP 200)", output, StringComparison.Ordinal);
            Assert.Contains("oncall (telegram): sent (HTTP 200)", output, StringComparison.Ordinal);
            Assert.Contains("alerts (webhook): sent (HTTP 200)", output, StringComparison.Ordinal);
            Assert.Contains("error: team (discord): refused with HTTP 404.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", output, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
            await serve;
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_channel_whose_secret_is_missing_from_the_config_names_the_command_and_a_stack_without_channels_sends_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("notify");
        try
        {
            File.Copy(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml"), Path.Combine(dir.FullName, "Pulumi.yaml"));
            File.WriteAllText(Path.Combine(dir.FullName, "Pulumi.test.yaml"), TestStacks.Yaml());
            File.WriteAllText(Path.Combine(dir.FullName, "config.json"), """{ "platform:alertWebhookUrl": { "value": "[secret]", "secret": true } }""");
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await NotifyCommand.RunAsync(new NotifyRequest(dir.FullName, new DeployResult("test", "success")) { ConfigFile = Path.Combine(dir.FullName, "config.json") }, stdout, stderr);
            Assert.Equal(1, exit);
            Assert.Contains("error: alerts (webhook): its secret alertWebhookUrl has no value in the stack's configuration (was it read with --show-secrets?). Set it: pulumi config set --secret alertWebhookUrl <value> --stack test", stderr.ToString(), StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir.FullName, "Pulumi.test.yaml"), TestStacks.Yaml().Replace("  platform:alertWebhookUrl:\n    secure: v1:abc\n", "", StringComparison.Ordinal));
            using var quiet = new StringWriter();
            Assert.Equal(0, await NotifyCommand.RunAsync(new NotifyRequest(dir.FullName, new DeployResult("test", "failure")), quiet, stderr));
            Assert.Contains("has no alert channel (alertWebhookUrl, alertChannels): nothing sent.", quiet.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
