using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>
/// Raises <see cref="SignalKind.LowInventory"/> when a product's units on hand fall to or below
/// <see cref="AlertOptions.LowInventoryThreshold"/> (T). Hysteresis: the episode clears only when stock rises
/// above T + H, H = max(1, T / 10) (integer division), so stock wobbling around the threshold by a unit
/// (a sale, a return) does not end and restart episodes. Between T + 1 and T + H an active episode holds
/// and none starts. Keyed by product id (see <see cref="EpisodeTracker"/> for cooldown).
/// Severity: Critical when nothing is on hand (≤ 0), Warning at or below T / 2, Info otherwise (e.g. T = 10:
/// 6–10 Info, 1–5 Warning, 0 Critical). Signal: Observed = units, Reference = T + H (the level that
/// clears), Threshold = T, Magnitude = T − units.
/// </summary>
internal sealed class LowInventoryRule
{
    private readonly MarketKeys _keys;
    private readonly EpisodeTracker _episodes;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public LowInventoryRule(AlertOptions options, MarketKeys keys, int initialProducts = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        Threshold = options.LowInventoryThreshold;
        Hysteresis = Math.Max(1, Threshold / 10);
        _episodes = new EpisodeTracker(initialProducts, EpisodeTracker.CooldownFrom(options));
    }

    /// <summary>Units at or below which the rule raises.</summary>
    public int Threshold { get; }

    /// <summary>Units above the threshold stock must exceed to clear an episode.</summary>
    public int Hysteresis { get; }

    /// <summary>Episode state, keyed by product id.</summary>
    public EpisodeTracker Episodes => _episodes;

    /// <summary>Makes room for product ids 0..<paramref name="productCount"/> − 1.</summary>
    public void EnsureCapacity(int productCount) => _episodes.EnsureCapacity(productCount);

    /// <summary>Evaluates a product's units on hand; appends a signal when a low-stock episode starts.</summary>
    /// <param name="productId">Interned product id.</param>
    /// <param name="unitsOnHand">Units on hand now.</param>
    /// <param name="timestamp">Event time, Unix ms.</param>
    /// <param name="output">Where the signal goes.</param>
    /// <returns>True when a signal was raised.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Evaluate(int productId, int unitsOnHand, long timestamp, OutputBuffer output)
    {
        if (unitsOnHand > Threshold)
        {
            if (unitsOnHand > Threshold + Hysteresis)
            {
                _episodes.End(productId);
            }

            return false;
        }

        if (!_episodes.TryStart(productId, timestamp))
        {
            return false;
        }

        Raise(productId, unitsOnHand, timestamp, output);
        return true;
    }

    /// <summary>Low-stock severity: Critical at ≤ 0, Warning at ≤ threshold / 2, else Info.</summary>
    public SignalSeverity SeverityOf(int unitsOnHand) =>
        unitsOnHand <= 0 ? SignalSeverity.Critical
        : unitsOnHand <= Threshold / 2 ? SignalSeverity.Warning
        : SignalSeverity.Info;

    /// <summary>Writes the episode state of product ids 0..<paramref name="productCount"/>-1.</summary>
    public void WriteState(ref SnapshotWriter w, int productCount) => _episodes.WriteState(ref w, productCount);

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) rule.</summary>
    /// <exception cref="InvalidDataException">The data is damaged.</exception>
    public void ReadState(ref SnapshotReader r) => _episodes.ReadState(ref r);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Raise(int productId, int unitsOnHand, long timestamp, OutputBuffer output) =>
        output.Add(new MarketSignal(
            SignalIds.For(SignalKind.LowInventory, _keys, productId, -1, timestamp),
            SignalKind.LowInventory,
            SeverityOf(unitsOnHand),
            productId,
            -1,
            unitsOnHand,
            Threshold + Hysteresis,
            Threshold,
            Threshold - (double)unitsOnHand,
            timestamp));
}
