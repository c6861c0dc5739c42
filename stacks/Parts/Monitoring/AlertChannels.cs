using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Operations;

/// <summary>A Slack incoming webhook (its URL is the secret); optional channel and user name, as Uptime Kuma sends them.</summary>
public sealed record SlackNotification(string Id, string Name, string UrlSecret, string? Channel, string? Username) : NotificationTarget(Id, Name);

/// <summary>A Discord webhook (its URL is the secret); optional display name.</summary>
public sealed record DiscordNotification(string Id, string Name, string UrlSecret, string? Username) : NotificationTarget(Id, Name);

/// <summary>A Telegram bot (its token is the secret) posting to one chat; <see cref="ServerUrl"/> for a Bot API server of one's own.</summary>
public sealed record TelegramNotification(string Id, string Name, string TokenSecret, string ChatId, string? ServerUrl) : NotificationTarget(Id, Name);

/// <summary>
/// The stack's alert channels (<c>platform:alertChannels</c>): Slack, Discord, Telegram, e-mail (SMTP) or a webhook, each
/// with its one secret in <c>alertChannelSecrets.&lt;name&gt;</c>, set with <c>pulumi config set --secret --path</c>. The
/// older <c>alertWebhookUrl</c> is the channel <see cref="LegacyWebhookId"/>. Every alerting monitor of Uptime Kuma notifies
/// every channel (AutoKuma's notification entities, <see cref="AutoKuma.NotificationFile"/>), and the workflow posts each
/// deploy's result to them (<see cref="DeployNotice"/>).
/// </summary>
public static class AlertChannels
{
    public const string SettingsKey = "platform:alertChannels";
    public const string SecretsSetting = "alertChannelSecrets";

    /// <summary>The channel <c>alertWebhookUrl</c> makes (its AutoKuma file keeps the name it always had: notify-alerts).</summary>
    public const string LegacyWebhookId = "alerts";

    /// <summary>What every alerting monitor carries: it notifies every channel of the stack.</summary>
    public const string MonitorsNotify = LegacyWebhookId;

    public static readonly string[] Kinds = ["slack", "discord", "telegram", "email", "webhook"];

    /// <summary>Every channel's keys (name, kind), from the schema's rows.</summary>
    private static IEnumerable<string> Common => AlertChannelsSchema.Channel.Keys.Where(k => !AlertChannelsSchema.Channel.OnlyWith.ContainsKey(k));

    /// <summary>The keys each kind adds, from the schema's rows (properties: the rows read <see cref="Kinds"/>).</summary>
    private static IReadOnlyDictionary<string, string[]> KindKeys => Kinds.ToDictionary(kind => kind,
        kind => AlertChannelsSchema.Channel.Keys.Where(k => AlertChannelsSchema.Channel.OnlyWith.TryGetValue(k, out var kinds) && kinds.Contains(kind)).ToArray(),
        StringComparer.Ordinal);

    /// <summary>Keys that would put a channel's secret in the stack file in plain text.</summary>
    private static readonly string[] SecretKeys = ["url", "webhookUrl", "webhookURL", "token", "botToken", "password", "smtpPassword", "secret"];

    /// <summary>The secret a channel needs, by kind (what <c>alertChannelSecrets.&lt;name&gt;</c> holds).</summary>
    public static string SecretWhat(string kind) => kind switch
    {
        "slack" => "the Slack incoming webhook URL",
        "discord" => "the Discord webhook URL",
        "telegram" => "the Telegram bot token",
        "email" => "the SMTP password",
        _ => "the webhook URL",
    };

    public static string SecretKey(string name) => $"{SecretsSetting}.{name}";

    private static string SetCommand(string name, string kind, string stack) =>
        $"pulumi config set --secret --path '{SecretKey(name)}' <{kind switch { "telegram" => "bot-token", "email" => "smtp-password", _ => "webhook-url" }}> --stack {stack}";

