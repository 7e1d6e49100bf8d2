using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Pricing;

/// <summary>
/// When each product may be priced next, in event time. Two clocks per product (struct-of-arrays by
/// dense product id):
/// <list type="bullet">
/// <item>Scheduled runs: due when event time reaches the last run + the update interval. A product
/// never run is due at once.</item>
/// <item>Signal-triggered runs (any trigger other than <see cref="DecisionTrigger.Scheduled"/>): a rate
/// limit, allowed when at least <see cref="MinTriggeredGapMs"/> (default one minute) has passed since
/// the product's last run of any kind, so a burst of signals cannot reprice a product more than once
/// a minute.</item>
/// </list>
/// Any run (<see cref="MarkRun"/>) restarts the scheduled interval: a product repriced by a signal is
/// next due one full interval later. Event time may step back a little (late events): a run older
/// than the last one recorded does not move either clock backwards. Single-threaded, like the engine.
/// <para>So the engine need not scan every product, <see cref="MarkRun"/> also queues the product's
/// next due time in a binary min-heap, and <see cref="TryTakeDue"/> hands out, earliest first, the
/// products whose scheduled run is due. Entries superseded by a later run are skipped when they
/// surface. A product leaves the queue when taken and comes back with its next <see cref="MarkRun"/>,
/// so an engine calls MarkRun after every run attempt, including one that made no decision.</para>
/// </summary>
internal sealed class PricingSchedule
{
    /// <summary>Default least time between two runs of a product when a signal triggers the second.</summary>
    public const long DefaultMinTriggeredGapMs = 60_000;

    private const long Never = long.MinValue;

    private long[] _lastRun;
    private long[] _heapDue = new long[64];
    private int[] _heapProduct = new int[64];
    private int _heapCount;

