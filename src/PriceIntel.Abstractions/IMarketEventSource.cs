namespace PriceIntel;

/// <summary>
/// A stream of market events: Kafka topics, a file replay, scrapers, HTTP ingest, the simulator.
/// Hands events out in batches. One reader at a time.
/// </summary>
public interface IMarketEventSource : IAsyncDisposable
{
    /// <summary>A short name for logs, counters and rejection records (e.g. a file path or topic).</summary>
    string Name { get; }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next events, waiting until at least one is
    /// available. Input that cannot be decoded or fails validation is not returned: it goes to
    /// <paramref name="rejections"/> with a reason, and the events around it are still returned.
    /// </summary>
    /// <param name="destination">Where to write events; never written past its length.</param>
    /// <param name="rejections">Receives bad input, set aside with its position and reason.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The number of events written; 0 when the source is finished.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken);
}

/// <summary>Input a source could not turn into an event: kept with where it came from and why.</summary>
/// <param name="Source">The source's <see cref="IMarketEventSource.Name"/>.</param>
/// <param name="Position">Where in the source (line number, offset), 1-based; 0 when unknown.</param>
/// <param name="Reason">What was wrong, naming the field and value.</param>
/// <param name="Payload">The raw input as text, truncated to a few KiB.</param>
public sealed record RejectedInput(string Source, long Position, string Reason, string Payload)
{
    /// <summary>Payloads longer than this many characters are truncated.</summary>
    public const int MaxPayloadLength = 4096;

    /// <summary>Builds a record, truncating the payload to <see cref="MaxPayloadLength"/>.</summary>
    public static RejectedInput Create(string source, long position, string reason, ReadOnlySpan<char> payload) =>
        new(source, position, reason, payload.Length > MaxPayloadLength ? string.Concat(payload[..MaxPayloadLength], "…") : payload.ToString());
}

/// <summary>
/// Where sources set bad input aside (a dead-letter file or topic, a counter, a log). Called on the
/// rare path only; must not block for long.
/// </summary>
public interface IRejectionSink
{
    /// <summary>Sets one rejected input aside.</summary>
    void Reject(RejectedInput rejected);
}
