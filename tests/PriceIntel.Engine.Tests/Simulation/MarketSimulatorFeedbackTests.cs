using System.Threading.Channels;
using static PriceIntel.Engine.Tests.Simulation.SimulationTestSupport;

namespace PriceIntel.Engine.Tests.Simulation;

public sealed class MarketSimulatorFeedbackTests
{
    [Fact]
    public async Task Lagged_feedback_gives_the_same_stream_whatever_the_hosts_thread_timing()
    {
        var sequential = await RunSequentialHostAsync(FeedbackMarket(), batchSize: 4096);
        var threaded = await RunThreadedHostAsync(FeedbackMarket(), batchSize: 1000, jitterSeed: 1);
        var threadedAgain = await RunThreadedHostAsync(FeedbackMarket(), batchSize: 333, jitterSeed: 2);

        Assert.True(sequential.Stats.FeedbackApplied > 200, sequential.Stats.ToString());
        Assert.Equal(0, sequential.Stats.FeedbackLate);
        Assert.Equal(0, threaded.Stats.FeedbackLate);
        Assert.Equal(sequential.Events.Count, threaded.Events.Count);
        Assert.Equal(Checksum(sequential.Events), Checksum(threaded.Events));
        Assert.Equal(Checksum(sequential.Events), Checksum(threadedAgain.Events));
        Assert.Equal(sequential.Stats.FeedbackApplied, threaded.Stats.FeedbackApplied);
    }

    [Fact]
    public async Task Feedback_changes_the_market_and_open_loop_ignores_it()
    {
        var lagged = await RunSequentialHostAsync(FeedbackMarket(), batchSize: 4096);
        var openOptions = FeedbackMarket();
        openOptions.Feedback = SimulatorFeedbackMode.OpenLoop;
        var open = await RunSequentialHostAsync(openOptions, batchSize: 4096);

        Assert.NotEqual(Checksum(lagged.Events), Checksum(open.Events));
        Assert.Equal(0, open.Stats.FeedbackApplied);
        Assert.True(open.Stats.FeedbackIgnored > 200, open.Stats.ToString());
        Assert.Equal(Checksum(open.Events), Checksum(await RunAsync(openOptions)));
    }

    [Fact]
    public async Task Our_price_changes_exactly_lag_ticks_after_the_decision()
    {
        var options = FeedbackMarket();
        options.FeedbackLagTicks = 3;
        var run = await RunSequentialHostAsync(options, batchSize: 4096);
        var start = run.Events[0].Timestamp;
        var tickMs = (long)options.Tick.TotalMilliseconds;

        var decisions = run.Decisions.GroupBy(d => d.ProductId).ToDictionary(g => g.Key, g => g.ToList());
        var listPrice = run.Events.Where(e => e.Kind == MarketEventKind.ListPrice).ToDictionary(e => e.ProductId, e => e.Price);
        var viewsAfterAChange = 0;
        foreach (var view in run.Events.Where(e => e.Action == DemandAction.View))
        {
            // A view in tick k shows the last decision timed before tick k − L + 1.
            var tick = (view.Timestamp - start) / tickMs;
            var boundary = start + ((tick - options.FeedbackLagTicks + 1) * tickMs);
            var expected = listPrice[view.ProductId];
            if (decisions.TryGetValue(view.ProductId, out var list))
            {
                foreach (var d in list)
                {
                    if (d.Timestamp < boundary)
                    {
                        expected = d.Price;
                    }
                }
            }

            Assert.Equal(expected, view.Price);
            viewsAfterAChange += expected != listPrice[view.ProductId] ? 1 : 0;
        }

        Assert.True(viewsAfterAChange > 100, $"{viewsAfterAChange} views at a changed price");
    }

    [Fact]
    public async Task A_host_that_makes_no_decisions_gets_the_open_loop_stream_without_deadlock()
    {
        var options = FeedbackMarket();
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var events = new List<MarketEvent>();
        var buffer = new MarketEvent[2048];
        int n;
        while ((n = await simulator.ReadAsync(buffer, FailingRejections.Instance, default)) > 0)
        {
            events.AddRange(buffer.AsSpan(0, n));
            simulator.AcknowledgeThrough(buffer[n - 1].Timestamp);
        }

        options.Feedback = SimulatorFeedbackMode.OpenLoop;
        Assert.Equal(Checksum(await RunAsync(options)), Checksum(events));
    }

