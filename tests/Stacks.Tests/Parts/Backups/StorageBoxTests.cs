using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.BackupTargets;

/// <summary><c>platform:backupStorageBox</c>: a second, SFTP target for every archive, with a pinned host key and a key login.</summary>
public sealed class StorageBoxTests
{
    public const string HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF4k+j3MHdTPho9sXLJ0TfLy8adm8fbY9gKNAowE72v0";

    private const string Secret = "platform:backupStorageBoxKey:\n  secure: v1:abc";

    private static string Box(string body) => $"platform:backupStorageBox: {body}\n{Secret}";

    private static IReadOnlyList<SettingsError> Errors(string extra) => TestStacks.Errors(TestStacks.Yaml(extra: extra));

    [Fact]
    public void The_runner_uploads_every_archive_to_the_box_with_a_key_from_a_file_and_the_timer_checks_the_pinned_key_first()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var runner = b.Services.Single(x => x.Name == "backup");
        Assert.Equal("u123456.your-storagebox.de", runner.Env["SSH_HOST_NAME"].Masked);
        Assert.Equal("23", runner.Env["SSH_PORT"].Masked);
        Assert.Equal("u123456", runner.Env["SSH_USER"].Masked);
        Assert.Equal(StorageBox.IdentityFile, runner.Env["SSH_IDENTITY_FILE"].Masked);
        Assert.DoesNotContain(runner.Env.Keys, k => k == "SSH_PASSWORD");
        var identity = runner.Files.Single(f => f.Path == StorageBox.IdentityFile);
        Assert.Equal([StorageBoxSettings.KeySecret], identity.Content.Secrets.ToArray());
        Assert.Contains(b.Secrets, x => x.Name == StorageBoxSettings.KeySecret && x.ConfigKey == "platform:backupStorageBoxKey");

        var daily = runner.Files.Single(f => f.Path.EndsWith("/postgres-daily.env", StringComparison.Ordinal)).Content.Masked;
        Assert.Contains("SSH_REMOTE_PATH=\"brightlane-prod/platform-prod/postgres-daily\"", daily, StringComparison.Ordinal);
        Assert.Contains("BACKUP_RETENTION_DAYS=\"30\"", daily, StringComparison.Ordinal);

