using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Operations;

public class BackupsTests
{
    internal static BackupsInput Input(string? passphrase = "backup-passphrase", string? minio = "minio-data") => new(
        Image: OperationsImages.Backup,
        OffSite: new S3Target("s3.eu-central-003.backblazeb2.com", "acme-backups", "eu-central-003", "backup-s3-key-id", "backup-s3-secret", passphrase, "prod"),
        Sources: new BackupSources(["shop", "blog"], "postgres:16.6-alpine", "postgres-superuser-password", "redis:7.4.2-alpine", "redis-password", minio),
        Policy: new BackupPolicy(),
        Networks: new OpsNetworks());

    private static BackupJob Job(string name, BackupsInput? input = null) => Backups.Jobs(input ?? Input()).Single(j => j.Name == name);

    private static Dictionary<string, string> Env(OpsContainer c) => c.Env.ToDictionary(e => e.Name, e => e.Value.Masked);

    [Fact]
    public void Jobs_follow_the_design_defaults()
    {
        var jobs = Backups.Jobs(Input());
        Assert.Equal(["postgres-daily", "postgres-hourly", "redis", "minio"], jobs.Select(j => j.Name));
        Assert.Equal(["0 3 * * *", "0 8-18 * * 1-5", "*/15 * * * *", "0 4 * * *"], jobs.Select(j => j.Schedule));
        Assert.Equal([30, 1, 1, 30], jobs.Select(j => j.RetentionDays));
        Assert.DoesNotContain(Backups.Jobs(Input(minio: null)), j => j.Name == "minio");
    }

