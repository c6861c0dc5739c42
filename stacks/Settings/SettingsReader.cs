using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Catalog;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>
/// Turns a stack's raw config into <see cref="StackSettings"/>, applying defaults and checking
/// every rule a user can break. All errors are collected; when there is any, nothing is returned
/// and nothing may be planned or created.
/// </summary>
public static class SettingsReader
{
    private static readonly string[] AppKeys =
    [
        "name", "image", "port", "routes", "healthPath", "healthCommand", "command", "cpus", "memoryMb", "instances",
        "env", "secretEnv", "needs", "rateLimit", "volumes", "talksTo", "release", "jobs", .. Parts.Edge.AppEdgeSettings.Keys, .. Blueprint.AppEgress.Keys,
    ];

    private static readonly string[] RouteKeys =
    [
        "host", "domain", "path", "stripPrefix", "websockets", "headers", "maxBodyMb", "rateLimit", "allowCidrs", "basicAuth", "redirect", "compress",
    ];
    private static readonly string[] HeaderKeys = ["preset", "frameDeny", "contentSecurityPolicy", "cors"];
    private static readonly string[] CorsKeys = ["origins", "methods", "headers", "credentials", "maxAgeSeconds"];
    private static readonly string[] CorsMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>Longest path prefix: router priorities add the path's length to the host kind's base (see <see cref="Blueprint.Routing.Priority(Blueprint.HostKind, string?)"/>).</summary>
    public const int MaxPathLength = 200;

    private static readonly string[] NeedsKeys = ["database", "databaseOf", "redis", "redisOf", "buckets"];
    private static readonly string[] RedisKeys = ["maxMemoryMb", "evictionPolicy"];
    /// <summary>Redis's maxmemory-policy values.</summary>
    public static readonly string[] RedisPolicies = ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"];
    private static readonly string[] DatabaseKeys = ["engine", "extensions", "connectionLimit", "name", "role", .. Data.PostgresTuningReader.Keys];
    private static readonly string[] BucketKeys = ["name", "bucketName", "publicRead", "grants"];
    private static readonly string[] GrantKeys = ["app", "access"];
    private static readonly string[] VolumeKeys = ["name", "mountPath", "sizeGb", "shared"];
    private static readonly string[] ReleaseKeys = ["command"];
    private static readonly string[] JobKeys = ["name", "schedule", "command"];
    private static readonly string[] RateLimitKeys = ["average", "burst"];

    /// <summary>Loads and validates a stack from its files. Throws <see cref="InvalidStackException"/> listing every error.</summary>
    public static StackSettings Load(string projectDir, string stack) => Read(StackFiles.Load(projectDir, stack));

    /// <summary>Validates a parsed stack. Throws <see cref="InvalidStackException"/> listing every error.</summary>
    public static StackSettings Read(ConfigDocument doc)
    {
        var (settings, errors) = TryRead(doc);
        if (errors.Count > 0) throw new InvalidStackException(doc.Stack, errors);
        return settings!;
    }

    /// <summary>The settings (null when unusable) and every error found.</summary>
    public static (StackSettings? Settings, IReadOnlyList<SettingsError> Errors) TryRead(ConfigDocument doc)
    {
        var errors = new List<SettingsError>(doc.Errors);
        // An unreadable file (no such stack, broken YAML) has no values worth checking further.
        if (!doc.Errors.IsEmpty && doc.Values.IsEmpty)
            return (null, errors);

        var r = new NodeReader(errors);
        var values = doc.Values;

        foreach (var name in values.Keys.Where(k => !SettingsSchema.ByName.ContainsKey(k)))
            r.Error(Key(name), "is not a known setting.", NodeReader.Suggest(name, SettingsSchema.ByName.Keys));

        YamlNode? Node(string name)
        {
            var def = SettingsSchema.ByName[name];
            if (!values.TryGetValue(name, out var v))
            {
                if (def.Required && !def.Secret)
                    r.Error(def.Key, "is required but not set.", $"Set it: pulumi config set {name} <value> --stack {doc.Stack}  ({def.Description})");
                return DefaultNode(def);
            }
            if (v.IsSecure && !def.Secret)
            {
                r.Error(def.Key, "is stored as a secret but is not a secret setting.", $"Set it in plain text: pulumi config set {name} <value> --stack {doc.Stack}");
                return DefaultNode(def);
            }
            return v.Node;
        }

        string Str(string name) => r.String(Node(name), Key(name));
        int Int(string name, int min, int max) => r.Int(Node(name), Key(name), (int)(SettingsSchema.ByName[name].Default ?? 0), min, max);
        bool Bool(string name) => r.Bool(Node(name), Key(name), (bool)(SettingsSchema.ByName[name].Default ?? false));

        // Secrets: only whether they are set, and that they really are secret.
        var secretsSet = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var def in SettingsSchema.All.Where(d => d.Secret && d.Type != SettingType.Object))
        {
            if (!values.TryGetValue(def.Name, out var v)) continue;
            if (!v.IsSecure)
                r.Error(def.Key, "is set in plain text, so the secret is in the repository.",
                    $"Remove it from the stack file, rotate it, and set it with: pulumi config set --secret {def.Name} <value> --stack {doc.Stack}");
            else
                secretsSet.Add(def.Name);
        }
        if (values.TryGetValue("appSecrets", out var appSecrets))
            CollectAppSecrets(r, appSecrets, doc.Stack, secretsSet);
        if (values.TryGetValue("registrySecrets", out var registrySecrets))
            CollectRegistrySecrets(r, registrySecrets, doc.Stack, secretsSet);
        if (values.TryGetValue(Operations.AlertChannels.SecretsSetting, out var channelSecrets))
            Operations.AlertChannels.CollectSecrets(r, channelSecrets, doc.Stack, secretsSet);
        var alertChannels = Operations.AlertChannels.Read(r, Node("alertChannels"), secretsSet, doc.Stack);

        var environment = Str("environment") switch
        {
            "prod" => StackEnvironment.Prod,
            "staging" => StackEnvironment.Staging,
            var other => Fail(r, Key("environment"), $"is '{other}'.", "Use staging or prod.", StackEnvironment.Staging),
        };

        var domain = Str("domain").Trim().ToLowerInvariant();
        if (values.ContainsKey("domain") && !Names.IsDomain(domain))
            r.Error(Key("domain"), $"'{domain}' is not a valid domain name.", "Use a lower-case DNS name such as example.com.");
        var zone = Str("zone").Trim().ToLowerInvariant();
        if (zone.Length == 0) zone = domain;
        else if (!Names.IsDomain(zone))
            r.Error(Key("zone"), $"'{zone}' is not a valid domain name.", "Use the Cloudflare zone's name, e.g. example.com, or leave it unset to use the domain.");
        else if (domain != zone && !domain.EndsWith("." + zone, StringComparison.Ordinal))
            r.Error(Key("zone"), $"the domain {domain} is not inside the zone {zone}.", "Set zone to the domain's Cloudflare zone, or leave it unset.");

        var acmeEmail = Str("acmeEmail").Trim();
        if (values.ContainsKey("acmeEmail") && !Names.IsEmail(acmeEmail))
            r.Error(Key("acmeEmail"), $"'{acmeEmail}' is not an e-mail address.", "Give an address Let's Encrypt can write to, e.g. ops@example.com.");

        var server = ReadServer(r, Str, Int, Node, values.ContainsKey("sshPublicKeys"));
        var topology = Parts.TopologySettings.Read(r, values.GetValueOrDefault("servers")?.Node,
            [.. new[] { "serverType", "dataVolumeGb" }.Where(values.ContainsKey)]);
        // A split stack's apps run on its app servers: their type bounds an instance's CPUs.
        if (topology is not null) server = server with { Type = topology.AppType };
        var adminCidrs = ReadCidrs(r, Node("adminCidrs"));
        var cloudflareOnly = Bool("cloudflareOnlyIngress");
        var originPulls = Bool("cloudflareOriginPulls");
        var serverBackups = Bool("serverBackups");

        ServiceSettings Service(string prefix, double cpus, int minMb)
        {
            var image = Str(prefix + "Image");
            if (Names.ImageProblem(image) is { } problem)
                r.Error(Key(prefix + "Image"), $"The image {problem}", "Pin a version tag (e.g. :1.2.3) or a digest (@sha256:…); never latest.");
            return new ServiceSettings(image, Int(prefix + "MemoryMb", minMb, 262144), cpus);
        }

        var postgresService = Service("postgres", 2, 256);
        var postgres = new PostgresSettings(postgresService, Int("postgresMaxConnections", 10, 10000), 0,
            Bool("postgresPitr"), Int("postgresPitrRetentionDays", 1, 3650), Int("postgresPitrStorageGb", 0, 1_000_000),
            Parts.Upgrades.UpgradeSettingsReader.Read(r, values.GetValueOrDefault("postgresUpgrade")?.Node, Key("postgresUpgrade"),
                Data.GuardedEngine.Postgres, postgresService.Image, "postgresImage", Blueprint.BlueprintBuilder.PostgresDataVolume))
        { Tuning = Data.PostgresTuningReader.Read(r, values.GetValueOrDefault("postgresTuning")?.Node) };
        var pgbouncer = new PgBouncerSettings(Service("pgbouncer", 0.5, 16),
            Int("pgbouncerMaxClientConn", 1, 100000), Int("pgbouncerDefaultPoolSize", 1, 10000),
            Int("pgbouncerMinPoolSize", 0, 10000), Int("pgbouncerReservePoolSize", 0, 10000));
        if (pgbouncer.MinPoolSize > pgbouncer.DefaultPoolSize)
            r.Error(Key("pgbouncerMinPoolSize"), $"({pgbouncer.MinPoolSize}) is larger than pgbouncerDefaultPoolSize ({pgbouncer.DefaultPoolSize}).", "Lower pgbouncerMinPoolSize or raise pgbouncerDefaultPoolSize.");

