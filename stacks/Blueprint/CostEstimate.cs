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
}
