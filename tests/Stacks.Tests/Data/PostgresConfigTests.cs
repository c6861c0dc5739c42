using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Data;

public sealed class PostgresConfigTests
{
    private static Dictionary<string, string> Settings(string conf) => conf.Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(" = ", 2))
        .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    [Fact]
    public void Defaults_for_4096_MB_follow_the_platform_plan()
    {
        var s = Settings(PostgresConfig.PostgresqlConf(new PostgresOptions(4096)));
        Assert.Equal("1024MB", s["shared_buffers"]);
        Assert.Equal("3072MB", s["effective_cache_size"]);
        Assert.Equal("32MB", s["work_mem"]);
        Assert.Equal("256MB", s["maintenance_work_mem"]);
        Assert.Equal("100", s["max_connections"]);
        Assert.Equal("32MB", s["wal_buffers"]);
        Assert.Equal("'*'", s["listen_addresses"]);
        Assert.Equal("5432", s["port"]);
        Assert.Equal("'scram-sha-256'", s["password_encryption"]);
        Assert.Equal("'stderr'", s["log_destination"]);
        Assert.Equal("1000", s["log_min_duration_statement"]);
        Assert.Equal("'none'", s["log_statement"]); // 'ddl' would log ALTER ROLE … PASSWORD statements verbatim
        Assert.False(s.ContainsKey("unix_socket_directories"));
    }

    [Theory]
    [InlineData(1024, "256MB", "768MB")]
    [InlineData(2048, "512MB", "1536MB")]
    [InlineData(16384, "4096MB", "12288MB")]
    public void Memory_settings_scale_with_the_memory(int memoryMb, string sharedBuffers, string cache)
    {
        var s = Settings(PostgresConfig.PostgresqlConf(new PostgresOptions(memoryMb)));
        Assert.Equal(sharedBuffers, s["shared_buffers"]);
        Assert.Equal(cache, s["effective_cache_size"]);
    }

    [Fact]
    public void Every_value_can_be_overridden()
    {
        var s = Settings(PostgresConfig.PostgresqlConf(new PostgresOptions(4096)
        {
            SharedBuffersMb = 512, EffectiveCacheSizeMb = 2000, WorkMemMb = 8, MaintenanceWorkMemMb = 64, MaxConnections = 50,
            WalBuffersMb = 16, Port = 5433, ListenAddresses = "127.0.0.1", UnixSocketDirectory = "/run/pg",
        }));
        Assert.Equal("512MB", s["shared_buffers"]);
        Assert.Equal("2000MB", s["effective_cache_size"]);
        Assert.Equal("8MB", s["work_mem"]);
        Assert.Equal("64MB", s["maintenance_work_mem"]);
        Assert.Equal("50", s["max_connections"]);
        Assert.Equal("16MB", s["wal_buffers"]);
        Assert.Equal("5433", s["port"]);
        Assert.Equal("'127.0.0.1'", s["listen_addresses"]);
        Assert.Equal("'/run/pg'", s["unix_socket_directories"]);
    }

    [Fact]
    public void Nonsense_input_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresConfig.PostgresqlConf(new PostgresOptions(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresConfig.PostgresqlConf(new PostgresOptions(1024) { SharedBuffersMb = 1024 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresConfig.PostgresqlConf(new PostgresOptions(1024) { Port = 70000 }));
        Assert.Throws<ArgumentException>(() => PostgresConfig.PostgresqlConf(new PostgresOptions(1024) { ListenAddresses = "*\nfsync = off" }));
        Assert.Throws<ArgumentException>(() => PostgresConfig.PostgresqlConf(new PostgresOptions(1024) { LogStatement = "everything" }));
    }

    [Fact]
    public void Rendering_is_deterministic() =>
        Assert.Equal(PostgresConfig.PostgresqlConf(new PostgresOptions(4096)), PostgresConfig.PostgresqlConf(new PostgresOptions(4096)));

    [Fact]
    public void Pg_hba_allows_scram_over_tcp_and_peer_for_postgres_on_the_socket_only()
    {
        var rules = PostgresConfig.PgHbaConf().Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["local", "all", "postgres", "peer"], rules[0]);
        // The superuser over TCP: from loopback only (PostgreSQL's own container, or a one-shot in its network
        // namespace); the reject comes before any rule that would match it from elsewhere (first match wins).
        Assert.Equal(["host", "all", "postgres", "127.0.0.1/32", "scram-sha-256"], rules[1]);
        Assert.Equal(["host", "all", "postgres", "::1/128", "scram-sha-256"], rules[2]);
        Assert.Equal(["host", "all", "postgres", "all", "reject"], rules[3]);
        Assert.Equal(["host", "all", "all", "0.0.0.0/0", "scram-sha-256"], rules[4]);
        Assert.Equal(["host", "all", "all", "::/0", "scram-sha-256"], rules[5]);
        Assert.Equal(6, rules.Count);
        var hba = PostgresConfig.PgHbaConf();
        Assert.DoesNotContain("md5", hba, StringComparison.Ordinal);
        Assert.DoesNotContain("trust", hba, StringComparison.Ordinal);
        Assert.DoesNotContain("password", hba, StringComparison.Ordinal);
    }

    [Fact]
    public void Pg_hba_can_narrow_tcp_clients_and_refuses_non_networks()
    {
        var hba = PostgresConfig.PgHbaConf(new PostgresHbaOptions { TcpClientNetworks = ["172.20.0.0/16"] });
        Assert.Contains("host    all       all       172.20.0.0/16  scram-sha-256", hba, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0/0", hba, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PostgresConfig.PgHbaConf(new PostgresHbaOptions { TcpClientNetworks = ["0.0.0.0/0 trust"] }));
        Assert.Throws<ArgumentException>(() => PostgresConfig.PgHbaConf(new PostgresHbaOptions { TcpClientNetworks = [] }));
    }

    [Fact]
    public void Health_check_is_pg_isready_on_the_port() =>
        Assert.Equal(["CMD", "pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "postgres"], PostgresConfig.HealthCheckTest(new PostgresOptions(1024)).ToArray());
}
