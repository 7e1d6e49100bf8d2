using System.Buffers;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// One partition number of the processor's assignment and everything that keeps its results exact: batches cut
/// at message boundaries from the merge of its inputs (<see cref="InputMerge"/>), handed to its engine
/// (<see cref="EngineHandOff"/>); dead letters for the events the engine will not merge (<see cref="LatenessTwin"/>);
/// replay without re-emitting outputs that were already acknowledged; the ledger of produced outputs
/// (<see cref="OffsetLedger"/>); and the persisted state snapshots. Consume thread only (the engine thread runs
/// only what <see cref="EngineHandOff"/> hands it).
/// </summary>
internal sealed partial class PartitionTask
{
    private const int MaxBatchesPerPump = 4;

    private readonly PriceIntelOptions _engineOptions;
    private readonly KafkaOptions _options;
    private readonly ProcessorCounters _counters;
    private readonly Action<string> _onDeliveryFailure;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<string> _topics;
    private readonly byte[] _stateKey;
    private readonly OffsetLedger _ledger;
    private readonly Stack<LedgerEntry> _spare = new();
    private readonly ArrayBufferWriter<byte> _snapshotBuffer = new(64 * 1024);
    private readonly long[] _suppressBelow;
    private readonly bool[] _owned;
    private readonly InputMerge _inputs;
    private readonly EngineHandOff _engine;
    private MarketEvent[] _batch;
    private int _batchCount;
    private bool _batchSuppressed;
    private LedgerEntry? _open;
    private readonly LatenessTwin _lateness;
    private readonly ProcessorClock _clock;
    private StateSnapshot? _durable;
    private readonly long[] _startNext;
    private long _nextSnapshotAt;
    private bool _snapshotPending;
    private long _batchesProcessed;

    public PartitionTask(
        int partition,
        IReadOnlyList<string> topics,
        bool[] assigned,
        PriceIntelOptions engineOptions,
        KafkaOptions options,
        ProcessorCounters counters,
        Action<string> onDeliveryFailure,
        ILogger logger,
        EngineThread? engineThread = null,
        int inputPartitions = 0,
        ProcessorClock? clock = null)
    {
        _clock = clock ?? ProcessorClock.System;
        _lateness = new LatenessTwin(partition, engineOptions.Windows.AllowedLatenessMs);
        _onDeliveryFailure = onDeliveryFailure;
        Partition = partition;
        _topics = topics;
        _engineOptions = engineOptions;
        _options = options;
        _counters = counters;
        _logger = logger;
        _stateKey = Encoding.UTF8.GetBytes(StateKey(options.GroupId, partition));
        _ledger = new OffsetLedger(topics.Count);
        _owned = (bool[])assigned.Clone();
        _suppressBelow = new long[topics.Count];
        _startNext = new long[topics.Count];
        _batch = new MarketEvent[options.BatchSize];
        var engine = MarketEngine.Create(engineOptions, new MarketKeys(), logger, initialProducts: 256);
        _engine = new EngineHandOff(partition, engine, counters, engineThread, options.BatchSize);
        _inputs = new InputMerge(partition, topics, assigned, inputPartitions, options.MaxMessageBytes, engine.Keys);
        _lateness.Reset(engine.Watermark, engine.Keys);
    }

    public int Partition { get; }

    /// <summary>Tests: called after each processed batch with the partition number and the batch's event count.</summary>
    public Action<int, int>? BatchProcessed
    {
        get => _engine.BatchProcessed;
        set => _engine.BatchProcessed = value;
    }

    /// <summary>The queue of each input topic (by topic index); null for a topic this task does not read.</summary>
    public InputQueue?[] Inputs => _inputs.Queues;

    /// <summary>The partition's engine; read it only while no batch runs (<see cref="WaitIdle"/>).</summary>
    public MarketEngine Engine => _engine.Engine;

