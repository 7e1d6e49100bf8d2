using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// Write throughput of the SQLite store's demand history, per event, on a fresh store each iteration:
/// 20,000 demand events (1,000 products over two simulated hours; 80 % views, 15 % add-to-carts, 5 %
/// purchases) with ids from one <see cref="DemandEventIdAssigner"/>. Batched = the pipeline's real path:
/// batches of 500 handed to <see cref="IDemandHistoryStore.AppendDemandEventsAsync"/> without waiting
/// for each (as <see cref="PriceHistorySources.Recording"/> does), so the writer stores whatever is
/// queued in one transaction. Baseline: one event per awaited call = one transaction each. After every
/// iteration the stored views, add-to-carts and purchases are checked against the events written.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/PriceIntel.Benchmarks -- --filter '*DemandWriteBenchmarks*'</c>
/// (the job is set here, in process: one invocation per iteration, 2 warm-up + 5 measured iterations).</remarks>
[MemoryDiagnoser]
[Config(typeof(WriteConfig))]
public class DemandWriteBenchmarks
{
    private const int Events = 20_000;
    private const int Products = 1_000;
    private const int BatchSize = 500;
    private readonly MarketKeys _keys = new();
    private MarketEvent[] _events = [];
    private ulong[] _ids = [];
    private string _directory = "";
    private IMarketStore? _store;
    private (long Views, long Carts, long Purchases) _expected;

    [GlobalSetup]
    public void Setup()
    {
        var t0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var random = new Random(5);
        _events = new MarketEvent[Events];
        for (int i = 0; i < Events; i++)
        {
            int roll = random.Next(100);
            var action = roll < 80 ? DemandAction.View : roll < 95 ? DemandAction.AddToCart : DemandAction.Purchase;
            _events[i] = MarketEvent.Demand(_keys.Products.Intern($"SKU-{i % Products:D6}"), action, action == DemandAction.View ? 0 : 1 + random.Next(2), Money.FromDecimal(50m + random.Next(0, 5000) / 100m), CurrencyCode.Usd, t0 + (i * 360L));
        }

        _ids = new ulong[Events];
        new DemandEventIdAssigner().Assign(_events, _keys, _ids);
        _expected = (_events.Count(e => e.Action == DemandAction.View), _events.Count(e => e.Action == DemandAction.AddToCart), _events.Count(e => e.Action == DemandAction.Purchase));
    }

    [IterationSetup]
    public void Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), "priceintel-bench-" + Guid.NewGuid().ToString("N"));
        _store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = Path.Combine(_directory, "bench.db") });
    }

    [IterationCleanup]
    public void CheckAndDelete()
    {
        (long Views, long Carts, long Purchases) stored = (0, 0, 0);
        for (int p = 0; p < Products; p++)
        {
            foreach (var b in _store!.QueryDemandAsync(new DemandQuery(_keys.Products.GetName(p), DemandBucketSize.Day), CancellationToken.None).AsTask().GetAwaiter().GetResult().Items)
            {
                stored = (stored.Views + b.Views, stored.Carts + b.AddToCarts, stored.Purchases + b.Purchases);
            }
        }

        _store!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
        if (stored != _expected)
        {
            throw new InvalidOperationException($"stored {stored} (views, carts, purchases), expected {_expected}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task EventPerTransaction()
    {
        for (int i = 0; i < Events; i++)
        {
            await _store!.AppendDemandEventsAsync(_events.AsMemory(i, 1), _ids.AsMemory(i, 1), _keys, CancellationToken.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task EventsBatched()
    {
        var appends = new List<Task<int>>(Events / BatchSize);
        for (int i = 0; i < Events; i += BatchSize)
        {
            appends.Add(_store!.AppendDemandEventsAsync(_events.AsMemory(i, BatchSize), _ids.AsMemory(i, BatchSize), _keys, CancellationToken.None).AsTask());
        }

        await Task.WhenAll(appends);
    }

    private sealed class WriteConfig : ManualConfig
    {
        public WriteConfig() =>
            AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true)).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
    }
}
