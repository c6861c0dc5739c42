using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// A throwaway PostgreSQL cluster for the restore drill: Debian's binaries, a temp data directory, a
/// free loopback port, trust auth on loopback only. As root it runs as the <c>postgres</c> OS user
/// (PostgreSQL refuses root). Missing binaries make the test fail, never skip.
/// </summary>
internal sealed class DrillPostgres : IAsyncDisposable
{
    private readonly string _dir;

    private DrillPostgres(string dir, int port) { _dir = dir; Port = port; }

    public int Port { get; }

    /// <summary>libpq environment for client tools (pg_dump, pg_restore) pointing at this cluster.</summary>
    public IReadOnlyDictionary<string, string> ClientEnv => new Dictionary<string, string>
    {
        ["PGHOST"] = "127.0.0.1",
        ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["PGUSER"] = "postgres",
    };

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=15";

    /// <summary>The newest installed major version's bin directory (/usr/lib/postgresql/&lt;ver&gt;/bin).</summary>
    public static string BinDir
    {
        get
        {
            const string root = "/usr/lib/postgresql";
            var dir = Directory.Exists(root)
                ? Directory.GetDirectories(root)
                    .Where(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    .OrderByDescending(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))
                    .Select(d => Path.Combine(d, "bin"))
                    .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
                : null;
            return dir ?? throw new InvalidOperationException(
                "PostgreSQL server binaries are not installed (/usr/lib/postgresql/<ver>/bin). Install them: apt-get install -y postgresql (.ci/run does).");
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<DrillPostgres> StartAsync()
    {
        var bin = BinDir;
        var dir = Path.Combine(Path.GetTempPath(), "opsdrill-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        if (IsRoot) await RunAsync("chown", ["postgres:postgres", dir]);
        var port = FreePort();
        var pg = new DrillPostgres(dir, port);
        try
        {
            await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", Path.Combine(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asPostgres: true);
            await RunAsync(Path.Combine(bin, "pg_ctl"),
            [
                "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start",
            ], asPostgres: true);
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    public async Task ExecAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<List<object?[]>> QueryAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Directory.Exists(Path.Combine(_dir, "data")) && File.Exists(Path.Combine(_dir, "data", "postmaster.pid")))
                await RunAsync(Path.Combine(BinDir, "pg_ctl"), ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true, check: false);
        }
        finally
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Runs a command (as the postgres OS user when asked and we are root); throws with its output on failure.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        bool asPostgres = false, bool check = true)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var argList = args.ToList();
        if (asPostgres && IsRoot)
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", file }.Concat(argList)) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = file;
            foreach (var a in argList) psi.ArgumentList.Add(a);
        }
        psi.Environment["LC_ALL"] = "C.UTF-8";
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', argList)}' did not finish in 3 minutes.");
        }
        var output = await stdout + await stderr;
        if (check && p.ExitCode != 0)
            throw new InvalidOperationException($"'{file} {string.Join(' ', argList)}' exited {p.ExitCode}:\n{output}");
        return (p.ExitCode, output);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