    /// <summary>Set when an output could not be delivered; the processor rewinds the task.</summary>
    public string? Failure { get; private set; }

    /// <summary>
    /// What the engine threw while processing a batch of this partition (on the engine thread or inline), or
    /// null. Once set the partition processes, snapshots and commits nothing more: the processor stops with it.
    /// </summary>
    public Exception? EngineFailure => _engine.Failure;

    /// <summary>Consume-side time (milliseconds of the processor's clock) before which the task does not resume after a rewind.</summary>
    public long ResumeAt { get; set; }

    public static string StateKey(string groupId, int partition) => $"{groupId}/{partition}";

    /// <summary>
    /// Sets the task's state from a snapshot (or a fresh engine when there is none) and the committed
    /// offsets below which outputs were already acknowledged. Returns the next offset to read per input
    /// (-1: from the beginning).
    /// </summary>
    public long[] Restore(StateSnapshot? snapshot, IReadOnlyDictionary<string, long> committed)
    {
        WaitIdle();
        _engine.Replace(snapshot is not null
            ? MarketEngine.Restore(_engineOptions, snapshot.Bytes.AsSpan(0, snapshot.Length), _logger)
            : MarketEngine.Create(_engineOptions, new MarketKeys(), _logger, initialProducts: 256));
        _lateness.Reset(Engine.Watermark, Engine.Keys); // the twin starts where the engine's own watermark is
        _durable = snapshot;
        for (int i = 0; i < _topics.Count; i++)
        {
            long start = snapshot is not null && snapshot.NextOffsets.TryGetValue(_topics[i], out long s) ? s : -1;
            _startNext[i] = start;
            _suppressBelow[i] = committed.TryGetValue(_topics[i], out long c) ? c : -1;
        }

        // What the group has committed, even when the snapshot is further on: a snapshot's offsets are durable
        // (its state is in Kafka), so they count as acknowledged and are committed at the next interval. Otherwise
        // an input with nothing after the snapshot would keep a stale commit (and a lag) forever once a hand-over's
        // final commit had failed.
        _ledger.Reset(_startNext, _suppressBelow);

        ResetBuffers();
        Failure = null;
        _nextSnapshotAt = _clock.NowMs + (long)_options.SnapshotInterval.TotalMilliseconds;
        return (long[])_startNext.Clone();
    }

    /// <summary>
    /// After a delivery failure: back to the newest durable snapshot (kept in memory), with outputs up to
    /// what was committed suppressed on the replay. Returns the offsets to seek to.
    /// </summary>
    public long[] Rewind()
    {
        WaitIdle(); // the engine is about to be replaced: its running batch finishes first
        // Outputs of everything below the acknowledged offsets reached the brokers: the replay skips them.
        var committed = new Dictionary<string, long>(StringComparer.Ordinal);
        var (acknowledgedBefore, storedBefore, committedBefore) = _ledger.Copy();
        for (int i = 0; i < _topics.Count; i++)
        {
            acknowledgedBefore[i] = Math.Max(committedBefore[i], acknowledgedBefore[i]);
            if (acknowledgedBefore[i] >= 0)
            {
                committed[_topics[i]] = acknowledgedBefore[i];
            }
        }

        // Entries still in flight are abandoned (Restore resets the ledger): their reports may still arrive and
        // only touch them.
        _open = null;
        _snapshotPending = false;
        var next = Restore(_durable, committed);

        // The group's commit and the client's stored offsets are what they were; what was acknowledged stays
        // committable (its outputs reached the brokers) while the replay runs.
        _ledger.KeepAfterRewind(acknowledgedBefore, storedBefore, committedBefore);
        return next;
    }

    /// <summary>Decodes one consumed message into its input queue (see <see cref="InputMerge.Accept"/>).</summary>
    public void Accept(int topicIndex, long offset, ReadOnlySpan<byte> value, int originalLength, byte[]? oversizedSha256 = null) =>
        _inputs.Accept(topicIndex, offset, value, originalLength, oversizedSha256);

