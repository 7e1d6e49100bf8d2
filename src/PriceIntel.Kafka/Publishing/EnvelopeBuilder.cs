using System.Buffers;
using System.Runtime.CompilerServices;

namespace PriceIntel.Kafka.Publishing;

/// <summary>Receives the messages an <see cref="EnvelopeBuilder"/> finishes.</summary>
internal interface IEnvelopeSink
{
    /// <summary>One finished message.</summary>
    /// <param name="topic">The input topic.</param>
    /// <param name="partition">The partition of every event in the message.</param>
    /// <param name="productId">The product of the first event: its key is the message key.</param>
    /// <param name="eventCount">Events in the message.</param>
    /// <param name="value">JSON lines separated by '\n', without a trailing line feed; valid only during the call.</param>
    void Emit(InputTopic topic, int partition, int productId, int eventCount, ReadOnlySpan<byte> value);
}

/// <summary>
/// Turns events into input-topic messages, without Kafka: each event is encoded as one JSON line
/// (<see cref="MarketEventJsonEncoder"/>, docs/wire-format.md), routed to its topic by kind and to the
/// partition of its product key (<see cref="KafkaPartitioner"/>). With more than one event per message,
/// successive events for the same (topic, partition) are appended to that pair's open envelope, which is
/// emitted when it holds <see cref="EventsPerMessage"/> events, or the next line would take it past
/// <see cref="MaxMessageBytes"/>, or the next event's timestamp is more than <see cref="MaxSpanMs"/> after the
/// envelope's first event or before it (so that, published in time order, no envelope covers more event time
/// than the consumer's allowed lateness: see <see cref="KafkaOptions.MaxEnvelopeSpan"/>); <see cref="EmitPartial"/> emits the envelopes still open, in the order
/// they were opened. The order of events within a (topic, partition) is kept, so the output is a
/// deterministic function of the calls. One reused buffer encodes every line; each open envelope keeps a
/// buffer that is reused after it is emitted (none at all with one event per message). Not thread-safe.
/// </summary>
internal sealed class EnvelopeBuilder
{
    /// <summary>
    /// An upper bound of one encoded event: three keys of 256 UTF-16 units at most 6 bytes each
    /// (an escaped unit), plus the fixed fields. A message limit at least this large fits any event.
    /// </summary>
    public const int LongestLine = 8 * 1024;

    private readonly MarketKeys _keys;
    private readonly MarketEventJsonEncoder _encoder;
    private readonly ArrayBufferWriter<byte> _line = new(512);
    private readonly Envelope[] _envelopes;
    private readonly int[] _open;
    private int _openCount;

