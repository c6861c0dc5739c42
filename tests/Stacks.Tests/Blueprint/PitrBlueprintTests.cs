using System.Diagnostics;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Postgres;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>Point-in-time recovery in the blueprint: opt-in per stack, on in prod; what it adds and what it refuses.</summary>
public sealed class PitrBlueprintTests
{
    [Fact]
    public void Prod_archives_wal_with_pgbackrest_to_its_backup_bucket_and_staging_does_not()
    {
        var prod = TestStacks.ShippedBlueprint("prod");
        var pg = prod.Service("postgres");
        Assert.Equal("platform/postgres-pgbackrest:16.6-alpine", pg.Image);
        Assert.Equal(HostCommandNames.PostgresImage, pg.ImageBuiltBy);
        Assert.Contains(HostCommandNames.PostgresImage, pg.AfterHostCommands);
        var conf = pg.Files.Single(f => f.Path == PostgresBlueprint.ConfigPath).Content.Masked;
        Assert.Contains("archive_mode = on\narchive_command = 'pgbackrest --stanza=platform archive-push %p'\narchive_timeout = 60\n", conf, StringComparison.Ordinal);
        Assert.Equal("s3", pg.Env["PGBACKREST_REPO1_TYPE"].Masked);
        Assert.Equal("brightlane-prod-backups", pg.Env["PGBACKREST_REPO1_S3_BUCKET"].Masked);
        Assert.Equal("/platform-prod/pgbackrest", pg.Env["PGBACKREST_REPO1_PATH"].Masked);
        // Secrets stay references, in pgBackRest's configuration file, never env values (an inspect shows none);
        // the repository is encrypted with the backup passphrase.
        Assert.DoesNotContain(pg.Env, e => e.Value.IsSecret);
        Assert.DoesNotContain(pg.Env.Keys, k => k is "PGBACKREST_REPO1_S3_KEY" or "PGBACKREST_REPO1_S3_KEY_SECRET" or "PGBACKREST_REPO1_CIPHER_PASS");
        Assert.Equal("aes-256-cbc", pg.Env["PGBACKREST_REPO1_CIPHER_TYPE"].Masked);
        var secrets = pg.Files.Single(f => f.Path == Pitr.ConfigPath).Content;
        Assert.Equal("/etc/pgbackrest/pgbackrest.conf", Pitr.ConfigPath);
        Assert.Contains("[global]\nrepo1-s3-key=<secret:backupS3AccessKeyId>\nrepo1-s3-key-secret=<secret:backupS3SecretAccessKey>\nrepo1-cipher-pass=<secret:backupEncryptionPassphrase>\n", secrets.Masked, StringComparison.Ordinal);
        Assert.Equal(["backupEncryptionPassphrase", "backupS3AccessKeyId", "backupS3SecretAccessKey"], secrets.Secrets.AsEnumerable());
        Assert.Equal(4096 + Pitr.MemoryMb, pg.Limits.MemoryMb);
        Assert.Contains(prod.Backups, j => j.Name == Pitr.JobName && j.Schedule == Pitr.DefaultSchedule && j.Retention.Contains("14", StringComparison.Ordinal));
        Assert.Contains(prod.Monitors, m => m.Name == "Threshold WAL archive failing");
        Assert.Contains(prod.Monitors, m => m.Name == "Threshold pg_wal size");
        var stanza = prod.HostCommands.Single(c => c.Name == HostCommandNames.PostgresPitrStanza);
        Assert.Equal(["postgres"], stanza.DependsOnServices.AsEnumerable());
        var build = prod.HostCommands.Single(c => c.Name == HostCommandNames.PostgresImage).Stdin!.Masked;
        Assert.Contains("FROM postgres:16.6-alpine\nRUN apk add --no-cache pgbackrest", build, StringComparison.Ordinal);

        var staging = TestStacks.ShippedBlueprint("staging");
        var spg = staging.Service("postgres");
        Assert.Equal("postgres:16.6-alpine", spg.Image);
        Assert.Null(spg.ImageBuiltBy);
        Assert.DoesNotContain("archive_command", spg.Files.Single(f => f.Path == PostgresBlueprint.ConfigPath).Content.Masked, StringComparison.Ordinal);
        Assert.DoesNotContain(spg.Env.Keys, k => k.StartsWith("PGBACKREST_", StringComparison.Ordinal));
        Assert.DoesNotContain(spg.Files, f => f.Path == Pitr.ConfigPath);
        Assert.DoesNotContain(staging.Backups, j => j.Name == Pitr.JobName);
        Assert.DoesNotContain(staging.Monitors, m => m.Name.Contains("WAL", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Pitr_without_backups_is_refused_naming_the_key_and_the_fix()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: "platform:postgresPitr: true\nplatform:backupsEnabled: false"));
        var error = Assert.Single(errors, e => e.Key == "platform:postgresPitr");
        Assert.Contains("backupsEnabled", error.Fix, StringComparison.Ordinal);
        Assert.Empty(TestStacks.Errors(TestStacks.Yaml(extra: "platform:postgresPitr: true")));
    }

