using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Stacks.Model;

namespace Platform.Stacks.Operations;

/// <summary>
/// Image pins this part of the platform was written and checked against (see docs/operations.md).
/// AutoKuma 2.x speaks Uptime Kuma 2's API; its <c>uptime-kuma-v1-</c> images (and 0.x/1.x) speak 1.x.
/// </summary>
public static class OperationsImages
{
    public const string Backup = "offen/docker-volume-backup:v2.48.2";
    public const string UptimeKuma = "louislam/uptime-kuma:2.0.2";
    public const string AutoKuma = "ghcr.io/bigboot/autokuma:2.0.0";
}

/// <summary>What the monitoring containers need.</summary>
/// <param name="UptimeKumaImage">Uptime Kuma image, pinned (the first-admin setup runs its bundled Node and socket.io client).</param>
/// <param name="AutoKumaImage">AutoKuma image, pinned, matching the Uptime Kuma major version.</param>
/// <param name="AdminUsername">Uptime Kuma's admin user name.</param>
/// <param name="AdminPasswordSecret">Generated secret holding the admin password (also AutoKuma's login).</param>
/// <param name="Monitors">Every monitor (<see cref="Monitors.For"/>).</param>
/// <param name="Notifications">Where alerts go (<see cref="AlertChannels.Of"/>); empty for nowhere.</param>
/// <param name="Networks">Networks (AutoKuma and the setup job join <see cref="OpsNetworks.Data"/>, where Uptime Kuma is).</param>
/// <param name="UptimeKumaUrl">Uptime Kuma's internal URL.</param>
/// <param name="AutoKumaMemoryMb">AutoKuma's memory limit.</param>
public sealed record MonitoringServicesInput(
    string UptimeKumaImage,
    string AutoKumaImage,
    string AdminUsername,
    string AdminPasswordSecret,
    ImmutableArray<MonitorSpec> Monitors,
    ImmutableArray<NotificationTarget> Notifications,
    OpsNetworks Networks,
    string UptimeKumaUrl = "http://uptime-kuma:3001",
    int AutoKumaMemoryMb = 128);

/// <summary>
/// Renders monitors as AutoKuma static-monitor files (one JSON file per monitor; the file name is the
/// AutoKuma id) and the containers that apply them. No container's env holds a secret: the push tokens and the
/// notification's secret are in the files (written root-only by a host command), AutoKuma's password in its config
/// file and the setup's in a file, so an inspect of either shows none.
/// </summary>
public static class AutoKuma
{
    public const string MonitorsDir = "/autokuma/monitors";

    /// <summary>
    /// The monitor files on the server, bind-mounted read-only at <see cref="MonitorsDir"/>. AutoKuma walks the
    /// directory on every sync (autokuma/src/sources/file_source.rs, <c>FileSource::get_entities</c>), so a host
    /// command that rewrites it changes the monitors in place: adding an app never restarts AutoKuma.
    /// </summary>
    public const string HostMonitorsDir = "/srv/platform/autokuma/monitors";
    public const string DataDir = "/data";
    public const string DataVolume = "autokuma-data";
    public const string ContainerName = "autokuma";
    public const string SetupContainerName = "uptime-kuma-setup";

    /// <summary>
    /// Null when <paramref name="image"/> is an AutoKuma that reads these files (2.x: <c>get_env</c> templates,
    /// notification entities, Uptime Kuma 2 API); otherwise why not. Settings validation can call it.
    /// </summary>
    public static string? ImageProblem(string image)
    {
        var colon = image.LastIndexOf(':');
        var tag = colon > image.LastIndexOf('/') ? image[(colon + 1)..] : "";
        if (tag.StartsWith("uptime-kuma-v1-", StringComparison.Ordinal))
            return $"'{image}' is AutoKuma's Uptime Kuma 1.x build; the platform runs Uptime Kuma 2 and needs {OperationsImages.AutoKuma}.";
        var major = tag.TrimStart('v').Split('.')[0];
        if (!int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m < 2)
            return $"'{image}' is not AutoKuma 2.x; the monitor files use 2.x features (get_env templates, notifications). Use {OperationsImages.AutoKuma}.";
        return null;
    }

    /// <summary>Env var (readable by AutoKuma templates) that carries a push monitor's token.</summary>
    public static string PushTokenEnv(MonitorSpec m) => "AUTOKUMA__ENV__PUSH_TOKEN_" + EnvSuffix(m.Id);

