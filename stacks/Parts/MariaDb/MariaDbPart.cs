using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>What the part needs from the rest of the stack; every member has the platform's default.</summary>
public sealed record MariaDbPartContext
{
    /// <summary>The data network the server (and its backup agents) join. Default: <c>data</c>.</summary>
    public string DataNetwork { get; init; } = ServiceNames.DataNetwork;

    /// <summary>Backup schedules and retention (the PostgreSQL ones are used); null when backups are off. Default: DESIGN.md's.</summary>
    public BackupPolicy? Backups { get; init; } = new();

    /// <summary>Memory limit of each backup agent. Default: 256.</summary>
    public int BackupAgentMemoryMb { get; init; } = 256;

    /// <summary>Where monitor alerts go; null for none. Default: none.</summary>
    public string? Notification { get; init; }

    /// <summary>
    /// Secret of the metrics exporter's user <see cref="MariaDbNames.MonitorUser"/> (PROCESS, REPLICATION CLIENT and SELECT on
    /// performance_schema only); null: no such user. Default: none.
    /// </summary>
    public string? MonitorPasswordSecret { get; init; }

    /// <summary>Config key of the settings, for error messages. Default: <see cref="MariaDbValidation.DefaultSettingsKey"/>.</summary>
    public string SettingsKey { get; init; } = MariaDbValidation.DefaultSettingsKey;

    /// <summary>Config key of request <c>i</c>, for error messages. Default: <see cref="MariaDbValidation.DefaultRequestKey"/>.</summary>
    public Func<int, string> RequestKey { get; init; } = MariaDbValidation.DefaultRequestKey;
}

/// <summary>Everything the MariaDB part adds to a platform, ready for the blueprint and the Pulumi shell to map.</summary>
/// <param name="Service">The server container.</param>
/// <param name="Volumes">Its data volume and its socket volume.</param>
/// <param name="Config">The rendered server settings (also inside <paramref name="Service"/>'s files).</param>
/// <param name="Provision">The host command that creates or updates databases and users; re-run whenever its stdin changes.</param>
/// <param name="Backups">The dump jobs (empty when backups are off).</param>
/// <param name="DataService">What <see cref="Monitors.For"/> turns into the TCP monitor.</param>
/// <param name="Monitor">The TCP monitor on <c>mariadb:3306</c>, as <see cref="Monitors.For"/> makes it from <paramref name="DataService"/>.</param>
/// <param name="Budget">Memory budget lines: the server and each backup agent.</param>
/// <param name="Secrets">The root secret and each app's password secret (all generated, alphanumeric).</param>
/// <param name="AppEnv">The connection env of each app, by app name.</param>
public sealed record MariaDbPartSpec(
    ServiceSpec Service,
    ImmutableArray<VolumeSpec> Volumes,
    string Config,
    HostCommandSpec Provision,
    ImmutableArray<MariaDbBackupJob> Backups,
    DataService DataService,
    MonitorSpec Monitor,
    ImmutableArray<BudgetLine> Budget,
    ImmutableArray<SecretSpec> Secrets,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, SecretText>> AppEnv);

/// <summary>The MariaDB part: settings and database requests in, its specs out. Pure: the same input gives the same spec.</summary>
public static class MariaDbPart
{
    /// <summary>
    /// What runs inside the container: the client reads the script on stdin; its errors are passed on only up to the
    /// server's <c>near '…'</c> quote of the statement, which could hold a password hash (a verifier, like the SCRAM
    /// one PostgreSQL's provisioning keeps out of logs), and lines that continue such a quote are dropped. The exit
    /// status is the client's. No single quote inside: it is itself single-quoted (<c>\x27</c> is sed's quote).
    /// </summary>
    public const string ProvisionClientScript =
        "e=/tmp/platform-provision.$$.err; mariadb --batch --binary-mode 2>\"$e\"; rc=$?; " +
        "sed -n \"/^ERROR /{s/ near \\x27.*/ near ... (the statement is not shown: it may hold a password hash)/;p}\" \"$e\" >&2; rm -f \"$e\"; exit $rc";

    /// <summary>How the provisioning script is run on the server: as root inside the container, over its socket.</summary>
    public static readonly string ProvisionHostCommand = $"docker exec -i {MariaDbNames.Service} sh -c '{ProvisionClientScript}'";

    public static MariaDbOptions Options(MariaDbSettings s) => new(s.MemoryMb) { MaxConnections = s.MaxConnections, BufferPoolMb = s.BufferPoolMb };

