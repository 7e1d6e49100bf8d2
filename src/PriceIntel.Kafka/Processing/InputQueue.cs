using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>One consumed input message, decoded: its events sit in the queue's event array.</summary>
internal struct QueuedMessage
{
    public long Offset;
    public int FirstEvent;
    public int EventCount;
    public long Time; // first event's time; long.MinValue when the message has no events (poison only)
    public int FirstRejection;
    public int RejectionCount;
}

/// <summary>A line (or whole message) that could not become an event, with where it came from.</summary>
/// <param name="Offset">The input message's offset.</param>
/// <param name="Line">The line (1-based); 0 for the whole message.</param>
/// <param name="Reason">Why it was set aside.</param>
/// <param name="Payload">The bad bytes (for an oversized message, only the prefix that was read).</param>
/// <param name="OriginalLength">The payload's full length when <paramref name="Payload"/> holds only a prefix; 0 otherwise.</param>
/// <param name="Sha256">SHA-256 of the full payload when <paramref name="Payload"/> holds only a prefix; null otherwise.</param>
internal readonly record struct InputRejection(long Offset, int Line, string Reason, byte[] Payload, int OriginalLength = 0, byte[]? Sha256 = null)
{
    /// <summary>True when the line decoded but its product belongs to another partition.</summary>
    public bool Misrouted { get; init; }

    /// <summary>For a late event: how far (ms) it was behind the partition's newest event time; 0 otherwise.</summary>
    public long LateByMs { get; init; }
}

/// <summary>
/// The decoded, not yet processed messages of one input topic-partition of a task, in offset order.
/// Arrays grow to the largest backlog seen and are then reused, so steady-state buffering allocates
/// nothing (rejections, the rare error path, do allocate).
/// </summary>
internal sealed class InputQueue
{
    private QueuedMessage[] _messages = new QueuedMessage[256];
    private MarketEvent[] _events = new MarketEvent[1024];
    private InputRejection[] _rejections = new InputRejection[4];
    private int _head;
    private int _tail;
    private int _eventHead;
    private int _eventTail;
    private int _rejectionHead;
    private int _rejectionTail;

    public InputQueue(int topicIndex, string topic, int partition)
    {
        TopicIndex = topicIndex;
        TopicPartition = new TopicPartition(topic, new Partition(partition));
    }

    public int TopicIndex { get; }

    public string Topic => TopicPartition.Topic;

    /// <summary>The consumed topic-partition (made once: the consume loop asks the client about it every few ms).</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>True after the consumer reported the partition's end and no message came since.</summary>
    public bool AtEnd { get; set; }

    /// <summary>The offset after the last message queued, or the start offset (-1: from the beginning, not known yet).</summary>
    public long NextOffset { get; set; } = -1;

    /// <summary>The partition's low and high watermarks as last reported by fetches (-1: not known yet).</summary>
    public long LowWatermark { get; set; } = -1;

    /// <summary>The partition's high watermark as last reported by fetches (-1: not known yet).</summary>
    public long HighWatermark { get; set; } = -1;

    /// <summary>
    /// True when everything the partition held at the last fetch has been queued: the consumer reported
    /// its end, or the queued position reached the high watermark. An empty input that is not exhausted
    /// has data on its way, and the merge waits for it.
    /// </summary>
    public bool Exhausted
    {
        get
        {
            if (AtEnd)
            {
                return true;
            }

            if (HighWatermark < 0)
            {
                return false;
            }

            long position = NextOffset >= 0 ? NextOffset : LowWatermark;
            return position >= 0 && position >= HighWatermark;
        }
    }

    /// <summary>When the queue last became empty without being at its end (milliseconds of the processor's clock).</summary>
    public long EmptySince { get; set; }

    /// <summary>Whether the consumer's fetching of this partition is paused for backpressure.</summary>
    public bool Paused { get; set; }

    public int Count => _tail - _head;

    public int BufferedEvents => _eventTail - _eventHead;

