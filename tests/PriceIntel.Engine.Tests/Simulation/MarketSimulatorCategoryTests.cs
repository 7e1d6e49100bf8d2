using static PriceIntel.Engine.Tests.Simulation.SimulationTestSupport;

namespace PriceIntel.Engine.Tests.Simulation;

/// <summary>Categories with their own elasticities, the catalog of true values, and common random numbers.</summary>
public sealed class MarketSimulatorCategoryTests
{
    [Fact]
    public void The_catalog_spreads_categories_and_products_around_the_configured_elasticity()
    {
        var options = new MarketSimulatorOptions { Seed = 3, ProductCount = 4_000, CategoryCount = 8, CategoryElasticitySpread = 1.75, ProductElasticitySpread = 0.15 };
        var catalog = MarketSimulator.Catalog(options);
        Assert.Equal(4_000, catalog.Count);
        Assert.Equal("SKU-000042", catalog[42].Key);
        Assert.Equal("category-03", catalog[42].Category); // 42 mod 8 = 2
        var categories = catalog.GroupBy(p => p.Category).ToList();
        Assert.Equal(8, categories.Count);
        Assert.All(categories, g => Assert.Single(g.Select(p => p.CategoryElasticity).Distinct()));
        Assert.All(categories, g => Assert.InRange(g.First().CategoryElasticity, 3 / 1.75, 3 * 1.75));
        Assert.True(categories.Max(g => g.First().CategoryElasticity) / categories.Min(g => g.First().CategoryElasticity) > 1.5, "drawn categories differ");

        // ln(product / category) is normal with σ = 0.15: sample σ within 10 %, mean near 0.
        var logs = catalog.Select(p => Math.Log(p.PriceElasticity / p.CategoryElasticity)).ToArray();
        double mean = logs.Average(), sd = Math.Sqrt(logs.Sum(l => (l - mean) * (l - mean)) / (logs.Length - 1));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(sd, 0.135, 0.165);

        // The same options give the same catalog; another seed another one.
        Assert.Equal(catalog, MarketSimulator.Catalog(options));
        options.Seed = 4;
        Assert.NotEqual(catalog[0].CategoryElasticity, MarketSimulator.Catalog(options)[0].CategoryElasticity);
    }

    [Fact]
    public void Without_spreads_every_product_has_the_configured_elasticity()
    {
        var catalog = MarketSimulator.Catalog(new MarketSimulatorOptions { ProductCount = 50, CategoryCount = 5, PriceElasticity = 2.5 });
        Assert.All(catalog, p => Assert.Equal(2.5, p.PriceElasticity));
        Assert.Equal(5, catalog.Select(p => p.Category).Distinct().Count());
    }

    [Fact]
    public async Task Categories_without_spreads_leave_the_stream_unchanged()
    {
        // The elasticity draws come from a generator of their own: nothing else moves.
        var plain = SmallMarket();
        var categorised = SmallMarket();
        categorised.CategoryCount = 6;
        Assert.Equal(Checksum(await RunAsync(plain)), Checksum(await RunAsync(categorised)));
    }

    [Fact]
    public async Task Each_category_loses_sales_to_a_higher_price_at_its_own_elasticity()
    {
        // One (promotional) competitor, so the lowest competitor price does not follow ours.
        static MarketSimulatorOptions Market(double markup) => new()
        {
            Seed = 5,
            ProductCount = 300,
            CompetitorCount = 1,
            Duration = TimeSpan.FromDays(3),
            InitialPriceMarkup = markup,
            ViralSpikesPerProductPerWeek = 0,
            CommonRandomNumbers = true,
            CategoryCount = 2,
            CategoryElasticitySpread = 2.5,
        };

        var catalog = MarketSimulator.Catalog(Market(0));
        var keys = new MarketKeys();
        await using var parityMarket = new MarketSimulator(Market(0), keys);
        await using var aboveMarket = new MarketSimulator(Market(0.2), keys);
        var parity = await ReadAllAsync(parityMarket);
        var above = await ReadAllAsync(aboveMarket);
        var elasticities = catalog.GroupBy(p => p.Category).Select(g => g.First().CategoryElasticity).ToArray();
        Assert.True(Math.Abs(elasticities[0] - elasticities[1]) > 1, $"categories {elasticities[0]:0.00} and {elasticities[1]:0.00}");
        for (int c = 0; c < 2; c++)
        {
            // Products c, c + 2, c + 4, … are category c.
            var members = catalog.Where((_, i) => i % 2 == c).Select(p => keys.Products.Intern(p.Key)).ToHashSet();
            double ratio = Units(above, members) / (double)Units(parity, members);
            double expected = Math.Pow(1.2, -elasticities[c]);
            Assert.InRange(ratio, expected * 0.8, expected * 1.2);
        }

        static long Units(List<MarketEvent> events, HashSet<int> products) =>
            events.Where(e => e.Action == DemandAction.Purchase && products.Contains(e.ProductId)).Sum(e => (long)e.Quantity);
    }