    [Fact]
    public void One_runner_archives_every_job_without_a_Docker_API_and_with_its_secrets_in_files()
    {
        var plan = Backups.Plan(Input());
        var runner = plan.Runner;
        Assert.Equal("backup", runner.Name);
        Assert.Equal("offen/docker-volume-backup:v2.48.2", runner.Image);
        // No DOCKER_HOST and no socket: the image then makes no Docker client at all (cmd/backup/script.go at v2.48.2).
        Assert.Equal(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID_FILE"] = "/run/platform-secrets/aws-access-key-id",
            ["AWS_ENDPOINT"] = "s3.eu-central-003.backblazeb2.com",
            ["AWS_S3_BUCKET_NAME"] = "acme-backups",
            ["AWS_SECRET_ACCESS_KEY_FILE"] = "/run/platform-secrets/aws-secret-access-key",
            ["BACKUP_COMPRESSION"] = "gz",
            ["GPG_PASSPHRASE_FILE"] = "/run/platform-secrets/gpg-passphrase",
            ["TZ"] = "UTC",
        }, Env(runner));
        Assert.Equal(["backup-passphrase", "backup-s3-key-id", "backup-s3-secret"], runner.Secrets.Order(StringComparer.Ordinal));
        Assert.Empty(runner.Labels);
        Assert.Equal(runner.Env.Select(e => e.Name).Order(StringComparer.Ordinal), runner.Env.Select(e => e.Name));
        Assert.Equal(
        [
            Mount.Volume("backup-postgres-dumps", "/backup/postgres", readOnly: true),
            Mount.Volume("backup-redis-dumps", "/backup/redis", readOnly: true),
            Mount.Volume("minio-data", "/backup/minio", readOnly: true),
        ], runner.Mounts.AsEnumerable());
        Assert.DoesNotContain(runner.Mounts, m => m.Kind == MountKind.Bind);
        Assert.Equal(["edge"], runner.Networks.AsEnumerable());
        Assert.Equal(64, runner.MemoryMb);
        // The job files sit one folder below conf.d, which the runner's scheduler skips: it schedules nothing itself.
        Assert.Equal(["/etc/dockervolumebackup/conf.d/jobs/postgres-daily.env", "/etc/dockervolumebackup/conf.d/jobs/postgres-hourly.env",
            "/etc/dockervolumebackup/conf.d/jobs/redis.env", "/etc/dockervolumebackup/conf.d/jobs/minio.env",
            "/run/platform-secrets/aws-access-key-id", "/run/platform-secrets/aws-secret-access-key", "/run/platform-secrets/gpg-passphrase"],
            runner.Files.Select(f => f.Path));
        Assert.All(runner.Files.Where(f => f.Path.StartsWith(Backups.JobsDirectory, StringComparison.Ordinal)), f => Assert.Empty(f.Content.Secrets));
        Assert.Equal("<secret:backup-s3-secret>", runner.Files.Single(f => f.Path.EndsWith("aws-secret-access-key", StringComparison.Ordinal)).Content.Masked);
        var unencrypted = Backups.Plan(Input(passphrase: null)).Runner;
        Assert.DoesNotContain(Env(unencrypted), kv => kv.Key.StartsWith("GPG_", StringComparison.Ordinal));
        Assert.DoesNotContain(unencrypted.Files, f => f.Path.Contains("gpg", StringComparison.Ordinal));
    }

    [Fact]
    public void A_job_file_holds_its_own_settings_and_no_secret()
    {
        Assert.Equal("""
            # postgres-hourly: PostgreSQL hourly in business hours (every app database). Rendered by the platform; do not edit by hand.
            # Read by the one-off run the host's timer execs ('0 8-18 * * 1-5' UTC); shared settings and secrets (as files) come from the runner's env.
            BACKUP_FILENAME="postgres-hourly-%Y-%m-%dT%H-%M-%S.{{ .Extension }}"
            BACKUP_PRUNING_PREFIX="postgres-hourly-"
            BACKUP_RETENTION_DAYS="1"
            BACKUP_SOURCES="/backup/postgres"
            AWS_S3_PATH="prod/postgres-hourly"

            """, Job("postgres-hourly").Config.Content.Masked);
        Assert.Equal(["sh", "-c", "set -a; . /etc/dockervolumebackup/conf.d/jobs/postgres-hourly.env; set +a; exec backup"], Backups.RunCommand("postgres-hourly").AsEnumerable());
    }

    [Fact]
    public void Postgres_dumps_run_inside_its_container_as_its_OS_user_with_the_exact_dump_command()
    {
        var plan = Backups.Plan(Input());
        var hooks = plan.Hooks.Single(h => h.Container == "postgres");
        Assert.Equal([Mount.Volume("backup-postgres-dumps", "/dumps")], hooks.Mounts.AsEnumerable());
        var job = Job("postgres-daily");
        Assert.Equal(("postgres", "postgres"), (job.DumpContainer, job.DumpUser));
        Assert.Empty(job.DumpEnv);
        var script = job.DumpScript!;
        // The loop body is DumpCommand itself, with the database name from the server's list.
        var dump = Backups.ToShell(Backups.DumpCommand("DB", "/dumps")).Replace("DB", "\"$db\"", StringComparison.Ordinal);
        Assert.Contains($"for db in $dbs; do {dump}; pg_restore --list /dumps/\"$db\".dump", script, StringComparison.Ordinal);
        // No empty green backups: an empty listing or a dump below the sane size fails the dump.
        Assert.Contains("[ -n \"$dbs\" ] || {", script, StringComparison.Ordinal);
        Assert.Contains(Backups.SizeCheck("/dumps", "*.dump", "$count"), script, StringComparison.Ordinal);
        Assert.Contains(Backups.ListDatabasesSql, script, StringComparison.Ordinal);
        // Over the local socket with peer authentication: no password, no TCP.
        Assert.DoesNotContain("PASSWORD", script, StringComparison.Ordinal);
        Assert.DoesNotContain("PGHOST", script, StringComparison.Ordinal);
        Assert.Equal(
            [["pg_dump", "--format=custom", "--no-password", "--lock-wait-timeout=300000", "--file=/dumps/blog.dump", "--dbname=blog"],
             ["pg_dump", "--format=custom", "--no-password", "--lock-wait-timeout=300000", "--file=/dumps/shop.dump", "--dbname=shop"]],
            job.DumpCommands.Select(c => c.ToArray()).ToArray());
        Assert.Equal(["backup-postgres-dumps", "backup-redis-dumps", "minio-data"], plan.Volumes.AsEnumerable());
        Assert.Equal(0, ShellSyntax(script));
    }

    [Fact]
    public void Redis_snapshot_is_fetched_inside_its_container_with_the_password_given_to_the_exec_only()
    {
        var job = Job("redis");
        Assert.Equal("redis", job.DumpContainer);
        Assert.Null(job.DumpUser);
        Assert.Equal(new Dictionary<string, string> { ["REDISCLI_AUTH"] = "<secret:redis-password>" }, job.DumpEnv.ToDictionary(e => e.Name, e => e.Value.Masked));
        Assert.Equal("set -eu; rm -f /dumps/*.rdb; redis-cli -h 127.0.0.1 -p 6379 --rdb /dumps/redis.rdb; " + Backups.SizeCheck("/dumps", "*.rdb") +
                     "; [ \"$(head -c 5 /dumps/redis.rdb)\" = REDIS ] || { echo \"backup check: redis.rdb is not an RDB file\" >&2; exit 1; }; ls -l /dumps", job.DumpScript);
        Assert.Equal("PUSH_TOKEN=<secret:backup-redis-push-token>\nREDISCLI_AUTH=<secret:redis-password>\n", BackupTimers.Env(job).Masked);
    }

    [Fact]
    public void Minio_job_archives_the_data_volume_read_only()
    {
        var job = Job("minio");
        Assert.Null(job.DumpContainer);
        Assert.Equal("minio-data", job.SourceVolume);
        Assert.Contains("BACKUP_SOURCES=\"/backup/minio\"", job.Config.Content.Masked, StringComparison.Ordinal);
        Assert.Equal("s3://acme-backups/prod/minio/minio-<UTC time>.tar.gz.gpg", job.Destination);
    }

    [Fact]
    public void Each_job_gets_a_root_timer_on_its_schedule()
    {
        var files = BackupTimers.Files(Backups.Jobs(Input()), "backup", "uptime-kuma", "edge", 3001).ToDictionary(f => f.Path);
        Assert.Equal(16, files.Count);
        Assert.Equal("0700", files["/etc/platform/backups/postgres-daily.sh"].Mode);
        Assert.Equal("0600", files["/etc/platform/backups/redis.env"].Mode);
        var timer = files["/etc/systemd/system/platform-backup-postgres-hourly.timer"].Content.Masked;
        Assert.Contains("OnCalendar=Mon,Tue,Wed,Thu,Fri *-*-* 08,09,10,11,12,13,14,15,16,17,18:00:00 UTC", timer, StringComparison.Ordinal);
        var service = files["/etc/systemd/system/platform-backup-redis.service"].Content.Masked;
        Assert.Contains("EnvironmentFile=/etc/platform/backups/redis.env\nExecStart=/etc/platform/backups/redis.sh\n", service, StringComparison.Ordinal);
        Assert.All(files.Values.Where(f => !f.Path.EndsWith(".env", StringComparison.Ordinal)), f => Assert.Empty(f.Content.Secrets));
        Assert.All(files.Values.Where(f => f.Path.EndsWith(".sh", StringComparison.Ordinal)), f => Assert.Equal(0, ShellSyntax(f.Content.Masked)));
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    [Theory]
    [InlineData("postgres-daily", "", "docker exec postgres chown postgres /dumps|docker exec -u postgres postgres sh -c *|docker exec backup sh -c *postgres-daily.env*|curl *tok?status=up&msg=OK")]
    [InlineData("redis", "", "docker exec -e REDISCLI_AUTH redis sh -c *redis-cli*|docker exec backup sh -c *redis.env*|curl *tok?status=up&msg=OK")]
    [InlineData("minio", "", "docker exec backup sh -c *minio.env*|curl *tok?status=up&msg=OK")]
    [InlineData("postgres-daily", "postgres", "docker exec postgres chown postgres /dumps|docker exec -u postgres postgres sh -c *|curl *tok?status=down&msg=dump%20failed%20exit%203")]
    [InlineData("redis", "backup", "docker exec -e REDISCLI_AUTH redis sh -c *|docker exec backup sh -c *|curl *tok?status=down&msg=upload%20failed%20exit%203")]
    public void A_job_dumps_then_archives_then_reports_and_stops_at_the_first_failure(string job, string failing, string expected)
    {
        var script = BackupTimers.Script(Job(job), "backup", "uptime-kuma", "edge", 3001);
        var bin = Directory.CreateTempSubdirectory("backup-timer-").FullName;
        try
        {
            // Stand-ins that record how they are called; `docker` fails (exit 3) for the step named by FAIL.
            File.WriteAllText(Path.Combine(bin, "docker"), """
                #!/bin/sh
                echo "docker $*" >> "$CALLS"
                [ "$1" = inspect ] && { echo 172.18.0.5; exit 0; }
                case " $* " in *" $FAIL sh -c "*) [ -n "$FAIL" ] && exit 3;; esac
                exit 0
                """);
            File.WriteAllText(Path.Combine(bin, "curl"), "#!/bin/sh\necho \"curl $*\" >> \"$CALLS\"\n");
            foreach (var tool in new[] { "docker", "curl" })
                File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var env = new Dictionary<string, string>
            {
                ["PATH"] = bin + ":/usr/bin:/bin", ["CALLS"] = Path.Combine(bin, "calls"), ["PUSH_TOKEN"] = "tok", ["FAIL"] = failing,
            };
            var exit = Run(script, env);
            Assert.Equal(failing.Length == 0 ? 0 : 1, exit);
            var calls = File.ReadAllLines(Path.Combine(bin, "calls")).Where(c => !c.StartsWith("docker inspect", StringComparison.Ordinal)).ToArray();
            var patterns = expected.Split('|');
            Assert.Equal(patterns.Length, calls.Length);
            for (var i = 0; i < patterns.Length; i++)
                Assert.Matches("^" + string.Join(".*", patterns[i].Split('*').Select(System.Text.RegularExpressions.Regex.Escape)) + "$", calls[i]);
            Assert.Contains("http://172.18.0.5:3001/api/push/tok?status=", calls[^1], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    /// <summary>On a split stack's cache or file server Uptime Kuma is on the data server: the job reports to its private address, looking nothing up.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    [Fact]
    public void A_job_on_another_server_than_Uptime_Kuma_reports_to_the_address_it_is_given()
    {
        var script = BackupTimers.Script(Job("redis"), "backup", "uptime-kuma", "edge", 3001, "http://10.20.1.2:3001");
        var bin = Directory.CreateTempSubdirectory("backup-timer-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(bin, "docker"), "#!/bin/sh\necho \"docker $*\" >> \"$CALLS\"\n");
            File.WriteAllText(Path.Combine(bin, "curl"), "#!/bin/sh\necho \"curl $*\" >> \"$CALLS\"\n");
            foreach (var tool in new[] { "docker", "curl" })
                File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var env = new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin", ["CALLS"] = Path.Combine(bin, "calls"), ["PUSH_TOKEN"] = "tok" };
            Assert.Equal(0, Run(script, env));
            var calls = File.ReadAllLines(Path.Combine(bin, "calls"));
            Assert.DoesNotContain(calls, c => c.StartsWith("docker inspect", StringComparison.Ordinal));
            Assert.Equal("curl -fsS -m 10 -o /dev/null http://10.20.1.2:3001/api/push/tok?status=up&msg=OK", calls[^1]);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public void Each_job_has_a_heartbeat_that_allows_its_longest_gap_plus_an_hour()
    {
        var jobs = Backups.Jobs(Input()).ToDictionary(j => j.Name);
        Assert.Equal(25 * 3600, jobs["postgres-daily"].Heartbeat.IntervalSeconds);
        Assert.Equal(63 * 3600, jobs["postgres-hourly"].Heartbeat.IntervalSeconds);
        Assert.Equal(15 * 60 + 3600, jobs["redis"].Heartbeat.IntervalSeconds);
        var hb = jobs["redis"].Heartbeat;
        Assert.Equal(MonitorKind.Push, hb.Kind);
        Assert.Equal("backup-redis", hb.Id);
        Assert.Equal("backup-redis-push-token", hb.PushTokenSecret);
        Assert.Equal(new GeneratedSecret("backup-redis-push-token", 32, true, "Uptime Kuma push token of the redis backup heartbeat"), jobs["redis"].PushToken);
    }

    [Fact]
    public void Bad_settings_are_reported_together()
    {
        var bad = Input() with
        {
            Policy = new BackupPolicy(PostgresDailySchedule: "0 25 * * *", RedisRetentionHours: 0),
            Sources = Input().Sources with { AppDatabases = ["shop", "Shop; DROP"] },
            OffSite = Input().OffSite with { Endpoint = "https://s3.example.com/" },
        };
        var problems = Backups.Problems(bad);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("PostgreSQL daily schedule '0 25 * * *'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Redis retention", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'Shop; DROP'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("host name only", StringComparison.Ordinal));
        var e = Assert.Throws<ArgumentException>(() => Backups.Jobs(bad));
        Assert.Contains("0 25 * * *", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_commands_for_one_app_or_everything()
    {
        Assert.Equal(
            [["pg_restore", "--no-password", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--dbname=blog", "/r/blog.dump"],
             ["pg_restore", "--no-password", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--dbname=shop", "/r/shop.dump"]],
            Backups.RestoreCommands(["shop", "blog"], "/r").Select(c => c.ToArray()).ToArray());
        Assert.Single(Backups.RestoreCommands(["shop", "blog"], "/r", only: "shop"));
        Assert.Throws<ArgumentException>(() => Backups.RestoreCommands(["shop"], "/r", only: "nope"));

        var script = Backups.RestoreScript(Input(), "postgres-daily", only: "shop");
        Assert.Contains("PGPASSWORD=\"$(docker exec postgres cat /run/secrets/postgres-password)\"", script, StringComparison.Ordinal);
        Assert.Contains("docker run --rm --network container:postgres -e PGPASSWORD -e PGHOST=127.0.0.1 -e PGPORT=5432 -e PGUSER=postgres -v \"$dir\":/restore:ro postgres:16.6-alpine " +
                        "pg_restore --no-password --clean --if-exists --single-transaction --exit-on-error --dbname=shop /restore/shop.dump", script, StringComparison.Ordinal);
        Assert.DoesNotContain("blog", script, StringComparison.Ordinal);
        Assert.Equal(0, ShellSyntax(script));
    }

    [Fact]
    public void Shell_quoting()
    {
        Assert.Equal("plain-arg=1", Backups.ShellQuote("plain-arg=1"));
        Assert.Equal("'two words'", Backups.ShellQuote("two words"));
        Assert.Equal("'it'\\''s'", Backups.ShellQuote("it's"));
        Assert.Equal("''", Backups.ShellQuote(""));
    }

    private static int Run(string script, IReadOnlyDictionary<string, string> env)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("sh", ["-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment.Clear();
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }

    private static int ShellSyntax(string script)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("sh", ["-n", "-c", script]) { RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
