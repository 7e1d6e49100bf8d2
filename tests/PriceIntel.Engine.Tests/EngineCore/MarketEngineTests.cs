using Microsoft.Extensions.Logging;
namespace PriceIntel.Engine.Tests.EngineCore;

public sealed class MarketEngineTests
{
    private const long Minute = 60_000;
    private static readonly CurrencyCode Usd = CurrencyCode.Usd;

    [Fact]
    public void Competitor_price_drop_raises_one_signal_and_reprices()
    {
        var (engine, keys) = NewEngine();
        int p = keys.Products.Intern("SKU-1");
        int c = keys.Competitors.Intern("acme");
        var events = new List<MarketEvent>
        {
            MarketEvent.Cost(p, Money.FromDecimal(70m), Usd, 0),
            MarketEvent.ListPrice(p, Money.FromDecimal(100m), Usd, 0),
        };
        long t = Minute;
        for (int i = 0; i < 30; i++, t += Minute)
        {
            events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(i % 2 == 0 ? 100m : 100.2m), Usd, Availability.InStock, t));
        }

        for (int i = 0; i < 10; i++, t += Minute)
        {
            events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(80m), Usd, Availability.InStock, t));
        }

        var signals = new List<MarketSignal>();
        var decisions = new List<PricingDecision>();
        var outputs = engine.Process(events.ToArray());
        signals.AddRange(outputs.Signals.ToArray());
        decisions.AddRange(outputs.Decisions.ToArray());

        var drops = signals.Where(s => s.Kind == SignalKind.CompetitorPriceDrop).ToList();
        Assert.Single(drops);
        Assert.Equal(80, drops[0].Observed, 3);
        Assert.InRange(drops[0].Magnitude, 0.19, 0.21);
        var dropDecision = Assert.Single(decisions, d => d.Trigger == DecisionTrigger.CompetitorPriceDrop);
        Assert.True(dropDecision.NewPrice < dropDecision.OldPrice);
        // Never below cost × 1.05 and never more than 10 % in one step.
        Assert.All(decisions, d =>
        {
            Assert.True(d.NewPrice.ToDecimal() >= 73.5m, $"{d.NewPrice} is under the margin floor");
            Assert.True(Math.Abs(d.ChangeFraction) <= 0.10 + 1e-9, $"{d.ChangeFraction} exceeds max change");
        });
        Assert.Equal(1, engine.Counters.CompetitorPriceDrops);
    }

    [Fact]
    public void Map_floor_holds_against_a_cheaper_competitor()
    {
        var (engine, keys) = NewEngine(o => o.Pricing.UpdateIntervalMinutes = 1);
        engine.SetMapFloor("SKU-1", Money.FromDecimal(95m));
        int p = keys.Products.Intern("SKU-1");
        int c = keys.Competitors.Intern("acme");
        var events = new List<MarketEvent>
        {
            MarketEvent.Cost(p, Money.FromDecimal(80m), Usd, 0), // margin band [84, 104] holds the floor
            MarketEvent.ListPrice(p, Money.FromDecimal(100m), Usd, 0),
        };
        for (int i = 1; i <= 60; i++)
        {
            events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(80m), Usd, Availability.InStock, i * Minute));
        }

        var decisions = engine.Process(events.ToArray()).Decisions.ToArray();

        Assert.NotEmpty(decisions);
        Assert.All(decisions, d => Assert.True(d.NewPrice.ToDecimal() >= 95m, $"{d.NewPrice} is under the MAP floor"));
        Assert.True(engine.TryGetView("SKU-1", out var s));
        Assert.InRange(s.OurPrice, 95m, 96m); // the floor, or the .99 ending just above it
        Assert.All(decisions, d => Assert.True(d.Bounded.HasFlag(PricingRules.MapFloor)));
    }

    [Fact]
    public void A_quiet_product_is_still_repriced_on_its_interval_and_the_schedule_stays_bounded()
    {
        var (engine, keys) = NewEngine();
        int quiet = keys.Products.Intern("SKU-quiet");
        int busy = keys.Products.Intern("SKU-busy");
        int c = keys.Competitors.Intern("acme");
        var events = new List<MarketEvent>
        {
            MarketEvent.Cost(quiet, Money.FromDecimal(60m), Usd, 0), // margin band [63, 78]
            MarketEvent.ListPrice(quiet, Money.FromDecimal(78m), Usd, 0),
            MarketEvent.CompetitorPrice(quiet, c, 0, Money.FromDecimal(50m), Usd, Availability.InStock, 0),
        };
        for (int i = 1; i <= 24 * 60; i++)
        {
            events.Add(MarketEvent.CompetitorPrice(busy, c, 0, Money.FromDecimal(20m), Usd, Availability.InStock, i * Minute));
        }

        var quietDecisions = new List<PricingDecision>();
        foreach (var chunk in events.Chunk(100))
        {
            quietDecisions.AddRange(engine.Process(chunk).Decisions.ToArray().Where(d => d.ProductId == quiet));
        }

        // 78 walks down towards the band floor 63 in steps of at most 10 %, one step per 15-minute
        // interval, although the product has no event of its own after time 0.
        Assert.True(quietDecisions.Count >= 2, $"{quietDecisions.Count} decisions");
        Assert.All(quietDecisions, d => Assert.Equal(DecisionTrigger.Scheduled, d.Trigger));
        for (int i = 1; i < quietDecisions.Count; i++)
        {
            Assert.True(quietDecisions[i].Timestamp - quietDecisions[i - 1].Timestamp >= 15 * Minute);
        }

        Assert.True(engine.TryGetView("SKU-quiet", out var s));
        Assert.InRange(s.OurPrice, 63m, 64m);
        Assert.Contains(quietDecisions, d => d.Timestamp >= 15 * Minute);
        Assert.InRange(engine.ScheduledQueueLength, 0, 4);
    }

    [Fact]
    public void One_off_bad_scrape_is_an_outlier_not_a_drop()
    {
        var (engine, keys) = NewEngine();
        int p = keys.Products.Intern("SKU-1");
        int c = keys.Competitors.Intern("acme");
        var events = new List<MarketEvent>();
        long t = Minute;
        for (int i = 0; i < 30; i++, t += Minute)
        {
            events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(50m + (i % 3) * 0.05m), Usd, Availability.InStock, t));
        }

        events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(5m), Usd, Availability.InStock, t += Minute));
        for (int i = 0; i < 10; i++, t += Minute)
        {
            events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(50m), Usd, Availability.InStock, t));
        }

        var outputs = engine.Process(events.ToArray());

        Assert.DoesNotContain(outputs.Signals.ToArray(), s => s.Kind == SignalKind.CompetitorPriceDrop);
        var anomaly = Assert.Single(outputs.Signals.ToArray(), s => s.Kind == SignalKind.PriceAnomaly);
        Assert.Equal(5, anomaly.Observed, 3);
        Assert.Equal(1, engine.Counters.Outliers);
    }

    [Fact]
    public void Late_events_are_counted_and_not_merged()
    {
        var (engine, keys) = NewEngine(o => o.Windows.AllowedLatenessSeconds = 60);
        int p = keys.Products.Intern("SKU-1");
        int c = keys.Competitors.Intern("acme");
        var events = new[]
        {
            MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(10m), Usd, Availability.InStock, 10 * Minute),
            MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(10m), Usd, Availability.InStock, 10 * Minute - 30_000), // within lateness
            MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(10m), Usd, Availability.InStock, 8 * Minute), // beyond
            MarketEvent.Inventory(p, 5, 7 * Minute), // beyond
        };
        engine.Process(events);
        Assert.Equal(4, engine.Counters.EventsIn);
        Assert.Equal(2, engine.Counters.Late);
        Assert.Equal(0, engine.Counters.LowInventories);
    }

    [Fact]
    public void Invalid_events_are_refused_and_the_good_ones_around_them_processed()
    {
        var (engine, keys) = NewEngine();
        int p = keys.Products.Intern("SKU-1");
        int c = keys.Competitors.Intern("acme");
        var events = new[]
        {
            MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(10m), Usd, Availability.InStock, Minute),
            MarketEvent.CompetitorPrice(p, c, 0, new Money(-5), Usd, Availability.InStock, Minute), // negative
            MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(10m), CurrencyCode.Eur, Availability.InStock, Minute), // other currency
            MarketEvent.Inventory(p, -3, Minute), // negative stock
            MarketEvent.Inventory(p, 4, 2 * Minute), // good: low stock
        };
        var outputs = engine.Process(events);
        Assert.Equal(3, engine.Counters.Invalid);
        Assert.Single(outputs.Signals.ToArray(), s => s.Kind == SignalKind.LowInventory);
    }

    [Fact]
    public void Refused_events_are_all_counted_and_the_first_twenty_logged_with_their_reason()
    {
        var logged = new List<string>();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new ListLoggerProvider(logged)));
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(new PriceIntelOptions(), keys, factory.CreateLogger<MarketEngine>());
        int p = keys.Products.Intern("SKU-1");
        var events = Enumerable.Range(0, 25).Select(i => MarketEvent.Inventory(p, -1 - i, i * Minute)).ToArray();

        engine.Process(events);

        Assert.Equal(25, engine.Counters.Invalid);
        Assert.Equal(20, logged.Count);
        Assert.All(logged, m => Assert.Contains("inventory is negative", m, StringComparison.Ordinal));
    }

    [Fact]
    public void Low_inventory_raises_once_per_episode()
    {
        var (engine, keys) = NewEngine();
        int p = keys.Products.Intern("SKU-1");
        var events = new[]
        {
            MarketEvent.Inventory(p, 50, Minute),
            MarketEvent.Inventory(p, 9, 2 * Minute),
            MarketEvent.Inventory(p, 5, 3 * Minute),
            MarketEvent.Inventory(p, 1, 4 * Minute),
        };
        var outputs = engine.Process(events);
        var signal = Assert.Single(outputs.Signals.ToArray());
        Assert.Equal(SignalKind.LowInventory, signal.Kind);
        Assert.Equal(9, signal.Observed);
    }

    [Fact]
    public void Same_stream_gives_same_outputs_and_ids_even_with_different_interning_order()
    {
        var first = Run(internReversed: false);
        var second = Run(internReversed: true);
        Assert.NotEmpty(first.Decisions);
        Assert.NotEmpty(first.Signals);
        Assert.Equal(first.Decisions, second.Decisions);
        Assert.Equal(first.Signals, second.Signals);

        static (List<StoredDecision> Decisions, List<StoredSignal> Signals) Run(bool internReversed)
        {
            var keys = new MarketKeys();
            var names = Enumerable.Range(0, 20).Select(i => $"SKU-{i:D3}").ToList();
            if (internReversed)
            {
                names.Reverse();
            }

            foreach (var n in names)
            {
                keys.Products.Intern(n);
            }

            var engine = MarketEngine.Create(new PriceIntelOptions(), keys);
            var rng = new Random(7);
            var events = new List<MarketEvent>();
            for (int i = 0; i < 20; i++)
            {
                int p = keys.Products.Intern($"SKU-{i:D3}");
                events.Add(MarketEvent.Cost(p, Money.FromDecimal(60m + i), Usd, 0));
                events.Add(MarketEvent.ListPrice(p, Money.FromDecimal(100m + i), Usd, 0));
            }

            for (int k = 0; k < 20_000; k++)
            {
                int i = rng.Next(20);
                int p = keys.Products.Intern($"SKU-{i:D3}");
                int c = keys.Competitors.Intern($"comp-{rng.Next(4)}");
                decimal price = 90m + i + (decimal)rng.Next(0, 2000) / 100m;
                if (k > 10_000 && i % 5 == 0)
                {
                    price *= 0.75m;
                }

                events.Add(MarketEvent.CompetitorPrice(p, c, 0, Money.FromDecimal(price), Usd, Availability.InStock, k * 10_000L));
                if (k % 7 == 0)
                {
                    events.Add(MarketEvent.Inventory(p, rng.Next(0, 40), k * 10_000L));
                }
            }

            var decisions = new List<StoredDecision>();
            var signals = new List<StoredSignal>();
            foreach (var chunk in events.Chunk(1000))
            {
                var outputs = engine.Process(chunk);
                foreach (var d in outputs.Decisions.Span)
                {
                    decisions.Add(StoredDecision.From(d, keys));
                }

                foreach (var s in outputs.Signals.Span)
                {
                    signals.Add(StoredSignal.From(s, keys));
                }
            }

            return (decisions, signals);
        }
    }

    [Fact]
    public void Snapshot_shows_board_position_windows_and_demand()
    {
        var (engine, keys) = NewEngine(o => o.Pricing.UpdateIntervalMinutes = 100_000);
        int p = keys.Products.Intern("SKU-9");
        int a = keys.Competitors.Intern("acme");
        int b = keys.Competitors.Intern("bolt");
        int z = keys.Competitors.Intern("zed");
        engine.Process(
        [
            MarketEvent.Cost(p, Money.FromDecimal(8m), Usd, 0),
            MarketEvent.ListPrice(p, Money.FromDecimal(11m), Usd, 0),
            MarketEvent.Inventory(p, 42, 0),
            MarketEvent.CompetitorPrice(p, a, 0, Money.FromDecimal(10m), Usd, Availability.InStock, Minute),
            MarketEvent.CompetitorPrice(p, b, 0, Money.FromDecimal(12m), Usd, Availability.InStock, 2 * Minute),
            MarketEvent.CompetitorPrice(p, z, 0, Money.FromDecimal(9m), Usd, Availability.OutOfStock, 3 * Minute),
            MarketEvent.Demand(p, DemandAction.View, 1, default, default, 4 * Minute),
            MarketEvent.Demand(p, DemandAction.View, 1, default, default, 4 * Minute),
            MarketEvent.Demand(p, DemandAction.Purchase, 2, Money.FromDecimal(11m), Usd, 5 * Minute),
        ]);

        Assert.False(engine.TryGetView("SKU-unknown", out _));
        Assert.True(engine.TryGetView("SKU-9", out var s));
        Assert.Equal("USD", s.Currency);
        Assert.Equal(42, s.UnitsOnHand);
        Assert.Equal(8m, s.UnitCost);
        Assert.Equal(["zed", "acme", "bolt"], s.Competitors.Select(c => c.Competitor));
        Assert.Equal(10m, s.Lowest); // zed is out of stock
        Assert.Equal(12m, s.Highest);
        Assert.Equal(11m, s.Median);
        Assert.Equal(3, s.PriceWindows[0].Count);
        Assert.Equal(9, s.PriceWindows[0].Min, 6);
        Assert.Equal(2, s.DemandWindows[0].Views);
        Assert.Equal(2, s.DemandWindows[0].Units);
        Assert.Equal(22, s.DemandWindows[0].Revenue, 6);
        Assert.Equal(0.5, s.DemandWindows[0].Conversion, 6);
    }

    [Fact]
    public void Steady_state_processing_allocates_nothing()
    {
        var (engine, keys) = NewEngine();
        const int products = 2000;
        const int competitors = 8;
        for (int i = 0; i < products; i++)
        {
            keys.Products.Intern($"SKU-{i}");
        }

        for (int c = 0; c < competitors; c++)
        {
            keys.Competitors.Intern($"c{c}");
        }

        var rng = new Random(3);
        var batch = new MarketEvent[4096];
        var basePrice = Enumerable.Range(0, products).Select(_ => 10 + rng.NextDouble() * 990).ToArray();
        long t = 0;

        void Fill()
        {
            for (int i = 0; i < batch.Length; i++)
            {
                int p = rng.Next(products);
                t += 50;
                batch[i] = (i % 10) switch
                {
                    0 => MarketEvent.Demand(p, (DemandAction)(1 + rng.Next(3)), 1, Money.FromDouble(basePrice[p]), Usd, t),
                    1 when i % 20 == 1 => MarketEvent.Inventory(p, rng.Next(0, 100), t),
                    _ => MarketEvent.CompetitorPrice(p, rng.Next(competitors), 0, Money.FromDouble(basePrice[p] *= 1 + (rng.NextDouble() - 0.5) * 0.01), Usd, Availability.InStock, t),
                };
            }
        }

        // Warm up: every product and pair seen, every array grown, output buffers sized.
        for (int i = 0; i < 200; i++)
        {
            Fill();
            engine.Process(batch);
        }

        long total = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Fill();
            long start = GC.GetAllocatedBytesForCurrentThread();
            engine.Process(batch);
            total += GC.GetAllocatedBytesForCurrentThread() - start;
        }

        Assert.True(before > 0);
        Assert.Equal(0, total);
        Assert.True(engine.Counters.EventsIn >= 300 * 4096);
    }

    private static (MarketEngine Engine, MarketKeys Keys) NewEngine(Action<PriceIntelOptions>? configure = null)
    {
        var options = new PriceIntelOptions();
        configure?.Invoke(options);
        var keys = new MarketKeys();
        return (MarketEngine.Create(options, keys), keys);
    }

    private sealed class ListLoggerProvider(List<string> messages) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(messages);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Add(formatter(state, exception));
        }
    }
}
