using System.Buffers;
using System.Globalization;
using System.Runtime.ExceptionServices;
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
    private readonly OffsetLedger _ledger;
    private readonly Stack<LedgerEntry> _spare = new();
    private readonly ArrayBufferWriter<byte> _snapshotBuffer = new(64 * 1024);
    private readonly long[] _suppressBelow;
    private readonly bool[] _owned;
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
    private ProductKeyCache? _routing;
    private MarketEventJsonEncoder? _lateEncoder;
    private readonly ArrayBufferWriter<byte> _lateBuffer = new(256);
    private readonly int _inputPartitions;
    private readonly ProcessorClock _clock;
    private readonly long _lateness;
    private long _watermark = long.MinValue;
    private long _lateEvents;
    private long _misroutedEvents;
    private ExceptionDispatchInfo? _engineFailure;
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
        _inputPartitions = inputPartitions;
        _lateness = engineOptions.Windows.AllowedLatenessMs;
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

        _ledger = new OffsetLedger(topics.Count);
        _owned = (bool[])assigned.Clone();
        _suppressBelow = new long[topics.Count];
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
        _routing = inputPartitions > 0 ? new ProductKeyCache(Engine.Keys.Products, inputPartitions) : null;
    }

    public int Partition { get; }

    /// <summary>Tests: called after each processed batch with the partition number and the batch's event count.</summary>
    public Action<int, int>? BatchProcessed { get; set; }

    public InputQueue?[] Inputs { get; }

    public MarketEngine Engine { get; private set; }

    /// <summary>Set when an output could not be delivered; the processor rewinds the task.</summary>
    public string? Failure { get; private set; }

    /// <summary>
    /// What the engine threw while processing a batch of this partition (on the engine thread or inline), or
    /// null. Once set the partition processes, snapshots and commits nothing more: the processor stops with it.
    /// </summary>
    public Exception? EngineFailure => Volatile.Read(ref _engineFailure)?.SourceException;

    /// <summary>Events older than the allowed lateness behind the partition's newest event time (dead-lettered, not merged).</summary>
    public long LateEvents => Volatile.Read(ref _lateEvents);

    /// <summary>Events whose product key belongs to another partition by Kafka's murmur2 partitioner (dead-lettered).</summary>
    public long MisroutedEvents => Volatile.Read(ref _misroutedEvents);

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
        _routing = _inputPartitions > 0 ? new ProductKeyCache(Engine.Keys.Products, _inputPartitions) : null;
        _lateEncoder = null;
        _watermark = Engine.Watermark; // the lateness twin starts where the engine's own watermark is
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

    /// <summary>
    /// Decodes one consumed message into its input queue; bad lines, and events whose product belongs to
    /// another partition, become rejections. <paramref name="oversizedSha256"/> is the hash of the whole
    /// value when <paramref name="value"/> holds only its first <see cref="KafkaOptions.MaxMessageBytes"/>.
    /// </summary>
    public void Accept(int topicIndex, long offset, ReadOnlySpan<byte> value, int originalLength, byte[]? oversizedSha256 = null)
    {
        var queue = Inputs[topicIndex]!;
        queue.Begin(offset);
        if (originalLength > _options.MaxMessageBytes)
        {
            // Only a prefix travels with the dead letter; its size and hash name the whole message.
            var prefix = value[..Math.Min(value.Length, OutputProducer.DeadLetterPayloadCap)].ToArray();
            queue.AddRejection(new InputRejection(offset, 0, $"message of {originalLength} bytes is larger than Kafka:MaxMessageBytes ({_options.MaxMessageBytes})", prefix, originalLength, oversizedSha256));
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
                    if (_routing is not null && _routing.Partition(e.ProductId) is int home && home != Partition)
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

    private string Misrouted(int productId, int home) =>
        $"misrouted: product '{Engine.Keys.Products.GetName(productId)}' belongs to partition {home} of {_inputPartitions} (Kafka's murmur2 partitioner on the product key), but arrived on partition {Partition}; producers must use the Java client's default partitioner (KafkaJS: Partitioners.JavaCompatiblePartitioner)";

    /// <summary>
    /// Moves merge-ready messages into batches and processes full ones; with <paramref name="flush"/>, also
    /// the partial batch once the merge cannot go on. Returns true when it processed something.
    /// </summary>
    public bool Pump(OutputProducer producer, long now, bool flush)
    {
        if (Failure is not null || now < ResumeAt || _engineFailure is not null)
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

        if (flush && (_batchCount > 0 || _open is not null))
        {
            ProcessBatch(producer);
            worked = true;
        }

        return worked;
    }

    /// <summary>One line on the task's inputs, for diagnostics.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"p{Partition}: batch={_batchCount} ledger={_ledger.Count} failure={Failure ?? "none"} late={LateEvents} misrouted={MisroutedEvents}");
        foreach (var q in Inputs)
        {
            if (q is not null)
            {
                text.Append($" | {q.Topic}: queued={q.Count} next={q.NextOffset} hw={q.HighWatermark} end={q.AtEnd} paused={q.Paused} processed={_ledger.Processed(q.TopicIndex)} acked={_ledger.Acknowledged(q.TopicIndex)} committed={_ledger.Committed(q.TopicIndex)}");
            }
        }

        return text.ToString();
    }

    /// <summary>True when nothing is buffered, batched or in flight and every input reported its end.</summary>
    public bool IsCaughtUp
    {
        get
        {
            if (_batchCount > 0 || _open is not null || !_ledger.IsSettledAndCommitted || Failure is not null)
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

            return true;
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
        if (_snapshotPending || Failure is not null || _engineFailure is not null || _batchCount > 0 || _open is not null || (!force && now < _nextSnapshotAt))
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
        if (_engineFailure is not null)
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
            q?.Clear(_startNext[q.TopicIndex], _clock.NowMs);
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

        var events = queue.EventsOf(in m);
        events.CopyTo(_batch.AsSpan(_batchCount));
        _batchCount += m.EventCount;

        // The engine's lateness rule, applied to the same events in the same order: a twin of its watermark
        // finds the events it will count as late and not merge, so they are dead-lettered instead of vanishing.
        // (They still go to the engine, which counts them, so its state is what a plain run would give.)
        for (int i = 0; i < events.Length; i++)
        {
            long ts = events[i].Timestamp;
            if (ts > _watermark)
            {
                _watermark = ts;
            }
            else if (ts < _watermark - _lateness)
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
        long behind = _watermark - e.Timestamp;
        _lateBuffer.ResetWrittenCount();
        (_lateEncoder ??= new MarketEventJsonEncoder(Engine.Keys)).Write(in e, _lateBuffer);
        var line = _lateBuffer.WrittenSpan;
        var payload = line[..^1].ToArray(); // without the line feed
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"late: event {index + 1} of the message has event time {DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp):O}, {behind} ms behind partition {Partition}'s newest event time {DateTimeOffset.FromUnixTimeMilliseconds(_watermark):O}; more than the allowed lateness (Windows:AllowedLatenessSeconds = {_lateness / 1000.0}), so it is not merged into the windows");
        producer.DeadLetter(OpenEntry(), queue.Topic, Partition, new InputRejection(offset, 0, reason, payload) { LateByMs = behind });
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
        if (_engineThread is null)
        {
            RunGuarded(producer, _batch, _batchCount, _batchSuppressed, entry);
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
            RunGuarded(batch.Producer!, batch.Events, batch.Count, batch.Suppressed, batch.Entry);
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

    // A batch that throws leaves the engine in an unknown state: nothing of the partition may be processed,
    // snapshotted or committed after it. The failure is kept for the processor, which checks every tick and stops.
    private void RunGuarded(OutputProducer producer, MarketEvent[] batch, int count, bool suppressed, LedgerEntry? entry)
    {
        if (_engineFailure is not null)
        {
            return;
        }

        try
        {
            Run(producer, batch, count, suppressed, entry);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _engineFailure, ExceptionDispatchInfo.Capture(e), null);
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
        var entry = _spare.Count > 0 ? _spare.Pop() : new LedgerEntry(_topics.Count, _onDeliveryFailure, _counters.DeadLetterLost);
        entry.Reset(kind);
        return entry;
    }
}
