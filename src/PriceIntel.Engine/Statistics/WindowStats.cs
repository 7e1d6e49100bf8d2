namespace PriceIntel.Engine.Statistics;

/// <summary>
/// Statistics of one series over one sliding window, as read by <see cref="SlidingWindowSeries.Read"/>.
/// When <see cref="Count"/> is 0 every other value is <see cref="double.NaN"/>.
/// </summary>
/// <param name="Count">Values in the window.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StdDev">Population standard deviation.</param>
/// <param name="Min">Smallest value (exact).</param>
/// <param name="Max">Largest value (exact).</param>
/// <param name="Median">Median estimate; exact while the window holds at most
/// <see cref="SlidingWindowSeries.MedianCapacity"/> values, otherwise the median of that many newest values in
/// the window; NaN when the median ring is disabled or holds none of the window's values.</param>
internal readonly record struct WindowStats(long Count, double Mean, double StdDev, double Min, double Max, double Median)
{
    /// <summary>No values.</summary>
    public static WindowStats Empty => new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>True when the window holds no values.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Max − Min; NaN when empty.</summary>
    public double Range => Max - Min;
}
