using PriceIntel.Benchmarks.Workloads;

namespace PriceIntel.Benchmarks.Engine;

/// <summary>
/// The engine benchmark's stream: per product a cost, a list price and a stock level at time 0, then the
/// reference price stream with a demand event after every four price events (views 90 %, add-to-carts
/// 7 %, purchases 3 %) on the same product, all in event-time order.
/// </summary>
internal static class EngineWorkload
{
    public static MarketEvent[] Build(PriceStreamWorkload prices, out MarketKeys keys)
    {
        keys = new MarketKeys();
        for (int p = 0; p < PriceStreamWorkload.Products; p++)
        {
            keys.Products.Intern($"SKU-{p:D5}");
        }

        for (int c = 0; c < PriceStreamWorkload.Competitors; c++)
        {
            keys.Competitors.Intern($"competitor-{c}");
        }

        keys.Platforms.Intern("web");
        var usd = CurrencyCode.Usd;
        var events = new List<MarketEvent>(prices.Count + (prices.Count / 4) + (3 * PriceStreamWorkload.Products));
        var firstPrice = new long[PriceStreamWorkload.Products];
        for (int i = 0; i < prices.Count && Array.IndexOf(firstPrice, 0L) >= 0; i++)
        {
            if (firstPrice[prices.ProductIds[i]] == 0)
            {
                firstPrice[prices.ProductIds[i]] = prices.PriceTicks[i];
            }
        }

        for (int p = 0; p < PriceStreamWorkload.Products; p++)
        {
            long basePrice = firstPrice[p] == 0 ? 100 * Money.Scale : firstPrice[p];
            events.Add(MarketEvent.Cost(p, new Money(basePrice * 7 / 10), usd, 0));
            events.Add(MarketEvent.ListPrice(p, new Money(basePrice), usd, 0));
            events.Add(MarketEvent.Inventory(p, 500, 0));
        }

        ulong state = 12345;
        for (int i = 0; i < prices.Count; i++)
        {
            int p = prices.ProductIds[i];
            long ts = prices.Timestamps[i];
            events.Add(MarketEvent.CompetitorPrice(p, prices.CompetitorIds[i], 0, new Money(prices.PriceTicks[i]), usd, Availability.InStock, ts));
            if ((i & 3) == 3)
            {
                state = (state * 6364136223846793005UL) + 1442695040888963407UL;
                int roll = (int)((state >> 33) % 100);
                var action = roll < 90 ? DemandAction.View : roll < 97 ? DemandAction.AddToCart : DemandAction.Purchase;
                events.Add(MarketEvent.Demand(p, action, 1, new Money(prices.PriceTicks[i]), usd, ts));
            }
        }

        return [.. events];
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> with every timestamp moved by <paramref name="offset"/>.</summary>
    public static void Shift(ReadOnlySpan<MarketEvent> source, Span<MarketEvent> destination, long offset)
    {
        for (int i = 0; i < source.Length; i++)
        {
            ref readonly var e = ref source[i];
            long ts = e.Timestamp + offset;
            destination[i] = e.Kind switch
            {
                MarketEventKind.CompetitorPrice => MarketEvent.CompetitorPrice(e.ProductId, e.CompetitorId, e.PlatformId, e.Price, e.Currency, e.Availability, ts),
                MarketEventKind.Demand => MarketEvent.Demand(e.ProductId, e.Action, e.Quantity, e.Price, e.Currency, ts),
                MarketEventKind.Inventory => MarketEvent.Inventory(e.ProductId, e.Quantity, ts),
                MarketEventKind.Cost => MarketEvent.Cost(e.ProductId, e.Price, e.Currency, ts),
                _ => MarketEvent.ListPrice(e.ProductId, e.Price, e.Currency, ts),
            };
        }
    }
}
