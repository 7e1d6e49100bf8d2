using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>
/// Raises <see cref="SignalKind.CompetitorPriceDrop"/> when a competitor's price is at least
/// <see cref="AlertOptions.CompetitorPriceDropThreshold"/> below its reference level (the detector's
/// baseline, or an EWMA of its previous prices). Keyed by pair series id, one episode at a time (see
/// <see cref="EpisodeTracker"/>); the episode ends when the drop falls below the threshold.
/// An observation the anomaly detector calls <see cref="AnomalyVerdict.Outlier"/> is ignored (likely a bad
/// scrape): it neither starts nor ends an episode. A real drop is raised when the detector confirms it
/// (<see cref="AnomalyVerdict.LevelShift"/>, whose baseline is still the old level).
/// Signal: Observed = new price, Reference = level, Threshold = the drop threshold, Magnitude = drop
/// fraction; severity by <see cref="SeverityScale"/>.
/// </summary>
internal sealed class CompetitorPriceDropRule
{
    private readonly MarketKeys _keys;
    private readonly EpisodeTracker _episodes;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public CompetitorPriceDropRule(AlertOptions options, MarketKeys keys, int initialSeries = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        Threshold = options.CompetitorPriceDropThreshold;
        _episodes = new EpisodeTracker(initialSeries, EpisodeTracker.CooldownFrom(options));
    }

    /// <summary>The drop fraction that raises.</summary>
    public double Threshold { get; }

    /// <summary>Episode state, keyed by series id.</summary>
    public EpisodeTracker Episodes => _episodes;

    /// <summary>Makes room for series ids 0..<paramref name="seriesCount"/> − 1.</summary>
    public void EnsureCapacity(int seriesCount) => _episodes.EnsureCapacity(seriesCount);

    /// <summary>Evaluates one competitor price observation; appends a signal when a drop episode starts.</summary>
    /// <param name="series">Dense (product, competitor) series id.</param>
    /// <param name="productId">Interned product id.</param>
    /// <param name="competitorId">Interned competitor id.</param>
    /// <param name="price">The observed price.</param>
    /// <param name="reference">The competitor's reference level before this observation; not positive or NaN = unknown (no change).</param>
    /// <param name="verdict">The anomaly detector's verdict on this observation.</param>
    /// <param name="timestamp">Event time, Unix ms.</param>
    /// <param name="output">Where the signal goes.</param>
    /// <returns>True when a signal was raised.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Evaluate(int series, int productId, int competitorId, double price, double reference, AnomalyVerdict verdict, long timestamp, OutputBuffer output)
    {
        if (verdict == AnomalyVerdict.Outlier || !(reference > 0) || !double.IsFinite(price))
        {
            return false;
        }

        double drop = (reference - price) / reference;
        if (drop < Threshold)
        {
            _episodes.End(series);
            return false;
        }

        if (!_episodes.TryStart(series, timestamp))
        {
            return false;
        }

        Raise(productId, competitorId, price, reference, drop, timestamp, output);
        return true;
    }

    /// <summary>Writes the episode state of series ids 0..<paramref name="seriesCount"/>-1.</summary>
    public void WriteState(ref SnapshotWriter w, int seriesCount) => _episodes.WriteState(ref w, seriesCount);

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) rule.</summary>
    /// <exception cref="InvalidDataException">The data is damaged.</exception>
    public void ReadState(ref SnapshotReader r) => _episodes.ReadState(ref r);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Raise(int productId, int competitorId, double price, double reference, double drop, long timestamp, OutputBuffer output) =>
        output.Add(new MarketSignal(
            SignalIds.For(SignalKind.CompetitorPriceDrop, _keys, productId, competitorId, timestamp),
            SignalKind.CompetitorPriceDrop,
            SeverityScale.FromRatio(drop, Threshold),
            productId,
            competitorId,
            price,
            reference,
            Threshold,
            drop,
            timestamp));
}
