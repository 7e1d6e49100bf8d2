namespace PriceIntel;

/// <summary>The competitive positioning a strategy aims for before bounds apply.</summary>
public enum PricingStrategyKind : byte
{
    /// <summary>Keep the current price; bounds still apply (e.g. a cost rise lifts the floor).</summary>
    Hold = 0,

    /// <summary>Match the lowest in-stock competitor price.</summary>
    MatchLowest = 1,

    /// <summary>Undercut the lowest in-stock competitor price by a configured fraction.</summary>
    BeatLowest = 2,

    /// <summary>Sit at a configured percentile of in-stock competitor prices.</summary>
    Percentile = 3,
}

/// <summary>Why a pricing run happened.</summary>
public enum DecisionTrigger : byte
{
    /// <summary>The product's update interval elapsed.</summary>
    Scheduled = 1,

    /// <summary>A competitor price drop signal.</summary>
    CompetitorPriceDrop = 2,

    /// <summary>A demand surge signal.</summary>
    DemandSurge = 3,

    /// <summary>A low inventory signal.</summary>
    LowInventory = 4,

    /// <summary>Our unit cost changed.</summary>
    CostChange = 5,

    /// <summary>A person set the price by hand (see <see cref="StoredDecision.DecidedBy"/> and <see cref="StoredDecision.Reason"/>).</summary>
    Manual = 6,
}

/// <summary>The rules of the pricing pipeline, as flags so a decision can name every rule that bounded it.</summary>
[Flags]
public enum PricingRules : ushort
{
    /// <summary>No rule.</summary>
    None = 0,

    /// <summary>The strategy's target price.</summary>
    Strategy = 1 << 0,

    /// <summary>Floor: unit cost × (1 + min margin).</summary>
    MinMargin = 1 << 1,

    /// <summary>Ceiling: unit cost × (1 + max margin).</summary>
    MaxMargin = 1 << 2,

    /// <summary>At most the configured fraction away from the current price in one decision.</summary>
    MaxChange = 1 << 3,

    /// <summary>The absolute minimum price.</summary>
    MinPrice = 1 << 4,

    /// <summary>The absolute maximum price.</summary>
    MaxPrice = 1 << 5,

    /// <summary>The minimum advertised price set by the manufacturer.</summary>
    MapFloor = 1 << 6,

    /// <summary>Psychological price ending (e.g. .99).</summary>
    PriceEnding = 1 << 7,

    /// <summary>Kept the current price because the change was below the minimum worth publishing, or no input was usable.</summary>
    NoChange = 1 << 8,
}

/// <summary>
/// A pricing decision for one product. <see cref="SetBy"/> names the single rule that set the final
/// price; <see cref="Bounded"/> every rule that moved or clamped it on the way. <see cref="Id"/> is
/// deterministic for the same input, so a replay does not duplicate decisions downstream.
/// </summary>
/// <param name="Id">Deterministic id: a hash of the product key, trigger, time and inputs.</param>
/// <param name="ProductId">Product id in <see cref="MarketKeys.Products"/>.</param>
/// <param name="OldPrice">Our price before the decision.</param>
/// <param name="NewPrice">Our price after it.</param>
/// <param name="TargetPrice">The strategy's target before any bound applied.</param>
/// <param name="Currency">Currency of the prices.</param>
/// <param name="Strategy">The strategy of the product's experiment arm.</param>
/// <param name="Arm">The experiment arm index the product is assigned to.</param>
/// <param name="Trigger">Why the run happened.</param>
/// <param name="SetBy">The rule that set the final price.</param>
/// <param name="Bounded">Every rule that moved or clamped the price.</param>
/// <param name="Timestamp">Event time of the decision, Unix milliseconds.</param>
public readonly record struct PricingDecision(
    ulong Id,
    int ProductId,
    Money OldPrice,
    Money NewPrice,
    Money TargetPrice,
    CurrencyCode Currency,
    PricingStrategyKind Strategy,
    byte Arm,
    DecisionTrigger Trigger,
    PricingRules SetBy,
    PricingRules Bounded,
    long Timestamp)
{
    /// <summary>(New − old) / old; 0 when there was no old price.</summary>
    public double ChangeFraction => OldPrice.Ticks == 0 ? 0 : (NewPrice.Ticks - OldPrice.Ticks) / (double)OldPrice.Ticks;
}
