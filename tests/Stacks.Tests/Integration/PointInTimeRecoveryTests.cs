using System.Globalization;
using Npgsql;
using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// Point-in-time recovery, for real: Debian's PostgreSQL 15 runs the platform's rendered postgresql.conf with its
/// archive settings, and Debian's pgBackRest runs with the platform's rendered configuration (<see cref="Pitr.Environment"/>
/// and the secrets file <see cref="Pitr.ConfigFile"/>, with an encrypted repository), adapted only in the repository (a
/// local posix directory instead of the S3 bucket), in where the cluster is and in where the secrets file lies.
/// Stanza, base backup, rows, a noted moment, more rows; the exact restore command of <c>restore-script --to</c> into a
/// fresh data directory gives back exactly the first rows. A broken archive is seen by the monitor's check query.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PointInTimeRecoveryTests
{
    private const string Cipher = "backupEncryptionPassphrase";

    /// <summary>The container's env as rendered (no secret is among it), plus where this test keeps pgBackRest's secrets file (the container's is at its default path).</summary>
    private static Dictionary<string, string> Env(PitrOptions o, string configFile) =>
        new(Pitr.Environment(o).ToDictionary(e => e.Name, e => e.Value.Resolve(n => throw new InvalidOperationException($"secret {n} in the env"))), StringComparer.Ordinal)
        {
            ["PGBACKREST_CONFIG"] = configFile,
        };

    private static PitrOptions Options(PostgresServer pg, string repository) =>
        new(new PosixRepository(repository), Cipher, RetentionDays: 14, pg.DataDirectory, pg.SocketDirectory, pg.Port);

    /// <summary>The rendered secrets file (<see cref="Pitr.ConfigFile"/>) with a generated passphrase: the repository is encrypted, as a stack's is.</summary>
    private static Task<string> SecretsFile(ServerDirectory dir, string repository) =>
        dir.WriteFileAsync("pgbackrest.conf", Pitr.ConfigFile(new PitrOptions(new PosixRepository(repository), Cipher, 14))
            .Resolve(n => n == Cipher ? Secrets.NewPassword() : throw new InvalidOperationException($"no secret {n} in the test")));

    private static Task<ProcResult> PgBackRest(IEnumerable<string> argv, IDictionary<string, string> env, int timeoutSeconds = 120) =>
        Proc.RunCheckedAsync(Proc.Require("pgbackrest"), argv.Skip(1), env: env, asUser: PostgresServer.OsUser, timeout: TimeSpan.FromSeconds(timeoutSeconds));

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static PostgresServerOptions ArchivingServer(string repository, string configFile) => new()
    {
        Configure = o => o with { ArchiveCommand = Pitr.ArchiveCommand },
        Environment = pg => Env(Options(pg, repository), configFile),
    };

    [Fact]
    public async Task Restore_to_a_noted_moment_gives_back_exactly_the_rows_written_before_it()
    {
        using var repoDir = await ServerDirectory.CreateAsync("pbr", PostgresServer.OsUser);
        var repo = await repoDir.SubdirectoryAsync("repo");
        var secrets = await SecretsFile(repoDir, repo);
        await using var pg = await PostgresServer.StartAsync(ArchivingServer(repo, secrets));
        var env = Env(Options(pg, repo), secrets);
        Assert.DoesNotContain(env.Keys, k => k.Contains("KEY", StringComparison.Ordinal) || k.Contains("PASS", StringComparison.Ordinal));
        Assert.Contains("archive_command = 'pgbackrest --stanza=platform archive-push %p'", pg.PostgresqlConf, StringComparison.Ordinal);
        Assert.Equal("on", await ScalarAsync<string>(pg.SuperuserConnectionString, "show archive_mode"));

        await PgBackRest(Pitr.StanzaCreateCommand, env);
        await PgBackRest(Pitr.CheckCommand, env);
        // The cipher passphrase came from the secrets file: the repository's files are encrypted (OpenSSL's salted format).
        var info = await File.ReadAllBytesAsync(Path.Combine(repo, "backup", Pitr.Stanza, "backup.info"));
        Assert.Equal("Salted__", System.Text.Encoding.ASCII.GetString(info, 0, 8));
        // The base-backup job's exact script (a diff with no full yet becomes a full), as the postgres OS user.
        using var receipts = await ServerDirectory.CreateAsync("pbj", PostgresServer.OsUser);
        await Proc.RunCheckedAsync("sh", ["-c", Pitr.BackupScript(receipts.Path)], env: env, asUser: PostgresServer.OsUser, timeout: TimeSpan.FromSeconds(300));
        Assert.Contains("\"type\":\"full\"", await File.ReadAllTextAsync(Path.Combine(receipts.Path, "pgbackrest-info.json")), StringComparison.Ordinal);

        // pgBackRest restores to a time only from a backup whose recorded stop time (whole seconds, taken after the backup's
        // WAL is archived) is before it: the moment to go back to comes a few seconds after the base backup, as in use.
        await Task.Delay(2500);
        await pg.PsqlAsync("CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT i, 'before ' || i FROM generate_series(1, 100) AS i;");
        var noted = await ScalarAsync<DateTime>(pg.SuperuserConnectionString, "select clock_timestamp()");
        await Task.Delay(1200);
        await pg.PsqlAsync("INSERT INTO orders SELECT i, 'after ' || i FROM generate_series(101, 250) AS i; DELETE FROM orders WHERE id <= 10;");
        // check forces a WAL switch and waits until that segment is in the repository: the later rows are archived too.
        await PgBackRest(Pitr.CheckCommand, env);
        Assert.Equal("ok", await ScalarAsync<string>(pg.SuperuserConnectionString, Pitr.ArchiveCheckSql));
        var walPercent = await ScalarAsync<int>(pg.SuperuserConnectionString, Pitr.WalSizePercentSql);
        Assert.InRange(walPercent, 0, Pitr.WalSizeThreshold.WarnPercent - 1);
        await pg.StopAsync();

        // A fresh data directory (the old one stays where it is), restored with restore-script --to's exact command.
        using var freshDir = await ServerDirectory.CreateAsync("pgr", PostgresServer.OsUser);
        var fresh = await freshDir.SubdirectoryAsync("data");
        var restoreEnv = new Dictionary<string, string>(env) { ["PGBACKREST_PG1_PATH"] = fresh };
        var target = new DateTimeOffset(DateTime.SpecifyKind(noted, DateTimeKind.Utc));
        var restore = Pitr.RestoreCommand(target);
        Assert.Contains($"--target={Pitr.TargetTime(target)}", restore);
        await PgBackRest(restore, restoreEnv, 300);

        var port = Proc.FreePort();
        await using var restored = ServerProcess.Start($"restored PostgreSQL on {port}", pg.Tool("postgres"),
            ["-D", fresh, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "archive_mode=off"], PostgresServer.OsUser,
            // The restore_command pgBackRest wrote reads the same env, as the container's env in production.
            restoreEnv);
        var cs = pg.ConnectionString("postgres", pg.SuperuserName, pg.SuperuserPassword).Replace($"Port={pg.Port}", $"Port={port}", StringComparison.Ordinal);
        await restored.WaitUntilAsync(async () =>
        {
            try { return !await ScalarAsync<bool>(cs, "select pg_is_in_recovery()"); }
            catch (NpgsqlException) { return false; }
        }, TimeSpan.FromSeconds(120));

        Assert.Equal(100L, await ScalarAsync<long>(cs, "select count(*) from orders"));
        Assert.Equal(0L, await ScalarAsync<long>(cs, "select count(*) from orders where note not like 'before %'"));
        Assert.Equal("1..100", await ScalarAsync<string>(cs, "select min(id) || '..' || max(id) from orders"));
        await restored.StopAsync("INT");
    }

    [Fact]
    public async Task A_failing_archive_command_is_seen_by_the_monitor_check()
    {
        using var repoDir = await ServerDirectory.CreateAsync("pbx", PostgresServer.OsUser);
        // No stanza was ever created in this repository: every archive-push fails, as with a wrong key or an unreachable bucket.
        var repo = await repoDir.SubdirectoryAsync("repo");
        await using var pg = await PostgresServer.StartAsync(ArchivingServer(repo, await SecretsFile(repoDir, repo)));
        Assert.Equal("ok", await ScalarAsync<string>(pg.SuperuserConnectionString, Pitr.ArchiveCheckSql));

        await pg.PsqlAsync("CREATE TABLE t AS SELECT generate_series(1, 1000) AS i; SELECT pg_switch_wal();");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var state = "ok";
        while (state != "failing" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            state = await ScalarAsync<string>(pg.SuperuserConnectionString, Pitr.ArchiveCheckSql);
        }
        Assert.Equal("failing", state);
        Assert.True(await ScalarAsync<long>(pg.SuperuserConnectionString, "select failed_count from pg_stat_archiver") > 0);
        Assert.Contains("archive-push", pg.Log, StringComparison.Ordinal);
    }
}
