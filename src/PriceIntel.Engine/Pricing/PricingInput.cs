namespace PriceIntel.Engine.Pricing;

/// <summary>
/// What the engine knows about one product when it asks for a pricing decision. A ref struct so the
/// competitor prices can be a span over engine state: nothing is copied or allocated.
/// </summary>
/// <param name="productId">Dense product id (<see cref="MarketKeys.Products"/>).</param>
/// <param name="productHash">The product's stable key hash (<see cref="KeyTable.GetStableHash"/>); feeds the decision id.</param>
/// <param name="oldPrice">Our current price; zero (or less) means unknown.</param>
/// <param name="unitCost">Our unit cost; zero (or less) means unknown, and then no margin band applies.</param>
/// <param name="mapFloor">Minimum advertised price; zero (or less) means none.</param>
/// <param name="competitorPrices">In-stock competitor prices in currency units; may be empty. Values that are not finite, not positive or above <see cref="Money.MaxPrice"/> are ignored.</param>
/// <param name="trigger">Why the run happens.</param>
/// <param name="timestamp">Event time of the run, Unix milliseconds.</param>
/// <param name="currency">Currency of every price above.</param>
internal readonly ref struct PricingInput(
    int productId,
    ulong productHash,
    Money oldPrice,
    Money unitCost,
    Money mapFloor,
    ReadOnlySpan<double> competitorPrices,
    DecisionTrigger trigger,
    long timestamp,
    CurrencyCode currency)
{
    public int ProductId { get; } = productId;

    public ulong ProductHash { get; } = productHash;

    public Money OldPrice { get; } = oldPrice;

    public Money UnitCost { get; } = unitCost;

    public Money MapFloor { get; } = mapFloor;

    public ReadOnlySpan<double> CompetitorPrices { get; } = competitorPrices;

    public DecisionTrigger Trigger { get; } = trigger;

    public long Timestamp { get; } = timestamp;

    public CurrencyCode Currency { get; } = currency;
}
