using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Statistics;

/// <summary>
/// Event-time sliding-window statistics for many value series (one per product, or per product and
/// competitor), addressed by dense ids 0..N-1 and kept as arrays, so adding a value allocates nothing.
/// </summary>
/// <remarks>
/// <para><b>Windows and granularity.</b> Each of the K windows of length L is a ring of B buckets of
/// width w = L / B ms (truncated), aligned to multiples of w since the Unix epoch. The window read at
/// time <c>asOf</c> is the B whole buckets ending with the one that holds <c>asOf</c>: values with time in
/// <c>[(⌊asOf/w⌋ − B + 1)·w, (⌊asOf/w⌋ + 1)·w)</c>. It therefore covers between L − w and L of history and
/// slides by w (e.g. 1 h / 24 buckets slides every 2.5 min). Count, mean, standard deviation, min and max
/// are exact for the values in those buckets (sums are kept relative to the series' first value to limit
/// floating-point cancellation).</para>
/// <para><b>Out of order.</b> Lateness is the caller's check (the engine drops events more than the allowed
/// lateness behind its watermark before they reach a series). A value older than the series' newest time is
/// merged into its own bucket (when that bucket is still inside the ring of a window; otherwise it is already
/// outside that window at every later time). It does not change <see cref="Last"/> or the EWMA, which follow the
/// newest value by event time; it becomes <see cref="Previous"/> when its time is at or after the current
/// previous value's time. An equal timestamp counts as in order (the later arrival becomes the last value).</para>
/// <para><b>Median.</b> Each series keeps the R values with the newest timestamps (R =
/// <see cref="MedianCapacity"/>). The window median is the median of those of them that fall in the window:
/// exact while the window holds at most R values, otherwise the median of the R newest values in the
/// window (or fewer of them when reading before the newest time), so always between the window's min and max. R = 0 disables it (median NaN).</para>
/// <para><b>Memory.</b> <see cref="BytesPerSeries"/> = 96 + 2·K + 44·K·B + 16·R bytes
/// (K = 3, B = 24, R = 8: 3,398 B; K = 0, R = 0: 96 B). An in-order value only touches the series state
/// (which holds the pending accumulator of the newest buckets inline) and one median-ring entry; the K bucket
/// rings are written once per bucket boundary, so they stay cold.</para>
/// </remarks>
[SkipLocalsInit]
internal sealed class SlidingWindowSeries
{
    /// <summary>Most windows one instance tracks.</summary>
    public const int MaxWindows = 16;

    /// <summary>Largest median ring.</summary>
    public const int MaxMedianCapacity = 255;

    private const byte HasValueFlag = 1;
    private const byte HasPreviousFlag = 2;

    private readonly WindowRings<ValueBucket, PendingBucket> _rings;
    private readonly int _windowCount;
    private readonly int _buckets;
    private readonly int _ringCapacity;
    private readonly double _alpha;

    private SeriesState[] _state;
    private RingEntry[] _ring;

    /// <summary>Creates the state for <paramref name="initialSeries"/> series; it grows on demand.</summary>
    /// <param name="windowLengthsMs">Window lengths in ms, each at least <paramref name="bucketsPerWindow"/>; 0 to 16 windows.</param>
    /// <param name="bucketsPerWindow">Buckets per window, 1 to 1024.</param>
    /// <param name="ewmaAlpha">EWMA smoothing factor in (0, 1].</param>
    /// <param name="initialSeries">Series to allocate up front.</param>
    /// <param name="medianCapacity">Values kept per series for the median, 0 to 255 (0 disables the median).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public SlidingWindowSeries(ReadOnlySpan<long> windowLengthsMs, int bucketsPerWindow, double ewmaAlpha, int initialSeries, int medianCapacity = 8)
    {
        _rings = new WindowRings<ValueBucket, PendingBucket>(windowLengthsMs, bucketsPerWindow, MaxWindows, ValueBucket.Empty);
        ArgumentOutOfRangeException.ThrowIfNegative(initialSeries);
        if (!(ewmaAlpha > 0 && ewmaAlpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ewmaAlpha), ewmaAlpha, "ewmaAlpha must be in (0, 1].");
        }

