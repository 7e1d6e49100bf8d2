using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Statistics;
using static PriceIntel.Engine.Tests.Statistics.SlidingWindowSeriesPropertyTests;

namespace PriceIntel.Engine.Tests.Statistics;

/// <summary>DemandWindows against a naive recomputation over random event streams.</summary>
public sealed class DemandWindowsPropertyTests
{
    private const int Buckets = 4;
    private static readonly long[] Lengths = [400_000, 2_400_000, 9_600_000];

    internal readonly record struct DemandStep(int Product, long Advance, long Behind, DemandAction Action, int Quantity, int Cents);

    private static Arbitrary<DemandStep[]> Streams =>
        (from product in Gen.Choose(0, 2)
         from advance in AdvanceGen
         from behind in BehindGen
         from action in Gen.Elements(DemandAction.View, DemandAction.View, DemandAction.View, DemandAction.AddToCart, DemandAction.Purchase, DemandAction.None)
         from quantity in Gen.Choose(1, 5)
         from cents in Gen.Choose(1, 50_000)
         select new DemandStep(product, advance, behind, action, quantity, cents)).ArrayOf().ToArbitrary();

    private static Arbitrary<long[]> AsOfOffsets =>
        Gen.Frequency(
            (4, Gen.Constant(0L)),
            (3, Gen.Choose(0, 12_000_000).Select(x => (long)x)),
            (2, Gen.Choose(-3_000_000, 0).Select(x => (long)x))).ArrayOf(4).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property CountsMatchNaiveRecomputation() =>
        Prop.ForAll(Streams, AsOfOffsets, (steps, offsets) =>
        {
            var sut = new DemandWindows(Lengths, Buckets, initialProducts: 0);
            var accepted = new List<(long Ts, DemandStep Step)>[3];
            var newest = new long[3];
            for (int i = 0; i < 3; i++)
            {
                accepted[i] = [];
            }

            // Lateness is the engine's check: the windows take any time (events whose bucket left the ring are in no window).
            long clock = T0;
            foreach (var step in steps)
            {
                clock += step.Advance;
                long ts = clock - step.Behind;
                var list = accepted[step.Product];
                sut.Add(step.Product, ts, step.Action, step.Quantity, step.Cents / 100.0);
                newest[step.Product] = list.Count == 0 ? ts : Math.Max(newest[step.Product], ts);
                list.Add((ts, step));
            }
            for (int product = 0; product < 3; product++)
            {
                var list = accepted[product];
                if (list.Count == 0)
                {
                    Assert.Equal(default, sut.Read(product, 0, T0));
                    continue;
                }

                long firstTs = list.Min(e => e.Ts);
                foreach (long offset in offsets)
                {
                    long asOf = newest[product] + offset;
                    for (int w = 0; w < Lengths.Length; w++)
                    {
                        long width = Lengths[w] / Buckets;
                        long hA = FloorDiv(asOf, width);
                        long hN = FloorDiv(newest[product], width);
                        var stats = sut.Read(product, w, asOf);
                        long first = Math.Max(hA, hN) - Buckets + 1;
                        long last = Math.Min(hA, hN);
                        var inWindow = list.Where(e => FloorDiv(e.Ts, width) >= first && FloorDiv(e.Ts, width) <= last).Select(e => e.Step).ToList();
                        var purchases = inWindow.Where(s => s.Action == DemandAction.Purchase).ToList();
                        Assert.Equal(inWindow.Count(s => s.Action == DemandAction.View), stats.Views);
                        Assert.Equal(inWindow.Count(s => s.Action == DemandAction.AddToCart), stats.AddToCarts);
                        Assert.Equal(purchases.Count, stats.Purchases);
                        Assert.Equal(purchases.Sum(s => s.Quantity), stats.Units);
                        double revenue = (double)(purchases.Sum(s => s.Cents * (decimal)s.Quantity) / 100);
                        Assert.True(Math.Abs(revenue - stats.Revenue) <= 1e-9 * Math.Max(1, revenue), $"revenue {stats.Revenue} vs {revenue}");
                        long covered = Math.Max(0, asOf - Math.Max(first * width, firstTs) + 1);
                        Assert.Equal(covered, stats.CoveredMs);
                        if (covered > 0)
                        {
                            Assert.Equal(stats.Views * 3_600_000.0 / covered, stats.ViewsPerHour, 9);
                        }
                    }
                }
            }
        });
}