    [Fact]
    public async Task With_common_random_numbers_a_higher_price_meets_a_subset_of_the_same_shoppers()
    {
        // One (promotional) competitor, so the lowest competitor price does not depend on ours.
        static MarketSimulatorOptions Market(double markup, bool common) => new()
        {
            Seed = 9,
            ProductCount = 150,
            CompetitorCount = 1,
            Duration = TimeSpan.FromDays(2),
            InitialPriceMarkup = markup,
            CommonRandomNumbers = common,
            CategoryCount = 3,
            CategoryElasticitySpread = 1.5,
        };

        var cheap = await RunAsync(Market(0, common: true));
        var dear = await RunAsync(Market(0.15, common: true));

        // Competitors' stream no longer depends on our price.
        Assert.Equal(
            Checksum(cheap.Where(e => e.Kind == MarketEventKind.CompetitorPrice)),
            Checksum(dear.Where(e => e.Kind == MarketEventKind.CompetitorPrice)));

        // Each product-hour: the dearer run's views are at most the cheaper run's; each product's
        // add-to-carts too (a cart follows its view by up to 43 s, so it may fall in the next hour).
        var cheapCounts = CountsByProductHour(cheap);
        var dearCounts = CountsByProductHour(dear);
        foreach (var (key, d) in dearCounts)
        {
            Assert.True(d.Views <= cheapCounts.GetValueOrDefault(key).Views, $"{key}: dear {d}, cheap {cheapCounts.GetValueOrDefault(key)}");
        }

        var cheapCarts = cheap.Where(e => e.Action == DemandAction.AddToCart).GroupBy(e => e.ProductId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var product in dear.Where(e => e.Action == DemandAction.AddToCart).GroupBy(e => e.ProductId))
        {
            Assert.True(product.Count() <= cheapCarts.GetValueOrDefault(product.Key), $"product {product.Key}: {product.Count()} carts dear, {cheapCarts.GetValueOrDefault(product.Key)} cheap");
        }

        Assert.True(dearCounts.Values.Sum(v => v.Views) < cheapCounts.Values.Sum(v => v.Views));

        // Independent shoppers break that coupling somewhere.
        var cheapIndependent = CountsByProductHour(await RunAsync(Market(0, common: false)));
        var dearIndependent = CountsByProductHour(await RunAsync(Market(0.15, common: false)));
        Assert.Contains(dearIndependent, kv => kv.Value.Views > cheapIndependent.GetValueOrDefault(kv.Key).Views);
    }

    [Fact]
    public async Task Common_random_numbers_keep_the_stream_deterministic()
    {
        var options = SmallMarket();
        options.CommonRandomNumbers = true;
        options.CategoryCount = 4;
        options.CategoryElasticitySpread = 2;
        options.ProductElasticitySpread = 0.2;
        var first = await RunAsync(options, batchSize: 4096);
        var second = await RunAsync(options, batchSize: 333);
        Assert.Equal(Checksum(first), Checksum(second));
        Assert.NotEqual(Checksum(first), Checksum(await RunAsync(SmallMarket())));
    }

    private static Dictionary<(int Product, long Hour), (int Views, int Carts)> CountsByProductHour(List<MarketEvent> events)
    {
        var counts = new Dictionary<(int, long), (int Views, int Carts)>();
        foreach (var e in events.Where(e => e.Kind == MarketEventKind.Demand))
        {
            var key = (e.ProductId, e.Timestamp / 3_600_000);
            var c = counts.GetValueOrDefault(key);
            counts[key] = e.Action switch
            {
                DemandAction.View => (c.Views + 1, c.Carts),
                DemandAction.AddToCart => (c.Views, c.Carts + 1),
                _ => c,
            };
        }

        return counts;
    }
}
