using System.Text.Json;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Operations;

public class MonitorsTests
{
    private static readonly WebhookNotification Webhook = new("ops", "Ops alerts", "alert-webhook-url");

    private static MonitoringInput Input(NotificationTarget? notification = null) => new(
        PublicHosts: [new PublicHost("shop", "shop.example.com", "/healthz"), new PublicHost("Status page", "status.example.com", "")],
        DataServices: Monitors.DefaultDataServices.Add(new DataService("Redis of shop", "app-shop.redis", 6379)),
        MinioHealthUrl: Monitors.DefaultMinioHealthUrl,
        Backups: Backups.Jobs(BackupsTests.Input()),
        Notification: notification ?? Webhook);

    private static MonitoringServicesInput Services(NotificationTarget? n = null) => new(
        OperationsImages.UptimeKuma, OperationsImages.AutoKuma, "admin", "uptime-kuma-admin-password",
        Monitors.For(Input(n)), [n ?? Webhook], new OpsNetworks());

    [Fact]
    public void Every_host_service_and_backup_gets_a_monitor_with_design_intervals()
    {
        var specs = Monitors.For(Input());
        Assert.Equal(
            ["backup-minio", "backup-postgres-daily", "backup-postgres-hourly", "backup-redis",
             "http-minio-live", "http-shop", "http-status-page", "tcp-pgbouncer", "tcp-postgresql", "tcp-redis-of-shop"],
            specs.Select(s => s.Id));
        var shop = specs.Single(s => s.Id == "http-shop");
        Assert.Equal((MonitorKind.Http, "https://shop.example.com/healthz", 60, 30, 3), (shop.Kind, shop.Target, shop.IntervalSeconds, shop.RetryIntervalSeconds, shop.MaxRetries));
        Assert.Equal(["200-299"], shop.AcceptedStatusCodes.AsEnumerable());
        Assert.Equal("https://status.example.com/", specs.Single(s => s.Id == "http-status-page").Target);
        Assert.Equal("pgbouncer:6432", specs.Single(s => s.Id == "tcp-pgbouncer").Target);
        Assert.Equal("postgres:5432", specs.Single(s => s.Id == "tcp-postgresql").Target);
        Assert.Equal("app-shop.redis:6379", specs.Single(s => s.Id == "tcp-redis-of-shop").Target);
        Assert.Equal("http://minio:9000/minio/health/live", specs.Single(s => s.Id == "http-minio-live").Target);
        Assert.All(specs, s => Assert.Equal("ops", s.Notification));
        Assert.All(specs.Where(s => s.Kind != MonitorKind.Push), s => Assert.Equal(60, s.IntervalSeconds));
    }

