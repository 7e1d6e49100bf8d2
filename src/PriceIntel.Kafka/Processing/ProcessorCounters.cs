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
    private string? _lastError;
    private string? _lastDeliveryError;
    private string? _lastCommitError;

    public string? LastError => Volatile.Read(ref _lastError);

    public string? LastDeliveryError => Volatile.Read(ref _lastDeliveryError);

    public string? LastCommitError => Volatile.Read(ref _lastCommitError);

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
        assignedPartitions);
}
