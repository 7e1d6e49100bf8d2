using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>
/// Raises <see cref="SignalKind.PriceAnomaly"/> for what a pair series' anomaly detector found, when its
/// calibrated score (−log10 of the tail probability, the same scale on every series) is at least
/// <see cref="AlertOptions.PriceAnomalyScore"/> (default 6: one chance in a million). Severity says what happened:
/// <list type="bullet">
/// <item><description><see cref="SignalSeverity.Info"/>: a one-off outlier, likely bad data (a scrape error); the
/// price was kept out of statistics. The first points of a real level shift also look like outliers, so an outlier
/// is held back until the series tells which it was: when the next point is not anomalous the held outlier is raised
/// (with its own price, baseline, score and time); when a shift is confirmed it is dropped. So a bad scrape is
/// reported one observation late, and a real move once, not twice.</description></item>
/// <item><description><see cref="SignalSeverity.Warning"/>: a confirmed level shift, a real and lasting price move of
/// at least <see cref="AlertOptions.CompetitorPriceDropThreshold"/> (15 %) of the old level, up or down (smaller
/// confirmed moves are ordinary repricing and raise nothing); its score is the joint score of the confirming points. <see cref="SignalSeverity.Critical"/> when that score is
/// at least twice the threshold.</description></item>
/// </list>
/// A variance change (the series got noisier) raises nothing. Outliers and level shifts are tracked separately per
/// series, each with its own cooldown, so a flaky scraper raises at most one Info per cooldown. An outlier still held
/// back when the stream ends is not raised. Signal: Observed = the price, Reference = the detector's baseline (what it
/// expected), Threshold = the score threshold, Magnitude = the score, Timestamp = the anomalous observation's time.
/// </summary>
internal sealed class PriceAnomalyRule
{
    private readonly MarketKeys _keys;
    private readonly EpisodeTracker _outliers;
    private readonly EpisodeTracker _levelShifts;
    private bool[] _held = [];
    private HeldOutlier[] _heldOutliers = [];

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public PriceAnomalyRule(AlertOptions options, MarketKeys keys, int initialSeries = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        Threshold = options.PriceAnomalyScore;
        MaterialMove = options.CompetitorPriceDropThreshold;
        long cooldown = EpisodeTracker.CooldownFrom(options);
        _outliers = new EpisodeTracker(initialSeries, cooldown);
        _levelShifts = new EpisodeTracker(initialSeries, cooldown);
        EnsureCapacity(initialSeries);
    }

    /// <summary>The score that raises.</summary>
    public double Threshold { get; }

    /// <summary>The smallest level shift, as a fraction of the old level, that raises (<see cref="AlertOptions.CompetitorPriceDropThreshold"/>, default 15 %).</summary>
    public double MaterialMove { get; }

    /// <summary>Makes room for series ids 0..<paramref name="seriesCount"/> − 1.</summary>
    public void EnsureCapacity(int seriesCount)
    {
        _outliers.EnsureCapacity(seriesCount);
        _levelShifts.EnsureCapacity(seriesCount);
        if (seriesCount > _held.Length)
        {
            Array.Resize(ref _held, seriesCount);
            Array.Resize(ref _heldOutliers, seriesCount);
        }
    }

    /// <summary>Evaluates the detector's result for one price; appends a signal when an episode starts.</summary>
    /// <param name="series">Dense (product, competitor) series id.</param>
    /// <param name="productId">Interned product id.</param>
    /// <param name="competitorId">Interned competitor id.</param>
    /// <param name="price">The observed price.</param>
    /// <param name="result">The detector's result for this price.</param>
    /// <param name="timestamp">Event time, Unix ms.</param>
    /// <param name="output">Where the signal goes.</param>
    /// <returns>True when a signal was raised.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Evaluate(int series, int productId, int competitorId, double price, in AnomalyScore result, long timestamp, OutputBuffer output)
    {
        if ((uint)series >= (uint)_held.Length)
        {
            EnsureCapacity(Math.Max(series + 1, _held.Length * 2));
        }

        var verdict = result.Verdict;
        if (verdict == AnomalyVerdict.Outlier)
        {
            // Only anomalous points pay for the score's logarithm. Hold the first strong outlier of a run.
            if (!_held[series] && result.Score >= Threshold)
            {
                _held[series] = true;
                _heldOutliers[series] = new HeldOutlier(price, result.Baseline, result.Score, timestamp);
            }

            return false;
        }

        if (verdict == AnomalyVerdict.LevelShift && result.Score >= Threshold && IsMaterial(price, result.Baseline))
        {
            _held[series] = false; // the held points were the start of this move
            if (!_levelShifts.TryStart(series, timestamp))
            {
                return false;
            }

            Raise(productId, competitorId, price, result.Baseline, result.Score, SeverityOf(AnomalyVerdict.LevelShift, result.Score), timestamp, output);
            return true;
        }

        _levelShifts.End(series);
        if (!_held[series])
        {
            return false;
        }

        // The series came back: the held outlier was a one-off.
        _held[series] = false;
        var held = _heldOutliers[series];
        bool raised = _outliers.TryStart(series, held.Timestamp);
        _outliers.End(series);
        if (raised)
        {
            Raise(productId, competitorId, held.Price, held.Baseline, held.Score, SignalSeverity.Info, held.Timestamp, output);
        }

        return raised;
    }

    /// <summary>
    /// True when a confirmed move is at least <see cref="MaterialMove"/> of the old level. Smaller confirmed shifts are
    /// ordinary repricing: the detector re-baselines and nothing is raised.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsMaterial(double price, double baseline) => Math.Abs(price - baseline) >= MaterialMove * Math.Abs(baseline);

    /// <summary>The severity of a signal for <paramref name="verdict"/> at <paramref name="score"/> (≥ threshold).</summary>
    public SignalSeverity SeverityOf(AnomalyVerdict verdict, double score) =>
        verdict != AnomalyVerdict.LevelShift ? SignalSeverity.Info
        : score >= Threshold * SeverityScale.CriticalRatio ? SignalSeverity.Critical
        : SignalSeverity.Warning;

    /// <summary>Writes both episode trackers and the held-back outliers of series ids 0..<paramref name="seriesCount"/>-1.</summary>
    public void WriteState(ref SnapshotWriter w, int seriesCount)
    {
        w.WriteSection("ANRL"u8);
        w.WriteInt32(seriesCount);
        _outliers.WriteState(ref w, seriesCount);
        _levelShifts.WriteState(ref w, seriesCount);
        w.WriteArray<bool>(_held.AsSpan(0, seriesCount));
        w.WriteArray<HeldOutlier>(_heldOutliers.AsSpan(0, seriesCount));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) rule.</summary>
    /// <exception cref="InvalidDataException">The data is damaged.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("ANRL"u8);
        int n = r.ReadCount("anomaly rule series count");
        EnsureCapacity(n);
        _outliers.ReadState(ref r);
        _levelShifts.ReadState(ref r);
        r.ReadArray(_held.AsSpan(0, n), "held outlier flags");
        r.ReadArray(_heldOutliers.AsSpan(0, n), "held outliers");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Raise(int productId, int competitorId, double price, double baseline, double score, SignalSeverity severity, long timestamp, OutputBuffer output) =>
        output.Add(new MarketSignal(
            SignalIds.For(SignalKind.PriceAnomaly, _keys, productId, competitorId, timestamp),
            SignalKind.PriceAnomaly,
            severity,
            productId,
            competitorId,
            price,
            baseline,
            Threshold,
            score,
            timestamp));

    private readonly record struct HeldOutlier(double Price, double Baseline, double Score, long Timestamp);
}
