using System.Globalization;

namespace Platform.Stacks.Data;

/// <summary>
/// How long a declared upgrade keeps the apps from their database, from the figures measured on this project's test
/// machine (docs/operations.md, "Recovery point and recovery time", the busy run, 1 GB PostgreSQL database): the dump
/// took <see cref="DumpSecondsPerGb"/> s and the restore <see cref="RestoreSecondsPerGb"/> s; the upgrade's verification
/// reads every row once on each server, counted as two more dumps; and <see cref="FixedSeconds"/> s to start the new
/// server, stop the old one and start the new container. MariaDB's copy was not measured here: the same rate is used.
/// </summary>
public static class UpgradeEstimate
{
    public const double DumpSecondsPerGb = 9.9;
    public const double RestoreSecondsPerGb = 36.5;
    public const int FixedSeconds = 60;

    /// <summary>Seconds per GB of data: dump, restore, and two verification reads.</summary>
    public const double SecondsPerGb = 3 * DumpSecondsPerGb + RestoreSecondsPerGb;

    /// <summary>The estimated downtime in whole minutes (rounded up) for <paramref name="dataGb"/> GB.</summary>
    public static int Minutes(int dataGb) => (int)Math.Ceiling((FixedSeconds + SecondsPerGb * Math.Max(1, dataGb)) / 60.0);

    /// <summary>The estimate with what it is based on, as the plan prints it.</summary>
    public static string Describe(DataUpgradeSpec u)
    {
        ArgumentNullException.ThrowIfNull(u);
        var rate = SecondsPerGb.ToString("0", CultureInfo.InvariantCulture);
        return $"estimate about {Minutes(u.DataGb).ToString(CultureInfo.InvariantCulture)} min for {u.DataGb.ToString(CultureInfo.InvariantCulture)} GB ({u.Setting}.dataGb): "
            + $"{rate} s per GB (the 1 GB dump {DumpSecondsPerGb.ToString(CultureInfo.InvariantCulture)} s and restore {RestoreSecondsPerGb.ToString(CultureInfo.InvariantCulture)} s measured in docs/operations.md, plus two verification reads counted as dumps) and {FixedSeconds} s to start and switch servers"
            + (u.Engine == GuardedEngine.MariaDb ? "; MariaDB's copy was not measured, PostgreSQL's rate is used" : "");
    }
}