        var mariadbImage = Str("mariadbImage").Trim();
        var mariadb = new Parts.MariaDb.MariaDbSettings
        {
            Image = mariadbImage,
            Upgrade = Parts.Upgrades.UpgradeSettingsReader.Read(r, values.GetValueOrDefault("mariadbUpgrade")?.Node, Key("mariadbUpgrade"),
                Data.GuardedEngine.MariaDb, mariadbImage, "mariadbImage", Parts.MariaDb.MariaDbNames.DataVolume),
            MemoryMb = Int("mariadbMemoryMb", 1, 262144),
            MaxConnections = Int("mariadbMaxConnections", 0, 10000),
            Protect = environment == StackEnvironment.Prod,
        };

        var redisImage = Str("redisImage");
        if (Names.ImageProblem(redisImage) is { } redisProblem)
            r.Error(Key("redisImage"), $"The image {redisProblem}", "Pin a version tag (e.g. :7.4.2-alpine) or a digest; never latest.");
        var redisMax = Int("redisMaxMemoryMb", 16, 131072);
        var eviction = Str("redisEvictionPolicy");
        if (!RedisPolicies.Contains(eviction))
            r.Error(Key("redisEvictionPolicy"), $"'{eviction}' is not a Redis eviction policy.", $"Use one of: {string.Join(", ", RedisPolicies)}.");
        var redis = new RedisSettings(new ServiceSettings(redisImage, redisMax * 2, 1), redisMax, eviction);

        var backups = ReadBackups(r, Str, Int, Bool, Service, secretsSet, environment, doc.Stack) with
        {
            AgeRecipients = ReadAgeRecipients(r, Node("backupAgeRecipients")),
            RetentionByBucket = Bool("backupRetentionByBucket"),
            StorageBox = Operations.StorageBox.Read(r, values.GetValueOrDefault("backupStorageBox")?.Node, secretsSet, Bool("backupsEnabled"), doc.Stack),
        };
        // The runner encrypts to the age recipients without a passphrase; pgBackRest (point-in-time recovery) has only
        // symmetric repository encryption, so it still needs the passphrase.
        if (backups.Enabled && backups.Encrypt && !secretsSet.Contains("backupEncryptionPassphrase") && (backups.AgeRecipients.IsEmpty || postgres.Pitr))
            r.Error(Key("backupEncryptionPassphrase"), backups.AgeRecipients.IsEmpty
                    ? "is required when backupEncrypt is true."
                    : "is required with postgresPitr: pgBackRest encrypts its archive with a passphrase only (backupAgeRecipients cover the other archives).",
                $"Generate a long passphrase, keep a copy outside this platform, and run: pulumi config set --secret backupEncryptionPassphrase <passphrase> --stack {doc.Stack}");
        if (backups.RetentionByBucket && postgres.Pitr)
            r.Error(Key("backupRetentionByBucket"), "is true with postgresPitr: pgBackRest expires its own backups and WAL in order, and a bucket rule deleting them by age would break the chain a restore replays.",
                "Set backupRetentionByBucket to false, or postgresPitr to false.");
        if (!backups.AgeRecipients.IsEmpty && !backups.Encrypt)
            r.Error(Key("backupAgeRecipients"), "is set but backupEncrypt is false, so nothing would be encrypted to them.", "Set backupEncrypt to true, or remove backupAgeRecipients.");
        if (postgres.Pitr && !backups.Enabled)
            r.Error(Key("postgresPitr"), "is true but backupsEnabled is false: WAL and base backups go to the backup bucket.",
                $"Turn backups on (pulumi config set backupsEnabled true --stack {doc.Stack}, with the backupS3* settings), or set postgresPitr to false.");
        if (environment == StackEnvironment.Prod && !secretsSet.Contains("alertWebhookUrl") && alertChannels.IsEmpty)
            r.Error(Key("alertWebhookUrl"), "is not set on a prod stack and platform:alertChannels lists none, so a red monitor would alert nobody.",
                $"pulumi config set --secret alertWebhookUrl <https://hooks.example.com/…> --stack {doc.Stack}, or declare a channel in platform:alertChannels (Slack, Discord, Telegram, e-mail)");

        if (!secretsSet.Contains("cloudflareApiToken") && !values.ContainsKey("cloudflareApiToken") && topology?.LoadBalanced != true)
            r.Error(Key("cloudflareApiToken"), "is required but not set (Traefik needs it for the DNS-01 challenge).",
                $"Create a Cloudflare token with Zone:DNS:Edit on {(zone.Length > 0 ? zone : "the zone")} and run: pulumi config set --secret cloudflareApiToken <token> --stack {doc.Stack}");

        var apps = ReadApps(r, Node("apps"), doc.Stack, secretsSet, ServerTypes.All.GetValueOrDefault(server.Type)?.Vcpus ?? 64, topology?.AppCount ?? 1);

        var settings = new StackSettings
        {
            Project = doc.Project,
            Stack = doc.Stack,
            Environment = environment,
            Domain = domain,
            Zone = zone,
            AcmeEmail = acmeEmail,
            Server = server,
            AdminCidrs = adminCidrs,
            CloudflareOnlyIngress = cloudflareOnly,
            CloudflareOriginPulls = originPulls,
            ServerBackups = serverBackups,
            Postgres = postgres,
            PgBouncer = pgbouncer,
            Redis = redis,
            MariaDb = mariadb,
            Minio = Service("minio", 1, 128),
            MinioConsole = ReadMinioConsole(r, Str("minioConsoleHost"), values.GetValueOrDefault("minioConsoleAllowCidrs")?.Node),
            Traefik = Service("traefik", 1, 64),
            UptimeKuma = Service("uptimeKuma", 0.5, 128),
            AutoKuma = AutoKumaService(r, Service("autoKuma", 0.25, 32)),
            SocketProxy = Service("socketProxy", 0.25, 16),
            Backups = backups,
            Monitoring = new MonitoringSettings(secretsSet.Contains("alertWebhookUrl"), Int("hostMetricsMemoryMb", 16, 4096)) { Channels = alertChannels },
            Observability = Parts.Observability.ObservabilitySettingsReader.Read(r, values.GetValueOrDefault("observability")?.Node, adminCidrs),
            Apps = apps,
            BackupStorageGb = Int("backupStorageGb", 0, 1_000_000),
            Prices = ReadPrices(r, values.GetValueOrDefault("prices")?.Node),
            Registries = ReadRegistries(r, values.GetValueOrDefault("registries")?.Node, doc.Stack, secretsSet),
            ImageDigests = Parts.Images.ImageDigests.Read(r, values.GetValueOrDefault(Parts.Images.ImageDigests.Name)?.Node),
            SecretPlaceholders = Placeholders(values),
            DataVolumeGb = topology?.DataVolumeGb ?? DataVolume(r, Int("dataVolumeGb", 0, 10000)),
            Topology = topology,
            SecretsSet = secretsSet.ToImmutable(),
        };

