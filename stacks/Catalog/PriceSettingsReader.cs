using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Catalog;

/// <summary>Reads <c>platform:prices</c>: EUR prices that override the catalog's, item by item.</summary>
internal static class PriceSettingsReader
{
    /// <summary>The largest price override: far above any server's, and small enough that no cost sum can overflow.</summary>
    public const decimal MaxPrice = 100_000m;

    public static ImmutableSortedDictionary<string, decimal> Read(NodeReader r, YamlNode? node)
    {
        var prices = ImmutableSortedDictionary.CreateBuilder<string, decimal>(StringComparer.Ordinal);
        if (node is null) return prices.ToImmutable();
        if (node is not YamlMappingNode map)
        {
            r.Error(StackValues.Key("prices"), "must be a mapping of item to EUR price.", "Write e.g. 'prices: { ccx23: 29.99, backupStoragePerGb: 0.006 }'.");
            return prices.ToImmutable();
        }
        foreach (var (k, v) in map.Children)
        {
            var item = (k as YamlScalarNode)?.Value ?? "";
            var key = $"{StackValues.Key("prices")}.{item}";
            if (!ServerTypes.All.ContainsKey(item) && item is not ("ipv4" or "backupStoragePerGb" or "volumePerGb" or Prices.LoadBalancerType) && !Operations.StorageBox.Products.ContainsKey(item))
            {
                r.Error(key, "is not a priced item.", NodeReader.Suggest(item, [.. ServerTypes.All.Keys, "ipv4", "backupStoragePerGb", "volumePerGb", Prices.LoadBalancerType, .. Operations.StorageBox.Products.Keys]));
                continue;
            }
            var text = r.Scalar(v, key, "a price");
            if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0 || price > MaxPrice)
                r.Error(key, $"'{text}' is not a price.", $"Give EUR as a number from 0 to {MaxPrice.ToString(CultureInfo.InvariantCulture)}, e.g. 29.99.");
            else
                prices[item] = price;
        }
        return prices.ToImmutable();
    }
}
