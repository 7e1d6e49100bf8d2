namespace PriceIntel.Kafka.Processing;

/// <summary>The processor's running totals; written from the consume and delivery threads, read from anywhere.</summary>
internal sealed class ProcessorCounters
{
    private long _messages;
    private long _events;
    private long _replayed;
    private long _deadLettered;
    private long _signals;
    private long _decisions;
    private long _deliveryFailures;
    private long _commits;
    private long _commitFailures;
    private long _snapshots;
    private long _snapshotChunks;
    private long _snapshotFailures;
    private long _restores;
    private long _rewinds;
    private long _rejectedOnReplay;
    private long _late;
    private long _misrouted;
    private long _refused;
    private long _lostDeadLetters;
    private string? _lastError;
    private string? _lastDeliveryError;
    private string? _lastCommitError;

    public string? LastError => Volatile.Read(ref _lastError);

    public string? LastDeliveryError => Volatile.Read(ref _lastDeliveryError);

    public string? LastCommitError => Volatile.Read(ref _lastCommitError);

    public long Messages => Volatile.Read(ref _messages);

    public long Events => Volatile.Read(ref _events);

    public long ReplayedEvents => Volatile.Read(ref _replayed);

    public long SignalsDelivered => Volatile.Read(ref _signals);

    public long DecisionsDelivered => Volatile.Read(ref _decisions);

    public long DeadLettered => Volatile.Read(ref _deadLettered);

    public long DeliveryFailures => Volatile.Read(ref _deliveryFailures);

    public long Commits => Volatile.Read(ref _commits);

    public long CommitFailures => Volatile.Read(ref _commitFailures);

    public long Snapshots => Volatile.Read(ref _snapshots);

    public long Rewinds => Volatile.Read(ref _rewinds);

    public long RefusedMessages => Volatile.Read(ref _refused);

    public void MessageTaken() => _messages++;

    public void Processed(int events, bool replay)
    {
        if (replay)
        {
            _replayed += events;
        }
        else
        {
            _events += events;
        }
    }

    public void Rejected(bool replay)
    {
        if (replay)
        {
            _rejectedOnReplay++;
        }
    }

    public void Delivered(int signals, int decisions, int deadLetters)
    {
        _signals += signals;
        _decisions += decisions;
        _deadLettered += deadLetters;
    }

    public void DeliveryFailed(string error)
    {
        Interlocked.Increment(ref _deliveryFailures);
        Volatile.Write(ref _lastDeliveryError, error);
        Error(error);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long[]> _byPartition = new();

    /// <summary>A late event of <paramref name="partition"/> (consume thread).</summary>
    public void Late(int partition)
    {
        Interlocked.Increment(ref _late);
        Interlocked.Increment(ref Of(partition)[0]);
    }

    /// <summary>A misrouted event on <paramref name="partition"/> (consume thread).</summary>
    public void Misrouted(int partition)
    {
        Interlocked.Increment(ref _misrouted);
        Interlocked.Increment(ref Of(partition)[1]);
    }

    /// <summary>Per partition that had any: late and misrouted events since the processor started, by partition number.</summary>
    public KafkaPartitionCounters[] ReadPartitions()
    {
        var list = new List<KafkaPartitionCounters>();
        foreach (var (p, counts) in _byPartition)
        {
            list.Add(new KafkaPartitionCounters(p, Volatile.Read(ref counts[0]), Volatile.Read(ref counts[1])));
        }

        list.Sort((a, b) => a.Partition.CompareTo(b.Partition));
        return [.. list];
    }

    private long[] Of(int partition) => _byPartition.GetOrAdd(partition, static _ => new long[2]);

    /// <summary>A message Kafka refused for good, replaced by a summary dead letter.</summary>
    public void Refused(string error)
    {
        Interlocked.Increment(ref _refused);
        Volatile.Write(ref _lastDeliveryError, error);
        Error(error);
    }

    /// <summary>A summary dead letter refused for good too: reported, nothing more can be sent.</summary>
    public void DeadLetterLost(string error)
    {
        Interlocked.Increment(ref _lostDeadLetters);
        Volatile.Write(ref _lastDeliveryError, error);
        Error(error);
    }

    public void CommitSucceeded() => Interlocked.Increment(ref _commits);

    public void CommitFailed(string error)
    {
        Interlocked.Increment(ref _commitFailures);
        Volatile.Write(ref _lastCommitError, error);
        Error(error);
    }

    public void SnapshotChunks(int chunks) => _snapshotChunks += chunks;

    public void SnapshotWritten() => _snapshots++;

    public void SnapshotFailed() => _snapshotFailures++;

    public void Restored() => _restores++;

    public void Rewound() => _rewinds++;

    public void Error(string error) => Volatile.Write(ref _lastError, error);

    public KafkaProcessorCounters Read(int assignedPartitions) => new(
        Volatile.Read(ref _messages),
        Volatile.Read(ref _events),
        Volatile.Read(ref _replayed),
        Volatile.Read(ref _signals),
        Volatile.Read(ref _decisions),
        Volatile.Read(ref _deadLettered),
        Volatile.Read(ref _deliveryFailures),
        Volatile.Read(ref _commits),
        Volatile.Read(ref _commitFailures),
        Volatile.Read(ref _snapshots),
        Volatile.Read(ref _snapshotFailures),
        Volatile.Read(ref _restores),
        Volatile.Read(ref _rewinds),
        assignedPartitions)
    {
        LateEvents = Volatile.Read(ref _late),
        MisroutedEvents = Volatile.Read(ref _misrouted),
        RefusedMessages = Volatile.Read(ref _refused),
        LostDeadLetters = Volatile.Read(ref _lostDeadLetters),
    };
}
