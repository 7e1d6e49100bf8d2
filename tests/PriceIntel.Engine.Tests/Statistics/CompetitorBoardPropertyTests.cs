using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Statistics;
using static PriceIntel.Engine.Tests.Statistics.SlidingWindowSeriesPropertyTests;

namespace PriceIntel.Engine.Tests.Statistics;

/// <summary>CompetitorBoard against a naive board over random observation streams.</summary>
public sealed class CompetitorBoardPropertyTests
{
    internal readonly record struct Observation(int Product, int Competitor, long Advance, long Behind, long Ticks, Availability Availability);

    private static Arbitrary<Observation[]> Streams =>
        (from product in Gen.Choose(0, 2)
         from competitor in Gen.Choose(0, 11)
         from advance in Gen.Choose(0, 5_000).Select(x => (long)x)
         from behind in Gen.Frequency((3, Gen.Constant(0L)), (1, Gen.Choose(0, 20_000).Select(x => (long)x)))
         from ticks in Gen.Frequency((3, Gen.Choose(95_000, 105_000)), (1, Gen.Choose(1, 2_000_000)))
         from availability in Gen.Elements(Availability.Unknown, Availability.InStock, Availability.InStock, Availability.OutOfStock, Availability.LimitedStock, Availability.PreOrder)
         select new Observation(product, competitor, advance, behind, ticks, availability)).ArrayOf().ToArbitrary();

    private static Arbitrary<long> OurPrices => Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(90_000, 110_000)), (1, Gen.Choose(1, 2_000_000))).Select(x => (long)x).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property BoardMatchesNaiveLatestPrices() =>
        Prop.ForAll(Streams, OurPrices, (observations, ourTicks) =>
        {
            var sut = new CompetitorBoard(initialProducts: 1);
            var latest = new Dictionary<(int Product, int Competitor), (long Ts, long Ticks, Availability Availability, int FirstSeen)>();
            long clock = T0;
            int arrival = 0;
            foreach (var o in observations)
            {
                clock += o.Advance;
                long ts = clock - o.Behind;
                var key = (o.Product, o.Competitor);
                var result = sut.Update(o.Product, o.Competitor, new Money(o.Ticks), o.Availability, ts, out var previous);
                if (!latest.TryGetValue(key, out var current))
                {
                    Assert.Equal(BoardUpdate.Added, result);
                    Assert.False(previous.HasValue);
                    latest[key] = (ts, o.Ticks, o.Availability, arrival);
                }
                else
                {
                    Assert.Equal(current.Ticks, previous.Price.Ticks);
                    Assert.Equal(current.Ts, previous.Timestamp);
                    if (ts >= current.Ts)
                    {
                        Assert.Equal(BoardUpdate.Updated, result);
                        latest[key] = (ts, o.Ticks, o.Availability, current.FirstSeen);
                    }
                    else
                    {
                        Assert.Equal(BoardUpdate.Stale, result);
                    }
                }

                arrival++;
            }

            Span<double> copied = stackalloc double[CompetitorBoard.DefaultSlots];
            for (int product = 0; product < 3; product++)
            {
                var entries = latest.Where(kv => kv.Key.Product == product).OrderBy(kv => kv.Value.FirstSeen).ToList();
                var inStock = entries.Where(kv => kv.Value.Availability != Availability.OutOfStock).ToList();
                var prices = inStock.Select(kv => kv.Value.Ticks).OrderBy(t => t).ToArray();
                var board = sut.Read(product, new Money(ourTicks));
                Assert.Equal(entries.Count, board.CompetitorCount);
                Assert.Equal(prices.Length, board.InStockCount);
                Assert.Equal(entries.Count == 0 ? long.MinValue : entries.Max(kv => kv.Value.Ts), board.NewestTimestamp);

                int n = sut.CopyInStockPrices(product, copied);
                Assert.Equal(prices.Select(t => t / 10_000.0).ToArray(), copied[..n].ToArray());

                foreach (var kv in entries)
                {
                    Assert.True(sut.TryGetQuote(product, kv.Key.Competitor, out var quote));
                    Assert.Equal(kv.Value.Ticks, quote.Price.Ticks);
                    Assert.Equal(kv.Value.Availability, quote.Availability);
                    Assert.Equal(kv.Value.Ts, quote.Timestamp);
                }

                if (prices.Length == 0)
                {
                    Assert.Equal(-1, board.CheapestCompetitorId);
                    Assert.Equal(0, board.FractionCheaper);
                    continue;
                }

                Assert.Equal(prices[0], board.Lowest.Ticks);
                Assert.Equal(prices[^1], board.Highest.Ticks);
                decimal exactMedian = prices.Length % 2 == 1
                    ? prices[prices.Length / 2]
                    : (prices[(prices.Length / 2) - 1] + prices[prices.Length / 2]) / 2m;
                Assert.Equal(decimal.Floor(exactMedian), board.Median.Ticks);
                Assert.Equal(inStock.First(kv => kv.Value.Ticks == prices[0]).Key.Competitor, board.CheapestCompetitorId);

                int cheaper = ourTicks > 0 ? prices.Count(p => p < ourTicks) : 0;
                Assert.Equal(cheaper, board.CheaperCount);
                Assert.Equal(cheaper + 1, board.Rank);
                Assert.Equal(cheaper / (double)prices.Length, board.FractionCheaper);
                double gap = ourTicks > 0 ? (ourTicks - prices[0]) / (double)prices[0] : 0;
                Assert.Equal(gap, board.GapToLowest, 12);
            }
        });
}
