namespace PriceIntel;

/// <summary>What a <see cref="MarketSimulator"/> has generated so far.</summary>
/// <param name="Ticks">Ticks generated.</param>
/// <param name="Events">Events generated (handed out or ready to be).</param>
/// <param name="CompetitorPrices">Competitor price observations.</param>
/// <param name="ScrapeErrors">Observations that carry an absurd price (×10, ÷10, ×100, ÷100).</param>
/// <param name="PromotionsStarted">Promotions started by promotional competitors.</param>
/// <param name="Views">Page views.</param>
/// <param name="AddToCarts">Add-to-carts.</param>
/// <param name="Purchases">Purchases.</param>
/// <param name="UnitsSold">Units in those purchases.</param>
/// <param name="LostSales">Purchases that did not happen because we were out of stock.</param>
/// <param name="InventoryUpdates">Inventory events (start-up included).</param>
/// <param name="Restocks">Restock deliveries received.</param>
/// <param name="CostChanges">Cost events (start-up included).</param>
/// <param name="ViralSpikes">Viral demand spikes started.</param>
/// <param name="FeedbackApplied">Price updates from the host that took effect.</param>
/// <param name="FeedbackLate">Price updates that arrived after the tick they belonged to was generated (the host broke the apply-then-acknowledge order; determinism is lost).</param>
/// <param name="FeedbackIgnored">Price updates ignored: open loop, a product the simulator does not know, or older than the price in force.</param>
public sealed record MarketSimulatorStatistics(
    long Ticks,
    long Events,
    long CompetitorPrices,
    long ScrapeErrors,
    long PromotionsStarted,
    long Views,
    long AddToCarts,
    long Purchases,
    long UnitsSold,
    long LostSales,
    long InventoryUpdates,
    long Restocks,
    long CostChanges,
    long ViralSpikes,
    long FeedbackApplied,
    long FeedbackLate,
    long FeedbackIgnored);