    /// <summary>
    /// Moves merge-ready messages into batches and processes full ones; with <paramref name="flush"/>, also
    /// the partial batch once the merge cannot go on. Returns true when it processed something.
    /// </summary>
    public bool Pump(OutputProducer producer, long now, bool flush)
    {
        if (Failure is not null || now < ResumeAt || _engine.Failed)
        {
            return false;
        }

        bool worked = false;
        long idle = (long)_options.MaxTaskIdle.TotalMilliseconds;
        long batchesBefore = _batchesProcessed;
        while (true)
        {
            // Bounded work per call: the consume loop must come back to the consumer often, or rebalances
            // (whose callbacks run inside Consume) wait on a partition's backlog.
            if (_batchesProcessed - batchesBefore >= MaxBatchesPerPump)
            {
                return true;
            }

            if (_inputs.Next(now, idle) is not { } best)
            {
                break;
            }

            Take(producer, best, now);
            worked = true;
        }

        if (flush && (_batchCount > 0 || _open is not null))
        {
            ProcessBatch(producer);
            worked = true;
        }

        return worked;
    }

    /// <summary>True when nothing is buffered, batched or in flight and every input reported its end.</summary>
    public bool IsCaughtUp
    {
        get
        {
            return _batchCount == 0 && _open is null && _ledger.IsSettledAndCommitted && Failure is null && _inputs.IsDrained;
        }
    }

    /// <summary>Processes the partial batch, if any, and waits until the engine is done (revoke, shutdown).</summary>
    public void Drain(OutputProducer producer)
    {
        if (_batchCount > 0 || _open is not null)
        {
            ProcessBatch(producer);
        }

        WaitIdle();
    }

    /// <summary>
    /// Waits until the engine thread holds no batch of this task (then its engine is the consume thread's to
    /// read or replace); rethrows what a batch threw.
    /// </summary>
    public void WaitIdle() => _engine.WaitIdle();

    /// <summary>
    /// Walks the ledger's acknowledged prefix: advances the committable offsets, produces a snapshot that
    /// has reached the head, and records the first failure.
    /// </summary>
    public void Settle(OutputProducer producer)
    {
        while (_ledger.TryPeek(out var head))
        {
            if (head.Kind == LedgerEntryKind.Snapshot && !head.Produced)
            {
                int chunks = producer.Snapshot(head, Partition, _stateKey, head.SnapshotBytes.AsSpan(0, head.SnapshotLength), StateSnapshot.FormatOffsets(_topics, head.NextOffsets));
                head.Produced = true;
                head.Seal();
                _counters.SnapshotChunks(chunks);
            }

            if (!head.IsComplete)
            {
                return;
            }

            if (head.TakePermanentFailures() is { } refused)
            {
                // Messages Kafka will never take (too large, invalid): each becomes a payload-free summary on the
                // dead-letter topic, and the entry completes once those are acknowledged. Never a rewind: a replay
                // would meet the same refusal forever.
                foreach (var failure in refused)
                {
                    string error = $"partition {Partition}: message to '{failure.Topic}' refused for good ({failure.Reason}); replaced by a summary on '{_options.Topics.DeadLetter}'";
                    _counters.Refused(error);
                    Log.MessageRefused(_logger, Partition, failure.Topic, failure.Reason);
                    producer.Summary(head, failure);
                }

                continue; // complete again once the summaries are acknowledged
            }

            _ledger.Remove(head, acknowledge: head.Kind == LedgerEntryKind.Batch && !head.Failed);
            if (head.Failed)
            {
                if (head.Kind == LedgerEntryKind.Snapshot)
                {
                    // Not fatal: outputs are safe; the previous durable snapshot stays the restore point.
                    _counters.SnapshotFailed();
                    Log.SnapshotNotWritten(_logger, Partition, head.Error);
                    _snapshotPending = false;
                    continue;
                }

                Failure = head.Error;
                return;
            }

            if (head.Kind == LedgerEntryKind.Snapshot)
            {
                var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
                for (int i = 0; i < _topics.Count; i++)
                {
                    if (head.NextOffsets[i] >= 0)
                    {
                        offsets[_topics[i]] = head.NextOffsets[i];
                    }
                }

                _durable = new StateSnapshot(head.SnapshotBytes!, head.SnapshotLength, offsets);
                _snapshotPending = false;
                _counters.SnapshotWritten();
                continue; // the bytes now belong to _durable: the entry is not recycled
            }

            _counters.Delivered(head.Signals, head.Decisions, head.DeadLetters);
            _spare.Push(head);
        }
    }

