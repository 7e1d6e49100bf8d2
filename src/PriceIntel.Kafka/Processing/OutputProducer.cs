using System.Buffers;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The processor's one producer (idempotent, acks=all): signals and decisions keyed by product,
/// dead letters with origin headers, and state snapshot chunks. Every message is tied to a
/// <see cref="LedgerEntry"/> whose counter its delivery report releases. Used from the consume
/// thread only (delivery reports come on librdkafka's thread and touch only the ledger entry).
/// </summary>
internal sealed class OutputProducer : IDisposable
{
    internal const string IdHeader = "priceintel-id";
    internal const string SourceTopicHeader = "priceintel-source-topic";
    internal const string SourcePartitionHeader = "priceintel-source-partition";
    internal const string SourceOffsetHeader = "priceintel-source-offset";
    internal const string SourceLineHeader = "priceintel-source-line";
    internal const string ErrorHeader = "priceintel-error";
    internal const string GroupHeader = "priceintel-group";
    internal const string SnapshotIdHeader = "priceintel-snapshot";
    internal const string ChunkHeader = "priceintel-chunk";
    internal const string ChunksHeader = "priceintel-chunks";
    internal const string OffsetsHeader = "priceintel-offsets";

    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly KafkaOptions _options;
    private readonly MarketOutputJsonEncoder _json = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public OutputProducer(KafkaOptions options, Action<string>? onError, Action<LogMessage>? onLog = null)
    {
        _options = options;
        var settings = KafkaClientConfig.Build(options, "producer");
        var config = new ProducerConfig(settings)
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            Partitioner = Partitioner.Murmur2Random,
            EnableDeliveryReports = true,
            DeliveryReportFields = "none",
        };

        // Idempotence keeps order with up to 5 requests in flight per connection; a lower setting is the
        // user's to choose, a higher one would break it. Linger is a latency/throughput knob: 2 ms unless set.
        config.MaxInFlight = MaxInFlight(settings);
        if (!settings.ContainsKey("linger.ms") && !settings.ContainsKey("queue.buffering.max.ms"))
        {
            config.LingerMs = 2;
        }
        if (!options.Client.Keys.Any(k => string.Equals(k, "compression.type", StringComparison.OrdinalIgnoreCase)))
        {
            // Outputs are JSON and snapshots mostly empty buckets: lz4 shrinks both several-fold for little CPU.
            config.CompressionType = CompressionType.Lz4;
        }

        if (config.RequestTimeoutMs is null || config.RequestTimeoutMs > config.MessageTimeoutMs)
        {
            config.RequestTimeoutMs = Math.Min(30_000, config.MessageTimeoutMs!.Value);
        }

        var builder = new ProducerBuilder<byte[]?, byte[]>(config);
        builder.SetErrorHandler((_, e) =>
        {
            if (e.IsFatal)
            {
                FatalError ??= $"{e.Code}: {e.Reason}";
            }

            onError?.Invoke($"producer: {e.Code}: {e.Reason}");
        });

