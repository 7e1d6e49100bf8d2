using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Anomaly;

/// <summary>
/// The <see cref="AnomalyDetector"/> implementation: per series a robust EWMA level, a robust EWMA scale, an
/// optional seasonal offset per hour, a learned quantum, a time-gap clock and a short run of pending anomalous
/// points; a Student-t (ν = 4) tail turns the standardised deviation into a probability.
/// </summary>
/// <remarks>
/// <para><b>Per point</b>: expected = level + offset[hour]; r = value − expected;
/// σ = max(scale, quantum, RelativeScaleFloor·|level|, MinimumScale), widened by √(Δt / typical Δt) (at most
/// 3×) when the point comes after a gap of more than 3 typical intervals; deviation z = r / σ; Score =
/// −log10 P(|T₄| ≥ |z|). A point with Score below the threshold is normal and is learned with its residual
/// clipped at ±3σ (Huber): level += α·ψ(r), offset[hour] += γ(1 − α)·ψ(r), scale += β(1.2533·|ψ(r)| − scale),
/// β = 2 / (ScaleHorizon + 1) (1.2533 = √(π/2) makes a mean absolute deviation a normal σ).</para>
/// <para><b>Anomalous points</b> are never learned. LevelShiftConfirmations of them in a row on the same side
/// whose spread is at most max(6σ, a quarter of the jump) confirm a level shift: the level restarts at their
/// median, the scale is carried over in proportion to the level (never a ratio of non-positive levels), and the
/// series is quiet at the new level at once. 2 × LevelShiftConfirmations anomalous points in a row (at least 6) that
/// do not confirm a shift are a variance change: the scale widens so that this point sits at half the threshold.</para>
/// <para><b>Floors</b>: the quantum is the smallest non-zero step the series has taken (a cent for prices, 1 for
/// counts), so a flat or quantised series has a scale of at least one step: it neither flags every step nor locks
/// after a shift to a flat level. Values at or below zero need nothing special: no logarithm or ratio of values is taken.</para>
/// <para><b>Warm-up</b>: the first WarmUp points are learned with weights 1/n (running mean and mean absolute
/// deviation, clipped from the fourth point) and never flagged.</para>
/// <para><b>State</b>: 64 bytes per series, plus 8 × LevelShiftConfirmations bytes of pending points (touched only on
/// anomalies) and 4 bytes per seasonal hour when seasonality is on. No allocation per point.</para>
/// </remarks>
[SkipLocalsInit]
internal sealed class RobustSeriesDetector : AnomalyDetector
{
    /// <summary>Residuals are clipped at this many σ when learned.</summary>
    public const double HuberClip = 3;

    /// <summary>Pending points agree on a new level when their spread is at most this many σ (or a quarter of the jump).</summary>
    public const double AgreementWidth = 6;

    private const double MeanAbsToSigma = 1.2533141373155003; // √(π/2)
    private const double GapFactor = 3;
    private const double MaxGapWidening = 3;
    private const double IntervalWeight = 0.05;
    private const double Log10Of2 = 0.30102999566398120;
    private const long HourMs = 3_600_000;
    private const long MondayOffsetMs = 3 * 24 * HourMs; // 1970-01-01 was a Thursday

    private readonly double _threshold;
    private readonly double _alpha;
    private readonly double _beta;
    private readonly double _gamma;
    private readonly double _minimumScale;
    private readonly double _relativeFloor;
    private readonly int _warmUp;
    private readonly int _confirmations;
    private readonly int _varianceRun;
    private readonly int _seasonBuckets;
    private readonly double[] _scratch;

    private SeriesState[] _states;
    private double[] _pending;
    private float[] _season;
    private int _capacity;

