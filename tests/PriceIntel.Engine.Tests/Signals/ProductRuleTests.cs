using PriceIntel.Engine.Core;
using PriceIntel.Engine.Signals;
using static PriceIntel.Engine.Tests.Signals.SignalTestKit;

namespace PriceIntel.Engine.Tests.Signals;

public sealed class DemandSurgeRuleTests
{
    [Fact]
    public void Raises_once_per_surge_and_needs_events_and_a_baseline()
    {
        var (keys, product, _) = Keys();
        var rule = new DemandSurgeRule(Alerts, keys);
        var output = new OutputBuffer();
        Assert.False(rule.Evaluate(product, 50, 10, 19, T0, output)); // too few events
        Assert.False(rule.Evaluate(product, 50, 0, 100, T0, output)); // no baseline yet
        Assert.False(rule.Evaluate(product, 19.99, 10, 100, T0, output)); // below 2×
        Assert.True(rule.Evaluate(product, 20, 10, 20, T0 + Minute, output)); // exactly 2×, exactly 20 events
        Assert.False(rule.Evaluate(product, 45, 10, 90, T0 + (2 * Minute), output)); // holds
        Assert.False(rule.Evaluate(product, 12, 10, 40, T0 + (3 * Minute), output)); // clears
        Assert.False(rule.Evaluate(product, 30, 10, 40, T0 + (4 * Minute), output)); // in cooldown
        Assert.True(rule.Evaluate(product, 30, 10, 40, T0 + (61 * Minute), output));

        var signals = Drain(output);
        Assert.Equal(2, signals.Length);
        var first = signals[0];
        Assert.Equal(SignalKind.DemandSurge, first.Kind);
        Assert.Equal(-1, first.CompetitorId);
        Assert.Equal(20, first.Observed);
        Assert.Equal(10, first.Reference);
        Assert.Equal(2.0, first.Threshold);
        Assert.Equal(2.0, first.Magnitude);
        Assert.Equal(SignalSeverity.Info, first.Severity);
        Assert.Equal(SignalSeverity.Warning, signals[1].Severity); // 3×
        Assert.Equal(DeterministicId.Of((ulong)SignalKind.DemandSurge, KeyTable.ComputeStableHash("sku-1"), 0, (ulong)(T0 + Minute)), first.Id);
    }

    [Theory]
    [InlineData(29.9, SignalSeverity.Info)]
    [InlineData(30, SignalSeverity.Warning)]
    [InlineData(39.9, SignalSeverity.Warning)]
    [InlineData(40, SignalSeverity.Critical)]
    public void Severity_cut_points(double shortRate, SignalSeverity expected)
    {
        var (keys, product, _) = Keys();
        var output = new OutputBuffer();
        Assert.True(new DemandSurgeRule(Alerts, keys).Evaluate(product, shortRate, 10, 100, T0, output));
        Assert.Equal(expected, Assert.Single(Drain(output)).Severity);
    }
}

public sealed class LowInventoryRuleTests
{
    [Fact]
    public void Hysteresis_keeps_one_episode_while_stock_wobbles_around_the_threshold()
    {
        var (keys, product, _) = Keys();
        var rule = new LowInventoryRule(new AlertOptions { CooldownMinutes = 0 }, keys);
        var output = new OutputBuffer();
        Assert.Equal(1, rule.Hysteresis);
        Assert.False(rule.Evaluate(product, 11, T0, output));
        Assert.True(rule.Evaluate(product, 10, T0 + 1, output));
        Assert.False(rule.Evaluate(product, 11, T0 + 2, output)); // within hysteresis: holds
        Assert.False(rule.Evaluate(product, 9, T0 + 3, output));
        Assert.True(rule.Episodes.IsActive(product));
        Assert.False(rule.Evaluate(product, 12, T0 + 4, output)); // above T + H: clears
        Assert.False(rule.Episodes.IsActive(product));
        Assert.False(rule.Evaluate(product, 11, T0 + 5, output)); // in the band, nothing to hold
        Assert.True(rule.Evaluate(product, 3, T0 + 6, output)); // no cooldown configured: new episode

        var signals = Drain(output);
        Assert.Equal(2, signals.Length);
        Assert.Equal(10, signals[0].Observed);
        Assert.Equal(11, signals[0].Reference);
        Assert.Equal(10, signals[0].Threshold);
        Assert.Equal(0, signals[0].Magnitude);
        Assert.Equal(7, signals[1].Magnitude);
    }

    [Theory]
    [InlineData(10, SignalSeverity.Info)]
    [InlineData(6, SignalSeverity.Info)]
    [InlineData(5, SignalSeverity.Warning)]
    [InlineData(1, SignalSeverity.Warning)]
    [InlineData(0, SignalSeverity.Critical)]
    [InlineData(-3, SignalSeverity.Critical)]
    public void Severity_cut_points(int units, SignalSeverity expected)
    {
        var (keys, product, _) = Keys();
        var output = new OutputBuffer();
        Assert.True(new LowInventoryRule(Alerts, keys).Evaluate(product, units, T0, output));
        Assert.Equal(expected, Assert.Single(Drain(output)).Severity);
    }

    [Fact]
    public void Larger_thresholds_get_a_proportional_hysteresis()
    {
        var (keys, _, _) = Keys();
        Assert.Equal(10, new LowInventoryRule(new AlertOptions { LowInventoryThreshold = 100 }, keys).Hysteresis);
        Assert.Equal(1, new LowInventoryRule(new AlertOptions { LowInventoryThreshold = 0 }, keys).Hysteresis);
    }
}
