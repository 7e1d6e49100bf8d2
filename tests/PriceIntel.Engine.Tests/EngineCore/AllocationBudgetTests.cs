using System.Text;
using System.Text.Json;
using PriceIntel.Engine.Statistics;

namespace PriceIntel.Engine.Tests.EngineCore;

/// <summary>Enforces the checked-in allocation budget (benchmarks/allocation-budget.json) on every hot path.</summary>
public sealed class AllocationBudgetTests
{
    private const int Events = 200_000;

    private static readonly Dictionary<string, double> Budget = LoadBudget();

    [Fact]
    public void Engine_process_stays_within_budget()
    {
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(new PriceIntelOptions(), keys, initialProducts: 1000);
        var stream = Stream(keys, Events, offset: 0);
        Run(engine, stream); // warm: every product, pair and buffer grown,
        Run(engine, Stream(keys, Events, offset: 10L * Events)); // including the output buffers' growth for a time jump
        var second = Stream(keys, Events, offset: 20L * Events);
        long allocated = Measure(() => Run(engine, second));
        AssertWithin("MarketEngine.Process", allocated, second.Length);

        static void Run(MarketEngine engine, MarketEvent[] events)
        {
            for (int i = 0; i < events.Length; i += 4096)
            {
                engine.Process(events.AsSpan(i, Math.Min(4096, events.Length - i)));
            }
        }
    }

    [Fact]
    public void Json_decode_stays_within_budget()
    {
        var keys = new MarketKeys();
        var decoder = new MarketEventJsonDecoder(keys);
        var lines = Enumerable.Range(0, 5000)
            .Select(i => Encoding.UTF8.GetBytes($$"""{"type":"competitor_price","product":"SKU-{{i % 1000}}","competitor":"c{{i % 8}}","platform":"web","price":{{10 + (i % 97)}}.99,"currency":"USD","availability":"in_stock","ts":{{i}}}"""))
            .ToArray();
        foreach (var line in lines)
        {
            Assert.True(decoder.TryDecode(line, out _, out var error), error);
        }

        // Decoding the same lines again is the same work, so the least of three measured runs is taken: a one-off
        // cost on this thread (tier-up of the decoder while a loaded machine delays it) lands in one run, a
        // per-event allocation in every run.
        long allocated = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            allocated = Math.Min(allocated, Measure(() =>
            {
                for (int round = 0; round < Events / lines.Length; round++)
                {
                    foreach (var line in lines)
                    {
                        decoder.TryDecode(line, out _, out _);
                    }
                }
            }));
        }

        AssertWithin("MarketEventJsonDecoder.TryDecode", allocated, Events);
    }

    [Fact]
    public void Engine_windows_stay_within_budget()
    {
        // The engine's windows as it configures them: 1 h / 24 h / 7 d price windows, 1 h and 7 d demand windows.
        var prices = new SlidingWindowSeries([3_600_000, 86_400_000, 604_800_000], 24, 0.1, initialSeries: 1000);
        var demand = new DemandWindows([3_600_000, 604_800_000], 24, initialProducts: 1000);
        var rng = new Random(5);
        long t = 0;
        void AddPrices()
        {
            for (int i = 0; i < Events; i++)
            {
                long ts = ++t * 50;
                prices.Add(rng.Next(1000), ts - (rng.Next(2) * 20_000), 100 + rng.NextDouble()); // every other value out of order
            }
        }

        void AddDemand()
        {
            for (int i = 0; i < Events; i++)
            {
                long ts = ++t * 50;
                demand.Add(rng.Next(1000), ts - (rng.Next(2) * 20_000), (DemandAction)(1 + rng.Next(3)), 1, 9.99);
            }
        }

        AddPrices();
        AddDemand();
        // Each pass continues the same stream (steady state), so the least of three is taken: a one-off cost on this
        // thread (tier-up on a loaded machine: 8 KB over 200,000 events once in CI) lands in one pass, a per-event
        // allocation in every pass.
        long pricesAllocated = long.MaxValue, demandAllocated = long.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            pricesAllocated = Math.Min(pricesAllocated, Measure(AddPrices));
            demandAllocated = Math.Min(demandAllocated, Measure(AddDemand));
        }

        Assert.True(prices.Read(0, 2, t * 50).Count > 0);
        Assert.True(demand.Read(0, 1, t * 50).ActionsPerHour > 0);
        AssertWithin("SlidingWindowSeries.Add", pricesAllocated, Events);
        AssertWithin("DemandWindows.Add", demandAllocated, Events);
    }

    private static long Measure(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before - MeasureOverhead;
    }

    // The closure passed to Measure is allocated before the first reading; nothing else is expected.
    private const long MeasureOverhead = 0;

    private static void AssertWithin(string path, long allocated, int events)
    {
        Assert.True(Budget.ContainsKey(path), $"allocation-budget.json has no budget for {path}");
        double perEvent = allocated / (double)events;
        Assert.True(perEvent <= Budget[path], $"{path} allocated {allocated} B over {events} events = {perEvent:F3} B/event; budget {Budget[path]} B/event");
    }

    private static MarketEvent[] Stream(MarketKeys keys, int count, long offset)
    {
        var rng = new Random(11);
        var usd = CurrencyCode.Usd;
        var level = Enumerable.Range(0, 1000).Select(_ => 10 + (rng.NextDouble() * 990)).ToArray();
        var events = new MarketEvent[count];
        for (int i = 0; i < count; i++)
        {
            int p = keys.Products.Intern($"SKU-{rng.Next(1000)}");
            long ts = offset + (i * 10L);
            events[i] = (i % 5) switch
            {
                0 => MarketEvent.Demand(p, (DemandAction)(1 + rng.Next(3)), 1, Money.FromDouble(Math.Round(level[p], 2)), usd, ts),
                1 when i % 50 == 1 => MarketEvent.Inventory(p, rng.Next(0, 60), ts),
                _ => MarketEvent.CompetitorPrice(p, keys.Competitors.Intern($"c{rng.Next(8)}"), 0, Money.FromDouble(Math.Round(level[p] *= 1 + ((rng.NextDouble() - 0.5) * 0.01), 2)), usd, Availability.InStock, ts),
            };
        }

        return events;
    }

    private static Dictionary<string, double> LoadBudget()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "allocation-budget.json")));
        return doc.RootElement.GetProperty("bytesPerEvent").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }
}
