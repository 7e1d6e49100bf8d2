using PriceIntel.Engine.Anomaly;
using Xunit.Abstractions;

namespace PriceIntel.Engine.Tests.Anomaly;

public sealed class PriceAnomalyDetectorTests(ITestOutputHelper output)
{
    private const int Series = 1000;
    private const int PointsPerSeries = 1000;

    private static readonly AnomalyOptions Defaults = new();

    // Bound for clean series: 1e-4 is 100 false flags per million points, i.e. for a competitor scraped
    // hourly one spurious flag every ~11 years per series. The ideal Gaussian tail beyond 5 σ is 5.7e-7;
    // the rest of the budget pays for estimating median and σ from 12–32 points.
    private const double FalsePositiveBound = 1e-4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Clean_noise_stays_quiet_on_a_million_points(bool gaussian)
    {
        var detector = new PriceAnomalyDetector(Defaults, Series);
        var gen = new SyntheticSeries(gaussian ? 7 : 42);
        var levels = new double[Series];
        for (int s = 0; s < Series; s++)
        {
            levels[s] = gen.Level();
        }

        long scored = 0;
        long flagged = 0;
        for (int t = 0; t < PointsPerSeries; t++)
        {
            for (int s = 0; s < Series; s++)
            {
                double x = gaussian ? gen.Gaussian(levels[s]) : gen.Uniform(levels[s]);
                var result = detector.Observe(s, x);
                Assert.Equal(t < Defaults.WarmUp, result.Verdict == AnomalyVerdict.WarmingUp);
                if (result.Verdict != AnomalyVerdict.WarmingUp)
                {
                    scored++;
                    flagged += result.IsAnomalous ? 1 : 0;
                }
            }
        }

        double rate = flagged / (double)scored;
        output.WriteLine($"{(gaussian ? "gaussian σ=0.5%" : "uniform ±0.5%")}: {flagged} flagged of {scored} scored points, false-positive rate {rate:E2}");
        Assert.Equal(Series * (PointsPerSeries - Defaults.WarmUp), scored);
        Assert.True(rate < FalsePositiveBound, $"false-positive rate {rate:E2} ≥ {FalsePositiveBound:E0}");
    }

    [Fact]
    public void Warm_up_points_are_never_flagged_and_report_the_running_median()
    {
        var detector = new PriceAnomalyDetector(Defaults, 1);
        double[] values = [100, 101, 99, 1000, 100, 100.5, 99.5, 100, 100, 100, 100, 100];
        Assert.Equal(Defaults.WarmUp, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            var result = detector.Observe(0, values[i]);
            Assert.Equal(AnomalyVerdict.WarmingUp, result.Verdict);
            Assert.Equal(0, result.Score);
            if (i == 0)
            {
                Assert.True(double.IsNaN(result.Baseline));
            }
        }

        // The median of the 12 warm-up values is 100 (the 1000 spike does not move it).
        Assert.Equal(100, detector.GetBaseline(0), 3);
        var next = detector.Observe(0, 1000);
        Assert.Equal(AnomalyVerdict.Outlier, next.Verdict);
        Assert.Equal(100, next.Baseline, 3);
    }

    [Theory]
    [InlineData(10.0, 0)]
    [InlineData(0.1, 0)]
    [InlineData(1.3, 0)]
    [InlineData(10.0, 1)]
    [InlineData(0.1, 1)]
    [InlineData(1.3, 1)]
    public void One_off_spikes_are_outliers_that_do_not_enter_the_baseline(double factor, int recomputeEvery)
    {
        var detector = new PriceAnomalyDetector(Defaults, 200, recomputeEvery: recomputeEvery);
        var gen = new SyntheticSeries(11);
        for (int s = 0; s < 200; s++)
        {
            double level = gen.Level();
            int spikeAt = 40 + gen.Next(200);
            for (int t = 0; t < 400; t++)
            {
                bool spike = t == spikeAt;
                double before = detector.GetBaseline(s);
                var result = detector.Observe(s, gen.Uniform(level) * (spike ? factor : 1));
                if (spike)
                {
                    Assert.Equal(AnomalyVerdict.Outlier, result.Verdict);
                    Assert.True(result.Score >= Defaults.RobustZThreshold);
                    Assert.Equal(before, result.Baseline);
                    Assert.Equal(before, detector.GetBaseline(s)); // the spike changed nothing
                    Assert.InRange(result.Baseline, level * 0.995, level * 1.005);
                }
                else if (t >= Defaults.WarmUp)
                {
                    Assert.Equal(AnomalyVerdict.Normal, result.Verdict);
                }
            }
        }
    }

    [Theory]
    [InlineData(0.8, false)]
    [InlineData(0.8, true)]
    [InlineData(1.25, false)]
    [InlineData(0.5, true)]
    public void Level_shift_is_confirmed_after_the_configured_points_and_quiet_afterwards(double shift, bool flat)
    {
        int confirmations = Defaults.LevelShiftConfirmations;
        var detector = new PriceAnomalyDetector(Defaults, 200);
        var gen = new SyntheticSeries(5);
        for (int s = 0; s < 200; s++)
        {
            double level = flat ? Math.Round(gen.Level(), 2) : gen.Level();
            int shiftAt = 40 + gen.Next(100);
            for (int t = 0; t < 1000; t++)
            {
                double current = t >= shiftAt ? level * shift : level;
                double x = flat ? Math.Round(current, 2) : gen.Uniform(current);
                var result = detector.Observe(s, x);
                if (t < Defaults.WarmUp)
                {
                    continue;
                }

                var expected = t < shiftAt || t >= shiftAt + confirmations ? AnomalyVerdict.Normal
                    : t < shiftAt + confirmations - 1 ? AnomalyVerdict.Outlier
                    : AnomalyVerdict.LevelShift;
                Assert.True(expected == result.Verdict, $"series {s} t={t} (shift at {shiftAt}): expected {expected}, got {result.Verdict} score {result.Score:F2}");
                if (expected == AnomalyVerdict.LevelShift)
                {
                    Assert.InRange(result.Baseline, level * 0.995, level * 1.005); // the old level
                    Assert.InRange(detector.GetBaseline(s), (level * shift * 0.995) - 0.005, (level * shift * 1.005) + 0.005); // re-baselined
                }
            }
        }
    }

