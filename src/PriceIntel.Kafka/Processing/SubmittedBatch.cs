namespace PriceIntel.Kafka.Processing;

/// <summary>
/// A batch handed from the consume thread to the <see cref="EngineThread"/>: the events (a buffer the
/// partition owns and reuses), whether they are a replay below the committed offsets, and the ledger entry
/// their outputs belong to.
/// </summary>
internal sealed class SubmittedBatch(int capacity)
{
    public MarketEvent[] Events { get; set; } = new MarketEvent[capacity];

    public int Count { get; set; }

    public bool Suppressed { get; set; }

    public LedgerEntry? Entry { get; set; }

    public OutputProducer? Producer { get; set; }
}
