namespace PriceIntel;

/// <summary>Running totals of one engine, read as a consistent snapshot from the engine's own thread.</summary>
/// <param name="EventsIn">Events handed to the engine.</param>
/// <param name="Invalid">Events refused by the engine's own checks (non-positive price, currency mismatch, unknown kind).</param>
/// <param name="Late">Events older than the allowed lateness behind the newest event time seen: counted, not merged.</param>
/// <param name="Outliers">Competitor prices the anomaly detector judged one-off outliers (likely bad scrapes), kept out of statistics.</param>
/// <param name="CompetitorPriceDrops">Competitor price drop signals.</param>
/// <param name="DemandSurges">Demand surge signals.</param>
/// <param name="LowInventories">Low inventory signals.</param>
/// <param name="PriceAnomalies">Price anomaly signals.</param>
/// <param name="PricingRuns">Times the pricing rules ran.</param>
/// <param name="Decisions">Pricing decisions emitted (runs that changed the price).</param>
public readonly record struct EngineCounters(
    long EventsIn,
    long Invalid,
    long Late,
    long Outliers,
    long CompetitorPriceDrops,
    long DemandSurges,
    long LowInventories,
    long PriceAnomalies,
    long PricingRuns,
    long Decisions)
{
    /// <summary>All signals.</summary>
    public long TotalSignals => CompetitorPriceDrops + DemandSurges + LowInventories + PriceAnomalies;
}
