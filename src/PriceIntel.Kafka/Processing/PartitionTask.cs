using System.Buffers;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The engine of one partition number and everything that keeps its results exact: the queues of its
/// input topic-partitions, the deterministic merge (messages in order of their first event time, ties by
/// input topic then offset; an input with nothing buffered holds the merge until it has data, reaches
/// its end or idles out), batches cut at message boundaries, replay without re-emitting outputs that were
/// already acknowledged, the ledger of produced outputs, and the snapshots. Consume thread, except
/// <see cref="RunSubmitted"/>, which the <see cref="EngineThread"/> calls with a batch handed over.
/// </summary>
internal sealed class PartitionTask
{
    private const int MaxBatchesPerPump = 4;

    /// <summary>Batches of one partition the engine thread may hold at once (the consume thread fills one more).</summary>
    private const int BatchesInFlight = 3;

    private readonly PriceIntelOptions _engineOptions;
    private readonly KafkaOptions _options;
    private readonly ProcessorCounters _counters;
    private readonly Action<string> _onDeliveryFailure;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<string> _topics;
    private readonly byte[] _stateKey;
    private readonly Queue<LedgerEntry> _ledger = new();
    private readonly Stack<LedgerEntry> _spare = new();
    private readonly ArrayBufferWriter<byte> _snapshotBuffer = new(64 * 1024);
    private readonly long[] _processedNext;
    private readonly long[] _suppressBelow;
    private readonly long[] _ackedNext;
    private readonly long[] _committedNext;
    private readonly long[] _storedNext;
    private readonly EngineThread? _engineThread;
    private MarketEvent[] _batch;
    private int _batchCount;

