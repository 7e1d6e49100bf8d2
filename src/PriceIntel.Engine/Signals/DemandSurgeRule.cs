using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>
/// Raises <see cref="SignalKind.DemandSurge"/> when a product's short-window demand rate is at least
/// <see cref="AlertOptions.DemandSurgeFactor"/> times its long-window baseline rate and the short window
/// holds at least <see cref="AlertOptions.DemandSurgeMinEvents"/> events. A product with no baseline yet
/// (rate 0) cannot surge: without history a launch is indistinguishable from a surge. Keyed by product id,
/// one episode at a time (see <see cref="EpisodeTracker"/>); the episode ends when the condition fails.
/// Signal: Observed = short rate, Reference = baseline rate, Threshold = the factor, Magnitude = short /
/// baseline; severity by <see cref="SeverityScale"/>. Rates may be in any unit, the same for both.
/// </summary>
internal sealed class DemandSurgeRule
{
    private readonly MarketKeys _keys;
    private readonly EpisodeTracker _episodes;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public DemandSurgeRule(AlertOptions options, MarketKeys keys, int initialProducts = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        Factor = options.DemandSurgeFactor;
        MinEvents = options.DemandSurgeMinEvents;
        _episodes = new EpisodeTracker(initialProducts, EpisodeTracker.CooldownFrom(options));
    }

    /// <summary>Short / baseline ratio that raises.</summary>
    public double Factor { get; }

    /// <summary>Fewest short-window events that can raise.</summary>
    public int MinEvents { get; }

    /// <summary>Episode state, keyed by product id.</summary>
    public EpisodeTracker Episodes => _episodes;

    /// <summary>Makes room for product ids 0..<paramref name="productCount"/> − 1.</summary>
    public void EnsureCapacity(int productCount) => _episodes.EnsureCapacity(productCount);

    /// <summary>Evaluates a product's demand rates; appends a signal when a surge episode starts.</summary>
    /// <param name="productId">Interned product id.</param>
    /// <param name="shortRate">Demand rate over the short window.</param>
    /// <param name="baselineRate">Demand rate over the long (baseline) window, same unit.</param>
    /// <param name="shortWindowEvents">Demand events in the short window.</param>
    /// <param name="timestamp">Event time, Unix ms.</param>
    /// <param name="output">Where the signal goes.</param>
    /// <returns>True when a signal was raised.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Evaluate(int productId, double shortRate, double baselineRate, long shortWindowEvents, long timestamp, OutputBuffer output)
    {
        if (shortWindowEvents < MinEvents || !(baselineRate > 0) || !(shortRate >= baselineRate * Factor) || !double.IsFinite(shortRate))
        {
            _episodes.End(productId);
            return false;
        }

        if (!_episodes.TryStart(productId, timestamp))
        {
            return false;
        }

        Raise(productId, shortRate, baselineRate, timestamp, output);
        return true;
    }

    /// <summary>Writes the episode state of product ids 0..<paramref name="productCount"/>-1.</summary>
    public void WriteState(ref SnapshotWriter w, int productCount) => _episodes.WriteState(ref w, productCount);

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) rule.</summary>
    /// <exception cref="InvalidDataException">The data is damaged.</exception>
    public void ReadState(ref SnapshotReader r) => _episodes.ReadState(ref r);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Raise(int productId, double shortRate, double baselineRate, long timestamp, OutputBuffer output)
    {
        double ratio = shortRate / baselineRate;
        output.Add(new MarketSignal(
            SignalIds.For(SignalKind.DemandSurge, _keys, productId, -1, timestamp),
            SignalKind.DemandSurge,
            SeverityScale.FromRatio(ratio, Factor),
            productId,
            -1,
            shortRate,
            baselineRate,
            Factor,
            ratio,
            timestamp));
    }
}
