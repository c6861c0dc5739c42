using System.Globalization;
using System.Text;

namespace Platform.Stacks.Data;

/// <summary>
/// Input of <see cref="PostgresConfig.PostgresqlConf"/>: the memory PostgreSQL may use (its container
/// limit) and every setting derived from it, each overridable. Defaults are the platform plan's.
/// </summary>
public sealed record PostgresOptions(int MemoryMb)
{
    public string ListenAddresses { get; init; } = "*";
    public int Port { get; init; } = 5432;
    public int MaxConnections { get; init; } = 100;
    /// <summary>Connection slots only superusers may use (PostgreSQL's default, written out so the connection budget and the server agree).</summary>
    public int SuperuserReservedConnections { get; init; } = 3;
    /// <summary>Default: 25% of <see cref="MemoryMb"/>.</summary>
    public int? SharedBuffersMb { get; init; }
    /// <summary>Default: 75% of <see cref="MemoryMb"/>.</summary>
    public int? EffectiveCacheSizeMb { get; init; }
    public int WorkMemMb { get; init; } = 32;
    public int MaintenanceWorkMemMb { get; init; } = 256;
    public int WalBuffersMb { get; init; } = 32;
    /// <summary>Statements slower than this are logged; -1 turns it off.</summary>
    public int LogMinDurationStatementMs { get; init; } = 1000;
    /// <summary>
    /// <c>none</c> by default: with <c>ddl</c> or <c>all</c>, statements such as <c>ALTER ROLE … PASSWORD '…'</c> — e.g. the
    /// postgres image's own initdb step, which sets POSTGRES_PASSWORD in plaintext — would be written to the log verbatim.
    /// </summary>
    public string LogStatement { get; init; } = "none";
    /// <summary>Where the server's Unix socket goes; null keeps the server's built-in default (the image's <c>/var/run/postgresql</c>).</summary>
    public string? UnixSocketDirectory { get; init; }
    /// <summary>WAL archiving for point-in-time recovery: the <c>archive_command</c> (see <see cref="Pitr.ArchiveCommand"/>); null leaves archiving off.</summary>
    public string? ArchiveCommand { get; init; }
    /// <summary>With <see cref="ArchiveCommand"/>: a segment is archived after at most this many seconds, even when not full.</summary>
    public int ArchiveTimeoutSeconds { get; init; } = Pitr.ArchiveTimeoutSeconds;

    public int EffectiveSharedBuffersMb => SharedBuffersMb ?? MemoryMb / 4;
    public int EffectiveEffectiveCacheSizeMb => EffectiveCacheSizeMb ?? MemoryMb * 3 / 4;
}

/// <summary>Input of <see cref="PostgresConfig.PgHbaConf"/>.</summary>
public sealed record PostgresHbaOptions
{
    /// <summary>Networks TCP clients may come from (all of them authenticate with scram-sha-256). Default: any, because the server sits on a private Docker network and publishes no port.</summary>
    public IReadOnlyList<string> TcpClientNetworks { get; init; } = ["0.0.0.0/0", "::/0"];
}

/// <summary>postgresql.conf and pg_hba.conf, valid for PostgreSQL 15 and 16.</summary>
public static class PostgresConfig
{
    /// <summary>The OS user (and superuser role) that provisioning runs as, over the local socket.</summary>
    public const string Superuser = "postgres";

