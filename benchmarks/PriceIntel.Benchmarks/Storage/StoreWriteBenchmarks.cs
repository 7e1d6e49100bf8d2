using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// Write throughput of the SQLite store, per record, on a fresh store each iteration. Two groups,
/// each with its own baseline:
/// <list type="bullet">
/// <item><b>Observations</b>: 20,000 competitor prices (1,000 products × 8 competitors, one per pair
/// per simulated minute). Batched = the pipeline's real path: batches of 500 handed to
/// <see cref="IPriceHistoryStore.AppendMarketEventsAsync"/> without waiting for each (as
/// <see cref="PriceHistorySources.Recording"/> does), so the store's writer stores whatever is queued in
/// one transaction. Baseline: one observation per awaited call = one transaction each.</item>
/// <item><b>Outputs</b>: 10,000 signals and 10,000 decisions. Batched = the engine's real path: sink
/// batches of 500 + 500 and one <see cref="IMarketOutputSink.FlushAsync"/> at the end. Baseline: one
/// output per batch, flushed (= committed) each time.</item>
/// </list>
/// After every iteration the store's counts are checked against what was written (both methods of a
/// group store the same records).
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/PriceIntel.Benchmarks -- --filter '*StoreWriteBenchmarks*'</c>
/// (the job is set here, in process: one invocation per iteration, 2 warm-up + 5 measured iterations).</remarks>
[MemoryDiagnoser]
[Config(typeof(WriteConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class StoreWriteBenchmarks
{
    private const int Observations = 20_000;
    private const int Outputs = 10_000;
    private const int BatchSize = 500;
    private readonly MarketKeys _keys = new();
    private MarketEvent[] _events = [];
    private MarketSignal[] _signals = [];
    private PricingDecision[] _decisions = [];
    private string _directory = "";
    private IMarketStore? _store;
    private (long Prices, long Signals, long Decisions) _expected;

    [GlobalSetup]
    public void Setup()
    {
        var t0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var random = new Random(5);
        _events = new MarketEvent[Observations];
        for (int i = 0; i < Observations; i++)
        {
            _events[i] = MarketEvent.CompetitorPrice(
                _keys.Products.Intern($"SKU-{i % 1000:D6}"), _keys.Competitors.Intern($"comp-{i / 1000 % 8}"), _keys.Platforms.Intern("web"),
                Money.FromDecimal(50m + random.Next(0, 5000) / 100m), CurrencyCode.Usd, Availability.InStock, t0 + (i / 8000 * 60_000L) + (i % 8000));
        }

        _signals = new MarketSignal[Outputs];
        _decisions = new PricingDecision[Outputs];
        for (int i = 0; i < Outputs; i++)
        {
            var product = i % 1000;
            _signals[i] = new MarketSignal((ulong)i + 1, (SignalKind)(1 + (i % 4)), SignalSeverity.Warning, product, i % 8, 10, 12, 0.15, 0.2, t0 + (i * 1000L));
            _decisions[i] = new PricingDecision((ulong)i + 1, product, new Money(500_000), new Money(490_000), new Money(490_000), CurrencyCode.Usd, PricingStrategyKind.BeatLowest, (byte)(i % 3), DecisionTrigger.CompetitorPriceDrop, PricingRules.Strategy, PricingRules.None, t0 + (i * 1000L));
        }
    }

    [IterationSetup(Targets = [nameof(ObservationPerTransaction), nameof(ObservationsBatched)])]
    public void OpenForObservations() => Open((Observations, 0, 0));

    [IterationSetup(Targets = [nameof(OutputPerTransaction), nameof(OutputsBatched)])]
    public void OpenForOutputs() => Open((0, Outputs, Outputs));

    [IterationCleanup]
    public void CheckAndDelete()
    {
        var s = _store!.GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
        if ((s.CompetitorPrices, s.Signals, s.Decisions) != _expected)
        {
            throw new InvalidOperationException($"stored {(s.CompetitorPrices, s.Signals, s.Decisions)} (prices, signals, decisions), expected {_expected}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Observations)]
    [BenchmarkCategory("Observations")]
    public async Task ObservationPerTransaction()
    {
        for (int i = 0; i < Observations; i++)
        {
            await _store!.AppendMarketEventsAsync(_events.AsMemory(i, 1), _keys, CancellationToken.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Observations)]
    [BenchmarkCategory("Observations")]
    public async Task ObservationsBatched()
    {
        var appends = new List<Task<int>>(Observations / BatchSize);
        for (int i = 0; i < Observations; i += BatchSize)
        {
            appends.Add(_store!.AppendMarketEventsAsync(_events.AsMemory(i, BatchSize), _keys, CancellationToken.None).AsTask());
        }

        await Task.WhenAll(appends);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Outputs)]
    [BenchmarkCategory("Outputs")]
    public async Task OutputPerTransaction()
    {
        for (int i = 0; i < Outputs; i++)
        {
            await _store!.WriteAsync(new OutputBatch(_signals.AsMemory(i, 1), ReadOnlyMemory<PricingDecision>.Empty, _keys), CancellationToken.None);
            await _store.FlushAsync(CancellationToken.None);
            await _store.WriteAsync(new OutputBatch(ReadOnlyMemory<MarketSignal>.Empty, _decisions.AsMemory(i, 1), _keys), CancellationToken.None);
            await _store.FlushAsync(CancellationToken.None);
        }
    }

    [Benchmark(OperationsPerInvoke = 2 * Outputs)]
    [BenchmarkCategory("Outputs")]
    public async Task OutputsBatched()
    {
        for (int i = 0; i < Outputs; i += BatchSize)
        {
            await _store!.WriteAsync(new OutputBatch(_signals.AsMemory(i, BatchSize), _decisions.AsMemory(i, BatchSize), _keys), CancellationToken.None);
        }

        await _store!.FlushAsync(CancellationToken.None);
    }

    private void Open((long, long, long) expected)
    {
        _expected = expected;
        _directory = Path.Combine(Path.GetTempPath(), "priceintel-bench-" + Guid.NewGuid().ToString("N"));
        _store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = Path.Combine(_directory, "bench.db") });
    }

    private sealed class WriteConfig : ManualConfig
    {
        public WriteConfig() =>
            AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true)).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
    }
}
