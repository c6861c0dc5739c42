using MySqlConnector;
using Platform.Stacks.Parts.MariaDb;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// A throw-away MariaDB server from the machine's packages (Debian: <c>mariadbd</c>, <c>mariadb-install-db</c>), started
/// from the platform's own rendered settings file, on 127.0.0.1 and a free port, in a fresh data directory, run as the
/// unprivileged <c>mysql</c> OS user. Like in the container, the administrator is <c>root@localhost</c> by unix_socket
/// authentication: the tests (root) reach it over the server's socket with the <c>mariadb</c> client, exactly as
/// provisioning does with <c>docker exec</c>; over TCP root is refused.
/// <code>
/// await using var db = await MariaDbServer.StartAsync();
/// await db.SqlAsync("SELECT 1");
/// </code>
/// Dispose stops it (also after a failed test) and deletes its directory.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    /// <summary>The OS user the server runs as when the tests run as root.</summary>
    public const string OsUser = "mysql";

    private readonly ServerDirectory _dir;
    private ServerProcess? _process;

    private MariaDbServer(ServerDirectory dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string DataDirectory => Path.Combine(_dir.Path, "data");
    public string Socket => Path.Combine(_dir.Path, "mysqld.sock");
    public string ConfigFile => Path.Combine(_dir.Path, "server.cnf");
    /// <summary>The settings file the server was started with (rendered by <see cref="MariaDbConfig.ServerCnf"/>).</summary>
    public string Config { get; private set; } = "";
    /// <summary>The OS user of this process, which unix_socket authentication maps to the administrator (root when we are root).</summary>
    public static string AdminUser => Proc.IsRoot ? MariaDbNames.AdminUser : Environment.UserName;
    public bool IsRunning => _process is { HasExited: false };
    public string Log => _process?.Log ?? "";

    /// <summary>A TCP connection string (no client-side pooling, so every open really authenticates).</summary>
    public string ConnectionString(string? database, string user, string password) => new MySqlConnectionStringBuilder
    {
        Server = Host, Port = (uint)Port, Database = database ?? "", UserID = user, Password = password,
        Pooling = false, ConnectionTimeout = 10, DefaultCommandTimeout = 30, SslMode = MySqlSslMode.None, AllowPublicKeyRetrieval = false,
    }.ConnectionString;

    /// <summary>Creates a fresh data directory, writes the rendered settings and starts the server.</summary>
    public static async Task<MariaDbServer> StartAsync(int memoryMb = 256, Func<MariaDbOptions, MariaDbOptions>? configure = null)
    {
        var owner = Proc.IsRoot ? OsUser : null;
        var dir = await ServerDirectory.CreateAsync("mdb", owner);
        var server = new MariaDbServer(dir, Proc.FreePort());
        try
        {
            List<string> install =
            [
                "--no-defaults", $"--datadir={server.DataDirectory}", "--auth-root-authentication-method=socket", "--skip-test-db",
            ];
            if (!Proc.IsRoot) install.Add($"--auth-root-socket-user={Environment.UserName}");
            // Its own temporary directory: the bootstrap server's internal temporary tables live in $TMPDIR (/tmp by
            // default), and with several servers bootstrapping at once one run's files went missing under another
            // ("File '/tmp/#sql-temptable-….MAD' not found", install failed), once in a CI run.
            await Proc.RunCheckedAsync(Proc.Require("mariadb-install-db"), install, env: new Dictionary<string, string> { ["TMPDIR"] = dir.Path },
                asUser: owner, timeout: TimeSpan.FromSeconds(120));

            var options = new MariaDbOptions(memoryMb) { BindAddress = server.Host, Port = server.Port, Socket = server.Socket };
            options = configure?.Invoke(options) ?? options;
            server.Config = MariaDbConfig.ServerCnf(options);
            await dir.WriteFileAsync("server.cnf", server.Config);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StartAgainAsync()
    {
        if (IsRunning) throw new InvalidOperationException("The server is already running.");
        if (_process is not null) await _process.DisposeAsync();
        _process = ServerProcess.Start($"MariaDB on port {Port}", Proc.Require("mariadbd"),
            [$"--defaults-file={ConfigFile}", $"--datadir={DataDirectory}", $"--pid-file={Path.Combine(_dir.Path, "mariadbd.pid")}", $"--tmpdir={_dir.Path}"],
            Proc.IsRoot ? OsUser : null);
        await _process.WaitUntilAsync(async () => File.Exists(Socket) && (await TrySqlAsync("SELECT 1")).Ok, TimeSpan.FromSeconds(60));
    }

    /// <summary>The client arguments provisioning uses (<see cref="MariaDbPart.ProvisionHostCommand"/>), adapted only in the socket.</summary>
    public IReadOnlyList<string> ClientArgs => ["--no-defaults", $"--socket={Socket}", $"--user={AdminUser}", "--batch", "--binary-mode"];

    /// <summary>Runs a script as the administrator over the socket; throws on failure.</summary>
    public Task<ProcResult> SqlAsync(string script) => Proc.RunCheckedAsync(Proc.Require("mariadb"), ClientArgs, stdin: script);

    /// <summary>Like <see cref="SqlAsync"/> but returns a failed result instead of throwing.</summary>
    public Task<ProcResult> TrySqlAsync(string script) => Proc.RunAsync(Proc.Require("mariadb"), ClientArgs, stdin: script);

    /// <summary>The rows of a query run as the administrator, each row's columns split on tabs (batch mode, no header).</summary>
    public async Task<List<string[]>> QueryAsync(string sql)
    {
        var r = await Proc.RunCheckedAsync(Proc.Require("mariadb"), [.. ClientArgs, "--skip-column-names", "--raw"], stdin: sql);
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))];
    }

    public async Task<string> ScalarAsync(string sql) => (await QueryAsync(sql)).Single()[0];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false }) await _process.StopAsync("TERM", TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (_process is not null) await _process.DisposeAsync();
            _dir.Dispose();
        }
    }
}
