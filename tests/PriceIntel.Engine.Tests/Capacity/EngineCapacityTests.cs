namespace PriceIntel.Engine.Tests.Capacity;

/// <summary>
/// Issue 15 "limits that match memory": <c>--products 10000000</c> was accepted and ran out of memory. The
/// estimate behind <see cref="EngineCapacity"/> is checked against what <see cref="MarketEngine.Create"/> really
/// allocates, and a size that cannot fit is refused before anything is allocated.
/// </summary>
public sealed class EngineCapacityTests
{
    [Theory]
    [InlineData(24, 60, 32)]
    [InlineData(96, 60, 32)]
    [InlineData(24, 0, 32)]
    [InlineData(24, 60, 256)]
    [InlineData(512, 60, 8)]
    public void Estimate_is_within_ten_percent_of_what_the_engine_allocates_per_product(int buckets, double pairWindowMinutes, int history)
    {
        var options = new PriceIntelOptions();
        options.Windows.BucketsPerWindow = buckets;
        options.Windows.PairWindowMinutes = pairWindowMinutes;
        options.Anomaly.HistoryLength = history;

        // The marginal cost of 10,000 more preallocated products (fixed costs cancel out).
        long small = Allocated(options, 2_000);
        long large = Allocated(options, 12_000);
        double measured = (large - small) / 10_000.0;

        double estimate = EngineCapacity.EstimateBytesPerProduct(options);
        Assert.InRange(estimate / measured, 0.9, 1.1);
    }

    [Fact]
    public void Ten_million_products_do_not_fit_in_24_GiB_and_the_error_names_the_limit()
    {
        const long memory = 24L << 30;
        var options = new PriceIntelOptions();
        int max = EngineCapacity.MaxProducts(options, 8, memory);
        Assert.InRange(max, 1_000_000, 2_000_000); // about 12 kB a product with the defaults

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => EngineCapacity.Validate(options, 10_000_000, 8, memory));
        Assert.Equal("products", ex.ParamName);
        Assert.Equal(10_000_000, ex.ActualValue);
        Assert.Contains("10,000,000 products", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {max:N0} products", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Windows:BucketsPerWindow = 24", ex.Message, StringComparison.Ordinal);

        EngineCapacity.Validate(options, max, 8, memory); // the limit itself fits
        Assert.Throws<ArgumentOutOfRangeException>(() => EngineCapacity.Validate(options, max + 1, 8, memory));
    }

    [Fact]
    public void More_competitors_and_buckets_lower_the_limit()
    {
        const long memory = 24L << 30;
        var defaults = new PriceIntelOptions();
        var fine = new PriceIntelOptions();
        fine.Windows.BucketsPerWindow = 240;
        Assert.True(EngineCapacity.MaxProducts(defaults, 64, memory) < EngineCapacity.MaxProducts(defaults, 8, memory));
        Assert.True(EngineCapacity.MaxProducts(fine, 8, memory) < EngineCapacity.MaxProducts(defaults, 8, memory));
    }

    [Fact]
    public void Create_refuses_a_size_that_cannot_fit_before_allocating_it()
    {
        var options = new PriceIntelOptions();
        int tooMany = (int)Math.Min(int.MaxValue, (long)EngineCapacity.MaxProducts(options) + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MarketEngine.Create(options, new MarketKeys(), initialProducts: tooMany));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("at most", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes before refusing");
    }

    private static long Allocated(PriceIntelOptions options, int products)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var engine = MarketEngine.Create(options, new MarketKeys(), initialProducts: products);
        long after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(engine);
        return after - before;
    }
}
