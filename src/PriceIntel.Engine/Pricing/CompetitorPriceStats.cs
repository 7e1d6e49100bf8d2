using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Pricing;

/// <summary>
/// The order statistics the strategies need from a product's in-stock competitor prices. Prices that
/// are not finite, not positive or above <see cref="Money.MaxPrice"/> are skipped everywhere.
/// </summary>
internal static class CompetitorPriceStats
{
    private static readonly double MaxPriceUnits = Money.MaxPrice.ToDouble();

    /// <summary>True when <paramref name="price"/> is a usable competitor price.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUsable(double price) => price > 0 && price <= MaxPriceUnits; // false for NaN and ±∞ too

    /// <summary>The lowest usable price; false when there is none.</summary>
    public static bool TryLowest(ReadOnlySpan<double> prices, out double lowest)
    {
        lowest = double.PositiveInfinity;
        foreach (var p in prices)
        {
            if (IsUsable(p) && p < lowest)
            {
                lowest = p;
            }
        }

        return lowest != double.PositiveInfinity;
    }

    /// <summary>
    /// The <paramref name="fraction"/> percentile (0 to 1) of the usable prices, by linear interpolation
    /// between order statistics: with the n usable prices sorted ascending as x[0..n-1] and
    /// h = fraction × (n − 1), the result is x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋ + 1] − x[⌊h⌋]) (the "inclusive"
    /// definition, Hyndman–Fan type 7, as Excel's PERCENTILE.INC and NumPy's default). 0 gives the lowest,
    /// 1 the highest, 0.5 the median. The usable prices are copied into <paramref name="scratch"/> and
    /// sorted there; it must be at least as long as <paramref name="prices"/>.
    /// </summary>
    /// <returns>False when there is no usable price.</returns>
    public static bool TryPercentile(ReadOnlySpan<double> prices, double fraction, Span<double> scratch, out double value)
    {
        int n = 0;
        foreach (var p in prices)
        {
            if (IsUsable(p))
            {
                scratch[n++] = p;
            }
        }

        if (n == 0)
        {
            value = 0;
            return false;
        }

        var sorted = scratch[..n];
        sorted.Sort();
        var h = Math.Clamp(fraction, 0, 1) * (n - 1);
        var below = (int)Math.Floor(h);
        if (below >= n - 1)
        {
            value = sorted[n - 1];
            return true;
        }

        var weight = h - below;
        value = sorted[below] + (weight * (sorted[below + 1] - sorted[below]));
        return true;
    }
}
