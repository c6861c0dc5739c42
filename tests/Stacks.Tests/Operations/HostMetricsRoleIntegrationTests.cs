using Npgsql;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Operations;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// Host metrics logs in as the monitoring role, not the superuser: on a real PostgreSQL 15, every query its script runs
/// works for that role (pg_monitor), and the WAL query would not without pg_monitor.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostMetricsRoleIntegrationTests
{
    [Fact]
    public async Task Every_query_of_the_agent_works_as_the_monitoring_role()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SecretNames.PostgresMonitor] = Secrets.NewPassword(),
            [DataTierFixture.Shop.PasswordSecret] = Secrets.NewPassword(),
        };
        await using var pg = await PostgresServer.StartAsync();
        var role = MonitorRole.For(SecretNames.PostgresMonitor, exporter: false);
        Assert.Equal(1, role.ConnectionLimit);
        await pg.PsqlAsync(PostgresProvisioning.Script([DataTierFixture.Shop], role).Resolve(n => secrets[n]));

        // The agent's user is the role, its password the role's secret (the file it reads), never the superuser's.
        var agent = HostMetrics.Container(new HostMetricsInput("postgres:16.6-alpine", AlertThresholds.Default, "postgres",
            SecretNames.PostgresMonitor, "http://uptime-kuma:3001", new OpsNetworks("data", "edge"), WalArchiving: true));
        Assert.Equal(MonitorRole.Name, agent.Env.Single(e => e.Name == "PGUSER").Value.Masked);
        Assert.Equal([SecretNames.PostgresMonitor], agent.Files.Single(f => f.Path == HostMetrics.SecretFile("PGPASSWORD")).Content.Secrets.AsEnumerable());

        await using var c = new NpgsqlConnection(pg.ConnectionString("postgres", MonitorRole.Name, secrets[SecretNames.PostgresMonitor]));
        await c.OpenAsync();
        async Task<object?> Scalar(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, c);
            return await cmd.ExecuteScalarAsync();
        }
        Assert.InRange(Convert.ToInt32(await Scalar(HostMetrics.ConnectionsPercentSql)), 0, 100);
        Assert.Equal("ok", await Scalar(Pitr.ArchiveCheckSql));
        Assert.InRange(Convert.ToInt32(await Scalar(Pitr.WalSizePercentSql)), 0, 100);
        Assert.Equal(false, await Scalar("select rolsuper from pg_roles where rolname = current_user"));

        // Without pg_monitor the WAL directory is not readable: the grant is what makes the agent work.
        await pg.PsqlAsync($"REVOKE pg_monitor FROM {MonitorRole.Name};");
        await using var again = new NpgsqlConnection(pg.ConnectionString("postgres", MonitorRole.Name, secrets[SecretNames.PostgresMonitor]));
        await c.CloseAsync();
        await again.OpenAsync();
        await using var wal = new NpgsqlCommand(Pitr.WalSizePercentSql, again);
        var denied = await Assert.ThrowsAsync<PostgresException>(() => wal.ExecuteScalarAsync());
        Assert.Equal("42501", denied.SqlState);
    }
}