    /// <summary>The AutoKuma id of the notification target (its file name).</summary>
    public static string NotificationFileId(NotificationTarget n) => "notify-" + n.Id;

    /// <summary>One monitor's file: path in the AutoKuma container and JSON content (no secret).</summary>
    public static UploadedFile MonitorFile(MonitorSpec m, NotificationTarget? notification)
    {
        if (m.Notification is not null && notification is not null && m.Notification != notification.Id)
            throw new ArgumentException($"Monitor '{m.Id}' notifies '{m.Notification}', but the notification target is '{notification.Id}'.", nameof(m));
        return MonitorFileNotifying(m, notification is null ? [] : [notification]);
    }

    /// <summary>
    /// One monitor's file; an alerting monitor (<see cref="MonitorSpec.Notification"/> set) notifies every one of
    /// <paramref name="notifications"/> (AutoKuma's <c>notification_name_list</c>: the AutoKuma ids of the notification
    /// entities, BigBoot/AutoKuma v2.0.0 ENTITY_TYPES.md).
    /// </summary>
    public static UploadedFile MonitorFileNotifying(MonitorSpec m, IReadOnlyList<NotificationTarget> notifications)
    {
        var json = new JsonObject
        {
            ["type"] = m.Kind switch
            {
                MonitorKind.Http => "http",
                MonitorKind.Keyword => "keyword",
                MonitorKind.Tcp => "port",
                MonitorKind.Push => "push",
                _ => throw new ArgumentOutOfRangeException(nameof(m)),
            },
            ["name"] = m.Name,
        };
        switch (m.Kind)
        {
            case MonitorKind.Http:
                json["url"] = m.Target;
                break;
            case MonitorKind.Keyword:
                json["url"] = m.Target;
                json["keyword"] = m.Keyword;
                break;
            case MonitorKind.Tcp:
                json["hostname"] = m.TcpHost;
                json["port"] = m.TcpPort;
                break;
            case MonitorKind.Push:
                // The token itself, not an env template: a new job's monitor must not change AutoKuma's env.
                json["push_token"] = PushTokenPlaceholder;
                break;
        }
        json["interval"] = m.IntervalSeconds;
        json["retry_interval"] = m.RetryIntervalSeconds;
        json["max_retries"] = m.MaxRetries;
        if (m.Kind is MonitorKind.Http or MonitorKind.Keyword)
            json["accepted_statuscodes"] = new JsonArray([.. m.AcceptedStatusCodes.Select(c => (JsonNode)JsonValue.Create(c))]);
        if (m.Notification is not null && notifications.Count > 0)
            json["notification_name_list"] = new JsonArray([.. notifications.Select(n => (JsonNode)JsonValue.Create(NotificationFileId(n))!)]);
        return new UploadedFile($"{MonitorsDir}/{m.Id}.json", WithPushToken(Json(json), m));
    }

    /// <summary>Stands for the notification's secret in the serialised JSON; replaced by the secret, escaped.</summary>
    private const string SecretPlaceholder = "@@platform-secret@@";

    /// <summary>Stands for the push token in the serialised JSON; replaced by the secret (32 letters and digits, nothing to escape).</summary>
    private const string PushTokenPlaceholder = "@@platform-push-token@@";

    private static SecretText WithPushToken(string json, MonitorSpec m)
    {
        var at = json.IndexOf('"' + PushTokenPlaceholder + '"', StringComparison.Ordinal) + 1;
        if (at == 0) return SecretText.Plain(json);
        if (m.PushTokenSecret is null) throw new ArgumentException($"Push monitor '{m.Id}' has no push token secret.", nameof(m));
        return new SecretTextBuilder().Text(json[..at]).Secret(m.PushTokenSecret).Text(json[(at + PushTokenPlaceholder.Length)..]).Build();
    }

