using System.Diagnostics;
using System.Threading.Channels;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Operations.Logs;

/// <summary>What <c>logs</c> was asked for.</summary>
public sealed record LogsRequest(string ProjectDir, string Stack, LogSelection Selection)
{
    /// <summary>docker's <c>--since</c>, as given. Default: the last hour.</summary>
    public string Since { get; init; } = "1h";
    public bool Follow { get; init; }
    /// <summary>The stack's outputs as JSON (<c>pulumi stack output --json</c>). Default: asked of the Pulumi CLI.</summary>
    public string? OutputsFile { get; init; }
    public SshAccess Access { get; init; } = new();
    /// <summary>Who logs in. Default: the stack's <c>deployUser</c>.</summary>
    public string? User { get; init; }
    /// <summary>The ssh client. Default: <c>ssh</c> on the PATH.</summary>
    public string SshProgram { get; init; } = "ssh";
}

/// <summary>
/// <c>logs --stack S (--app A | --service X) [--since 1h] [--follow]</c>: reads the containers of an app (every instance,
/// its release and jobs, its file servers) or of a platform service on every server they run on, over SSH as the deploy
/// user pinned to each server's host key, and prints their lines merged by time, each labelled <c>[server/instance]</c>.
/// </summary>
public static class LogsCommand
{
    /// <summary>How long a followed line is held for lines of other servers that were written before it.</summary>
    public static readonly TimeSpan FollowWindow = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(LogsRequest request, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        int Fail(string message)
        {
            foreach (var line in message.Split('\n')) stderr.WriteLine("error: " + line);
            return 1;
        }
        StackSettings settings;
        try
        {
            settings = SettingsReader.Load(request.ProjectDir, request.Stack);
        }
        catch (InvalidStackException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
        var blueprint = BlueprintBuilder.Build(settings);
        var (containers, problem) = LogSources.Containers(blueprint, request.Selection);
        if (problem is not null) return Fail(problem);
        if (LogSsh.Since(request.Since) is not { } since)
            return Fail($"--since '{request.Since}' is neither a duration nor a moment. Use e.g. --since 15m, --since 2h or --since 2026-12-07T10:00:00Z.");
        if (request.Access.IdentityFile is { } key && !File.Exists(key))
            return Fail($"--identity-file {key}: no such file. Give the private key whose public key is in platform:sshPublicKeys, or leave it out to use your SSH agent.");

        string outputsJson, source;
        if (request.OutputsFile is { } file)
        {
            if (!File.Exists(file))
                return Fail($"--outputs {file}: no such file. Write it with: pulumi stack output --json --stack {request.Stack} > {file}");
            (outputsJson, source) = (await File.ReadAllTextAsync(file, ct), file);
        }
        else
        {
            var pulumi = await RunAsync("pulumi", ["stack", "output", "--json", "--stack", request.Stack], request.ProjectDir, ct);
            if (pulumi is null)
                return Fail($"the Pulumi CLI is not on the PATH, so the servers' addresses are unknown. Install it, or write the outputs elsewhere (pulumi stack output --json --stack {request.Stack} > outputs.json) and pass --outputs outputs.json.");
            if (pulumi.Value.Exit != 0)
                return Fail($"pulumi stack output --stack {request.Stack} failed: {pulumi.Value.Stderr.Trim()} (log in with pulumi login, select the right organisation, or pass --outputs FILE).");
            (outputsJson, source) = (pulumi.Value.Stdout, $"the outputs of stack '{request.Stack}'");
        }
        var (servers, located) = LogSources.Locate(blueprint, outputsJson, source, containers, request.User ?? settings.Server.DeployUser);
        if (located is not null) return Fail(located);

        // Which containers each server has now: a replaced instance may have its old and new container for a while.
        var failed = false;
        var reads = new List<(LogServer Server, string Source, string Container)>();
        foreach (var server in servers)
        {
            var list = await RunAsync(request.SshProgram, LogSsh.Command(server, request.Access, LogSsh.ListCommand), null, ct);
            if (list is null) return Fail($"no ssh client ('{request.SshProgram}'): install OpenSSH's client (8.5 or newer).");
            if (list.Value.Exit != 0)
            {
                failed = true;
                stderr.WriteLine("error: " + (list.Value.Exit == 255
                    ? LogSsh.Explain(server, request.Stack, list.Value.Stderr, request.Access)
                    : $"{server.User}@{server.Address} ({server.Label}): docker ps failed: {list.Value.Stderr.Trim()} (is {server.User} in the docker group?)"));
                continue;
            }
            var names = list.Value.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var c in server.Containers)
            {
                var matching = names.Where(c.Matches).Order(StringComparer.Ordinal).ToList();
                if (matching.Count == 0) stderr.WriteLine($"[{server.Label}/{c.Instance}] no container on {server.Label} (not deployed yet, or a job that has not run)");
                reads.AddRange(matching.Select(n => (server, $"{server.Label}/{c.Instance}", n)));
            }
        }

        var lines = Channel.CreateUnbounded<LogLine>();
        var window = new LogWindow(since, request.Follow);
        var tasks = reads.Select((r, i) => ReadAsync(request, r.Server, r.Source, r.Container, window, lines.Writer, stderr, ct)).ToList();
        var all = Task.WhenAll(tasks).ContinueWith(_ => lines.Writer.Complete(), TaskScheduler.Default);
        if (!request.Follow)
        {
            var read = new List<LogLine>();
            await foreach (var line in lines.Reader.ReadAllAsync(CancellationToken.None)) read.Add(line);
            foreach (var line in LogMerge.All(read)) stdout.WriteLine(line);
        }
        else
        {
            var follower = new LogMerge.Follower(FollowWindow);
            var reader = lines.Reader;
            while (true)
            {
                var wait = reader.WaitToReadAsync(CancellationToken.None).AsTask();
                var more = await Task.WhenAny(wait, Task.Delay(200, CancellationToken.None)) != wait || await wait;
                while (reader.TryRead(out var line)) follower.Add(line, DateTimeOffset.UtcNow);
                foreach (var line in follower.Release(DateTimeOffset.UtcNow)) stdout.WriteLine(line);
                await stdout.FlushAsync(CancellationToken.None);
                if (!more) break;
            }
            foreach (var line in follower.Drain()) stdout.WriteLine(line);
        }
        await all;
        failed |= tasks.Any(t => !t.Result);
        return failed ? 1 : 0;
    }

