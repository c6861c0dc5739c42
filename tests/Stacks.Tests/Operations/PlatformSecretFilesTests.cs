using System.Diagnostics;
using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// The platform's own containers hold no secret in their env (an inspect of any of them shows none) and put none on a
/// command line: each secret is a file the program or a script reads, or reaches a client on its stdin.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PlatformSecretFilesTests
{
    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void No_platform_container_has_a_secret_in_its_env(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var platform = b.Services.Where(x => x.App is null).ToList();
        Assert.Contains(platform, x => x.Name == ServiceNames.Minio);
        var offenders = platform.SelectMany(x => x.Env.Where(e => e.Value.IsSecret).Select(e => $"{x.Name}: {e.Key}")).ToList();
        Assert.True(offenders.Count == 0, "secret env in platform containers: " + string.Join(", ", offenders));
        // The secrets they need are files instead.
        var minio = platform.Single(x => x.Name == ServiceNames.Minio);
        Assert.Equal(MinioBlueprint.RootPasswordFile, minio.Env["MINIO_ROOT_PASSWORD_FILE"].Masked);
        Assert.Contains(minio.Files, f => f.Path == MinioBlueprint.RootPasswordFile && f.Content.Secrets.SequenceEqual([SecretNames.MinioRoot]));
        var autokuma = platform.Single(x => x.Name == AutoKuma.ContainerName);
        Assert.Contains(autokuma.Files, f => f.Path == AutoKuma.ConfigPath && f.Content.IsSecret);
    }

    [Fact]
    public void The_minio_provisioning_script_puts_no_secret_on_a_command_line()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var provision = b.HostCommands.Single(c => c.Name == HostCommandNames.MinioProvision);
        Assert.NotEmpty(provision.Stdin!.Secrets);
        var root = Directory.CreateTempSubdirectory("minio-provision-").FullName;
        try
        {
            // The script as the server gets it, with made-up values for its secrets; the root password file at its path
            // in the container is moved under the test directory.
            string Value(string name) => "v" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..24];
            var passwordFile = Path.Combine(root, "minio-root-password");
            File.WriteAllText(passwordFile, Value(SecretNames.MinioRoot) + "\n");
            var script = provision.Stdin!.Resolve(Value).Replace(MinioBlueprint.RootPasswordFile, passwordFile, StringComparison.Ordinal);
            // A stand-in mc records each call's arguments, its MC_HOST_local and what it read on stdin.
            var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
            var mc = Path.Combine(bin, "mc");
            File.WriteAllText(mc, $"#!/bin/sh\n{{ echo \"ARGS $*\"; echo \"HOST $MC_HOST_local\"; if [ \"$1 $2 $3\" = 'admin user add' ]; then echo \"STDIN $(cat)\"; fi; }} >> {root}/calls\n" +
                "case \"$1 $2 $3\" in 'admin user info') echo policy;; esac\nexit 0\n");
            File.SetUnixFileMode(mc, (UnixFileMode)0b111_101_101);
            var psi = new ProcessStartInfo("sh", ["-s"]) { RedirectStandardInput = true, RedirectStandardError = true, WorkingDirectory = root };
            psi.Environment["PATH"] = bin + ":/usr/bin:/bin";
            psi.Environment["MINIO_ROOT_USER"] = MinioBlueprint.RootUser;
            using var p = Process.Start(psi)!;
            p.StandardInput.Write(script);
            p.StandardInput.Close();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stderr);

            var calls = File.ReadAllLines(Path.Combine(root, "calls"));
            var secrets = provision.Stdin!.Secrets.Add(SecretNames.MinioRoot).Select(Value).ToList();
            var args = calls.Where(l => l.StartsWith("ARGS ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(args);
            foreach (var secret in secrets)
                Assert.DoesNotContain(args, a => a.Contains(secret, StringComparison.Ordinal));
            // mc logs in through MC_HOST_local with the root password from the file, and every app user's secret key
            // arrived on stdin.
            Assert.All(calls.Where(l => l.StartsWith("HOST ", StringComparison.Ordinal)),
                l => Assert.Equal($"HOST http://{MinioBlueprint.RootUser}:{Value(SecretNames.MinioRoot)}@127.0.0.1:9000", l));
            var stdin = calls.Where(l => l.StartsWith("STDIN ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
            Assert.Equal(provision.Stdin!.Secrets.Select(Value).Order(), stdin.Order());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_notification_secret_with_quotes_and_backslashes_stays_one_json_string()
    {
        const string url = "https://hooks.example.com/x?a=\"b\"&c=\\d\n";
        var file = AutoKuma.NotificationFile(new WebhookNotification("alerts", "Alerts", "alertWebhookUrl"));
        Assert.DoesNotContain("get_env", file.Content.Masked, StringComparison.Ordinal);
        var json = JsonDocument.Parse(file.Content.Resolve(_ => url));
        Assert.Equal(url, json.RootElement.GetProperty("config").GetProperty("webhookURL").GetString());
    }

    [Fact]
    public void AutoKumas_config_file_holds_the_password_as_one_toml_string()
    {
        var text = AutoKuma.ConfigFile("uptime-kuma-admin").Resolve(_ => "pa\"ss\\word");
        Assert.Contains("[kuma]\npassword = \"pa\\\"ss\\\\word\"\n", text, StringComparison.Ordinal);
    }
}