    public RobustSeriesDetector(AnomalyDetectorOptions options, int initialSeries)
        : base(options)
    {
        _threshold = TailProbability.DeviationFor(options.OutlierScore);
        _alpha = options.LevelSmoothing;
        _beta = 2.0 / (options.ScaleHorizon + 1);
        _gamma = options.SeasonalSmoothing;
        _minimumScale = options.MinimumScale;
        _relativeFloor = options.RelativeScaleFloor;
        _warmUp = options.WarmUp;
        _confirmations = options.LevelShiftConfirmations;
        _varianceRun = Math.Min(byte.MaxValue, Math.Max(6, 2 * _confirmations));
        _seasonBuckets = options.Seasonality switch
        {
            AnomalySeasonality.Daily => 24,
            AnomalySeasonality.Weekly => 168,
            _ => 0,
        };
        _scratch = new double[_confirmations];
        _states = new SeriesState[initialSeries];
        _pending = new double[(long)initialSeries * _confirmations];
        _season = new float[(long)initialSeries * _seasonBuckets];
        _capacity = initialSeries;
    }

    /// <summary>|deviation| at and above which a point is anomalous (the OutlierScore as a deviation).</summary>
    public double DeviationThreshold => _threshold;

    public override int Capacity => _capacity;

    public override int StateBytesPerSeries => Unsafe.SizeOf<SeriesState>() + (_confirmations * sizeof(double)) + (_seasonBuckets * sizeof(float));

    public override void EnsureCapacity(int seriesCount)
    {
        if (seriesCount > _capacity)
        {
            Grow(seriesCount);
        }
    }

    public override void Reset(int series)
    {
        if ((uint)series < (uint)_capacity)
        {
            _states[series] = default;
            _season.AsSpan(series * _seasonBuckets, _seasonBuckets).Clear();
        }
    }

    /// <summary>The current level of a series (NaN before its first point).</summary>
    public double GetLevel(int series) =>
        (uint)series < (uint)_capacity && _states[series].Count > 0 ? _states[series].Level : double.NaN;

    /// <summary>Asks for the cache line an <see cref="Observe"/> of <paramref name="series"/> touches first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int series) => CachePrefetch.Line(_states, series);

    public override AnomalyScore Observe(int series, long timestampMs, double value)
    {
        if ((uint)series >= (uint)_capacity)
        {
            GrowFor(series);
        }

        ref var s = ref _states[series];
        if (!double.IsFinite(value))
        {
            return new AnomalyScore(double.PositiveInfinity, AnomalyVerdict.Outlier, s.Count > 0 ? s.Level : double.NaN, s.Scale);
        }

        if (s.Count == 0)
        {
            s.Level = value;
            s.Last = value;
            s.LastTimestamp = timestampMs;
            s.Count = 1;
            return new AnomalyScore(0, AnomalyVerdict.WarmingUp, double.NaN, 0);
        }

        ref float offset = ref Unsafe.NullRef<float>();
        double seasonal = 0;
        if (_seasonBuckets > 0)
        {
            offset = ref _season[(series * _seasonBuckets) + Bucket(timestampMs)];
            seasonal = offset;
        }

        double expected = s.Level + seasonal;
        double residual = value - expected;
        double floor = Math.Max(Math.Max(s.Quantum, _minimumScale), _relativeFloor * Math.Abs(s.Level));
        double sigma = Math.Max(s.Scale, floor);
        long dt = timestampMs - s.LastTimestamp;
        if (dt > GapFactor * s.Interval && s.Interval > 0)
        {
            sigma *= Math.Min(Math.Sqrt(dt / (double)s.Interval), MaxGapWidening);
        }

        Tick(ref s, timestampMs, value, dt);
        double z = sigma > 0 ? residual / sigma : residual == 0 ? 0 : Math.CopySign(double.PositiveInfinity, residual);
        if (s.Count < _warmUp)
        {
            WarmUp(ref s, ref offset, residual, sigma);
            return new AnomalyScore(z, AnomalyVerdict.WarmingUp, expected, sigma);
        }

        if (Math.Abs(z) < _threshold)
        {
            s.Pending = 0;
            s.Run = 0;
            Learn(ref s, ref offset, residual, sigma);
            return new AnomalyScore(z, AnomalyVerdict.Normal, expected, sigma);
        }

        return Anomalous(series, ref s, ref offset, value - seasonal, residual, z, expected, sigma);
    }

