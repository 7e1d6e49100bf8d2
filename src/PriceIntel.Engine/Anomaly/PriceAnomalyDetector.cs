using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Anomaly;

/// <summary>
/// Anomaly detection for many price series at once (one series per (product, competitor) pair, dense
/// ids 0..N-1). Every point is scored by two detectors:
/// <list type="bullet">
/// <item><description>
/// Robust z-score |x − median| / σ̂ over a ring of the last <see cref="AnomalyOptions.HistoryLength"/>
/// accepted values, σ̂ = max(1.4826 · MAD, 0.1 % of |median|, <see cref="MinimumScale"/>). The floors keep
/// flat series (MAD = 0, common for shelf prices) quiet under tiny moves: with the defaults a move must
/// exceed both 0.5 % of the price (5 × 0.1 %) and 5 minor units (5 × 0.01) before it can be anomalous,
/// so a one-cent change on a flat 0.99 series scores 1.
/// </description></item>
/// <item><description>
/// EWMA control chart: E = λx + (1 − λ)E, anomalous when |E − median| exceeds L·σ·sqrt(λ/(2 − λ) + π/(2n)).
/// σ = max(σ̂, sqrt(V)) where V is an exponentially weighted variance (weight 2/(H + 1)) of the accepted
/// one-step residuals x − E, divided by 1 + λ/(2 − λ) to make it a variance of x. The robust z divides by
/// the same σ once the chart runs: the larger of two independent estimates is rarely far too small, which
/// cut the Gaussian false-positive rate about tenfold against the MAD alone (3.6e-4 → 2e-5 measured). The
/// π/(2n) term widens the limits by the sampling variance of the median of the n points the chart is
/// centred on (an estimated centre, not a known target). The EWMA catches small sustained shifts the robust z misses. Its limit
/// is never below Z·(0.1 % of |median|, <see cref="MinimumScale"/>) (Z = RobustZThreshold), so on a flat
/// series it flags no move the robust z could not flag either.
/// </description></item>
/// </list>
/// The reported score is max(robust z, EWMA z · RobustZThreshold / L), so one threshold
/// (<see cref="AnomalyOptions.RobustZThreshold"/>) applies to both.
/// <para>
/// Cadence: median and MAD are recomputed (<see cref="RobustStats.Compute"/>: SIMD rank count up to 32 values, else quickselect, on a copy of the ring) on every accepted
/// point until the ring is full (and at least WarmUp points were accepted) since the series' start or
/// its last level shift, then once every
/// <see cref="RecomputeEvery"/> accepted points (default HistoryLength / 4 = 8). Between recomputes the
/// baseline is stale by at most RecomputeEvery − 1 accepted points, i.e. at most a quarter of the window:
/// a slow drift is followed with that much extra lag (the EWMA sees it meanwhile) and a level shift is
/// unaffected because confirming one re-baselines at once.
/// </para>
/// <para>
/// Outliers never enter the ring, the EWMA or the variance. After LevelShiftConfirmations consecutive
/// anomalous points on the same side whose range is at most 6 σ̂ (σ̂ carried to the new level), the
/// series is re-baselined: the ring restarts from those points, σ̂ is floored by the old σ̂ scaled to the
/// new level until WarmUp points have been seen, and the EWMA restarts at the new median.
/// </para>
/// <para>
/// State per series: one block of 8 bytes of counters and 5 + HistoryLength + LevelShiftConfirmations floats
/// (168 bytes with the defaults; see <see cref="StateBytesPerSeries"/>), all in one array so a point
/// usually touches two cache lines (counters and statistics, ring slot). Zero allocations per
/// point; growth happens on a separate non-inlined path. Not thread-safe: one engine thread owns it.
/// </para>
/// </summary>
[SkipLocalsInit]
internal sealed class PriceAnomalyDetector
{
    /// <summary>Default absolute floor of σ̂, in price units: one minor unit of a two-decimal currency.</summary>
    public const double DefaultMinimumScale = 0.01;

    /// <summary>σ̂ is never below this fraction of |median|.</summary>
    public const double RelativeScaleFloor = 0.001;

    /// <summary>Pending level-shift points agree when their range is at most this many σ̂ (at the new level).</summary>
    public const double AgreementWidth = 6.0;

    // A series' block: 8 bytes of counters (two float slots), then the slots below, the ring and the pending points.
    private const int CounterSlots = 2;

    // Offsets after the counters.
    private const int MedianSlot = 0;
    private const int ScaleSlot = 1;
    private const int EwmaSlot = 2;
    private const int VarianceSlot = 3;
    private const int CarriedScaleSlot = 4;
    private const int RingOffset = 5;

    private const byte WarmedUpFlag = 1;