        builder.SetLogHandler((_, m) => onLog?.Invoke(m));
        _producer = builder.Build();
    }

    public IProducer<byte[]?, byte[]> Producer => _producer;

    /// <summary>Set when librdkafka reports a fatal error: the producer can send nothing more.</summary>
    public string? FatalError { get; private set; }

    public void Signal(LedgerEntry entry, in MarketSignal signal, MarketKeys keys, byte[] productKey)
    {
        _buffer.ResetWrittenCount();
        _json.WriteSignal(in signal, keys, _buffer);
        var headers = new Headers { { IdHeader, IdBytes(signal.Id) } };
        Produce(entry, _options.Topics.MarketSignals, Partition.Any, productKey, ValueWithoutNewLine(), headers);
        entry.Signals++;
    }

    public void Decision(LedgerEntry entry, in PricingDecision decision, MarketKeys keys, byte[] productKey)
    {
        _buffer.ResetWrittenCount();
        _json.WriteDecision(in decision, keys, _buffer);
        var headers = new Headers { { IdHeader, IdBytes(decision.Id) } };
        Produce(entry, _options.Topics.PricingDecisions, Partition.Any, productKey, ValueWithoutNewLine(), headers);
        entry.Decisions++;
    }

    public void DeadLetter(LedgerEntry entry, string sourceTopic, int sourcePartition, in InputRejection rejection)
    {
        var headers = new Headers
        {
            { SourceTopicHeader, Encoding.UTF8.GetBytes(sourceTopic) },
            { SourcePartitionHeader, Ascii(sourcePartition) },
            { SourceOffsetHeader, Ascii(rejection.Offset) },
            { SourceLineHeader, Ascii(rejection.Line) },
            { ErrorHeader, Encoding.UTF8.GetBytes(rejection.Reason) },
            { GroupHeader, Encoding.UTF8.GetBytes(_options.GroupId) },
        };
        Produce(entry, _options.Topics.DeadLetter, Partition.Any, null, rejection.Payload, headers);
        entry.DeadLetters++;
    }

    /// <summary>Produces a snapshot as chunks to the state topic's partition <paramref name="partition"/>.</summary>
    public int Snapshot(LedgerEntry entry, int partition, byte[] key, ReadOnlySpan<byte> snapshot, string offsets)
    {
        byte[] id = Guid.NewGuid().ToByteArray();
        int chunkBytes = _options.SnapshotChunkBytes;
        int chunks = Math.Max(1, (snapshot.Length + chunkBytes - 1) / chunkBytes);
        byte[] count = Ascii(chunks);
        byte[] offsetBytes = Encoding.UTF8.GetBytes(offsets);
        for (int i = 0; i < chunks; i++)
        {
            int start = i * chunkBytes;
            var value = snapshot.Slice(start, Math.Min(chunkBytes, snapshot.Length - start)).ToArray();
            var headers = new Headers
            {
                { SnapshotIdHeader, id },
                { ChunkHeader, Ascii(i) },
                { ChunksHeader, count },
                { OffsetsHeader, offsetBytes },
            };
            Produce(entry, _options.Topics.State, new Partition(partition), key, value, headers);
        }

        return chunks;
    }

    /// <summary>Serves delivery reports; returns how many were served.</summary>
    public int Poll(TimeSpan timeout) => _producer.Poll(timeout);

    /// <summary>Waits until nothing is in flight or the timeout passes; returns what is still in flight.</summary>
    public int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose()
    {
        try
        {
            _producer.Flush(TimeSpan.FromSeconds(5));
        }
        catch (KafkaException)
        {
            // Disposing: nothing more can be done for undelivered outputs; they are not committed.
        }

        _producer.Dispose();
    }

    private void Produce(LedgerEntry entry, string topic, Partition partition, byte[]? key, byte[] value, Headers headers)
    {
        var message = new Message<byte[]?, byte[]> { Key = key, Value = value, Headers = headers };
        var target = new TopicPartition(topic, partition);
        entry.Expect();
        while (true)
        {
            try
            {
                _producer.Produce(target, message, entry.OnDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue is full: serve delivery reports until there is room. Never drop.
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
            catch (ProduceException<byte[]?, byte[]> e)
            {
                entry.Refused(topic, $"{e.Error.Code}: {e.Error.Reason}");
                return;
            }
            catch (KafkaException e)
            {
                entry.Refused(topic, $"{e.Error.Code}: {e.Error.Reason}");
                return;
            }
        }
    }

    // librdkafka knows the setting under two names: the smallest valid value given under either wins, at
    // most 5, and only one name goes to the client.
    internal static int MaxInFlight(Dictionary<string, string> settings)
    {
        int inFlight = 5;
        foreach (string name in new[] { "max.in.flight.requests.per.connection", "max.in.flight" })
        {
            if (settings.Remove(name, out var given) && int.TryParse(given, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1 && n < inFlight)
            {
                inFlight = n;
            }
        }

        return inFlight;
    }

    private byte[] ValueWithoutNewLine()
    {
        var written = _buffer.WrittenSpan;
        if (written.Length > 0 && written[^1] == (byte)'\n')
        {
            written = written[..^1];
        }

        return written.ToArray();
    }

    private static byte[] IdBytes(ulong id) => Encoding.ASCII.GetBytes(id.ToString("x16", CultureInfo.InvariantCulture));

    private static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