    [Theory]
    [InlineData(19.99)]
    [InlineData(1.99)]
    [InlineData(249.99)]
    [InlineData(0.99)]
    public void Flat_series_with_rare_one_cent_moves_stays_quiet(double start)
    {
        var detector = new PriceAnomalyDetector(Defaults, 1);
        var gen = new SyntheticSeries(3);
        double price = start;
        for (int t = 0; t < 5000; t++)
        {
            if (t > 0 && gen.Next(100) == 0)
            {
                price = Math.Round(price + (gen.Next(2) == 0 ? 0.01 : -0.01), 2);
            }

            var result = detector.Observe(0, price);
            Assert.True(!result.IsAnomalous, $"t={t} price {price} flagged {result.Verdict} score {result.Score:F2} baseline {result.Baseline}");
        }
    }

    [Fact]
    public void Small_sustained_shift_below_the_robust_threshold_is_caught_by_the_ewma_chart()
    {
        // +1 % on ±0.5 % uniform noise at level 100 (well above the σ̂ floors): |x − median| ≤ 1.5 % while
        // σ̂ ≈ 0.37 %, so the robust z alone rarely reaches 5; the EWMA chart's limit is ≈ 0.6 %.
        const double shift = 1.01;
        var withEwma = new PriceAnomalyDetector(Defaults, 100);
        var robustOnly = new PriceAnomalyDetector(new AnomalyOptions { EwmaLimit = 100 }, 100);
        var gen = new SyntheticSeries(9);
        int caughtWith = 0;
        int caughtRobustOnly = 0;
        for (int s = 0; s < 100; s++)
        {
            const double level = 100;
            bool flaggedWith = false;
            bool flaggedRobustOnly = false;
            for (int t = 0; t < 400; t++)
            {
                double x = gen.Uniform(t >= 100 ? level * shift : level);
                var a = withEwma.Observe(s, x);
                var b = robustOnly.Observe(s, x);
                if (t < 100)
                {
                    Assert.False(a.IsAnomalous, $"series {s} flagged before the shift at t={t}");
                }
                else if (t < 130)
                {
                    flaggedWith |= a.IsAnomalous;
                    flaggedRobustOnly |= b.IsAnomalous;
                }
                else if (t >= 200)
                {
                    Assert.False(a.IsAnomalous, $"series {s} still flagged at t={t}");
                }
            }

            caughtWith += flaggedWith ? 1 : 0;
            caughtRobustOnly += flaggedRobustOnly ? 1 : 0;
        }

        output.WriteLine($"+1 % shift flagged within 30 points: with EWMA {caughtWith}/100 series, robust z alone {caughtRobustOnly}/100");
        Assert.True(caughtWith >= 75, $"caught only {caughtWith} of 100");
        Assert.True(caughtRobustOnly <= 15, $"robust z alone caught {caughtRobustOnly}: the shift is too large to test the EWMA");
    }

    [Fact]
    public void Non_finite_values_are_outliers_that_change_nothing()
    {
        var detector = new PriceAnomalyDetector(Defaults, 1);
        for (int t = 0; t < 50; t++)
        {
            detector.Observe(0, 10 + (0.01 * (t % 3)));
        }

        double baseline = detector.GetBaseline(0);
        var nan = detector.Observe(0, double.NaN);
        var inf = detector.Observe(0, double.PositiveInfinity);
        Assert.Equal(AnomalyVerdict.Outlier, nan.Verdict);
        Assert.Equal(AnomalyVerdict.Outlier, inf.Verdict);
        Assert.Equal(double.PositiveInfinity, nan.Score);
        Assert.Equal(baseline, detector.GetBaseline(0));
        Assert.Equal(AnomalyVerdict.Normal, detector.Observe(0, 10.01).Verdict);
    }

    [Fact]
    public void Grows_for_new_series_and_reports_state_size()
    {
        var detector = new PriceAnomalyDetector(Defaults, 0);
        Assert.Equal(0, detector.Capacity);
        Assert.Equal(AnomalyVerdict.WarmingUp, detector.Observe(5000, 10).Verdict);
        Assert.True(detector.Capacity > 5000);
        Assert.Equal(10, detector.GetBaseline(5000));
        Assert.True(double.IsNaN(detector.GetBaseline(4999)));

        // (5 + 32 ring + 3 pending) floats + 8 bytes of counters.
        Assert.Equal(168, detector.StateBytesPerSeries);
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Observe(-1, 10));

        detector.Reset(5000);
        Assert.True(double.IsNaN(detector.GetBaseline(5000)));
    }

    [Fact]
    public void Steady_state_observe_allocates_nothing()
    {
        var detector = new PriceAnomalyDetector(Defaults, 1000);
        var gen = new SyntheticSeries(1);
        var values = new double[100_000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = gen.Uniform(50) * (i % 997 == 0 ? 10 : 1);
        }

        for (int i = 0; i < values.Length; i++)
        {
            detector.Observe(i % 1000, values[i]);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += detector.Observe(i % 1000, values[i]).Score;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }
}
