using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PriceIntel.Engine.Windows;

/// <summary>
/// Event-time windowed statistics per dense key: windows of length <c>W</c> that start every <c>H</c>
/// milliseconds (hopping; <c>H == W</c> is tumbling), aligned to multiples of <c>H</c> from the Unix
/// epoch. For each closed window it reports, per key with at least one value in it, the count, mean,
/// min, max and population standard deviation.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> The watermark is the newest event time seen minus the allowed lateness. A window
/// closes (its results are delivered) once the watermark reaches its end. An event still counts in every
/// window containing it that is open when it arrives; an event whose windows have all closed (its pane
/// is older than the oldest open pane) is dropped and counted in <see cref="LateCount"/>.</para>
/// <para><b>Storage.</b> Time is cut into panes of length <c>H</c>; a window is <c>P = W / H</c>
/// consecutive panes. Panes live in a ring of pane-major struct-of-arrays columns (count, sum, sum of
/// squares, min, max), indexed by key, so an event touches one slot per column. Panes are grouped in
/// blocks of <c>P</c>; a window is a suffix of one block and a prefix of the next (van Herk/Gil-Werman),
/// so closing a window costs a few column merges per key rather than <c>P</c>: a running prefix of the
/// newer block, and suffixes of the older block computed in place once per block.</para>
/// <para><b>Numerics.</b> Sums are of values minus the key's first value (a per-key shift), which keeps
/// the variance from cancelling while a key's level stays near where it started; min and max are exact.</para>
/// <para><b>Cost.</b> Adding an event is O(1) and allocates nothing; key capacity grows on a rare path.
/// Closing a window is O(keys seen) with SIMD column merges, which suits dense ids (one engine
/// partition's keys). Not thread-safe: one instance belongs to one engine thread.</para>
/// </remarks>
internal sealed class HoppingWindowAggregator
{
    private const int ChunkSize = 512;
    private const int KeyAlignment = 64;

    private readonly long _hop;
    private readonly long _window;
    private readonly long _lateness;
    private readonly int _panesPerWindow;
    private readonly int _slots;
    private readonly bool _simd;

    // Pane columns, element [slot * _stride + key].
    private int[] _count = [];
    private double[] _sum = [];
    private double[] _sumSquares = [];
    private double[] _min = [];
    private double[] _max = [];

    // Running prefix of block _preBlock through pane _preEnd, element [key].
    private int[] _preCount = [];
    private double[] _preSum = [];
    private double[] _preSumSquares = [];
    private double[] _preMin = [];
    private double[] _preMax = [];

    // Per-key shift: the key's first accepted value; NaN until then.
    private double[] _shift = [];

    private WindowResult[] _results = [];

    // Scratch for one chunk of keys while closing a window.
    private readonly int[] _tmpCount = new int[ChunkSize];
    private readonly double[] _tmpSum = new double[ChunkSize];
    private readonly double[] _tmpSumSquares = new double[ChunkSize];
    private readonly double[] _tmpMin = new double[ChunkSize];
    private readonly double[] _tmpMax = new double[ChunkSize];
    private readonly double[] _tmpMean = new double[ChunkSize];
    private readonly double[] _tmpStdDev = new double[ChunkSize];

    private int _stride;
    private int _keyLimit;

    private bool _started;
    private long _maxTimestamp;
    private long _closeTrigger;
    private long _nextClose;
    private long _maxDataPane;
    private long _sufBlock;
    private long _preBlock;
    private long _preEnd;

    // The pane most events go to: the newest one, while it is a raw pane (not in the suffix block,
    // not yet folded into the prefix). _hotStart is its first millisecond; long.MinValue when none.
    private long _hotStart;
    private long _hotPane;
    private int _hotSlot;
    private int _hotBase;

