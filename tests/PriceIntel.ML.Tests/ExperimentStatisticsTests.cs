using PriceIntel.Engine.Experiments;

namespace PriceIntel.ML.Tests;

public sealed class ExperimentStatisticsTests
{
    private static ArmDailySums Arm(int arm, double[] days) =>
        new(arm, $"arm{arm}", PricingStrategyKind.Hold, days.Length, days.Sum(), days.Sum(d => d * d), days.Sum() * 2, days.Sum(d => 4 * d * d));

    private static double[] Days(int n, double mean, double sd, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => mean + (sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())))];
    }

    [Fact]
    public void Means_and_intervals_match_the_textbook_formulas()
    {
        double[] days = [1, 2, 3, 4, 10];
        var s = ExperimentStatistics.Compute([Arm(0, days)])[0];
        double mean = 4, sd = Math.Sqrt(((9 + 4 + 1 + 0 + 36) / 4.0));
        Assert.Equal(mean, s.Profit.Mean, 12);
        Assert.Equal(sd / Math.Sqrt(5), s.Profit.StandardError, 12);
        Assert.Equal(mean + (1.959963984540054 * sd / Math.Sqrt(5)), s.Profit.High, 12);
        Assert.Equal(2 * mean, s.Revenue.Mean, 12);
        Assert.Null(s.VersusControl);
        Assert.Equal(1, s.ThompsonShare);
    }

    [Fact]
    public void A_clear_difference_is_significant_and_no_difference_is_not()
    {
        var control = Arm(0, Days(5000, 10, 5, 1));
        var better = Arm(1, Days(5000, 12, 5, 2));
        var same = Arm(2, Days(5000, 10, 5, 3));
        var stats = ExperimentStatistics.Compute([control, better, same]);
        Assert.True(stats[1].VersusControl!.Significant);
        Assert.InRange(2.0, stats[1].VersusControl!.DifferenceLow, stats[1].VersusControl!.DifferenceHigh);
        Assert.False(stats[2].VersusControl!.Significant);
        Assert.True(stats[2].VersusControl!.AlwaysValidPValue > 0.05);
        Assert.True(stats[1].ThompsonShare > 0.99);
        Assert.Equal(1, stats.Sum(s => s.ThompsonShare), 9);
        var weights = ExperimentStatistics.AllocationWeights(stats, 0.05);
        Assert.Equal(1, weights.Sum(), 9);
        Assert.All(weights, w => Assert.True(w >= 0.05));
    }

    [Fact]
    public void Peeking_every_day_at_equal_arms_rarely_rejects()
    {
        // 200 experiments between identical arms, looked at after each of 30 "days" of 100 product-days:
        // the share that is ever significant stays near or below α, unlike a fixed-horizon z-test peeked at daily.
        int everSignificant = 0;
        for (int e = 0; e < 200; e++)
        {
            var a = new List<double>();
            var b = new List<double>();
            for (int day = 0; day < 30; day++)
            {
                a.AddRange(Days(100, 10, 5, (e * 1000) + (2 * day)));
                b.AddRange(Days(100, 10, 5, (e * 1000) + (2 * day) + 1));
                if (ExperimentStatistics.Compute([Arm(0, [.. a]), Arm(1, [.. b])], thompsonDraws: 1)[1].VersusControl!.Significant)
                {
                    everSignificant++;
                    break;
                }
            }
        }

        Assert.True(everSignificant <= 20, $"{everSignificant} of 200 null experiments were declared significant at some look");
    }
}
