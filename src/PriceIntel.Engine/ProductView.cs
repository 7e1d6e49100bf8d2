namespace PriceIntel;

/// <summary>Price statistics of one event-time window (NaN values when the window is empty).</summary>
/// <param name="WindowMinutes">Window length.</param>
/// <param name="Count">Observations in the window.</param>
/// <param name="Mean">Mean price.</param>
/// <param name="StdDev">Population standard deviation.</param>
/// <param name="Min">Lowest price.</param>
/// <param name="Max">Highest price.</param>
/// <param name="Median">Median estimate (exact while the window holds at most 8 observations; otherwise the median of the newest 8 in it).</param>
public sealed record PriceWindowStats(double WindowMinutes, long Count, double Mean, double StdDev, double Min, double Max, double Median);

/// <summary>Shopper demand over one event-time window.</summary>
/// <param name="WindowMinutes">Window length.</param>
/// <param name="Views">Page views.</param>
/// <param name="AddToCarts">Add-to-carts.</param>
/// <param name="Purchases">Purchases.</param>
/// <param name="Units">Units purchased.</param>
/// <param name="Revenue">Units × paid price.</param>
/// <param name="Conversion">Purchases / views (0 without views).</param>
/// <param name="ActionsPerHour">All shopper actions per hour over the time the window covers so far.</param>
public sealed record DemandWindowStats(double WindowMinutes, long Views, long AddToCarts, long Purchases, long Units, double Revenue, double Conversion, double ActionsPerHour);

/// <summary>One competitor's current offer on the board.</summary>
/// <param name="Competitor">Competitor key.</param>
/// <param name="Price">Latest price by event time.</param>
/// <param name="Availability">Stock status shown with it.</param>
/// <param name="Time">Event time of the observation.</param>
/// <param name="Ewma">Exponentially weighted moving average of this competitor's accepted prices.</param>
/// <param name="Change">Last minus previous accepted price.</param>
public sealed record CompetitorOffer(string Competitor, decimal Price, Availability Availability, DateTimeOffset Time, double Ewma, double Change);

/// <summary>
/// Everything the engine knows about one product at one moment: our price, cost and stock, the live
/// competitor board with our position on it, windowed price statistics and demand. For APIs and
/// dashboards; building it allocates.
/// </summary>
/// <param name="Product">Product key (SKU).</param>
/// <param name="Currency">ISO 4217 code of every price ("" before the first priced event).</param>
/// <param name="OurPrice">Our current price (0 = unknown).</param>
/// <param name="UnitCost">Our unit cost (0 = unknown).</param>
/// <param name="UnitsOnHand">Units on hand (-1 = unknown).</param>
/// <param name="Arm">Experiment arm name.</param>
/// <param name="Strategy">The arm's strategy.</param>
/// <param name="Competitors">Each competitor's current offer, cheapest first.</param>
/// <param name="Lowest">Lowest in-stock competitor price (0 when none).</param>
/// <param name="Median">Median in-stock competitor price.</param>
/// <param name="Highest">Highest in-stock competitor price.</param>
/// <param name="Rank">Our rank among in-stock competitors: 1 + the number strictly cheaper.</param>
/// <param name="GapToLowest">(Our price − lowest) / lowest.</param>
/// <param name="PriceWindows">Market price statistics (all competitors' accepted prices) per window, shortest first.</param>
/// <param name="DemandWindows">Demand per window, shortest first.</param>
/// <param name="NextScheduledPricing">Event time of the next scheduled pricing run (null: at the next event).</param>
public sealed record ProductView(
    string Product,
    string Currency,
    decimal OurPrice,
    decimal UnitCost,
    int UnitsOnHand,
    string Arm,
    PricingStrategyKind Strategy,
    IReadOnlyList<CompetitorOffer> Competitors,
    decimal Lowest,
    decimal Median,
    decimal Highest,
    int Rank,
    double GapToLowest,
    IReadOnlyList<PriceWindowStats> PriceWindows,
    IReadOnlyList<DemandWindowStats> DemandWindows,
    DateTimeOffset? NextScheduledPricing);
