namespace Platform.Stacks.Catalog;

/// <summary>
/// List prices (EUR per month, excl. VAT) the cost estimate uses besides the server types'.
/// Sources: Hetzner Cloud price list (primary IPv4, volumes), Backblaze B2 (storage, converted at 1 USD = 0.92 EUR).
/// </summary>
public static class Prices
{
    public const decimal PrimaryIpv4Eur = 0.50m;
    public const decimal BackupStoragePerGbEur = 0.0055m;

    /// <summary>Hetzner Cloud Volume, per GB and month.</summary>
    public const decimal VolumePerGbEur = 0.044m;
}