    // Batches for the engine thread: free ones to fill, and how many are handed over and not yet run.
    // Guarded by _slotLock (the consume thread rents and waits, the engine thread returns and pulses).
    private readonly object _slotLock = new();
    private readonly Stack<SubmittedBatch> _freeBatches = new();
    private int _batchesInFlight;
    private bool _batchSuppressed;
    private LedgerEntry? _open;
    private MarketEventJsonDecoder _decoder;
    private ProductKeyCache _productKeys;
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
        EngineThread? engineThread = null)
    {
        _onDeliveryFailure = onDeliveryFailure;
        _engineThread = engineThread;
        Partition = partition;
        _topics = topics;
        _engineOptions = engineOptions;
        _options = options;
        _counters = counters;
        _logger = logger;
        _stateKey = Encoding.UTF8.GetBytes(StateKey(options.GroupId, partition));
        Inputs = new InputQueue?[topics.Count];
        for (int i = 0; i < topics.Count; i++)
        {
            Inputs[i] = assigned[i] ? new InputQueue(i, topics[i], partition) : null;
        }

        _processedNext = new long[topics.Count];
        _suppressBelow = new long[topics.Count];
        _ackedNext = new long[topics.Count];
        _committedNext = new long[topics.Count];
        _storedNext = new long[topics.Count];
        _startNext = new long[topics.Count];
        _batch = new MarketEvent[options.BatchSize];
        if (engineThread is not null)
        {
            for (int i = 0; i < BatchesInFlight; i++)
            {
                _freeBatches.Push(new SubmittedBatch(options.BatchSize));
            }
        }
        Engine = MarketEngine.Create(engineOptions, new MarketKeys(), logger, initialProducts: 256);
        _decoder = new MarketEventJsonDecoder(Engine.Keys);
        _productKeys = new ProductKeyCache(Engine.Keys.Products);
    }

    public int Partition { get; }

    /// <summary>Tests: called after each processed batch with the partition number and the batch's event count.</summary>
    public Action<int, int>? BatchProcessed { get; set; }

    public InputQueue?[] Inputs { get; }

    public MarketEngine Engine { get; private set; }

    /// <summary>Set when an output could not be delivered; the processor rewinds the task.</summary>
    public string? Failure { get; private set; }

    /// <summary>Consume-side time (Environment.TickCount64) before which the task does not resume after a rewind.</summary>
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
        if (snapshot is not null)
        {
            Engine = MarketEngine.Restore(_engineOptions, snapshot.Bytes.AsSpan(0, snapshot.Length), _logger);
        }
        else
        {
            Engine = MarketEngine.Create(_engineOptions, new MarketKeys(), _logger, initialProducts: 256);
        }

        _decoder = new MarketEventJsonDecoder(Engine.Keys);
        _productKeys = new ProductKeyCache(Engine.Keys.Products);
        _durable = snapshot;
        for (int i = 0; i < _topics.Count; i++)
        {
            long start = snapshot is not null && snapshot.NextOffsets.TryGetValue(_topics[i], out long s) ? s : -1;
            _startNext[i] = start;
            _processedNext[i] = start;
            _ackedNext[i] = start;
            _suppressBelow[i] = committed.TryGetValue(_topics[i], out long c) ? c : -1;
            // What the group has committed, even when the snapshot is further on: a snapshot's offsets are
            // durable (its state is in Kafka), so they count as acknowledged and are committed at the next
            // interval. Otherwise an input with nothing after the snapshot would keep a stale commit (and a
            // lag) forever once a hand-over's final commit had failed.
            _committedNext[i] = _suppressBelow[i];
            _storedNext[i] = _committedNext[i];
        }

        ResetBuffers();
        Failure = null;
        _nextSnapshotAt = Environment.TickCount64 + (long)_options.SnapshotInterval.TotalMilliseconds;
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
        for (int i = 0; i < _topics.Count; i++)
        {
            long acknowledged = Math.Max(_committedNext[i], _ackedNext[i]);
            if (acknowledged >= 0)
            {
                committed[_topics[i]] = acknowledged;
            }
        }

        // Entries still in flight are abandoned: their reports may still arrive and only touch them.
        _ledger.Clear();
        _open = null;
        _snapshotPending = false;
        var storedBefore = (long[])_storedNext.Clone();
        var committedBefore = (long[])_committedNext.Clone();
        var next = Restore(_durable, committed);

        // The group's commit and the client's stored offsets are what they were; what was acknowledged stays
        // committable (its outputs reached the brokers) while the replay runs.
        for (int i = 0; i < _topics.Count; i++)
        {
            _ackedNext[i] = Math.Max(_ackedNext[i], committed.TryGetValue(_topics[i], out long a) ? a : -1);
            _committedNext[i] = committedBefore[i];
            _storedNext[i] = storedBefore[i];
        }

        return next;
    }

    /// <summary>Decodes one consumed message into its input queue; bad lines become rejections.</summary>
    public void Accept(int topicIndex, long offset, ReadOnlySpan<byte> value, int originalLength)
    {
        var queue = Inputs[topicIndex]!;
        queue.Begin(offset);
        if (originalLength > _options.MaxMessageBytes)
        {
            queue.AddRejection(new InputRejection(offset, 0, $"message of {originalLength} bytes is larger than Kafka:MaxMessageBytes ({_options.MaxMessageBytes})", value.ToArray()));
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
                    queue.AddEvent(in e);
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
    /// Moves merge-ready messages into batches and processes full ones; with <paramref name="flush"/>, also
    /// the partial batch once the merge cannot go on. Returns true when it processed something.
    /// </summary>
    public bool Pump(OutputProducer producer, long now, bool flush)
    {
        if (Failure is not null || now < ResumeAt)
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

            InputQueue? best = null;
            bool blocked = false;
            foreach (var q in Inputs)
            {
                if (q is null)
                {
                    continue;
                }

                if (q.Count == 0)
                {
                    if (!q.Exhausted && now - q.EmptySince < idle)
                    {
                        blocked = true;
                        break;
                    }

                    continue;
                }

                if (best is null || q.Head.Time < best.Head.Time)
                {
                    best = q; // ties keep the earlier topic: inputs are scanned in tie-break order
                }
            }

            if (blocked || best is null)
            {
                break;
            }

            Take(producer, best, now);
            worked = true;
        }

        if (flush && _batchCount > 0)
        {
            ProcessBatch(producer);
            worked = true;
        }

        return worked;
    }

    /// <summary>One line on the task's inputs, for diagnostics.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"p{Partition}: batch={_batchCount} ledger={_ledger.Count} failure={Failure ?? "none"}");
        foreach (var q in Inputs)
        {
            if (q is not null)
            {
                text.Append($" | {q.Topic}: queued={q.Count} next={q.NextOffset} hw={q.HighWatermark} end={q.AtEnd} paused={q.Paused} processed={_processedNext[q.TopicIndex]} acked={_ackedNext[q.TopicIndex]} committed={_committedNext[q.TopicIndex]}");
            }
        }

        return text.ToString();
    }

    /// <summary>True when nothing is buffered, batched or in flight and every input reported its end.</summary>
    public bool IsCaughtUp
    {
        get
        {
            if (_batchCount > 0 || _ledger.Count > 0 || Failure is not null)
            {
                return false;
            }

            foreach (var q in Inputs)
            {
                if (q is not null && (q.Count > 0 || !q.Exhausted))
                {
                    return false;
                }
            }

            for (int i = 0; i < _ackedNext.Length; i++)
            {
                if (_ackedNext[i] > _committedNext[i])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Processes the partial batch, if any, and waits until the engine is done (revoke, shutdown).</summary>
    public void Drain(OutputProducer producer)
    {
        if (_batchCount > 0)
        {
            ProcessBatch(producer);
        }

        WaitIdle();
    }

    /// <summary>
    /// Waits until the engine thread holds no batch of this task (then its engine is the consume thread's to
    /// read or replace); rethrows what a batch threw.
    /// </summary>
    public void WaitIdle()
    {
        if (_engineThread is null)
        {
            return;
        }

        lock (_slotLock)
        {
            while (_batchesInFlight > 0)
            {
                Monitor.Wait(_slotLock);
            }
        }

        _engineThread.ThrowIfFailed();
    }

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

            _ledger.Dequeue();
            if (head.Failed)
            {
                if (head.Kind == LedgerEntryKind.Snapshot)
                {
                    // Not fatal: outputs are safe; the previous durable snapshot stays the restore point.
                    _counters.SnapshotFailed();
                    _logger.LogWarning("Partition {Partition}: state snapshot not written: {Error}; the previous snapshot stays the restore point.", Partition, head.Error);
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
            for (int i = 0; i < _ackedNext.Length; i++)
            {
                if (head.NextOffsets[i] >= 0)
                {
                    _ackedNext[i] = Math.Max(_ackedNext[i], head.NextOffsets[i]);
                }
            }

            _spare.Push(head);
        }
    }

    /// <summary>True when every produced entry is settled.</summary>
    public bool IsSettled => _ledger.Count == 0;

    /// <summary>Queues a snapshot of the current state when one is due (or forced) and none is pending.</summary>
    public void SnapshotIfDue(long now, bool force)
    {
        if (_snapshotPending || Failure is not null || _batchCount > 0 || (!force && now < _nextSnapshotAt))
        {
            return;
        }

        bool progressed = false;
        for (int i = 0; i < _processedNext.Length; i++)
        {
            long durable = _durable is not null && _durable.NextOffsets.TryGetValue(_topics[i], out long d) ? d : -1;
            progressed |= _processedNext[i] != durable;
        }

        _nextSnapshotAt = now + (long)_options.SnapshotInterval.TotalMilliseconds;
        if (!progressed)
        {
            return;
        }

        WaitIdle(); // the state after every batch taken so far
        _snapshotBuffer.ResetWrittenCount();
        Engine.WriteSnapshot(_snapshotBuffer);
        var entry = Rent(LedgerEntryKind.Snapshot);
        entry.SnapshotBytes = _snapshotBuffer.WrittenSpan.ToArray();
        entry.SnapshotLength = entry.SnapshotBytes.Length;
        _processedNext.CopyTo(entry.NextOffsets, 0);
        _ledger.Enqueue(entry);
        _snapshotPending = true;
    }

    /// <summary>Offsets acknowledged beyond what was handed to the consumer's background commit, or null.</summary>
    public List<TopicPartitionOffset>? StoreCandidates()
    {
        List<TopicPartitionOffset>? list = null;
        for (int i = 0; i < _ackedNext.Length; i++)
        {
            if (Inputs[i] is not null && _ackedNext[i] > _storedNext[i])
            {
                (list ??= []).Add(new TopicPartitionOffset(_topics[i], new Partition(Partition), new Offset(_ackedNext[i])));
                _storedNext[i] = _ackedNext[i];
            }
        }

        return list;
    }

    /// <summary>The offsets to commit now (acknowledged beyond what was committed), or null.</summary>
    public List<TopicPartitionOffset>? CommitCandidates()
    {
        List<TopicPartitionOffset>? list = null;
        for (int i = 0; i < _ackedNext.Length; i++)
        {
            if (Inputs[i] is not null && _ackedNext[i] > _committedNext[i])
            {
                (list ??= []).Add(new TopicPartitionOffset(_topics[i], new Partition(Partition), new Offset(_ackedNext[i])));
            }
        }

        return list;
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
                    _committedNext[i] = Math.Max(_committedNext[i], tpo.Offset.Value);
                }
            }
        }
    }

    public int BufferedEvents()
    {
        int n = 0;
        foreach (var q in Inputs)
        {
            n += q?.BufferedEvents ?? 0;
        }

        return n;
    }

    private void ResetBuffers()
    {
        foreach (var q in Inputs)
        {
            q?.Clear(_startNext[q.TopicIndex]);
        }

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

        queue.EventsOf(in m).CopyTo(_batch.AsSpan(_batchCount));
        _batchCount += m.EventCount;
        if (m.RejectionCount > 0)
        {
            foreach (ref readonly var r in queue.RejectionsOf(in m))
            {
                _counters.Rejected(suppressed);
                if (!suppressed)
                {
                    producer.DeadLetter(OpenEntry(), queue.Topic, Partition, in r);
                }
            }
        }

        _processedNext[queue.TopicIndex] = m.Offset + 1;
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

    // Cuts the batch: its ledger entry takes its place now, on the consume thread (so the ledger keeps input
    // order), with the offsets the batch brings the partition to; the engine runs it here or on the engine
    // thread, which seals the entry once its outputs are produced.
    private void ProcessBatch(OutputProducer producer)
    {
        var entry = _batchSuppressed ? _open : OpenEntry();
        _open = null;
        if (entry is not null)
        {
            _processedNext.CopyTo(entry.NextOffsets, 0);
            _ledger.Enqueue(entry);
        }

        _batchesProcessed++;
        if (_engineThread is null)
        {
            Run(producer, _batch, _batchCount, _batchSuppressed, entry);
            _batchCount = 0;
            return;
        }

        SubmittedBatch submitted;
        lock (_slotLock)
        {
            // Up to BatchesInFlight of this partition's batches wait or run on the engine thread; beyond
            // that the consume thread waits here for one to finish.
            while (_freeBatches.Count == 0)
            {
                Monitor.Wait(_slotLock);
            }

            submitted = _freeBatches.Pop();
            _batchesInFlight++;
        }

        var events = submitted.Events;
        submitted.Events = _batch;
        _batch = events;
        submitted.Count = _batchCount;
        submitted.Suppressed = _batchSuppressed;
        submitted.Entry = entry;
        submitted.Producer = producer;
        _batchCount = 0;
        _engineThread.Submit(this, submitted);
    }

    /// <summary>Engine thread: runs a batch <see cref="ProcessBatch"/> handed over, then frees its buffer.</summary>
    public void RunSubmitted(SubmittedBatch batch)
    {
        try
        {
            Run(batch.Producer!, batch.Events, batch.Count, batch.Suppressed, batch.Entry);
        }
        finally
        {
            batch.Entry = null;
            batch.Producer = null;
            lock (_slotLock)
            {
                _freeBatches.Push(batch);
                _batchesInFlight--;
                Monitor.PulseAll(_slotLock);
            }
        }
    }

    private void Run(OutputProducer producer, MarketEvent[] batch, int count, bool suppressed, LedgerEntry? entry)
    {
        var outputs = Engine.Process(batch.AsSpan(0, count));
        _counters.Processed(count, suppressed);
        BatchProcessed?.Invoke(Partition, count);

        // Below the committed offsets (a replay) the outputs were acknowledged before: not produced again.
        if (!suppressed && entry is not null)
        {
            var keys = outputs.Keys;
            foreach (ref readonly var s in outputs.Signals.Span)
            {
                producer.Signal(entry, in s, keys, _productKeys.Utf8(s.ProductId));
            }

            foreach (ref readonly var d in outputs.Decisions.Span)
            {
                producer.Decision(entry, in d, keys, _productKeys.Utf8(d.ProductId));
            }
        }

        entry?.Seal();
    }

    private LedgerEntry OpenEntry() => _open ??= Rent(LedgerEntryKind.Batch);

    private LedgerEntry Rent(LedgerEntryKind kind)
    {
        var entry = _spare.Count > 0 ? _spare.Pop() : new LedgerEntry(_topics.Count, _onDeliveryFailure);
        entry.Reset(kind);
        return entry;
    }
}
