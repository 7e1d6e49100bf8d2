namespace PriceIntel.AspNetCore.Contracts;

/// <summary>One competitor's current offer.</summary>
internal sealed record OfferDto(string Competitor, decimal Price, Availability Availability, DateTimeOffset Time, double? Ewma, double Change);

/// <summary>Price statistics over one window (null where the window is empty).</summary>
internal sealed record PriceWindowDto(double WindowMinutes, long Count, double? Mean, double? StdDev, double? Min, double? Max, double? Median);

/// <summary>Demand over one window.</summary>
internal sealed record DemandWindowDto(double WindowMinutes, long Views, long AddToCarts, long Purchases, long Units, double Revenue, double Conversion, double ActionsPerHour);

/// <summary>
/// The live board of one product, from the engine: our price, cost and stock, each competitor's
/// price, lowest/median/highest, our rank and gap, window statistics and demand.
/// </summary>
internal sealed record BoardDto(
    string Product,
    string Currency,
    decimal OurPrice,
    decimal UnitCost,
    int UnitsOnHand,
    string Arm,
    PricingStrategyKind Strategy,
    IReadOnlyList<OfferDto> Competitors,
    decimal Lowest,
    decimal Median,
    decimal Highest,
    int Rank,
    double? GapToLowest,
    IReadOnlyList<PriceWindowDto> PriceWindows,
    IReadOnlyList<DemandWindowDto> DemandWindows,
    DateTimeOffset? NextScheduledPricing)
{
    public static BoardDto From(ProductView s) => new(
        s.Product,
        s.Currency,
        s.OurPrice,
        s.UnitCost,
        s.UnitsOnHand,
        s.Arm,
        s.Strategy,
        [.. s.Competitors.Select(c => new OfferDto(c.Competitor, c.Price, c.Availability, c.Time, Finite(c.Ewma), Finite(c.Change) ?? 0))],
        s.Lowest,
        s.Median,
        s.Highest,
        s.Rank,
        Finite(s.GapToLowest),
        [.. s.PriceWindows.Select(w => new PriceWindowDto(w.WindowMinutes, w.Count, Finite(w.Mean), Finite(w.StdDev), Finite(w.Min), Finite(w.Max), Finite(w.Median)))],
        [.. s.DemandWindows.Select(d => new DemandWindowDto(d.WindowMinutes, d.Views, d.AddToCarts, d.Purchases, d.Units, Finite(d.Revenue) ?? 0, Finite(d.Conversion) ?? 0, Finite(d.ActionsPerHour) ?? 0))],
        s.NextScheduledPricing);

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
