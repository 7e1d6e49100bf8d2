using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Tests.Simulation;
using Xunit.Abstractions;

namespace PriceIntel.Engine.Tests.EngineCore;

/// <summary>
/// MarketEngine.WriteSnapshot / Restore: an engine restored from a snapshot taken after e[0..k) and fed
/// e[k..n) must match an engine fed e[0..n) straight, output for output (ids included), and in its
/// counters, watermark, arm reports, product views and final snapshot bytes.
/// </summary>
public sealed class EngineSnapshotTests(ITestOutputHelper output)
{
    private const long T0 = 1_767_571_200_000; // 2026-01-05
    private const int Products = 6;
    private const int Competitors = 4;
    private static readonly CurrencyCode Usd = CurrencyCode.Usd;
    private static readonly CurrencyCode Eur = CurrencyCode.Eur;

    /// <summary>One generated step: what happens, to which product and competitor, how far time moves.</summary>
    internal readonly record struct Step(int Kind, int Product, int Competitor, int AdvanceMs, int Variant, bool Behind);

    /// <summary>A generated case: the steps, where to split, and the batch sizes of the straight and the split runs.</summary>
    internal readonly record struct Case(Step[] Steps, int SplitPercent, int StraightBatch, int SplitBatch);

    private static Arbitrary<Case> Cases =>
        (from steps in (from kind in Gen.Choose(0, 99)
                        from product in Gen.Choose(0, Products - 1)
                        from competitor in Gen.Choose(0, Competitors - 1)
                        from advance in Gen.Frequency((4, Gen.Choose(0, 20_000)), (1, Gen.Choose(20_000, 400_000)))
                        from variant in Gen.Choose(0, 99)
                        from behind in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
                        select new Step(kind, product, competitor, advance, variant, behind)).ArrayOf()
         from split in Gen.Choose(0, 100)
         from straightBatch in Gen.Choose(1, 64)
         from splitBatch in Gen.Choose(1, 64)
         select new Case(steps, split, straightBatch, splitBatch)).ToArbitrary();

