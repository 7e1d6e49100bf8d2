using BenchmarkDotNet.Attributes;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// Competitor price observations into a fresh SQLite store: 50 batches of 1,000 (one transaction
/// each, as the pipeline writes) against the baseline of one transaction per observation. Both store
/// the same 50,000 observations (checked after every iteration). Figures are per observation.
/// </summary>
/// <remarks>Each iteration is one invocation on a fresh store; run with
/// <c>--filter '*StoreWriteBenchmarks*' --inProcess --strategy Monitoring --warmupCount 1 --iterationCount 5</c>.</remarks>
[MemoryDiagnoser]
public class StoreWriteBenchmarks
{
    private const int Total = 50_000;
    private const int BatchSize = 1_000;
    private readonly MarketKeys _keys = new();
    private MarketEvent[] _events = [];
    private string _directory = "";
    private IMarketStore? _store;

    [GlobalSetup]
    public void Setup()
    {
        var t0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var random = new Random(5);
        _events = new MarketEvent[Total];
        for (int i = 0; i < Total; i++)
        {
            // 1,000 products x 8 competitors, one observation per pair per simulated minute, prices wandering.
            _events[i] = MarketEvent.CompetitorPrice(
                _keys.Products.Intern($"SKU-{i % 1000:D6}"), _keys.Competitors.Intern($"comp-{i / 1000 % 8}"), _keys.Platforms.Intern("web"),
                Money.FromDecimal(50m + random.Next(0, 5000) / 100m), CurrencyCode.Usd, Availability.InStock, t0 + (i / 8000 * 60_000L) + (i % 8000));
        }
    }

    [IterationSetup]
    public void OpenFreshStore()
    {
        _directory = Path.Combine(Path.GetTempPath(), "priceintel-bench-" + Guid.NewGuid().ToString("N"));
        _store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = Path.Combine(_directory, "bench.db") });
    }

    [IterationCleanup]
    public void CheckAndDelete()
    {
        var stored = _store!.GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().CompetitorPrices;
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
        if (stored != Total)
        {
            throw new InvalidOperationException($"stored {stored} observations, expected {Total}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Total)]
    public async Task OneTransactionPerObservation()
    {
        for (int i = 0; i < Total; i++)
        {
            await _store!.AppendMarketEventsAsync(_events.AsMemory(i, 1), _keys, CancellationToken.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Total)]
    public async Task BatchesOfAThousand()
    {
        for (int i = 0; i < Total; i += BatchSize)
        {
            await _store!.AppendMarketEventsAsync(_events.AsMemory(i, BatchSize), _keys, CancellationToken.None);
        }
    }
}
