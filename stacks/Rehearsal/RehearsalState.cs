using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;

namespace Platform.Stacks.Rehearsal;

/// <summary>
/// What a rehearsal keeps between runs, in one directory only its user can read: the secrets' local values
/// (generated here, never printed: the same on every apply, so nothing is recreated for a new password), the
/// host commands that ran and on what input, the directory standing in for the server's files, and the shims
/// that run host commands locally (<c>sudo</c> as-is, <c>docker</c> against the rehearsal's engine).
/// </summary>
public sealed class RehearsalState
{
    private readonly Dictionary<string, string> _secrets;
    private readonly ConcurrentDictionary<string, string> _commands;
    private readonly string _dockerHost;

    public string Directory { get; }
    /// <summary>Stands in for the server's root: <c>/srv/platform</c> is <c>&lt;HostRoot&gt;/srv/platform</c>.</summary>
    public string HostRoot => Path.Combine(Directory, "server");
    private string SecretsFile => Path.Combine(Directory, "secrets.json");
    private string CommandsFile => Path.Combine(Directory, "commands.json");
    private string ShimDirectory => Path.Combine(Directory, "bin");

    private RehearsalState(string directory, string dockerHost, Dictionary<string, string> secrets, Dictionary<string, string> commands)
    {
        Directory = directory;
        _dockerHost = dockerHost;
        _secrets = secrets;
        _commands = new ConcurrentDictionary<string, string>(commands, StringComparer.Ordinal);
    }

    /// <summary>Opens (or makes) the state in <paramref name="directory"/>; every secret of the blueprint gets a value.</summary>
    public static RehearsalState Open(string directory, string dockerHost, PlatformBlueprint blueprint)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The rehearsal runs host commands through sh: use Linux or macOS.");
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var secretsFile = Path.Combine(directory, "secrets.json");
        var secrets = File.Exists(secretsFile)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(secretsFile)) ?? []
            : [];
        var commandsFile = Path.Combine(directory, "commands.json");
        var commands = File.Exists(commandsFile)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(commandsFile)) ?? []
            : [];
        var state = new RehearsalState(directory, dockerHost, secrets, commands);
        state.WriteShims();
        System.IO.Directory.CreateDirectory(state.HostRoot);
        state.AddSecrets(blueprint);
        return state;
    }

    /// <summary>Gives every secret of <paramref name="blueprint"/> that has none yet a local value (a changed stack's new app).</summary>
    public void AddSecrets(PlatformBlueprint blueprint)
    {
        var added = false;
        foreach (var s in blueprint.Secrets)
        {
            if (_secrets.ContainsKey(s.Name)) continue;
            added = true;
            _secrets[s.Name] = s.Source switch
            {
                // Generated secrets are alphanumeric (safe in URLs), as the random password resources make them.
                SecretSource.Generated => Random(Math.Max(s.Length, 16)),
                // A config secret's real value is the stack owner's: a placeholder stands in.
                _ => "rehearsal-placeholder-" + Random(24),
            };
        }
        if (added) WritePrivate(SecretsFile, JsonSerializer.Serialize(_secrets));
    }

    /// <summary>The default directory: the user's state directory, per engine and stack.</summary>
    public static string DefaultDirectory(string engineId, string stack)
    {
        var root = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } x
            ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        var engine = new string(engineId.Where(char.IsAsciiLetterOrDigit).Take(12).ToArray());
        return Path.Combine(root, "platform-rehearsal", $"{engine}-{stack}");
    }

    /// <summary>A text with the secrets' local values.</summary>
    public string Resolve(SecretText text) => text.Resolve(name => _secrets.TryGetValue(name, out var v)
        ? v
        : throw new InvalidOperationException($"The blueprint uses the secret '{name}' but does not list it."));

    /// <summary>The value of one secret (for tests that log in as an app).</summary>
    public string Secret(string name) => _secrets[name];

    /// <summary>Output with every secret's value replaced by <c>&lt;secret:name&gt;</c>.</summary>
    public string Mask(string text)
    {
        foreach (var (name, value) in _secrets)
            if (value.Length >= 8) text = text.Replace(value, $"<secret:{name}>", StringComparison.Ordinal);
        return text;
    }

    public string? CommandHash(string name) => _commands.GetValueOrDefault(name);

    public void CommandRan(string name, string hash) => _commands[name] = hash;

    public Task SaveAsync(CancellationToken ct) =>
        Task.Run(() => WritePrivate(CommandsFile, JsonSerializer.Serialize(new SortedDictionary<string, string>(_commands, StringComparer.Ordinal))), ct);

    /// <summary>Runs a host command's line through <c>sh -c</c> with its input, as the deploy user would over SSH.</summary>
    public async Task<(int ExitCode, string Output)> RunShellAsync(string command, SecretText? stdin, CancellationToken ct)
    {
        var start = new ProcessStartInfo("sh", ["-c", command])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["PATH"] = ShimDirectory + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["DOCKER_HOST"] = _dockerHost;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        if (stdin is not null) await p.StandardInput.WriteAsync(Resolve(stdin).AsMemory(), ct);
        p.StandardInput.Close();
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, Mask(await stdout + await stderr));
    }

    /// <summary>Removes the directory (after <c>--down</c>).</summary>
    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    private void WriteShims()
    {
        if (OperatingSystem.IsWindows()) return;
        System.IO.Directory.CreateDirectory(ShimDirectory);
        // Debian's own client speaks the engine's API version; a newer static client on the PATH may not.
        var docker = File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
        var exec = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.WriteAllText(Path.Combine(ShimDirectory, "sudo"), "#!/bin/sh\n# The rehearsal runs host commands as the user it runs as.\nexec \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(ShimDirectory, "sudo"), exec);
        var path = docker == "docker" ? "PATH=$(printf '%s' \"$PATH\" | sed 's|^[^:]*:||') " : "";
        File.WriteAllText(Path.Combine(ShimDirectory, "docker"), $"#!/bin/sh\n{path}exec {docker} \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(ShimDirectory, "docker"), exec);
    }

    private static void WritePrivate(string path, string text)
    {
        if (OperatingSystem.IsWindows()) return;
        using var f = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        f.Write(Encoding.UTF8.GetBytes(text));
    }

    private static string Random(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }
}
