using Platform.Stacks.Data;
using Platform.Stacks.Model;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// PostgreSQL provisioned with the rendered SQL for three apps, and PgBouncer in front of it with the
/// rendered pgbouncer.ini and userlist.txt, every secret a freshly generated password.
/// </summary>
public sealed class DataTierFixture : IAsyncLifetime
{
    public const string StatsSecret = "pgbouncer-stats";

    public static readonly AppDatabase Shop = new("shop", "shop", ["pg_trgm", "uuid-ossp"], 30, "postgres-shop");
    public static readonly AppDatabase Blog = new("blog", "blog", ["citext"], 10, "postgres-blog");
    /// <summary>Used only by the rotation test, which changes its password.</summary>
    public static readonly AppDatabase Rotor = new("rotor", "rotor", [], 5, "postgres-rotor");

    public static IReadOnlyList<AppDatabase> Apps { get; } = [Shop, Blog, Rotor];

    /// <summary>The current value of every secret; the rotation test replaces one.</summary>
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public PostgresServer Postgres { get; private set; } = null!;
    public PgBouncerServer PgBouncer { get; private set; } = null!;
    public PgBouncerOptions BouncerOptions { get; private set; } = null!;

    public string Secret(string name) => Secrets[name];

    public string Resolve(SecretText text) => text.Resolve(Secret);

    public async Task InitializeAsync()
    {
        foreach (var app in Apps) Secrets[app.PasswordSecret] = Integration.Secrets.NewPassword();
        Secrets[StatsSecret] = Integration.Secrets.NewPassword();

        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        await Postgres.PsqlAsync(Resolve(PostgresProvisioning.Script(Apps)));

        PgBouncer = await PgBouncerServer.CreateAsync();
        BouncerOptions = new PgBouncerOptions
        {
            PostgresHost = Postgres.Host,
            PostgresPort = Postgres.Port,
            ListenAddr = PgBouncer.Host,
            ListenPort = PgBouncer.Port,
            AuthFile = PgBouncer.UserlistPath,
            UnixSocketDir = PgBouncer.Directory,
            StatsPasswordSecret = StatsSecret,
        };
        await PgBouncer.StartAsync(PgBouncerConfig.Ini(BouncerOptions, Apps), Userlist());
    }

    /// <summary>userlist.txt rendered with the current secrets.</summary>
    public string Userlist() => Resolve(PgBouncerConfig.Userlist(BouncerOptions, Apps));

    public string Direct(AppDatabase app, string? database = null, string? password = null) =>
        Postgres.ConnectionString(database ?? app.Database, app.Role, password ?? Secret(app.PasswordSecret));

    public string ViaBouncer(AppDatabase app, string? database = null, string? password = null, bool pooling = false) =>
        PgBouncer.ConnectionString(database ?? app.Database, app.Role, password ?? Secret(app.PasswordSecret), pooling);

    public async Task DisposeAsync()
    {
        // Stop PgBouncer first, then PostgreSQL; each also when the other fails.
        try
        {
            if (PgBouncer is not null) await PgBouncer.DisposeAsync();
        }
        finally
        {
            if (Postgres is not null) await Postgres.DisposeAsync();
        }
    }
}
