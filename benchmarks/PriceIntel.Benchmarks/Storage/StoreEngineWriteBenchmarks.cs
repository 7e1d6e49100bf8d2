using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// Rows stored per second <b>while the engine runs</b>: the console demo's path, end to end. The
/// simulator's stream (<see cref="SimulatedStoreWorkload"/>: 1,000 products, 4 simulated hours, held in
/// memory so the simulator's own cost is left out) goes through a <see cref="MarketPipeline"/> with the
/// real engine; the source is wrapped by <see cref="PriceHistorySources.Recording"/> (competitor prices,
/// list prices and demand events to the store while the engine processes them) and the store is the
/// pipeline's output sink (signals, decisions and the price points they make). A fresh SQLite store per
/// iteration; the time runs until the pipeline has finished and everything is committed.
/// <list type="bullet">
/// <item><b>Batched</b> (what the product does): the store's write queue and group commits.</item>
/// <item><b>Baseline</b>: the same pipeline storing one row per transaction: each event appended and
/// awaited on its own before the engine gets the batch, each output written and flushed on its own.</item>
/// </list>
/// The <c>Rows/s</c> column is the rows stored (competitor prices + our prices + signals + decisions +
/// demand events, counted in the store after the iteration) divided by the mean time; <c>Outputs</c>
/// and <c>Rows</c> say how many. Every iteration of both methods must store the same row counts, table by
/// table, or the run fails.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/PriceIntel.Benchmarks -- --filter '*StoreEngineWriteBenchmarks*'</c>
/// (the job is set here, in process: one invocation per iteration, 1 warm-up + 3 measured iterations).</remarks>
[MemoryDiagnoser]
[Config(typeof(EngineWriteConfig))]
public class StoreEngineWriteBenchmarks
{
    private static readonly string RowsFile = Path.Combine(Path.GetTempPath(), "priceintel-bench-engine-rows.txt");
    private static SimulatedStoreWorkload? s_workload;
    private IMarketStore? _store;
    private string _directory = "";
    private string _path = "";
    private SimulatedStoreWorkload.StoredRows? _reference;

    [GlobalSetup]
    public void Setup()
    {
        s_workload ??= SimulatedStoreWorkload.Create();
        Console.WriteLine($"// workload: {s_workload.Events.Length:N0} events, {s_workload.OutputCount:N0} outputs in {s_workload.OutputBatches.Count:N0} engine batches");
    }

    [IterationSetup]
    public void Open() => (_store, _directory, _path) = SimulatedStoreWorkload.OpenFresh();

    [IterationCleanup]
    public void CheckAndDelete()
    {
        _store!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var rows = SimulatedStoreWorkload.Count(_path);
        Directory.Delete(_directory, recursive: true);
        if (_reference is { } reference && rows != reference)
        {
            throw new InvalidOperationException($"stored {rows}, another iteration stored {reference}");
        }

        _reference = rows;
        File.WriteAllText(RowsFile, string.Create(CultureInfo.InvariantCulture, $"{rows.Total} {rows.Outputs}"));
        Console.WriteLine($"// stored {rows}");
    }

    [Benchmark(Baseline = true)]
    public async Task RowPerTransaction()
    {
        var w = s_workload!;
        var source = new RowPerTransactionSource(MarketEventSources.InMemory(w.Events), _store!, w.Keys);
        var engine = MarketEngine.Create(SimulatedStoreWorkload.EngineOptions(), w.Keys, initialProducts: SimulatedStoreWorkload.Products);
        await MarketPipeline.Create(source, engine, [new RowPerTransactionSink(_store!)]).RunAsync();
        await source.DisposeAsync();
    }

    [Benchmark]
    public async Task Batched()
    {
        var w = s_workload!;
        var source = PriceHistorySources.Recording(MarketEventSources.InMemory(w.Events), _store!, w.Keys);
        var engine = MarketEngine.Create(SimulatedStoreWorkload.EngineOptions(), w.Keys, initialProducts: SimulatedStoreWorkload.Products);
        await MarketPipeline.Create(source, engine, [_store!]).RunAsync();
        await source.DisposeAsync();
    }

    /// <summary>Appends every event it hands out on its own, waiting for each commit (the baseline's source).</summary>
    private sealed class RowPerTransactionSource(IMarketEventSource source, IMarketStore store, MarketKeys keys) : IMarketEventSource
    {
        private readonly DemandEventIdAssigner _ids = new();
        private readonly ulong[] _id = new ulong[1];

        public string Name => source.Name;

        public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
        {
            int count = await source.ReadAsync(destination, rejections, cancellationToken);
            for (int i = 0; i < count; i++)
            {
                var one = destination.Slice(i, 1);
                if (DemandEventIdAssigner.IsDemandHistoryEvent(in one.Span[0]))
                {
                    _ids.Assign(one.Span, keys, _id);
                    await store.AppendDemandEventsAsync(one, _id, keys, cancellationToken);
                }
                else
                {
                    await store.AppendMarketEventsAsync(one, keys, cancellationToken);
                }
            }

            return count;
        }

        public ValueTask DisposeAsync() => source.DisposeAsync();
    }

    /// <summary>Writes every output on its own and flushes it (one transaction each; the baseline's sink).</summary>
    private sealed class RowPerTransactionSink(IMarketStore store) : IMarketOutputSink
    {
        public async ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
        {
            for (int i = 0; i < batch.Signals.Length; i++)
            {
                await store.WriteAsync(new OutputBatch(batch.Signals.Slice(i, 1), ReadOnlyMemory<PricingDecision>.Empty, batch.Keys), cancellationToken);
                await store.FlushAsync(cancellationToken);
            }

            for (int i = 0; i < batch.Decisions.Length; i++)
            {
                await store.WriteAsync(new OutputBatch(ReadOnlyMemory<MarketSignal>.Empty, batch.Decisions.Slice(i, 1), batch.Keys), cancellationToken);
                await store.FlushAsync(cancellationToken);
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => store.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class EngineWriteConfig : ManualConfig
    {
        public EngineWriteConfig()
        {
            AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(new RowsColumn("Rows", total: true, perSecond: false), new RowsColumn("Outputs", total: false, perSecond: false), new RowsColumn("Rows/s", total: true, perSecond: true));
        }
    }

    /// <summary>Rows stored per iteration (read from the file the iterations write) or per second of mean time.</summary>
    private sealed class RowsColumn(string name, bool total, bool perSecond) : IColumn
    {
        public string Id => "StoredRows" + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => perSecond ? 2 : total ? 0 : 1;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => perSecond ? "Rows stored per second of mean time" : total ? "Rows stored per iteration (prices, our prices, signals, decisions, demand events)" : "Signals + decisions stored per iteration";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (!File.Exists(RowsFile))
            {
                return "NA";
            }

            var parts = File.ReadAllText(RowsFile).Split(' ');
            var rows = long.Parse(parts[total ? 0 : 1], CultureInfo.InvariantCulture);
            if (!perSecond)
            {
                return rows.ToString("N0", CultureInfo.InvariantCulture);
            }

            return summary[benchmarkCase]?.ResultStatistics is { } s
                ? (rows / (s.Mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture)
                : "NA";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
