using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.Kafka;

namespace PriceIntel.AspNetCore.Kafka;

/// <summary>
/// The Kafka mode's ingress: ingested events are produced to the input topics (by kind, on the
/// partition of their product, in the engine's wire format) by one <see cref="KafkaEventPublisher"/>,
/// created on first use so the API starts while the brokers are still coming up. The publisher
/// takes one caller at a time, so requests take turns (producing only queues the messages in
/// librdkafka; a full queue makes the caller wait). Waiting for "processing" means waiting until
/// the brokers acknowledged the messages.
/// </summary>
internal sealed partial class KafkaEventIngress(MarketKeys keys, IOptions<KafkaOptions> options, ILogger<KafkaEventIngress> logger) : IMarketEventIngress, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private KafkaEventPublisher? _publisher;
    private bool _disposed;

    public MarketKeys Keys => keys;

    /// <summary>What the publisher has done so far; default before the first ingest.</summary>
    public KafkaPublisherCounters Counters => Volatile.Read(ref _publisher)?.Counters ?? default;

    /// <summary>Partitions of each input topic; 0 before the first ingest.</summary>
    public int PartitionCount => Volatile.Read(ref _publisher)?.PartitionCount ?? 0;

    public async ValueTask PostAsync(MarketEvent[] events, int count, bool waitForProcessing, CancellationToken cancellationToken, bool recordHistory = true)
    {
        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var publisher = Publisher();
                if (count > 0)
                {
                    publisher.Publish(events.AsSpan(0, count));
                }

                if (waitForProcessing)
                {
                    publisher.Flush(options.Value.DeliveryTimeout);
                }
            }
            finally
            {
                _turn.Release();
            }
        }
        finally
        {
            ArrayPool<MarketEvent>.Shared.Return(events);
        }
    }

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Publisher().Flush(options.Value.DeliveryTimeout);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _publisher?.Dispose();
        _turn.Dispose();
    }

    /// <summary>The publisher, created on first use (reads the input topics' metadata); called holding the turn.</summary>
    private KafkaEventPublisher Publisher()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_publisher is null)
        {
            var publisher = KafkaEventPublisher.Create(options.Value, keys, logger);
            LogCreated(publisher.PartitionCount);
            Volatile.Write(ref _publisher, publisher);
        }

        return _publisher;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest goes to the Kafka input topics ({Partitions} partitions each)")]
    private partial void LogCreated(int partitions);
}
