using System.Globalization;
using System.Text;
using Platform.Stacks.Data;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The major-version guard on real data directories made by Debian's PostgreSQL 15, MariaDB 10.11 and Redis 7.0, run by a
/// real shell. The body is the rendered one; only how it reads the data directory differs from the server (there through
/// the volume's folder with sudo, here the folder itself). Where the engine can show it here, the engine itself refuses
/// what the guard refuses.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MajorVersionGuardTests
{
    /// <summary>Runs the guard's body against <paramref name="dataDirectory"/> (the volume's root as the container mounts it).</summary>
    private static Task<ProcResult> Guard(GuardedData g, string dataDirectory) =>
        Proc.RunAsync("sh", ["-c", string.Join("\n",
            "set -eu",
            $"dir={Backups.ShellQuote(dataDirectory)}",
            "datafile() { sh -c \"cat $dir/$1\" 2>/dev/null || true; }",
            "dataexists() { test -e \"$dir/$1\"; }",
            MajorVersionGuard.Body(g))]);

    private static GuardedData Postgres(string image) => new(GuardedEngine.Postgres, "postgres", "postgres-data", "postgresImage", image);

    /// <summary>A folder laid out as the postgres-data volume: the data directory at pgdata/.</summary>
    private static async Task<ServerDirectory> VolumeWith(PostgresServer pg)
    {
        var volume = await ServerDirectory.CreateAsync("pgvol", PostgresServer.OsUser);
        File.CreateSymbolicLink(Path.Combine(volume.Path, "pgdata"), pg.DataDirectory);
        return volume;
    }

    [Fact]
    public async Task MajorVersion_guard_refuses_postgres_16_on_a_postgresql_15_data_directory_and_passes_15()
    {
        await using var pg = await PostgresServer.StartAsync();
        using var volume = await VolumeWith(pg);
        Assert.Equal("15", (await File.ReadAllTextAsync(Path.Combine(pg.DataDirectory, "PG_VERSION"))).Trim());

        var same = await Guard(Postgres("postgres:15.10-alpine"), volume.Path);
        Assert.True(same.Ok, same.ToString());
        Assert.Contains("data directory of PostgreSQL 15, as postgresImage: no major-version change", same.Stdout, StringComparison.Ordinal);

        var newer = await Guard(Postgres("postgres:16.6-alpine"), volume.Path);
        Assert.Equal(1, newer.ExitCode);
        Assert.Contains("error: postgres (volume postgres-data) holds a PostgreSQL 15 data directory, but postgresImage is postgres:16.6-alpine (PostgreSQL 16), which cannot start on it", newer.Stderr, StringComparison.Ordinal);
        Assert.Contains("set postgresImage back to an image of that major, or upgrade: dump, restore into a new volume", newer.Stderr, StringComparison.Ordinal);
        Assert.Contains("docs/operations.md, section Major-version upgrades", newer.Stderr, StringComparison.Ordinal);
        // The message names the declaration that lets the deployment do the upgrade.
        Assert.Contains("which the deployment does when the stack file declares it: platform:postgresUpgrade: { from: \"15\", to: \"16\" }", newer.Stderr, StringComparison.Ordinal);

        // A digest without a tag cannot be compared: refused while data exists.
        var untagged = await Guard(Postgres("postgres@sha256:" + new string('a', 64)), volume.Path);
        Assert.Equal(1, untagged.ExitCode);
        Assert.Contains("has no version tag to compare it with", untagged.Stderr, StringComparison.Ordinal);

        // A first start: an empty volume passes.
        using var empty = await ServerDirectory.CreateAsync("pgempty", null);
        var first = await Guard(Postgres("postgres:16.6-alpine"), empty.Path);
        Assert.True(first.Ok, first.ToString());
        Assert.Contains("no PostgreSQL data directory yet", first.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MajorVersion_guard_and_postgresql_15_itself_refuse_a_data_directory_of_another_major()
    {
        await using var pg = await PostgresServer.StartAsync();
        await pg.PsqlAsync("CREATE TABLE t AS SELECT 1 AS i;");
        await pg.StopAsync();
        // The same data directory as a PostgreSQL 16 one would read: PG_VERSION is what both the server and the guard check.
        using var copyRoot = await ServerDirectory.CreateAsync("pgother", PostgresServer.OsUser);
        var copy = Path.Combine(copyRoot.Path, "pgdata");
        await Proc.RunCheckedAsync("cp", ["-a", pg.DataDirectory, copy]);
        await File.WriteAllTextAsync(Path.Combine(copy, "PG_VERSION"), "16\n");

        var port = Proc.FreePort().ToString(CultureInfo.InvariantCulture);
        var engine = await Proc.RunAsync(pg.Tool("postgres"), ["-D", copy, "-p", port, "-c", "listen_addresses="], asUser: PostgresServer.OsUser, timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, engine.ExitCode);
        Assert.Contains("database files are incompatible with server", engine.Stderr, StringComparison.Ordinal);

        var guard = await Guard(Postgres("postgres:15.10-alpine"), copyRoot.Path);
        Assert.Equal(1, guard.ExitCode);
        Assert.Contains("holds a PostgreSQL 16 data directory, but postgresImage is postgres:15.10-alpine (PostgreSQL 15)", guard.Stderr, StringComparison.Ordinal);
    }

    private static GuardedData MariaDb(string image) => new(GuardedEngine.MariaDb, "mariadb", "mariadb-data", "mariadbImage", image);

    [Fact]
    public async Task MajorVersion_guard_reads_the_upgrade_info_mariadb_writes_and_refuses_another_major()
    {
        await using var db = await MariaDbServer.StartAsync();
        // mariadb-install-db (what the official image's initialisation runs) records the version that made the data.
        var info = Path.Combine(db.DataDirectory, "mysql_upgrade_info");
        var version = await db.ScalarAsync("SELECT VERSION()");
        Assert.StartsWith("10.11.", version, StringComparison.Ordinal);
        Assert.StartsWith(version.Split('-')[0], await File.ReadAllTextAsync(info), StringComparison.Ordinal);

        var same = await Guard(MariaDb("mariadb:10.11.18"), db.DataDirectory);
        Assert.True(same.Ok, same.ToString());
        Assert.Contains("data written by MariaDB 10.11, as mariadbImage: no major-version change", same.Stdout, StringComparison.Ordinal);

        var newer = await Guard(MariaDb("mariadb:11.4.5"), db.DataDirectory);
        Assert.Equal(1, newer.ExitCode);
        Assert.Contains("error: mariadb (volume mariadb-data) holds data written by MariaDB 10.11, but mariadbImage is mariadb:11.4.5 (MariaDB 11.4)", newer.Stderr, StringComparison.Ordinal);
        Assert.Contains("Either set mariadbImage back to a MariaDB 10.11 image, or upgrade", newer.Stderr, StringComparison.Ordinal);
        Assert.Contains("platform:mariadbUpgrade: { from: \"10.11\", to: \"11.4\" }", newer.Stderr, StringComparison.Ordinal);
        var older = await Guard(MariaDb("mariadb:10.6.20"), db.DataDirectory);
        Assert.Equal(1, older.ExitCode);
        Assert.Contains("but mariadbImage is mariadb:10.6.20 (MariaDB 10.6)", older.Stderr, StringComparison.Ordinal);

        // Without the record the version that wrote the data is unknown: refused, since a MariaDB data directory exists.
        File.Delete(info);
        var unknown = await Guard(MariaDb("mariadb:10.11.18"), db.DataDirectory);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("does not say which version wrote it (no mariadb_upgrade_info or mysql_upgrade_info)", unknown.Stderr, StringComparison.Ordinal);
        // mariadb-upgrade (the procedure the message names, and what the image's entrypoint runs on an upgrade) records it again.
        await Proc.RunCheckedAsync(Proc.Require("mariadb-upgrade"), ["--no-defaults", $"--socket={db.Socket}", $"--user={MariaDbServer.AdminUser}"], timeout: TimeSpan.FromSeconds(180));
        Assert.True((await Guard(MariaDb("mariadb:10.11.18"), db.DataDirectory)).Ok);

        using var empty = await ServerDirectory.CreateAsync("mdbempty", null);
        Assert.True((await Guard(MariaDb("mariadb:11.4.5"), empty.Path)).Ok);
    }

    private static GuardedData Redis(string image) => new(GuardedEngine.Redis, "app-api.redis", "app-api.redis.data", "redisImage", image);

    [Fact]
    public async Task MajorVersion_guard_refuses_a_redis_that_cannot_read_the_rdb_format_as_redis_7_0_itself_does()
    {
        await using var redis = await RedisServer.CreateAsync();
        await redis.StartAsync($"bind 127.0.0.1\nport {redis.Port}\ndir {redis.Directory}\nappendonly no\nsave \"\"\n");
        Assert.Contains("OK", (await redis.CliAsync(null, null, "SET", "k", "v")).Stdout, StringComparison.Ordinal);
        Assert.Contains("OK", (await redis.CliAsync(null, null, "SAVE")).Stdout, StringComparison.Ordinal);
        await redis.StopAsync();
        var dump = Path.Combine(redis.Directory, "dump.rdb");
        // Redis 7.0 writes RDB format 10 (RDB_VERSION in src/rdb.h of 7.0).
        Assert.Equal("REDIS0010", Encoding.ASCII.GetString((await File.ReadAllBytesAsync(dump))[..9]));

        Assert.True((await Guard(Redis("redis:7.0.15-alpine"), redis.Directory)).Ok);
        Assert.True((await Guard(Redis("redis:7.4.2-alpine"), redis.Directory)).Ok);
        var older = await Guard(Redis("redis:6.2.14-alpine"), redis.Directory);
        Assert.Equal(1, older.ExitCode);
        Assert.Contains("error: app-api.redis (volume app-api.redis.data)'s dump.rdb is RDB format 10, but redisImage is redis:6.2.14-alpine (Redis 6.2), which reads RDB formats up to 9", older.Stderr, StringComparison.Ordinal);

        // The file as Redis 7.2 writes it (format 11): Redis 7.0 refuses to load it, and so does the guard for a 7.0 image.
        var bytes = await File.ReadAllBytesAsync(dump);
        Encoding.ASCII.GetBytes("REDIS0011").CopyTo(bytes, 0);
        await File.WriteAllBytesAsync(dump, bytes);
        var engine = await Proc.RunAsync(Proc.Require("redis-server"), [redis.ConfPath], asUser: Proc.IsRoot ? RedisServer.OsUser : null, timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, engine.ExitCode);
        Assert.Contains("Can't handle RDB format version 11", engine.Stdout + engine.Stderr, StringComparison.Ordinal);
        var guard = await Guard(Redis("redis:7.0.15-alpine"), redis.Directory);
        Assert.Equal(1, guard.ExitCode);
        Assert.Contains("dump.rdb is RDB format 11", guard.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MajorVersion_guard_script_reads_the_volume_through_docker_and_sudo_and_passes_a_first_start()
    {
        // The server's script as rendered, with docker and sudo as small programs on PATH that answer as Docker's CLI does for a
        // volume without options (Options prints "<no value>") and run the command (sudo): the data is a real PostgreSQL 15 one.
        await using var pg = await PostgresServer.StartAsync();
        using var volume = await VolumeWith(pg);
        using var bin = await ServerDirectory.CreateAsync("guardbin", null);
        var docker = Path.Combine(bin.Path, "docker");
        await File.WriteAllTextAsync(docker, $$"""
            #!/bin/sh
            [ "$1 $2" = "volume inspect" ] || exit 2
            [ "$GUARD_VOLUME_EXISTS" = yes ] || { echo "Error: No such volume: $3" >&2; exit 1; }
            case "$*" in *Options*) echo '<no value>' ;; *Mountpoint*) echo {{Backups.ShellQuote(volume.Path)}} ;; *) echo '[]' ;; esac
            """);
        var sudo = Path.Combine(bin.Path, "sudo");
        await File.WriteAllTextAsync(sudo, "#!/bin/sh\nexec \"$@\"\n");
        await Proc.RunCheckedAsync("chmod", ["+x", docker, sudo]);
        var path = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");

        var script = MajorVersionGuard.Script(Postgres("postgres:16.6-alpine"));
        var refused = await Proc.RunAsync("sh", ["-s"], stdin: script, env: new Dictionary<string, string> { ["PATH"] = path, ["GUARD_VOLUME_EXISTS"] = "yes" });
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("holds a PostgreSQL 15 data directory, but postgresImage is postgres:16.6-alpine", refused.Stderr, StringComparison.Ordinal);

        var first = await Proc.RunAsync("sh", ["-s"], stdin: script, env: new Dictionary<string, string> { ["PATH"] = path, ["GUARD_VOLUME_EXISTS"] = "no" });
        Assert.True(first.Ok, first.ToString());
        Assert.Contains("volume postgres-data does not exist yet (a first start)", first.Stdout, StringComparison.Ordinal);
    }
}
