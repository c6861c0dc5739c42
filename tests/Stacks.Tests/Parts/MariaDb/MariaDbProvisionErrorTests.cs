using Platform.Stacks.Parts.MariaDb;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Parts.MariaDb;

/// <summary>
/// The provisioning host command's client wrapper (<see cref="MariaDbPart.ProvisionClientScript"/>) against a real
/// MariaDB: a failing statement is reported by its error code and message, never by the server's quote of the
/// statement, which could hold a password hash.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MariaDbProvisionErrorTests(MariaDbFixture f) : IClassFixture<MariaDbFixture>
{
    private const string Hash = "*0123456789ABCDEF0123456789ABCDEF01234567";

    /// <summary>The script as the container runs it, with a <c>mariadb</c> on PATH that reaches the test server's socket.</summary>
    private async Task<ProcResult> RunWrappedAsync(string sql)
    {
        var bin = Directory.CreateTempSubdirectory("mariadb-wrap-").FullName;
        try
        {
            var client = Path.Combine(bin, "mariadb");
            File.WriteAllText(client, $"#!/bin/sh\nexec {Proc.Require("mariadb")} {string.Join(' ', f.Server.ClientArgs.Where(a => a is not "--batch" and not "--binary-mode"))} \"$@\"\n");
            File.SetUnixFileMode(client, (UnixFileMode)0b111_101_101);
            return await Proc.RunAsync("/bin/sh", ["-c", MariaDbPart.ProvisionClientScript], stdin: sql,
                env: new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin" });
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_statement_is_reported_without_the_statements_text()
    {
        var sql = $"SELECT 1;\nCREATE USER 'leak'@'%' IDENTIFIED BY PASSWORD '{Hash}' WITH BROKEN\n  SYNTAX;\n";
        // The client alone quotes the statement, hash included: what the wrapper is there for.
        var bare = await f.Server.TrySqlAsync(sql);
        Assert.False(bare.Ok);
        Assert.Contains(Hash, bare.Stderr, StringComparison.Ordinal);

        var wrapped = await RunWrappedAsync(sql);
        Assert.Equal(bare.ExitCode, wrapped.ExitCode);
        Assert.Contains("ERROR 1064 (42000) at line 2", wrapped.Stderr, StringComparison.Ordinal);
        Assert.Contains("the statement is not shown", wrapped.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Hash, wrapped.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SYNTAX", wrapped.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_that_succeeds_exits_0_and_prints_nothing_on_stderr()
    {
        var ok = await RunWrappedAsync("SELECT 1;\n");
        Assert.True(ok.Ok, ok.Stderr);
        Assert.Equal("", ok.Stderr);
        Assert.Equal("1\n1\n", ok.Stdout);
    }
}
