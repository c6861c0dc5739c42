using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>Reads the <c>mariadb*</c> settings; <see cref="Complete"/> derives what follows the apps once they are read.</summary>
internal static class MariaDbSettingsReader
{
    public static MariaDbSettings Read(StackValues v, StackEnvironment environment)
    {
        var image = v.Str("mariadbImage").Trim();
        return new MariaDbSettings
        {
            Image = image,
            Upgrade = Upgrades.UpgradeSettingsReader.Read(v.R, v.Raw("mariadbUpgrade"), StackValues.Key("mariadbUpgrade"),
                Data.GuardedEngine.MariaDb, image, "mariadbImage", MariaDbNames.DataVolume),
            MemoryMb = v.Int("mariadbMemoryMb"),
            MaxConnections = v.Int("mariadbMaxConnections"),
            Protect = environment == StackEnvironment.Prod,
        };
    }

    /// <summary>max_connections derived from the apps' limits when left at 0; an upgrade declared without a MariaDB is refused.</summary>
    public static StackSettings Complete(NodeReader r, StackSettings settings)
    {
        // 0: max_connections follows the apps (20 tenant stores of 20 connections each need 410, not the 100 of a fixed default).
        if (settings.MariaDb.MaxConnections == 0)
            settings = settings with
            {
                MariaDb = settings.MariaDb with
                {
                    MaxConnections = MariaDbSettings.Derived(MariaDbBlueprint.Requests(settings).Select(x => x.Request.ConnectionLimit)), MaxConnectionsDerived = true,
                },
            };
        if (settings.MariaDb.Upgrade is not null && !settings.UsesMariaDb)
            r.Error(StackValues.Key("mariadbUpgrade"), "is set, but no app uses MariaDB, so there is no MariaDB data to upgrade.",
                "Remove mariadbUpgrade: it moves the data of a MariaDB that runs to a new series.");
        return settings;
    }
}