        if (medianCapacity is < 0 or > MaxMedianCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(medianCapacity), medianCapacity, "medianCapacity must be between 0 and 255.");
        }

        _windowCount = _rings.WindowCount;
        _buckets = bucketsPerWindow;
        _ringCapacity = medianCapacity;
        _alpha = ewmaAlpha;
        _state = [];
        _ring = [];
        if (initialSeries > 0)
        {
            Grow(initialSeries);
        }
    }

    /// <summary>Windows per series (K).</summary>
    public int WindowCount => _windowCount;

    /// <summary>Buckets per window (B).</summary>
    public int BucketsPerWindow => _buckets;

    /// <summary>Values kept per series for the median (R).</summary>
    public int MedianCapacity => _ringCapacity;

    /// <summary>Series the arrays hold now.</summary>
    public int Capacity => _state.Length;

    /// <summary>Bytes of state one series takes with this configuration.</summary>
    public int BytesPerSeries => Unsafe.SizeOf<SeriesState>() + _rings.BytesPerKey + (_ringCapacity * Unsafe.SizeOf<RingEntry>());

    /// <summary>Bucket width of a window in ms (its slide step).</summary>
    public long BucketWidthMs(int window) => _rings.BucketWidthMs(window);

    /// <summary>Makes room for series ids 0..<paramref name="seriesCount"/>-1.</summary>
    public void EnsureCapacity(int seriesCount)
    {
        if (seriesCount > _state.Length)
        {
            Grow(seriesCount);
        }
    }

    /// <summary>
    /// Adds a value at event time <paramref name="timestamp"/> (Unix ms) to every window of the series.
    /// The value must be finite. Grows capacity when <paramref name="series"/> is new. Any time is merged
    /// (the caller drops events that are too late).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="series"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int series, long timestamp, double value)
    {
        var state = _state;
        if ((uint)series < (uint)state.Length)
        {
            ref var s = ref state[series];
            if (timestamp >= s.NewestTs && timestamp < s.NextBoundary)
            {
                AddInOrder(series, ref s, timestamp, value);
                return;
            }
        }

        AddSlow(series, timestamp, value);
    }

    /// <summary>Asks for the cache lines an <see cref="Add"/> of <paramref name="series"/> will touch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int series)
    {
        Core.CachePrefetch.TwoLines(_state, series);
        if (_ringCapacity != 0)
        {
            Core.CachePrefetch.TwoLines(_ring, series * _ringCapacity);
        }
    }

    /// <summary>
    /// When an <see cref="Add"/> at <paramref name="timestamp"/> would cross a bucket boundary, asks for the
    /// head bucket of every window (the crossing merges into it). Reads the series state, so call it after
    /// <see cref="Prefetch"/> had time to bring that in.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchBoundary(int series, long timestamp)
    {
        var state = _state;
        if ((uint)series < (uint)state.Length && timestamp >= state[series].NextBoundary && _windowCount != 0)
        {
            _rings.PrefetchHeads(series);
        }
    }

    /// <summary>
    /// Statistics of window <paramref name="window"/> of a series as of <paramref name="asOfTimestamp"/>:
    /// the B buckets ending with the one that holds it. Reading before the series' newest time sees only
    /// buckets still in the ring (whole buckets, so it may include values up to the end of asOf's bucket).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not a window index.</exception>
    public WindowStats Read(int series, int window, long asOfTimestamp)
    {
        if ((uint)window >= (uint)_windowCount)
        {
            WindowMath.ThrowWindowIndex(window, _windowCount);
        }

        if ((uint)series >= (uint)_state.Length || (_state[series].Flags & HasValueFlag) == 0)
        {
            return WindowStats.Empty;
        }

        ref readonly var s = ref _state[series];
        var buckets = _rings.Read(series, window, s.NewestTs, asOfTimestamp);
        if (buckets.IsEmpty)
        {
            return WindowStats.Empty;
        }

        long count = 0;
        double pivot = double.NaN; // a value in the window: the first bucket's pivot
        double sum = 0, sumSq = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (ref readonly var bucket in buckets)
        {
            if (bucket.Count == 0)
            {
                continue;
            }

            Rebase(bucket.Count, bucket.Pivot, bucket.Sum, bucket.SumSq, ref pivot, ref count, ref sum, ref sumSq);
            if (bucket.Min < min)
            {
                min = bucket.Min;
            }

            if (bucket.Max > max)
            {
                max = bucket.Max;
            }
        }

        ref readonly var pending = ref s.Pending;
        if (buckets.IncludesNewest && pending.Count != 0)
        {
            // The pending accumulator is part of the newest bucket of every window.
            Rebase(pending.Count, pending.Pivot, pending.Sum, pending.SumSq, ref pivot, ref count, ref sum, ref sumSq);
            min = Math.Min(min, pending.Min);
            max = Math.Max(max, pending.Max);
        }

        if (count == 0)
        {
            return WindowStats.Empty;
        }

        double shiftedMean = sum / count;
        double variance = Math.Max(0, (sumSq / count) - (shiftedMean * shiftedMean));
        double median = Median(series, buckets.StartMs, buckets.EndMs);
        return new WindowStats(count, pivot + shiftedMean, Math.Sqrt(variance), min, max, median);
    }

    /// <summary>True once the series has a value.</summary>
    public bool HasValue(int series) => (uint)series < (uint)_state.Length && (_state[series].Flags & HasValueFlag) != 0;

    /// <summary>True once the series has a previous value (two accepted values).</summary>
    public bool HasPrevious(int series) => (uint)series < (uint)_state.Length && (_state[series].Flags & HasPreviousFlag) != 0;

    /// <summary>The value with the newest event time (0 before any).</summary>
    public double Last(int series) => HasValue(series) ? _state[series].Last : 0;

    /// <summary>The value with the second-newest event time (0 before two values).</summary>
    public double Previous(int series) => HasPrevious(series) ? _state[series].Prev : 0;

    /// <summary>Event time of <see cref="Last"/>, which is also the newest time seen (long.MinValue before any).</summary>
    public long LastTimestamp(int series) => HasValue(series) ? _state[series].NewestTs : long.MinValue;

    /// <summary>Event time of <see cref="Previous"/> (long.MinValue before two values).</summary>
    public long PreviousTimestamp(int series) => HasPrevious(series) ? _state[series].PrevTs : long.MinValue;

    /// <summary>Exponentially weighted moving average of the in-order values (the first value seeds it).</summary>
    public double Ewma(int series) => HasValue(series) ? _state[series].Ewma : 0;

    /// <summary>Last − Previous (0 before two values).</summary>
    public double Change(int series) => HasPrevious(series) ? _state[series].Last - _state[series].Prev : 0;

    /// <summary>(Last − Previous) / Previous (0 before two values or when Previous is 0).</summary>
    public double ChangeFraction(int series)
    {
        if (!HasPrevious(series))
        {
            return 0;
        }

        ref readonly var s = ref _state[series];
        return s.Prev == 0 ? 0 : (s.Last - s.Prev) / s.Prev;
    }

    /// <summary>Adds sums taken relative to <paramref name="from"/> to sums relative to <paramref name="pivot"/> (set by the first call).</summary>
    private static void Rebase(long n, double from, double bucketSum, double bucketSumSq, ref double pivot, ref long count, ref double sum, ref double sumSq)
    {
        if (count == 0)
        {
            pivot = from;
        }

        double d = from - pivot;
        sumSq += bucketSumSq + (2 * d * bucketSum) + (n * d * d);
        sum += bucketSum + (n * d);
        count += n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddInOrder(int series, ref SeriesState s, long timestamp, double value)
    {
        // Every in-order value until the next bucket boundary belongs to the head bucket of every
        // window, so it goes into one pending accumulator in the series state (one or two cache
        // lines); Advance merges it into the K rings when a boundary is crossed.
        if (_windowCount != 0)
        {
            ref var pending = ref _state[series].Pending;
            if (pending.Count == 0)
            {
                pending.Pivot = value;
            }

            double shifted = value - pending.Pivot;
            pending.Count++;
            pending.Sum += shifted;
            pending.SumSq += shifted * shifted;
            if (value < pending.Min)
            {
                pending.Min = value;
            }

            if (value > pending.Max)
            {
                pending.Max = value;
            }
        }

        s.Prev = s.Last;
        s.PrevTs = s.NewestTs;
        s.Flags |= HasPreviousFlag;
        s.Last = value;
        s.NewestTs = timestamp;
        s.Ewma += _alpha * (value - s.Ewma);
        if (_ringCapacity != 0)
        {
            AppendRing(series, ref s, timestamp, value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendRing(int series, ref SeriesState s, long timestamp, double value)
    {
        int r = _ringCapacity;
        int position;
        if (s.RingCount < r)
        {
            position = s.RingStart + s.RingCount;
            if (position >= r)
            {
                position -= r;
            }

            s.RingCount++;
        }
        else
        {
            position = s.RingStart;
            s.RingStart = (byte)(position + 1 == r ? 0 : position + 1);
        }

        _ring[(series * r) + position] = new RingEntry(timestamp, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(int series, long timestamp, double value)
    {
        if (series < 0)
        {
            WindowMath.ThrowNegativeId(nameof(series), series);
        }

        if (series >= _state.Length)
        {
            Grow(series + 1);
        }

        ref var s = ref _state[series];
        if ((s.Flags & HasValueFlag) == 0)
        {
            Start(series, ref s, timestamp, value);
        }
        else if (timestamp < s.NewestTs)
        {
            MergeOutOfOrder(series, ref s, timestamp, value);
        }
        else
        {
            // Crossing a bucket boundary: the pending values go into every window's head bucket, the heads move.
            s.NextBoundary = _rings.Advance(series, s.NewestTs, timestamp, in s.Pending);
            s.Pending.Clear();
            AddInOrder(series, ref s, timestamp, value);
        }
    }

    private void Start(int series, ref SeriesState s, long timestamp, double value)
    {
        if (_windowCount != 0)
        {
            _state[series].Pending.Clear();
            _state[series].Pending.Pivot = value;
        }

        s.NextBoundary = _rings.Start(series, timestamp);
        s.Flags = HasValueFlag;
        s.RingStart = 0;
        s.RingCount = 0;
        s.Ewma = value;

        // AddInOrder treats the current Last as the previous value; the first value has none.
        AddInOrder(series, ref s, timestamp, value);
        s.Flags = HasValueFlag;
        s.Prev = 0;
        s.PrevTs = 0;
    }

    private void MergeOutOfOrder(int series, ref SeriesState s, long timestamp, double value)
    {
        for (int w = 0; w < _windowCount; w++)
        {
            ref var bucket = ref _rings.BucketOf(series, w, s.NewestTs, timestamp);
            if (!Unsafe.IsNullRef(ref bucket))
            {
                bucket.Add(value); // else its bucket has left this window's ring: outside the window from now on
            }
        }

        if ((s.Flags & HasPreviousFlag) == 0 || timestamp >= s.PrevTs)
        {
            s.Prev = value;
            s.PrevTs = timestamp;
            s.Flags |= HasPreviousFlag;
        }

        if (_ringCapacity != 0)
        {
            InsertRingOutOfOrder(series, ref s, timestamp, value);
        }
    }

    /// <summary>Inserts into the time-ordered ring, keeping the R newest timestamps (drops the oldest).</summary>
    private void InsertRingOutOfOrder(int series, ref SeriesState s, long timestamp, double value)
    {
        int r = _ringCapacity;
        var ring = _ring.AsSpan(series * r, r);
        Span<RingEntry> ordered = stackalloc RingEntry[r + 1];
        int n = s.RingCount;
        for (int i = 0; i < n; i++)
        {
            int slot = s.RingStart + i;
            ordered[i] = ring[slot >= r ? slot - r : slot];
        }

        int position = n;
        while (position > 0 && ordered[position - 1].Timestamp > timestamp)
        {
            position--;
        }

        ordered[position..n].CopyTo(ordered[(position + 1)..]);
        ordered[position] = new RingEntry(timestamp, value);
        n++;
        int skip = n > r ? 1 : 0;
        ordered.Slice(skip, n - skip).CopyTo(ring);
        s.RingStart = 0;
        s.RingCount = (byte)(n - skip);
    }

    /// <summary>Median of the ring values with time in [from, to); NaN when there are none.</summary>
    private double Median(int series, long from, long to)
    {
        int r = _ringCapacity;
        if (r == 0)
        {
            return double.NaN;
        }

        ref readonly var s = ref _state[series];
        var ring = _ring.AsSpan(series * r, r);
        Span<double> values = stackalloc double[r];
        int n = 0;
        for (int i = 0; i < s.RingCount; i++)
        {
            int slot = s.RingStart + i;
            ref readonly var entry = ref ring[slot >= r ? slot - r : slot];
            if (entry.Timestamp >= from && entry.Timestamp < to)
            {
                values[n++] = entry.Value;
            }
        }

        return MedianOf(values[..n]);
    }

    /// <summary>Median of <paramref name="values"/> (sorted in place): the middle value, or the mean of the two middle values; NaN when empty.</summary>
    internal static double MedianOf(Span<double> values)
    {
        int n = values.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        if (n <= 16)
        {
            for (int i = 1; i < n; i++)
            {
                double v = values[i];
                int j = i;
                while (j > 0 && values[j - 1] > v)
                {
                    values[j] = values[j - 1];
                    j--;
                }

                values[j] = v;
            }
        }
        else
        {
            values.Sort();
        }

        return (n & 1) == 1 ? values[n >> 1] : (values[(n >> 1) - 1] + values[n >> 1]) * 0.5;
    }

    /// <summary>Writes the state of series 0..<paramref name="seriesCount"/>-1 (all series with values must be below it).</summary>
    public void WriteState(ref SnapshotWriter w, int seriesCount)
    {
        w.WriteSection("SWSR"u8);
        w.WriteInt32(_windowCount);
        w.WriteInt32(_buckets);
        w.WriteInt32(_ringCapacity);
        w.WriteInt32(seriesCount);
        w.WriteInt64(0); // reserved: format 1 had a per-series late-drop count here (lateness is the engine's check)
        w.WriteArray<SeriesState>(_state.AsSpan(0, seriesCount));
        _rings.WriteState(ref w, seriesCount);
        w.WriteArray<RingEntry>(_ring.AsSpan(0, seriesCount * _ringCapacity));
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote into this (fresh) instance, which must have the same shape. The
    /// series count must be <paramref name="expectedCount"/> and is checked before anything grows; every ring
    /// position is checked.
    /// </summary>
    /// <exception cref="InvalidDataException">The shape or count differs or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r, int expectedCount)
    {
        r.ExpectSection("SWSR"u8);
        ExpectShape(r.ReadInt32("window count"), _windowCount, "window count");
        ExpectShape(r.ReadInt32("buckets per window"), _buckets, "buckets per window");
        ExpectShape(r.ReadInt32("median capacity"), _ringCapacity, "median capacity");
        int n = r.ReadCount("price series count", Array.MaxLength, BytesPerSeries);
        SnapshotFormat.ThrowIfCountDiffers("price series count", n, expectedCount);
        _ = r.ReadInt64("reserved");
        EnsureCapacity(n);
        var states = _state.AsSpan(0, n);
        r.ReadArray(states, "price series states");
        foreach (ref readonly var state in states)
        {
            if (state.RingCount > _ringCapacity || (state.RingStart >= _ringCapacity && state.RingStart != 0))
            {
                SnapshotFormat.ThrowInvalid($"a price series' median ring starts at {state.RingStart} with {state.RingCount} values; rings hold {_ringCapacity}.");
            }
        }

        _rings.ReadState(ref r, n, "price series");
        r.ReadArray(_ring.AsSpan(0, n * _ringCapacity), "median rings");
    }

    private static void ExpectShape(int stored, int expected, string what)
    {
        if (stored != expected)
        {
            SnapshotFormat.ThrowInvalid($"the price series were written with {what} {stored}; this engine has {expected}.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = WindowMath.GrownCapacity(_state.Length, needed);
        Array.Resize(ref _state, capacity);
        _rings.EnsureCapacity(capacity);
        Array.Resize(ref _ring, checked(capacity * _ringCapacity));
    }

    /// <summary>
    /// Per-series scalars, touched by every value. All-zero means "no value yet" (Flags = 0, and
    /// NextBoundary = 0 keeps the fast path off).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SeriesState
    {
        public long NewestTs;
        public long NextBoundary;
        public double Last;
        public double Ewma;
        public double Prev;
        public long PrevTs;
        public byte Flags;
        public byte RingStart;
        public byte RingCount;

        // Kept inline so an in-order add touches one place (two adjacent cache lines at most).
        public PendingBucket Pending;
    }

    /// <summary>
    /// The in-order values since the last bucket boundary, which belong to the newest bucket of every
    /// window (only allocated when K &gt; 0), and the series' pivot: its first value, subtracted before
    /// summing to limit cancellation in the variance.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct PendingBucket
    {
        public double Pivot;
        public int Count;
        public double Sum;
        public double SumSq;
        public double Min;
        public double Max;

        public void Clear()
        {
            Count = 0;
            Sum = 0;
            SumSq = 0;
            Min = double.PositiveInfinity;
            Max = double.NegativeInfinity;
        }
    }

    /// <summary>One bucket: count, sums of (value − pivot) and its square, exact min and max.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct ValueBucket : IWindowBucket<PendingBucket>
    {
        public static readonly ValueBucket Empty = new() { Min = double.PositiveInfinity, Max = double.NegativeInfinity };

        public int Count;

        // Sums are taken relative to the bucket's own pivot (its first value), so they stay exact to
        // double precision whatever the series did before this bucket; Read re-bases them.
        public double Pivot;
        public double Sum;
        public double SumSq;
        public double Min;
        public double Max;

        public void Merge(in PendingBucket pending)
        {
            if (pending.Count == 0)
            {
                return;
            }

            if (Count == 0)
            {
                Pivot = pending.Pivot;
                Sum = pending.Sum;
                SumSq = pending.SumSq;
            }
            else
            {
                double d = pending.Pivot - Pivot;
                SumSq += pending.SumSq + (2 * d * pending.Sum) + (pending.Count * d * d);
                Sum += pending.Sum + (pending.Count * d);
            }

            Count += pending.Count;
            Min = Math.Min(Min, pending.Min);
            Max = Math.Max(Max, pending.Max);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(double value)
        {
            if (Count == 0)
            {
                Pivot = value;
            }

            double shifted = value - Pivot;
            Count++;
            Sum += shifted;
            SumSq += shifted * shifted;
            if (value < Min)
            {
                Min = value;
            }

            if (value > Max)
            {
                Max = value;
            }
        }
    }

    private readonly record struct RingEntry(long Timestamp, double Value);
}
