using PriceIntel.Engine.Windows;

namespace PriceIntel.Engine.Tests.Windows;

public class HoppingWindowAggregatorTests
{
    [Fact]
    public void Tumbling_window_closes_when_the_watermark_reaches_its_end_with_hand_computed_stats()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 10, hopMs: 10);
        var consumer = new CollectingConsumer();
        aggregator.Add(0, 0, 1.0, ref consumer);
        aggregator.Add(0, 5, 3.0, ref consumer);
        aggregator.Add(0, 9, 2.0, ref consumer);
        aggregator.Add(1, 9, 7.0, ref consumer);
        Assert.Empty(consumer.Windows);

        aggregator.Add(0, 10, 5.0, ref consumer); // watermark 10 reaches the end of [0, 10)

        var window = Assert.Single(consumer.Windows);
        Assert.Equal((0L, 10L), (window.Start, window.End));
        Assert.Equal(2, window.Results.Length);
        var r = window.Results[0];
        Assert.Equal((0, 3, 2.0, 1.0, 3.0), (r.Key, r.Count, r.Mean, r.Min, r.Max));
        Assert.Equal(Math.Sqrt(2.0 / 3.0), r.StdDev, 12);
        Assert.Equal(new WindowResult(1, 0, 10, 1, 7.0, 7.0, 7.0, 0.0), window.Results[1]);
    }

    [Fact]
    public void Hopping_window_of_two_panes_reports_every_window_containing_values()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 10, hopMs: 5);
        var consumer = new CollectingConsumer();
        aggregator.Add(1, 1, 2.0, ref consumer);
        aggregator.Add(1, 6, 4.0, ref consumer);
        aggregator.Add(1, 11, 6.0, ref consumer);
        aggregator.AdvanceTime(20, ref consumer);

        Assert.Equal([(-5L, 5L), (0L, 10L), (5L, 15L), (10L, 20L)], consumer.Windows.Select(w => (w.Start, w.End)));
        var stats = consumer.Windows.Select(w => Assert.Single(w.Results)).Select(r => (r.Count, r.Mean, r.Min, r.Max, r.StdDev)).ToArray();
        Assert.Equal((1, 2.0, 2.0, 2.0, 0.0), stats[0]);
        Assert.Equal((2, 3.0, 2.0, 4.0, 1.0), stats[1]);
        Assert.Equal((2, 5.0, 4.0, 6.0, 1.0), stats[2]);
        Assert.Equal((1, 6.0, 6.0, 6.0, 0.0), stats[3]);
    }

    [Fact]
    public void Events_within_lateness_are_merged_and_older_ones_are_counted_and_dropped()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 10, hopMs: 10, allowedLatenessMs: 5);
        var consumer = new CollectingConsumer();
        aggregator.Add(0, 20, 1.0, ref consumer); // watermark 15: [0,10) closed (empty), [10,20) open
        aggregator.Add(0, 14, 3.0, ref consumer); // late but its window is open: merged
        aggregator.Add(0, 9, 100.0, ref consumer); // its only window has closed: late
        Assert.Equal(1, aggregator.LateCount);

        aggregator.Add(0, 25, 2.0, ref consumer); // watermark 20 closes [10, 20)
        var window = Assert.Single(consumer.Windows);
        Assert.Equal(new WindowResult(0, 10, 20, 1, 3.0, 3.0, 3.0, 0.0), Assert.Single(window.Results));

        aggregator.Flush(ref consumer);
        Assert.Equal(new WindowResult(0, 20, 30, 2, 1.5, 1.0, 2.0, 0.5), Assert.Single(consumer.Windows[1].Results));
        Assert.Equal(1, aggregator.LateCount);
    }

    [Fact]
    public void Large_level_with_tiny_spread_keeps_its_variance()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 100, hopMs: 100);
        var consumer = new CollectingConsumer();
        aggregator.Add(0, 0, 1e9 + 0.01, ref consumer);
        aggregator.Add(0, 1, 1e9 + 0.03, ref consumer);
        aggregator.Flush(ref consumer);
        var r = Assert.Single(Assert.Single(consumer.Windows).Results);
        Assert.Equal(0.01, r.StdDev, 6); // naive Σx² − (Σx)²/n loses every digit here
        Assert.Equal(1e9 + 0.02, r.Mean, 6);
    }

    [Fact]
    public void Keys_beyond_capacity_grow_the_state_and_keep_earlier_values()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 10, hopMs: 5, initialKeyCapacity: 1);
        var consumer = new CollectingConsumer();
        aggregator.Add(0, 1, 1.0, ref consumer);
        aggregator.Add(5000, 2, 2.0, ref consumer);
        aggregator.Add(0, 3, 3.0, ref consumer);
        aggregator.Flush(ref consumer);
        Assert.True(aggregator.KeyCapacity > 5000);
        var first = consumer.Windows[0].Results;
        Assert.Equal([0, 5000], first.Select(r => r.Key));
        Assert.Equal((2, 2.0), (first[0].Count, first[0].Mean));
        Assert.Equal((1, 2.0), (first[1].Count, first[1].Mean));
    }

    [Fact]
    public void Gap_in_time_skips_empty_windows_and_invalid_values_are_counted()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 10, hopMs: 5);
        var consumer = new CollectingConsumer();
        aggregator.Add(0, 1, 1.0, ref consumer);
        aggregator.Add(0, 2, double.NaN, ref consumer);
        aggregator.Add(0, 1_000_000, 9.0, ref consumer);
        Assert.Equal([(-5L, 5L), (0L, 10L)], consumer.Windows.Select(w => (w.Start, w.End)));
        Assert.Equal(1, aggregator.InvalidCount);
        aggregator.Add(0, 1_000_001, 11.0, ref consumer);
        aggregator.Flush(ref consumer);
        Assert.Equal(new WindowResult(0, 999_995, 1_000_005, 2, 10.0, 9.0, 11.0, 1.0), consumer.Windows[2].Results[0]);
    }

    [Fact]
    public void Constructor_rejects_a_window_that_is_not_a_multiple_of_the_hop()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HoppingWindowAggregator(windowMs: 10, hopMs: 3));
        Assert.Equal("windowMs", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoppingWindowAggregator(windowMs: 10, hopMs: 0));
    }

    [Fact]
    public void Negative_key_throws()
    {
        var aggregator = new HoppingWindowAggregator(windowMs: 10, hopMs: 10);
        var consumer = new CollectingConsumer();
        Assert.Throws<ArgumentOutOfRangeException>(() => aggregator.Add(-1, 0, 1.0, ref consumer));
    }
}
