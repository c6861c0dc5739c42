using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Settings;

/// <summary>The shapes of the stack-wide settings that belong to no part: registries, price overrides, secrets.</summary>
public static class SettingsShapes
{
    public static readonly ObjectDef Registry = new("registry", "A private image registry the servers pull from; its password or token is registrySecrets.<name>.",
    [
        Str("name", "The registry's name (its secret is registrySecrets.<name>).", required: true, pattern: Names.AppNamePattern),
        Str("address", "The registry's host, e.g. ghcr.io.", required: true),
        Str("username", "The user the servers log in as.", required: true),
    ]);

    private static FieldDef Price(string name, string what) =>
        new(name, FieldType.Number, $"EUR per month for {what}.") { Min = 0, Max = (double)Catalog.PriceSettingsReader.MaxPrice };

    public static readonly ObjectDef Prices = new("prices", "Price overrides for the cost estimate (EUR/month).",
    [
        .. Catalog.ServerTypes.All.Keys.Order(StringComparer.Ordinal).Select(t => Price(t, $"a {t} server")),
        Price("ipv4", "a primary IPv4 address"),
        Price("backupStoragePerGb", "a GB of off-site backup storage"),
        Price("volumePerGb", "a GB of Hetzner Volume"),
        Price(Catalog.Prices.LoadBalancerType, "the load balancer"),
        .. Operations.StorageBox.Products.Keys.Order(StringComparer.Ordinal).Select(p => Price(p, $"a {p} Storage Box")),
    ]);

    /// <summary>A value <c>pulumi config set --secret</c> wrote.</summary>
    public static readonly FieldDef SecretValue = new("secret", FieldType.Secret, "A secret: set it with pulumi config set --secret --path.");
}
