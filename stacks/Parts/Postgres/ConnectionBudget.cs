using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>One holder of PostgreSQL connections and the most it can open.</summary>
/// <param name="Name">Who opens them: an app database's role, or a platform user.</param>
/// <param name="Kind"><c>app</c> or <c>platform</c>.</param>
/// <param name="Connections">The most connections it can hold at once.</param>
/// <param name="Why">Where that number comes from.</param>
public sealed record ConnectionLine(string Name, string Kind, int Connections, string Why);

/// <summary>
/// Whether every PostgreSQL connection the platform can open fits <c>max_connections</c> minus the slots
/// PostgreSQL keeps for superusers (<c>superuser_reserved_connections</c>, left for an operator's psql in
/// an emergency). Each app role's CONNECTION LIMIT bounds everything that role opens: PgBouncer's pool
/// to its database (pool_size plus reserve_pool_size, capped by max_db_connections = the limit) and the
/// app's direct connections (DATABASE_DIRECT_URL) together. The platform's own users (the dump agents,
/// the threshold agent, provisioning) connect as the superuser and are counted too, so that the reserved
/// slots stay free for people. MariaDB databases have their own server and limit. A budget that fits means no app can be refused a connection because
/// another one took them all.
/// </summary>
public sealed record ConnectionBudget(int MaxConnections, int SuperuserReserved, ImmutableArray<ConnectionLine> Lines)
{
    public int AvailableConnections => MaxConnections - SuperuserReserved;

    public int TotalConnections => Lines.Sum(l => l.Connections);

    public int FreeConnections => AvailableConnections - TotalConnections;

    public bool Fits => FreeConnections >= 0;

    public static ConnectionBudget Compute(StackSettings s)
    {
        var lines = ImmutableArray.CreateBuilder<ConnectionLine>();
        var bouncer = Parts.Postgres.PostgresBlueprint.PgBouncerOptions(s);
        foreach (var app in s.Apps.Where(a => a.Database is { Engine: DatabaseEngine.Postgres }).OrderBy(a => BlueprintBuilder.DbName(a.Name), StringComparer.Ordinal))
        {
            var db = BlueprintBuilder.DbName(app.Name);
            var limit = app.Database!.ConnectionLimit;
            var pool = PgBouncerConfig.PoolSize(bouncer, limit);
            var pooled = Math.Min(pool + bouncer.ReservePoolSize, limit);
            var users = s.DatabaseUsers(app.Name);
            lines.Add(new ConnectionLine($"role {db}", "app", limit,
                $"CONNECTION LIMIT {limit} ({app.Key}.needs.database.connectionLimit), shared by PgBouncer (up to {pooled}: pool_size {pool} + reserve {bouncer.ReservePoolSize}, max_db_connections {limit}) "
                + $"and direct connections (DATABASE_DIRECT_URL); used by {string.Join(", ", users)}"));
        }
        if (s.Backups.Enabled)
            lines.Add(new ConnectionLine("backup dump agents", "platform", 2, "postgres-daily and postgres-hourly: one pg_dump each, one database at a time"));
        lines.Add(new ConnectionLine(Operations.HostMetrics.ContainerName, "platform", MonitorRole.HostMetricsConnections,
            $"counts client connections every minute, as {MonitorRole.Name} (pg_monitor only)"));
        lines.Add(new ConnectionLine(HostCommandNames.PostgresProvision, "platform", 1, "psql while roles and databases are created or updated"));
        lines.Add(new ConnectionLine(bouncer.StatsUser, "platform", 0, "PgBouncer's admin console user; it exists only in PgBouncer"));
        if (s.Observability.Enabled)
            lines.Add(new ConnectionLine(MonitorRole.Name, "platform", MonitorRole.ExporterConnections,
                $"postgres_exporter (observability part): one connection in each of its two database handles; with host metrics, CONNECTION LIMIT {MonitorRole.HostMetricsConnections + MonitorRole.ExporterConnections}"));
        var pg = Parts.Postgres.PostgresBlueprint.Options(s);
        return new ConnectionBudget(pg.MaxConnections, pg.SuperuserReservedConnections, lines.ToImmutable());
    }
}
