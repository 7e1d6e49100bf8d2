using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Anomaly;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Tests.Anomaly;

public sealed class AnomalyDetectorTests
{
    private const long T0 = 1_767_571_200_000; // Monday 2026-01-05 00:00 UTC
    private const long Hour = 3_600_000;

    private static AnomalyDetector Create(AnomalySeasonality seasonality = AnomalySeasonality.None) =>
        AnomalyDetector.Create(new AnomalyDetectorOptions { Seasonality = seasonality });

    /// <summary>Feeds values hourly from T0 (or at <paramref name="timestamps"/>); returns the indices flagged anomalous and the verdicts.</summary>
    private static (List<int> Flagged, AnomalyScore[] Results) Run(AnomalyDetector detector, IReadOnlyList<double> values, int series = 0, long[]? timestamps = null)
    {
        var flagged = new List<int>();
        var results = new AnomalyScore[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            results[i] = detector.Observe(series, timestamps?[i] ?? T0 + (i * Hour), values[i]);
            if (results[i].IsAnomalous)
            {
                flagged.Add(i);
            }
        }

        return (flagged, results);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void A_long_flat_stretch_takes_one_cent_moves_quietly_and_a_cut_to_a_new_flat_level_is_confirmed_then_quiet()
    {
        var values = new List<double>();
        values.AddRange(Enumerable.Repeat(19.99, 2000));
        values.AddRange(Enumerable.Repeat(19.98, 500)); // a one-cent correction
        values.AddRange(Enumerable.Repeat(19.99, 500));
        values.AddRange(Enumerable.Repeat(16.99, 3000)); // a real cut, then flat for a long time
        var (flagged, results) = Run(Create(), values);

        Assert.Equal([3000, 3001, 3002], flagged);
        Assert.Equal(AnomalyVerdict.Outlier, results[3000].Verdict);
        Assert.Equal(AnomalyVerdict.LevelShift, results[3002].Verdict);
        Assert.Equal(16.99, results[^1].Baseline, 9);
        Assert.All(results.Skip(12), r => Assert.True(double.IsFinite(r.Score) && r.Score < 300));
        Assert.True(results[2000].Score < 1, $"one-cent move scored {results[2000].Score}");
    }

    [Fact]
    public void A_quantised_series_is_not_flagged_on_every_step_and_its_spike_is()
    {
        var rng = new Random(11);
        var values = Enumerable.Range(0, 5000).Select(_ => Math.Round(20 + (0.6 * Gaussian(rng)))).ToArray();
        values[4000] += 15;
        var (flagged, _) = Run(Create(), values);
        Assert.Equal([4000], flagged);
    }

    [Theory]
    [InlineData(10.0)] // bad scrape ×10
    [InlineData(0.1)] // bad scrape ÷10
    [InlineData(0.7)] // a one-hour −30 % dip
    public void A_one_off_spike_or_dip_is_an_outlier_that_does_not_move_the_baseline(double factor)
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 600).Select(_ => Math.Round(100 * (1 + (0.005 * Gaussian(rng))), 2)).ToArray();
        values[400] *= factor;
        var detector = Create();
        var (flagged, results) = Run(detector, values);
        Assert.Equal([400], flagged);
        Assert.Equal(AnomalyVerdict.Outlier, results[400].Verdict);
        Assert.Equal(results[400].Baseline, results[401].Baseline, 9);
        Assert.InRange(results[401].Baseline, 99, 101);
        Assert.True(results[400].Score > 2.5);
    }

    [Fact]
    public void A_real_level_shift_is_confirmed_re_baselined_and_quiet_after()
    {
        var rng = new Random(5);
        var values = Enumerable.Range(0, 3000).Select(i => Math.Round((i < 1000 ? 100 : 88) * (1 + (0.005 * Gaussian(rng))), 2)).ToArray();
        var (flagged, results) = Run(Create(), values);
        Assert.Equal([1000, 1001, 1002], flagged);
        Assert.Equal(AnomalyVerdict.LevelShift, results[1002].Verdict);
        Assert.InRange(results[1003].Baseline, 87, 89);
        Assert.True(results[1002].Score > 3 * results[1000].Score * 0.9, "a level shift's score is the joint score of its run");
    }

    [Fact]
    public void A_gradual_drift_is_followed_without_flags()
    {
        var rng = new Random(7);
        var values = Enumerable.Range(0, 5000).Select(i => Math.Round(100 * (1 + (0.4 * i / 5000.0)) * (1 + (0.003 * Gaussian(rng))), 2)).ToArray();
        var (flagged, results) = Run(Create(), values);
        Assert.Empty(flagged);
        Assert.InRange(results[^1].Baseline, 138, 141);
    }

    [Fact]
    public void A_variance_increase_is_absorbed_and_the_series_goes_quiet_again()
    {
        var rng = new Random(9);
        var values = Enumerable.Range(0, 4000).Select(i => 100 + ((i < 1000 ? 0.2 : 2.0) * Gaussian(rng))).ToArray();
        var (flagged, results) = Run(Create(), values);
        Assert.DoesNotContain(flagged, i => i < 1000);
        Assert.True(flagged.Count <= 5, $"flags around the change: {string.Join(",", flagged)}");
        Assert.InRange(results[999].Scale, 0.15, 0.3);
        Assert.InRange(results[^1].Scale, 1.5, 3.0); // the scale followed the noise up tenfold
    }

    [Fact]
    public void A_daily_cycle_is_learned_with_seasonality_and_a_spike_on_top_of_it_is_still_flagged()
    {
        var rng = new Random(13);
        var values = Enumerable.Range(0, 24 * 60).Select(i => 100 * (1 + (0.3 * Math.Cos(2 * Math.PI * ((i % 24) - 20) / 24)) + (0.01 * Gaussian(rng)))).ToArray();
        values[24 * 50] += 40;
        var (seasonal, _) = Run(Create(AnomalySeasonality.Daily), values);
        var (plain, _) = Run(Create(), values);

        Assert.Contains(24 * 50, seasonal);
        Assert.True(seasonal.Count(i => i >= 24 * 14) <= 2, $"seasonal: {string.Join(",", seasonal)}");
        Assert.DoesNotContain(24 * 50, plain); // without the seasonal baseline the cycle hides the spike
    }

    [Fact]
    public void Counts_at_and_near_zero_score_finitely_and_a_burst_is_flagged()
    {
        var rng = new Random(17);
        var values = new double[5000];
        for (int i = 0; i < values.Length; i++)
        {
            double limit = Math.Exp(-0.4);
            double product = rng.NextDouble();
            int k = 0;
            while (product > limit)
            {
                product *= rng.NextDouble();
                k++;
            }

            values[i] = k;
        }

        values[3000] = 25;
        var (flagged, results) = Run(Create(), values);
        Assert.Equal([3000], flagged);
        Assert.All(results, r => Assert.False(double.IsNaN(r.Score)));
        Assert.All(results.Skip(12), r => Assert.True(r.Scale >= 1, "the quantum (1) floors the scale"));
    }

    [Fact]
    public void Negative_and_zero_values_shift_levels_without_ratio_trouble()
    {
        var values = Enumerable.Range(0, 600).Select(i => i < 300 ? -5.0 + (0.1 * (i % 3)) : 0.0 + (0.1 * (i % 3))).ToArray();
        var (flagged, results) = Run(Create(), values);
        Assert.Equal([300, 301, 302], flagged);
        Assert.Equal(AnomalyVerdict.LevelShift, results[302].Verdict);
        Assert.InRange(results[^1].Baseline, -0.2, 0.3);
    }

    [Fact]
    public void After_a_gap_in_time_a_move_is_confirmed_as_a_shift_and_a_later_spike_is_still_found()
    {
        var rng = new Random(19);
        var ts = new long[1200];
        var values = new double[1200];
        for (int i = 0; i < ts.Length; i++)
        {
            ts[i] = T0 + (i * Hour) + (i >= 600 ? 6 * 24 * Hour : 0); // a six-day outage before point 600
            values[i] = Math.Round((i < 600 ? 100 : 115) * (1 + (0.005 * Gaussian(rng))), 2);
        }

        values[1000] *= 10;
        var (flagged, results) = Run(Create(), values, timestamps: ts);
        Assert.Contains(results.Skip(600).Take(4), r => r.Verdict == AnomalyVerdict.LevelShift);
        Assert.Contains(1000, flagged);
        Assert.True(flagged.Count <= 5, string.Join(",", flagged));
        Assert.True(results[600].Scale > results[599].Scale * 2, "the scale widens after the gap");
    }

    [Fact]
    public void Scores_mean_the_same_on_every_series_whatever_its_level()
    {
        var detector = Create();
        double[] levels = [0.5, 100, 250_000];
        var scores = new double[levels.Length][];
        for (int s = 0; s < levels.Length; s++)
        {
            var rng = new Random(23);
            var values = Enumerable.Range(0, 500).Select(i => levels[s] * (1 + (0.01 * Gaussian(rng)) + (i == 300 ? 0.15 : 0))).ToArray();
            scores[s] = Run(detector, values, series: s).Results.Select(r => r.Score).ToArray();
        }

        for (int i = 12; i < 500; i++)
        {
            Assert.Equal(scores[0][i], scores[1][i], 6);
            Assert.Equal(scores[0][i], scores[2][i], 6);
        }

        Assert.True(scores[0][300] > 2.5);
    }

    [Fact]
    public void On_gaussian_noise_p_values_are_conservative()
    {
        var detector = Create();
        var rng = new Random(29);
        int below = 0;
        int n = 0;
        for (int s = 0; s < 20; s++)
        {
            for (int i = 0; i < 5000; i++)
            {
                var r = detector.Observe(s, T0 + (i * Hour), 50 + Gaussian(rng));
                if (i >= 50)
                {
                    n++;
                    below += r.PValue <= 0.01 ? 1 : 0;
                }
            }
        }

        Assert.InRange(below / (double)n, 1e-6, 0.01);
    }

    [Fact]
    public void A_non_finite_value_is_an_outlier_that_changes_nothing()
    {
        var detector = Create();
        for (int i = 0; i < 50; i++)
        {
            detector.Observe(0, T0 + (i * Hour), 10 + (0.01 * (i % 5)));
        }

        var r = detector.Observe(0, T0 + (50 * Hour), double.NaN);
        Assert.Equal(AnomalyVerdict.Outlier, r.Verdict);
        Assert.Equal(AnomalyVerdict.Normal, detector.Observe(0, T0 + (51 * Hour), 10.02).Verdict);
    }

    [Property(MaxTest = 200)]
    public Property The_closed_form_t4_tail_matches_numerical_integration_of_the_density()
    {
        return Prop.ForAll(Gen.Choose(0, 4000).Select(i => i / 100.0).ToArbitrary(), t =>
        {
            // Two-sided tail = 2 ∫_t^∞ f(x) dx, f(x) = (3/8)(1 + x²/4)^(−5/2); substitute x = t + y/(1 − y), Simpson on [0, 1).
            const int steps = 20_000;
            double h = 1.0 / steps;
            double sum = 0;
            for (int k = 0; k <= steps; k++)
            {
                double y = Math.Min(k * h, 1 - 1e-12);
                double x = t + (y / (1 - y));
                double f = 0.375 * Math.Pow(1 + (x * x / 4), -2.5) / ((1 - y) * (1 - y));
                sum += f * (k == 0 || k == steps ? 1 : k % 2 == 1 ? 4 : 2);
            }

            double integral = 2 * sum * h / 3;
            double closed = TailProbability.TwoSided(t);
            return (Math.Abs(closed - integral) <= 1e-7 * Math.Max(1e-3, integral)).Label($"t={t} closed={closed} numeric={integral}");
        });
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(6.0)]
    [InlineData(40.0)]
    public void The_score_threshold_as_a_deviation_round_trips(double score) =>
        Assert.Equal(score, TailProbability.Score(TailProbability.DeviationFor(score)), 9);

    [Fact]
    public void Observing_allocates_nothing()
    {
        var detector = Create(AnomalySeasonality.Weekly);
        var rng = new Random(31);
        void Feed(int from)
        {
            for (int i = from; i < from + 20_000; i++)
            {
                double v = 100 + Gaussian(rng) + (i % 997 == 0 ? 50 : 0);
                detector.Observe(i & 255, T0 + (i * Hour), v);
            }
        }

        Feed(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Feed(20_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void State_round_trips_through_a_snapshot()
    {
        var options = EngineAnomalyOptions.From(new AnomalyOptions());
        var a = new RobustSeriesDetector(options, 4);
        var rng = new Random(37);
        for (int i = 0; i < 400; i++)
        {
            a.Observe(i % 4, T0 + (i * Hour), 20 + Gaussian(rng));
        }

        var bytes = Write(a, 4);
        var b = new RobustSeriesDetector(options, 1);
        var reader = SnapshotReader.OverUnframed(bytes);
        b.ReadState(ref reader);
        for (int i = 400; i < 600; i++)
        {
            double v = 20 + Gaussian(rng) + (i == 500 ? 30 : 0);
            Assert.Equal(a.Observe(i % 4, T0 + (i * Hour), v), b.Observe(i % 4, T0 + (i * Hour), v));
        }
    }

    [Fact]
    public void A_hostile_series_count_is_invalid_data_not_a_huge_allocation()
    {
        var options = EngineAnomalyOptions.From(new AnomalyOptions());
        var bytes = Write(new RobustSeriesDetector(options, 2), 2);
        BitConverter.TryWriteBytes(bytes.AsSpan(12, 4), int.MaxValue / 2); // the series count after tag, confirmations, buckets
        var b = new RobustSeriesDetector(options, 1);
        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = SnapshotReader.OverUnframed(bytes);
            b.ReadState(ref reader);
        });
        Assert.Equal(1, b.Capacity);
    }

    [Fact]
    public void Options_name_the_option_and_value_when_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyDetectorOptions { OutlierScore = -1 });
        Assert.Contains("OutlierScore", e.Message, StringComparison.Ordinal);
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyDetectorOptions { LevelShiftConfirmations = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyDetectorOptions { RelativeScaleFloor = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyDetector.Create(new AnomalyDetectorOptions()).Observe(-1, 0, 1));
    }

    private static byte[] Write(RobustSeriesDetector detector, int series)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new SnapshotWriter(buffer);
        detector.WriteState(ref w, series);
        return buffer.WrittenSpan[SnapshotFormat.HeaderBytes..].ToArray(); // the component's part, without the snapshot header
    }
}
