using BenchmarkDotNet.Attributes;
using PriceIntel.Benchmarks.Workloads;

namespace PriceIntel.Benchmarks.Engine;

/// <summary>
/// The engine's full path — lateness, pair and product windows, the competitor board, anomaly
/// detection, the four signal rules, scheduled and triggered pricing, experiment tallies — over the
/// reference price stream (10,000 products × 8 competitors, +1 ms per event) with one demand event
/// (view, add-to-cart or purchase) after every four price events. Figures are per event.
/// </summary>
/// <remarks>
/// One engine stays warm across iterations; before each iteration the stream is re-stamped later in
/// event time, so every iteration measures steady state (no growth, nothing late). The naive baseline
/// (<see cref="NaiveMarketEngine"/>) is the same logic with its state kept the obvious way (dictionaries, lists
/// pruned and recounted with LINQ, the engine's own detector and rules); it runs on the first
/// <see cref="NaiveEvents"/> events only, because it is too slow for the whole stream. <see cref="Setup"/> first
/// runs a fresh engine and a fresh baseline over the first <see cref="CheckedEvents"/> events (past the first
/// scheduled pricing runs) and checks they agree on every signal, decision, counter and product view.
/// </remarks>
[MemoryDiagnoser]
public class EngineThroughputBenchmarks
{
    private const int NaiveEvents = 500_000;
    private const int CheckedEvents = 1_500_000;
    private const int PriceEvents = PriceStreamWorkload.DefaultCount;
    private const int TotalEvents = PriceEvents + (PriceEvents / 4) + (3 * PriceStreamWorkload.Products);
    private const int BatchSize = 4096;

    private MarketEvent[] _template = [];
    private MarketEvent[] _events = [];
    private MarketEngine _engine = null!;
    private NaiveMarketEngine _naive = null!;
    private long _offset;
    private long _span;

    /// <summary>Per-pair sliding windows on (the default) or off (<see cref="WindowOptions.PairWindowMinutes"/> = 0).</summary>
    [Params(true, false)]
    public bool PairWindows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _template = EngineWorkload.Build(PriceStreamWorkload.Get(PriceEvents), out var keys);
        _events = new MarketEvent[_template.Length];
        _span = _template[^1].Timestamp + 3_600_000;
        var options = new PriceIntelOptions();
        options.Windows.PairWindowMinutes = PairWindows ? 60 : 0;
        EngineCheck.Same(options, keys, _template.AsSpan(0, CheckedEvents), BatchSize);
        _engine = MarketEngine.Create(options, keys, initialProducts: PriceStreamWorkload.Products);
        _naive = new NaiveMarketEngine(options, keys);

        // Warm up: grow every array and output buffer once.
        Restamp();
        RunEngine();
    }

    [IterationSetup]
    public void Restamp()
    {
        _offset += _span;
        EngineWorkload.Shift(_template, _events, _offset);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = NaiveEvents)]
    public long NaiveObjects() => _naive.Process(_events.AsSpan(0, NaiveEvents));

    [Benchmark(OperationsPerInvoke = TotalEvents)]
    public long MarketEngine_FullPath() => RunEngine();

    private long RunEngine()
    {
        long outputs = 0;
        var events = _events.AsSpan();
        for (int i = 0; i < events.Length; i += BatchSize)
        {
            var batch = _engine.Process(events.Slice(i, Math.Min(BatchSize, events.Length - i)));
            outputs += batch.Signals.Length + batch.Decisions.Length;
        }

        return outputs;
    }
}