    /// <summary>Creates an aggregator.</summary>
    /// <param name="windowMs">Window length W in milliseconds; a positive multiple of <paramref name="hopMs"/>.</param>
    /// <param name="hopMs">Hop H in milliseconds: a window starts every H. Equal to W for tumbling windows.</param>
    /// <param name="allowedLatenessMs">How far behind the newest event time the watermark trails, ≥ 0.</param>
    /// <param name="initialKeyCapacity">Keys 0 .. capacity−1 fit without growing.</param>
    /// <param name="useSimd">Use SIMD column kernels when the hardware accelerates them; false forces the scalar twins.</param>
    /// <exception cref="ArgumentOutOfRangeException">A length is not positive, W is not a multiple of H, or lateness is negative.</exception>
    public HoppingWindowAggregator(long windowMs, long hopMs, long allowedLatenessMs = 0, int initialKeyCapacity = 1024, bool useSimd = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hopMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowMs);
        ArgumentOutOfRangeException.ThrowIfNegative(allowedLatenessMs);
        ArgumentOutOfRangeException.ThrowIfNegative(initialKeyCapacity);
        if (windowMs % hopMs != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(windowMs), windowMs, $"Window length must be a multiple of the hop ({hopMs} ms).");
        }

        long panes = windowMs / hopMs;
        long slots = panes + (allowedLatenessMs / hopMs) + 1;
        if (slots > 1 << 16)
        {
            throw new ArgumentOutOfRangeException(nameof(windowMs), windowMs, $"Window ({windowMs} ms) plus lateness ({allowedLatenessMs} ms) span {slots} hops of {hopMs} ms; at most 65536 are supported.");
        }

        _window = windowMs;
        _hop = hopMs;
        _lateness = allowedLatenessMs;
        _panesPerWindow = (int)panes;
        _slots = (int)slots;
        _simd = useSimd && PaneKernels.SimdAvailable;
        Allocate(RoundUpCapacity(Math.Max(initialKeyCapacity, 1)));
        Reset();
    }

    /// <summary>Window length in milliseconds.</summary>
    public long WindowMs => _window;

    /// <summary>Hop in milliseconds.</summary>
    public long HopMs => _hop;

    /// <summary>Allowed lateness in milliseconds.</summary>
    public long AllowedLatenessMs => _lateness;

    /// <summary>True when the SIMD kernels are in use.</summary>
    public bool UsesSimd => _simd;

    /// <summary>Events dropped because every window containing them had closed.</summary>
    public long LateCount { get; private set; }

    /// <summary>Events dropped because the value was NaN or infinite.</summary>
    public long InvalidCount { get; private set; }

    /// <summary>Newest event time seen (or passed to <see cref="AdvanceTime"/>); <see cref="long.MinValue"/> before any.</summary>
    public long MaxTimestamp => _maxTimestamp;

    /// <summary>Newest event time minus allowed lateness; windows ending at or before it are closed.</summary>
    public long Watermark => _started ? _maxTimestamp - _lateness : long.MinValue;

    /// <summary>Keys the state is sized for without growing.</summary>
    public int KeyCapacity => _stride;

    /// <summary>Forgets all windows, keys' shifts and counters; keeps the allocated capacity.</summary>
    public void Reset()
    {
        AsCells(_count, _sum, _sumSquares, _min, _max).Clear();
        AsCells(_preCount, _preSum, _preSumSquares, _preMin, _preMax).Clear();
        _shift.AsSpan().Fill(double.NaN);
        _keyLimit = 0;
        _started = false;
        _maxTimestamp = long.MinValue;
        _closeTrigger = long.MinValue;
        _nextClose = long.MinValue;
        _maxDataPane = long.MinValue;
        _sufBlock = long.MinValue;
        _preBlock = long.MinValue;
        _preEnd = long.MinValue;
        InvalidateHot();
        LateCount = 0;
        InvalidCount = 0;
    }

    /// <summary>Adds one value for <paramref name="key"/> at event time <paramref name="timestamp"/>; delivers any windows it closes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="key"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add<TConsumer>(int key, long timestamp, double value, ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer
    {
        if (!double.IsFinite(value) || key < 0)
        {
            RejectInvalid(key);
            return;
        }

        if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
            if (timestamp >= _closeTrigger)
            {
                AdvanceWatermark(ref consumer);
            }
        }

        if ((ulong)(timestamp - _hotStart) < (ulong)_hop && (uint)key < (uint)_stride)
        {
            double shift = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_shift), key);
            if (!double.IsNaN(shift))
            {
                AddToCell(_hotBase + key, value, value - shift);
                return;
            }
        }

        AddSlow(key, timestamp, value);
    }

    /// <summary>Adds a batch given as parallel spans (struct-of-arrays); delivers the windows it closes.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A key is negative.</exception>
    public void AddBatch<TConsumer>(ReadOnlySpan<int> keys, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values, ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer
    {
        if (keys.Length != timestamps.Length || keys.Length != values.Length)
        {
            ThrowBatchLengths(keys.Length, timestamps.Length, values.Length);
        }

        int i = 0;
        int n = keys.Length;
        ref int keyRef = ref MemoryMarshal.GetReference(keys);
        ref long tsRef = ref MemoryMarshal.GetReference(timestamps);
        ref double valueRef = ref MemoryMarshal.GetReference(values);
        while (i < n)
        {
            // Hand-hoisted copy of Add's fast path: state in locals, re-read after every slow step.
            long hotStart = _hotStart;
            ulong hop = (ulong)_hop;
            long maxTs = _maxTimestamp;
            long trigger = _closeTrigger;
            uint stride = (uint)_stride;
            int hotBase = _hotBase;
            ref double shiftRef = ref MemoryMarshal.GetArrayDataReference(_shift);
            ref int countRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_count), hotBase);
            ref double sumRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sum), hotBase);
            ref double sqRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sumSquares), hotBase);
            ref double minRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_min), hotBase);
            ref double maxRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_max), hotBase);
            for (; i < n; i++)
            {
                int key = Unsafe.Add(ref keyRef, i);
                long ts = Unsafe.Add(ref tsRef, i);
                double x = Unsafe.Add(ref valueRef, i);
                if (!double.IsFinite(x) || (uint)key >= stride || (ulong)(ts - hotStart) >= hop)
                {
                    break;
                }

                double shift = Unsafe.Add(ref shiftRef, key);
                if (double.IsNaN(shift) || (ts > maxTs && ts >= trigger))
                {
                    break;
                }

                maxTs = Math.Max(maxTs, ts);
                double d = x - shift;
                Unsafe.Add(ref countRef, key)++;
                Unsafe.Add(ref sumRef, key) += d;
                Unsafe.Add(ref sqRef, key) += d * d;
                ref double mn = ref Unsafe.Add(ref minRef, key);
                mn = double.MinNative(mn, x);
                ref double mx = ref Unsafe.Add(ref maxRef, key);
                mx = double.MaxNative(mx, x);
            }

            _maxTimestamp = maxTs;
            if (i < n)
            {
                Add(Unsafe.Add(ref keyRef, i), Unsafe.Add(ref tsRef, i), Unsafe.Add(ref valueRef, i), ref consumer);
                i++;
            }
        }
    }

    /// <summary>Adds competitor prices keyed by product (<see cref="CompetitorPriceByProduct"/>); other kinds are skipped.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A product id is negative.</exception>
    public void AddBatch<TConsumer>(ReadOnlySpan<MarketEvent> events, ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer =>
        AddBatch(events, default(CompetitorPriceByProduct), ref consumer);

    /// <summary>Adds the events <paramref name="selector"/> picks, under the key and value it gives.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A selected key is negative.</exception>
    public void AddBatch<TSelector, TConsumer>(ReadOnlySpan<MarketEvent> events, TSelector selector, ref TConsumer consumer)
        where TSelector : struct, IWindowValueSelector
        where TConsumer : struct, IWindowResultConsumer
    {
        int i = 0;
        int n = events.Length;
        ref MarketEvent eventRef = ref MemoryMarshal.GetReference(events);
        while (i < n)
        {
            long hotStart = _hotStart;
            ulong hop = (ulong)_hop;
            long maxTs = _maxTimestamp;
            long trigger = _closeTrigger;
            uint stride = (uint)_stride;
            int hotBase = _hotBase;
            ref double shiftRef = ref MemoryMarshal.GetArrayDataReference(_shift);
            ref int countRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_count), hotBase);
            ref double sumRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sum), hotBase);
            ref double sqRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sumSquares), hotBase);
            ref double minRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_min), hotBase);
            ref double maxRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_max), hotBase);
            int key = 0;
            double x = 0;
            long ts = 0;
            bool pending = false;
            for (; i < n; i++)
            {
                ref readonly MarketEvent e = ref Unsafe.Add(ref eventRef, i);
                if (!selector.TrySelect(in e, out int k, out double v))
                {
                    continue;
                }

                long t = e.Timestamp;
                double shift;
                if (!double.IsFinite(v) || (uint)k >= stride || (ulong)(t - hotStart) >= hop
                    || double.IsNaN(shift = Unsafe.Add(ref shiftRef, k)) || (t > maxTs && t >= trigger))
                {
                    (key, ts, x, pending) = (k, t, v, true);
                    break;
                }

                maxTs = Math.Max(maxTs, t);
                double d = v - shift;
                Unsafe.Add(ref countRef, k)++;
                Unsafe.Add(ref sumRef, k) += d;
                Unsafe.Add(ref sqRef, k) += d * d;
                ref double mn = ref Unsafe.Add(ref minRef, k);
                mn = double.MinNative(mn, v);
                ref double mx = ref Unsafe.Add(ref maxRef, k);
                mx = double.MaxNative(mx, v);
            }

            _maxTimestamp = maxTs;
            if (pending)
            {
                Add(key, ts, x, ref consumer);
                i++;
            }
        }
    }

    /// <summary>
    /// Moves event time forward to <paramref name="timestamp"/> without a value (e.g. on an idle
    /// partition), closing the windows the new watermark passes.
    /// </summary>
    public void AdvanceTime<TConsumer>(long timestamp, ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer
    {
        if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
            if (timestamp >= _closeTrigger)
            {
                AdvanceWatermark(ref consumer);
            }
        }
    }

    /// <summary>
    /// End of stream: closes every window that holds a value, in window-end order. Later events in
    /// the panes it closed count as late.
    /// </summary>
    public void Flush<TConsumer>(ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer
    {
        if (!_started)
        {
            return;
        }

        while (_nextClose <= _maxDataPane)
        {
            CloseWindow(ref consumer);
        }

        _closeTrigger = WindowEndOf(_nextClose) + _lateness;
        RefreshHot();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddToCell(int index, double value, double shifted)
    {
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_count), index)++;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sum), index) += shifted;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sumSquares), index) += shifted * shifted;
        ref double min = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_min), index);
        min = double.MinNative(min, value);
        ref double max = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_max), index);
        max = double.MaxNative(max, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(int key, long timestamp, double value)
    {
        if (key >= _stride)
        {
            GrowKeys(key);
        }

        long pane = FloorDiv(timestamp, _hop);
        if (pane < _nextClose)
        {
            LateCount++;
            return;
        }

        if (key >= _keyLimit)
        {
            _keyLimit = key + 1;
        }

        double shift = _shift[key];
        if (double.IsNaN(shift))
        {
            shift = value;
            _shift[key] = shift;
        }

        double shifted = value - shift;
        long block = FloorDiv(pane, _panesPerWindow);
        if (block == _sufBlock)
        {
            // The pane's block is held as suffixes: cell j is panes j .. block end, so the value
            // belongs to every open suffix cell at or before its pane.
            for (long j = _nextClose; j <= pane; j++)
            {
                AddToCell((SlotOf(j) * _stride) + key, value, shifted);
            }
        }
        else
        {
            AddToCell((SlotOf(pane) * _stride) + key, value, shifted);
            if (block == _preBlock && pane <= _preEnd)
            {
                _preCount[key]++;
                _preSum[key] += shifted;
                _preSumSquares[key] += shifted * shifted;
                _preMin[key] = double.MinNative(_preMin[key], value);
                _preMax[key] = double.MaxNative(_preMax[key], value);
            }
        }

        if (pane > _maxDataPane)
        {
            _maxDataPane = pane;
        }

        if (pane == _maxDataPane)
        {
            _hotPane = pane;
            RefreshHot();
        }
    }

    /// <summary>Makes <see cref="_hotPane"/> the fast-path target when it is a raw, open pane; otherwise none.</summary>
    private void RefreshHot()
    {
        long pane = _hotPane;
        if (pane >= _nextClose && pane > _preEnd && FloorDiv(pane, _panesPerWindow) != _sufBlock && pane != long.MinValue)
        {
            _hotSlot = SlotOf(pane);
            _hotBase = _hotSlot * _stride;
            _hotStart = pane * _hop;
        }
        else
        {
            _hotStart = long.MinValue;
        }
    }

    private void InvalidateHot()
    {
        _hotPane = long.MinValue;
        _hotStart = long.MinValue;
        _hotSlot = 0;
        _hotBase = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AdvanceWatermark<TConsumer>(ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer
    {
        long watermark = _maxTimestamp - _lateness;
        long open = FloorDiv(watermark, _hop) + 1 - _panesPerWindow;
        if (!_started)
        {
            _started = true;
            ResetBlocks(open);
        }

        while (_nextClose < open)
        {
            if (_nextClose > _maxDataPane)
            {
                // Every pane holding data has closed and been cleared: jump over the empty windows.
                ResetBlocks(open);
                break;
            }

            CloseWindow(ref consumer);
        }

        _closeTrigger = WindowEndOf(_nextClose) + _lateness;
        RefreshHot();
    }

    /// <summary>Sets the block bookkeeping for <paramref name="nextClose"/> when every slot is clean.</summary>
    private void ResetBlocks(long nextClose)
    {
        _nextClose = nextClose;
        long block = FloorDiv(nextClose, _panesPerWindow);
        if (nextClose == block * _panesPerWindow)
        {
            _sufBlock = block - 1;
            _preBlock = block;
        }
        else
        {
            _sufBlock = block;
            _preBlock = block + 1;
        }

        _preEnd = (_preBlock * _panesPerWindow) - 1;
    }

    /// <summary>Closes window <see cref="_nextClose"/>: delivers its results and retires its first pane.</summary>
    private void CloseWindow<TConsumer>(ref TConsumer consumer)
        where TConsumer : struct, IWindowResultConsumer
    {
        int produced = CloseNextWindow(out long start, out long end);
        if (produced > 0)
        {
            consumer.OnWindowClosed(start, end, _results.AsSpan(0, produced));
        }
    }

    /// <summary>Closes window <see cref="_nextClose"/> into the result buffer; returns the number of results.</summary>
    private int CloseNextWindow(out long start, out long end)
    {
        long k = _nextClose;
        int p = _panesPerWindow;
        long block = FloorDiv(k, p);
        long last = k + p - 1;
        start = k * _hop;
        end = start + _window;
        int keys = RoundUpKeys(_keyLimit);
        ExtendPrefix(last - 1, keys);
        int produced;
        if (k == block * p)
        {
            // The window is exactly one block: its prefix through the second-last pane, plus the last.
            var lastPane = SlotCells(SlotOf(last), keys);
            produced = PrefixIsEmpty
                ? Emit(lastPane, default, false, start, end, keys)
                : Emit(PrefixCells(keys), lastPane, true, start, end, keys);

            // Turn the rest of this block into suffixes for the windows that start inside it.
            for (long j = last - 1; j > k; j--)
            {
                PaneKernels.MergeInto(SlotCells(SlotOf(j), keys), SlotCells(SlotOf(j + 1), keys), _simd);
            }

            _sufBlock = block;
            _preBlock = block + 1;
            _preEnd = (_preBlock * p) - 1;
        }
        else
        {
            // A suffix of this block and a prefix of the next one.
            ExtendPrefix(last, keys);
            produced = Emit(SlotCells(SlotOf(k), keys), PrefixCells(keys), true, start, end, keys);
        }

        SlotCells(SlotOf(k), keys).Clear();
        _nextClose = k + 1;
        return produced;
    }

    private bool PrefixIsEmpty => _preEnd < _preBlock * _panesPerWindow;

    /// <summary>Folds raw panes up to and including <paramref name="through"/> into the running prefix.</summary>
    private void ExtendPrefix(long through, int keys)
    {
        while (_preEnd < through)
        {
            long pane = _preEnd + 1;
            var source = SlotCells(SlotOf(pane), keys);
            if (PrefixIsEmpty)
            {
                source.CopyTo(PrefixCells(keys));
            }
            else
            {
                PaneKernels.MergeInto(PrefixCells(keys), source, _simd);
            }

            _preEnd = pane;
        }
    }

    /// <summary>Writes the results of <paramref name="left"/> (⊕ <paramref name="right"/>) for keys with values.</summary>
    private int Emit(PaneCells left, PaneCells right, bool combine, long start, long end, int keys)
    {
        int produced = 0;
        var results = _results;
        for (int chunkStart = 0; chunkStart < keys; chunkStart += ChunkSize)
        {
            int length = Math.Min(ChunkSize, keys - chunkStart);
            PaneCells cells;
            if (combine)
            {
                cells = new PaneCells(
                    _tmpCount.AsSpan(0, length),
                    _tmpSum.AsSpan(0, length),
                    _tmpSumSquares.AsSpan(0, length),
                    _tmpMin.AsSpan(0, length),
                    _tmpMax.AsSpan(0, length));
                PaneKernels.Combine(cells, left.Slice(chunkStart, length), right.Slice(chunkStart, length), _simd);
            }
            else
            {
                cells = left.Slice(chunkStart, length);
            }

            var mean = _tmpMean.AsSpan(0, length);
            var stdDev = _tmpStdDev.AsSpan(0, length);
            PaneKernels.Finish(cells, _shift.AsSpan(chunkStart, length), mean, stdDev, _simd);
            produced = WriteResults(cells, mean, stdDev, chunkStart, start, end, produced);
        }

        return produced;
    }

    /// <summary>Appends one result per key of the chunk with a value; branch-free compaction.</summary>
    private int WriteResults(PaneCells cells, ReadOnlySpan<double> mean, ReadOnlySpan<double> stdDev, int firstKey, long start, long end, int produced)
    {
        int length = cells.Length;
        if ((uint)(produced + length) > (uint)_results.Length || mean.Length < length || stdDev.Length < length)
        {
            ThrowResultsOverflow();
        }

        ref WindowResult results = ref MemoryMarshal.GetArrayDataReference(_results);
        ref int count = ref MemoryMarshal.GetReference(cells.Count);
        ref double min = ref MemoryMarshal.GetReference(cells.Min);
        ref double max = ref MemoryMarshal.GetReference(cells.Max);
        ref double meanRef = ref MemoryMarshal.GetReference(mean);
        ref double stdRef = ref MemoryMarshal.GetReference(stdDev);
        for (int i = 0; i < length; i++)
        {
            int c = Unsafe.Add(ref count, i);
            Unsafe.Add(ref results, produced) = new WindowResult(
                firstKey + i, start, end, c, Unsafe.Add(ref meanRef, i), Unsafe.Add(ref min, i), Unsafe.Add(ref max, i), Unsafe.Add(ref stdRef, i));
            produced += c > 0 ? 1 : 0;
        }

        return produced;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowResultsOverflow() => throw new InvalidOperationException("Window results overflow the result buffer.");

    private PaneCells SlotCells(int slot, int keys)
    {
        int offset = slot * _stride;
        return new PaneCells(
            _count.AsSpan(offset, keys),
            _sum.AsSpan(offset, keys),
            _sumSquares.AsSpan(offset, keys),
            _min.AsSpan(offset, keys),
            _max.AsSpan(offset, keys));
    }

    private PaneCells PrefixCells(int keys) => new(
        _preCount.AsSpan(0, keys),
        _preSum.AsSpan(0, keys),
        _preSumSquares.AsSpan(0, keys),
        _preMin.AsSpan(0, keys),
        _preMax.AsSpan(0, keys));

    private static PaneCells AsCells(int[] count, double[] sum, double[] sumSquares, double[] min, double[] max) =>
        new(count, sum, sumSquares, min, max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(long pane)
    {
        long slot = pane % _slots;
        return (int)(slot < 0 ? slot + _slots : slot);
    }

    private long WindowEndOf(long windowIndex) => (windowIndex * _hop) + _window;

    private int RoundUpKeys(int keys) => Math.Min(_stride, (keys + 15) & ~15);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FloorDiv(long value, long divisor)
    {
        long quotient = value / divisor;
        return (value % divisor) < 0 ? quotient - 1 : quotient;
    }

    private static int RoundUpCapacity(int keys) => (int)Math.Min(Array.MaxLength, ((long)keys + KeyAlignment - 1) / KeyAlignment * KeyAlignment);

    private void Allocate(int stride)
    {
        long cells = (long)stride * _slots;
        if (cells > Array.MaxLength)
        {
            throw new InvalidOperationException($"{stride} keys × {_slots} panes exceed the largest array.");
        }

        _stride = stride;
        _count = new int[cells];
        _sum = new double[cells];
        _sumSquares = new double[cells];
        _min = new double[cells];
        _max = new double[cells];
        _preCount = new int[stride];
        _preSum = new double[stride];
        _preSumSquares = new double[stride];
        _preMin = new double[stride];
        _preMax = new double[stride];
        _shift = new double[stride];
        _results = new WindowResult[stride];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowKeys(int key)
    {
        int oldStride = _stride;
        var count = _count;
        var sum = _sum;
        var sumSquares = _sumSquares;
        var min = _min;
        var max = _max;
        var pre = (_preCount, _preSum, _preSumSquares, _preMin, _preMax);
        var shift = _shift;

        Allocate(RoundUpCapacity((int)Math.Min(Array.MaxLength, Math.Max((long)oldStride * 2, (long)key + 1))));
        AsCells(_count, _sum, _sumSquares, _min, _max).Clear();
        AsCells(_preCount, _preSum, _preSumSquares, _preMin, _preMax).Clear();
        for (int slot = 0; slot < _slots; slot++)
        {
            new PaneCells(
                count.AsSpan(slot * oldStride, oldStride),
                sum.AsSpan(slot * oldStride, oldStride),
                sumSquares.AsSpan(slot * oldStride, oldStride),
                min.AsSpan(slot * oldStride, oldStride),
                max.AsSpan(slot * oldStride, oldStride)).CopyTo(SlotCells(slot, oldStride));
        }

        AsCells(pre.Item1, pre.Item2, pre.Item3, pre.Item4, pre.Item5).CopyTo(PrefixCells(oldStride));
        _shift.AsSpan().Fill(double.NaN);
        shift.CopyTo(_shift.AsSpan());
        RefreshHot();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RejectInvalid(int key)
    {
        if (key < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, "Keys are dense ids ≥ 0.");
        }

        InvalidCount++;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBatchLengths(int keys, int timestamps, int values) =>
        throw new ArgumentException($"Batch spans differ in length: {keys} keys, {timestamps} timestamps, {values} values.");
}
