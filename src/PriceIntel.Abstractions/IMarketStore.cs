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
/// <param name="Acknowledgement">Who acknowledged the signal, when and why; null while it is open.</param>
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
    DateTimeOffset Time,
    SignalAcknowledgement? Acknowledgement = null)
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
/// <param name="DecidedBy">Who set the price, for <see cref="DecisionTrigger.Manual"/> decisions; null for the engine's.</param>
/// <param name="Reason">Why, for manual decisions; null for the engine's.</param>
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
    DateTimeOffset Time,
    string? DecidedBy = null,
    string? Reason = null)
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

/// <summary>
/// Durable market history, one interface per concern, composed: the product catalog, competitor and
/// own price history (raw and rolled up), market signals with acknowledgement, pricing decisions
/// (the engine's and manual ones) and experiment results. SQLite is the embedded default
/// (PriceIntel.Storage.Sqlite); MongoDB the shared production store (PriceIntel.Mongo).
/// <para>
/// Signals and decisions arrive as a sink (<see cref="IMarketOutputSink.WriteAsync"/>, batched);
/// everything else through the append/upsert methods of the focused interfaces. Every record has a
/// deterministic id, and storing an id again keeps one copy, so replays and retries are safe. A
/// write that returns has stored its batch (or, for the sink, after <see cref="IMarketOutputSink.FlushAsync"/>);
/// a write that throws may have stored part of it, and repeating it is safe. All members are safe
/// to call from several threads at once.
/// </para>
/// </summary>
public interface IMarketStore :
    IMarketOutputSink,
    IProductCatalog,
    IPriceHistoryStore,
    ISignalStore,
    IDecisionStore,
    IExperimentResultStore,
    IDemandHistoryStore
{
    /// <summary>Record counts and the time range held, for summaries and health checks. Cheap: read from counters the store keeps.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken);
}

/// <summary>What a store holds.</summary>
/// <param name="Products">Catalog entries.</param>
/// <param name="CompetitorPrices">Raw competitor price observations (after retention).</param>
/// <param name="OurPrices">Points of our own price history.</param>
/// <param name="Signals">Market signals.</param>
/// <param name="UnacknowledgedSignals">Signals nobody has acknowledged yet.</param>
/// <param name="Decisions">Pricing decisions, manual ones included.</param>
/// <param name="ExperimentResults">Per-arm experiment result rows.</param>
public sealed record StoreStatistics(
    long Products,
    long CompetitorPrices,
    long OurPrices,
    long Signals,
    long UnacknowledgedSignals,
    long Decisions,
    long ExperimentResults)
{
    /// <summary>Demand, inventory and cost events stored as demand history (after retention).</summary>
    public long DemandEvents { get; init; }
}
