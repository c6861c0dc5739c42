using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Upgrades;

/// <summary>The keys of <c>platform:postgresUpgrade</c> and <c>platform:mariadbUpgrade</c>.</summary>
public static class UpgradeSchema
{
    /// <summary>The keys, the same for both engines.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<string> Keys = For("", "", "").Keys;

    public static ObjectDef For(string engine, string baseVolume, string example) => new($"{engine}Upgrade", $"A declared major-version upgrade of {engine}.",
    [
        new("from", FieldType.StringOrNumber, $"The major the data is on, as the image tags name it (e.g. {example}).") { Required = true },
        new("to", FieldType.StringOrNumber, "The major to upgrade to; postgresImage or mariadbImage names it in the same change.") { Required = true },
        Str("previousVolume", $"The volume the running container uses. Default: {baseVolume}."),
        Bool("keepOld", "Keep the old volume after the switch.", true),
        Bool("rollback", "Go back to the old major, on the old volume."),
        Int("dataGb", "Size of the data in GB, for the downtime estimate.", 1, 100_000, 1),
    ]);
}
