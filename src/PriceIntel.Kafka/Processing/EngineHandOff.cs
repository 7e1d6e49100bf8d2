using System.Runtime.ExceptionServices;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The engine of one partition task and the hand-off of cut batches to it: run inline on the consume thread,
/// or handed to the <see cref="EngineThread"/> with one of a few reusable batch buffers (the consume thread
/// waits only when all of them are queued). Running a batch processes it and produces its signals and
/// decisions into the batch's ledger entry, then seals the entry. A batch that throws leaves the engine in an
/// unknown state: the failure is kept, nothing more runs, and the processor stops with it.
/// </summary>
internal sealed class EngineHandOff
{
    /// <summary>Batches of one partition the engine thread may hold at once (the consume thread fills one more).</summary>
    private const int BatchesInFlight = 3;

    private readonly int _partition;
    private readonly ProcessorCounters _counters;
    private readonly EngineThread? _engineThread;

    // Batches for the engine thread: free ones to fill, and how many are handed over and not yet run.
    // Guarded by _slotLock (the consume thread rents and waits, the engine thread returns and pulses).
    private readonly object _slotLock = new();
    private readonly Stack<SubmittedBatch> _freeBatches = new();
    private int _batchesInFlight;
    private ExceptionDispatchInfo? _failure;
    private ProductKeyCache _productKeys;

    public EngineHandOff(int partition, MarketEngine engine, ProcessorCounters counters, EngineThread? engineThread, int batchSize)
    {
        _partition = partition;
        _counters = counters;
        _engineThread = engineThread;
        Engine = engine;
        _productKeys = new ProductKeyCache(engine.Keys.Products);
        if (engineThread is not null)
        {
            for (int i = 0; i < BatchesInFlight; i++)
            {
                _freeBatches.Push(new SubmittedBatch(batchSize));
            }
        }
    }

    /// <summary>The partition's engine; the consume thread reads it only after <see cref="WaitIdle"/>.</summary>
    public MarketEngine Engine { get; private set; }

    /// <summary>Tests: called after each processed batch with the partition number and the batch's event count.</summary>
    public Action<int, int>? BatchProcessed { get; set; }

    /// <summary>What a batch threw (on the engine thread or inline), or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure)?.SourceException;

    /// <summary>True once a batch threw.</summary>
    public bool Failed => _failure is not null;

    /// <summary>Replaces the engine (restore, rewind); waits for the running batches first.</summary>
    public void Replace(MarketEngine engine)
    {
        WaitIdle();
        Engine = engine;
        _productKeys = new ProductKeyCache(engine.Keys.Products);
    }

    /// <summary>
    /// Runs <paramref name="count"/> events of <paramref name="batch"/> (inline, or on the engine thread) and
    /// returns the buffer to fill next: <paramref name="batch"/> itself when it ran inline, a free one of the
    /// same capacity or more when it was handed over. Outputs go to <paramref name="entry"/> unless the batch
    /// is <paramref name="suppressed"/> (a replay below the committed offsets).
    /// </summary>
    public MarketEvent[] Hand(OutputProducer producer, MarketEvent[] batch, int count, bool suppressed, LedgerEntry? entry)
    {
        if (_engineThread is null)
        {
            RunGuarded(producer, batch, count, suppressed, entry);
            return batch;
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

        var free = submitted.Events;
        submitted.Events = batch;
        submitted.Count = count;
        submitted.Suppressed = suppressed;
        submitted.Entry = entry;
        submitted.Producer = producer;
        _engineThread.Submit(this, submitted);
        return free;
    }

    /// <summary>Engine thread: runs a batch <see cref="Hand"/> handed over, then frees its buffer.</summary>
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

    /// <summary>
    /// Waits until the engine thread holds no batch of this partition (then its engine is the consume thread's
    /// to read or replace); rethrows what a batch threw on the engine thread outside a batch.
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

    private void RunGuarded(OutputProducer producer, MarketEvent[] batch, int count, bool suppressed, LedgerEntry? entry)
    {
        if (_failure is not null)
        {
            return;
        }

        try
        {
            Run(producer, batch, count, suppressed, entry);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
        }
    }

    private void Run(OutputProducer producer, MarketEvent[] batch, int count, bool suppressed, LedgerEntry? entry)
    {
        var outputs = Engine.Process(batch.AsSpan(0, count));
        _counters.Processed(count, suppressed);
        BatchProcessed?.Invoke(_partition, count);

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
}