    [Fact]
    public void Duplicate_ids_are_refused()
    {
        var input = Input() with { PublicHosts = [new PublicHost("shop", "a.example.com", "/"), new PublicHost("Shop", "b.example.com", "/")] };
        Assert.Contains("'http-shop'", Assert.Throws<ArgumentException>(() => Monitors.For(input)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_monitor_file_is_pinned()
    {
        var file = AutoKuma.MonitorFile(Monitors.For(Input()).Single(s => s.Id == "http-shop"), Webhook);
        Assert.Equal("/autokuma/monitors/http-shop.json", file.Path);
        Assert.False(file.Content.IsSecret);
        Assert.Equal("""
            {
              "type": "http",
              "name": "shop (shop.example.com)",
              "url": "https://shop.example.com/healthz",
              "interval": 60,
              "retry_interval": 30,
              "max_retries": 3,
              "accepted_statuscodes": [
                "200-299"
              ],
              "notification_name_list": [
                "notify-ops"
              ]
            }

            """, file.Content.Masked);
    }

    [Fact]
    public void Tcp_keyword_and_push_files_are_pinned()
    {
        Assert.Equal("""
            {
              "type": "port",
              "name": "Redis of shop TCP app-shop.redis:6379",
              "hostname": "app-shop.redis",
              "port": 6379,
              "interval": 60,
              "retry_interval": 30,
              "max_retries": 3
            }

            """, AutoKuma.MonitorFile(Monitors.For(Input()).Single(s => s.Id == "tcp-redis-of-shop"), null).Content.Masked);

        Assert.Equal("""
            {
              "type": "keyword",
              "name": "api",
              "url": "https://api.example.com/health",
              "keyword": "ok",
              "interval": 60,
              "retry_interval": 30,
              "max_retries": 3,
              "accepted_statuscodes": [
                "200-299"
              ]
            }

            """, AutoKuma.MonitorFile(MonitorSpec.Http("http-api", "api", "https://api.example.com/health", null, keyword: "ok"), null).Content.Masked);

        var push = AutoKuma.MonitorFile(Monitors.For(Input()).Single(s => s.Id == "backup-postgres-daily"), Webhook);
        Assert.Equal("""
            {
              "type": "push",
              "name": "Backup PostgreSQL daily (every app database)",
              "push_token": "<secret:backup-postgres-daily-push-token>",
              "interval": 90000,
              "retry_interval": 30,
              "max_retries": 3,
              "notification_name_list": [
                "notify-ops"
              ]
            }

            """, push.Content.Masked);
        Assert.Equal(["backup-postgres-daily-push-token"], push.Content.Secrets.AsEnumerable());
    }

    [Fact]
    public void Notification_files_hold_the_secret_as_a_reference_and_autokumas_env_none()
    {
        var webhook = AutoKuma.NotificationFile(Webhook);
        Assert.Equal("/autokuma/monitors/notify-ops.json", webhook.Path);
        Assert.Equal("""
            {
              "type": "notification",
              "name": "Ops alerts",
              "active": true,
              "is_default": true,
              "config": {
                "type": "webhook",
                "webhookURL": "<secret:alert-webhook-url>",
                "webhookContentType": "json"
              }
            }

            """, webhook.Content.Masked);

        var email = new EmailNotification("mail", "Ops mail", "smtp.example.com", 465, true, "alerts@example.com", "smtp-password", "alerts@example.com", "ops@example.com");
        using var json = JsonDocument.Parse(AutoKuma.NotificationFile(email).Content.Masked);
        var config = json.RootElement.GetProperty("config");
        Assert.Equal("smtp", config.GetProperty("type").GetString());
        Assert.Equal(465, config.GetProperty("smtpPort").GetInt32());
        Assert.Equal("<secret:smtp-password>", config.GetProperty("smtpPassword").GetString());
        Assert.DoesNotContain(AutoKuma.Container(Services(email)).Env, e => e.Value.IsSecret);
    }

    [Fact]
    public void AutoKuma_container_is_pinned()
    {
        var c = AutoKuma.Container(Services());
        Assert.Equal(("autokuma", "ghcr.io/bigboot/autokuma:2.0.0", RunMode.Service), (c.Name, c.Image, c.Mode));
        Assert.Equal(new Dictionary<string, string>
        {
            ["AUTOKUMA__DOCKER__ENABLED"] = "false",
            ["AUTOKUMA__KUMA__URL"] = "http://uptime-kuma:3001",
            ["AUTOKUMA__KUMA__USERNAME"] = "admin",
            ["AUTOKUMA__ON_DELETE"] = "delete",
            ["AUTOKUMA__STATIC_MONITORS"] = "/autokuma/monitors",
            ["AUTOKUMA__TAG_NAME"] = "AutoKuma",
            ["XDG_CONFIG_HOME"] = "/run/autokuma",
        }, c.Env.ToDictionary(e => e.Name, e => e.Value.Masked));
        // Its monitor files come read-only from the server's directory (no Docker socket, no uploads).
        Assert.Equal([Mount.Volume("autokuma-data", "/data"), new Mount(MountKind.Bind, AutoKuma.HostMonitorsDir, AutoKuma.MonitorsDir, true)], c.Mounts.AsEnumerable());
        Assert.Equal(["data"], c.Networks.AsEnumerable());
        // Its one upload is the config file with the login's password (AutoKuma reads $XDG_CONFIG_HOME/autokuma/config.toml).
        Assert.Equal("/run/autokuma/autokuma/config.toml", c.Files.Single().Path);
        Assert.Equal(["uptime-kuma-admin-password"], c.Files.Single().Content.Secrets.AsEnumerable());
        var files = AutoKuma.Files(Services().Monitors, Services().Notifications);
        Assert.Equal(11, files.Length); // 10 monitors + the notification
        Assert.All(files, f => JsonDocument.Parse(f.Content.Masked).Dispose());
    }

    [Fact]
    public void First_admin_setup_is_a_one_shot_on_the_uptime_kuma_image()
    {
        var s = AutoKuma.SetupContainer(Services());
        Assert.Equal(("uptime-kuma-setup", "louislam/uptime-kuma:2.0.2", RunMode.OneShot), (s.Name, s.Image, s.Mode));
        Assert.Equal(["node", "-e", AutoKuma.SetupScript], s.Command.AsEnumerable());
        Assert.Equal(new Dictionary<string, string>
        {
            ["KUMA_ADMIN_PASSWORD_FILE"] = "/run/secrets/uptime-kuma-admin", ["KUMA_ADMIN_USERNAME"] = "admin", ["KUMA_URL"] = "http://uptime-kuma:3001",
        }, s.Env.ToDictionary(e => e.Name, e => e.Value.Masked));
        Assert.Equal(("/run/secrets/uptime-kuma-admin", "<secret:uptime-kuma-admin-password>"), (s.Files.Single().Path, s.Files.Single().Content.Masked));
        Assert.Contains("socket.emit(\"setup\", username, password", AutoKuma.SetupScript, StringComparison.Ordinal);
        Assert.Contains("socket.emit(\"login\"", AutoKuma.SetupScript, StringComparison.Ordinal);
        Assert.Equal([EnvVar.Plain("UPTIME_KUMA_DB_TYPE", "sqlite")], AutoKuma.UptimeKumaEnv.AsEnumerable());
        Assert.Equal(new GeneratedSecret("k", 32, false, "Uptime Kuma admin password (first admin and AutoKuma's login)"), AutoKuma.AdminPassword("k"));
    }

    [Theory]
    [InlineData("ghcr.io/bigboot/autokuma:2.0.0", true)]
    [InlineData("ghcr.io/bigboot/autokuma:2.1.3", true)]
    [InlineData("ghcr.io/bigboot/autokuma:0.8.0", false)]
    [InlineData("ghcr.io/bigboot/autokuma:uptime-kuma-v1-2.0.0", false)]
    [InlineData("ghcr.io/bigboot/autokuma", false)]
    public void AutoKuma_image_must_be_2x(string image, bool ok) => Assert.Equal(ok, AutoKuma.ImageProblem(image) is null);

    [Fact]
    public void Alert_thresholds_default_to_the_design_and_are_enforced_by_push_monitors()
    {
        var t = AlertThresholds.Default;
        Assert.Equal((70, 90), (t.Cpu.WarnPercent, t.Cpu.CriticalPercent));
        Assert.Equal((80, 90), (t.Memory.WarnPercent, t.Memory.CriticalPercent));
        Assert.Equal((70, 85), (t.Disk.WarnPercent, t.Disk.CriticalPercent));
        Assert.Equal((80, 95), (t.DbConnections.WarnPercent, t.DbConnections.CriticalPercent));
        Assert.Equal((80, 95), t.DbConnectionCounts(100));
        Assert.Empty(t.Problems());
        Assert.Single((t with { Disk = new Threshold(90, 80) }).Problems());
        Assert.All(new[] { t.CpuEnforcement, t.MemoryEnforcement, t.DiskEnforcement, t.DbConnectionsEnforcement }, e => Assert.Equal(Enforcement.PushMonitor, e));
    }
}
