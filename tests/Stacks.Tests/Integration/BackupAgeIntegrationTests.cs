using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The recipients the stack file takes are the ones the real age (Debian's 1.1) makes and encrypts to, and the restore
/// steps in docs/operations.md decrypt such an archive with the private key kept off the servers.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BackupAgeIntegrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("platform-age-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string StackWith(string recipient) => TestStacks.Yaml(extra: $"platform:backupAgeRecipients:\n  - \"{recipient}\"\n");

    [Fact]
    public async Task An_age_keygen_recipient_is_accepted_and_its_archive_decrypts_with_the_documented_command()
    {
        var key = Path.Combine(_dir, "backup-key.txt");
        var gen = await Proc.RunAsync("age-keygen", ["-o", key]);
        Assert.True(gen.Ok, gen.ToString());
        var recipient = (await Proc.RunAsync("age-keygen", ["-y", key])).Stdout.Trim();
        Assert.StartsWith("age1", recipient);
        Assert.DoesNotContain(TestStacks.Errors(StackWith(recipient)), e => e.Key.StartsWith("platform:backupAgeRecipients", StringComparison.Ordinal));

        await RoundTrip(["-r", recipient], key);
        // One character off is not a key age takes (its Bech32 checksum fails), nor one the stack takes.
        var broken = recipient[..^1] + (recipient[^1] == 'q' ? 'p' : 'q');
        File.WriteAllText(Path.Combine(_dir, "x"), "x");
        Assert.True((await Proc.RunAsync("age", ["-r", recipient, "-o", Path.Combine(_dir, "ok.age"), Path.Combine(_dir, "x")])).Ok);
        Assert.False((await Proc.RunAsync("age", ["-r", broken, "-o", Path.Combine(_dir, "x.age"), Path.Combine(_dir, "x")])).Ok);
        Assert.Contains(TestStacks.Errors(StackWith(broken)), e => e.Key == "platform:backupAgeRecipients[0]");
    }

    [Fact]
    public async Task An_ssh_ed25519_public_key_is_accepted_and_its_archive_decrypts_with_the_private_key()
    {
        var key = Path.Combine(_dir, "id_ed25519");
        var gen = await Proc.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "backups@example.com", "-f", key]);
        Assert.True(gen.Ok, gen.ToString());
        var recipient = File.ReadAllText(key + ".pub").Trim();
        Assert.DoesNotContain(TestStacks.Errors(StackWith(recipient)), e => e.Key.StartsWith("platform:backupAgeRecipients", StringComparison.Ordinal));
        await RoundTrip(["-R", key + ".pub"], key);
    }

    /// <summary>An archive as the runner uploads it (a gzipped tar, encrypted to the recipient), opened as docs/operations.md says.</summary>
    private async Task RoundTrip(string[] recipientArgs, string identity)
    {
        var src = Directory.CreateDirectory(Path.Combine(_dir, "backup", "postgres")).FullName;
        File.WriteAllText(Path.Combine(src, "api.dump"), "rows of api\n");
        var tar = Path.Combine(_dir, "postgres-daily.tar.gz");
        Assert.True((await Proc.RunAsync("tar", ["-czf", tar, "-C", _dir, "backup"])).Ok);
        var encrypted = tar + ".age";
        var enc = await Proc.RunAsync("age", [.. recipientArgs, "-o", encrypted, tar]);
        Assert.True(enc.Ok, enc.ToString());
        Directory.Delete(Path.Combine(_dir, "backup"), recursive: true);

        // docs/operations.md: age -d -i <key> <archive>.tar.gz.age | tar -xz
        var restore = await Proc.RunAsync("sh", ["-c", $"cd '{_dir}' && age -d -i '{identity}' '{encrypted}' | tar -xz"]);
        Assert.True(restore.Ok, restore.ToString());
        Assert.Equal("rows of api\n", File.ReadAllText(Path.Combine(_dir, "backup", "postgres", "api.dump")));
        Directory.Delete(Path.Combine(_dir, "backup"), recursive: true);
    }
}
