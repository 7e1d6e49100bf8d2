using PriceIntel.Engine.Statistics;

namespace PriceIntel.Engine.Tests.Statistics;

/// <summary>Hand-computed examples for the window series, demand windows and the market board.</summary>
public sealed class StatisticsExampleTests
{
    // Divisible by 21,600,000, so every bucket width used below starts a bucket here.
    private const long Base = 1_700_006_400_000;

    private static SlidingWindowSeries OneMinuteSeries() =>
        new([60_000], bucketsPerWindow: 6, ewmaAlpha: 0.5, initialSeries: 1, medianCapacity: 3);

    [Fact]
    public void Std_dev_stays_exact_when_the_series_started_far_from_the_window()
    {
        // A first value 100× off (a bad scrape, say) used to be the pivot of every sum, and the tight
        // window later on lost four digits of its standard deviation to cancellation.
        var series = new SlidingWindowSeries([3_600_000], 12, 0.1, initialSeries: 1, medianCapacity: 0);
        const long t0 = 1_700_000_000_000;
        series.Add(0, t0, 9216.66);
        var values = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            double v = i % 2 == 0 ? 99.39 : 99.40;
            series.Add(0, t0 + 7_200_000 + (i * 1000), v);
            values.Add(v);
        }

        var stats = series.Read(0, 0, t0 + 7_200_000 + (199 * 1000));
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        Assert.Equal(200, stats.Count);
        Assert.Equal(mean, stats.Mean, 9);
        Assert.Equal(std, stats.StdDev, 9);
    }

    [Fact]
    public void WindowStatsLastPreviousAndEwmaByHand()
    {
        var sut = OneMinuteSeries();
        sut.Add(0, Base + 1_000, 10);
        sut.Add(0, Base + 12_000, 20);
        sut.Add(0, Base + 25_000, 30);
        sut.Add(0, Base + 26_000, 40);

        var stats = sut.Read(0, 0, Base + 26_000);
        Assert.Equal(4, stats.Count);
        Assert.Equal(25, stats.Mean, 12);
        Assert.Equal(Math.Sqrt(125), stats.StdDev, 12);
        Assert.Equal(10, stats.Min);
        Assert.Equal(40, stats.Max);
        Assert.Equal(30, stats.Median); // 4 values > R = 3: median of the 3 newest (20, 30, 40)

        Assert.Equal(40, sut.Last(0));
        Assert.Equal(30, sut.Previous(0));
        Assert.Equal(10, sut.Change(0));
        Assert.Equal(1 / 3.0, sut.ChangeFraction(0), 12);
        Assert.Equal(31.25, sut.Ewma(0), 12); // 10 → 15 → 22.5 → 31.25
        Assert.Equal(Base + 26_000, sut.LastTimestamp(0));
        Assert.Equal(10_000, sut.BucketWidthMs(0));
    }

    [Fact]
    public void OutOfOrderIsMergedIntoItsBucketWhileTheRingHoldsIt()
    {
        var sut = OneMinuteSeries();
        sut.Add(0, Base + 1_000, 10);
        sut.Add(0, Base + 25_000, 30);
        sut.Add(0, Base + 26_000, 40);

        sut.Add(0, Base + 25_500, 100); // 500 ms behind: merged, newer than Previous (25,000)
        Assert.Equal(40, sut.Last(0));
        Assert.Equal(100, sut.Previous(0));
        Assert.Equal(Base + 25_500, sut.PreviousTimestamp(0));
        Assert.Equal(30, sut.Ewma(0), 12); // 10 → 20 → 30; the out-of-order value is not folded in

        sut.Add(0, Base + 22_000, 7); // 4,000 ms behind: merged, older than Previous
        Assert.Equal(100, sut.Previous(0));

        // Lateness is the engine's check; the series merges any time whose bucket is still in the ring
        // (buckets −3..2 of 10 s here) and drops the rest from its windows.
        sut.Add(0, Base - 35_000, 5);  // bucket −4: left the ring, in no window at this or any later time
        sut.Add(0, Base - 25_000, 3);  // bucket −3: the oldest bucket of the window
        var stats = sut.Read(0, 0, Base + 26_000);
        Assert.Equal(6, stats.Count);
        Assert.Equal(3, stats.Min);
        Assert.Equal(100, stats.Max);
        Assert.Equal(190 / 6.0, stats.Mean, 12);
        Assert.Equal(40, stats.Median); // ring of 3 newest by time: 30 (25,000), 100 (25,500), 40 (26,000)
        Assert.Equal(100, sut.Previous(0));
        Assert.Equal(40, sut.Last(0));
    }

    [Fact]
    public void WindowSlidesOneBucketAtATime()
    {
        var sut = OneMinuteSeries();
        sut.Add(0, Base + 1_000, 10);   // bucket 0
        sut.Add(0, Base + 12_000, 20);  // bucket 1
        sut.Add(0, Base + 25_000, 30);  // bucket 2
        sut.Add(0, Base + 26_000, 40);  // bucket 2
        sut.Add(0, Base + 75_000, 50); // bucket 7: the window is now buckets 2..7

        var now = sut.Read(0, 0, Base + 75_000);
        Assert.Equal(3, now.Count);
        Assert.Equal(30, now.Min);
        Assert.Equal(50, now.Max);
        Assert.Equal(40, now.Mean, 12);
        Assert.Equal(40, now.Median);

        // As of bucket 2 only bucket 2 is still in the ring.
        var past = sut.Read(0, 0, Base + 26_000);
        Assert.Equal(2, past.Count);
        Assert.Equal(35, past.Mean, 12);
        Assert.Equal(35, past.Median);

        // A minute later only bucket 7 is left; later still, nothing.
        Assert.Equal(1, sut.Read(0, 0, Base + 129_999).Count);
        var empty = sut.Read(0, 0, Base + 130_000);
        Assert.True(empty.IsEmpty);
        Assert.True(double.IsNaN(empty.Mean));
        Assert.Equal(50, sut.Last(0)); // scalars do not expire
    }

    [Fact]
    public void SeriesWithoutWindowsKeepsScalarsAndSizesAreAsDocumented()
    {
        var scalars = new SlidingWindowSeries([], bucketsPerWindow: 24, ewmaAlpha: 1, initialSeries: 0, medianCapacity: 0);
        Assert.False(scalars.HasValue(3));
        scalars.Add(3, Base, 19.99);
        scalars.Add(3, Base + 10, 17.99);
        Assert.Equal(19.99, scalars.Previous(3));
        scalars.Add(3, Base + 9, 18.99); // out of order but newer than Previous: becomes Previous, Last stays
        Assert.Equal(17.99, scalars.Last(3));
        Assert.Equal(18.99, scalars.Previous(3));
        Assert.Equal(17.99, scalars.Ewma(3)); // alpha 1 follows the last in-order value
        Assert.Equal(-1, scalars.Change(3), 12);
        Assert.True(scalars.Capacity >= 4);
        Assert.Equal(96, scalars.BytesPerSeries);

        var product = new SlidingWindowSeries([3_600_000, 86_400_000, 604_800_000], 24, 0.1, 1, medianCapacity: 8);
        Assert.Equal(96 + 6 + (72 * 44) + (8 * 16), product.BytesPerSeries);
        Assert.Equal(150_000, product.BucketWidthMs(0));
        Assert.Equal(25_200_000, product.BucketWidthMs(2));
    }

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(9, 10, 0)]
    [InlineData(10, 10, 1)]
    [InlineData(-1, 10, -1)]
    [InlineData(-10, 10, -1)]
    [InlineData(-11, 10, -2)]
    public void FloorDivRoundsTowardNegativeInfinity(long timestamp, long width, long expected)
    {
        Assert.Equal(expected, WindowMath.FloorDiv(timestamp, width));
        Assert.Equal((int)(((expected % 4) + 4) % 4), WindowMath.FloorMod(expected, 4));
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        var sut = OneMinuteSeries();
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Add(-1, Base, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Read(0, 1, Base));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindowSeries([10], 24, 0.1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindowSeries([60_000], 6, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DemandWindows([], 6, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompetitorBoard(0, slotsPerProduct: 0));
        var board = new CompetitorBoard(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => board.Update(0, -1, Money.FromDecimal(1m), Availability.InStock, Base, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => board.Update(-1, 0, Money.FromDecimal(1m), Availability.InStock, Base, out _));
        Assert.Equal(0, board.CompetitorCount(0));
        Assert.True(sut.Read(99, 0, Base).IsEmpty);
    }

    [Fact]
    public void DemandCountsConversionAndRatesByHand()
    {
        // 1 h and 24 h windows of 4 buckets: 15 min and 6 h buckets.
        var sut = new DemandWindows([3_600_000, 86_400_000], 4, 1);
        for (int i = 0; i < 4; i++)
        {
            sut.Add(0, Base + (i * 1_000), DemandAction.View, 0, 0);
        }

        sut.Add(0, Base + 4_000, DemandAction.AddToCart, 1, 0);
        sut.Add(0, Base + 5_000, DemandAction.Purchase, 2, 9.99);
        sut.Add(0, Base + 6_000, DemandAction.Purchase, 1, 10.01);

        var half = sut.Read(0, 0, Base + 1_799_999);
        Assert.Equal(new DemandStats(4, 1, 2, 3, 29.99, 1_800_000), half with { Revenue = 29.99 });
        Assert.Equal(29.99, half.Revenue, 10);
        Assert.Equal(0.5, half.Conversion);
        Assert.Equal(8, half.ViewsPerHour, 10);
        Assert.Equal(4, half.PurchasesPerHour, 10);
        Assert.Equal(6, half.UnitsPerHour, 10);
        Assert.Equal(59.98, half.RevenuePerHour, 10);
        Assert.Equal(14, half.ActionsPerHour, 10);

        sut.Add(0, Base - 50_000, DemandAction.View, 0, 0); // 56 s behind the newest: counted, in the previous bucket

        // An hour later the short window no longer holds the first bucket; the long one holds everything.
        long later = Base + 3_600_010;
        var shortWindow = sut.Read(0, 0, later);
        Assert.Equal(default, shortWindow with { CoveredMs = 0 });
        Assert.Equal(3_600_010 - 900_000 + 1, shortWindow.CoveredMs);
        Assert.Equal(0, shortWindow.Conversion);
        var longWindow = sut.Read(0, 1, later);
        Assert.Equal(5, longWindow.Views);
        Assert.Equal(3, longWindow.Units);
        Assert.Equal(3_600_011 + 50_000, longWindow.CoveredMs); // from the first event, 50 s before Base
        Assert.Equal(1208, new DemandWindows([3_600_000, 604_800_000], 24, 0).BytesPerProduct);
    }

    [Fact]
    public void BoardKeepsNewestPricesExcludesOutOfStockAndRanksUs()
    {
        var sut = new CompetitorBoard(1, slotsPerProduct: 3);
        Assert.Equal(BoardUpdate.Added, sut.Update(0, 7, Money.FromDecimal(10.00m), Availability.InStock, 100, out _));
        Assert.Equal(BoardUpdate.Added, sut.Update(0, 8, Money.FromDecimal(9.50m), Availability.Unknown, 110, out _));
        Assert.Equal(BoardUpdate.Added, sut.Update(0, 9, Money.FromDecimal(8.00m), Availability.OutOfStock, 120, out _));
        Assert.Equal(BoardUpdate.Stale, sut.Update(0, 8, Money.FromDecimal(12.00m), Availability.InStock, 105, out var previous));
        Assert.Equal(Money.FromDecimal(9.50m), previous.Price);
        Assert.Equal(110, previous.Timestamp);
        Assert.Equal(1, sut.StaleObservations);

        var board = sut.Read(0, Money.FromDecimal(10.00m));
        Assert.Equal(3, board.CompetitorCount);
        Assert.Equal(2, board.InStockCount);
        Assert.Equal(Money.FromDecimal(9.50m), board.Lowest);
        Assert.Equal(Money.FromDecimal(9.75m), board.Median);
        Assert.Equal(Money.FromDecimal(10.00m), board.Highest);
        Assert.Equal(8, board.CheapestCompetitorId);
        Assert.Equal(1, board.CheaperCount);
        Assert.Equal(2, board.Rank);
        Assert.Equal(0.5, board.FractionCheaper);
        Assert.Equal(0.5 / 9.5, board.GapToLowest, 12);
        Assert.Equal(120, board.NewestTimestamp);

        // Full board: a newer newcomer replaces the stalest competitor (7 at t=100); an older one is dropped.
        Assert.Equal(BoardUpdate.Evicted, sut.Update(0, 10, Money.FromDecimal(7.00m), Availability.InStock, 130, out _));
        Assert.Equal(BoardUpdate.Dropped, sut.Update(0, 11, Money.FromDecimal(6.00m), Availability.InStock, 90, out _));
        Assert.Equal(1, sut.Evictions);
        Assert.Equal(1, sut.Drops);
        Assert.False(sut.TryGetQuote(0, 7, out _));
        Assert.False(sut.TryGetQuote(0, 11, out _));

        Span<double> prices = stackalloc double[3];
        Assert.Equal(2, sut.CopyInStockPrices(0, prices));
        Assert.Equal(7.0, prices[0]);
        Assert.Equal(9.5, prices[1]);
        Assert.Equal(1, sut.CopyInStockPrices(0, prices[..1]));

        var unknownUs = sut.Read(0, Money.Zero);
        Assert.Equal(1, unknownUs.Rank);
        Assert.Equal(0, unknownUs.GapToLowest);
        Assert.Equal(-1, sut.Read(5, Money.Zero).CheapestCompetitorId);
        Assert.Equal(320, new CompetitorBoard(0).BytesPerProduct);
    }

    [Fact]
    public void SteadyStateAddsAllocateNothing()
    {
        var series = new SlidingWindowSeries([3_600_000, 86_400_000, 604_800_000], 24, 0.1, 64, 8);
        var demand = new DemandWindows([3_600_000, 604_800_000], 24, 64);
        var board = new CompetitorBoard(64);
        void Run(long from, int count)
        {
            for (int i = 0; i < count; i++)
            {
                long ts = from + (i * 997L);
                int id = i & 63;
                series.Add(id, ts - ((i % 7) * 1_000), 10 + (i % 13));
                demand.Add(id, ts, (DemandAction)(1 + (i % 3)), 1, 9.99);
                board.Update(id, i % 9, new Money(100_000 + i), (Availability)(i % 5), ts, out _);
            }
        }

        Run(Base, 50_000); // warm up: first events, growth, JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(Base + 60_000_000, 200_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
