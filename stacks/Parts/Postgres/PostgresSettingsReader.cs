using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Postgres;

/// <summary>Reads the <c>postgres*</c> and <c>pgbouncer*</c> settings: the server, point-in-time recovery, a declared upgrade, tuning, the pooler.</summary>
internal static class PostgresSettingsReader
{
    public static PostgresSettings Read(StackValues v)
    {
        var r = v.R;
        var service = v.Service("postgres", 2);
        return new PostgresSettings(service, v.Int("postgresMaxConnections"), 0,
            v.Bool("postgresPitr"), v.Int("postgresPitrRetentionDays"), v.Int("postgresPitrStorageGb"),
            Upgrades.UpgradeSettingsReader.Read(r, v.Raw("postgresUpgrade"), StackValues.Key("postgresUpgrade"),
                Data.GuardedEngine.Postgres, service.Image, "postgresImage", PostgresBlueprint.DataVolume))
        { Tuning = Data.PostgresTuningReader.Read(r, v.Raw("postgresTuning")) };
    }

    public static PgBouncerSettings ReadPgBouncer(StackValues v)
    {
        var pgbouncer = new PgBouncerSettings(v.Service("pgbouncer", 0.5),
            v.Int("pgbouncerMaxClientConn"), v.Int("pgbouncerDefaultPoolSize"),
            v.Int("pgbouncerMinPoolSize"), v.Int("pgbouncerReservePoolSize"));
        if (pgbouncer.MinPoolSize > pgbouncer.DefaultPoolSize)
            v.R.Error(StackValues.Key("pgbouncerMinPoolSize"), $"({pgbouncer.MinPoolSize}) is larger than pgbouncerDefaultPoolSize ({pgbouncer.DefaultPoolSize}).", "Lower pgbouncerMinPoolSize or raise pgbouncerDefaultPoolSize.");
        return pgbouncer;
    }
}
