using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class OperationsWiringTests
{
    [Fact]
    public void Every_app_database_is_in_the_daily_and_hourly_dumps()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        foreach (var job in b.Backups.Where(j => j.Name.StartsWith("postgres-", StringComparison.Ordinal)))
            foreach (var db in b.Databases) Assert.Contains(db.Database, job.What, StringComparison.Ordinal);
        // The dump itself lists the databases when it runs; it is exercised against a real server by the restore drill.
        Assert.Contains("for db in $dbs", b.HostCommands.Single(c => c.Name == BackupsBlueprint.BackupTimersCommand).Stdin!.Masked, StringComparison.Ordinal);
        // app-volumes: the API's uploads volume (served by its file server) is archived too.
        Assert.Equal(["app-volumes", "minio", "pitr-base", "postgres-daily", "postgres-hourly", "redis-api", "redis-web"], b.Backups.Select(j => j.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void One_runner_for_every_schedule_and_no_dump_agents()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        var backupContainers = b.Services.Where(s => s.Name.StartsWith("backup", StringComparison.Ordinal)).Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["backup"], backupContainers);
        var runner = b.Service("backup");
        Assert.Equal(["minio", "postgres-daily", "postgres-hourly", "redis-api", "redis-web"],
            runner.Files.Where(f => f.Path.StartsWith(Platform.Stacks.Operations.Backups.JobsDirectory, StringComparison.Ordinal))
                .Select(f => Path.GetFileNameWithoutExtension(f.Path)).Order(StringComparer.Ordinal));
        // No Docker API of any kind: no socket, no proxy, no DOCKER_HOST; only the egress network (S3).
        Assert.DoesNotContain(runner.Env.Keys, k => k.StartsWith("DOCKER", StringComparison.Ordinal));
        Assert.DoesNotContain(runner.Mounts, m => m.Source.EndsWith("docker.sock", StringComparison.Ordinal));
        Assert.Equal(["edge"], runner.Networks.Select(n => n.Network));
        // The only container holding the socket is Traefik's proxy, which allows only the provider's reads.
        Assert.Equal(["socket-proxy"], b.Services.Where(s => s.Mounts.Any(m => m.Source.EndsWith("docker.sock", StringComparison.Ordinal))).Select(s => s.Name));
        Assert.Equal(["haproxy", "-f", Platform.Stacks.Parts.Edge.DockerApiProxy.ConfigPath], b.Service("socket-proxy").Command.AsEnumerable());
        // The host runs the schedules: one root timer per job.
        var timers = b.HostCommands.Single(c => c.Name == BackupsBlueprint.BackupTimersCommand);
        foreach (var job in b.Backups) Assert.Contains($"sudo systemctl enable --now platform-backup-{job.Name}.timer", timers.Stdin!.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void The_database_hooks_do_not_change_when_an_app_is_added()
    {
        var before = TestStacks.Build(TestStacks.Yaml());
        var apps = TestStacks.DefaultApps + "\n- name: docs\n  image: ghcr.io/example/docs:1.0.0\n  port: 80\n  routes: [{ host: docs }]\n  healthPath: /\n  cpus: 0.1\n  memoryMb: 64\n  needs: { database: true, redis: true }\n";
        var after = TestStacks.Build(TestStacks.Yaml(apps));
        Assert.Contains(after.Databases, d => d.Database == "docs");
        foreach (var name in new[] { "postgres", "app-api.redis" })
        {
            Assert.Equal(before.Service(name).Labels, after.Service(name).Labels);
            Assert.Equal(before.Service(name).Env.Keys, after.Service(name).Env.Keys);
            Assert.Equal(before.Service(name).Mounts.AsEnumerable(), after.Service(name).Mounts.AsEnumerable());
        }
    }

    [Fact]
    public void Every_backup_job_has_a_heartbeat_monitor_and_every_data_service_a_tcp_monitor()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        foreach (var job in b.Backups) Assert.Contains(b.Monitors, m => m.Kind == "push" && m.Target.EndsWith("backup-" + job.Name, StringComparison.Ordinal));
        foreach (var target in new[] { "postgres:5432", "pgbouncer:6432", "app-api.redis:6379", "app-web.redis:6379" }) Assert.Contains(b.Monitors, m => m.Kind == "tcp" && m.Target == target);
    }

    [Fact]
    public void Adding_an_app_adds_its_monitor()
    {
        var before = TestStacks.Build(TestStacks.Yaml()).Monitors.Length;
        var apps = TestStacks.DefaultApps + "\n- name: docs\n  image: ghcr.io/example/docs:1.0.0\n  port: 80\n  routes: [{ host: docs }]\n  healthPath: /\n  cpus: 0.1\n  memoryMb: 64\n";
        var after = TestStacks.Build(TestStacks.Yaml(apps)).Monitors;
        Assert.Equal(before + 1, after.Length);
        Assert.Contains(after, m => m.Target == "https://docs.example.com/");
    }

    [Fact]
    public void Staging_without_backups_has_no_backup_containers_or_secrets()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: "platform:backupsEnabled: false"));
        Assert.Empty(b.Backups);
        Assert.DoesNotContain(b.Services, s => s.Name.StartsWith("backup", StringComparison.Ordinal));
        Assert.DoesNotContain(b.Networks, n => n.Name == "backup-control");
        Assert.Empty(b.Service("postgres").Labels);
        Assert.DoesNotContain(b.Secrets, s => s.Name.StartsWith("backup", StringComparison.Ordinal));
    }

    [Fact]
    public void Minio_provisioning_creates_each_bucket_and_a_user_limited_to_its_own_buckets()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var cmd = b.HostCommands.Single(c => c.Name == HostCommandNames.MinioProvision);
        var script = cmd.Stdin!.Masked;
        Assert.Contains("mc mb --ignore-existing local/api-uploads", script);
        Assert.Contains("mc anonymous set none local/api-uploads", script);
        Assert.Contains("mc anonymous set download local/api-avatars", script);
        Assert.Contains("\"arn:aws:s3:::api-uploads/*\"", script);
        Assert.Contains("mc admin user add local app-api >/dev/null <<'PLATFORM_SECRET'\n<secret:app.api.minio>\nPLATFORM_SECRET\n", script);
        Assert.Equal<string>(["app.api.minio"], cmd.Stdin.Secrets);
    }

    [Fact]
    public void The_setup_one_shot_runs_before_autokuma_and_never_restarts()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        var setup = b.Service("uptime-kuma-setup");
        Assert.True(setup.OneShot);
        Assert.Equal("no", setup.RestartPolicy);
        Assert.Contains("uptime-kuma-setup", b.Service("autokuma").DependsOn);
    }
}
