using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Statistics;

namespace PriceIntel.Engine.Tests.Statistics;

/// <summary>SlidingWindowSeries against a naive recomputation over random event streams.</summary>
public sealed class SlidingWindowSeriesPropertyTests
{
    internal const long T0 = 1_700_000_000_000;
    private const int Buckets = 6;
    private const int MedianRing = 5;
    private static readonly long[] Lengths = [600_000, 3_600_000];

    /// <summary>One generated step: which series, how far the clock moves, how far behind the clock the event is, its value.</summary>
    internal readonly record struct Step(int Series, long Advance, long Behind, int Cents);

    internal static Gen<long> AdvanceGen =>
        Gen.Frequency(
            (8, Gen.Choose(0, 20_000).Select(x => (long)x)),
            (3, Gen.Choose(0, 400_000).Select(x => (long)x)),
            (1, Gen.Choose(0, 5_000_000).Select(x => (long)x)));

    internal static Gen<long> BehindGen =>
        Gen.Frequency(
            (6, Gen.Constant(0L)),
            (3, Gen.Choose(0, 120_000).Select(x => (long)x)),
            (1, Gen.Choose(0, 400_000).Select(x => (long)x)));

    private static Arbitrary<Step[]> Streams =>
        (from series in Gen.Choose(0, 2)
         from advance in AdvanceGen
         from behind in BehindGen
         from cents in Gen.Frequency((3, Gen.Choose(9_900, 10_100)), (1, Gen.Choose(1, 1_000_000)))
         select new Step(series, advance, behind, cents)).ArrayOf().ToArbitrary();

    private static Arbitrary<long[]> AsOfOffsets =>
        Gen.Frequency(
            (4, Gen.Constant(0L)),
            (3, Gen.Choose(0, 4_000_000).Select(x => (long)x)),
            (2, Gen.Choose(-700_000, 0).Select(x => (long)x))).ArrayOf(4).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property WindowsMatchNaiveRecomputation() =>
        Prop.ForAll(Streams, AsOfOffsets, (steps, offsets) =>
        {
            var sut = new SlidingWindowSeries(Lengths, Buckets, 0.25, initialSeries: 1, medianCapacity: MedianRing);
            var model = new NaiveSeries[3];
            for (int i = 0; i < model.Length; i++)
            {
                model[i] = new NaiveSeries();
            }

            // Lateness is the engine's check: the series takes any time (values whose bucket left the ring are in no window).
            long clock = T0;
            int arrival = 0;
            foreach (var step in steps)
            {
                clock += step.Advance;
                long ts = clock - step.Behind;
                double value = step.Cents / 100.0;
                model[step.Series].Add(ts, value, arrival++, 0.25);
                sut.Add(step.Series, ts, value);
            }

            for (int series = 0; series < model.Length; series++)
            {
                var m = model[series];
                Assert.Equal(m.Accepted.Count > 0, sut.HasValue(series));
                if (m.Accepted.Count == 0)
                {
                    continue;
                }

                CheckScalars(sut, series, m);
                foreach (long offset in offsets)
                {
                    for (int w = 0; w < Lengths.Length; w++)
                    {
                        CheckWindow(sut, series, w, m, m.Newest + offset);
                    }
                }
            }
        });

    private static void CheckScalars(SlidingWindowSeries sut, int series, NaiveSeries m)
    {
        var byKey = m.Accepted.OrderBy(e => e.Ts).ThenBy(e => e.Arrival).ToList();
        Assert.Equal(byKey[^1].Value, sut.Last(series));
        Assert.Equal(m.Newest, sut.LastTimestamp(series));
        Assert.Equal(byKey.Count > 1, sut.HasPrevious(series));
        if (byKey.Count > 1)
        {
            Assert.Equal(byKey[^2].Value, sut.Previous(series));
            Assert.Equal(byKey[^2].Ts, sut.PreviousTimestamp(series));
            Assert.Equal(byKey[^1].Value - byKey[^2].Value, sut.Change(series), 9);
        }

        Assert.Equal(m.Ewma, sut.Ewma(series), 9);
    }

    private static void CheckWindow(SlidingWindowSeries sut, int series, int w, NaiveSeries m, long asOf)
    {
        long width = Lengths[w] / Buckets;
        long hA = FloorDiv(asOf, width);
        long hN = FloorDiv(m.Newest, width);
        long first = Math.Max(hA, hN) - Buckets + 1;
        long last = Math.Min(hA, hN);
        var inWindow = m.Accepted.Where(e => FloorDiv(e.Ts, width) >= first && FloorDiv(e.Ts, width) <= last).ToList();
        var stats = sut.Read(series, w, asOf);
        Assert.Equal(inWindow.Count, stats.Count);
        if (inWindow.Count == 0)
        {
            Assert.True(double.IsNaN(stats.Mean));
            return;
        }

        double mean = inWindow.Average(e => e.Value);
        double std = Math.Sqrt(inWindow.Sum(e => (e.Value - mean) * (e.Value - mean)) / inWindow.Count);
        double min = inWindow.Min(e => e.Value);
        double max = inWindow.Max(e => e.Value);
        Assert.Equal(min, stats.Min);
        Assert.Equal(max, stats.Max);
        Assert.True(Math.Abs(mean - stats.Mean) <= 1e-9 * Math.Max(1, Math.Abs(mean)), $"mean {stats.Mean} vs {mean}");
        Assert.True(Math.Abs(std - stats.StdDev) <= 1e-6 * Math.Max(1, max - min), $"std {stats.StdDev} vs {std}");

        // The ring holds the R accepted values with the newest (time, arrival); the median is theirs within the window.
        var ring = m.Accepted.OrderBy(e => e.Ts).ThenBy(e => e.Arrival).TakeLast(MedianRing)
            .Where(e => FloorDiv(e.Ts, width) >= first && FloorDiv(e.Ts, width) <= last)
            .Select(e => e.Value).ToArray();
        Assert.Equal(SlidingWindowSeries.MedianOf(ring), stats.Median);
        if (inWindow.Count <= MedianRing && asOf >= m.Newest)
        {
            // Stated bound: exact while the window holds at most R values.
            Assert.Equal(NaiveMedian(inWindow.Select(e => e.Value)), stats.Median);
        }
        else if (ring.Length > 0)
        {
            Assert.InRange(stats.Median, min, max);
        }
    }

    internal static double NaiveMedian(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    internal static long FloorDiv(long a, long b) => (long)Math.Floor(a / (decimal)b);

    private sealed class NaiveSeries
    {
        public List<(long Ts, double Value, int Arrival)> Accepted { get; } = [];

        public long Newest { get; private set; } = long.MinValue;

        public double Ewma { get; private set; }

        public void Add(long ts, double value, int arrival, double alpha)
        {
            if (Accepted.Count == 0)
            {
                Ewma = value;
            }
            else if (ts >= Newest)
            {
                Ewma += alpha * (value - Ewma);
            }

            Accepted.Add((ts, value, arrival));
            Newest = Math.Max(Newest, ts);
        }
    }
}