    public ref QueuedMessage Head => ref _messages[_head];

    /// <summary>Starts a message; add its events and rejections, then <see cref="Commit"/>.</summary>
    public void Begin(long offset)
    {
        Compact();
        if (_tail == _messages.Length)
        {
            Array.Resize(ref _messages, _messages.Length * 2);
        }

        ref var m = ref _messages[_tail];
        m.Offset = offset;
        m.FirstEvent = _eventTail;
        m.EventCount = 0;
        m.Time = long.MinValue;
        m.FirstRejection = _rejectionTail;
        m.RejectionCount = 0;
    }

    public void AddEvent(in MarketEvent e)
    {
        if (_eventTail == _events.Length)
        {
            Array.Resize(ref _events, _events.Length * 2);
        }

        ref var m = ref _messages[_tail];
        if (m.EventCount == 0)
        {
            m.Time = e.Timestamp;
        }

        _events[_eventTail++] = e;
        m.EventCount++;
    }

    public void AddRejection(InputRejection rejection)
    {
        if (_rejectionTail == _rejections.Length)
        {
            Array.Resize(ref _rejections, _rejections.Length * 2);
        }

        _rejections[_rejectionTail++] = rejection;
        _messages[_tail].RejectionCount++;
    }

    public void Commit()
    {
        NextOffset = _messages[_tail].Offset + 1;
        _tail++;
        AtEnd = false;
    }

    public ReadOnlySpan<MarketEvent> EventsOf(in QueuedMessage m) => _events.AsSpan(m.FirstEvent, m.EventCount);

    public ReadOnlySpan<InputRejection> RejectionsOf(in QueuedMessage m) => _rejections.AsSpan(m.FirstRejection, m.RejectionCount);

    /// <summary>Drops the head message (its events were taken).</summary>
    public void Pop()
    {
        ref var m = ref _messages[_head];
        _eventHead = m.FirstEvent + m.EventCount;
        if (m.RejectionCount > 0)
        {
            Array.Clear(_rejections, m.FirstRejection, m.RejectionCount);
            _rejectionHead = m.FirstRejection + m.RejectionCount;
        }

        _head++;
        if (_head == _tail)
        {
            _head = _tail = 0;
            _eventHead = _eventTail = 0;
            _rejectionHead = _rejectionTail = 0;
        }
    }

    /// <summary>Forgets everything buffered (rewind, restore); <paramref name="next"/> is where reading starts again.</summary>
    public void Clear(long next, long now)
    {
        NextOffset = next;
        HighWatermark = -1;
        LowWatermark = -1;
        Array.Clear(_rejections, 0, _rejectionTail);
        _head = _tail = 0;
        _eventHead = _eventTail = 0;
        _rejectionHead = _rejectionTail = 0;
        AtEnd = false;
        EmptySince = now;
    }

    // Moves the live part to the front when the free space at the back runs out, so arrays only grow
    // when the backlog itself grows.
    private void Compact()
    {
        if (_head == 0 || (_tail < _messages.Length && _eventTail < _events.Length - 64 && _rejectionTail < _rejections.Length))
        {
            return;
        }

        int live = _tail - _head;
        int eventShift = _eventHead;
        int rejectionShift = _rejectionHead;
        Array.Copy(_messages, _head, _messages, 0, live);
        Array.Copy(_events, _eventHead, _events, 0, _eventTail - _eventHead);
        Array.Copy(_rejections, _rejectionHead, _rejections, 0, _rejectionTail - _rejectionHead);
        Array.Clear(_rejections, _rejectionTail - _rejectionHead, _rejectionHead);
        for (int i = 0; i < live; i++)
        {
            _messages[i].FirstEvent -= eventShift;
            _messages[i].FirstRejection -= rejectionShift;
        }

        _tail = live;
        _head = 0;
        _eventTail -= eventShift;
        _eventHead = 0;
        _rejectionTail -= rejectionShift;
        _rejectionHead = 0;
    }
}