    /// <summary>Moves the series' clock and learns its quantum from the step just taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tick(ref SeriesState s, long timestampMs, double value, long dt)
    {
        if (dt > 0)
        {
            s.Interval = s.Interval == 0 ? dt : s.Interval + (float)(IntervalWeight * (Math.Min(dt, 2.0 * s.Interval) - s.Interval));
            s.LastTimestamp = timestampMs;
        }

        double step = Math.Abs(value - s.Last);
        if (step > 0 && (step < s.Quantum || s.Quantum == 0))
        {
            s.Quantum = step;
        }

        s.Last = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Learn(ref SeriesState s, ref float offset, double residual, double sigma)
    {
        double clip = HuberClip * sigma;
        double psi = Math.Clamp(residual, -clip, clip);
        s.Level += _alpha * psi;
        s.Scale += _beta * ((MeanAbsToSigma * Math.Abs(psi)) - s.Scale);
        if (!Unsafe.IsNullRef(ref offset))
        {
            offset += (float)(_gamma * (1 - _alpha) * psi);
        }

        if (s.Count < int.MaxValue)
        {
            s.Count++;
        }
    }

    private static void WarmUp(ref SeriesState s, ref float offset, double residual, double sigma)
    {
        int n = s.Count + 1;
        double psi = n > 3 && sigma > 0 ? Math.Clamp(residual, -HuberClip * sigma, HuberClip * sigma) : residual;
        s.Level += psi / n;
        s.Scale += ((MeanAbsToSigma * Math.Abs(psi)) - s.Scale) / (n - 1);
        _ = offset; // the seasonal offsets start learning after warm-up
        s.Count = n;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private AnomalyScore Anomalous(int series, ref SeriesState s, ref float offset, double deseasonalised, double residual, double z, double expected, double sigma)
    {
        sbyte side = residual >= 0 ? (sbyte)1 : (sbyte)-1;
        var pending = _pending.AsSpan(series * _confirmations, _confirmations);
        int count = s.Pending;
        double pointScore = TailProbability.Score(z) + Log10Of2; // one-sided
        if (count > 0 && (s.Side != side || !Agrees(pending[..count], deseasonalised, s.Level, sigma)))
        {
            count = 0;
            s.RunScore = 0;
        }

        pending[count++] = deseasonalised;
        s.Side = side;
        s.RunScore = (float)Math.Min(TailProbability.MaxScore, s.RunScore + pointScore);
        if (s.Run < byte.MaxValue)
        {
            s.Run++;
        }

        if (count >= _confirmations)
        {
            double runScore = s.RunScore;
            Rebaseline(ref s, pending[..count]);
            return new AnomalyScore(z, AnomalyVerdict.LevelShift, expected, sigma, runScore);
        }

        if (s.Run >= _varianceRun)
        {
            // Anomalies that keep coming without agreeing on a level: the series got noisier.
            s.Scale = Math.Max(2 * s.Scale, 2 * Math.Abs(residual) / _threshold);
            s.Pending = 0;
            s.Run = 0;
            s.RunScore = 0;
            Learn(ref s, ref offset, residual, s.Scale);
            return new AnomalyScore(z, AnomalyVerdict.VarianceChange, expected, sigma);
        }

        s.Pending = (byte)count;
        return new AnomalyScore(z, AnomalyVerdict.Outlier, expected, sigma);
    }

    private static bool Agrees(ReadOnlySpan<double> pending, double value, double level, double sigma)
    {
        double min = value;
        double max = value;
        foreach (double p in pending)
        {
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }

        return max - min <= Math.Max(AgreementWidth * sigma, 0.25 * Math.Abs(value - level));
    }

    private void Rebaseline(ref SeriesState s, ReadOnlySpan<double> pending)
    {
        var work = _scratch.AsSpan(0, pending.Length);
        pending.CopyTo(work);
        work.Sort();
        int n = work.Length;
        double median = (n & 1) != 0 ? work[n / 2] : (work[(n / 2) - 1] + work[n / 2]) / 2;
        double oldLevel = Math.Abs(s.Level);
        double newLevel = Math.Abs(median);

        // Carry the scale in proportion to the level; only between positive magnitudes, and at most 10× either way.
        double ratio = oldLevel > 0 && newLevel > 0 ? Math.Clamp(newLevel / oldLevel, 0.1, 10) : 1;
        s.Scale *= ratio;
        s.Level = median;
        s.Pending = 0;
        s.Run = 0;
        s.RunScore = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Bucket(long timestampMs)
    {
        long hour = Math.DivRem(timestampMs + MondayOffsetMs, HourMs, out long rest);
        if (rest < 0)
        {
            hour--;
        }

        long bucket = hour % _seasonBuckets;
        return (int)(bucket < 0 ? bucket + _seasonBuckets : bucket);
    }

    /// <summary>Writes the state of series 0..<paramref name="seriesCount"/>-1 (all series with points must be below it).</summary>
    public void WriteState(ref SnapshotWriter w, int seriesCount)
    {
        w.WriteSection("ANOD"u8);
        w.WriteInt32(_confirmations);
        w.WriteInt32(_seasonBuckets);
        w.WriteInt32(seriesCount);
        w.WriteArray<SeriesState>(_states.AsSpan(0, seriesCount));
        w.WriteArray<double>(_pending.AsSpan(0, seriesCount * _confirmations));
        w.WriteArray<float>(_season.AsSpan(0, seriesCount * _seasonBuckets));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) detector, which must have the same layout.</summary>
    /// <exception cref="InvalidDataException">The layout differs, or the data is damaged or truncated.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("ANOD"u8);
        int confirmations = r.ReadInt32("anomaly confirmations");
        int buckets = r.ReadInt32("anomaly seasonal buckets");
        if (confirmations != _confirmations || buckets != _seasonBuckets)
        {
            SnapshotFormat.ThrowInvalid($"the anomaly detector was written with {confirmations} confirmations and {buckets} seasonal buckets; this engine has {_confirmations} and {_seasonBuckets}.");
        }

        // The count is checked against the bytes left before anything is allocated for it: a hostile snapshot
        // only ever causes InvalidDataException, never a huge allocation.
        int n = r.ReadCount("anomaly series count", Array.MaxLength / Math.Max(1, Math.Max(_confirmations, _seasonBuckets)), StateBytesPerSeries);
        EnsureCapacity(n);
        r.ReadArray(_states.AsSpan(0, n), "anomaly series states");
        r.ReadArray(_pending.AsSpan(0, n * _confirmations), "anomaly pending points");
        r.ReadArray(_season.AsSpan(0, n * _seasonBuckets), "anomaly seasonal offsets");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowFor(int series)
    {
        if (series < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(series), series, "Series ids are dense and non-negative.");
        }

        Grow(series + 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = Math.Max(needed, Math.Max(16, _capacity * 2));
        Array.Resize(ref _states, capacity);
        Array.Resize(ref _pending, checked(capacity * _confirmations));
        Array.Resize(ref _season, checked(capacity * _seasonBuckets));
        _capacity = capacity;
    }

    /// <summary>Per-series state, 64 bytes: one cache line.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    internal struct SeriesState
    {
        /// <summary>Robust EWMA level (deseasonalised).</summary>
        public double Level;

        /// <summary>Robust EWMA scale (normal-consistent σ of the one-step residuals), before floors.</summary>
        public double Scale;

        /// <summary>Smallest non-zero step seen (0 until the first).</summary>
        public double Quantum;

        /// <summary>The last finite value observed.</summary>
        public double Last;

        /// <summary>Event time of the newest point, Unix ms.</summary>
        public long LastTimestamp;

        /// <summary>EWMA of the time between points, ms (0 until known).</summary>
        public float Interval;

        /// <summary>Joint one-sided score of the pending run.</summary>
        public float RunScore;

        /// <summary>Points learned (warm-up and normal), saturating.</summary>
        public int Count;

        /// <summary>Pending anomalous points on <see cref="Side"/>.</summary>
        public byte Pending;

        /// <summary>+1 above the baseline, −1 below.</summary>
        public sbyte Side;

        /// <summary>Consecutive anomalous points, either side.</summary>
        public byte Run;
    }
}
