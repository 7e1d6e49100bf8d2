using FsCheck;
using FsCheck.Xunit;
using PriceIntel.Engine.Anomaly;

namespace PriceIntel.Engine.Tests.Anomaly;

public sealed class RobustStatsTests
{
    [Property(MaxTest = 500)]
    public bool Median_and_mad_match_a_sort(NonEmptyArray<short> raw)
    {
        var values = Array.ConvertAll(raw.Get, v => v / 8f);
        var (median, mad) = RobustStats.MedianAndMad(values.ToArray());
        double expectedMedian = SortedMedian(values);
        var deviations = Array.ConvertAll(values, v => Math.Abs(v - (float)expectedMedian));
        double expectedMad = SortedMedian(deviations);
        return Math.Abs(median - expectedMedian) < 1e-3 && Math.Abs(mad - expectedMad) < 1e-3;
    }

    [Property(MaxTest = 500)]
    public bool Select_partitions_around_the_kth_smallest(NonEmptyArray<int> raw, PositiveInt k)
    {
        var values = Array.ConvertAll(raw.Get, v => (float)(v % 1000));
        int index = k.Get % values.Length;
        var sorted = values.Order().ToArray();
        float selected = RobustStats.Select(values, index);
        for (int i = 0; i < values.Length; i++)
        {
            if ((i < index && values[i] > selected) || (i > index && values[i] < selected))
            {
                return false;
            }
        }

        return selected == sorted[index];
    }

    [Fact]
    public void Known_values()
    {
        float[] odd = [5, 1, 9, 3, 7];
        Assert.Equal((5f, 2f), RobustStats.MedianAndMad(odd));
        float[] even = [4, 1, 3, 2];
        Assert.Equal(2.5f, RobustStats.Median(even));
        float[] flat = [19.99f, 19.99f, 19.99f, 20.00f];
        Assert.Equal(0f, RobustStats.MedianAndMad(flat).Mad);
    }

    private static double SortedMedian(float[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + (double)sorted[n / 2]) / 2;
    }
}
