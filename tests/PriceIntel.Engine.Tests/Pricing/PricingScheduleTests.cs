using PriceIntel.Engine.Pricing;

namespace PriceIntel.Engine.Tests.Pricing;

public sealed class PricingScheduleTests
{
    private const long T0 = 1_750_000_000_000L;

    [Fact]
    public void A_product_never_run_is_due_for_every_trigger()
    {
        var schedule = new PricingSchedule(intervalMs: 900_000);
        Assert.True(schedule.IsDue(5, T0));
        Assert.True(schedule.IsDue(5, T0, DecisionTrigger.DemandSurge));
        Assert.True(schedule.IsDue(1_000_000, T0)); // beyond the arrays: never run
        Assert.Equal(long.MinValue, schedule.NextDue(5));
    }

    [Fact]
    public void Scheduled_runs_follow_the_interval_in_event_time()
    {
        var schedule = new PricingSchedule(intervalMs: 900_000);
        schedule.MarkRun(5, T0);
        Assert.False(schedule.IsDue(5, T0 + 899_999));
        Assert.True(schedule.IsDue(5, T0 + 900_000));
        Assert.Equal(T0 + 900_000, schedule.NextDue(5));
        Assert.True(schedule.IsDue(6, T0)); // other products are independent
    }

    [Fact]
    public void Signal_triggered_runs_are_limited_to_one_a_minute()
    {
        var schedule = new PricingSchedule(intervalMs: 900_000);
        schedule.MarkRun(3, T0);
        Assert.False(schedule.IsDue(3, T0 + 59_999, DecisionTrigger.CompetitorPriceDrop));
        Assert.True(schedule.IsDue(3, T0 + 60_000, DecisionTrigger.CompetitorPriceDrop));
        Assert.False(schedule.IsDue(3, T0 + 60_000, DecisionTrigger.Scheduled));

        // A triggered run restarts the scheduled interval.
        schedule.MarkRun(3, T0 + 60_000);
        Assert.False(schedule.IsDue(3, T0 + 900_000));
        Assert.True(schedule.IsDue(3, T0 + 960_000));
        Assert.False(schedule.IsDue(3, T0 + 60_001, DecisionTrigger.CostChange));
    }

    [Fact]
    public void A_late_run_does_not_move_the_clock_back()
    {
        var schedule = new PricingSchedule(intervalMs: 1_000, minTriggeredGapMs: 500);
        schedule.MarkRun(0, T0);
        schedule.MarkRun(0, T0 - 10_000);
        Assert.Equal(T0 + 1_000, schedule.NextDue(0));
        Assert.False(schedule.IsDue(0, T0 + 499, DecisionTrigger.LowInventory));
    }

    [Fact]
    public void Grows_for_large_product_ids_and_keeps_earlier_ones()
    {
        var schedule = new PricingSchedule(intervalMs: 1_000, initialCapacity: 16);
        schedule.MarkRun(2, T0);
        schedule.MarkRun(5_000, T0 + 10);
        Assert.Equal(T0 + 1_000, schedule.NextDue(2));
        Assert.Equal(T0 + 1_010, schedule.NextDue(5_000));
        Assert.True(schedule.IsDue(4_999, T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.MarkRun(-1, T0));
    }

    [Fact]
    public void Takes_the_interval_from_the_pricing_options()
    {
        var schedule = new PricingSchedule(new PricingOptions { UpdateIntervalMinutes = 15 });
        Assert.Equal(900_000, schedule.IntervalMs);
        Assert.Equal(PricingSchedule.DefaultMinTriggeredGapMs, schedule.MinTriggeredGapMs);
    }

    [Fact]
    public void Due_queue_hands_out_due_products_earliest_first_once_per_run()
    {
        var schedule = new PricingSchedule(intervalMs: 1_000);
        schedule.MarkRun(1, T0 + 300);
        schedule.MarkRun(2, T0 + 100);
        schedule.MarkRun(3, T0 + 200);
        Assert.False(schedule.TryTakeDue(T0 + 1_099, out _));

        var taken = new List<int>();
        while (schedule.TryTakeDue(T0 + 1_250, out var product))
        {
            taken.Add(product);
        }

        Assert.Equal([2, 3], taken);
        Assert.True(schedule.TryTakeDue(T0 + 1_300, out var last));
        Assert.Equal(1, last);
        Assert.False(schedule.TryTakeDue(T0 + 99_999, out _)); // nothing comes back without MarkRun
        Assert.Equal(0, schedule.QueuedCount);
    }

    [Fact]
    public void Due_queue_skips_entries_superseded_by_a_triggered_run()
    {
        var schedule = new PricingSchedule(intervalMs: 1_000);
        schedule.MarkRun(7, T0);
        schedule.MarkRun(7, T0 + 400); // signal-triggered run restarts the interval
        Assert.False(schedule.TryTakeDue(T0 + 1_000, out _));
        Assert.True(schedule.TryTakeDue(T0 + 1_400, out var product));
        Assert.Equal(7, product);
        Assert.False(schedule.TryTakeDue(T0 + 10_000, out _));
    }

    [Fact]
    public void Due_queue_agrees_with_IsDue_over_many_products()
    {
        var schedule = new PricingSchedule(intervalMs: 10_000, initialCapacity: 16);
        var random = new Random(12345);
        const int products = 2_000;
        for (int p = 0; p < products; p++)
        {
            schedule.MarkRun(p, T0 + random.Next(0, 50_000));
        }

        long previousDue = long.MinValue;
        int count = 0;
        while (schedule.TryTakeDue(T0 + 40_000, out var product))
        {
            Assert.True(schedule.IsDue(product, T0 + 40_000));
            Assert.True(schedule.NextDue(product) >= previousDue);
            previousDue = schedule.NextDue(product);
            count++;
        }

        int expected = 0;
        for (int p = 0; p < products; p++)
        {
            expected += schedule.IsDue(p, T0 + 40_000) ? 1 : 0;
        }

        Assert.Equal(expected, count);
        Assert.InRange(count, 1_000, 1_400); // about 60 % of uniformly spread runs
    }
}
