using FsCheck.Xunit;
using PriceIntel.Engine.Simulation;

namespace PriceIntel.Engine.Tests.Simulation;

public sealed class SimulationInternalsTests
{
    private const long TickStart = 1_767_571_200_000;

    [Property(MaxTest = 200)]
    public void Tick_buffer_orders_events_like_a_stable_sort_by_timestamp_and_spills_later_ones(int[] offsets, bool longTicks)
    {
        var tickLength = longTicks ? 3_600_000L : 60_000L;
        var buffer = new TickEventBuffer(tickLength, initialCapacity: 4);
        buffer.Begin(TickStart, tickLength);
        var added = new List<(long Time, int Seq)>();
        for (int i = 0; i < offsets.Length; i++)
        {
            // Offsets spread over the tick and a little past it; the sequence number rides in Quantity.
            var offset = (long)(uint)offsets[i] % (tickLength + (tickLength / 4));
            buffer.Add(MarketEvent.Inventory(1, i, TickStart + offset));
            added.Add((TickStart + offset, i));
        }

        buffer.Sort();
        var output = new MarketEvent[offsets.Length + 1];
        var n = buffer.Read(output);

        var expected = added.Where(a => a.Time < TickStart + tickLength).OrderBy(a => a.Time).ToList(); // LINQ OrderBy is stable
        Assert.Equal(expected.Count, n);
        Assert.Equal(expected.Count, buffer.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i].Time, output[i].Timestamp);
            Assert.Equal(expected[i].Seq, output[i].Quantity);
        }

        Assert.Equal(0, buffer.Read(output));

        // The spilled events come back, in order, with the next tick.
        buffer.Begin(TickStart + tickLength, tickLength);
        buffer.Sort();
        var spilled = added.Where(a => a.Time >= TickStart + tickLength).OrderBy(a => a.Time).ToList();
        Assert.Equal(spilled.Count, buffer.Read(output));
        for (int i = 0; i < spilled.Count; i++)
        {
            Assert.Equal(spilled[i].Seq, output[i].Quantity);
        }
    }

    [Fact]
    public void Tick_buffer_hands_out_events_across_several_reads()
    {
        var buffer = new TickEventBuffer(60_000);
        buffer.Begin(TickStart, 60_000);
        for (int i = 0; i < 10; i++)
        {
            buffer.Add(MarketEvent.Inventory(1, i, TickStart + 59_999 - (i * 1000)));
        }

        buffer.Sort();
        var output = new MarketEvent[4];
        Assert.Equal(4, buffer.Read(output));
        Assert.Equal([9, 8, 7, 6], output.Select(e => e.Quantity));
        Assert.Equal(6, buffer.Remaining);
        Assert.Equal(4, buffer.Read(output));
        Assert.Equal(2, buffer.Read(output));
        Assert.Equal([1, 0], output.Take(2).Select(e => e.Quantity));
        Assert.Equal(TickStart + 59_999, buffer.LastTimestamp);
    }

    [Fact]
    public void Generator_is_deterministic_for_a_seed_and_differs_between_seeds()
    {
        var a = new Xoshiro256(42);
        var b = new Xoshiro256(42);
        var c = new Xoshiro256(43);
        var same = 0;
        for (int i = 0; i < 1000; i++)
        {
            var x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            same += x == c.NextUInt64() ? 1 : 0;
        }

        Assert.Equal(0, same);
    }

    [Property(MaxTest = 50)]
    public void Generator_draws_stay_in_range_with_the_expected_means(ulong seed)
    {
        var rng = new Xoshiro256(seed);
        const int n = 20_000;
        double sumUniform = 0, sumExponential = 0, sumGaussian = 0, sumPoisson = 0;
        for (int i = 0; i < n; i++)
        {
            var u = rng.NextDouble();
            Assert.InRange(u, 0.0, 0.9999999999999999);
            sumUniform += u;
            Assert.InRange(rng.NextInt(7), 0, 6);
            sumExponential += rng.NextExponential();
            sumGaussian += rng.NextRoughGaussian();
            sumPoisson += rng.NextPoisson(2.5);
        }

        Assert.InRange(sumUniform / n, 0.48, 0.52);
        Assert.InRange(sumExponential / n, 0.95, 1.05);
        Assert.InRange(sumGaussian / n, -0.05, 0.05);
        Assert.InRange(sumPoisson / n, 2.4, 2.6);
    }

    [Fact]
    public void Options_refuse_out_of_range_values_and_name_the_option()
    {
        var options = new MarketSimulatorOptions();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.ProductCount = 0);
        Assert.Contains("Simulator:ProductCount", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CompetitorCount = 65);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ScrapeErrorRate = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Tick = TimeSpan.FromMilliseconds(1500.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Duration = TimeSpan.FromSeconds(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.PriceElasticity = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Currency = default);
        Assert.Equal(5_000, options.ProductCount);

        options.MinScrapeIntervalMinutes = 90;
        var crossed = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("Simulator:MinScrapeIntervalMinutes", crossed.Message);
        Assert.Throws<ArgumentException>(() => new MarketSimulator(options, new MarketKeys()));
    }

    [Fact]
    public void Defaults_describe_a_week_of_5000_products_and_8_competitors()
    {
        var options = new MarketSimulatorOptions();
        Assert.Equal(5_000, options.ProductCount);
        Assert.Equal(8, options.CompetitorCount);
        Assert.Equal(TimeSpan.FromDays(7), options.Duration);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), options.Start);
        Assert.Equal(SimulatorFeedbackMode.OpenLoop, options.Feedback);
        Assert.Equal(2, options.FeedbackLagTicks);
    }
}