    /// <summary>The notification target's file (AutoKuma "notification" entity), default for new monitors.</summary>
    public static UploadedFile NotificationFile(NotificationTarget n)
    {
        var config = AlertChannels.KumaConfig(n, SecretPlaceholder);
        var json = new JsonObject
        {
            ["type"] = "notification",
            ["name"] = n.Name,
            ["active"] = true,
            ["is_default"] = true,
            ["config"] = config,
        };
        var secret = AlertChannels.SecretOf(n);
        var text = Json(json);
        var at = text.IndexOf('"' + SecretPlaceholder + '"', StringComparison.Ordinal) + 1;
        // The secret itself, escaped for a JSON string, in the file the host command writes (root-only, 0600), not in
        // AutoKuma's env: an inspect of AutoKuma shows no secret.
        return new UploadedFile($"{MonitorsDir}/{NotificationFileId(n)}.json", new SecretTextBuilder()
            .Text(text[..at]).Derived(secret, SecretDerivation.JsonStringBody, "").Text(text[(at + SecretPlaceholder.Length)..]).Build());
    }

    /// <summary>Every file AutoKuma reads: the notification (if any) and one per monitor, sorted by path.</summary>
    public static ImmutableArray<UploadedFile> Files(ImmutableArray<MonitorSpec> monitors, NotificationTarget? notification) =>
        Files(monitors, notification is null ? [] : [notification]);

