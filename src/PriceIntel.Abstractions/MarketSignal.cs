namespace PriceIntel;

/// <summary>The market situations PriceIntel raises signals for.</summary>
public enum SignalKind : byte
{
    /// <summary>A competitor cut its price by at least the configured fraction against its own recent level.</summary>
    CompetitorPriceDrop = 1,

    /// <summary>Demand in the short window runs at least the configured factor above its baseline rate.</summary>
    DemandSurge = 2,

    /// <summary>Our units on hand fell to or below the configured threshold.</summary>
    LowInventory = 3,

    /// <summary>A price series moved in a way its recent history does not explain (anomaly score above the threshold).</summary>
    PriceAnomaly = 4,
}

/// <summary>How urgent a signal is.</summary>
public enum SignalSeverity : byte
{
    /// <summary>Worth knowing.</summary>
    Info = 1,

    /// <summary>Worth acting on.</summary>
    Warning = 2,

    /// <summary>Act now.</summary>
    Critical = 3,
}

/// <summary>
/// A market signal: one per episode (a condition that starts, holds and clears), carrying the
/// evidence that raised it. <see cref="Id"/> is deterministic for the same input, so a replay raises
/// the same ids and downstream consumers can drop repeats.
/// </summary>
/// <param name="Id">Deterministic id: a hash of the product key, kind, competitor key and time.</param>
/// <param name="Kind">What was seen.</param>
/// <param name="Severity">How urgent it is.</param>
/// <param name="ProductId">Product id in <see cref="MarketKeys.Products"/>.</param>
/// <param name="CompetitorId">Competitor id, or -1 when the signal is not about one competitor.</param>
/// <param name="Observed">The value that tripped the rule (a price, a demand rate, units on hand, an anomaly score).</param>
/// <param name="Reference">What it was compared with (the competitor's recent level, the baseline demand rate, …).</param>
/// <param name="Threshold">The configured threshold in force.</param>
/// <param name="Magnitude">How far past the threshold, as the rule defines it (drop fraction, surge factor, score).</param>
/// <param name="Timestamp">Event time that raised it, Unix milliseconds.</param>
public readonly record struct MarketSignal(
    ulong Id,
    SignalKind Kind,
    SignalSeverity Severity,
    int ProductId,
    int CompetitorId,
    double Observed,
    double Reference,
    double Threshold,
    double Magnitude,
    long Timestamp);
