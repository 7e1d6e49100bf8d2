using System.Runtime.CompilerServices;
using PriceIntel.Engine.Anomaly;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>
/// Raises <see cref="SignalKind.PriceAnomaly"/> when a pair series' anomaly score is at least
/// <see cref="AlertOptions.PriceAnomalyScore"/>. The verdict tells consumers what it is, through severity:
/// <list type="bullet">
/// <item><description><see cref="AnomalyVerdict.Outlier"/> → <see cref="SignalSeverity.Info"/>: likely bad data (a one-off scrape error).</description></item>
/// <item><description><see cref="AnomalyVerdict.LevelShift"/> → <see cref="SignalSeverity.Warning"/>, or
/// <see cref="SignalSeverity.Critical"/> when the score is at least twice the threshold: a real, confirmed price move.</description></item>
/// </list>
/// Outlier and level-shift episodes are tracked separately per series (each with its own cooldown), because
/// the first points of a real level shift are reported as outliers before the shift is confirmed: a shift
/// therefore raises one Info signal at its first point and one Warning/Critical at its confirmation, and
/// repeated bad scrapes raise at most one Info per cooldown. Signal: Observed = price, Reference = detector
/// baseline, Threshold = the score threshold, Magnitude = score.
/// </summary>
internal sealed class PriceAnomalyRule
{
    private readonly MarketKeys _keys;
    private readonly EpisodeTracker _outliers;
    private readonly EpisodeTracker _levelShifts;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public PriceAnomalyRule(AlertOptions options, MarketKeys keys, int initialSeries = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        Threshold = options.PriceAnomalyScore;
        long cooldown = EpisodeTracker.CooldownFrom(options);
        _outliers = new EpisodeTracker(initialSeries, cooldown);
        _levelShifts = new EpisodeTracker(initialSeries, cooldown);
    }

    /// <summary>The score that raises.</summary>
    public double Threshold { get; }

    /// <summary>Makes room for series ids 0..<paramref name="seriesCount"/> − 1.</summary>
    public void EnsureCapacity(int seriesCount)
    {
        _outliers.EnsureCapacity(seriesCount);
        _levelShifts.EnsureCapacity(seriesCount);
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
    public bool Evaluate(int series, int productId, int competitorId, double price, in AnomalyResult result, long timestamp, OutputBuffer output)
    {
        bool high = result.Score >= Threshold;
        bool outlier = high && result.Verdict == AnomalyVerdict.Outlier;
        bool shift = high && result.Verdict == AnomalyVerdict.LevelShift;
        if (!outlier)
        {
            _outliers.End(series);
        }

        if (!shift)
        {
            _levelShifts.End(series);
        }

        if (!(outlier ? _outliers.TryStart(series, timestamp) : shift && _levelShifts.TryStart(series, timestamp)))
        {
            return false;
        }

        Raise(productId, competitorId, price, result, timestamp, output);
        return true;
    }

    /// <summary>The severity of a signal for <paramref name="verdict"/> at <paramref name="score"/> (≥ threshold).</summary>
    public SignalSeverity SeverityOf(AnomalyVerdict verdict, double score) =>
        verdict != AnomalyVerdict.LevelShift ? SignalSeverity.Info
        : score >= Threshold * SeverityScale.CriticalRatio ? SignalSeverity.Critical
        : SignalSeverity.Warning;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Raise(int productId, int competitorId, double price, AnomalyResult result, long timestamp, OutputBuffer output) =>
        output.Add(new MarketSignal(
            SignalIds.For(SignalKind.PriceAnomaly, _keys, productId, competitorId, timestamp),
            SignalKind.PriceAnomaly,
            SeverityOf(result.Verdict, result.Score),
            productId,
            competitorId,
            price,
            result.Baseline,
            Threshold,
            result.Score,
            timestamp));
}