    /// <summary>Every file AutoKuma reads: one per notification channel and one per monitor, sorted by path.</summary>
    public static ImmutableArray<UploadedFile> Files(ImmutableArray<MonitorSpec> monitors, ImmutableArray<NotificationTarget> notifications)
    {
        var files = monitors.Select(m => MonitorFileNotifying(m, notifications)).ToList();
        files.AddRange(notifications.Select(NotificationFile));
        var paths = files.Select(f => f.Path).ToList();
        if (paths.Distinct(StringComparer.Ordinal).Count() != paths.Count)
            throw new ArgumentException("Two AutoKuma files would have the same name; monitor ids must be unique and must not start with 'notify-'.");
        return [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The AutoKuma container: static monitors only (Docker source off, so it needs no Docker socket),
    /// logs in as the admin, deletes monitors whose file is gone, keeps its state on a volume.
    /// </summary>
    public static OpsContainer Container(MonitoringServicesInput input)
    {
        var env = new List<EnvVar>
        {
            EnvVar.Plain("AUTOKUMA__KUMA__URL", input.UptimeKumaUrl),
            EnvVar.Plain("AUTOKUMA__KUMA__USERNAME", input.AdminUsername),
            // AutoKuma reads <config dir>/autokuma/config.{toml,…} before its env (autokuma/src/main.rs: File::with_name of
            // dirs::config_local_dir()/autokuma/config, then Environment AUTOKUMA__…): the password comes from that file.
            EnvVar.Plain("XDG_CONFIG_HOME", ConfigHome),
            EnvVar.Plain("AUTOKUMA__STATIC_MONITORS", MonitorsDir),
            EnvVar.Plain("AUTOKUMA__DOCKER__ENABLED", "false"),
            EnvVar.Plain("AUTOKUMA__ON_DELETE", "delete"),
            EnvVar.Plain("AUTOKUMA__TAG_NAME", "AutoKuma"),
        };
        return new OpsContainer(
            Name: ContainerName,
            Image: input.AutoKumaImage,
            Command: [],
            Env: [.. env.OrderBy(e => e.Name, StringComparer.Ordinal)],
            Labels: ImmutableSortedDictionary<string, string>.Empty,
            // The monitor files come from the server's directory, written by a host command (see HostMonitorsDir).
            Mounts: [Mount.Volume(DataVolume, DataDir), new Mount(MountKind.Bind, HostMonitorsDir, MonitorsDir, ReadOnly: true)],
            Networks: [input.Networks.Data],
            Files: [new UploadedFile(ConfigPath, ConfigFile(input.AdminPasswordSecret))],
            Mode: RunMode.Service,
            MemoryMb: input.AutoKumaMemoryMb);
    }

    /// <summary>AutoKuma's config directory (XDG_CONFIG_HOME) and its config file there, which holds the admin password.</summary>
    public const string ConfigHome = "/run/autokuma";
    public const string ConfigPath = ConfigHome + "/autokuma/config.toml";

    /// <summary>AutoKuma's config file: only the Uptime Kuma login's password (the rest is plain env).</summary>
    public static SecretText ConfigFile(string adminPasswordSecret) => new SecretTextBuilder()
        .Line("# AutoKuma's Uptime Kuma password, rendered by the platform: a file, so an inspect of the container shows none.")
        .Line("[kuma]")
        .Text("password = \"").Derived(adminPasswordSecret, SecretDerivation.JsonStringBody, "").Line("\"")
        .Build();

    /// <summary>The file in the setup container that holds the admin password.</summary>
    public const string SetupPasswordFile = "/run/secrets/uptime-kuma-admin";

    /// <summary>
    /// Env the Uptime Kuma container itself needs: <c>UPTIME_KUMA_DB_TYPE=sqlite</c> skips Uptime Kuma 2's
    /// interactive database-choice page, so the server starts ready for the first-admin setup below.
    /// </summary>
    public static ImmutableArray<EnvVar> UptimeKumaEnv { get; } = [EnvVar.Plain("UPTIME_KUMA_DB_TYPE", "sqlite")];

    /// <summary>
    /// The one-shot that sets Uptime Kuma's first admin without the UI. It runs the pinned Uptime Kuma
    /// image's own Node and socket.io client (the same client the web UI uses) against the server:
    /// when the server still needs setup it creates the admin with the generated password; when an
    /// admin exists it logs in with the stack's credentials and succeeds only if they work, so it is
    /// idempotent and fails loudly if someone else claimed the instance. The shell runs it after Uptime
    /// Kuma starts and before the public <c>status</c> route is created, and waits for exit 0.
    /// </summary>
    public static OpsContainer SetupContainer(MonitoringServicesInput input) => new(
        Name: SetupContainerName,
        Image: input.UptimeKumaImage,
        Command: ["node", "-e", SetupScript],
        Env:
        [
            EnvVar.Plain("KUMA_ADMIN_USERNAME", input.AdminUsername),
            EnvVar.Plain("KUMA_ADMIN_PASSWORD_FILE", SetupPasswordFile),
            EnvVar.Plain("KUMA_URL", input.UptimeKumaUrl),
        ],
        Labels: ImmutableSortedDictionary<string, string>.Empty,
        Mounts: [],
        Networks: [input.Networks.Data],
        Files: [new UploadedFile(SetupPasswordFile, SecretText.Of(new SecretPart(input.AdminPasswordSecret)))],
        Mode: RunMode.OneShot,
        MemoryMb: 128);

    /// <summary>The admin password the blueprint generates (Uptime Kuma refuses weak ones; 32 characters pass).</summary>
    public static GeneratedSecret AdminPassword(string secretName) =>
        new(secretName, 32, false, "Uptime Kuma admin password (first admin and AutoKuma's login)");

    /// <summary>Node script run by <see cref="SetupContainer"/> (working directory /app of the Uptime Kuma image).</summary>
    public const string SetupScript = """
        const { io } = require("socket.io-client");
        const done = (code, message) => { (code === 0 ? console.log : console.error)("uptime-kuma-setup: " + message); process.exit(code); };
        const url = process.env.KUMA_URL, username = process.env.KUMA_ADMIN_USERNAME, passwordFile = process.env.KUMA_ADMIN_PASSWORD_FILE;
        let password = "";
        try { password = require("fs").readFileSync(passwordFile || "", "utf8").trim(); } catch (e) { done(1, "cannot read KUMA_ADMIN_PASSWORD_FILE: " + e.code); }
        if (!url || !username || !password) done(1, "KUMA_URL, KUMA_ADMIN_USERNAME and a non-empty KUMA_ADMIN_PASSWORD_FILE must be set");
        setTimeout(() => done(1, "no answer from " + url + " within 300 s"), 300000);
        const socket = io(url, { transports: ["websocket"], reconnection: true, reconnectionDelay: 2000, timeout: 10000 });
        socket.on("connect_error", (e) => console.error("uptime-kuma-setup: waiting for " + url + ": " + e.message));
        socket.once("connect", () => socket.emit("needSetup", (needSetup) => {
          if (needSetup) {
            socket.emit("setup", username, password, (res) => res && res.ok
              ? done(0, "created the admin '" + username + "'")
              : done(1, "setup refused: " + (res && res.msg)));
          } else {
            socket.emit("login", { username, password, token: "" }, (res) => res && res.ok
              ? done(0, "already set up; the stack's admin credentials work")
              : done(1, "Uptime Kuma already has an admin and the stack's credentials do not log in (" + (res && res.msg) + "). Someone else set it up, or the password secret changed: reset it in the container with 'npm run reset-password'."));
          }
        }));
        """;

    private static string EnvSuffix(string id) => new([.. id.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(JsonObject o) => o.ToJsonString(Indented) + "\n";

    internal static string Invariant(int i) => i.ToString(CultureInfo.InvariantCulture);
}