    /// <summary>Creates a builder for input topics of <paramref name="partitionCount"/> partitions each.</summary>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="partitionCount">Partitions of each input topic.</param>
    /// <param name="eventsPerMessage">Most events in one message.</param>
    /// <param name="maxMessageBytes">Most bytes in one message value.</param>
    /// <param name="maxSpanMs">Most event time, in milliseconds, from an envelope's first event to any other of its events.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or limit is not positive, or the span is negative.</exception>
    public EnvelopeBuilder(MarketKeys keys, int partitionCount, int eventsPerMessage, int maxMessageBytes, long maxSpanMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSpanMs);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventsPerMessage);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        _keys = keys;
        _encoder = new MarketEventJsonEncoder(keys);
        ProductKeys = new ProductKeyCache(keys.Products, partitionCount);
        EventsPerMessage = eventsPerMessage;
        MaxMessageBytes = maxMessageBytes;
        MaxSpanMs = maxSpanMs;
        _envelopes = new Envelope[InputTopics.Count * partitionCount];
        _open = new int[_envelopes.Length];
    }

    /// <summary>Product keys and partitions.</summary>
    public ProductKeyCache ProductKeys { get; }

    /// <summary>Partitions of each input topic.</summary>
    public int PartitionCount => ProductKeys.PartitionCount;

    /// <summary>Most events in one message.</summary>
    public int EventsPerMessage { get; }

    /// <summary>Most bytes in one message value.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>Most event time, in milliseconds, from an envelope's first event to any other of its events.</summary>
    public long MaxSpanMs { get; }

    /// <summary>Why an event cannot be encoded (a kind without a topic, an id not in the key tables); null when it can.</summary>
    public string? Check(in MarketEvent e)
    {
        if (e.Kind is < MarketEventKind.CompetitorPrice or > MarketEventKind.ListPrice)
        {
            return $"kind {e.Kind} has no input topic";
        }

        if ((uint)e.ProductId >= (uint)_keys.Products.Count)
        {
            return $"product id {e.ProductId} is not in the product key table ({_keys.Products.Count} keys)";
        }

        if (e.Kind == MarketEventKind.CompetitorPrice)
        {
            if ((uint)e.CompetitorId >= (uint)_keys.Competitors.Count)
            {
                return $"competitor id {e.CompetitorId} is not in the competitor key table ({_keys.Competitors.Count} keys)";
            }

            if (e.PlatformId < -1 || e.PlatformId >= _keys.Platforms.Count)
            {
                return $"platform id {e.PlatformId} is neither -1 nor in the platform key table ({_keys.Platforms.Count} keys)";
            }
        }

        return null;
    }

    /// <summary>Encodes one event and adds it to its envelope, emitting envelopes that are full.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The event has no topic or an id is unknown (see <see cref="Check"/>).</exception>
    /// <exception cref="InvalidOperationException">The encoded event alone is larger than <see cref="MaxMessageBytes"/>.</exception>
    public void Add(in MarketEvent e, IEnvelopeSink sink)
    {
        var topic = InputTopics.Of(e.Kind);
        int partition = ProductKeys.Partition(e.ProductId);
        _line.ResetWrittenCount();
        _encoder.Write(in e, _line);
        var line = _line.WrittenSpan; // ends with '\n'
        if (line.Length - 1 > MaxMessageBytes)
        {
            ThrowTooLarge(line.Length - 1);
        }

        int index = ((int)topic * PartitionCount) + partition;
        ref var envelope = ref _envelopes[index];
        if (envelope.Count > 0
            && (envelope.Length + line.Length - 1 > MaxMessageBytes
                || e.Timestamp < envelope.FirstTimestamp
                || e.Timestamp - envelope.FirstTimestamp > MaxSpanMs))
        {
            Emit(ref envelope, index, sink);
        }

        if (envelope.Count == 0 && EventsPerMessage == 1)
        {
            sink.Emit(topic, partition, e.ProductId, 1, line[..^1]);
            return;
        }

        Append(ref envelope, line);
        if (envelope.Count == 0)
        {
            envelope.ProductId = e.ProductId;
            envelope.FirstTimestamp = e.Timestamp;
            if (!envelope.Listed)
            {
                envelope.Listed = true;
                _open[_openCount++] = index;
            }
        }

        envelope.Count++;
        if (envelope.Count == EventsPerMessage)
        {
            Emit(ref envelope, index, sink);
        }
    }

    /// <summary>Emits every envelope still open, in the order they were opened.</summary>
    public void EmitPartial(IEnvelopeSink sink)
    {
        for (int i = 0; i < _openCount; i++)
        {
            int index = _open[i];
            ref var envelope = ref _envelopes[index];
            envelope.Listed = false;
            if (envelope.Count > 0)
            {
                Emit(ref envelope, index, sink);
            }
        }

        _openCount = 0;
    }

    /// <summary>Drops every open envelope without emitting it (after a failure part-way through a batch).</summary>
    public void Discard()
    {
        for (int i = 0; i < _openCount; i++)
        {
            ref var envelope = ref _envelopes[_open[i]];
            envelope.Listed = false;
            envelope.Count = 0;
            envelope.Length = 0;
        }

        _openCount = 0;
    }

    private void Emit(ref Envelope envelope, int index, IEnvelopeSink sink)
    {
        var topic = (InputTopic)(index / PartitionCount);
        int partition = index % PartitionCount;
        int count = envelope.Count;
        int length = envelope.Length - 1; // without the last line feed
        envelope.Count = 0;
        envelope.Length = 0;
        sink.Emit(topic, partition, envelope.ProductId, count, envelope.Buffer.AsSpan(0, length));
    }

    private void Append(ref Envelope envelope, ReadOnlySpan<byte> line)
    {
        int needed = envelope.Length + line.Length;
        if (envelope.Buffer is null || envelope.Buffer.Length < needed)
        {
            int size = Math.Max(needed, Math.Min(Math.Max(1024, (envelope.Buffer?.Length ?? 0) * 2), MaxMessageBytes + 1));
            var bigger = new byte[size];
            envelope.Buffer?.AsSpan(0, envelope.Length).CopyTo(bigger);
            envelope.Buffer = bigger;
        }

        line.CopyTo(envelope.Buffer.AsSpan(envelope.Length));
        envelope.Length = needed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooLarge(int length) =>
        throw new InvalidOperationException($"An event encodes to {length} bytes, more than the message limit of {MaxMessageBytes} bytes (Kafka:MaxMessageBytes).");

    /// <summary>The open envelope of one (topic, partition): its lines, each ending with '\n'.</summary>
    private struct Envelope
    {
        public byte[]? Buffer;
        public int Length;
        public int Count;
        public int ProductId;
        public long FirstTimestamp;
        public bool Listed;
    }
}
