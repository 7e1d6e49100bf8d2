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

    [Property(MaxTest = 1000)]
    public bool Simd_rank_count_matches_quickselect_exactly(NonEmptyArray<short> raw, bool coarse)
    {
        // Coarse values (many ties, as in flat price series) and fine ones; 1 to 32 values.
        var values = Array.ConvertAll(raw.Get.Take(RobustStats.MaxRankCount).ToArray(), v => coarse ? (v % 5) * 0.01f : v / 8f);
        var byRank = RobustStats.MedianAndMadByRank(values, new float[RobustStats.MaxRankCount]);
        var bySelect = RobustStats.MedianAndMad(values.ToArray());
        return byRank == bySelect;
    }

    [Fact]
    public void Simd_rank_count_rejects_bad_lengths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RobustStats.MedianAndMadByRank([], new float[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RobustStats.MedianAndMadByRank(new float[33], new float[33]));
        Assert.Equal((7f, 0f), RobustStats.MedianAndMadByRank([7f], new float[32]));
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
