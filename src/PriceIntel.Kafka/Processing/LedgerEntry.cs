using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>What a ledger entry stands for.</summary>
internal enum LedgerEntryKind : byte
{
    /// <summary>The outputs (signals, decisions, dead letters) of one processed batch.</summary>
    Batch,

    /// <summary>A state snapshot, written once every entry before it is acknowledged.</summary>
    Snapshot,
}

/// <summary>
/// One step of a partition's output history: the messages produced for it and the input offsets it
/// brings the partition to. Offsets are committed only through a prefix of fully acknowledged entries.
/// The counter starts at one (the "still producing" hold), so an entry cannot complete while it is
/// still being filled; delivery reports arrive on the producer's thread and only touch the counter
/// and the failure fields.
/// </summary>
internal sealed class LedgerEntry
{
    private int _outstanding;
    private int _failed;

    private readonly Action<string>? _onFirstFailure;

    /// <param name="inputs">Input topics of the partition.</param>
    /// <param name="onFirstFailure">Called (on the delivery thread) with the error when the entry first fails, so a
    /// failure is reported even when the entry is never settled (its partition was lost meanwhile).</param>
    public LedgerEntry(int inputs, Action<string>? onFirstFailure = null)
    {
        NextOffsets = new long[inputs];
        OnDelivery = Delivered;
        _onFirstFailure = onFirstFailure;
    }

    public LedgerEntryKind Kind { get; private set; }

    /// <summary>Per input topic index: the next offset to read once this entry is durable (-1: none seen yet).</summary>
    public long[] NextOffsets { get; }

    /// <summary>The snapshot bytes (Snapshot entries): the first <see cref="SnapshotLength"/> bytes.</summary>
    public byte[]? SnapshotBytes { get; set; }

    public int SnapshotLength { get; set; }

    /// <summary>Whether a Snapshot entry's chunks have been handed to the producer.</summary>
    public bool Produced { get; set; }

    /// <summary>Produced messages (Batch entries), for counters.</summary>
    public int Signals { get; set; }

    public int Decisions { get; set; }

    public int DeadLetters { get; set; }

    public Action<DeliveryReport<byte[]?, byte[]>> OnDelivery { get; }

    public bool IsComplete => Volatile.Read(ref _outstanding) == 0;

    public bool Failed => Volatile.Read(ref _failed) != 0;

    /// <summary>The first delivery error (topic and reason), when <see cref="Failed"/>.</summary>
    public string? Error { get; private set; }

    public void Reset(LedgerEntryKind kind)
    {
        Kind = kind;
        _outstanding = 1;
        _failed = 0;
        Error = null;
        SnapshotBytes = null;
        SnapshotLength = 0;
        Produced = false;
        Signals = Decisions = DeadLetters = 0;
        Array.Fill(NextOffsets, -1);
    }

    /// <summary>Counts one more message in flight; call before producing it.</summary>
    public void Expect() => Interlocked.Increment(ref _outstanding);

    /// <summary>Undoes <see cref="Expect"/> for a message the producer refused synchronously.</summary>
    public void Refused(string topic, string reason)
    {
        Fail(topic, reason);
        Interlocked.Decrement(ref _outstanding);
    }

    /// <summary>Releases the hold taken by <see cref="Reset"/>: every message of the entry has been produced.</summary>
    public void Seal() => Interlocked.Decrement(ref _outstanding);

    private void Delivered(DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Fail(report.Topic, $"{report.Error.Code}: {report.Error.Reason}");
        }

        Interlocked.Decrement(ref _outstanding);
    }

    private void Fail(string topic, string reason)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 0)
        {
            Error = $"delivery to '{topic}' failed ({reason})";
            _onFirstFailure?.Invoke(Error);
        }
    }
}