        settings = Parts.Maintenance.DayTwoSettingsReader.Read(r, name => values.GetValueOrDefault(name)?.Node, settings); // maintenance, releases, reboots
        // 0: max_connections follows the apps (20 tenant stores of 20 connections each need 410, not the 100 of a fixed default).
        if (settings.MariaDb.MaxConnections == 0)
            settings = settings with
            {
                MariaDb = settings.MariaDb with
                {
                    MaxConnections = Parts.MariaDb.MariaDbSettings.Derived(Blueprint.BlueprintBuilder.MariaDbRequests(settings).Select(x => x.Request.ConnectionLimit)), MaxConnectionsDerived = true,
                },
            };
        if (settings.MariaDb.Upgrade is not null && !settings.UsesMariaDb)
            r.Error(Key("mariadbUpgrade"), "is set, but no app uses MariaDB, so there is no MariaDB data to upgrade.",
                "Remove mariadbUpgrade: it moves the data of a MariaDB that runs to a new series.");
        SettingsRules.Check(settings = Parts.Edge.PlatformEdgeSettings.Read(r, values, settings), r);
        errors = ErrorCauses.Collapse(errors);
        return (errors.Count == 0 ? settings : null, errors);
    }

    private static string Key(string name) => SettingsSchema.Namespace + ":" + name;

    /// <summary>Docker's smallest CPU limit (its NanoCPUs are whole multiples of 10⁷).</summary>
    public const double MinCpus = 0.01;

    /// <summary>The largest price override: far above any server's, and small enough that no cost sum can overflow.</summary>
    public const decimal MaxPrice = 100_000m;

    /// <summary>
    /// Whether a health command has one of Docker's forms: <c>[CMD, program, arg…]</c> (run directly),
    /// <c>[CMD-SHELL, "command"]</c> (run by /bin/sh) — <c>[NONE]</c> would turn the check off, which the
    /// platform never allows. Null when it is fine; otherwise the problem and the fix.
    /// </summary>
    internal static (string Problem, string Fix)? HealthCommandProblem(IReadOnlyList<string> test)
    {
        const string forms = "Docker's forms are [CMD, <program>, <arg>…] and [CMD-SHELL, \"<shell command>\"].";
        var shellLine = string.Join(' ', test.Skip(1));
        if (test.Any(a => a.Any(c => char.IsControl(c) && c != '\t')))
            return ("contains a control character (NUL, a line break or an escape sequence).", "Remove it; write the command on one line.");
        switch (test[0])
        {
            case "NONE":
                return ("is [NONE], which turns the health check off; every container must have one.", "Give a check: [CMD, <program>, <arg>…] or [CMD-SHELL, \"<shell command>\"], or use healthPath for an HTTP app.");
            case "CMD":
                if (test.Count == 1)
                    return ("is [CMD] without a program.", "Add the program and its arguments, e.g. [CMD, /app/healthcheck].");
                if (string.IsNullOrWhiteSpace(test[1]))
                    return ("has an empty program after CMD.", "Put the program first, e.g. [CMD, /app/healthcheck].");
                // [CMD, sh, -c, "a | b"] runs a shell on purpose: its script may use shell syntax.
                var runsShell = test.Count >= 3 && Path.GetFileName(test[1]) is "sh" or "bash" or "ash" or "dash" or "zsh" && test[2] == "-c";
                var shellish = runsShell ? null : test.Skip(1).FirstOrDefault(a => ShellOperators.Any(op => a.Contains(op, StringComparison.Ordinal)));
                if (shellish is not null)
                    return ($"runs without a shell, but '{shellish}' uses shell syntax ({string.Join(" ", ShellOperators.Where(op => shellish.Contains(op, StringComparison.Ordinal)))}), which CMD passes to the program as plain text.",
                        $"Use the shell form: [CMD-SHELL, \"{shellLine.Replace("\"", "\\\"", StringComparison.Ordinal)}\"].");
                return null;
            case "CMD-SHELL":
                if (test.Count != 2)
                    return (test.Count == 1 ? "is [CMD-SHELL] without a command." : $"has {test.Count - 1} items after CMD-SHELL; the shell form takes the whole command as one string.",
                        test.Count == 1 ? "Add the command as one string, e.g. [CMD-SHELL, \"curl -fsS http://localhost:8080/healthz || exit 1\"]." : $"Join them into one string: [CMD-SHELL, \"{shellLine.Replace("\"", "\\\"", StringComparison.Ordinal)}\"], or use [CMD, …] to run a program without a shell.");
                if (string.IsNullOrWhiteSpace(test[1]))
                    return ("has an empty shell command.", "Give the command, e.g. [CMD-SHELL, \"pg_isready || exit 1\"].");
                return null;
            default:
                return ($"starts with '{test[0]}', not CMD or CMD-SHELL. {forms}",
                    ShellOperators.Any(op => string.Join(' ', test).Contains(op, StringComparison.Ordinal)) || test.Count == 1
                        ? $"Write [CMD-SHELL, \"{string.Join(' ', test).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]."
                        : $"Write [CMD, {string.Join(", ", test)}].");
        }
    }

    /// <summary>Shell syntax that means nothing to a program run directly: a CMD check using it wanted CMD-SHELL.</summary>
    private static readonly string[] ShellOperators = ["|", "&&", ";", "$(", "`", ">"];

    /// <summary>A host ending in a public-suffix-like label (com, io, dev, …) was almost surely written as a full domain.</summary>
    private static bool LooksLikeFullDomain(string host) =>
        host.Split('.')[^1] is "com" or "net" or "org" or "io" or "dev" or "app" or "de" or "eu" or "co" or "uk" or "fr" or "nl" or "ch" or "at" or "cloud" or "ai";

    private static ImmutableSortedDictionary<string, decimal> ReadPrices(NodeReader r, YamlNode? node)
    {
        var prices = ImmutableSortedDictionary.CreateBuilder<string, decimal>(StringComparer.Ordinal);
        if (node is null) return prices.ToImmutable();
        if (node is not YamlMappingNode map)
        {
            r.Error(Key("prices"), "must be a mapping of item to EUR price.", "Write e.g. 'prices: { ccx23: 29.99, backupStoragePerGb: 0.006 }'.");
            return prices.ToImmutable();
        }
        foreach (var (k, v) in map.Children)
        {
            var item = (k as YamlScalarNode)?.Value ?? "";
            var key = $"{Key("prices")}.{item}";
            if (!Catalog.ServerTypes.All.ContainsKey(item) && item is not ("ipv4" or "backupStoragePerGb" or "volumePerGb" or Catalog.Prices.LoadBalancerType) && !Operations.StorageBox.Products.ContainsKey(item))
            {
                r.Error(key, "is not a priced item.", NodeReader.Suggest(item, [.. Catalog.ServerTypes.All.Keys, "ipv4", "backupStoragePerGb", "volumePerGb", Catalog.Prices.LoadBalancerType, .. Operations.StorageBox.Products.Keys]));
                continue;
            }
            var text = r.Scalar(v, key, "a price");
            if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0 || price > MaxPrice)
                r.Error(key, $"'{text}' is not a price.", $"Give EUR as a number from 0 to {MaxPrice.ToString(CultureInfo.InvariantCulture)}, e.g. 29.99.");
            else
                prices[item] = price;
        }
        return prices.ToImmutable();
    }

    private static ServiceSettings AutoKumaService(NodeReader r, ServiceSettings service)
    {
        if (Names.ImageProblem(service.Image) is null && Operations.AutoKuma.ImageProblem(service.Image) is { } problem)
            r.Error(Key("autoKumaImage"), problem, "Use ghcr.io/bigboot/autokuma:2.0.0 or a later 2.x, with Uptime Kuma 2.");
        return service;
    }

    private static YamlScalarNode? DefaultNode(SettingDef def) => def.Default switch
    {
        null => null,
        bool b => new YamlScalarNode(b ? "true" : "false"),
        var v => new YamlScalarNode(Convert.ToString(v, CultureInfo.InvariantCulture)),
    };

    private static T Fail<T>(NodeReader r, string key, string problem, string fix, T fallback)
    {
        r.Error(key, problem, fix);
        return fallback;
    }

    private static ServerSettings ReadServer(NodeReader r, Func<string, string> str, Func<string, int, int, int> integer,
        Func<string, YamlNode?> node, bool keysSet)
    {
        var type = str("serverType");
        if (!ServerTypes.All.ContainsKey(type))
            r.Error(Key("serverType"), $"'{type}' is not a Hetzner Cloud server type this platform knows.",
                $"Use one of: {string.Join(", ", ServerTypes.All.Keys.Order(StringComparer.Ordinal))}.");
        var location = str("serverLocation");
        if (!ServerTypes.Locations.Contains(location))
            r.Error(Key("serverLocation"), $"'{location}' is not a Hetzner Cloud location.", $"Use one of: {string.Join(", ", ServerTypes.Locations.Order(StringComparer.Ordinal))}.");
        var image = str("serverImage");
        if (string.IsNullOrWhiteSpace(image))
            r.Error(Key("serverImage"), "is empty.", "Use an Ubuntu LTS image name such as ubuntu-24.04.");

        var keys = r.StringList(node("sshPublicKeys"), Key("sshPublicKeys"));
        if (keysSet && keys.IsEmpty)
            r.Error(Key("sshPublicKeys"), "is empty, so nobody could log in.", "List at least one SSH public key.");
        for (var i = 0; i < keys.Length; i++)
        {
            if (!Names.IsSshPublicKey(keys[i]))
                r.Error($"{Key("sshPublicKeys")}[{i}]", "is not an OpenSSH public key line.",
                    "Paste the whole line of your .pub file, e.g. 'ssh-ed25519 AAAAC3… you@example.com' (never a private key).");
        }
        var user = str("deployUser");
        if (!System.Text.RegularExpressions.Regex.IsMatch(user, "^[a-z_][a-z0-9_-]{0,31}$") || user == "root")
            r.Error(Key("deployUser"), $"'{user}' is not usable as the deploy user.", "Use a lower-case Unix user name other than root, e.g. deploy.");
        return new ServerSettings(type, location, image, keys, user, integer("osReserveMb", 256, 65536));
    }

    private static ImmutableArray<string> ReadCidrs(NodeReader r, YamlNode? node)
    {
        var cidrs = r.StringList(node, Key("adminCidrs"));
        if (node is not null && cidrs.IsEmpty)
            r.Error(Key("adminCidrs"), "is empty, so SSH would be closed to everyone and deployments would fail.", "List your office or VPN CIDRs, e.g. 203.0.113.10/32.");
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < cidrs.Length; i++)
        {
            var key = $"{Key("adminCidrs")}[{i}]";
            if (!Names.TryParseCidr(cidrs[i], out var network, out var canonical))
                r.Error(key, $"'{cidrs[i]}' is not a CIDR.", "Write an address with a prefix length, e.g. 203.0.113.10/32 or 2001:db8::/48.");
            else if (!canonical)
                r.Error(key, $"'{cidrs[i]}' has host bits set.", $"Write it as {network}.");
            else if (network.PrefixLength == 0)
                r.Error(key, $"'{cidrs[i]}' opens SSH to the whole internet.", "List only your office or VPN CIDRs.");
            else
                result.Add(cidrs[i]);
        }
        return result.ToImmutable();
    }

    private static BackupSettings ReadBackups(NodeReader r, Func<string, string> str, Func<string, int, int, int> integer,
        Func<string, bool> boolean, Func<string, double, int, ServiceSettings> service, ImmutableSortedSet<string>.Builder secrets,
        StackEnvironment environment, string stack)
    {
        var enabled = boolean("backupsEnabled");
        var settings = new BackupSettings(
            enabled,
            service("backup", 1, 32),
            str("backupS3Endpoint").Trim(),
            str("backupS3Bucket").Trim(),
            str("backupS3Region").Trim(),
            boolean("backupEncrypt"),
            Schedule(r, str, "backupPostgresDailySchedule"),
            integer("backupPostgresDailyRetentionDays", 1, 3650),
            Schedule(r, str, "backupPostgresHourlySchedule"),
            integer("backupPostgresHourlyRetentionHours", 1, 720),
            Schedule(r, str, "backupRedisSchedule"),
            integer("backupRedisRetentionHours", 1, 720),
            Schedule(r, str, "backupMinioSchedule"),
            integer("backupMinioRetentionDays", 1, 3650)) { HourlyEnabled = boolean("backupHourlyEnabled") };

        if (environment == StackEnvironment.Prod && !enabled)
            r.Error(Key("backupsEnabled"), "is false on a prod stack; prod data would have no off-site copy.", $"Set it to true and configure the backupS3* settings: pulumi config set backupsEnabled true --stack {stack}");
        if (!enabled) return settings;

        if (settings.S3Endpoint.Length == 0)
            r.Error(Key("backupS3Endpoint"), "is required when backups are enabled.", $"Set the off-site S3 endpoint host: pulumi config set backupS3Endpoint s3.eu-central-003.backblazeb2.com --stack {stack}");
        else if (!Names.IsDomain(settings.S3Endpoint.ToLowerInvariant()))
            r.Error(Key("backupS3Endpoint"), $"'{settings.S3Endpoint}' is not a host name.", "Give the endpoint's host name only, without https:// or a path.");
        if (settings.S3Bucket.Length == 0)
            r.Error(Key("backupS3Bucket"), "is required when backups are enabled.", $"pulumi config set backupS3Bucket <bucket> --stack {stack}");
        else if (!System.Text.RegularExpressions.Regex.IsMatch(settings.S3Bucket, "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"))
            r.Error(Key("backupS3Bucket"), $"'{settings.S3Bucket}' is not a valid S3 bucket name.", "Use 3–63 lower-case letters, digits, dots and hyphens.");
        foreach (var name in new[] { "backupS3AccessKeyId", "backupS3SecretAccessKey" })
        {
            if (!secrets.Contains(name))
                r.Error(Key(name), "is required when backups are enabled.", $"pulumi config set --secret {name} <value> --stack {stack}");
        }
        return settings;
    }

    private static ImmutableArray<string> ReadAgeRecipients(NodeReader r, YamlNode? node)
    {
        if (node is null) return [];
        var keys = r.StringList(node, Key("backupAgeRecipients"));
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i].Trim();
            if (Operations.AgeRecipients.IsValid(key)) result.Add(key);
            else if (Operations.AgeRecipients.IsPrivateKey(key))
                r.Error($"{Key("backupAgeRecipients")}[{i}]", "is an age private key; it must never be in a stack file or on a server.",
                    "Remove it from the file (and rotate it: it is in git history now), and give the public key age-keygen -y prints (age1…).");
            else
                r.Error($"{Key("backupAgeRecipients")}[{i}]", $"'{(key.Length > 24 ? key[..24] + "…" : key)}' is not an age recipient.",
                    "Give the public key age-keygen prints (age1…, 62 characters, copied whole: its last 6 are a checksum), or an ssh-ed25519/ssh-rsa public key line; keep the private key off the servers.");
        }
        return result.ToImmutable();
    }

    private static string Schedule(NodeReader r, Func<string, string> str, string name)
    {
        var value = str(name).Trim();
        if (!Operations.CronSchedule.TryParse(value, out var schedule, out var problem))
        {
            r.Error(Key(name), $"'{value}' is not a valid cron schedule: {problem}", "Use five fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *' (03:00 UTC daily).");
            return value;
        }
        var gap = schedule!.LongestGap();
        if (gap is null)
            r.Error(Key(name), $"'{value}' never fires: no date matches it (e.g. 31 February, or 31 April).",
                "Use a day of the month that every chosen month has, e.g. '0 3 28 2 *', or '0 3 * * *' for daily.");
        else if (gap.Value.TotalSeconds + Operations.Backups.HeartbeatGraceSeconds > Operations.MonitorSpec.MaxIntervalSeconds)
            r.Error(Key(name), $"'{value}' can leave {gap.Value.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days between runs; the job's heartbeat monitor cannot wait longer than {Operations.MonitorSpec.MaxIntervalSeconds / 86400} days (Uptime Kuma's limit), so a stopped job would go unnoticed.",
                "Run it at least every 23 days, e.g. weekly '0 3 * * 0' or daily '0 3 * * *'.");
        return value;
    }

    /// <summary>Every secret key (with its path, e.g. appSecrets.web.SESSION_SECRET) whose value is still the placeholder.</summary>
    private static ImmutableSortedSet<string> Placeholders(IReadOnlyDictionary<string, ConfigValue> values)
    {
        var found = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        void Walk(string path, YamlNode? node)
        {
            if (node is null) return;
            if (StackFiles.IsPlaceholder(node)) { found.Add(path); return; }
            if (node is YamlMappingNode map && !StackFiles.IsSecure(node))
                foreach (var (k, v) in map.Children)
                    if (k is YamlScalarNode { Value: { } name }) Walk($"{path}.{name}", v);
        }
        foreach (var (name, value) in values)
        {
            if (value.IsPlaceholder) found.Add(name);
            else Walk(name, value.Node);
        }
        return found.ToImmutable();
    }

    /// <summary>Hetzner Volumes are 10 GB at least; 0 means none.</summary>
    private static int DataVolume(NodeReader r, int gb)
    {
        if (gb is > 0 and < 10)
            r.Error(Key("dataVolumeGb"), $"is {gb.ToString(CultureInfo.InvariantCulture)} GB, but a Hetzner Volume has at least 10 GB.", "Set 0 (data on the server's disk) or a size from 10 to 10000.");
        return gb;
    }

    private static readonly string[] RegistryKeys = ["name", "address", "username"];

    private static ImmutableArray<RegistrySettings> ReadRegistries(NodeReader r, YamlNode? node, string stack, ImmutableSortedSet<string>.Builder secrets)
    {
        if (node is null) return [];
        if (node is not YamlSequenceNode list)
        {
            r.Error(Key("registries"), "must be a list of { name, address, username }.", "Write e.g. 'registries: [{ name: ghcr, address: ghcr.io, username: deploy-bot }]'.");
            return [];
        }
        var result = ImmutableArray.CreateBuilder<RegistrySettings>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var key = $"{Key("registries")}[{i}]";
            if (list.Children[i] is not YamlMappingNode entry)
            {
                r.Error(key, "must be a mapping { name, address, username }.", "Write e.g. '{ name: ghcr, address: ghcr.io, username: deploy-bot }'.");
                continue;
            }
            foreach (var unknown in entry.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(k => !RegistryKeys.Contains(k)))
                r.Error($"{key}.{unknown}", "is not a registry setting.", NodeReader.Suggest(unknown, RegistryKeys));
            string Field(string name)
            {
                var value = entry.Children.TryGetValue(new YamlScalarNode(name), out var v) ? (v as YamlScalarNode)?.Value ?? "" : "";
                if (value.Length == 0) r.Error($"{key}.{name}", "is required.", "Give the registry's name, address (e.g. ghcr.io) and user name.");
                return value.Trim();
            }
            var registry = new RegistrySettings(Field("name"), Field("address").ToLowerInvariant(), Field("username"));
            if (registry.Name.Length > 0 && !Names.IsAppName(registry.Name))
                r.Error($"{key}.name", $"'{registry.Name}' is not a valid name.", "Use lower-case letters, digits and hyphens, e.g. ghcr.");
            if (registry.Address.Length > 0 && !Names.IsDomain(registry.Address.Split(':')[0]))
                r.Error($"{key}.address", $"'{registry.Address}' is not a registry host.", "Use the registry's host name, e.g. ghcr.io or registry.gitlab.com.");
            if (result.Any(x => x.Name == registry.Name))
                r.Error($"{key}.name", $"'{registry.Name}' is listed twice.", "Give each registry its own name.");
            if (result.Any(x => x.Address == registry.Address))
                r.Error($"{key}.address", $"'{registry.Address}' is listed twice.", "List each registry once.");
            if (registry.Name.Length > 0 && !secrets.Contains(registry.SecretKey))
                r.Error($"{Key("registrySecrets")}.{registry.Name}", "is required but not set (the registry's password or token).",
                    $"pulumi config set --secret --path '{registry.SecretKey}' <token> --stack {stack}");
            result.Add(registry);
        }
        return result.ToImmutable();
    }

    private static void CollectRegistrySecrets(NodeReader r, ConfigValue value, string stack, ImmutableSortedSet<string>.Builder set)
    {
        if (value.Node is not YamlMappingNode registries || value.IsSecure)
        {
            r.Error(Key("registrySecrets"), "must be a mapping of registry name to its secret.", $"Set each with: pulumi config set --secret --path 'registrySecrets.<name>' <token> --stack {stack}");
            return;
        }
        foreach (var (nameKey, secretNode) in registries.Children)
        {
            var name = (nameKey as YamlScalarNode)?.Value ?? "";
            var key = $"registrySecrets.{name}";
            if (StackFiles.IsSecure(secretNode)) set.Add(key);
            else
                r.Error($"{Key("registrySecrets")}.{name}", "is set in plain text, so the secret is in the repository.",
                    $"Remove it, rotate it, and run: pulumi config set --secret --path '{key}' <value> --stack {stack}");
        }
    }

    private static void CollectAppSecrets(NodeReader r, ConfigValue value, string stack, ImmutableSortedSet<string>.Builder set)
    {
        if (value.IsSecure)
        {
            r.Error(Key("appSecrets"), "is one encrypted blob, so no app secret can be checked or referenced.",
                $"Set each value on its own path: pulumi config set --secret --path 'appSecrets.<app>.<NAME>' <value> --stack {stack}");
            return;
        }
        if (value.Node is not YamlMappingNode apps)
        {
            r.Error(Key("appSecrets"), "must be a mapping of app name to secret values.", "Set values with: pulumi config set --secret --path 'appSecrets.<app>.<NAME>' <value>");
            return;
        }
        foreach (var (appKey, appNode) in apps.Children)
        {
            var app = (appKey as YamlScalarNode)?.Value ?? "";
            if (appNode is not YamlMappingNode names) continue;
            foreach (var (nameKey, secretNode) in names.Children)
            {
                var name = (nameKey as YamlScalarNode)?.Value ?? "";
                var key = $"appSecrets.{app}.{name}";
                if (StackFiles.IsSecure(secretNode)) set.Add(key);
                else
                    r.Error($"{Key("appSecrets")}.{app}.{name}", "is set in plain text, so the secret is in the repository.",
                        $"Remove it, rotate it, and run: pulumi config set --secret --path '{key}' <value> --stack {stack}");
            }
        }
    }

    private static ImmutableArray<AppSettings> ReadApps(NodeReader r, YamlNode? node, string stack, ImmutableSortedSet<string>.Builder secrets, int serverVcpus, int defaultInstances)
    {
        var key = Key("apps");
        if (node is null) return [];
        if (node is not YamlSequenceNode seq)
        {
            r.Error(key, "must be a list of apps.", "Write one entry per app, each starting with '- name: …'.");
            return [];
        }
        var apps = ImmutableArray.CreateBuilder<AppSettings>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (ReadApp(r, seq.Children[i], i, stack, secrets, serverVcpus, defaultInstances) is { } app) apps.Add(app);
        }
        return apps.ToImmutable();
    }

    private static AppSettings? ReadApp(NodeReader r, YamlNode node, int index, string stack, ImmutableSortedSet<string>.Builder secrets, int serverVcpus, int defaultInstances)
    {
        var key = $"{Key("apps")}[{index}]";
        var m = r.Mapping(node, key, AppKeys);
        if (node is not YamlMappingNode) return null;

        var name = r.String(m.GetValueOrDefault("name"), $"{key}.name");
        if (!m.ContainsKey("name"))
            r.Error($"{key}.name", "is required.", "Give the app a name, e.g. 'name: api' (lower-case letters, digits, hyphens).");
        else if (!Names.IsAppName(name))
            r.Error($"{key}.name", $"'{name}' is not a valid app name.", "Use 2–30 lower-case letters, digits and hyphens, starting with a letter, e.g. 'api' or 'web-admin'.");

        var image = r.String(m.GetValueOrDefault("image"), $"{key}.image");
        if (!m.ContainsKey("image"))
            r.Error($"{key}.image", "is required.", "Give a pinned image, e.g. 'ghcr.io/acme/api:1.4.2'.");
        else if (Names.ImageProblem(image) is { } problem)
            r.Error($"{key}.image", $"The image {problem}", "Pin a version tag (e.g. :1.4.2) or a digest (@sha256:…); never latest.");

        int? port = m.TryGetValue("port", out var portNode) ? r.Int(portNode, $"{key}.port", 8080, 1, 65535) : null;

        var routes = ImmutableArray.CreateBuilder<RouteSettings>();
        foreach (var (routeNode, rk) in r.Sequence(m.GetValueOrDefault("routes"), $"{key}.routes", "Write each route as '- host: app' (optionally with path and websockets)."))
            routes.Add(ReadRoute(r, routeNode, rk, name, stack, secrets));

        if (routes.Count > 0 && port is null)
            r.Error($"{key}.port", "is required because the app has routes.", "Give the port the app listens on inside its container, e.g. 'port: 8080'.");

        string? healthPath = null;
        if (m.TryGetValue("healthPath", out var hpNode))
        {
            healthPath = r.String(hpNode, $"{key}.healthPath");
            if (InputRules.HealthPathProblem(healthPath) is { } healthProblem)
                r.Error($"{key}.healthPath", healthProblem.Problem, healthProblem.Fix);
            if (port is null)
                r.Error($"{key}.healthPath", "needs a port to be checked on.", "Add 'port:', or use healthCommand for an app without a port.");
        }
        var healthCommand = m.TryGetValue("healthCommand", out var hcNode) ? r.StringList(hcNode, $"{key}.healthCommand") : [];
        if (!healthCommand.IsEmpty && HealthCommandProblem(healthCommand) is { } hc)
            r.Error($"{key}.healthCommand", hc.Problem, hc.Fix);
        else if (hcNode is not null && healthCommand.IsEmpty && hcNode is YamlSequenceNode)
            r.Error($"{key}.healthCommand", "is an empty list.", "Give Docker's form: [CMD, <program>, <arg>…] or [CMD-SHELL, \"<shell command>\"].");
        if (healthPath is null && healthCommand.IsEmpty)
            r.Error($"{key}.healthPath", "is required: every container must have a health check.",
                port is null ? "Add 'healthCommand: [\"CMD\", \"your-check\"]' (the app has no port)." : "Add 'healthPath: /healthz' (an endpoint that answers 200 when the app is ready).");
        if (healthPath is not null && !healthCommand.IsEmpty)
            r.Error($"{key}.healthCommand", "is set together with healthPath.", "Keep one: healthPath for HTTP apps, healthCommand otherwise.");

        var command = m.TryGetValue("command", out var cmdNode) ? r.StringList(cmdNode, $"{key}.command") : [];
        // NUL bytes and escape sequences in this and every other argv: InputRules.
        if (!m.ContainsKey("cpus")) r.Error($"{key}.cpus", "is required: every container gets a CPU limit.", "Add e.g. 'cpus: 0.5'.");
        var cpus = r.Number(m.GetValueOrDefault("cpus"), $"{key}.cpus", 0.5, MinCpus, serverVcpus,
            $"Docker's smallest CPU limit is {MinCpus.ToString(CultureInfo.InvariantCulture)}; the server type has {serverVcpus} vCPUs.");
        // The Docker provider reads the limit back in its own decimal form; some values come back as another
        // limit (0.01 as "0.0", i.e. none), which would replace the container on every deployment.
        if (m.ContainsKey("cpus") && cpus > 0 && !Canonical.DockerForms.CpusRoundTrip(cpus))
            r.Error($"{key}.cpus", $"{cpus.ToString(CultureInfo.InvariantCulture)} is not a limit Docker's provider reads back unchanged.",
                "Use a multiple of 0.1 or of 0.25 (e.g. 0.1, 0.25, 0.5, 1.5).");
        if (!m.ContainsKey("memoryMb")) r.Error($"{key}.memoryMb", "is required: every container gets a memory limit.", "Add e.g. 'memoryMb: 256'.");
        var memory = r.Int(m.GetValueOrDefault("memoryMb"), $"{key}.memoryMb", 256, 16, 262144);
        // By default an app has an instance on every app server (one on a single server).
        var instances = m.TryGetValue("instances", out var instNode) ? r.Int(instNode, $"{key}.instances", 1, 1, 20) : defaultInstances;

        var env = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (m.TryGetValue("env", out var envNode))
        {
            if (envNode is not YamlMappingNode envMap)
                r.Error($"{key}.env", "must be a mapping of NAME: value.", "Write e.g. 'env: { LOG_LEVEL: info }'.");
            else
            {
                foreach (var (k, v) in envMap.Children)
                {
                    var envName = (k as YamlScalarNode)?.Value ?? "";
                    var ek = $"{key}.env.{envName}";
                    if (!Names.IsEnvName(envName))
                    {
                        r.Error(ek, $"'{envName}' is not an environment variable name.", "Use letters, digits and underscores, not starting with a digit, e.g. LOG_LEVEL.");
                        continue;
                    }
                    if (StackFiles.IsSecure(v))
                    {
                        r.Error(ek, "is a secret inside env.", $"List the name under secretEnv and set the value with: pulumi config set --secret --path 'appSecrets.{name}.{envName}' <value> --stack {stack}");
                        continue;
                    }
                    var envValue = r.String(v, ek);
                    if (envValue.Any(c => char.IsControl(c) && c != '\t'))
                    {
                        r.Error(ek, "contains a control character (NUL, a line break or an escape sequence), which Docker cannot pass or the app would misread.",
                            "Remove it; use a secretEnv value for anything binary, and encode it (e.g. base64).");
                        continue;
                    }
                    env[envName] = envValue;
                }
            }
        }

        var secretEnv = m.TryGetValue("secretEnv", out var seNode) ? r.StringList(seNode, $"{key}.secretEnv") : [];
        for (var j = 0; j < secretEnv.Length; j++)
        {
            var sk = $"{key}.secretEnv[{j}]";
            if (!Names.IsEnvName(secretEnv[j]))
                r.Error(sk, $"'{secretEnv[j]}' is not an environment variable name.", "Use letters, digits and underscores, not starting with a digit, e.g. STRIPE_API_KEY.");
            else if (env.ContainsKey(secretEnv[j]))
                r.Error(sk, $"{secretEnv[j]} is also in env.", "Keep it in one place: secretEnv for secrets, env for plain values.");
            else if (!secrets.Contains($"appSecrets.{name}.{secretEnv[j]}"))
                r.Error(sk, $"{secretEnv[j]} has no value in this stack.", $"pulumi config set --secret --path 'appSecrets.{name}.{secretEnv[j]}' <value> --stack {stack}");
        }

        DatabaseNeed? database = null;
        string? databaseOf = null;
        RedisNeed? redis = null;
        string? redisOf = null;
        var buckets = ImmutableArray.CreateBuilder<BucketNeed>();
        if (m.TryGetValue("needs", out var needsNode))
        {
            var nk = $"{key}.needs";
            var nm = r.Mapping(needsNode, nk, NeedsKeys);
            if (nm.TryGetValue("database", out var dbNode))
            {
                if (dbNode is YamlScalarNode)
                    database = r.Bool(dbNode, $"{nk}.database", false) ? new DatabaseNeed([], 20) : null;
                else
                {
                    var dm = r.Mapping(dbNode, $"{nk}.database", DatabaseKeys);
                    var engine = DatabaseEngine.Postgres;
                    if (dm.TryGetValue("engine", out var engineNode))
                    {
                        var text = r.String(engineNode, $"{nk}.database.engine");
                        engine = text switch
                        {
                            "postgres" => DatabaseEngine.Postgres,
                            "mariadb" => DatabaseEngine.MariaDb,
                            _ => Fail(r, $"{nk}.database.engine", $"is '{text}'.",
                                text is "mysql" ? "Use mariadb: the platform's MySQL-compatible server." : "Use postgres (the default) or mariadb (for apps that speak the MySQL protocol).",
                                DatabaseEngine.Postgres),
                        };
                    }
                    var extensions = Data.PostgresTuningReader.ReadExtensions(r, dm, $"{nk}.database", engine == DatabaseEngine.Postgres);
                    var limit = dm.TryGetValue("connectionLimit", out var clNode) ? r.Int(clNode, $"{nk}.database.connectionLimit", 20, 1, 1000) : 20;
                    // Checked as identifiers of their engine, and against every other app's, in SettingsRules.
                    var dbName = dm.TryGetValue("name", out var dnNode) ? r.String(dnNode, $"{nk}.database.name") : null;
                    var dbRole = dm.TryGetValue("role", out var drNode) ? r.String(drNode, $"{nk}.database.role") : null;
                    database = new DatabaseNeed(extensions, limit)
                    {
                        Engine = engine, Name = dbName, Role = dbRole,
                        Session = Data.PostgresTuningReader.ReadDatabase(r, dm, $"{nk}.database", engine == DatabaseEngine.Postgres),
                    };
                }
            }
            if (nm.TryGetValue("databaseOf", out var ofNode))
            {
                databaseOf = r.String(ofNode, $"{nk}.databaseOf");
                if (database is not null)
                    r.Error($"{nk}.databaseOf", "is set together with database.", "Keep one: database for the app's own database, databaseOf to share another app's.");
            }
            if (nm.TryGetValue("redis", out var redisNode))
            {
                if (redisNode is YamlScalarNode)
                    redis = r.Bool(redisNode, $"{nk}.redis", false) ? new RedisNeed() : null;
                else
                {
                    var rm = r.Mapping(redisNode, $"{nk}.redis", RedisKeys);
                    int? max = rm.TryGetValue("maxMemoryMb", out var mmNode) ? r.Int(mmNode, $"{nk}.redis.maxMemoryMb", 64, 16, 131072) : null;
                    string? policy = rm.TryGetValue("evictionPolicy", out var epNode) ? r.String(epNode, $"{nk}.redis.evictionPolicy") : null;
                    if (policy is not null && !RedisPolicies.Contains(policy))
                        r.Error($"{nk}.redis.evictionPolicy", $"'{policy}' is not a Redis eviction policy.",
                            $"Use one of: {string.Join(", ", RedisPolicies)} (noeviction for a job queue, allkeys-lru for a cache).");
                    redis = new RedisNeed(max, policy);
                }
            }
            if (nm.TryGetValue("redisOf", out var redisOfNode))
            {
                redisOf = r.String(redisOfNode, $"{nk}.redisOf");
                if (redis is not null)
                    r.Error($"{nk}.redisOf", "is set together with redis.", "Keep one: redis for the app's own instance, redisOf to share another app's.");
            }
            foreach (var (bucketNode, bk) in r.Sequence(nm.GetValueOrDefault("buckets"), $"{nk}.buckets", "Write each bucket as '- name: uploads' (optionally 'publicRead: true')."))
            {
                var bm = r.Mapping(bucketNode, bk, BucketKeys);
                var bucket = r.String(bm.GetValueOrDefault("name"), $"{bk}.name");
                if (!System.Text.RegularExpressions.Regex.IsMatch(bucket, "^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$"))
                    r.Error($"{bk}.name", $"'{bucket}' is not a valid bucket name.", "Use 3–32 lower-case letters, digits and hyphens; the bucket is created as <app>-<name>.");
                var publicRead = bm.TryGetValue("publicRead", out var prNode) && r.Bool(prNode, $"{bk}.publicRead", false);
                var grants = ImmutableArray.CreateBuilder<BucketGrant>();
                foreach (var (grantNode, gk) in r.Sequence(bm.GetValueOrDefault("grants"), $"{bk}.grants", "Write each grant as '- { app: shop-2, access: read }' (access: read or readwrite)."))
                {
                    var gm = r.Mapping(grantNode, gk, GrantKeys);
                    var grantee = r.String(gm.GetValueOrDefault("app"), $"{gk}.app");
                    if (!gm.ContainsKey("app")) r.Error($"{gk}.app", "is required.", "Name the app that gets access, e.g. 'app: shop-2'.");
                    var accessText = gm.TryGetValue("access", out var acNode) ? r.String(acNode, $"{gk}.access") : "";
                    var access = accessText switch
                    {
                        "read" => BucketAccess.Read,
                        "readwrite" => BucketAccess.ReadWrite,
                        _ => Fail(r, $"{gk}.access", accessText.Length == 0 ? "is required." : $"is '{accessText}'.",
                            "Use read (get and list objects) or readwrite (also put and delete).", BucketAccess.Read),
                    };
                    grants.Add(new BucketGrant(grantee, access));
                }
                buckets.Add(new BucketNeed(bucket, publicRead)
                    { Grants = grants.ToImmutable(), BucketName = Parts.Storage.BucketNames.ReadChosen(r, bm, $"{bk}.bucketName", name, bucket) });
            }
        }

        RateLimitSettings? rateLimit = null;
        if (m.TryGetValue("rateLimit", out var rlNode))
        {
            rateLimit = ReadRateLimit(r, rlNode, $"{key}.rateLimit");
            if (routes.Count == 0) r.Error($"{key}.rateLimit", "is set on an app without routes.", "Remove it, or add routes.");
        }

        var volumes = ImmutableArray.CreateBuilder<VolumeSettings>();
        foreach (var (volumeNode, vk) in r.Sequence(m.GetValueOrDefault("volumes"), $"{key}.volumes",
                     "Write each volume as '- { name: uploads, mountPath: /var/www/html/wp-content, sizeGb: 10 }'."))
        {
            var vm = r.Mapping(volumeNode, vk, VolumeKeys);
            var volumeName = r.String(vm.GetValueOrDefault("name"), $"{vk}.name");
            if (!vm.ContainsKey("name"))
                r.Error($"{vk}.name", "is required.", "Name the volume, e.g. 'name: uploads'.");
            else if (!Names.IsAppName(volumeName))
                r.Error($"{vk}.name", $"'{volumeName}' is not a valid volume name.", "Use 2–30 lower-case letters, digits and hyphens, starting with a letter, e.g. 'uploads'.");
            var mountPath = r.String(vm.GetValueOrDefault("mountPath"), $"{vk}.mountPath");
            if (!vm.ContainsKey("mountPath"))
                r.Error($"{vk}.mountPath", "is required.", "Give the absolute path inside the container, e.g. 'mountPath: /var/www/html/wp-content'.");
            else if (!Names.IsPathPrefix(mountPath) || mountPath == "/" || mountPath.Contains(':', StringComparison.Ordinal))
                r.Error($"{vk}.mountPath", $"'{mountPath}' is not an absolute path.", "Start it with '/', without a trailing '/', spaces, ':' or '//', e.g. /app/uploads.");
            if (!vm.ContainsKey("sizeGb")) r.Error($"{vk}.sizeGb", "is required: the disk the volume is expected to take.", "Add e.g. 'sizeGb: 10'.");
            var sizeGb = r.Int(vm.GetValueOrDefault("sizeGb"), $"{vk}.sizeGb", 1, 1, 10_000);
            var shared = vm.TryGetValue("shared", out var shNode) && r.Bool(shNode, $"{vk}.shared", false);
            volumes.Add(new VolumeSettings(volumeName, mountPath, sizeGb, shared));
        }

        var talksTo = m.TryGetValue("talksTo", out var ttNode) ? r.StringList(ttNode, $"{key}.talksTo") : [];

        ReleaseSettings? release = null;
        if (m.TryGetValue("release", out var relNode))
        {
            var rm = r.Mapping(relNode, $"{key}.release", ReleaseKeys);
            var releaseCommand = rm.TryGetValue("command", out var rcNode) ? r.StringList(rcNode, $"{key}.release.command") : [];
            if (releaseCommand.IsEmpty)
                r.Error($"{key}.release.command", "is required and must not be empty.", "Give the command as a list, e.g. 'command: [bin/rails, db:migrate]'.");
            release = new ReleaseSettings(releaseCommand);
        }

        var jobs = ImmutableArray.CreateBuilder<JobSettings>();
        foreach (var (jobNode, jk) in r.Sequence(m.GetValueOrDefault("jobs"), $"{key}.jobs",
                     "Write each job as '- { name: nightly-report, schedule: \"0 2 * * *\", command: [bin/report] }'."))
        {
            var jm = r.Mapping(jobNode, jk, JobKeys);
            var jobName = r.String(jm.GetValueOrDefault("name"), $"{jk}.name");
            if (!jm.ContainsKey("name"))
                r.Error($"{jk}.name", "is required.", "Name the job, e.g. 'name: nightly-report'.");
            else if (!Names.IsAppName(jobName))
                r.Error($"{jk}.name", $"'{jobName}' is not a valid job name.", "Use 2–30 lower-case letters, digits and hyphens, starting with a letter, e.g. 'nightly-report'.");
            var schedule = r.String(jm.GetValueOrDefault("schedule"), $"{jk}.schedule").Trim();
            if (Operations.CronSchedule.Problem(schedule) is { } cronProblem)
                r.Error($"{jk}.schedule", jm.ContainsKey("schedule") ? $"'{schedule}' is not a valid cron schedule: {cronProblem}" : "is required.",
                    "Use five fields: minute hour day-of-month month day-of-week (UTC), e.g. \"0 2 * * *\" for 02:00 daily.");
            var jobCommand = jm.TryGetValue("command", out var jcNode) ? r.StringList(jcNode, $"{jk}.command") : [];
            if (jobCommand.IsEmpty)
                r.Error($"{jk}.command", "is required and must not be empty.", "Give the command as a list, e.g. 'command: [bin/report, --yesterday]'.");
            jobs.Add(new JobSettings(jobName, schedule, jobCommand));
        }

        return Blueprint.AppEgress.Read(r, m, key, Parts.Edge.AppEdgeSettings.Read(r, m, key, new AppSettings
        {
            Index = index,
            Name = name,
            Image = image,
            Port = port,
            Routes = routes.ToImmutable(),
            HealthPath = healthPath,
            HealthCommand = healthCommand,
            Command = command,
            Cpus = cpus,
            MemoryMb = memory,
            Instances = instances,
            Env = env.ToImmutable(),
            SecretEnv = secretEnv,
            Database = database,
            DatabaseOf = databaseOf,
            RedisInstance = redis,
            RedisOf = redisOf,
            Buckets = buckets.ToImmutable(),
            RateLimit = rateLimit,
            Volumes = volumes.ToImmutable(),
            TalksTo = talksTo,
            Release = release,
            Jobs = jobs.ToImmutable(),
        }));
    }

    private static RateLimitSettings ReadRateLimit(NodeReader r, YamlNode node, string rk)
    {
        var rm = r.Mapping(node, rk, RateLimitKeys);
        var average = r.Int(rm.GetValueOrDefault("average"), $"{rk}.average", 100, 1, 100000);
        var burst = rm.TryGetValue("burst", out var burstNode) ? r.Int(burstNode, $"{rk}.burst", average * 2, 1, 1000000) : average * 2;
        if (!rm.ContainsKey("average")) r.Error($"{rk}.average", "is required.", "Give requests per second per client, e.g. 'average: 50'.");
        if (burst < average) r.Error($"{rk}.burst", $"({burst}) is below average ({average}).", "Make burst at least the average.");
        return new RateLimitSettings(average, burst);
    }

    private static RouteSettings ReadRoute(NodeReader r, YamlNode routeNode, string rk, string app, string stack, ImmutableSortedSet<string>.Builder secrets)
    {
        var rm = r.Mapping(routeNode, rk, RouteKeys);
        var host = r.String(rm.GetValueOrDefault("host"), $"{rk}.host").Trim().ToLowerInvariant();
        string? domain = null;
        if (rm.TryGetValue("domain", out var domainNode))
        {
            domain = r.String(domainNode, $"{rk}.domain").Trim().ToLowerInvariant();
            if (rm.ContainsKey("host"))
                r.Error($"{rk}.domain", "is set together with host.", "Keep one: host for a name under the stack's domain, domain for a tenant's own domain outside the zone.");
            if (!Names.IsDomain(domain))
                r.Error($"{rk}.domain", $"'{domain}' is not a domain name.", "Give a full lower-case domain such as shop.customer.com.");
            host = "";
        }
        else if (!rm.ContainsKey("host"))
            r.Error($"{rk}.host", "is required.", "Give a subdomain ('app'), '@' for the apex, or '*' for a wildcard — or domain: for a tenant's own domain.");
        else if (host.Contains('.') && !Parts.Edge.NestedWildcards.IsHost(host) && LooksLikeFullDomain(host))
            r.Error($"{rk}.host", $"'{host}' looks like a full domain name.", "Give only the subdomain of the stack's domain (e.g. 'app' for app.example.com), '@' for the apex, or '*' for a wildcard — not a full domain; a tenant's own domain outside the zone goes in 'domain:'.");
        else if (host != "@" && host != "*" && !Parts.Edge.NestedWildcards.IsHost(host) && !host.Split('.').All(Names.IsLabel))
            r.Error($"{rk}.host", $"'{host}' is not a host name.", "Give a subdomain of the stack's domain ('app'), '@' for the apex, or '*' for a wildcard — not a full domain.");

        string? path = null;
        if (rm.TryGetValue("path", out var pathNode))
        {
            path = r.String(pathNode, $"{rk}.path");
            if (Blueprint.RoutePaths.Problem(path) is { } problem)
                r.Error($"{rk}.path", $"'{path}' {problem.Problem}", problem.Fix);
            else if (!Names.IsPathPrefix(path))
                r.Error($"{rk}.path", $"'{path}' is not a path prefix.", "Start it with '/', without a trailing '/', spaces or '//', e.g. /api.");
            else if (path.Length > MaxPathLength)
                r.Error($"{rk}.path", $"is {path.Length} characters long.", $"Use a prefix of at most {MaxPathLength} characters.");
            if (path == "/") path = null;
        }
        var ws = rm.TryGetValue("websockets", out var wsNode) && r.Bool(wsNode, $"{rk}.websockets", false);
        var strip = rm.TryGetValue("stripPrefix", out var stripNode) && r.Bool(stripNode, $"{rk}.stripPrefix", false);
        if (strip && path is null)
            r.Error($"{rk}.stripPrefix", "is set on a route without a path.", "Add 'path: /prefix' to the route, or remove stripPrefix.");
        // Traefik reads a list-valued label split on commas: stripprefix.prefixes=/a,b would strip "/a" and "b".
        if (strip && path is not null && path.Contains(',', StringComparison.Ordinal))
            r.Error($"{rk}.stripPrefix", $"is set on the path '{path}', which holds a ','; Traefik splits the stripprefix.prefixes label on commas, so the app would receive the path with part of the prefix left in it.",
                "Remove the ',' from the path, or remove stripPrefix and let the app handle the prefix.");

        int? maxBody = rm.TryGetValue("maxBodyMb", out var bodyNode) ? r.Int(bodyNode, $"{rk}.maxBodyMb", 10, 1, 2048) : null;
        // maxBodyMb and websockets go together: Traefik v3.3.6's buffering middleware (pkg/middlewares/buffering/buffering.go)
        // is vulcand/oxy v2.0.3's buffer, whose response writer passes Hijack through and stops buffering once the proxy has
        // hijacked the connection for the upgrade (buffer/buffer.go: bufferWriter.Hijack, "connection was hijacked
        // downstream"); the upgrade request itself has no body. See Routing.BodyLimitNote.

        var rateLimit = rm.TryGetValue("rateLimit", out var rlNode) ? ReadRateLimit(r, rlNode, $"{rk}.rateLimit") : null;

        var allow = ImmutableArray.CreateBuilder<string>();
        if (rm.TryGetValue("allowCidrs", out var allowNode))
        {
            var cidrs = r.StringList(allowNode, $"{rk}.allowCidrs");
            if (cidrs.IsEmpty)
                r.Error($"{rk}.allowCidrs", "is empty, so nobody could reach the route.", "List the CIDRs allowed in, e.g. [203.0.113.10/32], or remove allowCidrs.");
            for (var i = 0; i < cidrs.Length; i++)
            {
                if (!Names.TryParseCidr(cidrs[i], out var network, out var canonical))
                    r.Error($"{rk}.allowCidrs[{i}]", $"'{cidrs[i]}' is not a CIDR.", "Write an address with a prefix length, e.g. 203.0.113.10/32 or 2001:db8::/48.");
                else if (!canonical)
                    r.Error($"{rk}.allowCidrs[{i}]", $"'{cidrs[i]}' has host bits set.", $"Write it as {network}.");
                else
                    allow.Add(cidrs[i]);
            }
        }

        string? basicAuth = null;
        if (rm.TryGetValue("basicAuth", out var authNode))
        {
            basicAuth = r.String(authNode, $"{rk}.basicAuth");
            if (!Names.IsEnvName(basicAuth))
                r.Error($"{rk}.basicAuth", $"'{basicAuth}' is not a secret name.", "Name the secret that holds the htpasswd lines, e.g. 'basicAuth: ADMIN_USERS' (upper-case letters, digits, underscores).");
            else if (!secrets.Contains($"appSecrets.{app}.{basicAuth}"))
                r.Error($"{rk}.basicAuth", $"the secret appSecrets.{app}.{basicAuth} has no value in this stack.",
                    $"Create a line with 'htpasswd -nB <user>' and run: pulumi config set --secret --path 'appSecrets.{app}.{basicAuth}' '<user:$2y$…>' --stack {stack}");
        }

        RedirectTarget? redirect = null;
        if (rm.TryGetValue("redirect", out var redirectNode))
        {
            var text = r.String(redirectNode, $"{rk}.redirect");
            redirect = text switch
            {
                "apex" => RedirectTarget.Apex,
                "www" => RedirectTarget.Www,
                _ => Fail<RedirectTarget?>(r, $"{rk}.redirect", $"is '{text}'.", "Use apex (www.<domain> to <domain>) or www (<domain> to www.<domain>).", null),
            };
            var isWww = domain is null ? host == "www" : domain.StartsWith("www.", StringComparison.Ordinal);
            var isApex = domain is null ? host == "@" : !domain.StartsWith("www.", StringComparison.Ordinal);
            if (redirect == RedirectTarget.Apex && !isWww)
                r.Error($"{rk}.redirect", "is apex on a route that is not a www host.", "Put 'redirect: apex' on the 'host: www' route (or a www. domain).");
            if (redirect == RedirectTarget.Www && !isApex)
                r.Error($"{rk}.redirect", "is www on a route that is not an apex.", "Put 'redirect: www' on the 'host: \"@\"' route (or a domain without www.).");
            if (redirect is not null && path is not null)
                r.Error($"{rk}.redirect", "is set on a route with a path, so only part of the host would redirect.", "Redirect a whole host: remove the path from this route.");
        }

        var compress = rm.TryGetValue("compress", out var compressNode) && r.Bool(compressNode, $"{rk}.compress", false);
        var headers = rm.TryGetValue("headers", out var headersNode) ? ReadHeaders(r, headersNode, $"{rk}.headers") : null;

        return new RouteSettings(host, path, ws)
        {
            Domain = domain,
            StripPrefix = strip,
            Headers = headers,
            MaxBodyMb = maxBody,
            RateLimit = rateLimit,
            AllowCidrs = allow.ToImmutable(),
            BasicAuthSecret = basicAuth,
            Redirect = redirect,
            Compress = compress,
        };
    }

    private static HeaderSettings ReadHeaders(NodeReader r, YamlNode node, string hk)
    {
        var hm = r.Mapping(node, hk, HeaderKeys);
        var preset = HeaderPreset.Secure;
        if (hm.TryGetValue("preset", out var presetNode))
        {
            var text = r.String(presetNode, $"{hk}.preset");
            preset = text switch
            {
                "secure" => HeaderPreset.Secure,
                "minimal" => HeaderPreset.Minimal,
                _ => Fail(r, $"{hk}.preset", $"is '{text}'.", "Use secure (the platform's headers, the default) or minimal (HSTS only, for an app that sets its own).", HeaderPreset.Secure),
            };
        }
        bool? frameDeny = hm.TryGetValue("frameDeny", out var fdNode) ? r.Bool(fdNode, $"{hk}.frameDeny", true) : null;
        string? csp = null;
        if (hm.TryGetValue("contentSecurityPolicy", out var cspNode))
        {
            csp = r.String(cspNode, $"{hk}.contentSecurityPolicy").Trim();
            if (csp.Length == 0 || csp.Any(c => c is '\r' or '\n' or ','))
                r.Error($"{hk}.contentSecurityPolicy", "is empty or holds a line break or a comma.", "Give one policy line, directives separated by ';', e.g. \"default-src 'self'\".");
        }
        CorsSettings? cors = null;
        if (hm.TryGetValue("cors", out var corsNode))
        {
            var ck = $"{hk}.cors";
            var cm = r.Mapping(corsNode, ck, CorsKeys);
            var origins = r.StringList(cm.GetValueOrDefault("origins"), $"{ck}.origins");
            if (origins.IsEmpty)
                r.Error($"{ck}.origins", "is required and must list at least one origin.", "List the sites allowed to call the API, e.g. [https://app.example.com].");
            for (var i = 0; i < origins.Length; i++)
            {
                if (origins[i] != "*" && !(Uri.TryCreate(origins[i], UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                    && uri.AbsolutePath == "/" && !origins[i].EndsWith('/') && uri.Query.Length == 0 && !origins[i].Contains(',')))
                    r.Error($"{ck}.origins[{i}]", $"'{origins[i]}' is not an origin.", "Write scheme and host (and port), without a path or trailing '/', e.g. https://app.example.com — or '*' for any site.");
            }
            var methods = cm.TryGetValue("methods", out var methodsNode) ? r.StringList(methodsNode, $"{ck}.methods") : ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
            for (var i = 0; i < methods.Length; i++)
            {
                if (!CorsMethods.Contains(methods[i]))
                    r.Error($"{ck}.methods[{i}]", $"'{methods[i]}' is not an HTTP method CORS allows here.", $"Use some of: {string.Join(", ", CorsMethods)} (upper case).");
            }
            var headerNames = cm.TryGetValue("headers", out var headersNode) ? r.StringList(headersNode, $"{ck}.headers") : ["Authorization", "Content-Type"];
            for (var i = 0; i < headerNames.Length; i++)
            {
                if (!System.Text.RegularExpressions.Regex.IsMatch(headerNames[i], "^[A-Za-z0-9-]+$"))
                    r.Error($"{ck}.headers[{i}]", $"'{headerNames[i]}' is not a header name.", "Use header names such as Authorization or X-Request-Id.");
            }
            var credentials = cm.TryGetValue("credentials", out var credNode) && r.Bool(credNode, $"{ck}.credentials", false);
            if (credentials && origins.Contains("*"))
                r.Error($"{ck}.credentials", "is true with the origin '*'; browsers refuse credentials for a wildcard origin.", "List the exact origins, or set credentials: false.");
            var maxAge = cm.TryGetValue("maxAgeSeconds", out var maxAgeNode) ? r.Int(maxAgeNode, $"{ck}.maxAgeSeconds", 600, 0, 86400) : 600;
            cors = new CorsSettings(origins, methods, headerNames, credentials, maxAge);
        }
        return new HeaderSettings(preset, frameDeny, csp, cors);
    }

    private static MinioConsoleSettings? ReadMinioConsole(NodeReader r, string host, YamlNode? cidrsNode)
    {
        host = host.Trim().ToLowerInvariant();
        var cidrs = r.StringList(cidrsNode, Key("minioConsoleAllowCidrs"));
        if (host.Length == 0)
        {
            if (!cidrs.IsEmpty)
                r.Error(Key("minioConsoleAllowCidrs"), "is set but minioConsoleHost is not, so nothing uses it.", "Set minioConsoleHost (e.g. minio-admin), or remove minioConsoleAllowCidrs.");
            return null;
        }
        if (!Names.IsLabel(host))
            r.Error(Key("minioConsoleHost"), $"'{host}' is not a subdomain label.", "Give one label under the stack's domain, e.g. minio-admin.");
        if (cidrs.IsEmpty)
            r.Error(Key("minioConsoleAllowCidrs"), "is empty, so the console would be open to the internet (or to nobody).",
                "List the admin CIDRs allowed in, e.g. platform:minioConsoleAllowCidrs: [203.0.113.10/32].");
        var allowed = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < cidrs.Length; i++)
        {
            var key = $"{Key("minioConsoleAllowCidrs")}[{i}]";
            if (!Names.TryParseCidr(cidrs[i], out var network, out var canonical))
                r.Error(key, $"'{cidrs[i]}' is not a CIDR.", "Write an address with a prefix length, e.g. 203.0.113.10/32.");
            else if (!canonical)
                r.Error(key, $"'{cidrs[i]}' has host bits set.", $"Write it as {network}.");
            else if (network.PrefixLength == 0)
                r.Error(key, $"'{cidrs[i]}' lets the whole internet in.", "List only admin CIDRs.");
            else
                allowed.Add(cidrs[i]);
        }
        return new MinioConsoleSettings(host, allowed.ToImmutable());
    }
}
