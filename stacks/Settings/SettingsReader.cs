using System.Collections.Immutable;
using Platform.Stacks.Catalog;
using Platform.Stacks.Parts.Apps;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Parts.Images;
using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Parts.Monitoring;
using Platform.Stacks.Parts.Postgres;
using Platform.Stacks.Parts.Redis;
using Platform.Stacks.Parts.Server;
using Platform.Stacks.Parts.Storage;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Settings;

/// <summary>
/// Turns a stack's raw config into <see cref="StackSettings"/>, applying defaults and checking
/// every rule a user can break. All errors are collected; when there is any, nothing is returned
/// and nothing may be planned or created. Each part reads its own keys (its <c>…SettingsReader</c> in
/// <c>Parts/&lt;Part&gt;</c>); this is only the composition, in the order the errors are reported.
/// </summary>
public static class SettingsReader
{
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
        var v = new StackValues(r, doc);
        var values = doc.Values;

        foreach (var name in values.Keys.Where(k => !SettingsSchema.ByName.ContainsKey(k)))
            r.Error(Key(name), "is not a known setting.", NodeReader.Suggest(name, SettingsSchema.ByName.Keys));

        // Secrets: only whether they are set, and that they really are secret.
        var secretsSet = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var def in SettingsSchema.All.Where(d => d.Secret && d.Type != SettingType.Object))
        {
            if (!values.TryGetValue(def.Name, out var value)) continue;
            if (!value.IsSecure)
                r.Error(def.Key, "is set in plain text, so the secret is in the repository.",
                    $"Remove it from the stack file, rotate it, and set it with: pulumi config set --secret {def.Name} <value> --stack {doc.Stack}");
            else
                secretsSet.Add(def.Name);
        }
        if (values.TryGetValue("appSecrets", out var appSecrets))
            AppEnvReader.CollectSecrets(r, appSecrets, doc.Stack, secretsSet);
        if (values.TryGetValue("registrySecrets", out var registrySecrets))
            RegistrySettingsReader.CollectSecrets(r, registrySecrets, doc.Stack, secretsSet);
        if (values.TryGetValue(Operations.AlertChannels.SecretsSetting, out var channelSecrets))
            Operations.AlertChannels.CollectSecrets(r, channelSecrets, doc.Stack, secretsSet);
        var alertChannels = Operations.AlertChannels.Read(r, v.Node("alertChannels"), secretsSet, doc.Stack);

        var environment = v.Str("environment") switch
        {
            "prod" => StackEnvironment.Prod,
            "staging" => StackEnvironment.Staging,
            var other => r.Fail(Key("environment"), $"is '{other}'.", "Use staging or prod.", StackEnvironment.Staging),
        };

        var domain = v.Str("domain").Trim().ToLowerInvariant();
        if (values.ContainsKey("domain") && !Names.IsDomain(domain))
            r.Error(Key("domain"), $"'{domain}' is not a valid domain name.", "Use a lower-case DNS name such as example.com.");
        var zone = v.Str("zone").Trim().ToLowerInvariant();
        if (zone.Length == 0) zone = domain;
        else if (!Names.IsDomain(zone))
            r.Error(Key("zone"), $"'{zone}' is not a valid domain name.", "Use the Cloudflare zone's name, e.g. example.com, or leave it unset to use the domain.");
        else if (domain != zone && !domain.EndsWith("." + zone, StringComparison.Ordinal))
            r.Error(Key("zone"), $"the domain {domain} is not inside the zone {zone}.", "Set zone to the domain's Cloudflare zone, or leave it unset.");

        var acmeEmail = v.Str("acmeEmail").Trim();
        if (values.ContainsKey("acmeEmail") && !Names.IsEmail(acmeEmail))
            r.Error(Key("acmeEmail"), $"'{acmeEmail}' is not an e-mail address.", "Give an address Let's Encrypt can write to, e.g. ops@example.com.");

        var server = ServerSettingsReader.Read(v);
        var topology = Parts.TopologySettings.Read(r, v.Raw("servers"),
            [.. new[] { "serverType", "dataVolumeGb" }.Where(values.ContainsKey)]);
        // A split stack's apps run on its app servers: their type bounds an instance's CPUs.
        if (topology is not null) server = server with { Type = topology.AppType };
        var adminCidrs = ServerSettingsReader.AdminCidrs(v);
        var cloudflareOnly = v.Bool("cloudflareOnlyIngress");
        var originPulls = v.Bool("cloudflareOriginPulls");
        var serverBackups = v.Bool("serverBackups");

        var postgres = PostgresSettingsReader.Read(v);
        var pgbouncer = PostgresSettingsReader.ReadPgBouncer(v);
        var mariadb = MariaDbSettingsReader.Read(v, environment);
        var redis = RedisSettingsReader.Read(v);

        var backups = BackupSettingsReader.Read(v, secretsSet, environment);
        BackupSettingsReader.CheckWithPitr(v, backups, postgres.Pitr, secretsSet);
        MonitoringSettingsReader.CheckAlerting(v, environment, secretsSet, alertChannels);

        if (!secretsSet.Contains("cloudflareApiToken") && !values.ContainsKey("cloudflareApiToken") && topology?.LoadBalanced != true)
            r.Error(Key("cloudflareApiToken"), "is required but not set (Traefik needs it for the DNS-01 challenge).",
                $"Create a Cloudflare token with Zone:DNS:Edit on {(zone.Length > 0 ? zone : "the zone")} and run: pulumi config set --secret cloudflareApiToken <token> --stack {doc.Stack}");

        var apps = AppSettingsReader.Read(r, v.Node("apps"), doc.Stack, secretsSet, ServerTypes.All.GetValueOrDefault(server.Type)?.Vcpus ?? 64, topology?.AppCount ?? 1);

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
            Minio = v.Service("minio", 1),
            MinioConsole = MinioConsoleSettingsReader.Read(v),
            Traefik = v.Service("traefik", 1),
            UptimeKuma = v.Service("uptimeKuma", 0.5),
            AutoKuma = MonitoringSettingsReader.AutoKuma(v),
            SocketProxy = v.Service("socketProxy", 0.25),
            Backups = backups,
            Monitoring = MonitoringSettingsReader.Read(v, secretsSet, alertChannels),
            Observability = Parts.Observability.ObservabilitySettingsReader.Read(r, v.Raw("observability"), adminCidrs),
            Apps = apps,
            BackupStorageGb = v.Int("backupStorageGb"),
            Prices = PriceSettingsReader.Read(r, v.Raw("prices")),
            Registries = RegistrySettingsReader.Read(r, v.Raw("registries"), doc.Stack, secretsSet),
            ImageDigests = ImageDigests.Read(r, v.Raw(ImageDigests.Name)),
            SecretPlaceholders = Placeholders(values),
            DataVolumeGb = topology?.DataVolumeGb ?? ServerSettingsReader.DataVolume(v),
            Topology = topology,
            SecretsSet = secretsSet.ToImmutable(),
        };

        settings = Parts.Maintenance.DayTwoSettingsReader.Read(r, v.Raw, settings); // maintenance, releases, reboots
        settings = MariaDbSettingsReader.Complete(r, settings);
        SettingsRules.Check(settings = Parts.Edge.PlatformEdgeSettings.Read(r, values, settings), r);
        errors = ErrorCauses.Collapse(errors);
        return (errors.Count == 0 ? settings : null, errors);
    }

    private static string Key(string name) => StackValues.Key(name);

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
}
