using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>Deterministic signal ids: (kind, product stable hash, competitor stable hash or 0, event time).</summary>
internal static class SignalIds
{
    /// <summary>The id of a signal of <paramref name="kind"/> about a product (and optionally a competitor) at an event time.</summary>
    /// <param name="kind">The rule kind.</param>
    /// <param name="keys">Key tables that give the stable hashes.</param>
    /// <param name="productId">Interned product id.</param>
    /// <param name="competitorId">Interned competitor id, or -1 for product-level signals.</param>
    /// <param name="timestamp">Event time, Unix ms.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong For(SignalKind kind, MarketKeys keys, int productId, int competitorId, long timestamp) =>
        DeterministicId.Of(
            (ulong)kind,
            keys.Products.GetStableHash(productId),
            competitorId >= 0 ? keys.Competitors.GetStableHash(competitorId) : 0,
            (ulong)timestamp);
}
