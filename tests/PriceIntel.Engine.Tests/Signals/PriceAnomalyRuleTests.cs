using PriceIntel.Engine.Core;
using PriceIntel.Engine.Signals;
using static PriceIntel.Engine.Tests.Signals.SignalTestKit;

namespace PriceIntel.Engine.Tests.Signals;

public sealed class PriceAnomalyRuleTests
{
    [Fact]
    public void A_one_off_outlier_is_info_once_the_series_comes_back_and_a_confirmed_shift_is_warning_or_critical()
    {
        var (keys, product, competitor) = Keys();
        var rule = new PriceAnomalyRule(Alerts, keys);
        var output = new OutputBuffer();

        // Series 0: outliers that turn out to be the start of a level shift raise only the shift.
        Assert.False(rule.Evaluate(0, product, competitor, 52, Result(5.9, AnomalyVerdict.Outlier, 50), T0, output)); // below 6
        Assert.False(rule.Evaluate(0, product, competitor, 40, Result(8, AnomalyVerdict.Outlier, 50), T0 + 1, output)); // held back
        Assert.False(rule.Evaluate(0, product, competitor, 40, Result(8, AnomalyVerdict.Outlier, 50), T0 + 2, output));
        Assert.True(rule.Evaluate(0, product, competitor, 40, Result(11.9, AnomalyVerdict.LevelShift, 50), T0 + 3, output));
        Assert.False(rule.Evaluate(0, product, competitor, 40, Result(0.5, AnomalyVerdict.Normal, 40), T0 + 4, output));

        // Series 1: a stronger shift is critical.
        Assert.True(rule.Evaluate(1, product, competitor, 40, Result(12, AnomalyVerdict.LevelShift, 50), T0 + 5, output));

        // Series 2: a one-off is raised, as info with its own values and time, when the next point is normal.
        Assert.False(rule.Evaluate(2, product, competitor, 5, Result(8, AnomalyVerdict.Outlier, 50), T0 + 6, output));
        Assert.True(rule.Evaluate(2, product, competitor, 50.1, Result(0.2, AnomalyVerdict.Normal, 50), T0 + 7, output));

        var signals = Drain(output);
        Assert.Equal([SignalSeverity.Warning, SignalSeverity.Critical, SignalSeverity.Info], signals.Select(s => s.Severity));
        Assert.All(signals, s => Assert.Equal(SignalKind.PriceAnomaly, s.Kind));
        var info = signals[2];
        Assert.Equal(5, info.Observed);
        Assert.Equal(50, info.Reference);
        Assert.Equal(6, info.Threshold);
        Assert.Equal(8, info.Magnitude, 6);
        Assert.Equal(T0 + 6, info.Timestamp);
        Assert.Equal(competitor, info.CompetitorId);
        Assert.Equal(DeterministicId.Of((ulong)SignalKind.PriceAnomaly, KeyTable.ComputeStableHash("sku-1"), KeyTable.ComputeStableHash("acme"), (ulong)(T0 + 6)), info.Id);
    }

    [Fact]
    public void A_flaky_scraper_raises_at_most_one_outlier_signal_per_cooldown()
    {
        var (keys, product, competitor) = Keys();
        var rule = new PriceAnomalyRule(Alerts, keys);
        var output = new OutputBuffer();
        for (int minute = 0; minute < 180; minute++)
        {
            var result = minute % 2 == 0 ? Result(50, AnomalyVerdict.Outlier, 50) : Result(0.1, AnomalyVerdict.Normal, 50);
            rule.Evaluate(0, product, competitor, 5, result, T0 + (minute * Minute), output);
        }

        Assert.Equal([T0, T0 + (60 * Minute), T0 + (120 * Minute)], Drain(output).Select(s => s.Timestamp));
    }

    [Fact]
    public void With_the_detector_a_level_shift_raises_one_signal_at_its_confirmation()
    {
        var (keys, product, competitor) = Keys();
        var detector = EngineDetector();
        var rule = new PriceAnomalyRule(Alerts, keys);
        var output = new OutputBuffer();
        var random = new Random(8);
        for (int t = 0; t < 300; t++)
        {
            double price = (t >= 100 ? 40 : 50) * (1 + (0.005 * ((2 * random.NextDouble()) - 1)));
            rule.Evaluate(0, product, competitor, price, detector.Observe(0, T0 + (t * Minute), price), T0 + (t * Minute), output);
        }

        var signals = Drain(output);
        Assert.Equal([SignalSeverity.Critical], signals.Select(s => s.Severity));
        Assert.Equal([T0 + (102 * Minute)], signals.Select(s => s.Timestamp));
    }

    [Fact]
    public void A_confirmed_move_smaller_than_the_material_move_is_ordinary_repricing_and_raises_nothing()
    {
        var (keys, product, competitor) = Keys();
        var rule = new PriceAnomalyRule(Alerts, keys);
        var output = new OutputBuffer();
        Assert.Equal(0.15, rule.MaterialMove);
        Assert.False(rule.Evaluate(0, product, competitor, 46, Result(20, AnomalyVerdict.LevelShift, 50), T0, output)); // −8 %
        Assert.True(rule.Evaluate(1, product, competitor, 58, Result(20, AnomalyVerdict.LevelShift, 50), T0, output)); // +16 %
        Assert.Equal([SignalSeverity.Critical], Drain(output).Select(s => s.Severity));
    }
}