    /// <summary>
    /// The part for <paramref name="settings"/> and <paramref name="requests"/>. Throws <see cref="ArgumentException"/>
    /// listing every error (see <see cref="MariaDbValidation.Errors"/>, which a settings reader calls to report them with the rest).
    /// </summary>
    public static MariaDbPartSpec Build(MariaDbSettings settings, IReadOnlyList<MariaDbDatabaseRequest> requests, MariaDbPartContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(requests);
        var c = context ?? new MariaDbPartContext();
        if (MariaDbValidation.Errors(settings, requests, c.SettingsKey, c.RequestKey) is { Count: > 0 } errors)
            throw new ArgumentException($"MariaDB has {errors.Count} configuration error(s):\n" + string.Join("\n", errors.Select(e => "  - " + e)), nameof(requests));

        var sorted = requests.OrderBy(r => r.Database, StringComparer.Ordinal).ToImmutableArray();
        var config = MariaDbConfig.ServerCnf(Options(settings));
        var service = new ServiceSpec
        {
            Name = MariaDbNames.Service,
            Part = PartId.MariaDb,
            Kind = ServiceKind.Data,
            ContainerName = MariaDbNames.Service,
            Replacement = Replacement.DeleteBeforeCreate,
            Image = settings.Image,
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                // root only as root@localhost (the image otherwise adds root@'%'); unix_socket lets `docker exec` in as root.
                ["MARIADB_ROOT_HOST"] = SecretText.Plain("localhost"),
                // The image needs a root password at initialisation: it gets a hash, so no plaintext is in the env or the log.
                ["MARIADB_ROOT_PASSWORD_HASH"] = SecretText.Of(new DerivedSecretPart(MariaDbNames.RootSecret, SecretDerivation.MysqlNativePassword, "")),
                // A new patch image upgrades the system tables itself on start (after its own backup of them).
                ["MARIADB_AUTO_UPGRADE"] = SecretText.Plain("1"),
            }),
            InternalPorts = [MariaDbNames.Port],
            Mounts =
            [
                new MountSpec(Blueprint.MountKind.Volume, MariaDbNames.DataVolume, MariaDbNames.DataDirectory, ReadOnly: false),
                new MountSpec(Blueprint.MountKind.Volume, MariaDbNames.SocketVolume, MariaDbNames.SocketDirectory, ReadOnly: false),
            ],
            Networks = [new NetworkAttachment(c.DataNetwork, [MariaDbNames.Service])],
            HealthCheck = Conventions.Health(MariaDbConfig.HealthCheckTest(), startPeriodSeconds: 60),
            Limits = new ResourceLimits(settings.MemoryMb, settings.Cpus),
            RestartPolicy = Conventions.RestartPolicy,
            Log = Conventions.Log,
            Files = [new FileSpec(MariaDbNames.ConfigPath, SecretText.Plain(config))],
            // A clean InnoDB shutdown flushes the buffer pool's dirty pages; killing it means crash recovery on start.
            StopGraceSeconds = 120,
        };

        var provision = new HostCommandSpec(
            MariaDbNames.ProvisionCommand,
            "creates or updates each app's MariaDB database and user (password hash, connection limit, grants on its own database only); idempotent, never drops",
            ProvisionHostCommand,
            MariaDbProvisioning.Script(sorted, c.MonitorPasswordSecret),
            [MariaDbNames.Service]) { Part = PartId.MariaDb };

        var jobs = c.Backups is { } policy
            ? MariaDbBackups.Jobs(settings.Image, sorted.Select(r => r.Database), policy, new OpsNetworks(Data: c.DataNetwork), c.BackupAgentMemoryMb)
            : [];

        var dataService = new DataService("MariaDB", MariaDbNames.Service, MariaDbNames.Port);
        var monitor = Monitors.For(new MonitoringInput([], [dataService], null, [], null)).Single() with { Notification = c.Notification };

        var budget = ImmutableArray.Create(new BudgetLine(MariaDbNames.Service, "data", 1, settings.MemoryMb))
            .AddRange(jobs.Select(j => new BudgetLine(j.Agent.Name, "operations", 1, j.Agent.MemoryMb)));

        var secrets = ImmutableArray.Create(new SecretSpec(MariaDbNames.RootSecret, SecretSource.Generated, Conventions.PasswordLength, null,
                "MariaDB root@localhost (only its hash is used; root logs in over the socket)"))
            .AddRange(sorted.Select(r => r.PasswordSecret).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(name => new SecretSpec(name, SecretSource.Generated, Conventions.PasswordLength, null,
                    $"MariaDB password of {string.Join(", ", sorted.Where(r => r.PasswordSecret == name).Select(r => r.User))}")));

        var env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            sorted.GroupBy(r => r.App, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, MariaDbConnection.Env(g.First()))));

        return new MariaDbPartSpec(
            service,
            [
                new VolumeSpec(MariaDbNames.DataVolume, MariaDbNames.Service, "MariaDB data (every app database)", settings.Protect) { Part = PartId.MariaDb, Durable = true },
                // Protected with the data on prod: it holds no state, but a prod stack must never lose a volume MariaDB writes to by accident.
                new VolumeSpec(MariaDbNames.SocketVolume, MariaDbNames.Service, "MariaDB's Unix socket, shared with the backup agents", settings.Protect) { Part = PartId.MariaDb },
            ],
            config, provision, jobs, dataService, monitor, budget, secrets, env);
    }
}