    /// <summary>True when every produced entry is settled.</summary>
    public bool IsSettled => _ledger.Count == 0;

    /// <summary>The task's offsets and their ledger (tests and diagnostics read it).</summary>
    internal OffsetLedger Ledger => _ledger;

    /// <summary>Queues a snapshot of the current state when one is due (or forced) and none is pending.</summary>
    public void SnapshotIfDue(long now, bool force)
    {
        if (_snapshotPending || Failure is not null || _engine.Failed || _batchCount > 0 || _open is not null || (!force && now < _nextSnapshotAt))
        {
            return;
        }

        bool progressed = false;
        for (int i = 0; i < _ledger.Inputs; i++)
        {
            long durable = _durable is not null && _durable.NextOffsets.TryGetValue(_topics[i], out long d) ? d : -1;
            progressed |= _ledger.Processed(i) != durable;
        }

        _nextSnapshotAt = now + (long)_options.SnapshotInterval.TotalMilliseconds;
        if (!progressed)
        {
            return;
        }

        WaitIdle(); // the state after every batch taken so far
        if (_engine.Failed)
        {
            return;
        }

        _snapshotBuffer.ResetWrittenCount();
        Engine.WriteSnapshot(_snapshotBuffer);
        var entry = Rent(LedgerEntryKind.Snapshot);
        entry.SnapshotBytes = _snapshotBuffer.WrittenSpan.ToArray();
        entry.SnapshotLength = entry.SnapshotBytes.Length;
        _ledger.Append(entry);
        _snapshotPending = true;
    }

    /// <summary>Offsets acknowledged beyond what was handed to the consumer's background commit, or null.</summary>
    public List<TopicPartitionOffset>? StoreCandidates()
    {
        return ToTopicPartitions(_ledger.TakeStoreCandidates(_owned));
    }

    /// <summary>The offsets to commit now (acknowledged beyond what was committed), or null.</summary>
    public List<TopicPartitionOffset>? CommitCandidates()
    {
        return ToTopicPartitions(_ledger.CommitCandidates(_owned));
    }

    public void Committed(List<TopicPartitionOffset> offsets)
    {
        foreach (var tpo in offsets)
        {
            if (tpo.Partition.Value != Partition)
            {
                continue;
            }

            for (int i = 0; i < _topics.Count; i++)
            {
                if (string.Equals(_topics[i], tpo.Topic, StringComparison.Ordinal))
                {
                    _ledger.Commit(i, tpo.Offset.Value);
                }
            }
        }
    }

    private List<TopicPartitionOffset>? ToTopicPartitions(List<(int Input, long Offset)>? offsets)
    {
        if (offsets is null)
        {
            return null;
        }

        var list = new List<TopicPartitionOffset>(offsets.Count);
        foreach (var (input, offset) in offsets)
        {
            list.Add(new TopicPartitionOffset(_topics[input], new Partition(Partition), new Offset(offset)));
        }

        return list;
    }

    public int BufferedEvents() => _inputs.BufferedEvents;

    private void ResetBuffers()
    {
        _inputs.Reset(Engine.Keys, _startNext, _clock.NowMs);
        _batchCount = 0;
        _open = null;
    }

