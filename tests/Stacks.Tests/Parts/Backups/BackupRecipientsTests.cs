using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.BackupEncryption;

/// <summary>
/// Backups a compromised server can neither read nor destroy: archives encrypted to public keys whose private halves
/// never reach a server (age, as offen/docker-volume-backup v2.48.2 does it), and pruning left to the bucket's own
/// lifecycle rule so the runner's S3 key only writes.
/// </summary>
public sealed class BackupRecipientsTests
{
    // Public keys only (age-keygen and ssh-keygen output); their private halves were never kept.
    public const string AgeKey = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    public const string SshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn backups@example.com";

    private static string WithoutPassphrase(string yaml) =>
        yaml.Replace("  platform:backupEncryptionPassphrase:\n    secure: v1:abc\n", "", StringComparison.Ordinal);

    private static string Stack(string extra, bool passphrase = true)
    {
        var yaml = TestStacks.Yaml(extra: extra);
        return passphrase ? yaml : WithoutPassphrase(yaml);
    }

    [Fact]
    public void Archives_are_encrypted_to_the_recipients_and_the_server_holds_no_key_that_reads_them()
    {
        var b = TestStacks.Build(Stack($"platform:backupAgeRecipients:\n  - {AgeKey}\n  - {SshKey}\n", passphrase: false));
        var runner = b.Services.Single(s => s.Name == ServiceNames.Backup);
        Assert.Equal($"{AgeKey},{SshKey}", runner.Env["AGE_PUBLIC_KEYS"].Masked);
        Assert.DoesNotContain("GPG_PASSPHRASE_FILE", runner.Env.Keys);
        Assert.DoesNotContain(b.Secrets, x => x.Name == "backupEncryptionPassphrase");
        Assert.All(b.Backups, j => Assert.EndsWith(".tar.gz.age", j.Destination));
        Assert.Contains("encrypted to 2 age recipients (no key to read it on the server)", PlanText.Render(b));
    }

    [Fact]
    public void Without_recipients_the_archives_stay_symmetric_gpg_with_the_passphrase()
    {
        var b = TestStacks.Build(Stack(""));
        var runner = b.Services.Single(s => s.Name == ServiceNames.Backup);
        Assert.DoesNotContain("AGE_PUBLIC_KEYS", runner.Env.Keys);
        Assert.Contains("GPG_PASSPHRASE_FILE", runner.Env.Keys);
        Assert.All(b.Backups, j => Assert.EndsWith(".tar.gz.gpg", j.Destination));
        Assert.Contains(TestStacks.Errors(WithoutPassphrase(TestStacks.Yaml())), e => e.Key == "platform:backupEncryptionPassphrase");
    }

    [Fact]
    public void Point_in_time_recovery_still_needs_the_passphrase_since_pgbackrest_encrypts_symmetrically()
    {
        var errors = TestStacks.Errors(Stack($"platform:postgresPitr: true\nplatform:backupAgeRecipients: [{AgeKey}]\n", passphrase: false));
        Assert.Contains(errors, e => e.Key == "platform:backupEncryptionPassphrase" && e.Problem.Contains("pgBackRest", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_recipient_and_a_private_key_are_refused_at_their_index()
    {
        var errors = TestStacks.Errors(Stack(
            "platform:backupAgeRecipients:\n  - age1notakey\n  - AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n", passphrase: false));
        Assert.Contains(errors, e => e.Key == "platform:backupAgeRecipients[0]" && e.Problem.Contains("is not an age recipient", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:backupAgeRecipients[1]" && e.Problem.Contains("private key", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Problem.Contains("QQQQQQQQ", StringComparison.Ordinal) || e.Fix.Contains("QQQQQQQQ", StringComparison.Ordinal));
    }

    [Fact]
    public void Recipients_without_encryption_are_refused()
    {
        var errors = TestStacks.Errors(Stack($"platform:backupEncrypt: false\nplatform:backupAgeRecipients: [{AgeKey}]\n"));
        Assert.Contains(errors, e => e.Key == "platform:backupAgeRecipients" && e.Fix.Contains("backupEncrypt", StringComparison.Ordinal));
    }

    [Fact]
    public void With_bucket_retention_the_runner_never_prunes_so_a_write_only_key_suffices()
    {
        var pruned = TestStacks.Build(Stack(""));
        var byBucket = TestStacks.Build(Stack("platform:backupRetentionByBucket: true\n"));
        static string JobFiles(PlatformBlueprint b) => string.Join("\n", b.Services.Single(s => s.Name == ServiceNames.Backup).Files.Select(f => f.Content.Masked));
        Assert.Contains("BACKUP_RETENTION_DAYS=", JobFiles(pruned));
        Assert.DoesNotContain("BACKUP_RETENTION_DAYS", JobFiles(byBucket));
        Assert.Contains("(by the bucket's lifecycle rule; the runner's key only writes)", PlanText.Render(byBucket));
    }

    [Fact]
    public void Bucket_retention_with_point_in_time_recovery_is_refused_since_a_rule_by_age_would_break_the_wal_chain()
    {
        var errors = TestStacks.Errors(Stack("platform:backupRetentionByBucket: true\nplatform:postgresPitr: true\n"));
        Assert.Contains(errors, e => e.Key == "platform:backupRetentionByBucket" && e.Problem.Contains("chain", StringComparison.Ordinal));
    }
}
