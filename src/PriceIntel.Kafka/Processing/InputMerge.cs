using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The input side of one partition task: a queue per assigned input topic-partition, the decoding of consumed
/// messages into them (bad lines, oversized messages and events routed to the wrong partition become
/// rejections), and the deterministic merge: messages in order of their first event time, ties by input
/// topic then offset; an input with nothing buffered holds the merge until it has data, reaches its end or
/// idles out. Consume thread only.
/// </summary>
internal sealed class InputMerge
{
    private readonly int _partition;
    private readonly int _inputPartitions;
    private readonly int _maxMessageBytes;
    private MarketKeys _keys;
    private MarketEventJsonDecoder _decoder;
    private ProductKeyCache? _routing;

    /// <param name="partition">The partition number the task owns.</param>
    /// <param name="topics">The input topics in merge tie-break order.</param>
    /// <param name="assigned">Which of <paramref name="topics"/> this task reads (a queue each).</param>
    /// <param name="inputPartitions">The input topics' partition count, for the routing check; 0: no check.</param>
    /// <param name="maxMessageBytes">Larger messages are rejected whole (<see cref="KafkaOptions.MaxMessageBytes"/>).</param>
    /// <param name="keys">The key tables of the engine the events are for.</param>
    public InputMerge(int partition, IReadOnlyList<string> topics, bool[] assigned, int inputPartitions, int maxMessageBytes, MarketKeys keys)
    {
        _partition = partition;
        _inputPartitions = inputPartitions;
        _maxMessageBytes = maxMessageBytes;
        Queues = new InputQueue?[topics.Count];
        for (int i = 0; i < topics.Count; i++)
        {
            Queues[i] = assigned[i] ? new InputQueue(i, topics[i], partition) : null;
        }

        (_keys, _decoder, _routing) = Decoding(keys);
    }

    /// <summary>The queue of each input topic (by topic index); null for a topic this task does not read.</summary>
    public InputQueue?[] Queues { get; }

    /// <summary>Events decoded and not yet taken, over every input.</summary>
    public int BufferedEvents
    {
        get
        {
            int n = 0;
            foreach (var q in Queues)
            {
                n += q?.BufferedEvents ?? 0;
            }

            return n;
        }
    }

    /// <summary>True when nothing is queued and every input reported its end (or reached its high watermark).</summary>
    public bool IsDrained
    {
        get
        {
            foreach (var q in Queues)
            {
                if (q is not null && (q.Count > 0 || !q.Exhausted))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Forgets everything buffered (restore, rewind) and decodes from now on against <paramref name="keys"/>
    /// (a restored engine's key tables); <paramref name="next"/> is where each input is read again.
    /// </summary>
    public void Reset(MarketKeys keys, long[] next, long now)
    {
        (_keys, _decoder, _routing) = Decoding(keys);
        foreach (var q in Queues)
        {
            q?.Clear(next[q.TopicIndex], now);
        }
    }

    /// <summary>
    /// Decodes one consumed message into its input queue; bad lines, and events whose product belongs to
    /// another partition, become rejections. <paramref name="oversizedSha256"/> is the hash of the whole
    /// value when <paramref name="value"/> holds only its first <see cref="KafkaOptions.MaxMessageBytes"/>.
    /// </summary>
    public void Accept(int topicIndex, long offset, ReadOnlySpan<byte> value, int originalLength, byte[]? oversizedSha256 = null)
    {
        var queue = Queues[topicIndex]!;
        queue.Begin(offset);
        if (originalLength > _maxMessageBytes)
        {
            // Only a prefix travels with the dead letter; its size and hash name the whole message.
            var prefix = value[..Math.Min(value.Length, OutputProducer.DeadLetterPayloadCap)].ToArray();
            queue.AddRejection(new InputRejection(offset, 0, $"message of {originalLength} bytes is larger than Kafka:MaxMessageBytes ({_maxMessageBytes})", prefix, originalLength, oversizedSha256));
        }
        else
        {
            int line = 0;
            while (!value.IsEmpty)
            {
                int nl = value.IndexOf((byte)'\n');
                var text = nl < 0 ? value : value[..nl];
                value = nl < 0 ? default : value[(nl + 1)..];
                line++;
                if (!text.IsEmpty && text[^1] == (byte)'\r')
                {
                    text = text[..^1];
                }

                if (text.IndexOfAnyExcept(" \t"u8) < 0)
                {
                    continue;
                }

                if (_decoder.TryDecode(text, out var e, out string? error))
                {
                    if (_routing is not null && _routing.Partition(e.ProductId) is int home && home != _partition)
                    {
                        queue.AddRejection(new InputRejection(offset, line, Misrouted(e.ProductId, home), text.ToArray()) { Misrouted = true });
                    }
                    else
                    {
                        queue.AddEvent(in e);
                    }
                }
                else
                {
                    queue.AddRejection(new InputRejection(offset, line, error, text.ToArray()));
                }
            }

            if (line == 0)
            {
                queue.AddRejection(new InputRejection(offset, 0, "empty message (no JSON line)", []));
            }
        }

        queue.Commit();
    }

    /// <summary>
    /// The queue whose head message is next in merge order, or null when the merge cannot go on: nothing is
    /// queued, or an empty input still has data on its way and has been empty for less than
    /// <paramref name="idleMs"/>.
    /// </summary>
    public InputQueue? Next(long now, long idleMs)
    {
        InputQueue? best = null;
        foreach (var q in Queues)
        {
            if (q is null)
            {
                continue;
            }

            if (q.Count == 0)
            {
                if (!q.Exhausted && now - q.EmptySince < idleMs)
                {
                    return null;
                }

                continue;
            }

            if (best is null || q.Head.Time < best.Head.Time)
            {
                best = q; // ties keep the earlier topic: inputs are scanned in tie-break order
            }
        }

        return best;
    }

    private (MarketKeys, MarketEventJsonDecoder, ProductKeyCache?) Decoding(MarketKeys keys) =>
        (keys, new MarketEventJsonDecoder(keys), _inputPartitions > 0 ? new ProductKeyCache(keys.Products, _inputPartitions) : null);

    private string Misrouted(int productId, int home) =>
        $"misrouted: product '{_keys.Products.GetName(productId)}' belongs to partition {home} of {_inputPartitions} (Kafka's murmur2 partitioner on the product key), but arrived on partition {_partition}; producers must use the Java client's default partitioner (KafkaJS: Partitioners.JavaCompatiblePartitioner)";
}
