using Platform.Stacks.Model;
using Platform.Stacks.Parts.MariaDb;

namespace Platform.Stacks.Tests.Integration;

/// <summary>A MariaDB server provisioned with the rendered SQL for four apps, every secret a freshly generated password.</summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    public static readonly MariaDbDatabaseRequest Shop = new("shop", "shop", "shop", "mariadb-shop", 5);
    public static readonly MariaDbDatabaseRequest Faces = new("faces", "faces", "faces", "mariadb-faces", 10);
    /// <summary>An underscore is a wildcard in database-level grants: this app must still reach only <c>a_b</c>.</summary>
    public static readonly MariaDbDatabaseRequest Underscore = new("a-b", "a_b", "a_b", "mariadb-a-b", 3);
    /// <summary>Used only by the rotation test, which changes its password.</summary>
    public static readonly MariaDbDatabaseRequest Rotor = new("rotor", "rotor", "rotor", "mariadb-rotor", 2);

    public static IReadOnlyList<MariaDbDatabaseRequest> Apps { get; } = [Shop, Faces, Underscore, Rotor];

    /// <summary>The current value of every secret; the rotation test replaces one.</summary>
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public MariaDbServer Server { get; private set; } = null!;

    public string Resolve(SecretText text) => text.Resolve(name => Secrets[name]);

    /// <summary>The provisioning script with the current secrets, exactly as the host command pipes it.</summary>
    public string ProvisioningSql() => Resolve(MariaDbProvisioning.Script(Apps));

    public Task ProvisionAsync() => Server.SqlAsync(ProvisioningSql());

    public string ConnectionString(MariaDbDatabaseRequest app, string? database = null, string? password = null) =>
        Server.ConnectionString(database ?? app.Database, app.User, password ?? Secrets[app.PasswordSecret]);

    public async Task InitializeAsync()
    {
        foreach (var app in Apps) Secrets[app.PasswordSecret] = Integration.Secrets.NewPassword();
        try
        {
            Server = await MariaDbServer.StartAsync();
            await ProvisionAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}
