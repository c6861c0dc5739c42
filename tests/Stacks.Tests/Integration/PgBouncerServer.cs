using System.Globalization;
using Npgsql;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// A throw-away PgBouncer from the machine's packages, run in the foreground as the <c>postgres</c> OS user
/// from a rendered pgbouncer.ini and userlist.txt. Render the ini with <see cref="Directory"/>'s paths
/// (<see cref="UserlistPath"/> as auth_file, <see cref="Directory"/> as unix_socket_dir) and <see cref="Port"/>.
/// </summary>
public sealed class PgBouncerServer : IAsyncDisposable
{
    public const string OsUser = PostgresServer.OsUser;

    private readonly ServerDirectory _dir;
    private ServerProcess? _process;

    private PgBouncerServer(ServerDirectory dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string Directory => _dir.Path;
    public string IniPath => Path.Combine(_dir.Path, "pgbouncer.ini");
    public string UserlistPath => Path.Combine(_dir.Path, "userlist.txt");
    public string Log => _process?.Log ?? "";

    /// <summary>Reserves a directory and a port; then <see cref="StartAsync(string, string)"/> with files rendered for them.</summary>
    public static async Task<PgBouncerServer> CreateAsync() =>
        new(await ServerDirectory.CreateAsync("pgb", OsUser), Proc.FreePort());

    /// <summary>Writes the files and starts PgBouncer; waits until it listens.</summary>
    public async Task StartAsync(string ini, string userlist)
    {
        var exe = Proc.Require("pgbouncer");
        await _dir.WriteFileAsync("pgbouncer.ini", ini);
        await _dir.WriteFileAsync("userlist.txt", userlist);
        _process = ServerProcess.Start($"PgBouncer on port {Port}", exe, [IniPath], OsUser);
        await _process.WaitUntilAsync(() => Proc.IsListeningAsync(Port));
    }

    /// <summary>Replaces userlist.txt (and pgbouncer.ini when given) and makes PgBouncer re-read them through the admin console's RELOAD.</summary>
    public async Task ReloadAsync(string adminUser, string adminPassword, string? userlist = null, string? ini = null)
    {
        if (userlist is not null) await _dir.WriteFileAsync("userlist.txt", userlist);
        if (ini is not null) await _dir.WriteFileAsync("pgbouncer.ini", ini);
        await AdminAsync(adminUser, adminPassword, Platform.Stacks.Data.PgBouncerConfig.ReloadCommand);
    }

    /// <summary>Runs a command on PgBouncer's admin console (database <c>pgbouncer</c>) with psql, which speaks the simple protocol it needs.</summary>
    public async Task<string> AdminAsync(string user, string password, string command)
    {
        var r = await Proc.RunCheckedAsync(Path.Combine(PostgresServer.FindBinDirectory(), "psql"),
            ["-X", "-A", "-F", "|", "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", "pgbouncer", "-c", command],
            env: new Dictionary<string, string> { ["PGPASSWORD"] = password });
        return r.Stdout;
    }

    /// <summary>
    /// An Npgsql connection string through PgBouncer, set for transaction pooling: no reset on close
    /// (DISCARD ALL would run on whatever server connection), no automatic preparation (prepared
    /// statements live on one server connection).
    /// </summary>
    public string ConnectionString(string database, string user, string password, bool pooling = true) => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Database = database, Username = user, Password = password,
        Pooling = pooling, NoResetOnClose = true, MaxAutoPrepare = 0, Timeout = 15, CommandTimeout = 30,
    }.ConnectionString;

    public async Task StopAsync()
    {
        if (_process is not null) await _process.StopAsync("INT", TimeSpan.FromSeconds(10));
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            if (_process is not null) await _process.DisposeAsync();
            _dir.Dispose();
        }
    }
}
