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
    public void Runner_env_is_pinned()
    {
        var runner = Job("postgres-daily").Runner;
        Assert.Equal("backup-postgres-daily", runner.Name);
        Assert.Equal("offen/docker-volume-backup:v2.48.2", runner.Image);
        Assert.Equal(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "<secret:backup-s3-key-id>",
            ["AWS_ENDPOINT"] = "s3.eu-central-003.backblazeb2.com",
            ["AWS_S3_BUCKET_NAME"] = "acme-backups",
            ["AWS_S3_PATH"] = "prod/postgres-daily",
            ["AWS_SECRET_ACCESS_KEY"] = "<secret:backup-s3-secret>",
            ["BACKUP_COMPRESSION"] = "gz",
            ["BACKUP_CRON_EXPRESSION"] = "0 3 * * *",
            ["BACKUP_FILENAME"] = "postgres-daily-%Y-%m-%dT%H-%M-%S.{{ .Extension }}",
            ["BACKUP_HEARTBEAT_URL"] = "http://uptime-kuma:3001/api/push/<secret:backup-postgres-daily-push-token>?status=up&msg=OK",
            ["BACKUP_PRUNING_PREFIX"] = "postgres-daily-",
            ["BACKUP_RETENTION_DAYS"] = "30",
            ["BACKUP_SOURCES"] = "/backup",
            ["EXEC_FORWARD_OUTPUT"] = "true",
            ["EXEC_LABEL"] = "postgres-daily",
            ["GPG_PASSPHRASE"] = "<secret:backup-passphrase>",
            ["NOTIFICATION_LEVEL"] = "error",
            ["NOTIFICATION_URLS"] = "generic+http://uptime-kuma:3001/api/push/<secret:backup-postgres-daily-push-token>?status=down&msg=backup%20postgres-daily%20failed",
            ["TZ"] = "UTC",
        }, Env(runner));
        Assert.Equal(runner.Env.Select(e => e.Name).Order(StringComparer.Ordinal), runner.Env.Select(e => e.Name));
        Assert.Equal(new Dictionary<string, string>
        {
            ["docker-volume-backup.exec-label"] = "postgres-daily",
            ["docker-volume-backup.prune-pre"] = "/bin/sh -c 'wget -q -O /dev/null \"$BACKUP_HEARTBEAT_URL\"'",
        }, runner.Labels);
        Assert.Equal([Mount.Volume("backup-postgres-daily-dumps", "/backup/postgres-daily", readOnly: true), Mount.DockerSocket()], runner.Mounts.AsEnumerable());
        Assert.Equal(["edge"], runner.Networks.AsEnumerable());
        Assert.Equal(["backup-passphrase", "backup-postgres-daily-push-token", "backup-s3-key-id", "backup-s3-secret"], runner.Secrets.AsEnumerable());
        Assert.DoesNotContain(Env(Job("redis", Input(passphrase: null)).Runner), kv => kv.Key == "GPG_PASSPHRASE");
    }

    [Fact]
    public void Postgres_agent_dumps_every_app_database_with_the_servers_pg_dump()
    {
        var job = Job("postgres-hourly");
        var agent = job.Agent!;
        Assert.Equal("backup-postgres-hourly-agent", agent.Name);
        Assert.Equal("postgres:16.6-alpine", agent.Image);
        Assert.Equal(["sleep", "infinity"], agent.Command.AsEnumerable());
        Assert.Equal(new Dictionary<string, string>
        {
            ["PGHOST"] = "postgres", ["PGPASSWORD"] = "<secret:postgres-superuser-password>", ["PGPORT"] = "5432", ["PGUSER"] = "postgres",
        }, Env(agent));
        Assert.Equal(["data"], agent.Networks.AsEnumerable());
        Assert.Equal([Mount.Volume("backup-postgres-hourly-dumps", "/dumps")], agent.Mounts.AsEnumerable());
        Assert.Equal(
            "/bin/sh -c 'set -eu; rm -f /dumps/*.dump; " +
            "pg_dump --format=custom --no-password --lock-wait-timeout=300000 --file=/dumps/blog.dump --dbname=blog; " +
            "pg_dump --format=custom --no-password --lock-wait-timeout=300000 --file=/dumps/shop.dump --dbname=shop; ls -l /dumps'",
            agent.Labels["docker-volume-backup.archive-pre"]);
        Assert.Equal("postgres-hourly", agent.Labels["docker-volume-backup.exec-label"]);
        Assert.Equal(
            [["pg_dump", "--format=custom", "--no-password", "--lock-wait-timeout=300000", "--file=/dumps/blog.dump", "--dbname=blog"],
             ["pg_dump", "--format=custom", "--no-password", "--lock-wait-timeout=300000", "--file=/dumps/shop.dump", "--dbname=shop"]],
            job.DumpCommands.Select(c => c.ToArray()).ToArray());
        Assert.Equal(["backup-postgres-hourly-dumps"], job.Volumes.AsEnumerable());
    }

    [Fact]
    public void Redis_agent_fetches_an_rdb_with_the_password_from_env()
    {
        var agent = Job("redis").Agent!;
        Assert.Equal("redis:7.4.2-alpine", agent.Image);
        Assert.Equal(new Dictionary<string, string> { ["REDISCLI_AUTH"] = "<secret:redis-password>" }, Env(agent));
        Assert.Equal("/bin/sh -c 'set -eu; rm -f /dumps/*.rdb; redis-cli -h redis -p 6379 --rdb /dumps/redis.rdb; ls -l /dumps'",
            agent.Labels["docker-volume-backup.archive-pre"]);
    }

    [Fact]
    public void Minio_job_archives_the_data_volume_read_only_without_an_agent()
    {
        var job = Job("minio");
        Assert.Null(job.Agent);
        Assert.Contains(Mount.Volume("minio-data", "/backup/minio", readOnly: true), job.Runner.Mounts);
        Assert.Equal("s3://acme-backups/prod/minio/minio-<UTC time>.tar.gz.gpg", job.Destination);
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
        Assert.Contains("PGPASSWORD=\"$(docker exec backup-postgres-daily-agent printenv PGPASSWORD)\"", script, StringComparison.Ordinal);
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

    private static int ShellSyntax(string script)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("sh", ["-n", "-c", script]) { RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
