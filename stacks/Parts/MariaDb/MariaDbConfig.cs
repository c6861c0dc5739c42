using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>Input of <see cref="MariaDbConfig.ServerCnf"/>: the memory the server may use (its container limit) and what derives from it.</summary>
public sealed record MariaDbOptions(int MemoryMb)
{
    public string BindAddress { get; init; } = "0.0.0.0";
    public int Port { get; init; } = MariaDbNames.Port;
    public int MaxConnections { get; init; } = 100;
    /// <summary>Default: <see cref="MariaDbConfig.BufferPoolPercent"/>% of <see cref="MemoryMb"/>, rounded down to a multiple of 128 MB.</summary>
    public int? BufferPoolMb { get; init; }
    /// <summary>Where the Unix socket goes; null keeps the server's default (the image's <see cref="MariaDbNames.SocketPath"/>).</summary>
    public string? Socket { get; init; }
    /// <summary>
    /// Where slow statements are logged; null (the default) turns the slow log off. Not stderr: the server runs as
    /// <c>mysql</c> and cannot reopen a stderr pipe that root created (it then turns the log off with an error), and
    /// a file in the data volume is never rotated. Set it while investigating, to a path in the data directory.
    /// </summary>
    public string? SlowQueryLogFile { get; init; }
    public int LongQueryTimeSeconds { get; init; } = 1;
    /// <summary>Per-connection in-memory temporary tables (tmp_table_size and max_heap_table_size).</summary>
    public int TmpTableMb { get; init; } = 32;
    /// <summary>Largest statement or row a client may send; WordPress imports and media metadata need more than the 16 MB default.</summary>
    public int MaxAllowedPacketMb { get; init; } = 64;

    public int EffectiveBufferPoolMb => BufferPoolMb ?? MariaDbConfig.DefaultBufferPoolMb(MemoryMb);

    /// <summary>A quarter of the buffer pool (the usual redo log guidance), at least 48 MB.</summary>
    public int InnodbLogFileMb => Math.Max(48, EffectiveBufferPoolMb / 4);
}

/// <summary>The server settings file (a my.cnf fragment), valid for MariaDB 10.11.</summary>
public static class MariaDbConfig
{
    /// <summary>
    /// Share of the container's memory given to the InnoDB buffer pool. InnoDB reads and writes with O_DIRECT,
    /// so the pool is its cache (unlike PostgreSQL, which leans on the page cache and takes 25%). Half, not
    /// the 70–80% quoted for dedicated hosts, because the same limit must also hold every connection's
    /// buffers (sort, join, temporary tables), the redo log buffer and the server itself.
    /// </summary>
    public const int BufferPoolPercent = 50;

    /// <summary>The buffer pool is allocated in 128 MB chunks; the server rounds other sizes up, past the share.</summary>
    public const int BufferPoolChunkMb = 128;

    /// <summary>The smallest container the defaults work in (a buffer pool of one chunk).</summary>
    public const int MinMemoryMb = 256;

    public static int DefaultBufferPoolMb(int memoryMb) =>
        Math.Max(BufferPoolChunkMb, memoryMb * BufferPoolPercent / 100 / BufferPoolChunkMb * BufferPoolChunkMb);

    /// <summary>The file for <paramref name="o"/>, in the <c>[mariadb]</c> group (read by the server only). Holds no secret.</summary>
    public static string ServerCnf(MariaDbOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.MemoryMb < MinMemoryMb) throw new ArgumentOutOfRangeException(nameof(o), $"MariaDB needs at least {MinMemoryMb} MB (has {o.MemoryMb}).");
        if (o.MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(o), $"max_connections must be positive (is {o.MaxConnections}).");
        if (o.Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(o), $"Port {o.Port} is not a TCP port.");
        if (o.EffectiveBufferPoolMb % BufferPoolChunkMb != 0 || o.EffectiveBufferPoolMb >= o.MemoryMb)
            throw new ArgumentOutOfRangeException(nameof(o), $"innodb_buffer_pool_size ({o.EffectiveBufferPoolMb}MB) must be a multiple of {BufferPoolChunkMb} MB below the memory MariaDB has ({o.MemoryMb}MB).");
        if (o.TmpTableMb < 1 || o.MaxAllowedPacketMb < 1 || o.LongQueryTimeSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(o), "Sizes must be positive and long_query_time not negative.");

        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');
        void Set(string key, string value) => Line($"{key} = {Value(value)}");
        static string Mb(int mb) => mb.ToString(CultureInfo.InvariantCulture) + "M";
        static string I(int n) => n.ToString(CultureInfo.InvariantCulture);

        Line("# MariaDB server settings — rendered by Platform.Stacks.Parts.MariaDb.MariaDbConfig; do not edit by hand.");
        Line($"# Sized for {I(o.MemoryMb)} MB of memory.");
        Line("[mariadb]");
        Line();
        Line("# Connections: on the internal data network only (no published port); grants name '%', never a host name");
        Set("bind-address", o.BindAddress);
        Set("port", I(o.Port));
        if (o.Socket is { } socket) Set("socket", socket);
        Line("skip-name-resolve");
        Set("max_connections", I(o.MaxConnections));
        // A client that fails the handshake repeatedly must not block its container's address for every app.
        Set("max_connect_errors", "1000000");
        Set("local_infile", "0");
        Line();
        Line("# Text: full UTF-8 (utf8mb4), the character set WordPress and most ORMs expect");
        Set("character_set_server", "utf8mb4");
        Set("collation_server", "utf8mb4_unicode_ci");
        Line();
        Line("# Memory");
        Set("innodb_buffer_pool_size", Mb(o.EffectiveBufferPoolMb));
        Set("innodb_log_file_size", Mb(o.InnodbLogFileMb));
        Set("tmp_table_size", Mb(o.TmpTableMb));
        Set("max_heap_table_size", Mb(o.TmpTableMb));
        Set("max_allowed_packet", Mb(o.MaxAllowedPacketMb));
        Set("performance_schema", "OFF");
        Line();
        Line("# Durability: every acknowledged commit is on disk");
        Set("innodb_flush_log_at_trx_commit", "1");
        Set("innodb_doublewrite", "ON");
        Set("innodb_file_per_table", "ON");
        Line();
        Line("# Logging: errors to stderr (Docker keeps and rotates it); never the general log (statements may carry password hashes)");
        Set("general_log", "0");
        if (o.SlowQueryLogFile is { } slowLog)
        {
            Set("slow_query_log", "1");
            Set("slow_query_log_file", slowLog);
        }
        else
        {
            Set("slow_query_log", "0");
        }
        Set("long_query_time", I(o.LongQueryTimeSeconds));
        Set("log_warnings", "2");
        Line();
        Line("# Time in UTC, as everywhere on the platform");
        Set("default_time_zone", "+00:00");
        return sb.ToString();
    }

    /// <summary>Docker health check: the official image's script — the server accepts TCP connections and InnoDB has started.</summary>
    public static ImmutableArray<string> HealthCheckTest() => ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"];

    private static string Value(string value)
    {
        if (value.Length == 0 || value.Any(c => char.IsControl(c) || c is '#' or '"' or '\'' or '\\' || char.IsWhiteSpace(c)))
            throw new ArgumentException($"'{value}' cannot be written as a plain option value.", nameof(value));
        return value;
    }
}