    private void Take(OutputProducer producer, InputQueue queue, long now)
    {
        ref var m = ref queue.Head;
        bool suppressed = m.Offset < _suppressBelow[queue.TopicIndex];
        if (_batchCount > 0 && (suppressed != _batchSuppressed || _batchCount + m.EventCount > _batch.Length))
        {
            ProcessBatch(producer);
        }

        if (m.EventCount > _batch.Length)
        {
            Array.Resize(ref _batch, m.EventCount); // an envelope bigger than a batch: rare, grows once
        }

        if (_batchCount == 0)
        {
            _batchSuppressed = suppressed;
        }

        var events = queue.EventsOf(in m);
        events.CopyTo(_batch.AsSpan(_batchCount));
        _batchCount += m.EventCount;

        // The engine's lateness rule, applied to the same events in the same order: a twin of its watermark
        // finds the events it will count as late and not merge, so they are dead-lettered instead of vanishing.
        // (They still go to the engine, which counts them, so its state is what a plain run would give.)
        for (int i = 0; i < events.Length; i++)
        {
            if (_lateness.IsLate(events[i].Timestamp))
            {
                Late(producer, queue, m.Offset, i, in events[i], suppressed);
            }
        }

        if (m.RejectionCount > 0)
        {
            foreach (ref readonly var r in queue.RejectionsOf(in m))
            {
                _counters.Rejected(suppressed);
                if (!suppressed)
                {
                    if (r.Misrouted)
                    {
                        Interlocked.Increment(ref _misroutedEvents);
                        _counters.Misrouted(Partition);
                    }

                    producer.DeadLetter(OpenEntry(), queue.Topic, Partition, in r);
                }
            }
        }

        _ledger.Processed(queue.TopicIndex, m.Offset + 1);
        _counters.MessageTaken();
        queue.Pop();
        if (queue.Count == 0)
        {
            queue.EmptySince = now;
        }

        if (_batchCount >= _batch.Length)
        {
            ProcessBatch(producer);
        }
    }

    private void Late(OutputProducer producer, InputQueue queue, long offset, int index, in MarketEvent e, bool suppressed)
    {
        if (suppressed)
        {
            return; // a replay below the committed offsets: dead-lettered (and counted) the first time
        }

        Interlocked.Increment(ref _lateEvents);
        _counters.Late(Partition);
        producer.DeadLetter(OpenEntry(), queue.Topic, Partition, _lateness.Rejection(offset, index, in e));
    }

    // Cuts the batch: its ledger entry takes its place now, on the consume thread (so the ledger keeps input
    // order), with the offsets the batch brings the partition to; the engine runs it here or on the engine
    // thread, which seals the entry once its outputs are produced.
    private void ProcessBatch(OutputProducer producer)
    {
        if (_batchCount == 0)
        {
            // Only dead letters since the last batch (a tail of poison): their entry joins the ledger now, so the
            // offsets past them are committed once they are acknowledged, with no engine run needed.
            if (_open is { } deadLetters)
            {
                _open = null;
                _ledger.Append(deadLetters);
                deadLetters.Seal();
            }

            return;
        }

        var entry = _batchSuppressed ? _open : OpenEntry();
        _open = null;
        if (entry is not null)
        {
            _ledger.Append(entry);
        }

        _batchesProcessed++;
        _batch = _engine.Hand(producer, _batch, _batchCount, _batchSuppressed, entry);
        _batchCount = 0;
    }

    private LedgerEntry OpenEntry() => _open ??= Rent(LedgerEntryKind.Batch);

    private LedgerEntry Rent(LedgerEntryKind kind)
    {
        var entry = _spare.Count > 0 ? _spare.Pop() : new LedgerEntry(_topics.Count, _onDeliveryFailure, _counters.DeadLetterLost);
        entry.Reset(kind);
        return entry;
    }
}
