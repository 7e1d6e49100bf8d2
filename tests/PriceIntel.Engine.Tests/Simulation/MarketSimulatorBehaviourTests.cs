using static PriceIntel.Engine.Tests.Simulation.SimulationTestSupport;

namespace PriceIntel.Engine.Tests.Simulation;

public sealed class MarketSimulatorBehaviourTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public async Task Promotional_competitors_cut_prices_by_15_to_40_percent_and_restore_them()
    {
        var options = SmallMarket();
        options.ScrapeErrorRate = 0;
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = await ReadAllAsync(simulator);
        var stats = simulator.GetStatistics();

        int cuts = 0, restores = 0, bigDropsByOthers = 0;
        foreach (var series in CompetitorSeries(events))
        {
            var promotional = (series.Key.Competitor % 4) == 0; // competitor-01, -05: ids 0 and 4
            for (int i = 1; i < series.Value.Count; i++)
            {
                var change = (series.Value[i] / series.Value[i - 1]) - 1;
                if (change <= -0.15)
                {
                    if (promotional)
                    {
                        Assert.InRange(change, -0.41, -0.149);
                        cuts++;
                    }
                    else
                    {
                        bigDropsByOthers++;
                    }
                }
                else if (promotional && change >= 0.17)
                {
                    restores++;
                }
            }
        }

        Assert.True(stats.PromotionsStarted > 50, stats.ToString());
        Assert.InRange(cuts, stats.PromotionsStarted * 0.95, stats.PromotionsStarted); // a promotion running at the first scrape shows no cut
        Assert.InRange(restores, cuts * 0.6, cuts);
        Assert.Equal(0, bigDropsByOthers); // undercutters move at most 12 % per reprice, drift is small
    }

    [Fact]
    public async Task Scrape_errors_are_one_off_absurd_prices_at_about_the_configured_rate()
    {
        var options = SmallMarket();
        options.ScrapeErrorRate = 0.01;
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = await ReadAllAsync(simulator);

        long observations = 0, errors = 0, repeated = 0;
        foreach (var series in CompetitorSeries(events))
        {
            // Real prices stay within a factor of 2 of the series' median; errors are ×10, ÷10, ×100 or ÷100.
            var median = series.Value.Order().ElementAt(series.Value.Count / 2);
            observations += series.Value.Count;
            var previousWasError = false;
            foreach (var price in series.Value)
            {
                var ratio = price / median;
                var error = ratio is >= 5 or <= 0.2;
                if (error)
                {
                    // A factor of 10 or 100 on a price that may itself be up to 40 % off the median (a promotion).
                    Assert.True(ratio is (>= 5 and < 16) or (> 0.05 and <= 0.2) or (> 50 and < 160) or (> 0.005 and < 0.02), $"ratio {ratio}");
                    errors++;
                    repeated += previousWasError ? 1 : 0;
                }

                previousWasError = error;
            }
        }

        Assert.True(observations > 100_000, $"{observations} observations");
        Assert.InRange(errors / (double)observations, 0.0085, 0.0115);
        Assert.Equal(simulator.GetStatistics().ScrapeErrors, errors);
        Assert.True(repeated < errors * 0.03, $"{repeated} of {errors} errors follow another: errors should be one-off");
    }

    [Fact]
    public async Task Without_scrape_errors_no_price_jumps_fivefold()
    {
        var options = SmallMarket();
        options.ScrapeErrorRate = 0;
        var events = await RunAsync(options);

        foreach (var series in CompetitorSeries(events))
        {
            for (int i = 1; i < series.Value.Count; i++)
            {
                Assert.InRange(series.Value[i] / series.Value[i - 1], 0.5, 2.0);
            }
        }
    }

    [Fact]
    public async Task A_product_priced_20_percent_above_the_lowest_competitor_sells_measurably_less_than_at_parity()
    {
        var parity = PriceTest(markup: 0, elasticity: 3);
        var above = PriceTest(markup: 0.2, elasticity: 3);
        var unitsAtParity = UnitsSold(await RunAsync(parity));
        var unitsAbove = UnitsSold(await RunAsync(above));

        // Purchases scale with (price ratio)^−3: about 0.58 of parity.
        Assert.True(unitsAtParity > 1_000, $"{unitsAtParity} units at parity");
        Assert.InRange(unitsAbove / (double)unitsAtParity, 0.40, 0.80);
    }

    [Fact]
    public async Task Without_price_elasticity_the_price_makes_no_difference_to_sales()
    {
        var unitsAtParity = UnitsSold(await RunAsync(PriceTest(markup: 0, elasticity: 0)));
        var unitsAbove = UnitsSold(await RunAsync(PriceTest(markup: 0.2, elasticity: 0)));

        Assert.True(unitsAtParity > 1_000, $"{unitsAtParity} units");
        Assert.Equal(unitsAtParity, unitsAbove);
    }

    [Fact]
    public async Task Purchases_carry_quantity_and_our_current_price()
    {
        var events = await RunAsync(PriceTest(markup: 0.1, elasticity: 3));
        var ourPrice = events.Where(e => e.Kind == MarketEventKind.ListPrice).ToDictionary(e => e.ProductId, e => e.Price);

        var purchases = events.Where(e => e.Action == DemandAction.Purchase).ToList();
        Assert.NotEmpty(purchases);
        Assert.All(purchases, e =>
        {
            Assert.Equal(ourPrice[e.ProductId], e.Price); // open loop: our price never changes
            Assert.InRange(e.Quantity, 1, 3);
        });
        Assert.Contains(purchases, e => e.Quantity > 1);
    }

    [Fact]
    public async Task Viral_spikes_make_hourly_demand_surge_past_twice_its_usual_level()
    {
        var withSpikes = SmallMarket();
        withSpikes.ViralSpikesPerProductPerWeek = 2;
        var withoutSpikes = SmallMarket();
        withoutSpikes.ViralSpikesPerProductPerWeek = 0;

        var surges = CountSurges(await RunAsync(withSpikes));
        var quiet = CountSurges(await RunAsync(withoutSpikes));

        Assert.True(surges >= 10, $"{surges} surges with spikes");
        Assert.True(surges >= 3 * Math.Max(1, quiet), $"{surges} surges with spikes, {quiet} without");
    }

    [Fact]
    public async Task Inventory_falls_with_purchases_runs_low_and_is_restocked_after_a_lag()
    {
        var options = SmallMarket();
        options.ProductCount = 300;
        options.Duration = TimeSpan.FromDays(7);
        options.CompetitorCount = 2;
        options.InitialPriceMarkup = -0.1;
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = await ReadAllAsync(simulator);
        var stats = simulator.GetStatistics();

        var stock = new Dictionary<int, int>();
        var sold = new Dictionary<int, int>();
        var restocked = new HashSet<int>();
        var low = new HashSet<int>();
        var increases = 0;
        foreach (var e in events)
        {
            if (e.Kind == MarketEventKind.Inventory)
            {
                if (stock.TryGetValue(e.ProductId, out var before) && e.Quantity > before)
                {
                    restocked.Add(e.ProductId);
                    increases++;
                }

                stock[e.ProductId] = e.Quantity;
                if (e.Quantity <= 10)
                {
                    low.Add(e.ProductId);
                }
            }
            else if (e.Action == DemandAction.Purchase)
            {
                sold[e.ProductId] = sold.GetValueOrDefault(e.ProductId) + e.Quantity;
            }
        }

        Assert.True(low.Count >= 3, $"{low.Count} products ran low; {stats}");
        Assert.True(low.Count <= 150, $"{low.Count} products ran low; {stats}");
        Assert.True(stats.Restocks >= 3, stats.ToString());
        Assert.Equal(stats.Restocks, increases); // every delivery shows as a rise in the reported stock
        Assert.NotEmpty(restocked);

        // Products never restocked: final stock = initial stock − units sold (purchases dropped at the very end aside).
        var initial = events.Where(e => e.Kind == MarketEventKind.Inventory).GroupBy(e => e.ProductId).ToDictionary(g => g.Key, g => g.First().Quantity);
        var exact = 0;
        foreach (var (product, final) in stock)
        {
            if (restocked.Contains(product))
            {
                continue;
            }

            var gap = initial[product] - sold.GetValueOrDefault(product) - final;
            Assert.InRange(gap, 0, 3);
            exact += gap == 0 ? 1 : 0;
        }

        Assert.True(exact >= stock.Count - restocked.Count - 3);
    }

    [Fact]
    public async Task Restocks_arrive_within_the_configured_lead_time()
    {
        var options = SmallMarket();
        options.ProductCount = 100;
        options.CompetitorCount = 1;
        options.Duration = TimeSpan.FromDays(7);
        options.ViewsPerProductPerHour = 40;
        options.MinRestockLeadHours = 20;
        options.MaxRestockLeadHours = 30;
        var events = await RunAsync(options);

        var previous = new Dictionary<int, int>();
        var lastRestock = new Dictionary<int, long>();
        var firstLow = new Dictionary<int, long>();
        var checkedRestocks = 0;
        foreach (var e in events.Where(e => e.Kind == MarketEventKind.Inventory))
        {
            if (previous.TryGetValue(e.ProductId, out var before))
            {
                if (e.Quantity > before)
                {
                    // An order is placed after the previous delivery, at the latest when stock first
                    // reaches 12 (the smallest reorder point), and arrives 20–30 hours later.
                    var since = e.Timestamp - lastRestock.GetValueOrDefault(e.ProductId, events[0].Timestamp);
                    Assert.True(since >= 20 * Hour, $"restock {e} only {since / (double)Hour:F1} h after the previous one");
                    if (firstLow.TryGetValue(e.ProductId, out var low))
                    {
                        Assert.True(e.Timestamp - low <= 30 * Hour, $"restock {e} {(e.Timestamp - low) / (double)Hour:F1} h after stock reached 12");
                    }

                    lastRestock[e.ProductId] = e.Timestamp;
                    firstLow.Remove(e.ProductId);
                    checkedRestocks++;
                }
                else if (e.Quantity <= 12)
                {
                    firstLow.TryAdd(e.ProductId, e.Timestamp);
                }
            }

            previous[e.ProductId] = e.Quantity;
        }

        Assert.True(checkedRestocks >= 5, $"{checkedRestocks} restocks");
    }

    [Fact]
    public async Task Costs_change_occasionally_by_a_few_percent()
    {
        var options = SmallMarket();
        options.CostChangesPerProductPerWeek = 3;
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = await ReadAllAsync(simulator);

        var cost = new Dictionary<int, double>();
        var changes = 0;
        foreach (var e in events.Where(e => e.Kind == MarketEventKind.Cost))
        {
            if (cost.TryGetValue(e.ProductId, out var before))
            {
                Assert.InRange(e.Price.ToDouble() / before, 0.94, 1.09);
                changes++;
            }

            cost[e.ProductId] = e.Price.ToDouble();
        }

        // 200 products × 3 a week × 2 days ≈ 171.
        Assert.InRange(changes, 110, 240);
        Assert.Equal(200 + changes, simulator.GetStatistics().CostChanges);
    }

    [Fact]
    public async Task Demand_follows_the_time_of_day()
    {
        var options = SmallMarket();
        options.ViralSpikesPerProductPerWeek = 0;
        var events = await RunAsync(options);

        var byHour = new long[24];
        foreach (var e in events.Where(e => e.Action == DemandAction.View))
        {
            byHour[DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp).Hour]++;
        }

        // 1 + 0.6·sin(2π(h − 14)/24): peak 1.6 at 20:00, trough 0.4 at 08:00.
        Assert.InRange(byHour[20] / (double)byHour[8], 2.5, 6.0);
    }

    private static MarketSimulatorOptions PriceTest(double markup, double elasticity) => new()
    {
        Seed = 5,
        ProductCount = 300,
        CompetitorCount = 4,
        Duration = TimeSpan.FromDays(3),
        InitialPriceMarkup = markup,
        PriceElasticity = elasticity,
        ViralSpikesPerProductPerWeek = 0,
    };

    private static long UnitsSold(List<MarketEvent> events) =>
        events.Where(e => e.Action == DemandAction.Purchase).Sum(e => (long)e.Quantity);

    private static Dictionary<(int Product, int Competitor), List<double>> CompetitorSeries(List<MarketEvent> events)
    {
        var series = new Dictionary<(int, int), List<double>>();
        foreach (var e in events.Where(e => e.Kind == MarketEventKind.CompetitorPrice))
        {
            if (!series.TryGetValue((e.ProductId, e.CompetitorId), out var list))
            {
                series[(e.ProductId, e.CompetitorId)] = list = [];
            }

            list.Add(e.Price.ToDouble());
        }

        return series;
    }

    /// <summary>Hours with at least 20 demand events and at least twice the product's mean hourly demand.</summary>
    private static int CountSurges(List<MarketEvent> events)
    {
        var start = events[0].Timestamp;
        var hours = (int)((events[^1].Timestamp - start) / Hour) + 1;
        var counts = new Dictionary<int, int[]>();
        foreach (var e in events.Where(e => e.Kind == MarketEventKind.Demand))
        {
            if (!counts.TryGetValue(e.ProductId, out var perHour))
            {
                counts[e.ProductId] = perHour = new int[hours];
            }

            perHour[(e.Timestamp - start) / Hour]++;
        }

        var surges = 0;
        foreach (var perHour in counts.Values)
        {
            var mean = perHour.Average();
            surges += perHour.Count(n => n >= 20 && n >= 2 * mean);
        }

        return surges;
    }
}
