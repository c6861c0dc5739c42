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

    [Theory]
    [InlineData("HEAD", "/_ping", true)]
    [InlineData("GET", "/v1.47/_ping", true)]
    [InlineData("GET", "/v1.47/containers/json", true)]
    [InlineData("GET", "/v1.47/containers/3f2a9c/json", true)]
    [InlineData("POST", "/v1.47/containers/3f2a9c/exec", true)]
    [InlineData("POST", "/v1.47/exec/9b1e/start", true)]
    [InlineData("GET", "/v1.47/exec/9b1e/json", true)]
    [InlineData("POST", "/v1.47/containers/create", false)]
    [InlineData("POST", "/v1.47/containers/3f2a9c/start", false)]
    [InlineData("POST", "/v1.47/containers/3f2a9c/stop", false)]
    [InlineData("DELETE", "/v1.47/containers/3f2a9c", false)]
    [InlineData("POST", "/v1.47/images/create", false)]
    [InlineData("GET", "/v1.47/containers/3f2a9c/archive", false)]
    [InlineData("POST", "/v1.47/containers%2Fcreate", false)]
    [InlineData("POST", "/v1.47/containers/3f2a9c/exec/../../create", false)]
    [InlineData("GET", "/v1.47/volumes", false)]
    public void The_backup_proxy_allows_exec_and_nothing_that_creates_or_changes_containers(string method, string path, bool allowed)
    {
        Assert.Equal(allowed, DockerApiProxy.Allows(DockerApiProxy.BackupRunnerCalls, method, path));
        var cfg = DockerApiProxy.HaproxyConfig(DockerApiProxy.BackupRunnerCalls, 2375);
        Assert.Equal(DockerApiProxy.BackupRunnerCalls.Length, cfg.Split('\n').Count(l => l.TrimStart().StartsWith("http-request allow", StringComparison.Ordinal)));
        Assert.EndsWith("    http-request deny deny_status 403\n    default_backend docker\nbackend docker\n    server docker /var/run/docker.sock\n", cfg, StringComparison.Ordinal);
    }

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
    public void One_runner_runs_every_schedule_from_its_conf_d()
    {
        var plan = Backups.Plan(Input());
        var runner = plan.Runner;
        Assert.Equal("backup", runner.Name);
        Assert.Equal("offen/docker-volume-backup:v2.48.2", runner.Image);
        Assert.Equal(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "<secret:backup-s3-key-id>",
            ["AWS_ENDPOINT"] = "s3.eu-central-003.backblazeb2.com",
            ["AWS_S3_BUCKET_NAME"] = "acme-backups",
            ["AWS_SECRET_ACCESS_KEY"] = "<secret:backup-s3-secret>",
            ["BACKUP_COMPRESSION"] = "gz",
            ["BACKUP_PUSH_URL"] = "http://uptime-kuma:3001/api/push/",
            ["DOCKER_HOST"] = "tcp://backup-socket-proxy:2375",
            ["EXEC_FORWARD_OUTPUT"] = "true",
            ["EXEC_LABEL"] = "platform-backup",
            ["GPG_PASSPHRASE"] = "<secret:backup-passphrase>",
            ["NOTIFICATION_LEVEL"] = "error",
            ["PUSH_TOKEN_MINIO"] = "<secret:backup-minio-push-token>",
            ["PUSH_TOKEN_POSTGRES_DAILY"] = "<secret:backup-postgres-daily-push-token>",
            ["PUSH_TOKEN_POSTGRES_HOURLY"] = "<secret:backup-postgres-hourly-push-token>",
            ["PUSH_TOKEN_REDIS"] = "<secret:backup-redis-push-token>",
            ["TZ"] = "UTC",
        }, Env(runner));
        Assert.Equal(runner.Env.Select(e => e.Name).Order(StringComparer.Ordinal), runner.Env.Select(e => e.Name));
        Assert.Equal(
        [
            Mount.Volume("backup-postgres-dumps", "/backup/postgres", readOnly: true),
            Mount.Volume("backup-redis-dumps", "/backup/redis", readOnly: true),
            Mount.Volume("minio-data", "/backup/minio", readOnly: true),
        ], runner.Mounts.AsEnumerable());
        Assert.DoesNotContain(runner.Mounts, m => m.Kind == MountKind.Bind);
        Assert.Equal(["edge", "backup-control"], runner.Networks.AsEnumerable());
        Assert.Equal(64, runner.MemoryMb);
        Assert.Equal(["/etc/dockervolumebackup/conf.d/postgres-daily.env", "/etc/dockervolumebackup/conf.d/postgres-hourly.env",
            "/etc/dockervolumebackup/conf.d/redis.env", "/etc/dockervolumebackup/conf.d/minio.env"], runner.Files.Select(f => f.Path));
        Assert.All(runner.Files, f => Assert.Empty(f.Content.Secrets));
        Assert.DoesNotContain(Env(Backups.Plan(Input(passphrase: null)).Runner), kv => kv.Key == "GPG_PASSPHRASE");
    }

    [Fact]
    public void A_schedule_file_holds_its_own_settings_and_only_references_its_secret()
    {
        Assert.Equal("""
            # postgres-hourly: PostgreSQL hourly in business hours (every app database). Rendered by the platform; do not edit by hand.
            # Shared settings and every secret come from the runner's env; it expands the references below from it when it reads this file.
            BACKUP_CRON_EXPRESSION="0 8-18 * * 1-5"
            BACKUP_FILENAME="postgres-hourly-%Y-%m-%dT%H-%M-%S.{{ .Extension }}"
            BACKUP_PRUNING_PREFIX="postgres-hourly-"
            BACKUP_RETENTION_DAYS="1"
            BACKUP_SOURCES="/backup/postgres"
            AWS_S3_PATH="prod/postgres-hourly"
            NOTIFICATION_URLS="generic+http://uptime-kuma:3001/api/push/${PUSH_TOKEN_POSTGRES_HOURLY}?status=down&msg=backup%20postgres-hourly%20failed"

            """, Job("postgres-hourly").Config.Content.Masked);
    }

    [Fact]
    public void Postgres_dumps_run_inside_its_container_with_the_exact_dump_command()
    {
        var plan = Backups.Plan(Input());
        var hooks = plan.Hooks.Single(h => h.Container == "postgres");
        Assert.Equal([Mount.Volume("backup-postgres-dumps", "/dumps")], hooks.Mounts.AsEnumerable());
        Assert.Empty(hooks.Env);
        Assert.Equal("platform-backup", hooks.Labels["docker-volume-backup.exec-label"]);
        var label = hooks.Labels["docker-volume-backup.archive-pre"];
        Assert.StartsWith("/bin/sh -c 'case \"$COMMAND_RUNTIME_ARCHIVE_FILEPATH\" in */postgres-*) ;; *) exit 0;; esac; set -eu;", label, StringComparison.Ordinal);
        // The loop body is DumpCommand itself, with the database name from the server's list.
        var dump = Backups.ToShell(Backups.DumpCommand("DB", "/dumps")).Replace("DB", "\"$db\"", StringComparison.Ordinal);
        Assert.Contains($"for db in $dbs; do {dump}; pg_restore --list /dumps/\"$db\".dump", label, StringComparison.Ordinal);
        // No empty green backups: an empty listing or a dump below the sane size fails the hook.
        Assert.Contains("[ -n \"$dbs\" ] || {", label, StringComparison.Ordinal);
        Assert.Contains(Backups.SizeCheck("/dumps", "*.dump", "$count"), label, StringComparison.Ordinal);
        Assert.Contains(Backups.ListDatabasesSql, label, StringComparison.Ordinal);
        Assert.Equal(
            [["pg_dump", "--format=custom", "--no-password", "--lock-wait-timeout=300000", "--file=/dumps/blog.dump", "--dbname=blog"],
             ["pg_dump", "--format=custom", "--no-password", "--lock-wait-timeout=300000", "--file=/dumps/shop.dump", "--dbname=shop"]],
            Job("postgres-daily").DumpCommands.Select(c => c.ToArray()).ToArray());
        Assert.Equal(["backup-postgres-dumps", "backup-redis-dumps", "minio-data"], plan.Volumes.AsEnumerable());
        Assert.Equal(0, ShellSyntax(label["/bin/sh -c '".Length..^1]));
    }

    [Fact]
    public void Redis_snapshot_is_fetched_inside_its_container_with_the_password_from_env()
    {
        var hooks = Backups.Plan(Input()).Hooks.Single(h => h.Container == "redis");
        Assert.Equal(new Dictionary<string, string> { ["REDISCLI_AUTH"] = "<secret:redis-password>" }, hooks.Env.ToDictionary(e => e.Name, e => e.Value.Masked));
        Assert.Equal("/bin/sh -c 'case \"$COMMAND_RUNTIME_ARCHIVE_FILEPATH\" in */redis-*) ;; *) exit 0;; esac; " +
                     "set -eu; rm -f /dumps/*.rdb; redis-cli -h 127.0.0.1 -p 6379 --rdb /dumps/redis.rdb; " + Backups.SizeCheck("/dumps", "*.rdb") +
                     "; [ \"$(head -c 5 /dumps/redis.rdb)\" = REDIS ] || { echo \"backup check: redis.rdb is not an RDB file\" >&2; exit 1; }; ls -l /dumps'",
            hooks.Labels["docker-volume-backup.archive-pre"]);
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

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    [Theory]
    [InlineData("/tmp/postgres-daily-2025-06-01T03-00-00.tar.gz", "tok-daily", true)]
    [InlineData("/tmp/postgres-hourly-2025-06-02T09-00-00.tar.gz.gpg", "tok-hourly", true)]
    [InlineData("/tmp/redis-2025-06-02T09-15-00.tar.gz", "tok-redis", false)]
    [InlineData("/tmp/minio-2025-06-02T04-00-00.tar.gz", "tok-minio", false)]
    public void Each_hook_acts_only_for_its_own_jobs(string archive, string expectedToken, bool postgresDumps)
    {
        var plan = Backups.Plan(Input());
        var bin = Directory.CreateTempSubdirectory("backup-hooks-").FullName;
        try
        {
            // Stand-ins that record how they were called: the hooks must call them for their jobs only.
            foreach (var tool in new[] { "wget", "psql", "redis-cli" })
            {
                File.WriteAllText(Path.Combine(bin, tool), $"#!/bin/sh\necho \"{tool} $*\" >> \"$CALLS\"\n");
                File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var env = new Dictionary<string, string>
            {
                ["PATH"] = bin + ":/usr/bin:/bin",
                ["CALLS"] = Path.Combine(bin, "calls"),
                ["COMMAND_RUNTIME_ARCHIVE_FILEPATH"] = archive,
                ["BACKUP_PUSH_URL"] = "http://uptime-kuma:3001/api/push/",
                ["PUSH_TOKEN_POSTGRES_DAILY"] = "tok-daily", ["PUSH_TOKEN_POSTGRES_HOURLY"] = "tok-hourly",
                ["PUSH_TOKEN_REDIS"] = "tok-redis", ["PUSH_TOKEN_MINIO"] = "tok-minio",
            };
            Assert.Equal(0, RunLabel(plan.Runner.Labels["docker-volume-backup.prune-pre"], env));
            var postgres = plan.Hooks.Single(h => h.Container == "postgres").Labels["docker-volume-backup.archive-pre"];
            // Against a directory that is not /dumps, so a real run would not touch anything.
            RunLabel(postgres.Replace("/dumps", Path.Combine(bin, "dumps"), StringComparison.Ordinal), env);
            var calls = File.ReadAllLines(Path.Combine(bin, "calls"));
            Assert.Equal($"wget -q -O /dev/null http://uptime-kuma:3001/api/push/{expectedToken}?status=up&msg=OK", calls.Single(c => c.StartsWith("wget", StringComparison.Ordinal)));
            Assert.Equal(postgresDumps, calls.Any(c => c.StartsWith("psql", StringComparison.Ordinal)));
            Assert.DoesNotContain(calls, c => c.StartsWith("redis-cli", StringComparison.Ordinal));
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
        Assert.Contains("PGPASSWORD=\"$(docker exec postgres printenv POSTGRES_PASSWORD)\"", script, StringComparison.Ordinal);
        Assert.Contains("docker run --rm --network data -e PGPASSWORD -e PGHOST=postgres -e PGPORT=5432 -e PGUSER=postgres -v \"$dir\":/restore:ro postgres:16.6-alpine " +
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

    private static int RunLabel(string label, IReadOnlyDictionary<string, string> env)
    {
        Assert.StartsWith("/bin/sh -c '", label, StringComparison.Ordinal);
        var psi = new System.Diagnostics.ProcessStartInfo("sh", ["-c", label["/bin/sh -c '".Length..^1]]) { RedirectStandardError = true, RedirectStandardOutput = true };
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
