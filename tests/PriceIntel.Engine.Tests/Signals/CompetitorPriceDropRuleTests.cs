using PriceIntel.Engine.Core;
using PriceIntel.Engine.Signals;
using static PriceIntel.Engine.Tests.Signals.SignalTestKit;

namespace PriceIntel.Engine.Tests.Signals;

public sealed class CompetitorPriceDropRuleTests
{
    [Fact]
    public void One_signal_per_episode_with_the_evidence()
    {
        var (keys, product, competitor) = Keys();
        var rule = new CompetitorPriceDropRule(Alerts, keys);
        var output = new OutputBuffer();
        Assert.True(rule.Evaluate(7, product, competitor, 80, 100, AnomalyVerdict.LevelShift, T0, output));
        Assert.False(rule.Evaluate(7, product, competitor, 79, 100, AnomalyVerdict.Normal, T0 + Minute, output));
        Assert.False(rule.Evaluate(7, product, competitor, 81, 100, AnomalyVerdict.Normal, T0 + (2 * Minute), output));

        var signal = Assert.Single(Drain(output));
        Assert.Equal(SignalKind.CompetitorPriceDrop, signal.Kind);
        Assert.Equal(product, signal.ProductId);
        Assert.Equal(competitor, signal.CompetitorId);
        Assert.Equal(80, signal.Observed);
        Assert.Equal(100, signal.Reference);
        Assert.Equal(0.15, signal.Threshold);
        Assert.Equal(0.2, signal.Magnitude, 12);
        Assert.Equal(SignalSeverity.Info, signal.Severity);
        Assert.Equal(T0, signal.Timestamp);
    }

    [Fact]
    public void Cooldown_runs_in_event_time_from_the_last_signal_and_a_new_episode_starts_after_it()
    {
        var (keys, product, competitor) = Keys();
        var rule = new CompetitorPriceDropRule(Alerts, keys);
        var output = new OutputBuffer();
        Assert.True(rule.Evaluate(0, product, competitor, 80, 100, AnomalyVerdict.Normal, T0, output));
        Assert.False(rule.Evaluate(0, product, competitor, 99, 100, AnomalyVerdict.Normal, T0 + Minute, output)); // clears
        Assert.False(rule.Evaluate(0, product, competitor, 80, 100, AnomalyVerdict.Normal, T0 + (30 * Minute), output)); // in cooldown
        Assert.False(rule.Evaluate(0, product, competitor, 80, 100, AnomalyVerdict.Normal, T0 + (60 * Minute) - 1, output));
        Assert.True(rule.Evaluate(0, product, competitor, 80, 100, AnomalyVerdict.Normal, T0 + (60 * Minute), output)); // still holds once cooldown is over
        Assert.False(rule.Evaluate(0, product, competitor, 70, 100, AnomalyVerdict.Normal, T0 + (200 * Minute), output)); // same episode
        Assert.False(rule.Evaluate(0, product, competitor, 100, 100, AnomalyVerdict.Normal, T0 + (201 * Minute), output));
        Assert.True(rule.Evaluate(0, product, competitor, 70, 100, AnomalyVerdict.Normal, T0 + (202 * Minute), output)); // cooldown long over
        Assert.False(rule.Evaluate(0, product, competitor, 70, 100, AnomalyVerdict.Normal, T0 - Minute, output)); // a late event starts nothing

        var signals = Drain(output);
        Assert.Equal([T0, T0 + (60 * Minute), T0 + (202 * Minute)], signals.Select(s => s.Timestamp));

        // Keys are independent: another series raises at once.
        Assert.True(rule.Evaluate(1, product, competitor, 80, 100, AnomalyVerdict.Normal, T0 + (202 * Minute), output));
    }

    [Fact]
    public void Outliers_neither_raise_nor_end_an_episode_and_unknown_references_change_nothing()
    {
        var (keys, product, competitor) = Keys();
        var rule = new CompetitorPriceDropRule(Alerts, keys);
        var output = new OutputBuffer();
        Assert.False(rule.Evaluate(0, product, competitor, 10, 100, AnomalyVerdict.Outlier, T0, output));
        Assert.False(rule.Evaluate(0, product, competitor, 50, double.NaN, AnomalyVerdict.WarmingUp, T0, output));
        Assert.False(rule.Evaluate(0, product, competitor, 50, 0, AnomalyVerdict.Normal, T0, output));
        Assert.True(rule.Evaluate(0, product, competitor, 80, 100, AnomalyVerdict.LevelShift, T0 + Minute, output));
        Assert.False(rule.Evaluate(0, product, competitor, 100, 100, AnomalyVerdict.Outlier, T0 + (2 * Minute), output));
        Assert.True(rule.Episodes.IsActive(0));
        Assert.Single(Drain(output));
    }

