namespace PriceIntel.Engine.Tests.Serialization;

internal static class TestOutputs
{
    public static MarketSignal Signal(MarketKeys keys, ulong id, SignalKind kind, string product, string? competitor, long ts, double observed = 17.5) =>
        new(id, kind, SignalSeverity.Warning, keys.Products.Intern(product), competitor is null ? -1 : keys.Competitors.Intern(competitor), observed, 20.25, 0.15, 0.125, ts);

    public static PricingDecision Decision(MarketKeys keys, ulong id, string product, long ts, long newTicks = 189_900) =>
        new(id, keys.Products.Intern(product), new Money(199_900), new Money(newTicks), new Money(185_123), CurrencyCode.Usd, PricingStrategyKind.BeatLowest, 1, DecisionTrigger.CompetitorPriceDrop, PricingRules.PriceEnding, PricingRules.Strategy | PricingRules.MaxChange | PricingRules.PriceEnding, ts);

    public static OutputBatch Batch(MarketKeys keys, MarketSignal[] signals, PricingDecision[] decisions) => new(signals, decisions, keys);
}