    /// <summary>postgresql.conf for <paramref name="o"/>. Holds no secret.</summary>
    public static string PostgresqlConf(PostgresOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        Positive(o.MemoryMb, nameof(o.MemoryMb));
        Positive(o.MaxConnections, nameof(o.MaxConnections));
        Positive(o.EffectiveSharedBuffersMb, nameof(o.SharedBuffersMb));
        Positive(o.EffectiveEffectiveCacheSizeMb, nameof(o.EffectiveCacheSizeMb));
        Positive(o.WorkMemMb, nameof(o.WorkMemMb));
        Positive(o.MaintenanceWorkMemMb, nameof(o.MaintenanceWorkMemMb));
        Positive(o.WalBuffersMb, nameof(o.WalBuffersMb));
        if (o.SuperuserReservedConnections < 0 || o.SuperuserReservedConnections >= o.MaxConnections)
            throw new ArgumentOutOfRangeException(nameof(o), $"superuser_reserved_connections ({o.SuperuserReservedConnections}) must be from 0 to below max_connections ({o.MaxConnections}).");
        if (o.Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(o), $"Port {o.Port} is not a TCP port.");
        if (o.EffectiveSharedBuffersMb >= o.MemoryMb)
            throw new ArgumentOutOfRangeException(nameof(o), $"shared_buffers ({o.EffectiveSharedBuffersMb}MB) must be below the memory PostgreSQL has ({o.MemoryMb}MB).");

        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');
        void Set(string key, string value) => Line($"{key} = {value}");
        void Str(string key, string value) => Set(key, Quote(value));
        static string Mb(int mb) => mb.ToString(CultureInfo.InvariantCulture) + "MB";
        static string I(int n) => n.ToString(CultureInfo.InvariantCulture);

        Line("# postgresql.conf — rendered by Platform.Stacks.Data.PostgresConfig; do not edit by hand.");
        Line($"# Sized for {I(o.MemoryMb)} MB of memory.");
        Line();
        Line("# Connections and authentication");
        Str("listen_addresses", o.ListenAddresses);
        Set("port", I(o.Port));
        Set("max_connections", I(o.MaxConnections));
        Set("superuser_reserved_connections", I(o.SuperuserReservedConnections));
        if (o.UnixSocketDirectory is { } socketDir) Str("unix_socket_directories", socketDir);
        Str("password_encryption", "scram-sha-256");
        Line();
        Line("# Memory");
        Set("shared_buffers", Mb(o.EffectiveSharedBuffersMb));
        Set("effective_cache_size", Mb(o.EffectiveEffectiveCacheSizeMb));
        Set("work_mem", Mb(o.WorkMemMb));
        Set("maintenance_work_mem", Mb(o.MaintenanceWorkMemMb));
        Set("wal_buffers", Mb(o.WalBuffersMb));
        Line();
        Line("# Durability: every acknowledged commit is on disk");
        Set("fsync", "on");
        Set("synchronous_commit", "on");
        Set("full_page_writes", "on");
        Line();
        if (o.ArchiveCommand is { } archive)
        {
            if (o.ArchiveTimeoutSeconds < 1) throw new ArgumentOutOfRangeException(nameof(o), "ArchiveTimeoutSeconds must be positive.");
            Line("# Continuous WAL archiving for point-in-time recovery (pgBackRest)");
            Str("wal_level", "replica");
            Set("archive_mode", "on");
            Str("archive_command", archive);
            Set("archive_timeout", I(o.ArchiveTimeoutSeconds));
            Line();
        }
        Line("# Logging: to stderr, which Docker's json-file driver keeps and rotates");
        Str("log_destination", "stderr");
        Set("logging_collector", "off");
        Str("log_line_prefix", "%m [%p] %q%u@%d ");
        Str("log_timezone", "UTC");
        Set("log_min_duration_statement", I(o.LogMinDurationStatementMs));
        Set("log_checkpoints", "on");
        Set("log_lock_waits", "on");
        Set("log_temp_files", Mb(16));
        Set("log_autovacuum_min_duration", "10s");
        Set("log_connections", "off");
        Set("log_disconnections", "off");
        if (o.LogStatement is not ("none" or "ddl" or "mod" or "all"))
            throw new ArgumentException($"log_statement '{o.LogStatement}' is not one of none, ddl, mod, all.", nameof(o));
        Str("log_statement", o.LogStatement);
        Line();
        Line("# Locale-independent defaults");
        Str("timezone", "UTC");
        return sb.ToString();
    }

    /// <summary>
    /// pg_hba.conf: over TCP every role authenticates with scram-sha-256 (md5 and trust are never
    /// accepted); over the local socket only the <c>postgres</c> OS user, as the <c>postgres</c>
    /// role, by peer — what <c>docker exec -u postgres psql</c> provisioning uses. The superuser may
    /// log in over TCP only from the loopback address: inside PostgreSQL's own container, or a one-shot
    /// container the server's root runs in its network namespace (<c>--network container:postgres</c>:
    /// the restore and major-upgrade scripts). From any other address it is rejected, whatever the
    /// password, so no container on a data network can use it. Anything else is rejected.
    /// </summary>
    public static string PgHbaConf(PostgresHbaOptions? options = null)
    {
        var o = options ?? new PostgresHbaOptions();
        if (o.TcpClientNetworks.Count == 0) throw new ArgumentException("At least one TCP client network is needed.", nameof(options));
        var sb = new StringBuilder();
        sb.Append("# pg_hba.conf — rendered by Platform.Stacks.Data.PostgresConfig; do not edit by hand.\n");
        sb.Append("# TYPE  DATABASE  USER      ADDRESS  METHOD\n");
        sb.Append($"local   all       {Superuser}            peer\n");
        sb.Append($"host    all       {Superuser}  127.0.0.1/32  scram-sha-256\n");
        sb.Append($"host    all       {Superuser}  ::1/128  scram-sha-256\n");
        sb.Append($"host    all       {Superuser}  all  reject\n");
        foreach (var network in o.TcpClientNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
                throw new ArgumentException($"'{network}' is not a network in CIDR notation.", nameof(options));
            sb.Append($"host    all       all       {network}  scram-sha-256\n");
        }
        return sb.ToString();
    }

    /// <summary>Docker health check: the server accepts connections (pg_isready needs no password).</summary>
    public static System.Collections.Immutable.ImmutableArray<string> HealthCheckTest(PostgresOptions o) =>
        ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", o.Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, "-d", "postgres"];

    private static string Quote(string value)
    {
        if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            throw new ArgumentException("postgresql.conf values cannot span lines.", nameof(value));
        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, $"{name} must be positive (is {value}).");
    }
}