    /// <summary>Reads one container's log; docker's and ssh's own messages (no time stamp) go to standard error, labelled.</summary>
    private static async Task<bool> ReadAsync(LogsRequest request, LogServer server, string source, string container, LogWindow window,
        ChannelWriter<LogLine> lines, TextWriter stderr, CancellationToken ct)
    {
        var argv = LogSsh.Command(server, request.Access, LogSsh.LogsCommand(container, window));
        var start = new ProcessStartInfo(request.SshProgram) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in argv) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        long sequence = 0;
        var messages = new List<string>();
        async Task Pump(StreamReader reader)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } text)
            {
                if (LogLine.Parse(text, source, Interlocked.Increment(ref sequence)) is { } line) lines.TryWrite(line);
                else lock (messages) messages.Add(text);
            }
        }
        using var stop = ct.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        await Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
        await process.WaitForExitAsync(CancellationToken.None);
        if (ct.IsCancellationRequested) return true;
        if (process.ExitCode == 255)
        {
            lock (stderr) stderr.WriteLine("error: " + LogSsh.Explain(server, request.Stack, string.Join("\n", messages), request.Access));
            return false;
        }
        lock (stderr)
            foreach (var m in messages) stderr.WriteLine($"[{source}] {m}");
        return process.ExitCode == 0;
    }

    /// <summary>Runs a program to its end; null when it cannot be started (not installed).</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)?> RunAsync(string program, IEnumerable<string> args, string? cwd, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (cwd is not null) start.WorkingDirectory = cwd;
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
