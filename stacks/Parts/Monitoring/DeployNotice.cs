using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Stacks.Operations;

/// <summary>How a deploy ended, as the workflow knows it (<c>job.status</c>: success, failure or cancelled).</summary>
public sealed record DeployResult(string Stack, string Status, string? Commit = null, string? Actor = null, string? RunUrl = null)
{
    public static readonly string[] Statuses = ["success", "failure", "cancelled"];
}

/// <summary>One notice to send: an HTTP POST (JSON), or an e-mail. <see cref="ToString"/> never shows the secret.</summary>
public abstract record Notice(string Channel, string Kind);

/// <summary>A JSON POST to <see cref="Url"/> (which holds the secret for webhooks and Telegram's token).</summary>
public sealed record HttpNotice(string Channel, string Kind, Uri Url, string Json) : Notice(Channel, Kind)
{
    public override string ToString() => $"{Channel} ({Kind}): POST {Json}";
}

/// <summary>An e-mail through the channel's SMTP relay.</summary>
public sealed record MailNotice(string Channel, EmailNotification Mail, string Password, string Subject, string Body) : Notice(Channel, "email")
{
    public override string ToString() => $"{Channel} (email): to {Mail.To}: {Subject}";
}

/// <summary>
/// A deploy's result, as each channel of the stack takes it (<c>notify</c>, run by the workflow after every deploy): the
/// same channels Uptime Kuma notifies (<see cref="AlertChannels.Of"/>), each posted to the way its service documents for an
/// incoming message: Slack's incoming webhook (<c>{ text, channel, username }</c>), Discord's webhook
/// (<c>{ content, username }</c>), Telegram's Bot API <c>sendMessage</c> (<c>{ chat_id, text }</c>, at
/// <c>telegramServerUrl</c> or api.telegram.org, as Uptime Kuma 2.0.2's telegram.js), a webhook (<c>{ msg, … }</c>, the
/// field Uptime Kuma's webhook.js sends its message in), an e-mail.
/// </summary>
public static class DeployNotice
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The one line every channel gets, e.g. <c>prod: deploy succeeded (a1b2c3d by alice) https://…/runs/1</c>.</summary>
    public static string Outcome(DeployResult r) =>
        r.Status switch { "success" => "deploy succeeded", "failure" => "deploy FAILED", "cancelled" => "deploy cancelled", _ => $"deploy {r.Status}" };

    public static string Text(DeployResult r)
    {
        var outcome = Outcome(r);
        var who = (r.Commit is { Length: > 0 } c ? c[..Math.Min(7, c.Length)] : null, r.Actor is { Length: > 0 } a ? a : null) switch
        {
            (null, null) => "",
            (var commit, null) => $" ({commit})",
            (null, var actor) => $" (by {actor})",
            var (commit, actor) => $" ({commit} by {actor})",
        };
        return $"{r.Stack}: {outcome}{who}{(r.RunUrl is { Length: > 0 } u ? " " + u : "")}";
    }

    /// <summary>The notice for <paramref name="channel"/>, given its secret's value.</summary>
    public static Notice For(NotificationTarget channel, string secret, DeployResult r)
    {
        var text = Text(r);
        string Json(JsonObject o) => o.ToJsonString(Compact);
        JsonObject Without(JsonObject o)
        {
            foreach (var k in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) o.Remove(k);
            return o;
        }
        return channel switch
        {
            SlackNotification s => new HttpNotice(s.Id, "slack", new Uri(secret), Json(Without(new JsonObject { ["text"] = text, ["channel"] = s.Channel, ["username"] = s.Username }))),
            DiscordNotification d => new HttpNotice(d.Id, "discord", new Uri(secret), Json(Without(new JsonObject { ["content"] = text, ["username"] = d.Username }))),
            TelegramNotification t => new HttpNotice(t.Id, "telegram", new Uri($"{t.ServerUrl ?? "https://api.telegram.org"}/bot{secret}/sendMessage"),
                Json(new JsonObject { ["chat_id"] = t.ChatId, ["text"] = text })),
            EmailNotification e => new MailNotice(e.Id, e, secret, $"[{r.Stack}] {Outcome(r)}", text + "\n"),
            WebhookNotification w => new HttpNotice(w.Id, "webhook", new Uri(secret), Json(Without(new JsonObject
            {
                ["msg"] = text, ["stack"] = r.Stack, ["status"] = r.Status, ["commit"] = r.Commit, ["actor"] = r.Actor, ["runUrl"] = r.RunUrl,
            }))),
            _ => throw new ArgumentOutOfRangeException(nameof(channel)),
        };
    }

    /// <summary>
    /// The value of <paramref name="secretKey"/> (<c>alertWebhookUrl</c>, <c>alertChannelSecrets.ops</c>) in the output of
    /// <c>pulumi config --show-secrets --json</c>: <c>{ "platform:alertChannelSecrets": { "value": "{…}", "objectValue": {…},
    /// "secret": true } }</c>. Null when it is not there or still masked.
    /// </summary>
    public static string? SecretFrom(JsonElement config, string secretKey)
    {
        var parts = secretKey.Split('.', 2);
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty($"{Settings.SettingsSchema.Namespace}:{parts[0]}", out var entry)) return null;
        if (parts.Length == 1)
            return entry.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { } s && s != "[secret]" ? s : null;
        JsonElement obj;
        if (entry.TryGetProperty("objectValue", out var o) && o.ValueKind == JsonValueKind.Object) obj = o;
        else if (entry.TryGetProperty("value", out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { } json && json.StartsWith('{'))
            obj = JsonDocument.Parse(json).RootElement;
        else return null;
        return obj.TryGetProperty(parts[1], out var leaf) && leaf.ValueKind == JsonValueKind.String && leaf.GetString() is { } value && value != "[secret]" ? value : null;
    }

    /// <summary>Sends one notice; the outcome line names the channel and never the secret.</summary>
    public static async Task<(bool Ok, string Line)> SendAsync(Notice notice, HttpClient http, CancellationToken ct)
    {
        try
        {
            switch (notice)
            {
                case HttpNotice h:
                    using (var response = await http.PostAsync(h.Url, new StringContent(h.Json, Encoding.UTF8, "application/json"), ct))
                    {
                        var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                        return response.IsSuccessStatusCode
                            ? (true, $"{h.Channel} ({h.Kind}): sent (HTTP {code})")
                            : (false, $"{h.Channel} ({h.Kind}): refused with HTTP {code}. Check its secret ({h.Kind} {(h.Kind == "telegram" ? "bot token" : "webhook URL")}) and, for Telegram, the chat id.");
                    }
                case MailNotice m:
                    if (m.Mail.SmtpTls)
                        return (false, $"{m.Channel} (email): not sent: the notify command speaks STARTTLS only (.NET's SmtpClient), not implicit TLS on {m.Mail.SmtpPort.ToString(CultureInfo.InvariantCulture)}. Set smtpSecurity: starttls (port 587) for deploy notices; Uptime Kuma's alerts work either way.");
#pragma warning disable SYSLIB0014 // no replacement in the BCL; STARTTLS is what it speaks
                    using (var smtp = new System.Net.Mail.SmtpClient(m.Mail.SmtpHost, m.Mail.SmtpPort)
                    {
                        EnableSsl = true,
                        Credentials = new System.Net.NetworkCredential(m.Mail.SmtpUsername, m.Password),
                        Timeout = 20_000,
                    })
#pragma warning restore SYSLIB0014
                    {
                        using var mail = new System.Net.Mail.MailMessage(m.Mail.From, m.Mail.To, m.Subject, m.Body);
                        await smtp.SendMailAsync(mail, ct);
                    }
                    return (true, $"{m.Channel} (email): sent to {m.Mail.To}");
                default:
                    throw new ArgumentOutOfRangeException(nameof(notice));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Net.Mail.SmtpException or IOException)
        {
            return (false, $"{notice.Channel} ({notice.Kind}): not sent: {e.GetType().Name} ({Redact(e.Message, notice)})");
        }
    }

    /// <summary>An exception's message may quote the URL (which is the secret): it is cut out.</summary>
    private static string Redact(string message, Notice notice) => notice switch
    {
        HttpNotice h => message.Replace(h.Url.ToString(), "<url>", StringComparison.Ordinal).Replace(h.Url.Host + h.Url.PathAndQuery, "<url>", StringComparison.Ordinal),
        MailNotice m => message.Replace(m.Password, "<password>", StringComparison.Ordinal),
        _ => message,
    };
}
