namespace Platform.Stacks.Parts.MariaDb;

/// <summary>
/// The MariaDB server of a stack (for apps that speak the MySQL protocol). Every member has a default;
/// <see cref="MariaDbValidation.Errors"/> reports what is wrong with a value.
/// </summary>
public sealed record MariaDbSettings
{
    /// <summary>The pinned image, a patch release of the 10.11 LTS series (the series the integration tests run). Default: <see cref="MariaDbNames.DefaultImage"/>.</summary>
    public string Image { get; init; } = MariaDbNames.DefaultImage;

    /// <summary>The container's memory limit; the buffer pool and the other sizes derive from it. Default: 1024.</summary>
    public int MemoryMb { get; init; } = 1024;

    /// <summary>The container's CPU limit. Default: 1.</summary>
    public double Cpus { get; init; } = 1.0;

    /// <summary>
    /// Client connections the server accepts; every app's connection limit must fit in it. Default: <see cref="Derived"/>
    /// from the apps' limits (a stack that leaves <c>mariadbMaxConnections</c> at 0).
    /// </summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>Whether <see cref="MaxConnections"/> was derived from the apps' limits rather than set. Default: false.</summary>
    public bool MaxConnectionsDerived { get; init; }

    /// <summary>The least max_connections a derived value takes (the server's own default of 151 rounded down, as before).</summary>
    public const int DefaultMaxConnections = 100;

    /// <summary>
    /// Connections kept above the apps' limits for the platform's own clients: the provisioning run, the two dump agents,
    /// the container's health check, the metrics exporter (2, when the observability part is on) and an operator's shell, with room to spare.
    /// </summary>
    public const int PlatformConnections = 10;

    /// <summary>max_connections that fits the apps: their limits' sum plus <see cref="PlatformConnections"/>, at least <see cref="DefaultMaxConnections"/>.</summary>
    public static int Derived(IEnumerable<int> connectionLimits) =>
        (int)Math.Min(10000, Math.Max(DefaultMaxConnections, connectionLimits.Sum(l => (long)Math.Max(0, l)) + PlatformConnections));

    /// <summary>InnoDB buffer pool size in MB, a multiple of 128. Default: <see cref="MariaDbConfig.BufferPoolPercent"/>% of <see cref="MemoryMb"/>, rounded down to 128 MB.</summary>
    public int? BufferPoolMb { get; init; }

    /// <summary>Protect the data volume from deletion (prod; containers are never protected, they are replaceable). Default: false.</summary>
    public bool Protect { get; init; }

    /// <summary>A declared major-version upgrade (<c>mariadbUpgrade</c>): the image may then be of its series. Default: none.</summary>
    public Upgrades.UpgradeSettings? Upgrade { get; init; }
}

/// <summary>
/// One app's request for a MariaDB database, e.g. from its <c>needs: { database: { engine: mariadb } }</c>:
/// the database, the user that may use it (and nothing else), the secret holding that user's password and the
/// user's connection limit (<c>MAX_USER_CONNECTIONS</c>).
/// </summary>
/// <param name="App">The app asking (for descriptions and the connection env).</param>
/// <param name="Database">Database name: see <see cref="MariaDbNames.DatabaseProblem"/>.</param>
/// <param name="User">User name: see <see cref="MariaDbNames.UserProblem"/>.</param>
/// <param name="PasswordSecret">Name of the generated secret holding the user's password (alphanumeric, so it is safe in the URL).</param>
/// <param name="ConnectionLimit">At most this many connections of the user at once; 1 or more.</param>
public sealed record MariaDbDatabaseRequest(string App, string Database, string User, string PasswordSecret, int ConnectionLimit)
{
    /// <summary>The request an app gets by default: database and user named after the app, secret <c>mariadb-&lt;app&gt;</c>.</summary>
    public static MariaDbDatabaseRequest ForApp(string app, int connectionLimit = MariaDbNames.DefaultConnectionLimit)
    {
        var name = app.Replace('-', '_');
        return new MariaDbDatabaseRequest(app, name, name, MariaDbNames.PasswordSecret(app), connectionLimit);
    }
}
