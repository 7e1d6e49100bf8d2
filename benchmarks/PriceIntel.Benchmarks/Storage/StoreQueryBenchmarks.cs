using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// The dashboard's queries on a SQLite store holding many competitor price observations (1,000
/// products x 8 competitors, one per pair per simulated minute; PRICEINTEL_BENCH_OBSERVATIONS sets
/// how many, default 1,000,000) plus signals and decisions. The store is generated once into
/// PRICEINTEL_BENCH_STORE (default: the temp directory) and reused. Baseline: the newest page of one
/// product's raw observations. Open is timed separately (<see cref="OpenAndReadStatistics"/>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentileConfig))]
public class StoreQueryBenchmarks
{
    private IMarketStore? _store;
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        var count = long.TryParse(Environment.GetEnvironmentVariable("PRICEINTEL_BENCH_OBSERVATIONS"), out var n) ? n : 1_000_000;
        _path = Environment.GetEnvironmentVariable("PRICEINTEL_BENCH_STORE") is { Length: > 0 } p ? p : Path.Combine(Path.GetTempPath(), $"priceintel-bench-{count}.db");
        _store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _path });
        var held = _store.GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().CompetitorPrices;
        if (held < count)
        {
            Generate(_store, held, count);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public async Task<int> NewestObservationsOfAProduct() =>
        (await _store!.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-000042") { Limit = 100 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> HourBucketsOfAProductOverThirtyDays() =>
        (await _store!.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-000042", PriceBucketSize.Hour) { Limit = 30 * 24 * 8 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> NewestSignals() =>
        (await _store!.QuerySignalsAsync(new SignalQuery { Limit = 50 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> OpenSignalsOfAKind() =>
        (await _store!.QuerySignalsAsync(new SignalQuery { Kind = SignalKind.CompetitorPriceDrop, Acknowledged = false, Limit = 50 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> DecisionsOfAProduct() =>
        (await _store!.QueryDecisionsAsync(new DecisionQuery { Product = "SKU-000042", Limit = 50 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<long> OpenAndReadStatistics()
    {
        // A second store object cannot open while the first holds the lock: open read-only, as a dashboard beside the writer would.
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _path, ReadOnly = true });
        return (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices;
    }

    private static void Generate(IMarketStore store, long from, long count)
    {
        var keys = new MarketKeys();
        var t0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var random = new Random(3);
        var batch = new MarketEvent[8_000];
        for (long start = from - (from % batch.Length); start < count; start += batch.Length)
        {
            for (int i = 0; i < batch.Length; i++)
            {
                long n = start + i;
                batch[i] = MarketEvent.CompetitorPrice(
                    keys.Products.Intern($"SKU-{n % 1000:D6}"), keys.Competitors.Intern($"comp-{n / 1000 % 8}"), keys.Platforms.Intern("web"),
                    Money.FromDecimal(50m + random.Next(0, 5000) / 100m), CurrencyCode.Usd, Availability.InStock, t0 + (n / 8000 * 60_000L));
            }

            store.AppendMarketEventsAsync(batch, keys, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            var minute = t0 + (start / 8000 * 60_000L);
            var signals = new MarketSignal[5];
            var decisions = new PricingDecision[5];
            for (int i = 0; i < 5; i++)
            {
                var product = keys.Products.Intern($"SKU-{(start / 8000 * 5 + i) % 1000:D6}");
                signals[i] = new MarketSignal((ulong)(start + i + 1), (SignalKind)(1 + (i % 4)), SignalSeverity.Warning, product, -1, 1, 2, 0.1, 0.5, minute);
                decisions[i] = new PricingDecision((ulong)(start + i + 1), product, new Money(500_000), new Money(490_000), new Money(490_000), CurrencyCode.Usd, PricingStrategyKind.BeatLowest, (byte)(i % 3), DecisionTrigger.Scheduled, PricingRules.Strategy, PricingRules.Strategy, minute);
            }

            store.WriteAsync(new OutputBatch(signals, decisions, keys), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P50, StatisticColumn.P95, StatisticColumn.Max);
    }
}
