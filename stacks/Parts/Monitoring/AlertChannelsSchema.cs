using System.Collections.Immutable;
using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Operations;

/// <summary>The keys of an entry of <c>platform:alertChannels</c>; which keys a channel may have depends on its kind.</summary>
public static class AlertChannelsSchema
{
    /// <summary>Not empty and not only spaces: the reader trims the value and then calls it missing.</summary>
    private const string NotBlank = "\\S";

    public static readonly ObjectDef Channel = new("alertChannel", "Where alerts and deploy results go; the channel's secret is alertChannelSecrets.<name>.",
    [
        Str("name", "The channel's name (its secret is alertChannelSecrets.<name>).", required: true, pattern: Names.AppNamePattern),
        Enum("kind", "The kind of channel.", AlertChannels.Kinds, required: true),
        Str("channel", "slack: the channel to post to, e.g. #ops."),
        Str("username", "slack, discord: the name the posts show."),
        new("chatId", FieldType.StringOrNumber, "telegram (required): the chat's numeric id (a group's starts with -100) or a public channel's @name."),
        Str("serverUrl", "telegram: your own Bot API server. Default: https://api.telegram.org."),
        Str("smtpHost", "email (required): the mail relay's host.", pattern: NotBlank),
        Int("smtpPort", "email: the relay's port. Default: 587, or 465 with tls.", 1, 65_535),
        Enum("smtpSecurity", "email: starttls (port 587) or tls (implicit TLS, port 465).", ["starttls", "tls"], "starttls"),
        Str("smtpUsername", "email: the login. Default: from."),
        Str("from", "email (required): the sender's address.", pattern: NotBlank),
        Str("to", "email (required): the addresses to alert, comma-separated.", pattern: NotBlank),
    ])
    {
        SwitchKey = "kind",
        OnlyWith = ImmutableDictionary.CreateRange(new KeyValuePair<string, ImmutableArray<string>>[]
        {
            new("channel", ["slack"]), new("username", ["slack", "discord"]), new("chatId", ["telegram"]), new("serverUrl", ["telegram"]),
            new("smtpHost", ["email"]), new("smtpPort", ["email"]), new("smtpSecurity", ["email"]), new("smtpUsername", ["email"]),
            new("from", ["email"]), new("to", ["email"]),
        }),
        RequiredWith = ImmutableDictionary.CreateRange(new KeyValuePair<string, ImmutableArray<string>>[]
        {
            new("chatId", ["telegram"]), new("smtpHost", ["email"]), new("from", ["email"]), new("to", ["email"]),
        }),
    };
}
