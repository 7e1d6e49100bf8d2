using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Kafka.Publishing;
using PriceIntel.Shared;

namespace PriceIntel.Kafka;

/// <summary>
/// Produces <see cref="MarketEvent"/>s to the three input topics as JSON Lines (docs/wire-format.md):
/// competitor prices to <see cref="KafkaTopicOptions.CompetitorData"/>; views, add-to-carts and purchases to
/// <see cref="KafkaTopicOptions.UserBehavior"/>; inventory, cost and list price to
/// <see cref="KafkaTopicOptions.PriceUpdates"/>.
/// </summary>
/// <remarks>
/// <para><b>Partitioning.</b> The message key is the product key (UTF-8). The publisher computes the partition
/// itself with Kafka's default key partitioner (murmur2 of the key, as the Java client and librdkafka's
/// <c>murmur2_random</c> do) and produces to that explicit partition, so a product lands on the same partition
/// of every input topic whatever producer wrote it. The input topics must therefore have the same number of
/// partitions; <see cref="Create"/> checks this.</para>
/// <para><b>Batch envelopes.</b> With <see cref="KafkaOptions.EventsPerMessage"/> above 1, successive events for
/// the same (topic, partition) share one message: JSON lines separated by '\n', at most
/// <see cref="KafkaOptions.EventsPerMessage"/> events and <see cref="KafkaOptions.MaxMessageBytes"/> bytes, and
/// no more than <see cref="KafkaOptions.MaxEnvelopeSpan"/> of event time from its first event (an event earlier
/// than the first also starts a new envelope), so that a consumer whose allowed lateness is at least that span
/// counts none of them late when events are published in time order.
/// The key of such a message is the first event's product key; the other events are for the same partition
/// but may be other products, so consumers must read the product from each line and never rely on the key of
/// an envelope. Envelopes still open at the end of a <see cref="Publish"/> call are sent then, so the messages
/// are a deterministic function of the sequence of calls.</para>
/// <para><b>Delivery.</b> The producer is idempotent with <c>acks=all</c>; <see cref="KafkaOptions.Client"/>
/// properties (security, <c>client.id</c>, <c>linger.ms</c>, <c>compression.type</c>, …) are applied first
/// and cannot turn those off. Sending does not wait for delivery: <see cref="Flush"/> waits and reports
/// failed deliveries.</para>
/// <para><b>Allocation.</b> Events are encoded into one reused buffer and keys are cached per product, but
/// Confluent.Kafka's API takes each message value as an exact-size <c>byte[]</c>, so every message allocates
/// one array (plus the client's own delivery-report objects); envelopes divide that cost by the events per
/// message.</para>
/// <para><b>Threads.</b> <see cref="Publish"/>, <see cref="PublishAsync"/> and <see cref="Flush"/> are for one
/// caller at a time; <see cref="Counters"/> may be read from any thread.</para>
/// </remarks>
public sealed partial class KafkaEventPublisher : IDisposable
{
    private const int LoggedFailures = 10;

    private readonly IProducer<byte[], byte[]> _producer;
    private readonly EnvelopeBuilder _builder;
    private readonly ProducingSink _sink;
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private readonly TopicPartition[][] _destinations;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivery;
    private readonly Lock _failureLock = new();
    private DeliveryReport<byte[], byte[]>? _firstFailure;
    private long _failuresSinceFlush;
    private long _events;
    private long _messages;
    private long _bytes;
    private long _failures;
    private long _rejected;
    private long _queueFullWaits;
    private MarketEvent[]? _readBuffer;
    private bool _disposed;

    private KafkaEventPublisher(IProducer<byte[], byte[]> producer, KafkaOptions options, MarketKeys keys, int partitionCount, ILogger logger)
    {
        _producer = producer;
        _options = options;
        _logger = logger;
        _builder = new EnvelopeBuilder(keys, partitionCount, options.EventsPerMessage, options.MaxMessageBytes, (long)options.MaxEnvelopeSpan.TotalMilliseconds);
        _sink = new ProducingSink(this);
        _onDelivery = OnDelivery;
        _destinations = new TopicPartition[InputTopics.Count][];
        for (int t = 0; t < InputTopics.Count; t++)
        {
            var name = InputTopics.NameOf(options.Topics, (InputTopic)t);
            _destinations[t] = new TopicPartition[partitionCount];
            for (int p = 0; p < partitionCount; p++)
            {
                _destinations[t][p] = new TopicPartition(name, new Partition(p));
            }
        }
    }

