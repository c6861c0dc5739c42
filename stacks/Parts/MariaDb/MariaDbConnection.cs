using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>
/// What an app gets to reach its MariaDB database: a URL and its parts. The password is a reference to the app's
/// secret in both (resolved only by the Pulumi shell, masked in the plan); it is alphanumeric, so the URL needs no
/// escaping. Apps whose image expects other names (WordPress: <c>WORDPRESS_DB_*</c>) map them in their own env.
/// </summary>
public static class MariaDbConnection
{
    public const string UrlEnv = "MYSQL_URL";
    public const string HostEnv = "MYSQL_HOST";
    public const string PortEnv = "MYSQL_PORT";
    public const string DatabaseEnv = "MYSQL_DATABASE";
    public const string UserEnv = "MYSQL_USER";
    public const string PasswordEnv = "MYSQL_PASSWORD";

    /// <summary><c>mysql://user:&lt;secret&gt;@mariadb:3306/db</c>.</summary>
    public static SecretText Url(MariaDbDatabaseRequest r, string host = MariaDbNames.Service, int port = MariaDbNames.Port) =>
        new SecretTextBuilder().Text($"mysql://{r.User}:").Secret(r.PasswordSecret)
            .Text($"@{host}:{port.ToString(CultureInfo.InvariantCulture)}/{r.Database}").Build();

    /// <summary>The env vars for one app's database, sorted.</summary>
    public static ImmutableSortedDictionary<string, SecretText> Env(MariaDbDatabaseRequest r, string host = MariaDbNames.Service, int port = MariaDbNames.Port)
    {
        ArgumentNullException.ThrowIfNull(r);
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
        {
            [UrlEnv] = Url(r, host, port),
            [HostEnv] = SecretText.Plain(host),
            [PortEnv] = SecretText.Plain(port.ToString(CultureInfo.InvariantCulture)),
            [DatabaseEnv] = SecretText.Plain(r.Database),
            [UserEnv] = SecretText.Plain(r.User),
            [PasswordEnv] = SecretText.Of(new SecretPart(r.PasswordSecret)),
        });
    }
}
