using PriceIntel.Engine.Scoring;

namespace PriceIntel.ML.History;

/// <summary>
/// Training data for the demand models: one row per product and hour, with the
/// <see cref="DemandFeatures"/> row as of the hour's start (price features at the price shoppers saw
/// during the hour) and the label, the units sold in the hour. Built from any event stream by
/// <see cref="DemandHistoryBuilder"/> (a JSON Lines recording, the simulator). Rows are in time order.
/// </summary>
public sealed class DemandHistory
{
    internal DemandHistory(
        string[] productKeys,
        int[] product,
        long[] hourStart,
        float[] features,
        float[] units,
        double[] price,
        double[] unitCost)
    {
        ProductKeys = productKeys;
        ProductIndex = product;
        HourStart = hourStart;
        Features = features;
        Units = units;
        Price = price;
        UnitCost = unitCost;
    }

    /// <summary>Number of rows (product-hours).</summary>
    public int Count => Units.Count;

    /// <summary>The products' keys (SKUs), indexed by <see cref="ProductIndex"/>.</summary>
    public IReadOnlyList<string> ProductKeys { get; }

    /// <summary>Per row: index into <see cref="ProductKeys"/>.</summary>
    public IReadOnlyList<int> ProductIndex { get; }

    /// <summary>Per row: start of the hour, Unix milliseconds.</summary>
    public IReadOnlyList<long> HourStart { get; }

    /// <summary>Per row: the label, units sold in the hour.</summary>
    public IReadOnlyList<float> Units { get; }

    /// <summary>Per row: our price during the hour (mean of the prices shown with views; the price in force without views).</summary>
    public IReadOnlyList<double> Price { get; }

    /// <summary>Per row: our unit cost at the hour's start (0 unknown).</summary>
    public IReadOnlyList<double> UnitCost { get; }

    /// <summary>All feature rows back to back, <see cref="DemandFeatures.Count"/> values each.</summary>
    internal float[] Features { get; }

    /// <summary>The feature row of row <paramref name="row"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is out of range.</exception>
    public ReadOnlySpan<float> GetFeatures(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        return Features.AsSpan(row * DemandFeatures.Count, DemandFeatures.Count);
    }

    /// <summary>The first hour at or after which rows are held out for validation, so that <paramref name="validationFraction"/> of the hours (by time) are.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1).</exception>
    public long SplitTime(double validationFraction)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"The validation fraction must be between 0 and 1 (exclusive); got {validationFraction}.");
        }

        if (Count == 0)
        {
            return long.MaxValue;
        }

        long first = HourStart[0], last = HourStart[Count - 1];
        long hours = ((last - first) / 3_600_000L) + 1;
        long validationHours = Math.Max(1, (long)Math.Round(hours * validationFraction));
        return first + ((hours - validationHours) * 3_600_000L);
    }
}
