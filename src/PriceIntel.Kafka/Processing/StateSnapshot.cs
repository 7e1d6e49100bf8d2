using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>A partition's engine state with the input offsets it was taken at (the next offset to read per topic).</summary>
internal sealed record StateSnapshot(byte[] Bytes, int Length, IReadOnlyDictionary<string, long> NextOffsets)
{
    /// <summary>The offsets header: <c>topic=offset;topic=offset</c> (topics never contain '=' or ';').</summary>
    public static string FormatOffsets(IReadOnlyList<string> topics, ReadOnlySpan<long> next)
    {
        var text = new StringBuilder();
        for (int i = 0; i < topics.Count; i++)
        {
            if (next[i] < 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(';');
            }

            text.Append(topics[i]).Append('=').Append(next[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    public static Dictionary<string, long> ParseOffsets(string text)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.LastIndexOf('=');
            if (eq <= 0 || !long.TryParse(part.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                throw new InvalidDataException($"Snapshot offsets header '{text}' is malformed at '{part}'.");
            }

            result[part[..eq]] = offset;
        }

        return result;
    }
}

/// <summary>
/// Reads the newest complete snapshot of one partition from the state topic: the whole state partition
/// is scanned (keep its retention short — a few snapshot intervals), chunks are grouped by snapshot id,
/// and the snapshot whose last chunk came latest wins. Chunks of a snapshot whose writer died half-way
/// are ignored.
/// </summary>
internal sealed class StateTopicReader : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]> _consumer;
    private readonly KafkaOptions _options;

    private readonly ProcessorClock _clock;

    public StateTopicReader(KafkaOptions options, ProcessorClock? clock = null)
    {
        _options = options;
        _clock = clock ?? ProcessorClock.System;
        var config = new ConsumerConfig(KafkaClientConfig.Build(options, "state-reader"))
        {
            GroupId = options.GroupId + ".state-reader",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadUncommitted,
        };
        _consumer = new ConsumerBuilder<byte[]?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>The newest complete snapshot of one partition, or null when there is none.</summary>
    /// <exception cref="TimeoutException">The state partition could not be read in time.</exception>
    public StateSnapshot? ReadLatest(int partition, string key, TimeSpan timeout) =>
        ReadLatest([partition], _ => key, timeout)[partition];

    /// <summary>
    /// The newest complete snapshot of each of <paramref name="partitions"/> (null where there is none), read in
    /// one pass over their state partitions.
    /// </summary>
    /// <exception cref="TimeoutException">The state partitions could not be read in time.</exception>
    public Dictionary<int, StateSnapshot?> ReadLatest(IReadOnlyList<int> partitions, Func<int, string> keyOf, TimeSpan timeout)
    {
        var deadline = _clock.UtcNow + timeout;
        var result = new Dictionary<int, StateSnapshot?>();
        var last = new Dictionary<int, long>();
        var keys = new Dictionary<int, byte[]>();
        var pending = new Dictionary<Guid, Pending>();
        var assign = new List<TopicPartitionOffset>();
        // The watermark queries are independent round trips: ask for all partitions at once.
        var queries = partitions.ToDictionary(
            p => p,
            p => Task.Run(() => _consumer.QueryWatermarkOffsets(new TopicPartition(_options.Topics.State, new Partition(p)), timeout)));
        foreach (int partition in partitions)
        {
            result[partition] = null;
            var tp = new TopicPartition(_options.Topics.State, new Partition(partition));
            WatermarkOffsets marks;
            try
            {
                marks = queries[partition].GetAwaiter().GetResult();
            }
            catch (KafkaException)
            {
                // Let the others finish before the caller retries; their own failures are the same story (and
                // Task.WaitAll would throw them as an AggregateException, which no caller retries).
                Task.WhenAny(Task.WhenAll(queries.Values), Task.Delay(timeout, _clock.Time)).GetAwaiter().GetResult();
                throw;
            }

            if (marks.High.Value > marks.Low.Value)
            {
                last[partition] = marks.High.Value - 1;
                keys[partition] = Encoding.UTF8.GetBytes(keyOf(partition));
                assign.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        if (assign.Count == 0)
        {
            return result;
        }

        _consumer.Assign(assign);
        try
        {
            while (last.Count > 0)
            {
                var remaining = deadline - _clock.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Reading state topic '{_options.Topics.State}' partitions {string.Join(", ", last.Keys)} took longer than {timeout}.");
                }

                var r = _consumer.Consume(remaining < TimeSpan.FromMilliseconds(200) ? remaining : TimeSpan.FromMilliseconds(200));
                if (r is null || !last.TryGetValue(r.Partition.Value, out long end))
                {
                    continue;
                }

                int partition = r.Partition.Value;
                if (!r.IsPartitionEOF && r.Message.Key is { } k && k.AsSpan().SequenceEqual(keys[partition]))
                {
                    var latest = result[partition];
                    Accept(r.Message, pending, ref latest);
                    result[partition] = latest;
                }

                if (r.Offset.Value >= end)
                {
                    last.Remove(partition);
                }
            }
        }
        finally
        {
            _consumer.Unassign();
        }

        return result;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }

    private static void Accept(Message<byte[]?, byte[]> message, Dictionary<Guid, Pending> pending, ref StateSnapshot? latest)
    {
        var headers = message.Headers;
        if (headers is null
            || !headers.TryGetLastBytes(OutputProducer.SnapshotIdHeader, out var idBytes) || idBytes.Length != 16
            || !TryInt(headers, OutputProducer.ChunkHeader, out int chunk)
            || !TryInt(headers, OutputProducer.ChunksHeader, out int chunks)
            || chunk < 0 || chunk >= chunks
            || !headers.TryGetLastBytes(OutputProducer.OffsetsHeader, out var offsetBytes))
        {
            return; // not a snapshot chunk of ours
        }

        var id = new Guid(idBytes);
        if (!pending.TryGetValue(id, out var p))
        {
            p = new Pending(chunks, Encoding.UTF8.GetString(offsetBytes));
            pending[id] = p;
        }

        if (p.Parts.Length != chunks || p.Parts[chunk] is not null)
        {
            return; // a duplicate from a retried send, or inconsistent headers
        }

        p.Parts[chunk] = message.Value;
        if (++p.Received < chunks)
        {
            return;
        }

        pending.Remove(id);
        int length = 0;
        foreach (var part in p.Parts)
        {
            length += part!.Length;
        }

        var bytes = new byte[length];
        int at = 0;
        foreach (var part in p.Parts)
        {
            part!.CopyTo(bytes, at);
            at += part.Length;
        }

        latest = new StateSnapshot(bytes, length, StateSnapshot.ParseOffsets(p.Offsets));
    }

    private static bool TryInt(Headers headers, string name, out int value)
    {
        value = 0;
        return headers.TryGetLastBytes(name, out var bytes)
            && int.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private sealed class Pending(int chunks, string offsets)
    {
        public byte[]?[] Parts { get; } = new byte[]?[chunks];

        public string Offsets { get; } = offsets;

        public int Received { get; set; }
    }
}
