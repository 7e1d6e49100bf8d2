using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
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
    internal const string PayloadBytesHeader = "priceintel-payload-bytes";
    internal const string PayloadSha256Header = "priceintel-payload-sha256";
    internal const string PayloadTruncatedHeader = "priceintel-payload-truncated";
    internal const string LateByHeader = "priceintel-late-ms";

    /// <summary>Largest dead-letter payload: a longer bad line or message is cut to this prefix (its size and hash in headers).</summary>
    internal const int DeadLetterPayloadCap = 64 * 1024;

    /// <summary>Room kept below the producer's message limit for key, headers and record overhead.</summary>
    private const int Headroom = 16 * 1024;

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
        // Outputs are uncompressed unless Kafka:Client:compression.type says otherwise (Kafka's own producer
        // default): every client can read them, including those without lz4/zstd/snappy (KafkaJS out of the box).
        config.CompressionType ??= CompressionType.None;

        // The largest message the processor sends: a snapshot chunk, or a dead letter (payload at most
        // DeadLetterPayloadCap). The limit covers them with room for headers, and never falls below librdkafka's
        // default; a lower limit set by the user is honoured, and dead-letter payloads are cut to fit it.
        int needed = Math.Max(options.SnapshotChunkBytes, DeadLetterPayloadCap) + Headroom;
        if (config.MessageMaxBytes is null)
        {
            config.MessageMaxBytes = Math.Max(1_000_000, needed);
        }

        MessageMaxBytes = config.MessageMaxBytes.Value;
        DeadLetterPayloadLimit = Math.Clamp(MessageMaxBytes - Headroom, 0, DeadLetterPayloadCap);

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

    /// <summary>The producer's <c>message.max.bytes</c>.</summary>
    public int MessageMaxBytes { get; }

    /// <summary>The longest dead-letter payload sent whole; longer ones are cut to this prefix.</summary>
    public int DeadLetterPayloadLimit { get; }

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
        var payload = rejection.Payload;
        int size = rejection.OriginalLength > 0 ? rejection.OriginalLength : payload.Length;
        byte[] hash = rejection.Sha256 ?? SHA256.HashData(payload);
        bool truncated = size > payload.Length || payload.Length > DeadLetterPayloadLimit;
        if (payload.Length > DeadLetterPayloadLimit)
        {
            payload = payload.AsSpan(0, DeadLetterPayloadLimit).ToArray();
        }

        var origin = new DeadLetterOrigin(sourceTopic, sourcePartition, rejection.Offset, rejection.Line, rejection.Reason, size, hash, truncated) { LateByMs = rejection.LateByMs };
        var headers = origin.Headers(_options.GroupId, rejection.Reason);
        Produce(entry, _options.Topics.DeadLetter, Partition.Any, null, payload, headers, r => entry.DeadLetterDelivered(r, origin, summary: false));
        entry.DeadLetters++;
    }

    /// <summary>
    /// Stands in for a message the brokers or the client refused for good (too large, invalid): a dead letter
    /// without payload naming what was refused and why, so the partition moves on instead of replaying forever.
    /// </summary>
    public void Summary(LedgerEntry entry, PermanentDeliveryFailure failure)
    {
        string reason = failure.Origin is { } o
            ? $"{o.Reason}; the dead letter itself was refused by Kafka ({failure.Reason}), so this summary stands in for it (payload left out: {o.Size} bytes, sha256 in headers)"
            : $"output to '{failure.Topic}' refused by Kafka ({failure.Reason}); it is not delivered (this summary stands in for it)";
        var origin = failure.Origin ?? new DeadLetterOrigin(failure.Topic, -1, -1, 0, reason, 0, [], false);
        var headers = origin.Headers(_options.GroupId, reason);
        Produce(entry, _options.Topics.DeadLetter, Partition.Any, null, [], headers, r => entry.DeadLetterDelivered(r, origin, summary: true));
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

    private void Produce(LedgerEntry entry, string topic, Partition partition, byte[]? key, byte[] value, Headers headers, Action<DeliveryReport<byte[]?, byte[]>>? onDelivery = null)
    {
        var message = new Message<byte[]?, byte[]> { Key = key, Value = value, Headers = headers };
        var target = new TopicPartition(topic, partition);
        entry.Expect();
        while (true)
        {
            try
            {
                _producer.Produce(target, message, onDelivery ?? entry.OnDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue is full: serve delivery reports until there is room. Never drop.
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
            catch (KafkaException e)
            {
                // ProduceException included: e.g. Local_MsgSizeTooLarge, refused before it is queued. Reported
                // like a delivery failure, so a permanent refusal is set aside the same way.
                (onDelivery ?? entry.OnDelivery)(new DeliveryReport<byte[]?, byte[]>
                {
                    Error = e.Error,
                    TopicPartitionOffset = new TopicPartitionOffset(target, Offset.Unset),
                    Message = message,
                });
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

    internal static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
