using System.Collections.Concurrent;
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
    private ConcurrentQueue<PermanentDeliveryFailure>? _permanent;
    private readonly Action<string>? _onLostSummary;

    /// <param name="inputs">Input topics of the partition.</param>
    /// <param name="onFirstFailure">Called (on the delivery thread) with the error when the entry first fails, so a
    /// failure is reported even when the entry is never settled (its partition was lost meanwhile).</param>
    /// <param name="onLostSummary">Called (on the delivery thread) when even a summary dead letter is refused for good.</param>
    public LedgerEntry(int inputs, Action<string>? onFirstFailure = null, Action<string>? onLostSummary = null)
    {
        NextOffsets = new long[inputs];
        OnDelivery = Delivered;
        _onFirstFailure = onFirstFailure;
        _onLostSummary = onLostSummary;
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
        _permanent = null;
        Array.Fill(NextOffsets, -1);
    }

    /// <summary>
    /// True for errors that retrying the same message can never cure (size limits, invalid records): such a
    /// message is replaced by a summary dead letter instead of failing the entry (which would rewind the
    /// partition and hit the same error again, forever). librdkafka reports a message over its own
    /// <c>message.max.bytes</c> with the broker's code, <see cref="ErrorCode.MsgSizeTooLarge"/>.
    /// </summary>
    public static bool IsPermanent(ErrorCode code) => code is
        ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidMsgSize or
        ErrorCode.RecordListTooLarge or ErrorCode.InvalidRecord or ErrorCode.InvalidMsg;

    /// <summary>Takes the messages refused for good since the last call (consume thread), or null.</summary>
    public List<PermanentDeliveryFailure>? TakePermanentFailures()
    {
        if (Volatile.Read(ref _permanent) is not { IsEmpty: false } queue)
        {
            return null;
        }

        var list = new List<PermanentDeliveryFailure>();
        while (queue.TryDequeue(out var f))
        {
            list.Add(f);
        }

        return list;
    }

    /// <summary>The delivery report of a dead letter (or of a summary standing in for one).</summary>
    public void DeadLetterDelivered(DeliveryReport<byte[]?, byte[]> report, DeadLetterOrigin origin, bool summary)
    {
        if (report.Error.IsError)
        {
            string reason = $"{report.Error.Code}: {report.Error.Reason}";
            if (!IsPermanent(report.Error.Code))
            {
                Fail(report.Topic, reason);
            }
            else if (!summary)
            {
                AddPermanent(new PermanentDeliveryFailure(report.Topic, reason, origin));
            }
            else
            {
                // Even the payload-free summary does not fit: the dead-letter topic's limits are broken. Reported,
                // not replayed (a replay would meet the same refusal).
                _onLostSummary?.Invoke($"dead letter for {origin.SourceTopic}/{origin.SourcePartition}@{origin.Offset} line {origin.Line} refused by Kafka even without payload ({reason})");
            }
        }

        Interlocked.Decrement(ref _outstanding);
    }

    /// <summary>Counts one more message in flight; call before producing it.</summary>
    public void Expect() => Interlocked.Increment(ref _outstanding);

    /// <summary>Releases the hold taken by <see cref="Reset"/>: every message of the entry has been produced.</summary>
    public void Seal() => Interlocked.Decrement(ref _outstanding);

    private void Delivered(DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            string reason = $"{report.Error.Code}: {report.Error.Reason}";
            if (Kind == LedgerEntryKind.Batch && IsPermanent(report.Error.Code))
            {
                AddPermanent(new PermanentDeliveryFailure(report.Topic, reason, null));
            }
            else
            {
                Fail(report.Topic, reason);
            }
        }

        Interlocked.Decrement(ref _outstanding);
    }

    private void AddPermanent(PermanentDeliveryFailure failure)
    {
        if (Volatile.Read(ref _permanent) is null)
        {
            Interlocked.CompareExchange(ref _permanent, new ConcurrentQueue<PermanentDeliveryFailure>(), null);
        }

        _permanent!.Enqueue(failure);
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
