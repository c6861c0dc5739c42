using System.Diagnostics;
using System.Text.Json;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Operations;

/// <summary>What <c>notify</c> was asked for.</summary>
public sealed record NotifyRequest(string ProjectDir, DeployResult Result)
{
    /// <summary>The output of <c>pulumi config --show-secrets --json</c>. Default: asked of the Pulumi CLI.</summary>
    public string? ConfigFile { get; init; }
    /// <summary>Print each notice (never a secret) instead of sending it.</summary>
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>notify --stack S --status success|failure|cancelled [--commit SHA] [--actor NAME] [--run-url URL]</c>: posts a deploy's
/// result to every alert channel of the stack (<see cref="AlertChannels.Of"/>), reading each channel's secret from the stack's
/// configuration through the Pulumi CLI (the workflow's environment token decrypts it). Prints one line per channel,
/// never a secret; exit 1 when a channel could not be reached, so the step shows it.
/// </summary>
public static class NotifyCommand
{
    public static async Task<int> RunAsync(NotifyRequest request, TextWriter stdout, TextWriter stderr, HttpClient? http = null, CancellationToken ct = default)
    {
        var stack = request.Result.Stack;
        if (!DeployResult.Statuses.Contains(request.Result.Status))
        {
            stderr.WriteLine($"error: --status '{request.Result.Status}' is not one of {string.Join(", ", DeployResult.Statuses)} (the workflow passes job.status).");
            return 2;
        }
        StackSettings settings;
        try
        {
            settings = SettingsReader.Load(request.ProjectDir, stack);
        }
        catch (InvalidStackException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
        var channels = AlertChannels.Of(settings);
        if (channels.IsEmpty)
        {
            stdout.WriteLine($"stack '{stack}' has no alert channel (alertWebhookUrl, alertChannels): nothing sent.");
            return 0;
        }
        JsonElement config = default;
        if (!request.DryRun)
        {
            string json;
            if (request.ConfigFile is { } file)
            {
                if (!File.Exists(file))
                {
                    stderr.WriteLine($"error: --config {file}: no such file. Write it with: pulumi config --show-secrets --json --stack {stack} > {file} (and delete it after).");
                    return 1;
                }
                json = await File.ReadAllTextAsync(file, ct);
            }
            else
            {
                var pulumi = await PulumiConfigAsync(request.ProjectDir, stack, ct);
                if (pulumi is not { } got)
                {
                    stderr.WriteLine($"error: the Pulumi CLI is not on the PATH, so the channels' secrets cannot be read. Install it, or pass --config with the output of pulumi config --show-secrets --json --stack {stack}.");
                    return 1;
                }
                if (got.Exit != 0)
                {
                    stderr.WriteLine($"error: pulumi config --stack {stack} failed (log in with PULUMI_ACCESS_TOKEN for this stack's environment): {got.Stderr.Trim()}");
                    return 1;
                }
                json = got.Stdout;
            }
            try
            {
                config = JsonDocument.Parse(json).RootElement;
            }
            catch (JsonException)
            {
                stderr.WriteLine($"error: the stack's configuration is not the JSON of pulumi config --show-secrets --json --stack {stack}.");
                return 1;
            }
        }
        var ok = true;
        using var own = http is null ? new HttpClient { Timeout = TimeSpan.FromSeconds(20) } : null;
        foreach (var channel in channels)
        {
            var key = AlertChannels.SecretOf(channel);
            var secret = request.DryRun ? DryRunSecret(channel) : DeployNotice.SecretFrom(config, key);
            if (secret is null)
            {
                ok = false;
                stderr.WriteLine($"error: {channel.Id} ({AlertChannels.KindOf(channel)}): its secret {key} has no value in the stack's configuration (was it read with --show-secrets?). Set it: pulumi config set --secret {(key.Contains('.', StringComparison.Ordinal) ? $"--path '{key}'" : key)} <value> --stack {stack}");
                continue;
            }
            Notice notice;
            try
            {
                notice = DeployNotice.For(channel, secret, request.Result);
            }
            catch (UriFormatException)
            {
                ok = false;
                stderr.WriteLine($"error: {channel.Id} ({AlertChannels.KindOf(channel)}): its secret {key} is not a URL. Set it again: pulumi config set --secret --path '{key}' <https://…> --stack {stack}");
                continue;
            }
            if (request.DryRun)
            {
                stdout.WriteLine(notice);
                continue;
            }
            var (sent, line) = await DeployNotice.SendAsync(notice, http ?? own!, ct);
            (sent ? stdout : stderr).WriteLine(sent ? line : "error: " + line);
            ok &= sent;
        }
        return ok ? 0 : 1;
    }

    /// <summary>A stand-in for the secret in a dry run (the URL or token is never printed anyway).</summary>
    private static string DryRunSecret(NotificationTarget channel) => channel is TelegramNotification or EmailNotification ? "<secret>" : "https://secret.invalid/";

    private static async Task<(int Exit, string Stdout, string Stderr)?> PulumiConfigAsync(string dir, string stack, CancellationToken ct)
    {
        var start = new ProcessStartInfo("pulumi") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in new[] { "config", "--show-secrets", "--json", "--stack", stack }) start.ArgumentList.Add(a);
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
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
