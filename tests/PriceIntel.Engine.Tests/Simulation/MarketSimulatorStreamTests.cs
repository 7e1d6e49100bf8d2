using static PriceIntel.Engine.Tests.Simulation.SimulationTestSupport;

namespace PriceIntel.Engine.Tests.Simulation;

public sealed class MarketSimulatorStreamTests
{
    [Fact]
    public async Task Same_seed_gives_the_same_stream_whatever_the_batch_size()
    {
        var a = await RunAsync(SmallMarket(seed: 11), batchSize: 4096);
        var b = await RunAsync(SmallMarket(seed: 11), batchSize: 1000);
        var c = await RunAsync(SmallMarket(seed: 11), batchSize: 7);

        Assert.True(a.Count > 100_000, $"only {a.Count} events");
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.Count, c.Count);
        Assert.Equal(Checksum(a), Checksum(b));
        Assert.Equal(Checksum(a), Checksum(c));
    }

    [Fact]
    public async Task Different_seeds_give_different_streams()
    {
        var a = await RunAsync(SmallMarket(seed: 11));
        var b = await RunAsync(SmallMarket(seed: 12));

        Assert.NotEqual(Checksum(a), Checksum(b));
    }

    [Fact]
    public async Task Options_changed_after_construction_do_not_affect_the_stream()
    {
        var options = SmallMarket(seed: 3);
        var expected = Checksum(await RunAsync(options));

        await using var simulator = new MarketSimulator(options, new MarketKeys());
        options.Seed = 4;
        options.ProductCount = 5;

        Assert.Equal(expected, Checksum(await ReadAllAsync(simulator)));
    }

    [Fact]
    public async Task Events_are_in_event_time_order_within_the_simulated_period()
    {
        var options = SmallMarket();
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = await ReadAllAsync(simulator);

        Assert.Equal(Start.ToUnixTimeMilliseconds(), simulator.StartTimestamp);
        Assert.Equal(Start.AddDays(2).ToUnixTimeMilliseconds(), simulator.EndTimestamp);
        var previous = long.MinValue;
        foreach (var e in events)
        {
            Assert.True(e.Timestamp >= previous, $"{e} comes after an event at {previous}");
            Assert.InRange(e.Timestamp, simulator.StartTimestamp, simulator.EndTimestamp - 1);
            previous = e.Timestamp;
        }
    }

    [Theory]
    [InlineData(1_000, 1.0, 2.0, 0.5)]      // many ticks per scrape interval
    [InlineData(3_600_000, 15.0, 60.0, 30)] // several scrapes of a pair within one tick
    [InlineData(60_000, 15.0, 60.0, 26.5)]  // defaults, with a partial last tick
    public async Task Each_pair_is_rescraped_at_its_own_interval_with_jitter(long tickMs, double minMinutes, double maxMinutes, double hours)
    {
        var options = SmallMarket();
        options.ProductCount = 20;
        options.Tick = TimeSpan.FromMilliseconds(tickMs);
        options.MinScrapeIntervalMinutes = minMinutes;
        options.MaxScrapeIntervalMinutes = maxMinutes;
        options.Duration = TimeSpan.FromHours(hours);
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = await ReadAllAsync(simulator);

        var last = new Dictionary<(int, int), long>();
        var gaps = 0;
        var previous = long.MinValue;
        foreach (var e in events)
        {
            Assert.True(e.Timestamp >= previous);
            Assert.True(e.Timestamp < simulator.EndTimestamp);
            previous = e.Timestamp;
            if (e.Kind != MarketEventKind.CompetitorPrice)
            {
                continue;
            }

            if (last.TryGetValue((e.ProductId, e.CompetitorId), out var before))
            {
                var gap = (e.Timestamp - before) / 60_000.0;
                Assert.InRange(gap, minMinutes * 0.9 - 0.001, maxMinutes * 1.1 + 0.001);
                gaps++;
            }
            else
            {
                Assert.InRange(e.Timestamp - simulator.StartTimestamp, 0, (long)(maxMinutes * 60_000));
            }

            last[(e.ProductId, e.CompetitorId)] = e.Timestamp;
        }

        Assert.Equal(20 * 8, last.Count);
        Assert.True(gaps > 20 * 8 * (hours * 60 / maxMinutes - 2), $"{gaps} re-scrapes");
    }

    [Fact]
    public async Task Every_key_is_interned_through_the_given_tables()
    {
        var keys = new MarketKeys();
        var unrelatedProduct = keys.Products.Intern("OTHER-PRODUCT");
        var unrelatedCompetitor = keys.Competitors.Intern("someone-else");
        await using var simulator = new MarketSimulator(SmallMarket(), keys);
        var events = await ReadAllAsync(simulator);

        var products = new HashSet<int>();
        var competitors = new HashSet<int>();
        foreach (var e in events)
        {
            Assert.NotEqual(unrelatedProduct, e.ProductId);
            products.Add(e.ProductId);
            Assert.Matches(@"^SKU-\d{6}$", keys.Products.GetName(e.ProductId));
            if (e.Kind == MarketEventKind.CompetitorPrice)
            {
                Assert.NotEqual(unrelatedCompetitor, e.CompetitorId);
                competitors.Add(e.CompetitorId);
                Assert.Matches(@"^competitor-0[1-8]$", keys.Competitors.GetName(e.CompetitorId));
                Assert.InRange(e.PlatformId, 0, keys.Platforms.Count - 1);
                Assert.NotEqual(Availability.Unknown, e.Availability);
            }
            else
            {
                Assert.Equal(-1, e.CompetitorId);
            }

            if (e.Kind is MarketEventKind.CompetitorPrice or MarketEventKind.Cost or MarketEventKind.ListPrice)
            {
                Assert.True(e.Price.IsValidPrice, e.ToString());
                Assert.Equal(CurrencyCode.Usd, e.Currency);
            }
        }

        Assert.Equal(200, products.Count);
        Assert.Equal(8, competitors.Count);
        Assert.Equal("SKU-000000", keys.Products.GetName(events[0].ProductId));
        Assert.Equal(3, keys.Platforms.Count);
    }

    [Fact]
    public async Task The_stream_opens_with_list_price_cost_and_inventory_for_every_product()
    {
        var options = SmallMarket();
        options.InitialPriceMarkup = null;
        var events = await RunAsync(options);
        var start = Start.ToUnixTimeMilliseconds();

        var opening = events.Take(3 * 200).ToList();
        Assert.All(opening, e => Assert.Equal(start, e.Timestamp));
        Assert.Equal(200, opening.Count(e => e.Kind == MarketEventKind.ListPrice));
        Assert.Equal(200, opening.Count(e => e.Kind == MarketEventKind.Cost));
        Assert.Equal(200, opening.Count(e => e.Kind == MarketEventKind.Inventory));

        var cost = opening.Where(e => e.Kind == MarketEventKind.Cost).ToDictionary(e => e.ProductId, e => e.Price.ToDouble());
        foreach (var list in opening.Where(e => e.Kind == MarketEventKind.ListPrice))
        {
            // Unit cost is 55–80 % of the base price; our shelf price is the base price with a .99 ending.
            var ratio = cost[list.ProductId] / list.Price.ToDouble();
            Assert.InRange(ratio, 0.40, 0.95);
            Assert.InRange(list.Price.ToDouble(), 0.99, 2000.99);
        }

        Assert.All(opening.Where(e => e.Kind == MarketEventKind.Inventory), e => Assert.True(e.Quantity > 12, e.ToString()));
    }

    [Fact]
    public async Task ReadAsync_respects_the_destination_and_returns_zero_at_the_end()
    {
        var options = SmallMarket();
        options.ProductCount = 5;
        options.Duration = TimeSpan.FromHours(3);
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var buffer = new MarketEvent[10];
        long total = 0;
        int n;
        while ((n = await simulator.ReadAsync(buffer.AsMemory(0, 3), FailingRejections.Instance, default)) > 0)
        {
            Assert.InRange(n, 1, 3);
            Assert.Equal(default, buffer[3]);
            total += n;
        }

        Assert.Equal(0, await simulator.ReadAsync(buffer, FailingRejections.Instance, default));
        Assert.Equal(simulator.GetStatistics().Events, total);
        Assert.Equal(180, simulator.GetStatistics().Ticks);
        await Assert.ThrowsAsync<ArgumentException>(async () => await simulator.ReadAsync(Memory<MarketEvent>.Empty, FailingRejections.Instance, default));
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_read_and_disposal_ends_the_stream()
    {
        var simulator = new MarketSimulator(SmallMarket(), new MarketKeys());
        var buffer = new MarketEvent[16];
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await simulator.ReadAsync(buffer, FailingRejections.Instance, new CancellationToken(canceled: true)));
        Assert.Equal(16, await simulator.ReadAsync(buffer, FailingRejections.Instance, default));

        await simulator.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await simulator.ReadAsync(buffer, FailingRejections.Instance, default));
    }

    [Fact]
    public async Task Reading_allocates_nothing_per_event_once_warmed_up()
    {
        var options = SmallMarket();
        options.Duration = TimeSpan.FromDays(3);
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var buffer = new MarketEvent[4096];
        long events = 0;
        while (events < 50_000)
        {
            events += await simulator.ReadAsync(buffer, FailingRejections.Instance, default);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        long measured = 0;
        int n;
        while ((n = ReadSynchronously(simulator, buffer)) > 0)
        {
            measured += n;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(measured > 150_000, $"{measured} events measured");
        Assert.True(allocated < 1_024, $"{allocated} bytes allocated over {measured} events");
    }

    [Fact]
    public async Task Statistics_match_the_stream()
    {
        await using var simulator = new MarketSimulator(SmallMarket(), new MarketKeys());
        var events = await ReadAllAsync(simulator);
        var stats = simulator.GetStatistics();

        Assert.Equal(events.Count, stats.Events);
        Assert.Equal(events.Count(e => e.Kind == MarketEventKind.CompetitorPrice), stats.CompetitorPrices);
        Assert.Equal(events.Count(e => e.Action == DemandAction.View), stats.Views);
        Assert.Equal(events.Count(e => e.Action == DemandAction.AddToCart), stats.AddToCarts);
        Assert.Equal(events.Count(e => e.Kind == MarketEventKind.Inventory), stats.InventoryUpdates);
        Assert.Equal(events.Count(e => e.Kind == MarketEventKind.Cost), stats.CostChanges);

        // Purchases generated in the last minutes may fall after the end and are dropped.
        var purchases = events.Count(e => e.Action == DemandAction.Purchase);
        Assert.InRange(stats.Purchases - purchases, 0, 5);
        Assert.True(stats.Purchases > 100, stats.ToString());
    }

    private static int ReadSynchronously(MarketSimulator simulator, MarketEvent[] buffer)
    {
#pragma warning disable CA2012 // the result is read only after the test asserted it completed
        var read = simulator.ReadAsync(buffer, FailingRejections.Instance, default);
        Assert.True(read.IsCompletedSuccessfully); // open loop never waits
        return read.Result;
#pragma warning restore CA2012
    }
}
