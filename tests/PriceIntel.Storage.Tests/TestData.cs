namespace PriceIntel.Storage.Tests;

/// <summary>Outputs and events built by hand for store tests.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_732_406_400_000);

    public static long Ms(int minutes) => T0.AddMinutes(minutes).ToUnixTimeMilliseconds();

    public static MarketSignal Signal(MarketKeys keys, ulong id, SignalKind kind, string product, string? competitor, long ts, SignalSeverity severity = SignalSeverity.Warning, double observed = 17.5) =>
        new(id, kind, severity, keys.Products.Intern(product), competitor is null ? -1 : keys.Competitors.Intern(competitor), observed, 20.0, 0.1, 0.125, ts);

    public static PricingDecision Decision(MarketKeys keys, ulong id, string product, long ts, long oldTicks = 199_900, long newTicks = 189_900, byte arm = 0, DecisionTrigger trigger = DecisionTrigger.Scheduled) =>
        new(id, keys.Products.Intern(product), new Money(oldTicks), new Money(newTicks), new Money(newTicks - 100), CurrencyCode.Usd, PricingStrategyKind.BeatLowest, arm, trigger, PricingRules.PriceEnding, PricingRules.Strategy | PricingRules.PriceEnding, ts);

    public static OutputBatch Batch(MarketKeys keys, MarketSignal[] signals, PricingDecision[] decisions) => new(signals, decisions, keys);

    public static MarketEvent Price(MarketKeys keys, string product, string competitor, decimal price, long ts, string? platform = "web") =>
        MarketEvent.CompetitorPrice(
            keys.Products.Intern(product),
            keys.Competitors.Intern(competitor),
            platform is null ? -1 : keys.Platforms.Intern(platform),
            Money.FromDecimal(price),
            CurrencyCode.Usd,
            Availability.InStock,
            ts);

    public static CatalogProduct Product(string sku, string category = "audio", decimal? price = 199.99m, DateTimeOffset? at = null) =>
        new(sku, $"Product {sku}", category, "USD", 120m, price, 149m, 100m, 300m, 12, [$"https://shop.example/{sku}"], at ?? T0, at ?? T0);
}