    /// <summary>Records which <c>alertChannelSecrets.&lt;name&gt;</c> are set, refusing any set in plain text.</summary>
    internal static void CollectSecrets(NodeReader r, ConfigValue value, string stack, ISet<string> set)
    {
        var key = $"{SettingsSchema.Namespace}:{SecretsSetting}";
        if (value.IsSecure || value.Node is not YamlMappingNode map)
        {
            r.Error(key, value.IsSecure ? "is one encrypted blob, so no channel's secret can be checked." : "must be a mapping of channel name to its secret.",
                $"Set each channel's own: pulumi config set --secret --path '{SecretsSetting}.<channel>' <value> --stack {stack}");
            return;
        }
        foreach (var (nameKey, secretNode) in map.Children)
        {
            var name = (nameKey as YamlScalarNode)?.Value ?? "";
            StackValues.Secret(r, secretNode, $"{key}.{name}", SecretKey(name), set, stack, "a leaked webhook URL or token lets anyone post to the channel");
        }
    }

    /// <summary>The channels, every problem reported under its key with the fix; <paramref name="secrets"/> holds the set secrets.</summary>
    internal static ImmutableArray<NotificationTarget> Read(NodeReader r, YamlNode? node, ISet<string> secrets, string stack)
    {
        var result = ImmutableArray.CreateBuilder<NotificationTarget>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, key) in r.Sequence(node, SettingsKey, "Write one entry per channel, e.g. - { name: ops, kind: slack }."))
        {
            if (item is YamlMappingNode raw)
                foreach (var secretKey in raw.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(k => SecretKeys.Contains(k)))
                    r.Error($"{key}.{secretKey}", "would put the channel's secret in the stack file in plain text.",
                        $"Remove it and run: pulumi config set --secret --path '{SecretKey(NameOf(raw))}' <value> --stack {stack}");
            var kindNode = (item as YamlMappingNode)?.Children.FirstOrDefault(kv => (kv.Key as YamlScalarNode)?.Value == "kind").Value;
            var kind = kindNode is null ? "" : r.String(kindNode, $"{key}.kind").Trim();
            if (kindNode is null)
                r.Error($"{key}.kind", "is required.", $"Use one of: {string.Join(", ", Kinds)}.");
            else if (!KindKeys.ContainsKey(kind))
                r.Error($"{key}.kind", $"'{SettingsError.Printable(kind, 20)}' is not a channel kind.", $"Use one of: {string.Join(", ", Kinds)}.");
            var known = Common.Concat(KindKeys.GetValueOrDefault(kind) ?? []).Concat(SecretKeys).ToArray();
            var map = r.Mapping(item, key, known);
            string? Opt(string name) => map.TryGetValue(name, out var n) ? r.String(n, $"{key}.{name}").Trim() : null;
            var name = Opt("name") ?? "";
            if (name.Length == 0)
                r.Error($"{key}.name", "is required.", "Name the channel, e.g. name: ops (its secret is alertChannelSecrets.ops).");
            else if (!Names.IsAppName(name))
                r.Error($"{key}.name", $"'{SettingsError.Printable(name, 40)}' is not a valid channel name.", "Use lower-case letters, digits and hyphens, e.g. ops-slack.");
            else if (name == LegacyWebhookId)
                r.Error($"{key}.name", $"'{LegacyWebhookId}' is the channel of platform:alertWebhookUrl.", "Give this channel another name, e.g. ops.");
            else if (!names.Add(name))
                r.Error($"{key}.name", $"'{name}' is listed twice.", "Give each channel its own name.");
            if (!KindKeys.ContainsKey(kind) || !Names.IsAppName(name)) continue;
            if (!secrets.Contains(SecretKey(name)))
                r.Error($"{SettingsSchema.Namespace}:{SecretKey(name)}", $"is required but not set ({SecretWhat(kind)} of the channel '{name}').", SetCommand(name, kind, stack));
            var display = $"{name} ({kind})";
            NotificationTarget? channel = kind switch
            {
                "slack" => new SlackNotification(name, display, SecretKey(name), Opt("channel"), Opt("username")),
                "discord" => new DiscordNotification(name, display, SecretKey(name), Opt("username")),
                "telegram" => Telegram(r, key, name, display, Opt("chatId"), Opt("serverUrl")),
                "email" => Email(r, key, map, name, display),
                _ => new WebhookNotification(name, display, SecretKey(name)),
            };
            if (channel is not null) result.Add(channel);
        }
        foreach (var secret in secrets.Where(s => s.StartsWith(SecretsSetting + ".", StringComparison.Ordinal)))
            if (!names.Contains(secret[(SecretsSetting.Length + 1)..]))
                r.Error($"{SettingsSchema.Namespace}:{secret}", "is set but no channel of platform:alertChannels has that name, so nothing uses it.",
                    $"Add the channel to platform:alertChannels, or remove the secret: pulumi config rm --path '{secret}' --stack {stack}");
        return result.ToImmutable();
    }

    private static string NameOf(YamlMappingNode map) =>
        map.Children.FirstOrDefault(kv => (kv.Key as YamlScalarNode)?.Value == "name").Value is YamlScalarNode { Value: { Length: > 0 } n } ? n : "<name>";

    private static TelegramNotification? Telegram(NodeReader r, string key, string name, string display, string? chatId, string? serverUrl)
    {
        var ok = true;
        if (chatId is null || !System.Text.RegularExpressions.Regex.IsMatch(chatId, @"^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$"))
        {
            r.Error($"{key}.chatId", chatId is null ? "is required." : $"'{SettingsError.Printable(chatId, 40)}' is not a Telegram chat id.",
                "Give the chat's numeric id (a group's starts with -100, e.g. chatId: \"-1001234567890\") or a public channel's @name.");
            ok = false;
        }
        if (serverUrl is not null && !(Uri.TryCreate(serverUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" && u.Query.Length == 0))
        {
            r.Error($"{key}.serverUrl", $"'{SettingsError.Printable(serverUrl, 60)}' is not a Bot API server URL.", "Leave it out (https://api.telegram.org), or give your own Bot API server, e.g. https://tg.example.com.");
            ok = false;
        }
        return ok ? new TelegramNotification(name, display, SecretKey(name), chatId!, serverUrl?.TrimEnd('/')) : null;
    }

    private static EmailNotification? Email(NodeReader r, string key, IReadOnlyDictionary<string, YamlNode> map, string name, string display)
    {
        var errors = r.Errors.Count;
        string Str(string k, string fallback) => map.TryGetValue(k, out var n) ? r.String(n, $"{key}.{k}").Trim() : fallback;
        var host = Str("smtpHost", "").ToLowerInvariant();
        if (!Names.IsDomain(host))
            r.Error($"{key}.smtpHost", host.Length == 0 ? "is required." : $"'{SettingsError.Printable(host, 60)}' is not a host name.", "Give your mail relay's host, e.g. smtpHost: smtp.example.com.");
        var security = Str("smtpSecurity", "starttls");
        if (security is not ("starttls" or "tls"))
            r.Error($"{key}.smtpSecurity", $"'{SettingsError.Printable(security, 20)}' is not starttls or tls.", "Use starttls (port 587, the default) or tls (implicit TLS, port 465).");
        var port = map.TryGetValue("smtpPort", out var p) ? r.Int(p, $"{key}.smtpPort", 587, 1, 65535) : security == "tls" ? 465 : 587;
        var from = Str("from", "");
        var to = Str("to", "");
        foreach (var (k, v) in new[] { ("from", from), ("to", to) })
            if (v.Split(',').Select(x => x.Trim()).Any(x => !Names.IsEmail(x)))
                r.Error($"{key}.{k}", v.Length == 0 ? "is required." : $"'{SettingsError.Printable(v, 60)}' is not an e-mail address.",
                    k == "to" ? "Give the address(es) to alert, comma-separated, e.g. to: ops@example.com." : "Give the sender, e.g. from: alerts@example.com.");
        var user = Str("smtpUsername", from);
        return r.Errors.Count == errors ? new EmailNotification(name, display, host, port, security == "tls", user, SecretKey(name), from, to) : null;
    }

    /// <summary>Every channel of the stack: <c>alertWebhookUrl</c>'s first, then <c>alertChannels</c> in their order.</summary>
    public static ImmutableArray<NotificationTarget> Of(StackSettings s) =>
        [.. s.Monitoring.AlertWebhook ? [new WebhookNotification(LegacyWebhookId, "Alerts webhook", "alertWebhookUrl")] : Array.Empty<NotificationTarget>(), .. s.Monitoring.Channels];

    /// <summary>The secret a channel's notices need.</summary>
    public static string SecretOf(NotificationTarget n) => n switch
    {
        WebhookNotification w => w.UrlSecret,
        SlackNotification s => s.UrlSecret,
        DiscordNotification d => d.UrlSecret,
        TelegramNotification t => t.TokenSecret,
        EmailNotification e => e.SmtpPasswordSecret,
        _ => throw new ArgumentOutOfRangeException(nameof(n)),
    };

    /// <summary>The kind, as the stack file names it.</summary>
    public static string KindOf(NotificationTarget n) => n switch
    {
        SlackNotification => "slack",
        DiscordNotification => "discord",
        TelegramNotification => "telegram",
        EmailNotification => "email",
        _ => "webhook",
    };

    /// <summary>
    /// Uptime Kuma 2.0.2's provider settings (the <c>config</c> of AutoKuma's notification entity), with
    /// <paramref name="secretPlaceholder"/> where the secret goes. Field names from Uptime Kuma 2.0.2's
    /// <c>server/notification-providers/</c>: slack.js (<c>slackwebhookURL</c>, <c>slackchannel</c>, <c>slackusername</c>),
    /// discord.js (<c>discordWebhookUrl</c>, <c>discordUsername</c>), telegram.js (<c>telegramBotToken</c>,
    /// <c>telegramChatID</c>, <c>telegramServerUrl</c>), smtp.js (<c>smtpHost</c>, <c>smtpPort</c>, <c>smtpSecure</c>,
    /// <c>smtpUsername</c>, <c>smtpPassword</c>, <c>smtpFrom</c>, <c>smtpTo</c>), webhook.js (<c>webhookURL</c>,
    /// <c>webhookContentType</c>); <c>type</c> is the provider's <c>name</c>.
    /// </summary>
    public static JsonObject KumaConfig(NotificationTarget n, string secretPlaceholder)
    {
        var config = n switch
        {
            WebhookNotification => new JsonObject { ["type"] = "webhook", ["webhookURL"] = secretPlaceholder, ["webhookContentType"] = "json" },
            SlackNotification s => new JsonObject { ["type"] = "slack", ["slackwebhookURL"] = secretPlaceholder, ["slackchannel"] = s.Channel, ["slackusername"] = s.Username },
            DiscordNotification d => new JsonObject { ["type"] = "discord", ["discordWebhookUrl"] = secretPlaceholder, ["discordUsername"] = d.Username },
            TelegramNotification t => new JsonObject
            {
                ["type"] = "telegram", ["telegramBotToken"] = secretPlaceholder, ["telegramChatID"] = t.ChatId, ["telegramServerUrl"] = t.ServerUrl,
            },
            EmailNotification e => new JsonObject
            {
                ["type"] = "smtp",
                ["smtpHost"] = e.SmtpHost,
                ["smtpPort"] = e.SmtpPort,
                ["smtpSecure"] = e.SmtpTls,
                ["smtpUsername"] = e.SmtpUsername,
                ["smtpPassword"] = secretPlaceholder,
                ["smtpFrom"] = e.From,
                ["smtpTo"] = e.To,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(n)),
        };
        // Unset optional fields are left out (Uptime Kuma then uses its default), not sent as null.
        foreach (var empty in config.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) config.Remove(empty);
        return config;
    }

    /// <summary>The plan's line for a channel: name, kind and where it posts, never its secret.</summary>
    public static string PlanLine(NotificationTarget n) => n switch
    {
        WebhookNotification w when w.Id == LegacyWebhookId => $"{n.Id}: webhook, URL in secret {w.UrlSecret}",
        SlackNotification s => $"{n.Id}: Slack{(s.Channel is null ? "" : " " + s.Channel)}, webhook URL in secret {s.UrlSecret}",
        DiscordNotification d => $"{n.Id}: Discord, webhook URL in secret {d.UrlSecret}",
        TelegramNotification t => $"{n.Id}: Telegram chat {t.ChatId}{(t.ServerUrl is null ? "" : " via " + t.ServerUrl)}, bot token in secret {t.TokenSecret}",
        EmailNotification e => $"{n.Id}: e-mail to {e.To} from {e.From} via {e.SmtpHost}:{e.SmtpPort.ToString(CultureInfo.InvariantCulture)} ({(e.SmtpTls ? "TLS" : "STARTTLS")}), password in secret {e.SmtpPasswordSecret}",
        WebhookNotification w => $"{n.Id}: webhook, URL in secret {w.UrlSecret}",
        _ => n.Id,
    };
}
