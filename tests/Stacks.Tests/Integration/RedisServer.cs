using System.Globalization;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// A throw-away Redis from the machine's packages (redis-server), run in the foreground as the
/// unprivileged <c>redis</c> OS user from a rendered redis.conf. Render it with <see cref="Directory"/>
/// as <c>dir</c>, 127.0.0.1 as <c>bind</c> and <see cref="Port"/>. The client is redis-cli (Debian's
/// redis-tools): StackExchange.Redis does not restore from this project's package source.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string OsUser = "redis";

    private readonly ServerDirectory _dir;
    private ServerProcess? _process;

    private RedisServer(ServerDirectory dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string Directory => _dir.Path;
    public string ConfPath => Path.Combine(_dir.Path, "redis.conf");
    public bool IsRunning => _process is { HasExited: false };
    public string Log => _process?.Log ?? "";

    /// <summary>Reserves a directory (owned by <c>redis</c>) and a port.</summary>
    public static async Task<RedisServer> CreateAsync() =>
        new(await ServerDirectory.CreateAsync("rds", OsUserOrNull()), Proc.FreePort());

    private static string? OsUserOrNull() => Proc.IsRoot ? OsUser : null;

    /// <summary>The user and password the start waits with (PING must answer PONG); null: unauthenticated.</summary>
    public (string? User, string Password)? WaitAuth { get; set; }

    /// <summary>Writes redis.conf and starts the server; waits until it answers PING (as <paramref name="user"/> with <paramref name="password"/>, when given).</summary>
    public async Task StartAsync(string conf, string? user = null, string? password = null)
    {
        if (password is not null) WaitAuth = (user, password);
        await _dir.WriteFileAsync("redis.conf", conf);
        await StartAgainAsync();
    }

    /// <summary>Starts the server again from the same redis.conf and data directory; <paramref name="overrides"/> are extra command-line settings (e.g. <c>--appendonly no</c>).</summary>
    public async Task StartAgainAsync(params string[] overrides)
    {
        if (IsRunning) throw new InvalidOperationException("Redis is already running.");
        if (_process is not null) await _process.DisposeAsync();
        _process = ServerProcess.Start($"Redis on port {Port}", Proc.Require("redis-server"), [ConfPath, .. overrides], OsUserOrNull());
        await _process.WaitUntilAsync(async () => (await CliAsync(WaitAuth?.User, WaitAuth?.Password, "PING")).Stdout.Trim() == "PONG");
    }

    /// <summary>Copies a file (e.g. an RDB snapshot) into the data directory, owned by the server's OS user.</summary>
    public async Task InstallFileAsync(string source, string name)
    {
        var target = Path.Combine(Directory, name);
        File.Copy(source, target, overwrite: true);
        if (Proc.IsRoot) await Proc.RunCheckedAsync("chown", [$"{OsUser}:", target]);
    }

    /// <summary>Graceful stop (SIGTERM: Redis flushes the AOF and exits).</summary>
    public async Task StopAsync()
    {
        if (_process is not null) await _process.StopAsync("TERM", TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGKILL: the process dies at once, with no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        if (_process is not null) await _process.StopAsync("KILL", TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Runs one command with redis-cli as <paramref name="user"/> (null: unauthenticated, i.e. the default
    /// user). The password goes through REDISCLI_AUTH, not argv. redis-cli exits 0 on error replies: read Stdout.
    /// </summary>
    public Task<ProcResult> CliAsync(string? user, string? password, params string[] command) =>
        Proc.RunAsync(Proc.Require("redis-cli"), CliArgs(user).Concat(command), env: CliEnv(password));

    /// <summary>Sends many commands (one per line) over one connection; each reply is read before the next command is sent.</summary>
    public Task<ProcResult> CliBatchAsync(string? user, string? password, IEnumerable<string> commandLines) =>
        Proc.RunAsync(Proc.Require("redis-cli"), CliArgs(user), stdin: string.Join('\n', commandLines) + "\n", env: CliEnv(password), timeout: TimeSpan.FromSeconds(60));

    private List<string> CliArgs(string? user)
    {
        var args = new List<string> { "--no-auth-warning", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture) };
        if (user is not null) args.AddRange(["--user", user]);
        return args;
    }

    private static Dictionary<string, string>? CliEnv(string? password) =>
        password is null ? null : new Dictionary<string, string> { ["REDISCLI_AUTH"] = password };

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (IsRunning) await KillAsync();
        }
        finally
        {
            if (_process is not null) await _process.DisposeAsync();
            _dir.Dispose();
        }
    }
}
