using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Kafka.Processing;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka;

/// <summary>Engine outputs to Kafka for hosts that run the engine themselves (for example through <c>MarketPipeline</c>).</summary>
public static class KafkaOutputSinks
{
    /// <summary>
    /// A sink that produces signals to <see cref="KafkaTopicOptions.MarketSignals"/> and decisions to
    /// <see cref="KafkaTopicOptions.PricingDecisions"/>, keyed by product, one JSON object a message with the
    /// <c>priceintel-id</c> header, through an idempotent producer with <c>acks=all</c>. Writes do not wait;
    /// <see cref="IMarketOutputSink.FlushAsync"/> waits until everything written is acknowledged and throws
    /// <see cref="InvalidOperationException"/> naming the topic and error if any of it could not be delivered.
    /// (<see cref="KafkaMarketProcessor"/> does not need this: it produces its outputs itself and commits
    /// its input only after them.)
    /// </summary>
    /// <param name="options">Kafka settings: servers, topics, <see cref="KafkaOptions.DeliveryTimeout"/>, client properties.</param>
    /// <param name="logger">Receives client errors; none when null.</param>
    /// <exception cref="ArgumentNullException">options is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    public static IMarketOutputSink Create(KafkaOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new KafkaOutputSink(options, logger ?? NullLogger.Instance);
    }
}

/// <summary>The sink <see cref="KafkaOutputSinks.Create"/> returns: one ledger entry per flush window.</summary>
internal sealed class KafkaOutputSink : IMarketOutputSink
{
    private readonly OutputProducer _producer;
    private ProductKeyCache? _productKeys;
    private LedgerEntry _window;

    public KafkaOutputSink(KafkaOptions options, ILogger logger)
    {
        _producer = new OutputProducer(options, e => Log.ClientError(logger, "producer", e), m => Log.ClientLog(logger, m.Facility, m.Message));
        _window = NewWindow();
    }

    public ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = batch.Keys;
        foreach (ref readonly var s in batch.Signals.Span)
        {
            _producer.Signal(_window, in s, keys, ProductKeys(keys).Utf8(s.ProductId));
        }

        foreach (ref readonly var d in batch.Decisions.Span)
        {
            _producer.Decision(_window, in d, keys, ProductKeys(keys).Utf8(d.ProductId));
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var window = _window;
        _window = NewWindow();
        window.Seal();
        while (!window.IsComplete)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Run(() => _producer.Flush(TimeSpan.FromMilliseconds(100)), cancellationToken).ConfigureAwait(false);
        }

        if (window.Failed)
        {
            throw new InvalidOperationException($"Kafka output sink: {window.Error}.");
        }
    }

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }

    private static LedgerEntry NewWindow()
    {
        var entry = new LedgerEntry(0);
        entry.Reset(LedgerEntryKind.Batch);
        return entry;
    }

    // A sink may see batches from several engines, each with its own key tables.
    private ProductKeyCache ProductKeys(MarketKeys keys) =>
        _productKeys is { } cache && ReferenceEquals(cache.Products, keys.Products) ? cache : _productKeys = new ProductKeyCache(keys.Products);
}
