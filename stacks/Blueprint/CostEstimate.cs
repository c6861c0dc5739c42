using System.Collections.Immutable;

namespace Platform.Stacks.Blueprint;

/// <summary>One priced item of a stack's monthly cost.</summary>
public sealed record CostLine(string Item, decimal Quantity, string Unit, decimal UnitPriceEur)
{
    public decimal MonthlyEur => decimal.Round(Quantity * UnitPriceEur, 2);
}

/// <summary>The estimated monthly cost of a stack, from the price table in <see cref="Catalog.Prices"/>.</summary>
public sealed record CostEstimate(ImmutableArray<CostLine> Lines)
{
    public decimal MonthlyEur => Lines.Sum(l => l.MonthlyEur);

    /// <summary>
    /// A split stack's servers, each with what it alone costs (its type, its IPv4, the data server's volume); what is
    /// shared (the load balancer, off-site storage) is in <see cref="Lines"/> only. Empty on a single server. Default: none.
    /// </summary>
    public ImmutableArray<ServerCost> PerServer { get; init; } = [];
}

/// <summary>What one server of a split stack costs on its own.</summary>
public sealed record ServerCost(Parts.ServerKey Server, decimal MonthlyEur);
