using System.Globalization;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// Major-version upgrades and restores across majors, on Debian's real servers. Only one major of each engine is installed
/// here, so what depends on two majors is shown with the one: the upgrade's copy (<see cref="Platform.Stacks.Data.UpgradeCopy"/>,
/// the exact functions the server's upgrade command runs) goes from one server to a fresh one of the same major; the
/// format check that makes an older <c>pg_restore</c> refuse a newer archive is exercised by marking a PostgreSQL 15
/// archive with the next major's format version.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class MajorVersionUpgradeTests
{
    [Fact]
    public async Task MajorVersion_a_dump_of_a_newer_major_is_refused_by_the_older_pg_restore_before_it_writes_anything()
    {
        await using var pg = await PostgresServer.StartAsync();
        await pg.PsqlAsync("CREATE DATABASE shop; ");
        await pg.PsqlAsync("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 10);", "shop");
        using var dir = await ServerDirectory.CreateAsync("pgfmt", PostgresServer.OsUser);
        var dump = Path.Combine(dir.Path, "shop.dump");
        var port = pg.Port.ToString(CultureInfo.InvariantCulture);
        await Proc.RunCheckedAsync(pg.Tool("pg_dump"), ["-h", pg.SocketDirectory, "-p", port, "-Fc", "-f", dump, "shop"], asUser: PostgresServer.OsUser);

        // The custom format's header: "PGDMP", then the archive format's major, minor and revision.
        var bytes = await File.ReadAllBytesAsync(dump);
        Assert.Equal("PGDMP", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        Assert.Equal((1, 14), (bytes[5], bytes[6]));
        await pg.PsqlAsync("CREATE DATABASE copy;");
        var restore = (string file) => Proc.RunAsync(pg.Tool("pg_restore"),
            ["-h", pg.SocketDirectory, "-p", port, "--no-owner", "--single-transaction", "--exit-on-error", "-d", "copy", file], asUser: PostgresServer.OsUser);
        var same = await restore(dump);
        Assert.True(same.Ok, same.ToString());
        await pg.PsqlAsync("DROP DATABASE copy; CREATE DATABASE copy;");

        // The next major's format version (what PostgreSQL 16's pg_dump writes): refused, and the copy stays empty.
        bytes[6] = 15;
        var newer = Path.Combine(dir.Path, "shop-newer.dump");
        await File.WriteAllBytesAsync(newer, bytes);
        var refused = await restore(newer);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unsupported version (1.15) in file header", refused.Stderr, StringComparison.Ordinal);
        var tables = await pg.PsqlAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' \\gset\n\\echo :count", "copy");
        Assert.Equal("0", tables.Stdout.Trim());
    }
}