    private readonly int _historyLength;
    private readonly int _confirmations;
    private readonly int _warmUp;
    private readonly int _stride;
    private readonly int _pendingOffset;
    private readonly int _recomputeEvery;
    private readonly double _threshold;
    private readonly double _lambda;
    private readonly double _varianceWeight;
    private readonly double _ewmaToScore;
    private readonly double _residualToVariance;
    private readonly double _minimumScale;

    // sqrt(λ/(2−λ) + π/(2n)) for n = 0..HistoryLength accepted points in the ring.
    private readonly double[] _ewmaWidth;

    private readonly float[] _scratch;
    private float[] _state;
    private int _capacity;

    /// <summary>Creates a detector with room for <paramref name="initialSeries"/> series.</summary>
    /// <param name="options">Thresholds, warm-up, history length.</param>
    /// <param name="initialSeries">Series to allocate for up front (grows on demand).</param>
    /// <param name="minimumScale">Absolute floor of σ̂ in price units (default 0.01, one cent).</param>
    /// <param name="recomputeEvery">Accepted points between median/MAD recomputations; 0 = HistoryLength / 4.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or the scale is not positive.</exception>
    public PriceAnomalyDetector(AnomalyOptions options, int initialSeries, double minimumScale = DefaultMinimumScale, int recomputeEvery = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(initialSeries);
        ArgumentOutOfRangeException.ThrowIfNegative(recomputeEvery);
        if (!(minimumScale > 0) || !double.IsFinite(minimumScale))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumScale), minimumScale, "minimumScale must be a positive number.");
        }

        _historyLength = options.HistoryLength;
        _confirmations = options.LevelShiftConfirmations;
        _warmUp = Math.Min(options.WarmUp, ushort.MaxValue - 1);
        _threshold = options.RobustZThreshold;
        _lambda = options.EwmaLambda;
        _ewmaToScore = options.RobustZThreshold / options.EwmaLimit;
        _varianceWeight = 2.0 / (_historyLength + 1);
        _minimumScale = minimumScale;
        _recomputeEvery = recomputeEvery == 0 ? Math.Max(1, _historyLength / 4) : Math.Min(recomputeEvery, byte.MaxValue);
        _pendingOffset = RingOffset + _historyLength;
        _stride = CounterSlots + _pendingOffset + _confirmations;

        double chartVariance = _lambda / (2 - _lambda);
        _residualToVariance = 1 / (1 + chartVariance);
        _ewmaWidth = new double[_historyLength + 1];
        for (int n = 0; n <= _historyLength; n++)
        {
            _ewmaWidth[n] = Math.Sqrt(chartVariance + (Math.PI / 2 / Math.Max(n, 1)));
        }

        _scratch = new float[Math.Max(RobustStats.MaxRankCount, Math.Max(_historyLength, _confirmations))];
        _state = new float[(long)initialSeries * _stride];
        _capacity = initialSeries;
    }

    /// <summary>Series that fit without growing.</summary>
    public int Capacity => _capacity;

    /// <summary>Accepted points between median/MAD recomputations once a series is warm.</summary>
    public int RecomputeEvery => _recomputeEvery;

    /// <summary>Absolute floor of σ̂ in price units.</summary>
    public double MinimumScale => _minimumScale;

    /// <summary>Bytes of state one series costs.</summary>
    public int StateBytesPerSeries => _stride * sizeof(float);

    /// <summary>Makes room for series ids 0..<paramref name="seriesCount"/> − 1.</summary>
    public void EnsureCapacity(int seriesCount)
    {
        if (seriesCount > _capacity)
        {
            Grow(seriesCount);
        }
    }

    /// <summary>The current robust level of a series (NaN before its first point).</summary>
    public double GetBaseline(int series) =>
        (uint)series < (uint)_capacity && Unsafe.As<float, SeriesCounters>(ref _state[series * _stride]).Count > 0
            ? _state[(series * _stride) + CounterSlots + MedianSlot]
            : double.NaN;

    /// <summary>Forgets a series: its next point starts a new warm-up.</summary>
    public void Reset(int series)
    {
        if ((uint)series < (uint)_capacity)
        {
            _state.AsSpan(series * _stride, _stride).Clear();
        }
    }

    /// <summary>Asks for the cache lines an <see cref="Observe"/> of <paramref name="series"/> will touch first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int series)
    {
        Core.CachePrefetch.TwoLines(_state, series * _stride);
        Core.CachePrefetch.Line(_state, (series * _stride) + 32);
    }

    /// <summary>
    /// Scores and classifies one price of a series and updates its state. A non-finite value is reported
    /// as an outlier with an infinite score and changes nothing. Grows for a new series id.
    /// </summary>
    /// <param name="series">Dense series id, ≥ 0.</param>
    /// <param name="value">The observed price.</param>
    public AnomalyResult Observe(int series, double value)
    {
        if ((uint)series >= (uint)_capacity)
        {
            GrowFor(series);
        }

        // Counters and statistics share the block's first cache line; the ring slot is usually the only other line touched.
        ref float start = ref _state[series * _stride];
        ref var counters = ref Unsafe.As<float, SeriesCounters>(ref start);
        ref float block = ref Unsafe.Add(ref start, CounterSlots);
        if (!double.IsFinite(value))
        {
            return new AnomalyResult(double.PositiveInfinity, AnomalyVerdict.Outlier, counters.Count > 0 ? block : double.NaN);
        }

        if ((counters.Flags & WarmedUpFlag) == 0)
        {
            double before = counters.Count > 0 ? block : double.NaN;
            Accept(ref counters, ref block, value);
            return new AnomalyResult(0, AnomalyVerdict.WarmingUp, before);
        }

        double median = block;
        double scale = Unsafe.Add(ref block, ScaleSlot);
        double deviation = value - median;
        bool refilling = counters.Count < _warmUp;
        double score;
        double ewma = 0;
        if (!refilling)
        {
            double sigma = Math.Max(scale, Math.Sqrt(Unsafe.Add(ref block, VarianceSlot)));
            score = Math.Abs(deviation) / sigma;
            ewma = (_lambda * value) + ((1 - _lambda) * Unsafe.Add(ref block, EwmaSlot));
            int n = Math.Min((int)counters.Count, _historyLength);

            // Limit = max(L·σ·width, Z·floor): the chart never flags a move the robust z could not flag on a flat series.
            double floor = Math.Max(RelativeScaleFloor * Math.Abs(median), _minimumScale) * _ewmaToScore;
            double ewmaScore = Math.Abs(ewma - median) * _ewmaToScore / Math.Max(sigma * _ewmaWidth[n], floor);
            score = Math.Max(score, ewmaScore);
        }
        else
        {
            score = Math.Abs(deviation) / scale;
        }

        if (score < _threshold)
        {
            counters.PendingCount = 0;
            if (!refilling)
            {
                ref float previous = ref Unsafe.Add(ref block, EwmaSlot);
                double residual = value - previous;
                previous = (float)ewma;
                ref float variance = ref Unsafe.Add(ref block, VarianceSlot);
                variance += (float)(_varianceWeight * ((residual * residual * _residualToVariance) - variance));
            }

            Accept(ref counters, ref block, value);
            return new AnomalyResult(score, AnomalyVerdict.Normal, median);
        }

        return Anomalous(ref counters, ref block, value, median, scale, score);
    }

    private AnomalyResult Anomalous(ref SeriesCounters counters, ref float block, double value, double median, double scale, double score)
    {
        sbyte side = value >= median ? (sbyte)1 : (sbyte)-1;
        int count = counters.PendingCount;
        ref float pending = ref Unsafe.Add(ref block, _pendingOffset);
        if (count > 0 && (counters.PendingSide != side || !Agrees(ref pending, count, value, median, scale)))
        {
            count = 0;
        }

        Unsafe.Add(ref pending, count) = (float)value;
        count++;
        counters.PendingSide = side;
        if (count >= _confirmations)
        {
            Rebaseline(ref counters, ref block, count, median, scale);
            return new AnomalyResult(score, AnomalyVerdict.LevelShift, median);
        }

        counters.PendingCount = (byte)count;
        return new AnomalyResult(score, AnomalyVerdict.Outlier, median);
    }

    private static bool Agrees(ref float pending, int count, double value, double median, double scale)
    {
        double min = value;
        double max = value;
        for (int i = 0; i < count; i++)
        {
            double p = Unsafe.Add(ref pending, i);
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }

        double levelRatio = median > 0 && value > 0 ? value / median : 1;
        return max - min <= AgreementWidth * scale * levelRatio;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Rebaseline(ref SeriesCounters counters, ref float block, int count, double oldMedian, double oldScale)
    {
        Span<float> scratch = _scratch.AsSpan(0, count);
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref block, _pendingOffset), count).CopyTo(scratch);
        double newMedian = RobustStats.Median(scratch);
        double levelRatio = oldMedian > 0 && newMedian > 0 ? newMedian / oldMedian : 1;
        Unsafe.Add(ref block, CarriedScaleSlot) = (float)(oldScale * levelRatio);

        // Restart the ring from the confirming points; keep the warmed-up flag so the series is not silenced.
        counters.Count = 0;
        counters.Head = 0;
        counters.SinceRecompute = 0;
        counters.PendingCount = 0;
        for (int i = 0; i < count; i++)
        {
            Accept(ref counters, ref block, Unsafe.Add(ref block, _pendingOffset + i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Accept(ref SeriesCounters counters, ref float block, double value)
    {
        int head = counters.Head;
        Unsafe.Add(ref block, RingOffset + head) = (float)value;
        head++;
        counters.Head = (byte)(head == _historyLength ? 0 : head);
        if (counters.Count < ushort.MaxValue)
        {
            counters.Count++;
        }

        if (counters.Count <= _warmUp)
        {
            Recompute(ref counters, ref block);
            if (counters.Count == _warmUp)
            {
                StartChart(ref counters, ref block);
            }
        }
        else if (counters.Count <= _historyLength)
        {
            Recompute(ref counters, ref block);
        }
        else if (++counters.SinceRecompute >= _recomputeEvery)
        {
            Recompute(ref counters, ref block);
        }
    }

    /// <summary>
    /// Starts the EWMA chart at the median. The residual variance starts at the larger of σ̂² and the
    /// mean squared deviation of the ring winsorised at 3 σ̂: a MAD from few points is often low by
    /// chance, and the winsorised second moment catches that without letting a warm-up spike in.
    /// </summary>
    private void StartChart(ref SeriesCounters counters, ref float block)
    {
        counters.Flags |= WarmedUpFlag;
        double median = block;
        double scale = Unsafe.Add(ref block, ScaleSlot);
        double cap = 9 * scale * scale;
        int n = Math.Min((int)counters.Count, _historyLength);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double d = Unsafe.Add(ref block, RingOffset + i) - median;
            sum += Math.Min(d * d, cap);
        }

        Unsafe.Add(ref block, EwmaSlot) = (float)median;
        Unsafe.Add(ref block, VarianceSlot) = (float)Math.Max(scale * scale, sum / n);
        Unsafe.Add(ref block, CarriedScaleSlot) = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Recompute(ref SeriesCounters counters, ref float block)
    {
        counters.SinceRecompute = 0;
        int n = Math.Min((int)counters.Count, _historyLength);
        var (median, mad) = RobustStats.Compute(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref block, RingOffset), n), _scratch);
        double scale = Math.Max(RobustStats.MadToSigma * mad, Math.Max(RelativeScaleFloor * Math.Abs(median), _minimumScale));
        if (counters.Count < _warmUp)
        {
            scale = Math.Max(scale, Unsafe.Add(ref block, CarriedScaleSlot));
        }

        block = median;
        Unsafe.Add(ref block, ScaleSlot) = (float)scale;
    }

    /// <summary>Writes the blocks of series 0..<paramref name="seriesCount"/>-1 (all series with points must be below it).</summary>
    public void WriteState(ref SnapshotWriter w, int seriesCount)
    {
        w.WriteSection("ANOM"u8);
        w.WriteInt32(_stride);
        w.WriteInt32(seriesCount);
        w.WriteArray<float>(_state.AsSpan(0, seriesCount * _stride));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) detector, which must have the same block layout.</summary>
    /// <exception cref="InvalidDataException">The layout differs or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("ANOM"u8);
        int stride = r.ReadInt32("anomaly block size");
        if (stride != _stride)
        {
            SnapshotFormat.ThrowInvalid($"the anomaly detector was written with {stride} floats per series; this engine has {_stride}.");
        }

        int n = r.ReadCount("anomaly series count");
        EnsureCapacity(n);
        r.ReadArray(_state.AsSpan(0, n * _stride), "anomaly blocks");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowFor(int series)
    {
        if (series < 0)
        {
            ThrowNegativeSeries(series);
        }

        Grow(series + 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = Math.Max(needed, Math.Max(16, _capacity * 2));
        Array.Resize(ref _state, checked(capacity * _stride));
        _capacity = capacity;
    }

    private static void ThrowNegativeSeries(int series) =>
        throw new ArgumentOutOfRangeException(nameof(series), series, "Series ids are dense and non-negative.");

    /// <summary>Per-series counters, 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct SeriesCounters
    {
        /// <summary>Accepted points since the start or the last level shift (saturating).</summary>
        public ushort Count;

        /// <summary>Next ring slot to write.</summary>
        public byte Head;

        /// <summary>Accepted points since the last median/MAD recomputation.</summary>
        public byte SinceRecompute;

        /// <summary>Consecutive anomalous points awaiting level-shift confirmation.</summary>
        public byte PendingCount;

        /// <summary>+1 above the baseline, −1 below.</summary>
        public sbyte PendingSide;

        /// <summary>Bit 0: warmed up.</summary>
        public byte Flags;

        private readonly byte _reserved;
    }
}
