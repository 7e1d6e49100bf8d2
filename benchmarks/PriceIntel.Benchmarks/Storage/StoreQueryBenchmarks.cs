using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// Latency (p50/p95/p99 of single queries) of the queries the web API and dashboard run, on a SQLite
/// store holding <c>PRICEINTEL_BENCH_OBSERVATIONS</c> competitor prices (default 10,000,000): 500
/// products × 8 competitors, one price per pair every 20 minutes (10 M = 34.7 days), one signal and
/// one decision per 100 prices, and the 500 catalog entries. The store is generated once by the
/// store's own batched write path into <c>PRICEINTEL_BENCH_STORE</c> (default
/// <c>/tmp/priceintel-bench-{count}.db</c>) and reused (an interrupted generation resumes). Setup prints
/// the open time and the process memory after opening and running every query once: run it at
/// 1 M and at 10 M to see that memory does not grow with the history.
/// <para>Baseline: one product's hour buckets over 30 days rolled up from its raw observations
/// (what a store without stored buckets would do); checked in setup to equal the stored hour buckets
/// the <see cref="HourBucketsOfAProductOverThirtyDays"/> query returns.</para>
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/PriceIntel.Benchmarks -- --filter '*StoreQueryBenchmarks*'</c>
/// (the job is set here, in process: one query per iteration, 20 warm-up and 200 measured iterations, so the
/// percentiles are those of single queries).</remarks>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class StoreQueryBenchmarks
{
    private const int Products = 500;
    private const int Competitors = 8;
    private const long StepMs = 20 * 60_000L;
    private const string Sku = "SKU-000042";
    private static readonly long T0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private IMarketStore? _store;
    private string _path = "";
    private DateTimeOffset _end;
    private DateTimeOffset _thirtyDaysBack;
    private string? _secondProductPage;
    private string? _secondDecisionPage;

    [GlobalSetup]
    public void Setup()
    {
        var count = long.TryParse(Environment.GetEnvironmentVariable("PRICEINTEL_BENCH_OBSERVATIONS"), out var n) ? n : 10_000_000;
        count -= count % (Products * Competitors);
        _path = Environment.GetEnvironmentVariable("PRICEINTEL_BENCH_STORE") is { Length: > 0 } p ? p : Path.Combine(Path.GetTempPath(), $"priceintel-bench-{count}.db");
        var opened = Stopwatch.StartNew();
        _store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _path });
        var held = _store.GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().CompetitorPrices;
        opened.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// store {_path}: {held:N0} observations held, opened (with statistics) in {opened.Elapsed.TotalMilliseconds:F1} ms"));
        if (held < count)
        {
            var generated = Stopwatch.StartNew();
            GenerateAsync(_store, held, count).GetAwaiter().GetResult();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// generated {count - held:N0} observations (+ outputs, catalog) in {generated.Elapsed.TotalSeconds:F1} s = {(count - held) / generated.Elapsed.TotalSeconds:N0} observations/s"));
        }

        _end = DateTimeOffset.FromUnixTimeMilliseconds(T0 + (count / (Products * Competitors) * StepMs));

        // On an hour boundary, so the raw roll-up and the stored buckets cover the same hours.
        _thirtyDaysBack = DateTimeOffset.FromUnixTimeMilliseconds(PriceBucket.StartOf(_end.AddDays(-30).ToUnixTimeMilliseconds(), PriceBucketSize.Hour));
        _secondProductPage = _store.QueryProductsAsync(new ProductQuery { Limit = 50 }, CancellationToken.None).AsTask().GetAwaiter().GetResult().NextCursor;
        _secondDecisionPage = _store.QueryDecisionsAsync(new DecisionQuery { Limit = 50 }, CancellationToken.None).AsTask().GetAwaiter().GetResult().NextCursor;

        var stored = HourBuckets().GetAwaiter().GetResult();
        var rolled = RollUpHourBucketsAsync().GetAwaiter().GetResult();
        if (stored.Count == 0 || !stored.SequenceEqual(rolled))
        {
            // A failed setup gets no cleanup: release the store (and its lock) for the next benchmark.
            _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new InvalidOperationException($"stored hour buckets ({stored.Count}) differ from the roll-up of raw observations ({rolled.Count})");
        }

        // Every query once, then the process's memory: compare runs at 1 M and 10 M observations.
        foreach (var query in new Func<Task<int>>[] { NewestObservationsOfAProduct, HourBucketsOfAProductOverThirtyDays, DayBucketsOfAProductOverThirtyDays, MinuteBucketsOfAProductOverADay, NewestSignals, OpenCriticalSignalsOfAKindForAProduct, DecisionsSecondPage, DecisionsOfAProductAndArm, ProductListSecondPage })
        {
            query().GetAwaiter().GetResult();
        }

        GC.Collect();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// memory after open + every query: working set {self.WorkingSet64 / 1048576.0:F1} MiB, managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F1} MiB, database {Size(_path) / 1048576.0:F0} MiB + WAL {Size(_path + "-wal") / 1048576.0:F0} MiB"));

        static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public async Task<int> HourBucketsRolledUpFromRawObservations() => (await RollUpHourBucketsAsync()).Count;

    [Benchmark]
    public async Task<int> HourBucketsOfAProductOverThirtyDays() => (await HourBuckets()).Count;

    [Benchmark]
    public async Task<int> DayBucketsOfAProductOverThirtyDays() =>
        (await _store!.QueryPriceBucketsAsync(new PriceBucketQuery(Sku, PriceBucketSize.Day) { From = _thirtyDaysBack, Limit = 1000 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> MinuteBucketsOfAProductOverADay() =>
        (await _store!.QueryPriceBucketsAsync(new PriceBucketQuery(Sku, PriceBucketSize.Minute) { From = _end.AddDays(-1), Limit = 10_000 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> NewestObservationsOfAProduct() =>
        (await _store!.QueryCompetitorPricesAsync(new PriceHistoryQuery(Sku) { Limit = 100 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> NewestSignals() =>
        (await _store!.QuerySignalsAsync(new SignalQuery { Limit = 50 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> OpenCriticalSignalsOfAKindForAProduct() =>
        (await _store!.QuerySignalsAsync(new SignalQuery { Product = Sku, Kind = SignalKind.CompetitorPriceDrop, MinSeverity = SignalSeverity.Critical, Acknowledged = false, Limit = 50 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> DecisionsSecondPage() =>
        (await _store!.QueryDecisionsAsync(new DecisionQuery { Limit = 50, Cursor = _secondDecisionPage }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> DecisionsOfAProductAndArm() =>
        (await _store!.QueryDecisionsAsync(new DecisionQuery { Product = Sku, Arm = 1, Limit = 50 }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<int> ProductListSecondPage() =>
        (await _store!.QueryProductsAsync(new ProductQuery { Limit = 50, Cursor = _secondProductPage }, CancellationToken.None)).Items.Count;

    [Benchmark]
    public async Task<long> OpenReadOnlyAndReadStatistics()
    {
        // A second writer cannot open while the first holds the lock: open read-only, as a dashboard beside the writer would.
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _path, ReadOnly = true });
        return (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices;
    }

    private async Task<IReadOnlyList<PriceBucket>> HourBuckets() =>
        (await _store!.QueryPriceBucketsAsync(new PriceBucketQuery(Sku, PriceBucketSize.Hour) { From = _thirtyDaysBack, Limit = 10_000 }, CancellationToken.None)).Items;

    /// <summary>The slow twin: every raw observation of the range, paged, rolled up per (hour, competitor) like the store does.</summary>
    private async Task<List<PriceBucket>> RollUpHourBucketsAsync()
    {
        var observations = new List<PriceObservation>();
        string? cursor = null;
        do
        {
            var page = await _store!.QueryCompetitorPricesAsync(new PriceHistoryQuery(Sku) { From = _thirtyDaysBack, Limit = 10_000, Cursor = cursor }, CancellationToken.None);
            observations.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return observations
            .GroupBy(o => (Start: PriceBucket.StartOf(o.Time.ToUnixTimeMilliseconds(), PriceBucketSize.Hour), o.Competitor))
            .Select(g =>
            {
                var open = g.OrderBy(o => o.Time).ThenBy(o => o.Price).First();
                var close = g.OrderByDescending(o => o.Time).ThenByDescending(o => o.Price).First();
                return new PriceBucket(Sku, g.Key.Competitor, PriceBucketSize.Hour, DateTimeOffset.FromUnixTimeMilliseconds(g.Key.Start), open.Price, g.Max(o => o.Price), g.Min(o => o.Price), close.Price, g.Count(), close.Currency);
            })
            .OrderByDescending(b => b.Start)
            .ThenByDescending(b => b.Id)
            .ToList();
    }

    private static async Task GenerateAsync(IMarketStore store, long from, long count)
    {
        var keys = new MarketKeys();
        var catalog = Enumerable.Range(0, Products)
            .Select(i => new CatalogProduct($"SKU-{i:D6}", $"Product {i}", $"category-{i % 12}", "USD", 20m, 49.99m, null, 25m, 99m, 100, [], DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0)))
            .ToArray();
        await store.UpsertProductsAsync(catalog, CancellationToken.None);
        var random = new Random(3);
        var appends = new Queue<Task<int>>();
        const int PerStep = Products * Competitors;
        for (long step = from / PerStep; step < count / PerStep; step++)
        {
            var time = T0 + (step * StepMs);
            var events = new MarketEvent[PerStep];
            for (int i = 0; i < PerStep; i++)
            {
                events[i] = MarketEvent.CompetitorPrice(
                    keys.Products.Intern($"SKU-{i % Products:D6}"), keys.Competitors.Intern($"comp-{i / Products}"), keys.Platforms.Intern("web"),
                    Money.FromDecimal(40m + random.Next(0, 2000) / 100m), CurrencyCode.Usd, Availability.InStock, time + i);
            }

            // The pipeline's path: batches handed over without waiting for each, a bounded number in flight.
            appends.Enqueue(store.AppendMarketEventsAsync(events, keys, CancellationToken.None).AsTask());
            if (appends.Count >= 64)
            {
                await appends.Dequeue();
            }

            var signals = new MarketSignal[PerStep / 100];
            var decisions = new PricingDecision[PerStep / 100];
            for (int i = 0; i < signals.Length; i++)
            {
                var product = keys.Products.Intern($"SKU-{random.Next(Products):D6}");
                var id = (ulong)((step * signals.Length) + i + 1);
                signals[i] = new MarketSignal(id, (SignalKind)(1 + (i % 4)), (SignalSeverity)(i % 3), product, i % Competitors, 40, 48, 0.15, 0.2, time + i);
                decisions[i] = new PricingDecision(id, product, new Money(500_000), new Money(490_000), new Money(490_000), CurrencyCode.Usd, PricingStrategyKind.BeatLowest, (byte)(i % 3), DecisionTrigger.CompetitorPriceDrop, PricingRules.Strategy, PricingRules.None, time + i);
            }

            await store.WriteAsync(new OutputBatch(signals, decisions, keys), CancellationToken.None);
        }

        while (appends.Count > 0)
        {
            await appends.Dequeue();
        }

        await store.FlushAsync(CancellationToken.None);
    }

    private sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig()
        {
            // In process (the fixture is opened once; no boilerplate build), with room for the first run to generate the 10 M fixture.
            AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true)).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(20).WithIterationCount(200).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        }
    }

    /// <summary>A percentile BenchmarkDotNet has no column for (p99).</summary>
    private sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => $"P{percentile}";

        public string ColumnName => $"P{percentile}";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => percentile;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => $"Percentile {percentile} of single-query times";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            summary[benchmarkCase]?.ResultStatistics is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"{s.Percentiles.Percentile(percentile) / 1_000_000.0:N3} ms")
                : "NA";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
