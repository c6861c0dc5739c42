using Npgsql;
using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Integration;

/// <summary>How to start a <see cref="PostgresServer"/>.</summary>
public sealed record PostgresServerOptions
{
    /// <summary>Memory the rendered postgresql.conf is sized for.</summary>
    public int MemoryMb { get; init; } = 256;
    /// <summary>Adjusts the renderer's input (the test server's listen address, port and socket directory are already set).</summary>
    public Func<PostgresOptions, PostgresOptions>? Configure { get; init; }
    /// <summary>Replaces the rendered postgresql.conf entirely (rarely needed).</summary>
    public Func<PostgresOptions, string>? RenderPostgresqlConf { get; init; }
    /// <summary>Replaces the rendered pg_hba.conf (default: <see cref="PostgresConfig.PgHbaConf"/>).</summary>
    public Func<string>? RenderPgHbaConf { get; init; }
    /// <summary>Environment of the server process (what archive_command sees), given the server's directories and port.</summary>
    public Func<PostgresServer, IDictionary<string, string>>? Environment { get; init; }
}

/// <summary>
/// A throw-away PostgreSQL server from the machine's packages (Debian: <c>/usr/lib/postgresql/*/bin</c>),
/// started from the platform's own rendered postgresql.conf and pg_hba.conf, on 127.0.0.1 and a free port,
/// in a fresh data directory, run as the unprivileged <c>postgres</c> OS user. The superuser <c>postgres</c>
/// gets a random password so tests can connect over TCP (scram-sha-256, like everyone); psql over the
/// local socket uses peer authentication, exactly like provisioning in production.
/// <code>
/// await using var pg = await PostgresServer.StartAsync();
/// await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString);
/// </code>
/// Dispose stops it (also after a failed test) and deletes its directory.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The OS user the server (and psql over the socket) runs as.</summary>
    public const string OsUser = "postgres";

    private readonly ServerDirectory _dir;
    private ServerProcess? _process;

    private IDictionary<string, string>? _environment;

    private PostgresServer(ServerDirectory dir, string binDirectory, int port, string superuserPassword)
    {
        _dir = dir;
        BinDirectory = binDirectory;
        Port = port;
        SuperuserPassword = superuserPassword;
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string SuperuserName => PostgresConfig.Superuser;
    public string SuperuserPassword { get; }
    /// <summary>Directory of the server binaries (postgres, psql, pg_dump, pg_restore, pgbench, …).</summary>
    public string BinDirectory { get; }
    /// <summary>The server's root directory (data/ and sock/ inside; owned by <c>postgres</c>).</summary>
    public string RootDirectory => _dir.Path;
    public string DataDirectory => Path.Combine(_dir.Path, "data");
    public string SocketDirectory => Path.Combine(_dir.Path, "sock");
    /// <summary>The postgresql.conf the server was started with.</summary>
    public string PostgresqlConf { get; private set; } = "";
    public bool IsRunning => _process is { HasExited: false };
    /// <summary>The server's recent log output.</summary>
    public string Log => _process?.Log ?? "";

    public string SuperuserConnectionString => ConnectionString("postgres", SuperuserName, SuperuserPassword);

    /// <summary>A TCP connection string to this server (no client-side pooling, so every open really authenticates).</summary>
    public string ConnectionString(string database, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Database = database, Username = user, Password = password,
        Pooling = false, Timeout = 10, CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>Path of a binary of this PostgreSQL version, e.g. <c>Tool("pg_dump")</c>.</summary>
    public string Tool(string name) => Path.Combine(BinDirectory, name);

    /// <summary>The newest PostgreSQL installed (<c>/usr/lib/postgresql/N/bin</c>, or <c>PG_BIN</c>); throws when none is.</summary>
    public static string FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } env && File.Exists(Path.Combine(env, "postgres"))) return env;
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "postgres")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault()
            : null;
        return found ?? throw new FileNotFoundException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Install them: apt-get install -y postgresql postgresql-contrib (.ci/run does this).");
    }

    /// <summary>Creates a fresh cluster, writes the rendered configuration, starts the server and sets the superuser's password.</summary>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions? options = null)
    {
        options ??= new PostgresServerOptions();
        var bin = FindBinDirectory();
        var dir = await ServerDirectory.CreateAsync("pgt", OsUser);
        var server = new PostgresServer(dir, bin, Proc.FreePort(), Secrets.NewPassword());
        try
        {
            var data = await dir.SubdirectoryAsync("data");
            await dir.SubdirectoryAsync("sock");
            await Proc.RunCheckedAsync(server.Tool("initdb"),
                ["-D", data, "-U", PostgresConfig.Superuser, "--auth=peer", "-E", "UTF8", "--locale=C", "--no-sync"],
                asUser: OsUser, timeout: TimeSpan.FromSeconds(120));

            var pgOptions = new PostgresOptions(options.MemoryMb)
            {
                ListenAddresses = server.Host,
                Port = server.Port,
                UnixSocketDirectory = server.SocketDirectory,
            };
            pgOptions = options.Configure?.Invoke(pgOptions) ?? pgOptions;
            server._environment = options.Environment?.Invoke(server);
            server.PostgresqlConf = options.RenderPostgresqlConf?.Invoke(pgOptions) ?? PostgresConfig.PostgresqlConf(pgOptions);
            await ServerDirectory.WriteFileAsync(Path.Combine(data, "postgresql.conf"), server.PostgresqlConf, OsUser);
            await ServerDirectory.WriteFileAsync(Path.Combine(data, "pg_hba.conf"), options.RenderPgHbaConf?.Invoke() ?? PostgresConfig.PgHbaConf(), OsUser);

            await server.StartAgainAsync();
            await server.PsqlAsync($"ALTER ROLE postgres PASSWORD '{Scram.Verifier(server.SuperuserPassword, PostgresConfig.Superuser)}';");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the (stopped) server again on the same data directory and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning) throw new InvalidOperationException("The server is already running.");
        if (_process is not null) await _process.DisposeAsync();
        _process = ServerProcess.Start($"PostgreSQL on port {Port}", Tool("postgres"), ["-D", DataDirectory], OsUser, _environment);
        await _process.WaitUntilAsync(async () =>
            (await Proc.RunAsync(Tool("pg_isready"), ["-q", "-h", SocketDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", "postgres"])).Ok,
            TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Stops the server. <paramref name="immediate"/>: SIGQUIT — no checkpoint, crash recovery on the next
    /// start (what a killed container looks like); otherwise SIGINT, a fast clean shutdown.
    /// </summary>
    public async Task StopAsync(bool immediate = false)
    {
        if (_process is null) return;
        await _process.StopAsync(immediate ? "QUIT" : "INT", TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops and starts the server.</summary>
    public async Task RestartAsync(bool immediate = false)
    {
        await StopAsync(immediate);
        await StartAgainAsync();
    }

    /// <summary>Runs a psql script as the <c>postgres</c> OS user over the local socket (peer), with ON_ERROR_STOP; throws on failure.</summary>
    public Task<ProcResult> PsqlAsync(string script, string database = "postgres") =>
        Proc.RunCheckedAsync(Tool("psql"), PsqlArgs(database), stdin: script, asUser: OsUser);

    /// <summary>Like <see cref="PsqlAsync"/> but returns a failed result instead of throwing.</summary>
    public Task<ProcResult> TryPsqlAsync(string script, string database = "postgres") =>
        Proc.RunAsync(Tool("psql"), PsqlArgs(database), stdin: script, asUser: OsUser);

    private List<string> PsqlArgs(string database) =>
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", SocketDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", database, "-f", "-"];

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (IsRunning) await StopAsync(immediate: true);
        }
        finally
        {
            if (_process is not null) await _process.DisposeAsync();
            _dir.Dispose();
        }
    }
}
