using System.Collections.Concurrent;

namespace PriceIntel.Benchmarks.Workloads;

/// <summary>
/// The reference price stream every benchmark shares: <see cref="Count"/> competitor price events,
/// timestamps 0, 1, 2, … ms, products 0–9,999 × competitors 0–7 picked at random, each product's price
/// starting uniform in 10–1000 and taking a ±0.5 % random-walk step on each of its events (rounded to
/// cents). Deterministic (fixed seed, own generator), built once per process and size, so several
/// benchmark classes share it. Size from <see cref="DefaultCount"/>, overridable with the environment
/// variable <c>PRICEINTEL_WORKLOAD_EVENTS</c> for quick runs (e.g. 1000000).
/// </summary>
public sealed class PriceStreamWorkload
{
    /// <summary>Events in the reference workload.</summary>
    public const int DefaultCount = 10_000_000;

    /// <summary>Distinct products (dense ids 0 .. Products−1).</summary>
    public const int Products = 10_000;

    /// <summary>Distinct competitors (dense ids 0 .. Competitors−1).</summary>
    public const int Competitors = 8;

    private const ulong Seed = 0x5052_4943_4549_4E54; // "PRICEINT"

    private static readonly ConcurrentDictionary<int, Lazy<PriceStreamWorkload>> Cache = new();

    private readonly Lazy<MarketEvent[]> _events;

    private PriceStreamWorkload(int count)
    {
        Count = count;
        ProductIds = new int[count];
        CompetitorIds = new int[count];
        Prices = new double[count];
        PriceTicks = new long[count];
        Timestamps = new long[count];
        Generate();
        _events = new Lazy<MarketEvent[]>(BuildEvents, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Number of events.</summary>
    public int Count { get; }

    /// <summary>Product id of each event.</summary>
    public int[] ProductIds { get; }

    /// <summary>Competitor id of each event.</summary>
    public int[] CompetitorIds { get; }

    /// <summary>Price of each event in currency units (equal to <c>new Money(PriceTicks[i]).ToDouble()</c>).</summary>
    public double[] Prices { get; }

    /// <summary>Price of each event as <see cref="Money"/> ticks.</summary>
    public long[] PriceTicks { get; }

    /// <summary>Event time of each event, Unix ms: 0, 1, 2, …</summary>
    public long[] Timestamps { get; }

    /// <summary>The same stream as <see cref="MarketEvent"/>s (built on first use, then cached).</summary>
    public MarketEvent[] Events => _events.Value;

    /// <summary>The size to use: <c>PRICEINTEL_WORKLOAD_EVENTS</c> when set to a positive number, else <see cref="DefaultCount"/>.</summary>
    public static int ConfiguredCount =>
        int.TryParse(Environment.GetEnvironmentVariable("PRICEINTEL_WORKLOAD_EVENTS"), out int n) && n > 0 ? n : DefaultCount;

    /// <summary>The shared workload of the configured size.</summary>
    public static PriceStreamWorkload Shared => Get(ConfiguredCount);

    /// <summary>The shared workload of <paramref name="count"/> events, built on first request.</summary>
    public static PriceStreamWorkload Get(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Cache.GetOrAdd(count, static n => new Lazy<PriceStreamWorkload>(() => new PriceStreamWorkload(n))).Value;
    }

    private void Generate()
    {
        ulong state = Seed;
        var level = new double[Products];
        for (int p = 0; p < Products; p++)
        {
            level[p] = 10 + (990 * NextUnit(ref state));
        }

        for (int i = 0; i < Count; i++)
        {
            ulong r = Next(ref state);
            int product = (int)((r >> 32) * Products >> 32);
            int competitor = (int)(r & 7);
            double step = 1 + (0.01 * (NextUnit(ref state) - 0.5)); // ±0.5 %
            double price = level[product] * step;
            level[product] = price;
            long ticks = (long)Math.Round(price * 100) * (Money.Scale / 100);
            ProductIds[i] = product;
            CompetitorIds[i] = competitor;
            PriceTicks[i] = ticks;
            Prices[i] = new Money(ticks).ToDouble();
            Timestamps[i] = i;
        }
    }

    private MarketEvent[] BuildEvents()
    {
        var events = new MarketEvent[Count];
        for (int i = 0; i < Count; i++)
        {
            events[i] = MarketEvent.CompetitorPrice(ProductIds[i], CompetitorIds[i], 0, new Money(PriceTicks[i]), CurrencyCode.Usd, Availability.InStock, Timestamps[i]);
        }

        return events;
    }

    // SplitMix64: small, fast, and the same on every runtime.
    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double NextUnit(ref ulong state) => (Next(ref state) >> 11) * (1.0 / (1UL << 53));
}
