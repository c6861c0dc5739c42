using System.Collections.Concurrent;
using System.Diagnostics;

namespace Platform.Stacks.Tests.Integration;

/// <summary>A server running in the foreground as a child process, with its output kept for diagnostics.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ServerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the server wrote (stdout and stderr).</summary>
    public string Log => string.Join('\n', _log);

    public static ServerProcess Start(string name, string file, IEnumerable<string> args, string? asUser, IDictionary<string, string>? env = null)
    {
        var p = new Process { StartInfo = Proc.StartInfo(file, args, env, asUser), EnableRaisingEvents = true };
        var server = new ServerProcess(p, name);
        p.OutputDataReceived += (_, e) => server.Add(e.Data);
        p.ErrorDataReceived += (_, e) => server.Add(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return server;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        while (_log.Count > 400 && _log.TryDequeue(out _)) { }
    }

    /// <summary>Polls <paramref name="ready"/> until it is true; throws with the server's log if the server exits or time runs out.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was ready. Log:\n{Log}");
            if (await ready()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} was not ready in time. Log:\n{Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends <paramref name="signal"/> and waits for the process to end; SIGKILL if it has not after <paramref name="grace"/>.</summary>
    public async Task StopAsync(string signal = "TERM", TimeSpan? grace = null)
    {
        if (_process.HasExited) return;
        await Proc.SignalAsync(_process.Id, signal);
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