    /// <summary>Options that make every rule fire on short streams: quick warm-up, small windows, short cooldowns, two arms.</summary>
    private static PriceIntelOptions BusyOptions()
    {
        var options = new PriceIntelOptions();
        options.Windows.ShortWindowMinutes = 10;
        options.Windows.MediumWindowMinutes = 60;
        options.Windows.LongWindowMinutes = 240;
        options.Windows.PairWindowMinutes = 10;
        options.Windows.BucketsPerWindow = 6;
        options.Windows.AllowedLatenessSeconds = 120;
        options.Anomaly.WarmUp = 4;
        options.Anomaly.HistoryLength = 8;
        options.Anomaly.LevelShiftConfirmations = 2;
        options.Alerts.DemandSurgeMinEvents = 5;
        options.Alerts.CooldownMinutes = 5;
        options.Pricing.UpdateIntervalMinutes = 5;
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "beat", Strategy = PricingStrategyKind.BeatLowest });
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "median", Strategy = PricingStrategyKind.Percentile, Weight = 2 });
        return options;
    }

    private static MarketKeys NewKeys()
    {
        var keys = new MarketKeys();
        for (int p = 0; p < Products; p++)
        {
            keys.Products.Intern($"SKU-{p}");
        }

        for (int c = 0; c < Competitors; c++)
        {
            keys.Competitors.Intern($"rival-{c}");
        }

        keys.Platforms.Intern("web");
        keys.Products.Intern("SKU-never-seen"); // a key the engine never gets an event for
        return keys;
    }

    /// <summary>Turns steps into events: drifting competitor prices with outliers and level shifts, demand with bursts, stock, costs, list prices, refusals.</summary>
    internal static MarketEvent[] Interpret(Step[] steps, long start = T0)
    {
        var events = new List<MarketEvent>();
        var level = new double[Products, Competitors];
        for (int p = 0; p < Products; p++)
        {
            for (int c = 0; c < Competitors; c++)
            {
                level[p, c] = 50 + (p * 10) + c;
            }
        }

        long t = start;
        foreach (var s in steps)
        {
            t += s.AdvanceMs;
            long ts = s.Behind ? t - (s.Variant * 2_000) : t; // up to 200 s back: some merged, some late
            int p = s.Product;
            double basePrice = 50 + (p * 10);
            switch (s.Kind)
            {
                case < 50:
                    double price;
                    if (s.Variant < 4)
                    {
                        price = level[p, s.Competitor] * (s.Variant % 2 == 0 ? 0.3 : 3); // bad scrape
                    }
                    else if (s.Variant < 10)
                    {
                        level[p, s.Competitor] *= s.Variant < 8 ? 0.7 : 1.25; // promotion or price rise
                        price = level[p, s.Competitor];
                    }
                    else
                    {
                        price = level[p, s.Competitor] * (1 + ((s.Variant - 55) / 5000.0));
                    }

                    var availability = s.Variant % 11 == 0 ? Availability.OutOfStock : Availability.InStock;
                    events.Add(MarketEvent.CompetitorPrice(p, s.Competitor, 0, Money.FromDouble(price), Usd, availability, ts));
                    break;
                case < 75:
                    int burst = s.Variant >= 85 ? 12 : 1; // a burst makes a surge
                    for (int i = 0; i < burst; i++)
                    {
                        var action = (DemandAction)(1 + ((s.Variant + i) % 3));
                        events.Add(action == DemandAction.Purchase
                            ? MarketEvent.Demand(p, action, 1 + (s.Variant % 3), Money.FromDouble(basePrice), Usd, ts + i)
                            : MarketEvent.Demand(p, action, 1, default, default, ts + i));
                    }

                    break;
                case < 85:
                    events.Add(MarketEvent.Inventory(p, s.Variant % 40, ts));
                    break;
                case < 92:
                    events.Add(MarketEvent.Cost(p, Money.FromDouble(basePrice * (0.5 + (s.Variant / 500.0))), Usd, ts));
                    break;
                case < 96:
                    events.Add(MarketEvent.ListPrice(p, Money.FromDouble(basePrice * (1 + (s.Variant / 200.0))), Usd, ts));
                    break;
                default:
                    // Refused: another currency, or a price that is not a price.
                    events.Add(s.Variant % 2 == 0
                        ? MarketEvent.CompetitorPrice(p, s.Competitor, 0, Money.FromDouble(basePrice), Eur, Availability.InStock, ts)
                        : MarketEvent.Cost(p, default, Usd, ts));
                    break;
            }
        }

        return events.ToArray();
    }

    [Fact]
    public void Restored_engine_continues_exactly_like_an_uninterrupted_one_on_generated_streams()
    {
        var totals = new long[5]; // drops, surges, low inventory, anomalies, decisions — over all cases
        int midSplits = 0;
        var property = Prop.ForAll(Cases, c =>
        {
            var events = Interpret(c.Steps);
            int split = (int)((long)events.Length * c.SplitPercent / 100);
            var straight = RunStraight(BusyOptions(), NewKeys(), events, c.StraightBatch, SetFloors);
            var resumed = RunSplit(BusyOptions(), NewKeys(), events, split, c.SplitBatch, SetFloors);
            AssertSameEngine(straight, resumed);
            totals[0] += straight.Engine.Counters.CompetitorPriceDrops;
            totals[1] += straight.Engine.Counters.DemandSurges;
            totals[2] += straight.Engine.Counters.LowInventories;
            totals[3] += straight.Engine.Counters.PriceAnomalies;
            totals[4] += straight.Engine.Counters.Decisions;
            if (split > 0 && split < events.Length)
            {
                midSplits++;
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200).WithEndSize(400), property);

        output.WriteLine($"drops {totals[0]}, surges {totals[1]}, low inventory {totals[2]}, anomalies {totals[3]}, decisions {totals[4]}, mid-stream splits {midSplits}");
        Assert.All(totals, total => Assert.True(total > 0, "the generated streams must raise every signal kind and make decisions"));
        Assert.True(midSplits > 100, $"{midSplits} cases split mid-stream");

        static void SetFloors(MarketEngine engine) => engine.SetMapFloor("SKU-1", Money.FromDecimal(55m));
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public async Task Restored_engine_continues_exactly_like_an_uninterrupted_one_on_a_simulated_market(double splitAt)
    {
        var simulator = new MarketSimulatorOptions { Seed = 11, ProductCount = 50, CompetitorCount = 4, Duration = TimeSpan.FromDays(2) };
        var keys = new MarketKeys();
        MarketEvent[] events;
        await using (var sim = new MarketSimulator(simulator, keys))
        {
            events = (await SimulationTestSupport.ReadAllAsync(sim)).ToArray();
        }

        var options = new PriceIntelOptions();
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "beat", Strategy = PricingStrategyKind.BeatLowest });
        options.Experiment.Arms.Add(new ExperimentArmOptions { Name = "median", Strategy = PricingStrategyKind.Percentile });
        int split = (int)(events.Length * splitAt);
        var straight = RunStraight(options, keys, events, 4096);
        var resumed = RunSplit(options, keys, events, split, 1000);
        AssertSameEngine(straight, resumed);

        var counters = straight.Engine.Counters;
        output.WriteLine($"{events.Length} events, split at {split}: {counters}");
        Assert.True(counters.CompetitorPriceDrops > 0, "drops");
        Assert.True(counters.DemandSurges > 0, "surges");
        Assert.True(counters.LowInventories > 0, "low inventory");
        Assert.True(counters.PriceAnomalies > 0, "anomalies");
        Assert.True(counters.Decisions > 0, "decisions");
        Assert.True(counters.Outliers > 0, "outliers");
        Assert.True(straight.Outputs.Any(o => o.Timestamp >= events[split].Timestamp), "outputs after the split");
    }

    [Fact]
    public void Restoring_twice_gives_identical_engines_and_a_restored_engine_snapshots_to_the_same_bytes()
    {
        var (engine, events) = BusyEngine(2_000);
        byte[] snapshot = Snapshot(engine);

        var first = MarketEngine.Restore(BusyOptions(), snapshot);
        var second = MarketEngine.Restore(BusyOptions(), snapshot);
        Assert.Equal(snapshot, Snapshot(first));
        Assert.Equal(snapshot, Snapshot(second));
        Assert.NotSame(engine.Keys, first.Keys);
        Assert.NotSame(first.Keys, second.Keys);
        AssertSameKeys(engine.Keys, first.Keys);

        // Both go on identically.
        var more = Interpret(MoreSteps(events.Length), engine.Watermark + 1);
        var a = Describe(first.Process(more), first.Keys);
        var b = Describe(second.Process(more), second.Keys);
        Assert.NotEmpty(a);
        Assert.Equal(a, b);
        Assert.Equal(Snapshot(first), Snapshot(second));
    }

    [Fact]
    public void Fresh_engine_round_trips()
    {
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(BusyOptions(), keys);
        byte[] snapshot = Snapshot(engine);
        var restored = MarketEngine.Restore(BusyOptions(), snapshot);

        Assert.Equal(snapshot, Snapshot(restored));
        Assert.Equal(long.MinValue, restored.Watermark);
        Assert.Equal(default, restored.Counters);
        Assert.Equal(0, restored.Keys.Products.Count);
        Assert.Equal(engine.GetArmReports(), restored.GetArmReports());
        output.WriteLine($"empty snapshot: {snapshot.Length} bytes");

        // And works: the same first batch gives the same outputs.
        var events = Interpret(MoreSteps(0));
        NewKeys(engine.Keys);
        NewKeys(restored.Keys);
        Assert.Equal(Describe(engine.Process(events), engine.Keys), Describe(restored.Process(events), restored.Keys));

        static void NewKeys(MarketKeys keys)
        {
            var template = EngineSnapshotTests.NewKeys();
            for (int i = 0; i < template.Products.Count; i++)
            {
                keys.Products.Intern(template.Products.GetName(i));
            }

            for (int i = 0; i < template.Competitors.Count; i++)
            {
                keys.Competitors.Intern(template.Competitors.GetName(i));
            }
        }
    }

    [Fact]
    public void Truncated_snapshots_are_refused_naming_the_byte()
    {
        byte[] snapshot = Snapshot(BusyEngine(500).Engine);
        foreach (int length in new[] { 0, 5, 11, 12, 30, snapshot.Length / 2, snapshot.Length - 1 })
        {
            var error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(BusyOptions(), snapshot.AsSpan(0, length)));
            Assert.Contains($"snapshot truncated at byte {length}", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Corrupted_snapshots_are_refused_with_a_checksum_mismatch()
    {
        byte[] snapshot = Snapshot(BusyEngine(500).Engine);
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            byte[] damaged = (byte[])snapshot.Clone();
            int at = rng.Next(SnapshotHeaderBytes, damaged.Length - 24); // past magic and version, before the trailer
            damaged[at] ^= (byte)(1 << rng.Next(8));
            var error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(BusyOptions(), damaged));
            Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
        }

        byte[] badChecksum = (byte[])snapshot.Clone();
        badChecksum[^1] ^= 0x40;
        Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(BusyOptions(), badChecksum)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_magic_and_newer_versions_are_refused()
    {
        byte[] snapshot = Snapshot(BusyEngine(100).Engine);
        byte[] wrongMagic = (byte[])snapshot.Clone();
        wrongMagic[0] = (byte)'X';
        Assert.Contains("wrong magic", Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(BusyOptions(), wrongMagic)).Message, StringComparison.Ordinal);
        Assert.Contains("wrong magic", Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(BusyOptions(), Encoding.UTF8.GetBytes("{\"not\":\"a snapshot\"}"))).Message, StringComparison.Ordinal);

        byte[] newer = (byte[])snapshot.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(newer.AsSpan(8), SnapshotFormat.Version + 1);
        var error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(BusyOptions(), newer));
        Assert.Contains($"format version {SnapshotFormat.Version + 1} is newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_shaping_option_changes_are_refused_naming_each_option_and_both_values()
    {
        byte[] snapshot = Snapshot(BusyEngine(300).Engine);

        var buckets = BusyOptions();
        buckets.Windows.BucketsPerWindow = 12;
        var error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(buckets, snapshot));
        Assert.Contains("snapshot was taken with Windows:BucketsPerWindow 6, these options have 12", error.Message, StringComparison.Ordinal);

        var several = BusyOptions();
        several.Windows.ShortWindowMinutes = 15;
        several.Anomaly.HistoryLength = 16;
        several.Pricing.UpdateIntervalMinutes = 7;
        several.Experiment.Salt = "reshuffled";
        several.Experiment.Arms[1].Weight = 3;
        error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(several, snapshot));
        foreach (var expected in new[]
        {
            "Windows:ShortWindowMinutes 10, these options have 15",
            "Anomaly:HistoryLength 8, these options have 16",
            "Pricing:UpdateIntervalMinutes 5, these options have 7",
            "Experiment:Salt priceintel, these options have reshuffled",
            "Experiment:Arms:1:Weight 2, these options have 3",
        })
        {
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("BucketsPerWindow", error.Message, StringComparison.Ordinal);

        var fewerArms = BusyOptions();
        fewerArms.Experiment.Arms.RemoveAt(1);
        error = Assert.Throws<InvalidDataException>(() => MarketEngine.Restore(fewerArms, snapshot));
        Assert.Contains("Experiment:Arms:Count 2, these options have 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Experiment:Arms:1:Name median, these options have (not set)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_shaping_option_changes_restore_and_take_effect()
    {
        var (engine, events) = BusyEngine(1_000);
        byte[] snapshot = Snapshot(engine);
        var changed = BusyOptions();
        changed.Alerts.LowInventoryThreshold = 30;
        changed.Alerts.CompetitorPriceDropThreshold = 0.05;
        changed.Pricing.MaxChange = 0.02;
        changed.Pricing.MinMargin = 0.1;
        changed.Windows.AllowedLatenessSeconds = 10;
        changed.Anomaly.RobustZThreshold = 4;

        var restored = MarketEngine.Restore(changed, snapshot);
        Assert.Same(changed, restored.Options);
        Assert.Equal(engine.Counters, restored.Counters);
        Assert.Equal(engine.Watermark, restored.Watermark);

        // The new thresholds are the ones in force: low inventory signals now carry threshold 30, and the
        // decisions differ from those of the same snapshot restored with the original options.
        var more = Interpret(MoreSteps(events.Length), engine.Watermark + 1);
        var outputs = restored.Process(more);
        var low = outputs.Signals.ToArray().Where(s => s.Kind == SignalKind.LowInventory).ToArray();
        Assert.NotEmpty(low);
        Assert.All(low, s => Assert.Equal(30, s.Threshold));
        var changedDecisions = outputs.Decisions.ToArray();
        var original = MarketEngine.Restore(BusyOptions(), snapshot);
        var originalDecisions = original.Process(more).Decisions.ToArray();
        Assert.NotEmpty(changedDecisions);
        Assert.NotEqual(originalDecisions, changedDecisions);
    }

    [Fact]
    public void Ten_thousand_products_by_eight_competitors_snapshot_size_and_time()
    {
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(new PriceIntelOptions(), keys, initialProducts: 10_000);
        var rng = new Random(1);
        var batch = new MarketEvent[4096];
        int filled = 0;
        for (int p = 0; p < 10_000; p++)
        {
            keys.Products.Intern($"SKU-{p}");
        }

        for (int c = 0; c < 8; c++)
        {
            keys.Competitors.Intern($"rival-{c}");
        }

        // Three rounds of prices an hour apart (every product, every competitor), then a view per product.
        for (int round = 0; round < 4; round++)
        {
            for (int p = 0; p < 10_000; p++)
            {
                long t = T0 + (round * 3_600_000L) + (p * 100L);
                for (int c = 0; c < 8; c++)
                {
                    batch[filled++] = round < 3
                        ? MarketEvent.CompetitorPrice(p, c, 0, Money.FromDouble(20 + rng.Next(100)), Usd, Availability.InStock, t + c)
                        : MarketEvent.Demand(p, DemandAction.View, 1, default, default, t + c);
                    if (filled == batch.Length)
                    {
                        engine.Process(batch);
                        filled = 0;
                    }
                }
            }
        }

        engine.Process(batch.AsSpan(0, filled));
        var buffer = new ArrayBufferWriter<byte>(256 << 20);
        engine.WriteSnapshot(buffer); // warm
        buffer.ResetWrittenCount();
        var write = Stopwatch.StartNew();
        engine.WriteSnapshot(buffer);
        write.Stop();
        MarketEngine.Restore(new PriceIntelOptions(), buffer.WrittenSpan); // warm
        var restore = Stopwatch.StartNew();
        var restored = MarketEngine.Restore(new PriceIntelOptions(), buffer.WrittenSpan);
        restore.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"10,000 products x 8 competitors: snapshot {buffer.WrittenCount:N0} bytes, written in {write.Elapsed.TotalMilliseconds:F0} ms, restored in {restore.Elapsed.TotalMilliseconds:F0} ms"));
        Assert.Equal(engine.Counters, restored.Counters);
        Assert.True(restored.TryGetView("SKU-9999", out var last));
        Assert.Equal(8, last.Competitors.Count);
    }

    private const int SnapshotHeaderBytes = 12;

    private static Step[] MoreSteps(int seed)
    {
        var rng = new Random(seed);
        var steps = new Step[600];
        for (int i = 0; i < steps.Length; i++)
        {
            steps[i] = new Step(rng.Next(100), rng.Next(Products), rng.Next(Competitors), rng.Next(30_000), rng.Next(100), false);
        }

        return steps;
    }

    private static (MarketEngine Engine, MarketEvent[] Events) BusyEngine(int steps)
    {
        var rng = new Random(steps);
        var generated = new Step[steps];
        for (int i = 0; i < steps; i++)
        {
            generated[i] = new Step(rng.Next(100), rng.Next(Products), rng.Next(Competitors), rng.Next(60_000), rng.Next(100), rng.Next(10) == 0);
        }

        var events = Interpret(generated);
        var engine = MarketEngine.Create(BusyOptions(), NewKeys());
        engine.SetMapFloor("SKU-2", Money.FromDecimal(61m));
        engine.Process(events);
        return (engine, events);
    }

    internal static byte[] Snapshot(MarketEngine engine)
    {
        var buffer = new ArrayBufferWriter<byte>();
        engine.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    internal sealed record Run(MarketEngine Engine, List<Output> Outputs);

    /// <summary>
    /// One signal or decision with its key ids resolved to strings through the engine's own keys. A batch
    /// lists its signals before its decisions, so the two are compared as separate sequences (batch
    /// boundaries differ between the runs).
    /// </summary>
    internal readonly record struct Output(bool IsDecision, long Timestamp, string Text);

    private static Run RunStraight(PriceIntelOptions options, MarketKeys keys, MarketEvent[] events, int batch, Action<MarketEngine>? setUp = null)
    {
        var engine = MarketEngine.Create(options, keys);
        setUp?.Invoke(engine);
        var outputs = new List<Output>();
        Feed(engine, events, batch, outputs);
        return new Run(engine, outputs);
    }

    private static Run RunSplit(PriceIntelOptions options, MarketKeys keys, MarketEvent[] events, int split, int batch, Action<MarketEngine>? setUp = null)
    {
        var before = MarketEngine.Create(options, keys);
        setUp?.Invoke(before);
        var outputs = new List<Output>();
        Feed(before, events.AsSpan(0, split).ToArray(), batch, outputs);
        byte[] snapshot = Snapshot(before);

        var after = MarketEngine.Restore(options, snapshot);
        AssertSameKeys(keys, after.Keys);
        Assert.Equal(snapshot, Snapshot(after));
        Feed(after, events.AsSpan(split).ToArray(), batch, outputs);
        return new Run(after, outputs);
    }

    private static void Feed(MarketEngine engine, MarketEvent[] events, int batch, List<Output> outputs)
    {
        for (int i = 0; i < events.Length; i += batch)
        {
            var result = engine.Process(events.AsSpan(i, Math.Min(batch, events.Length - i)));
            outputs.AddRange(Describe(result, engine.Keys));
        }
    }

    private static List<Output> Describe(OutputBatch batch, MarketKeys keys)
    {
        var list = new List<Output>();
        foreach (var s in batch.Signals.Span)
        {
            string competitor = s.CompetitorId >= 0 ? keys.Competitors.GetName(s.CompetitorId) : "-";
            list.Add(new Output(false, s.Timestamp, $"{s with { ProductId = 0, CompetitorId = 0 }} product={keys.Products.GetName(s.ProductId)} competitor={competitor}"));
        }

        foreach (var d in batch.Decisions.Span)
        {
            list.Add(new Output(true, d.Timestamp, $"{d with { ProductId = 0 }} product={keys.Products.GetName(d.ProductId)}"));
        }

        return list;
    }

    private static void AssertSameKeys(MarketKeys expected, MarketKeys actual)
    {
        foreach (var (e, a) in new[] { (expected.Products, actual.Products), (expected.Competitors, actual.Competitors), (expected.Platforms, actual.Platforms) })
        {
            Assert.Equal(e.Count, a.Count);
            for (int id = 0; id < e.Count; id++)
            {
                Assert.Equal(e.GetName(id), a.GetName(id));
                Assert.True(a.TryGetId(e.GetName(id), out int found));
                Assert.Equal(id, found);
                Assert.Equal(e.GetStableHash(id), a.GetStableHash(id));
            }
        }
    }

    private static void AssertSameEngine(Run straight, Run resumed)
    {
        Assert.Equal(straight.Outputs.Where(o => !o.IsDecision), resumed.Outputs.Where(o => !o.IsDecision));
        Assert.Equal(straight.Outputs.Where(o => o.IsDecision), resumed.Outputs.Where(o => o.IsDecision));
        var s = straight.Engine;
        var r = resumed.Engine;
        Assert.Equal(s.Counters, r.Counters);
        Assert.Equal(s.Watermark, r.Watermark);
        Assert.Equal(s.GetArmReports(), r.GetArmReports());
        for (int p = 0; p < s.Keys.Products.Count; p++)
        {
            string key = s.Keys.Products.GetName(p);
            Assert.Equal(s.TryGetView(key, out var expected), r.TryGetView(key, out var actual));
            Assert.Equal(Describe(expected), Describe(actual));
        }

        Assert.Equal(s.ScheduledQueueLength, r.ScheduledQueueLength);
        Assert.Equal(Snapshot(s), Snapshot(r));
    }

    private static string Describe(ProductView? snapshot) =>
        snapshot is null
            ? "none"
            : string.Join(
                " | ",
                (snapshot with { Competitors = [], PriceWindows = [], DemandWindows = [] }).ToString(),
                string.Join(", ", snapshot.Competitors),
                string.Join(", ", snapshot.PriceWindows),
                string.Join(", ", snapshot.DemandWindows));
}