    /// <summary>Partitions of each input topic, read from the cluster's metadata when the publisher was created.</summary>
    public int PartitionCount => _builder.PartitionCount;

    /// <summary>What the publisher has done so far.</summary>
    public KafkaPublisherCounters Counters => new(
        Interlocked.Read(ref _events),
        Interlocked.Read(ref _messages),
        Interlocked.Read(ref _bytes),
        Interlocked.Read(ref _failures),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _queueFullWaits));

    /// <summary>The producer's client handle (tests use it for metadata of the same cluster).</summary>
    internal Handle Handle => _producer.Handle;

    /// <summary>
    /// Creates a publisher: builds an idempotent producer and reads the input topics' partition counts from the
    /// cluster's metadata (waiting at most <see cref="KafkaOptions.DeliveryTimeout"/> per topic).
    /// </summary>
    /// <param name="options">Kafka settings; the topics, <see cref="KafkaOptions.EventsPerMessage"/>,
    /// <see cref="KafkaOptions.MaxMessageBytes"/>, <see cref="KafkaOptions.MaxEnvelopeSpan"/>, <see cref="KafkaOptions.DeliveryTimeout"/>,
    /// <see cref="KafkaOptions.BatchSize"/> and <see cref="KafkaOptions.Client"/> are used. Read once.</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="logger">Receives client warnings and errors and failed deliveries; none when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent (see <see cref="KafkaOptions.Validate"/>), or
    /// <see cref="KafkaOptions.MaxMessageBytes"/> is below 8 KiB, which a single event might not fit in.</exception>
    /// <exception cref="InvalidOperationException">An input topic does not exist or has no partitions, or the input
    /// topics have different partition counts; the message names the topics and counts.</exception>
    /// <exception cref="KafkaException">The client could not be created or the metadata not read in time.</exception>
    public static KafkaEventPublisher Create(KafkaOptions options, MarketKeys keys, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        options.Validate();
        if (options.MaxMessageBytes < EnvelopeBuilder.LongestLine)
        {
            throw OptionGuard.OutOfRange(
                "Kafka:MaxMessageBytes",
                options.MaxMessageBytes,
                $"at least {EnvelopeBuilder.LongestLine} to publish, so that any event fits in a message");
        }

        logger ??= NullLogger.Instance;
        var config = BuildProducerConfig(options);
        var producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) => LogClient(logger, m))
            .SetErrorHandler((_, e) => LogClientError(logger, e.Code, e.Reason, e.IsFatal))
            .Build();
        try
        {
            int partitions = ReadPartitionCount(producer.Handle, options.Topics, options.DeliveryTimeout);
            LogCreated(logger, options.Topics.PriceUpdates, options.Topics.CompetitorData, options.Topics.UserBehavior, partitions, options.EventsPerMessage);
            return new KafkaEventPublisher(producer, options, keys, partitions, logger);
        }
        catch
        {
            producer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Hands events to the producer without waiting for delivery: each goes to the input topic of its kind, on
    /// the partition of its product, alone or packed in envelopes (see the remarks). Envelopes still open at the
    /// end are sent before the call returns. When the producer's local queue is full the call waits for room;
    /// it never drops an event.
    /// </summary>
    /// <param name="events">Events whose ids are in the publisher's key tables.</param>
    /// <exception cref="ArgumentException">An event has kind <see cref="MarketEventKind.None"/> or an id that is not
    /// in the key tables; nothing of the call was sent. The message names the event's index.</exception>
    /// <exception cref="KafkaException">The producer failed fatally; part of the call's events may have been sent.</exception>
    /// <exception cref="ObjectDisposedException">The publisher was disposed.</exception>
    public void Publish(ReadOnlySpan<MarketEvent> events)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < events.Length; i++)
        {
            if (_builder.Check(in events[i]) is { } problem)
            {
                throw new ArgumentException($"events[{i}] cannot be published: {problem}.", nameof(events));
            }
        }

        try
        {
            foreach (ref readonly var e in events)
            {
                _builder.Add(in e, _sink);
            }

            _builder.EmitPartial(_sink);
        }
        catch
        {
            _builder.Discard();
            throw;
        }

        Interlocked.Add(ref _events, events.Length);
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end in batches of <see cref="KafkaOptions.BatchSize"/> events and
    /// publishes each batch (<see cref="Publish"/>). Does not wait for delivery: call <see cref="Flush"/> after.
    /// A source that waits for feedback (a <see cref="MarketSimulator"/> in lagged mode) needs its acknowledgements
    /// from elsewhere, or it never finishes.
    /// </summary>
    /// <param name="source">The events; not disposed here.</param>
    /// <param name="rejections">Receives input the source rejected; when null, rejections are only counted
    /// (<see cref="KafkaPublisherCounters.Rejected"/>) and the first few logged.</param>
    /// <param name="cancellationToken">Stops reading; events already read are published.</param>
    /// <returns>The number of events published.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ArgumentException">The source produced an event that cannot be published (see <see cref="Publish"/>).</exception>
    /// <exception cref="KafkaException">The producer failed fatally.</exception>
    /// <exception cref="ObjectDisposedException">The publisher was disposed.</exception>
    public async Task<long> PublishAsync(IMarketEventSource source, IRejectionSink? rejections = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var buffer = _readBuffer ??= new MarketEvent[_options.BatchSize];
        var counted = new CountingRejections(this, new RejectionCounter(rejections, _logger));
        long published = 0;
        while (true)
        {
            int n = await source.ReadAsync(buffer, counted, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return published;
            }

            Publish(buffer.AsSpan(0, n));
            published += n;
        }
    }

    /// <summary>
    /// Waits until every message handed to the producer is delivered or failed, then reports failures: throws when
    /// any delivery failed since the last call.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <exception cref="InvalidOperationException">A delivery failed since the last flush; the message names the
    /// topic, partition and error of the first failure and the number of failed messages, and the inner
    /// <see cref="KafkaException"/> carries the error.</exception>
    /// <exception cref="TimeoutException">Messages were still undelivered after <paramref name="timeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The publisher was disposed.</exception>
    public void Flush(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int remaining = _producer.Flush(timeout);
        ThrowIfFailed();
        if (remaining > 0)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"{remaining} Kafka message(s) were still not delivered after {timeout}."));
        }
    }

    /// <summary>
    /// Waits up to <see cref="KafkaOptions.DeliveryTimeout"/> (after which the client fails undelivered messages
    /// anyway) for messages in flight, logs what was not delivered, and closes the producer. Does not throw.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            int remaining = _producer.Flush(_options.DeliveryTimeout);
            if (remaining > 0)
            {
                LogUndelivered(_logger, remaining, _options.DeliveryTimeout);
            }

            ThrowIfFailed();
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            LogDisposeFailed(_logger, ex);
        }
        finally
        {
            _producer.Dispose();
        }
    }

    /// <summary>The producer settings: defaults, then <see cref="KafkaOptions.Client"/>, then what delivery guarantees need.</summary>
    internal static ProducerConfig BuildProducerConfig(KafkaOptions options)
    {
        // The shared pass-through (lower-cased librdkafka names, bootstrap servers, client id); the
        // publisher's defaults only where the user set nothing; then what its guarantees need.
        var config = new ProducerConfig(KafkaClientConfig.Build(options, "publisher"));
        config.LingerMs ??= 5;
        config.CompressionType ??= CompressionType.None;
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.Set("delivery.timeout.ms", ((long)options.DeliveryTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));

        // Room for the largest value plus key and record overhead, never below librdkafka's default.
        int needed = options.MaxMessageBytes + (16 * 1024);
        if (needed > (config.MessageMaxBytes ?? 1_000_000))
        {
            config.MessageMaxBytes = needed;
        }

        return config;
    }

    /// <summary>
    /// The common partition count of the input topics, from <paramref name="counts"/> (topic, partitions).
    /// </summary>
    /// <exception cref="InvalidOperationException">A topic has no partitions, or the counts differ; the message names them.</exception>
    internal static int RequireSamePartitionCount(IReadOnlyList<(string Topic, int Partitions)> counts)
    {
        foreach (var (topic, partitions) in counts)
        {
            if (partitions <= 0)
            {
                throw new InvalidOperationException($"Input topic '{topic}' has no partitions.");
            }
        }

        int first = counts[0].Partitions;
        for (int i = 1; i < counts.Count; i++)
        {
            if (counts[i].Partitions != first)
            {
                var listed = string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"'{c.Topic}' has {c.Partitions}")));
                throw new InvalidOperationException(
                    $"The input topics must have the same number of partitions, so that a product is on the same partition of each: {listed}.");
            }
        }

        return first;
    }

    private static int ReadPartitionCount(Handle handle, KafkaTopicOptions topics, TimeSpan timeout)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        var counts = new List<(string, int)>(InputTopics.Count);
        foreach (var topic in topics.Inputs)
        {
            var metadata = admin.GetMetadata(topic, timeout);
            var entry = metadata.Topics.Find(t => string.Equals(t.Topic, topic, StringComparison.Ordinal));
            if (entry is null || entry.Error.IsError)
            {
                var reason = entry is null ? "not in the cluster's metadata" : $"{entry.Error.Reason} ({entry.Error.Code})";
                throw new InvalidOperationException($"Input topic '{topic}' cannot be published to: {reason}.");
            }

            counts.Add((topic, entry.Partitions.Count));
        }

        return RequireSamePartitionCount(counts);
    }

    private void Send(InputTopic topic, int partition, int productId, ReadOnlySpan<byte> value)
    {
        var message = new Message<byte[], byte[]> { Key = _builder.ProductKeys.Utf8(productId), Value = value.ToArray() };
        var destination = _destinations[(int)topic][partition];
        while (true)
        {
            try
            {
                _producer.Produce(destination, message, _onDelivery);
                break;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                Interlocked.Increment(ref _queueFullWaits);
                _producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }

        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, value.Length);
    }

    private void OnDelivery(DeliveryReport<byte[], byte[]> report)
    {
        if (!report.Error.IsError)
        {
            return;
        }

        long n = Interlocked.Increment(ref _failures);
        lock (_failureLock)
        {
            _firstFailure ??= report;
            _failuresSinceFlush++;
        }

        if (n <= LoggedFailures)
        {
            LogDeliveryFailed(_logger, report.Topic, report.Partition.Value, report.Error.Code, report.Error.Reason);
        }
    }

    private void ThrowIfFailed()
    {
        DeliveryReport<byte[], byte[]>? first;
        long count;
        lock (_failureLock)
        {
            first = _firstFailure;
            count = _failuresSinceFlush;
            _firstFailure = null;
            _failuresSinceFlush = 0;
        }

        if (first is not null)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"{count} Kafka message(s) failed delivery since the last flush; the first to topic '{first.Topic}' partition {first.Partition.Value}: {first.Error.Reason} ({first.Error.Code})."),
                new KafkaException(first.Error));
        }
    }

    private static void LogClient(ILogger logger, LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        LogClientMessage(logger, level, message.Facility, message.Message);
    }

    [LoggerMessage(Message = "librdkafka {Facility}: {Text}")]
    private static partial void LogClientMessage(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka producer error {Code}: {Reason} (fatal: {IsFatal})")]
    private static partial void LogClientError(ILogger logger, ErrorCode code, string reason, bool isFatal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing market events to {PriceUpdates}, {CompetitorData} and {UserBehavior} ({Partitions} partitions each, up to {EventsPerMessage} events per message)")]
    private static partial void LogCreated(ILogger logger, string priceUpdates, string competitorData, string userBehavior, int partitions, int eventsPerMessage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery to {Topic} partition {Partition} failed: {Code} {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string topic, int partition, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Remaining} Kafka message(s) were not delivered within {Timeout} when the publisher was disposed")]
    private static partial void LogUndelivered(ILogger logger, int remaining, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publisher disposed with failed deliveries")]
    private static partial void LogDisposeFailed(ILogger logger, Exception exception);

    /// <summary>Sends what the envelope builder finishes.</summary>
    private sealed class ProducingSink(KafkaEventPublisher owner) : IEnvelopeSink
    {
        public void Emit(InputTopic topic, int partition, int productId, int eventCount, ReadOnlySpan<byte> value) =>
            owner.Send(topic, partition, productId, value);
    }

    /// <summary>Counts a source's rejections, then hands them on.</summary>
    private sealed class CountingRejections(KafkaEventPublisher owner, IRejectionSink inner) : IRejectionSink
    {
        public void Reject(RejectedInput rejected)
        {
            Interlocked.Increment(ref owner._rejected);
            inner.Reject(rejected);
        }
    }
}