    [Theory]
    [InlineData(85.0, SignalSeverity.Info)] // 15 %
    [InlineData(77.6, SignalSeverity.Info)] // 22.4 %
    [InlineData(77.4, SignalSeverity.Warning)] // 22.6 %
    [InlineData(70.1, SignalSeverity.Warning)] // 29.9 %
    [InlineData(69.9, SignalSeverity.Critical)] // 30.1 %
    [InlineData(5.0, SignalSeverity.Critical)]
    public void Severity_cut_points(double price, SignalSeverity expected)
    {
        var (keys, product, competitor) = Keys();
        var rule = new CompetitorPriceDropRule(Alerts, keys);
        var output = new OutputBuffer();
        Assert.True(rule.Evaluate(0, product, competitor, price, 100, AnomalyVerdict.Normal, T0, output));
        Assert.Equal(expected, Assert.Single(Drain(output)).Severity);
        Assert.False(rule.Evaluate(1, product, competitor, 85.01, 100, AnomalyVerdict.Normal, T0, output)); // 14.99 %
    }

    [Fact]
    public void Ids_come_from_stable_key_hashes_and_event_time()
    {
        var (keysA, productA, competitorA) = Keys(padding: 0);
        var (keysB, productB, competitorB) = Keys(padding: 5);
        Assert.NotEqual(productA, productB);
        var outputA = new OutputBuffer();
        var outputB = new OutputBuffer();
        new CompetitorPriceDropRule(Alerts, keysA).Evaluate(0, productA, competitorA, 80, 100, AnomalyVerdict.Normal, T0, outputA);
        new CompetitorPriceDropRule(Alerts, keysB).Evaluate(3, productB, competitorB, 80, 100, AnomalyVerdict.Normal, T0, outputB);
        var later = new OutputBuffer();
        new CompetitorPriceDropRule(Alerts, keysA).Evaluate(0, productA, competitorA, 80, 100, AnomalyVerdict.Normal, T0 + 1, later);

        ulong id = Assert.Single(Drain(outputA)).Id;
        Assert.Equal(id, Assert.Single(Drain(outputB)).Id);
        Assert.NotEqual(id, Assert.Single(Drain(later)).Id);
        ulong expected = DeterministicId.Of(
            (ulong)SignalKind.CompetitorPriceDrop,
            KeyTable.ComputeStableHash("sku-1"),
            KeyTable.ComputeStableHash("acme"),
            (ulong)T0);
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData(0.8, 1)] // real −20 % move: one signal, at the confirmation point
    [InlineData(0.1, 0)] // ÷10 one-off: bad scrape, no signal
    [InlineData(0.5, 0)] // −50 % one-off: bad scrape, no signal
    public void With_the_detector_a_confirmed_drop_raises_once_and_a_bad_scrape_never(double factor, int expectedSignals)
    {
        var (keys, product, competitor) = Keys();
        var detector = EngineDetector();
        var rule = new CompetitorPriceDropRule(Alerts, keys);
        var output = new OutputBuffer();
        var random = new Random(4);
        bool persistent = expectedSignals > 0;
        long confirmedAt = -1;
        for (int t = 0; t < 300; t++)
        {
            double level = persistent && t >= 100 ? 50 * factor : 50;
            double price = level * (1 + (0.005 * ((2 * random.NextDouble()) - 1)));
            if (!persistent && t == 100)
            {
                price *= factor;
            }

            var result = detector.Observe(0, T0 + (t * Minute), price);
            if (result.Verdict == AnomalyVerdict.LevelShift)
            {
                confirmedAt = T0 + (t * Minute);
            }

            rule.Evaluate(0, product, competitor, price, result.Baseline, result.Verdict, T0 + (t * Minute), output);
        }

        var signals = Drain(output);
        Assert.Equal(expectedSignals, signals.Length);
        if (persistent)
        {
            Assert.Equal(confirmedAt, signals[0].Timestamp);
            Assert.Equal(T0 + ((100 + new AnomalyOptions().LevelShiftConfirmations - 1) * Minute), confirmedAt);
            Assert.InRange(signals[0].Magnitude, 0.19, 0.21);
        }
    }
}
