using FsCheck.Xunit;
using PriceIntel.Engine.Windows;

namespace PriceIntel.Engine.Tests.Windows;

public class HoppingWindowAggregatorPropertyTests
{
    private enum Entry
    {
        PerEvent,
        SoaBatches,
        MarketEventBatches,
    }

    [Property(MaxTest = 300)]
    public void Results_match_naive_recomputation_and_late_events_are_counted_exactly(int seed)
    {
        var scenario = Scenario.Create(seed, allowNaN: true);
        var model = new NaiveWindowModel(scenario.Window, scenario.Hop, scenario.Lateness);
        foreach (var step in scenario.Steps)
        {
            model.Apply(step);
        }

        var aggregator = new HoppingWindowAggregator(scenario.Window, scenario.Hop, scenario.Lateness, scenario.InitialCapacity);
        var consumer = new CollectingConsumer();
        Run(aggregator, scenario, Entry.PerEvent, seed, ref consumer);

        // Before the flush: exactly the windows whose end the watermark has reached.
        bool any = scenario.Steps.Any(s => s.IsAdvance || double.IsFinite(s.Value));
        long openBefore = any ? model.OldestOpen : long.MinValue;
        AssertMatches(model.Expected(openBefore), consumer.Windows, scenario);
        Assert.Equal(model.Late, aggregator.LateCount);
        Assert.Equal(model.Invalid, aggregator.InvalidCount);

        // After the flush: every window with a value.
        aggregator.Flush(ref consumer);
        AssertMatches(model.Expected(long.MaxValue), consumer.Windows, scenario);
        Assert.Equal(model.Late, aggregator.LateCount);
    }

    [Property(MaxTest = 200)]
    public void Batch_entry_points_and_the_scalar_twin_give_identical_results(int seed)
    {
        var scenario = Scenario.Create(seed, allowNaN: false);
        var reference = Collect(scenario, Entry.PerEvent, simd: true, seed, out long referenceLate);
        foreach (var (entry, simd) in new[] { (Entry.SoaBatches, true), (Entry.MarketEventBatches, true), (Entry.PerEvent, false), (Entry.SoaBatches, false) })
        {
            var other = Collect(scenario, entry, simd, seed, out long late);
            Assert.Equal(referenceLate, late);
            Assert.Equal(reference.Count, other.Count);
            for (int i = 0; i < reference.Count; i++)
            {
                Assert.Equal(reference[i].Start, other[i].Start);
                Assert.Equal(reference[i].End, other[i].End);
                Assert.Equal(reference[i].Results, other[i].Results); // bit-for-bit: same operations in the same order
            }
        }
    }

    private static List<ClosedWindow> Collect(Scenario scenario, Entry entry, bool simd, int seed, out long late)
    {
        var aggregator = new HoppingWindowAggregator(scenario.Window, scenario.Hop, scenario.Lateness, scenario.InitialCapacity, simd);
        var consumer = new CollectingConsumer();
        Run(aggregator, scenario, entry, seed, ref consumer);
        aggregator.Flush(ref consumer);
        late = aggregator.LateCount;
        return consumer.Windows;
    }

    private static void Run(HoppingWindowAggregator aggregator, Scenario scenario, Entry entry, int seed, ref CollectingConsumer consumer)
    {
        var steps = scenario.Steps;
        var rng = new Random(seed ^ 0x5EED);
        int i = 0;
        while (i < steps.Length)
        {
            if (steps[i].IsAdvance)
            {
                aggregator.AdvanceTime(steps[i].Timestamp, ref consumer);
                i++;
                continue;
            }

            // A run of events up to the next advance, cut into random batches.
            int end = i;
            while (end < steps.Length && !steps[end].IsAdvance)
            {
                end++;
            }

            while (i < end)
            {
                int length = Math.Min(end - i, rng.Next(1, 40));
                var batch = steps.AsSpan(i, length);
                switch (entry)
                {
                    case Entry.PerEvent:
                        foreach (var s in batch)
                        {
                            aggregator.Add(s.Key, s.Timestamp, s.Value, ref consumer);
                        }

                        break;
                    case Entry.SoaBatches:
                        var keys = new int[length];
                        var timestamps = new long[length];
                        var values = new double[length];
                        for (int j = 0; j < length; j++)
                        {
                            (keys[j], timestamps[j], values[j]) = (batch[j].Key, batch[j].Timestamp, batch[j].Value);
                        }

                        aggregator.AddBatch(keys, timestamps, values, ref consumer);
                        break;
                    default:
                        var events = new List<MarketEvent>();
                        foreach (var s in batch)
                        {
                            // Mix in kinds the default selector must skip.
                            events.Add(MarketEvent.Inventory(s.Key, 5, s.Timestamp + 1_000_000));
                            events.Add(MarketEvent.CompetitorPrice(s.Key, 0, 0, Money.FromDouble(s.Value), CurrencyCode.Usd, Availability.InStock, s.Timestamp));
                        }

                        aggregator.AddBatch(events.ToArray().AsSpan(), ref consumer);
                        break;
                }

                i += length;
            }
        }
    }

    private static void AssertMatches(
        List<(long Start, long End, int Key, int Count, double Mean, double Min, double Max, double Variance, double Scale)> expected,
        List<ClosedWindow> windows,
        Scenario scenario)
    {
        var actual = new List<WindowResult>();
        long previousEnd = long.MinValue;
        foreach (var window in windows)
        {
            Assert.True(window.End > previousEnd, "windows are delivered in end order, once each");
            Assert.Equal(scenario.Window, window.End - window.Start);
            Assert.NotEmpty(window.Results);
            previousEnd = window.End;
            int previousKey = -1;
            foreach (var result in window.Results)
            {
                Assert.True(result.Key > previousKey, "keys ascend within a window");
                Assert.Equal(window.Start, result.WindowStart);
                Assert.Equal(window.End, result.WindowEnd);
                previousKey = result.Key;
                actual.Add(result);
            }
        }

        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal((e.Start, e.End, e.Key, e.Count), (a.WindowStart, a.WindowEnd, a.Key, a.Count));
            Assert.Equal(e.Min, a.Min);
            Assert.Equal(e.Max, a.Max);
            double range = KeyRange(scenario, e.Key);
            double meanTolerance = 1e-12 * (1 + Math.Abs(e.Mean) + range);
            Assert.True(Math.Abs(e.Mean - a.Mean) <= meanTolerance, $"mean {a.Mean} vs {e.Mean} (window {e.Start}, key {e.Key})");
            double variance = a.StdDev * a.StdDev;
            double varianceTolerance = 1e-12 * (1 + e.Count) * (1 + (range * range));
            Assert.True(Math.Abs(e.Variance - variance) <= varianceTolerance, $"variance {variance} vs {e.Variance} (window {e.Start}, key {e.Key})");
        }
    }

    private static double KeyRange(Scenario scenario, int key)
    {
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        foreach (var s in scenario.Steps)
        {
            if (!s.IsAdvance && s.Key == key && double.IsFinite(s.Value))
            {
                min = Math.Min(min, s.Value);
                max = Math.Max(max, s.Value);
            }
        }

        return max - min;
    }
}
