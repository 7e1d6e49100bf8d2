namespace PriceIntel;

/// <summary>A market signal as stored: keys resolved to strings, so it means the same in every process.</summary>
/// <param name="Id">Deterministic id (see <see cref="MarketSignal.Id"/>).</param>
/// <param name="Kind">What was seen.</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Product">Product key (SKU).</param>
/// <param name="Competitor">Competitor key, or null.</param>
/// <param name="Observed">Observed value.</param>
/// <param name="Reference">Reference value.</param>
/// <param name="Threshold">Threshold in force.</param>
/// <param name="Magnitude">How far past the threshold.</param>
/// <param name="Time">Event time.</param>
public sealed record StoredSignal(
    ulong Id,
    SignalKind Kind,
    SignalSeverity Severity,
    string Product,
    string? Competitor,
    double Observed,
    double Reference,
    double Threshold,
    double Magnitude,
    DateTimeOffset Time)
{
    /// <summary>Resolves a signal's ids through <paramref name="keys"/>.</summary>
    public static StoredSignal From(in MarketSignal signal, MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new(
            signal.Id,
            signal.Kind,
            signal.Severity,
            keys.Products.GetName(signal.ProductId),
            signal.CompetitorId >= 0 ? keys.Competitors.GetName(signal.CompetitorId) : null,
            signal.Observed,
            signal.Reference,
            signal.Threshold,
            signal.Magnitude,
            DateTimeOffset.FromUnixTimeMilliseconds(signal.Timestamp));
    }
}

/// <summary>A pricing decision as stored: keys resolved to strings, prices as decimals.</summary>
/// <param name="Id">Deterministic id (see <see cref="PricingDecision.Id"/>).</param>
/// <param name="Product">Product key (SKU).</param>
/// <param name="OldPrice">Price before.</param>
/// <param name="NewPrice">Price after.</param>
/// <param name="TargetPrice">Strategy target before bounds.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Strategy">Strategy of the arm.</param>
/// <param name="Arm">Experiment arm index.</param>
/// <param name="Trigger">Why the run happened.</param>
/// <param name="SetBy">Rule that set the final price.</param>
/// <param name="Bounded">Rules that moved or clamped it.</param>
/// <param name="Time">Event time.</param>
public sealed record StoredDecision(
    ulong Id,
    string Product,
    decimal OldPrice,
    decimal NewPrice,
    decimal TargetPrice,
    string Currency,
    PricingStrategyKind Strategy,
    int Arm,
    DecisionTrigger Trigger,
    PricingRules SetBy,
    PricingRules Bounded,
    DateTimeOffset Time)
{
    /// <summary>Resolves a decision's ids through <paramref name="keys"/>.</summary>
    public static StoredDecision From(in PricingDecision decision, MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new(
            decision.Id,
            keys.Products.GetName(decision.ProductId),
            decision.OldPrice.ToDecimal(),
            decision.NewPrice.ToDecimal(),
            decision.TargetPrice.ToDecimal(),
            decision.Currency.ToString(),
            decision.Strategy,
            decision.Arm,
            decision.Trigger,
            decision.SetBy,
            decision.Bounded,
            DateTimeOffset.FromUnixTimeMilliseconds(decision.Timestamp));
    }
}

/// <summary>A query over stored outputs. Null filters match everything.</summary>
/// <param name="Product">Only this product.</param>
/// <param name="From">Only at or after this time.</param>
/// <param name="To">Only before this time.</param>
/// <param name="Limit">At most this many, newest first (1 to 10,000).</param>
public sealed record StoreQuery(string? Product = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 100)
{
    /// <summary>Checks the limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Limit is outside 1 to 10,000.</exception>
    public void Validate()
    {
        if (Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, "StoreQuery.Limit must be between 1 and 10000.");
        }
    }
}

/// <summary>
/// Durable history of signals and decisions: MongoDB in production, the embedded store on one
/// machine. Writing is a sink (batched); storing the same id twice keeps one copy, so replays are safe.
/// </summary>
public interface IMarketStore : IMarketOutputSink
{
    /// <summary>Stored decisions matching the query, newest first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The query's limit is out of range.</exception>
    ValueTask<IReadOnlyList<StoredDecision>> QueryDecisionsAsync(StoreQuery query, CancellationToken cancellationToken);

    /// <summary>Stored signals matching the query (and kind, when given), newest first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The query's limit is out of range.</exception>
    ValueTask<IReadOnlyList<StoredSignal>> QuerySignalsAsync(StoreQuery query, SignalKind? kind, CancellationToken cancellationToken);
}
