using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Operations;

/// <summary>The keys of <c>platform:backupStorageBox</c>, as <see cref="StorageBox"/> reads them.</summary>
public static class StorageBoxSchema
{
    public static readonly ObjectDef Shape = new("backupStorageBox", "A Hetzner Storage Box every backup archive is uploaded to over SFTP as well.",
    [
        Str("host", "The Storage Box's host, e.g. u123456.your-storagebox.de.", required: true),
        Int("port", "SFTP port.", 1, 65_535, 23),
        Str("user", "The login, e.g. u123456 or u123456-sub1. Default: the host's first label."),
        Str("path", "Directory under the login's home.", "backups"),
        Str("hostKey", "The box's host key as ssh-keyscan prints it: \"ssh-ed25519 AAAA…\".", required: true),
        Enum("product", "The Storage Box product, for the cost estimate.", StorageBox.Products.Keys.Order(StringComparer.Ordinal), "bx11"),
    ]);
}