    [Fact]
    public void The_base_backup_job_runs_pgbackrest_in_the_postgres_container_as_its_os_user()
    {
        var prod = TestStacks.Shipped("prod");
        var job = OperationsBlueprint.Of(prod).Backup!.Jobs.Single(j => j.Name == Pitr.JobName);
        Assert.Equal("postgres", job.DumpContainer);
        Assert.Equal("postgres", job.DumpUser);
        Assert.Equal(Pitr.BackupScript(Backups.PitrReceiptDir), job.DumpScript);
        Assert.Equal(Backups.PitrReceiptVolume, job.SourceVolume);
    }

    [Fact]
    public void The_base_backup_script_fails_unless_the_repository_holds_a_backup_from_this_run()
    {
        foreach (var (stop, ok) in new[] { ("$(date -u +%s)", true), ("1000", false) })
        {
            var dir = Directory.CreateTempSubdirectory("pitrjob-").FullName;
            try
            {
                var tool = Path.Combine(dir, "pgbackrest");
                File.WriteAllText(tool, "#!/bin/sh\ncase \"$*\" in *info*) echo '[{\"backup\":[{\"timestamp\":{\"start\":1,\"stop\":'" + stop + "'}}]}]';; esac\n");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                var psi = new ProcessStartInfo("sh", ["-c", Pitr.BackupScript(dir)]) { RedirectStandardError = true, RedirectStandardOutput = true };
                psi.Environment["PATH"] = dir + ":" + Environment.GetEnvironmentVariable("PATH");
                using var p = Process.Start(psi)!;
                var err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (ok) Assert.True(p.ExitCode == 0, err);
                else
                {
                    Assert.NotEqual(0, p.ExitCode);
                    Assert.Contains("no backup newer than this run", err, StringComparison.Ordinal);
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void The_restore_script_keeps_the_old_data_and_restores_with_the_tested_command()
    {
        var target = new DateTimeOffset(2026, 12, 7, 10, 45, 0, TimeSpan.FromHours(1));
        var script = Backups.PitrRestoreScript("platform/postgres-pgbackrest:16.6-alpine", target);
        Assert.Contains("'--target=2026-12-07 09:45:00.000000+00'", script, StringComparison.Ordinal);
        Assert.Contains(Backups.ToShell(Pitr.RestoreCommand(target)), script, StringComparison.Ordinal);
        Assert.Contains("mv /var/lib/postgresql/data/pgdata /var/lib/postgresql/data/pgdata.before-pitr-$stamp", script, StringComparison.Ordinal);
        Assert.Contains("--volumes-from postgres", script, StringComparison.Ordinal);
        // The secrets file is copied from the running container (before it stops) and mounted read-only where pgBackRest reads it.
        Assert.Contains("docker exec postgres cat /etc/pgbackrest/pgbackrest.conf > \"$work/pgbackrest.conf\"", script, StringComparison.Ordinal);
        Assert.True(script.IndexOf("pgbackrest.conf\"", StringComparison.Ordinal) < script.IndexOf("docker stop", StringComparison.Ordinal));
        Assert.Contains("-v \"$work/pgbackrest.conf:/etc/pgbackrest/pgbackrest.conf:ro\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("rm -rf", script, StringComparison.Ordinal);
        var check = Process.Start(new ProcessStartInfo("sh", ["-n", "-c", script]) { RedirectStandardError = true })!;
        var err = check.StandardError.ReadToEnd();
        check.WaitForExit();
        Assert.True(check.ExitCode == 0, err);
    }

    [Fact]
    public void The_wal_monitors_use_the_tested_queries()
    {
        var script = HostMetrics.Script(AlertThresholds.Default, walArchiving: true);
        Assert.Contains(Pitr.ArchiveCheckSql, script, StringComparison.Ordinal);
        Assert.Contains(Pitr.WalSizePercentSql, script, StringComparison.Ordinal);
        Assert.Contains("report \"${PUSH_TOKEN_WAL_ARCHIVE:-}\" \"WAL archive failing\" \"$archive\" 50 100", script, StringComparison.Ordinal);
        Assert.Equal(HostMetrics.Script(AlertThresholds.Default), HostMetrics.Script(AlertThresholds.Default, walArchiving: false));
        Assert.DoesNotContain("WAL", HostMetrics.Script(AlertThresholds.Default), StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.Stacks.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--project-dir");
        psi.ArgumentList.Add(TestStacks.RepoRoot);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [Fact]
    public void Restore_script_to_a_moment_for_prod_and_clear_refusals_elsewhere()
    {
        var (code, stdout, stderr) = Run("restore-script", "--stack", "prod", "--to", "2026-12-07 10:45:00+00");
        Assert.True(code == 0, stderr);
        Assert.Contains("'--target=2026-12-07 10:45:00.000000+00'", stdout, StringComparison.Ordinal);
        Assert.Contains("platform/postgres-pgbackrest:16.6-alpine", stdout, StringComparison.Ordinal);

        (code, _, stderr) = Run("restore-script", "--stack", "staging", "--to", "2026-12-07 10:45:00+00");
        Assert.Equal(1, code);
        Assert.Contains("platform:postgresPitr is false", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Run("restore-script", "--stack", "prod", "--to", "yesterday-ish");
        Assert.Equal(1, code);
        Assert.Contains("is not a moment", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Run("restore-script", "--stack", "prod", "--to", "2026-12-07 10:45:00", "--database", "api");
        Assert.Equal(1, code);
        Assert.Contains("leave --database", stderr, StringComparison.Ordinal);
    }
}