    /// <summary>Creates a schedule.</summary>
    /// <param name="intervalMs">Time between scheduled runs of a product, milliseconds (&gt; 0).</param>
    /// <param name="minTriggeredGapMs">Least time between a product's last run and a signal-triggered run (≥ 0).</param>
    /// <param name="initialCapacity">Products to make room for up front.</param>
    /// <exception cref="ArgumentOutOfRangeException">An interval is out of range.</exception>
    public PricingSchedule(long intervalMs, long minTriggeredGapMs = DefaultMinTriggeredGapMs, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalMs);
        ArgumentOutOfRangeException.ThrowIfNegative(minTriggeredGapMs);
        IntervalMs = intervalMs;
        MinTriggeredGapMs = minTriggeredGapMs;
        _lastRun = new long[Math.Max(initialCapacity, 16)];
        _lastRun.AsSpan().Fill(Never);
    }

    /// <summary>Creates a schedule with <see cref="PricingOptions.UpdateInterval"/> and a one-minute signal rate limit.</summary>
    public PricingSchedule(PricingOptions options)
        : this(Math.Max(1, (long)options.UpdateInterval.TotalMilliseconds))
    {
    }

    /// <summary>Time between scheduled runs of a product, milliseconds.</summary>
    public long IntervalMs { get; }

    /// <summary>Least time between a product's last run and a signal-triggered run, milliseconds.</summary>
    public long MinTriggeredGapMs { get; }

    /// <summary>True when a scheduled run of <paramref name="productId"/> is due at <paramref name="timestamp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsDue(int productId, long timestamp)
    {
        var last = LastRun(productId);
        return last == Never || timestamp - last >= IntervalMs;
    }

    /// <summary>
    /// True when a run for <paramref name="trigger"/> may happen at <paramref name="timestamp"/>: the
    /// scheduled interval for <see cref="DecisionTrigger.Scheduled"/>, the signal rate limit otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsDue(int productId, long timestamp, DecisionTrigger trigger)
    {
        var last = LastRun(productId);
        return last == Never || timestamp - last >= (trigger == DecisionTrigger.Scheduled ? IntervalMs : MinTriggeredGapMs);
    }

    /// <summary>Event time of the next scheduled run; <see cref="long.MinValue"/> when the product never ran (due now).</summary>
    public long NextDue(int productId)
    {
        var last = LastRun(productId);
        return last == Never ? Never : last + IntervalMs;
    }

    /// <summary>Records a run of <paramref name="productId"/> at <paramref name="timestamp"/> (whatever triggered it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkRun(int productId, long timestamp)
    {
        if ((uint)productId >= (uint)_lastRun.Length)
        {
            Grow(productId);
        }

        ref var last = ref _lastRun[productId];
        if (last == Never || timestamp > last)
        {
            last = timestamp;
            Push(timestamp + IntervalMs, productId);
        }
    }

    /// <summary>Number of entries in the due queue, superseded ones included.</summary>
    public int QueuedCount => _heapCount;

    /// <summary>
    /// Takes the product whose scheduled run is due earliest, if any is due at <paramref name="timestamp"/>.
    /// Call in a loop until false; each product comes out once per <see cref="MarkRun"/>.
    /// </summary>
    public bool TryTakeDue(long timestamp, out int productId)
    {
        while (_heapCount > 0 && _heapDue[0] <= timestamp)
        {
            var due = _heapDue[0];
            productId = _heapProduct[0];
            PopTop();
            if (due == _lastRun[productId] + IntervalMs)
            {
                return true; // current entry; older ones for the same product were superseded by a later run
            }
        }

        productId = -1;
        return false;
    }

    /// <summary>
    /// Writes the last run of products 0..<paramref name="productCount"/>-1 (all products ever run must be
    /// below it) and the due queue as it is laid out, so products due at the same time come out of the
    /// restored queue in the same order.
    /// </summary>
    public void WriteState(ref SnapshotWriter w, int productCount)
    {
        w.WriteSection("SCHD"u8);
        w.WriteInt64(IntervalMs);
        w.WriteInt64(MinTriggeredGapMs);
        w.WriteInt32(productCount);
        w.WriteArray<long>(_lastRun.AsSpan(0, productCount));
        w.WriteInt32(_heapCount);
        w.WriteArray<long>(_heapDue.AsSpan(0, _heapCount));
        w.WriteArray<int>(_heapProduct.AsSpan(0, _heapCount));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) schedule, which must have the same interval.</summary>
    /// <exception cref="InvalidDataException">The intervals differ or the data is damaged.</exception>
    /// <param name="r">The reader.</param>
    /// <param name="expectedCount">The engine's product count: the schedule must have been written with it.</param>
    public void ReadState(ref SnapshotReader r, int expectedCount)
    {
        r.ExpectSection("SCHD"u8);
        long interval = r.ReadInt64("pricing interval");
        long gap = r.ReadInt64("triggered pricing gap");
        if (interval != IntervalMs || gap != MinTriggeredGapMs)
        {
            SnapshotFormat.ThrowInvalid($"the pricing schedule was written with an interval of {interval} ms and a triggered gap of {gap} ms; this engine has {IntervalMs} ms and {MinTriggeredGapMs} ms.");
        }

        int n = r.ReadCount("scheduled product count", Array.MaxLength, sizeof(long));
        SnapshotFormat.ThrowIfCountDiffers("scheduled product count", n, expectedCount);
        if (n > _lastRun.Length)
        {
            Grow(n - 1);
        }

        r.ReadArray(_lastRun.AsSpan(0, n), "last pricing runs");
        int queued = r.ReadCount("queued pricing runs", Array.MaxLength, sizeof(long) + sizeof(int));
        int size = Math.Max(_heapDue.Length, queued);
        _heapDue = new long[size];
        _heapProduct = new int[size];
        r.ReadArray(_heapDue.AsSpan(0, queued), "queued due times");
        r.ReadArray(_heapProduct.AsSpan(0, queued), "queued products");
        foreach (int product in _heapProduct.AsSpan(0, queued))
        {
            if ((uint)product >= (uint)n)
            {
                SnapshotFormat.ThrowInvalid($"the pricing queue names product id {product}, outside the {n} products written.");
            }
        }

        _heapCount = queued;
    }

    private void Push(long due, int productId)
    {
        if (_heapCount == _heapDue.Length)
        {
            GrowHeap();
        }

        int i = _heapCount++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (_heapDue[parent] <= due)
            {
                break;
            }

            _heapDue[i] = _heapDue[parent];
            _heapProduct[i] = _heapProduct[parent];
            i = parent;
        }

        _heapDue[i] = due;
        _heapProduct[i] = productId;
    }

    private void PopTop()
    {
        int count = --_heapCount;
        if (count == 0)
        {
            return;
        }

        var due = _heapDue[count];
        var product = _heapProduct[count];
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && _heapDue[child + 1] < _heapDue[child])
            {
                child++;
            }

            if (due <= _heapDue[child])
            {
                break;
            }

            _heapDue[i] = _heapDue[child];
            _heapProduct[i] = _heapProduct[child];
            i = child;
        }

        _heapDue[i] = due;
        _heapProduct[i] = product;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowHeap()
    {
        Array.Resize(ref _heapDue, _heapDue.Length * 2);
        Array.Resize(ref _heapProduct, _heapProduct.Length * 2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long LastRun(int productId) => (uint)productId < (uint)_lastRun.Length ? _lastRun[productId] : Never;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int productId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(productId);
        var old = _lastRun.Length;
        var size = Math.Max(old * 2, productId + 1);
        Array.Resize(ref _lastRun, size);
        _lastRun.AsSpan(old).Fill(Never);
    }
}