        var script = b.HostCommands.Single(c => c.Name == "backup-timers").Stdin!.Masked;
        var check = "ssh-keyscan -T 15 -p 23 -t ssh-ed25519 u123456.your-storagebox.de 2>/dev/null | awk '{print $2\" \"$3}' | grep -qxF '" + HostKey + "'";
        Assert.Contains($"box=; [ \"$status\" = up ] && {{ {check} || box='-e SSH_HOST_NAME='; }}", script, StringComparison.Ordinal);
        Assert.Contains("docker exec $box backup sh -c", script, StringComparison.Ordinal);
        Assert.True(script.IndexOf(check, StringComparison.Ordinal) < script.IndexOf("docker exec $box backup", StringComparison.Ordinal));
    }

    [Fact]
    public void The_plan_shows_the_target_its_pinned_key_and_its_cost()
    {
        var plan = PlanText.Render(TestStacks.ShippedBlueprint("prod"));
        Assert.Contains("backup target Storage Box sftp://u123456@u123456.your-storagebox.de:23/brightlane-prod/ (bx11): every job's archive, as well as the S3 bucket; host key ssh-ed25519 SHA256:mF7Pp0bdsmTgmbuwPsjNffDwcmwWemEgeRgjm1lP2Hw", plan, StringComparison.Ordinal);
        Assert.Contains("pgBackRest's WAL and base backups (point-in-time recovery) stay on S3 only", plan, StringComparison.Ordinal);
        Assert.Contains("and sftp://u123456@u123456.your-storagebox.de:23/brightlane-prod/platform-prod/minio/; keep 30 days", plan, StringComparison.Ordinal);
        Assert.Contains("Hetzner Storage Box BX11 (1 TB; every backup archive a second time, over SFTP; platform:backupStorageBox): 1 month x 3.81 = 3.81", plan, StringComparison.Ordinal);
        // What ssh-keygen -lf prints for the pinned key.
        Assert.Equal("SHA256:mF7Pp0bdsmTgmbuwPsjNffDwcmwWemEgeRgjm1lP2Hw", TestStacks.Shipped("prod").Backups.StorageBox!.Fingerprint);
    }

    [Fact]
    public void A_price_override_and_a_bigger_box_change_the_cost()
    {
        var s = TestStacks.Read(TestStacks.Yaml(extra: Box($"{{ host: u1.your-storagebox.de, hostKey: \"{HostKey}\", product: bx21 }}") + "\nplatform:prices: { bx21: 11.5 }"));
        var cost = BlueprintBuilder.Build(s).Cost;
        Assert.Contains(cost.Lines, l => l.Item.StartsWith("Hetzner Storage Box BX21 (5 TB", StringComparison.Ordinal) && l.UnitPriceEur == 11.5m);
        Assert.Equal(("u1", 23, "backups"), (s.Backups.StorageBox!.User, s.Backups.StorageBox.Port, s.Backups.StorageBox.Path));
    }

    [Theory]
    [InlineData("{ host: u1.your-storagebox.de }", "platform:backupStorageBox.hostKey", "ssh-keyscan -p 23 -t ed25519 u1.your-storagebox.de")]
    [InlineData("{ host: u1.your-storagebox.de, hostKey: \"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIF4k+j3MHdTPho9sXLJ0TfLy8adm8fbY9gKNAowE72v0\" }", "platform:backupStorageBox.hostKey", "as ssh-keyscan prints it")]
    [InlineData("{ host: u1.your-storagebox.de, hostKey: \"ssh-ed25519 AAAA!!\" }", "platform:backupStorageBox.hostKey", "as ssh-keyscan prints it")]
    [InlineData("{ host: u1.your-storagebox.de, hostKey: \"u1.your-storagebox.de ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF4k+j3MHdTPho9sXLJ0TfLy8adm8fbY9gKNAowE72v0\" }", "platform:backupStorageBox.hostKey", "no host")]
    [InlineData("{ hostKey: \"KEY\" }", "platform:backupStorageBox.host", "your-storagebox.de")]
    [InlineData("{ host: u1.your-storagebox.de, hostKey: \"KEY\", path: ../etc }", "platform:backupStorageBox.path", "relative path")]
    [InlineData("{ host: u1.your-storagebox.de, hostKey: \"KEY\", product: bx99 }", "platform:backupStorageBox.product", "bx11")]
    [InlineData("{ host: u1.your-storagebox.de, hostKey: \"KEY\", password: x }", "platform:backupStorageBox.password", "Remove it")]
    public void A_bad_box_names_its_key_and_the_fix(string body, string key, string fix)
    {
        var error = Assert.Single(Errors(Box(body.Replace("KEY", HostKey, StringComparison.Ordinal))));
        Assert.Equal(key, error.Key);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_is_required_with_a_box_secret_and_refused_without_one()
    {
        var box = $"platform:backupStorageBox: {{ host: u1.your-storagebox.de, hostKey: \"{HostKey}\" }}";
        var missing = Assert.Single(Errors(box));
        Assert.Equal("platform:backupStorageBoxKey", missing.Key);
        Assert.Contains("pulumi config set --secret backupStorageBoxKey < storagebox", missing.Fix, StringComparison.Ordinal);
        var plain = Errors(box + "\nplatform:backupStorageBoxKey: \"-----BEGIN OPENSSH PRIVATE KEY-----\"");
        Assert.Contains(plain, e => e.Key == "platform:backupStorageBoxKey" && e.Problem.Contains("plain text", StringComparison.Ordinal));
        var unused = Assert.Single(Errors(Secret));
        Assert.Equal("platform:backupStorageBoxKey", unused.Key);
        Assert.Contains("nothing uses it", unused.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_box_without_backups_is_refused()
    {
        var errors = Errors(Box($"{{ host: u1.your-storagebox.de, hostKey: \"{HostKey}\" }}") + "\nplatform:backupsEnabled: false");
        Assert.Contains(errors, e => e.Key == "platform:backupStorageBox" && e.Fix.Contains("Turn backups on", StringComparison.Ordinal));
    }
}
