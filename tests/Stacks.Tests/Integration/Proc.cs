using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Platform.Stacks.Tests.Integration;

/// <summary>The outcome of a finished command.</summary>
public sealed record ProcResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs commands, optionally as another OS user, and finds the server binaries the tests need.</summary>
public static class Proc
{
    /// <summary>Whether this process runs as root (then servers are started as their unprivileged OS users).</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs <paramref name="file"/> and waits for it; never throws on a non-zero exit.</summary>
    public static async Task<ProcResult> RunAsync(
        string file, IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? env = null,
        string? asUser = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var p = new Process { StartInfo = StartInfo(file, args, env, asUser) };
        p.StartInfo.RedirectStandardInput = true;
        p.Start();
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin.AsMemory(), ct);
        p.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"'{file} {string.Join(' ', args)}' did not finish in time.");
        }
        return new ProcResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Like <see cref="RunAsync"/>, but throws with the command's output when it fails.</summary>
    public static async Task<ProcResult> RunCheckedAsync(
        string file, IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? env = null,
        string? asUser = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var argList = args.ToList();
        var r = await RunAsync(file, argList, stdin, env, asUser, timeout, ct);
        return r.Ok ? r : throw new InvalidOperationException($"'{Path.GetFileName(file)} {string.Join(' ', argList)}' failed: {r}");
    }

    /// <summary>
    /// A start description that runs <paramref name="file"/> as <paramref name="asUser"/> when we are root
    /// (<c>setpriv</c> execs, so the started process IS the server: signals reach it directly).
    /// </summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? asUser = null)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (asUser is not null && IsRoot)
        {
            psi.FileName = Require("setpriv");
            foreach (var a in new[] { $"--reuid={asUser}", $"--regid={asUser}", "--init-groups", "--" }) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(file);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        return psi;
    }

    /// <summary>Sends a signal (e.g. "INT", "QUIT", "KILL", "HUP", "TERM") to a process.</summary>
    public static async Task SignalAsync(int pid, string signal) =>
        await RunAsync("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>The full path of an executable on PATH (or in sbin); throws — so the test fails, never skips — when it is missing.</summary>
    public static string Require(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"'{name}' is not installed. The integration tests need Debian's packages: " +
            "apt-get install -y postgresql postgresql-contrib pgbouncer redis-server redis-tools mariadb-server mariadb-client haproxy pgbackrest (.ci/run does this).");
    }

    /// <summary>A TCP port on loopback that is free right now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var c = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await c.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>A fresh temporary directory, owned by an OS user (mode 0700), removed on dispose.</summary>
public sealed class ServerDirectory : IDisposable
{
    private ServerDirectory(string path, string? owner) { Path = path; Owner = owner; }

    public string Path { get; }
    public string? Owner { get; }

    /// <summary>Creates <c>/tmp/&lt;prefix&gt;-&lt;random&gt;</c> (short: Unix socket paths must stay under 108 bytes).</summary>
    public static async Task<ServerDirectory> CreateAsync(string prefix, string? owner)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)]);
        Directory.CreateDirectory(path);
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var dir = new ServerDirectory(path, owner);
        if (owner is not null && Proc.IsRoot) await Proc.RunCheckedAsync("chown", [$"{owner}:", path]);
        return dir;
    }

    /// <summary>Creates (or replaces) a file in the directory, owned by the directory's owner, mode 0600.</summary>
    public async Task<string> WriteFileAsync(string name, string content) => await WriteFileAsync(System.IO.Path.Combine(Path, name), content, Owner);

    /// <summary>Creates a subdirectory owned by the directory's owner.</summary>
    public async Task<string> SubdirectoryAsync(string name)
    {
        var sub = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(sub);
        SetMode(sub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Owner is not null && Proc.IsRoot) await Proc.RunCheckedAsync("chown", [$"{Owner}:", sub]);
        return sub;
    }

    internal static async Task<string> WriteFileAsync(string path, string content, string? owner)
    {
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, content);
        SetMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (owner is not null && Proc.IsRoot) await Proc.RunCheckedAsync("chown", [$"{owner}:", tmp]);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