    [Fact]
    public async Task The_reader_waits_only_when_it_has_nothing_to_return_until_the_host_acknowledges()
    {
        var options = FeedbackMarket();
        options.FeedbackLagTicks = 2;
        var simulator = new MarketSimulator(options, new MarketKeys());
        var tickMs = (long)options.Tick.TotalMilliseconds;
        var buffer = new MarketEvent[100_000];

        // Ticks 0 and 1 need no acknowledgement; tick 2 needs everything before tick 1 acknowledged.
        var first = await simulator.ReadAsync(buffer, FailingRejections.Instance, default);
        Assert.True(first > 0);
        Assert.True(buffer[first - 1].Timestamp < simulator.StartTimestamp + (2 * tickMs));
        Assert.Equal(2, simulator.GetStatistics().Ticks);

        var pending = simulator.ReadAsync(buffer, FailingRejections.Instance, default).AsTask();
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);

        simulator.AcknowledgeThrough(simulator.StartTimestamp + tickMs - 1); // not yet past tick 0
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);

        simulator.AcknowledgeThrough(buffer[first - 1].Timestamp);
        var second = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(second > 0);
        Assert.All(buffer.Take(second), e => Assert.InRange(e.Timestamp, simulator.StartTimestamp + (2 * tickMs), simulator.StartTimestamp + (3 * tickMs) - 1));

        using var cts = new CancellationTokenSource();
        var cancelled = simulator.ReadAsync(buffer, FailingRejections.Instance, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        var disposed = simulator.ReadAsync(buffer, FailingRejections.Instance, default).AsTask();
        await simulator.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => disposed.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Feedback_for_unknown_products_is_ignored_and_invalid_prices_are_refused()
    {
        var keys = new MarketKeys();
        var other = keys.Products.Intern("NOT-SIMULATED");
        await using var simulator = new MarketSimulator(FeedbackMarket(), keys);

        simulator.ApplyOurPrice(other, Money.FromDecimal(10m), 0);
        simulator.ApplyOurPrice(123_456, Money.FromDecimal(10m), 0);

        Assert.Equal(2, simulator.GetStatistics().FeedbackIgnored);
        Assert.Throws<ArgumentOutOfRangeException>(() => simulator.ApplyOurPrice(keys.Products.Intern("SKU-000001"), Money.Zero, 0));
    }

    private static MarketSimulatorOptions FeedbackMarket() => new()
    {
        Seed = 99,
        ProductCount = 60,
        CompetitorCount = 4,
        Duration = TimeSpan.FromHours(12),
        ViewsPerProductPerHour = 20,
        Feedback = SimulatorFeedbackMode.Lagged,
    };

    private static async Task<HostRun> RunSequentialHostAsync(MarketSimulatorOptions options, int batchSize)
    {
        await using var simulator = new MarketSimulator(options, new MarketKeys());
        var host = new FakePricingHost();
        var events = new List<MarketEvent>();
        var buffer = new MarketEvent[batchSize];
        int n;
        while ((n = await simulator.ReadAsync(buffer, FailingRejections.Instance, default)) > 0)
        {
            events.AddRange(buffer.AsSpan(0, n));
            foreach (var d in host.Process(buffer.AsSpan(0, n)))
            {
                simulator.ApplyOurPrice(d.ProductId, d.Price, d.Timestamp);
            }

            simulator.AcknowledgeThrough(buffer[n - 1].Timestamp);
        }

        return new HostRun(events, host.AllDecisions, simulator.GetStatistics());
    }

    /// <summary>Reader and engine on different threads with a bounded channel between them and random pauses.</summary>
    private static async Task<HostRun> RunThreadedHostAsync(MarketSimulatorOptions options, int batchSize, int jitterSeed)
    {
        var keys = new MarketKeys();
        await using var simulator = new MarketSimulator(options, keys);
        await using var feedback = simulator.CreateFeedbackSink();
        var channel = Channel.CreateBounded<MarketEvent[]>(3);
        var host = new FakePricingHost();
        var events = new List<MarketEvent>();

        var reader = Task.Run(async () =>
        {
            var jitter = new Random(jitterSeed);
            while (true)
            {
                var buffer = new MarketEvent[batchSize];
                var n = await simulator.ReadAsync(buffer, FailingRejections.Instance, default);
                if (n == 0)
                {
                    channel.Writer.Complete();
                    return;
                }

                if (jitter.Next(4) == 0)
                {
                    Thread.Sleep(jitter.Next(2));
                }

                await channel.Writer.WriteAsync(buffer[..n]);
            }
        });

        var engine = Task.Run(async () =>
        {
            var jitter = new Random(jitterSeed + 1000);
            await foreach (var batch in channel.Reader.ReadAllAsync())
            {
                events.AddRange(batch);
                var decisions = host.Process(batch).Select(d => new PricingDecision(0, d.ProductId, Money.Zero, d.Price, d.Price, CurrencyCode.Usd, PricingStrategyKind.BeatLowest, 0, DecisionTrigger.CompetitorPriceDrop, PricingRules.Strategy, PricingRules.None, d.Timestamp)).ToArray();
                if (jitter.Next(3) == 0)
                {
                    Thread.Sleep(jitter.Next(2));
                }

                await feedback.WriteAsync(new OutputBatch(ReadOnlyMemory<MarketSignal>.Empty, decisions, keys), default);
                simulator.AcknowledgeThrough(batch[^1].Timestamp);
            }
        });

        await Task.WhenAll(reader, engine).WaitAsync(TimeSpan.FromMinutes(2));
        return new HostRun(events, host.AllDecisions, simulator.GetStatistics());
    }

    private sealed record HostRun(List<MarketEvent> Events, List<HostDecision> Decisions, MarketSimulatorStatistics Stats);

    private readonly record struct HostDecision(int ProductId, Money Price, long Timestamp);

    /// <summary>
    /// A test double for the engine's pricing decisions (the simulator under test is real): follow a
    /// competitor that is more than 2 % cheaper to 1 % below it, never under cost + 5 %; raise by 3 %
    /// when a competitor is more than 20 % dearer.
    /// </summary>
    private sealed class FakePricingHost
    {
        private readonly Dictionary<int, long> _ourPrice = [];
        private readonly Dictionary<int, long> _cost = [];

        public List<HostDecision> AllDecisions { get; } = [];

        public List<HostDecision> Process(ReadOnlySpan<MarketEvent> batch)
        {
            var decisions = new List<HostDecision>();
            foreach (var e in batch)
            {
                switch (e.Kind)
                {
                    case MarketEventKind.ListPrice:
                        _ourPrice[e.ProductId] = e.Price.Ticks;
                        break;
                    case MarketEventKind.Cost:
                        _cost[e.ProductId] = e.Price.Ticks;
                        break;
                    case MarketEventKind.CompetitorPrice when e.Availability == Availability.InStock:
                        var ours = _ourPrice[e.ProductId];
                        var floor = _cost[e.ProductId] * 105 / 100;
                        long target = 0;
                        if (e.Price.Ticks < ours * 98 / 100 && e.Price.Ticks * 99 / 100 >= floor)
                        {
                            target = e.Price.Ticks * 99 / 100 / 100 * 100;
                        }
                        else if (e.Price.Ticks > ours * 120 / 100 && e.Price.Ticks < ours * 3)
                        {
                            target = ours * 103 / 100 / 100 * 100;
                        }

                        if (target > 0 && target != ours)
                        {
                            _ourPrice[e.ProductId] = target;
                            decisions.Add(new HostDecision(e.ProductId, new Money(target), e.Timestamp));
                        }

                        break;
                }
            }

            AllDecisions.AddRange(decisions);
            return decisions;
        }
    }
}
