namespace Platform.Stacks.Catalog;

/// <summary>
/// List prices (EUR per month, excl. VAT) the cost estimate uses besides the server types'.
/// Sources: Hetzner Cloud price list (primary IPv4, volumes), Backblaze B2 (storage, converted at 1 USD = 0.92 EUR).
/// </summary>
public static class Prices
{
    public const decimal PrimaryIpv4Eur = 0.50m;
    public const decimal BackupStoragePerGbEur = 0.0055m;

    /// <summary>Hetzner's automatic server backups cost this share of the server's price (Hetzner Cloud price list, "Backups").</summary>
    public const decimal ServerBackupsPercent = 20m;

    /// <summary>Hetzner Cloud Volume, per GB and month.</summary>
    public const decimal VolumePerGbEur = 0.044m;

    /// <summary>The load balancer type in front of several app servers (25 targets, 10 000 connections).</summary>
    public const string LoadBalancerType = "lb11";

    /// <summary>Hetzner Cloud Load Balancer lb11, per month (traffic included); overridable as <c>prices.lb11</c>.</summary>
    public const decimal LoadBalancerEur = 5.39m;
}
