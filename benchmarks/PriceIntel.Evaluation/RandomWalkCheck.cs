using System.Diagnostics;

namespace PriceIntel.Evaluation;

/// <summary>
/// The "signals a retailer would trust" check: the whole engine (default options) over a pure ±0.5 %
/// random walk with no anomaly in it — every (product, competitor) pair walks on its own, uniform steps of
/// at most 0.5 %, rounded to cents, pairs scraped round-robin (one full round of all pairs per hour).
/// Any price-anomaly signal here is a false alarm; the report counts them by severity.
/// </summary>
internal static class RandomWalkCheck
{
    public static (long Prices, long Info, long Warning, long Critical, long Outliers, double Seconds) Run(int products, int competitors, int rounds, ulong seed = 0x52_57_41_4C_4B)
    {
        var keys = new MarketKeys();
        for (int p = 0; p < products; p++)
        {
            keys.Products.Intern($"SKU-{p:D6}");
        }

        for (int c = 0; c < competitors; c++)
        {
            keys.Competitors.Intern($"competitor-{c}");
        }

        var engine = MarketEngine.Create(new PriceIntelOptions(), keys, initialProducts: products);
        int pairs = products * competitors;
        var price = new double[pairs];
        ulong state = seed;
        for (int i = 0; i < pairs; i++)
        {
            price[i] = 10 + (990 * NextDouble(ref state));
        }

        long stepMs = Math.Max(1, 3_600_000 / pairs);
        var batch = new MarketEvent[4096];
        int fill = 0;
        long ts = 0;
        long info = 0, warning = 0, critical = 0;
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < pairs; i++)
            {
                price[i] *= 1 + (0.005 * ((2 * NextDouble(ref state)) - 1));
                var money = Money.FromDouble(Math.Round(price[i], 2));
                batch[fill++] = MarketEvent.CompetitorPrice(i / competitors, i % competitors, 0, money, CurrencyCode.Usd, Availability.InStock, ts);
                ts += stepMs;
                if (fill == batch.Length)
                {
                    Count(engine.Process(batch), ref info, ref warning, ref critical);
                    fill = 0;
                }
            }
        }

        Count(engine.Process(batch.AsSpan(0, fill)), ref info, ref warning, ref critical);
        return ((long)pairs * rounds, info, warning, critical, engine.Counters.Outliers, clock.Elapsed.TotalSeconds);
    }

    private static void Count(OutputBatch batch, ref long info, ref long warning, ref long critical)
    {
        foreach (var s in batch.Signals.Span)
        {
            if (s.Kind != SignalKind.PriceAnomaly)
            {
                continue;
            }

            switch (s.Severity)
            {
                case SignalSeverity.Info: info++; break;
                case SignalSeverity.Warning: warning++; break;
                default: critical++; break;
            }
        }
    }

    private static double NextDouble(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
