namespace PriceIntel;

/// <summary>
/// A batch of engine outputs with the key tables that name their ids. The memory is only valid
/// for the duration of the <see cref="IMarketOutputSink.WriteAsync"/> call: a sink that keeps
/// outputs copies them.
/// </summary>
/// <param name="Signals">Market signals raised, in event-time order per product.</param>
/// <param name="Decisions">Pricing decisions made, in event-time order per product.</param>
/// <param name="Keys">The key tables the ids refer to.</param>
public readonly record struct OutputBatch(ReadOnlyMemory<MarketSignal> Signals, ReadOnlyMemory<PricingDecision> Decisions, MarketKeys Keys)
{
    /// <summary>True when the batch holds nothing.</summary>
    public bool IsEmpty => Signals.IsEmpty && Decisions.IsEmpty;
}

/// <summary>Receives engine outputs in batches: Kafka topics, files, the store, a live feed, the console.</summary>
public interface IMarketOutputSink : IAsyncDisposable
{
    /// <summary>Writes one batch. May buffer; <see cref="FlushAsync"/> makes everything written durable or delivered.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken);

    /// <summary>Delivers everything written so far.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
