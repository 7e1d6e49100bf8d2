using BenchmarkDotNet.Attributes;
using PriceIntel.Benchmarks.Workloads;
using PriceIntel.Engine.Windows;

namespace PriceIntel.Benchmarks.Windows;

/// <summary>
/// Windows per product over the reference price stream: 60 s long, hopping every 5 s, or tumbling
/// (hop = window). BenchmarkDotNet reports ratios per hop against the naive baseline. Figures are per event.
/// </summary>
[MemoryDiagnoser]
public class WindowedStatsBenchmarks
{
    private const long Window = 60_000;
    private const int Events = 10_000_000; // keep in step with PriceStreamWorkload.DefaultCount for OperationsPerInvoke

    private WindowedStatsRunner _runner = null!;

    /// <summary>5,000 ms hopping windows, or 60,000 ms: tumbling.</summary>
    [Params(5_000L, 60_000L)]
    public long HopMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runner = new WindowedStatsRunner(Window, HopMs);
        _runner.Setup(Events);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public double NaiveDictionaryOfLists() => _runner.Naive();

    [Benchmark(OperationsPerInvoke = Events)]
    public double Aggregator_SoaBatches() => _runner.SoaBatches();

    [Benchmark(OperationsPerInvoke = Events)]
    public double Aggregator_MarketEventBatches() => _runner.MarketEventBatches();
}

/// <summary>Sums every delivered mean and count, so no result can be optimised away.</summary>
internal struct ChecksumConsumer : IWindowResultConsumer
{
    public double Checksum;
    public long Results;

    public void OnWindowClosed(long windowStart, long windowEnd, ReadOnlySpan<WindowResult> results)
    {
        double sum = 0;
        foreach (ref readonly var r in results)
        {
            sum += r.Mean + r.StdDev;
        }

        Checksum += sum;
        Results += results.Length;
    }
}

/// <summary>The shared bodies of the window benchmarks.</summary>
internal sealed class WindowedStatsRunner(long window, long hop)
{
    private const int BatchSize = 4096; // the pipeline's default batch

    private PriceStreamWorkload _workload = null!;
    private HoppingWindowAggregator _aggregator = null!;

    public void Setup(int events)
    {
        if (PriceStreamWorkload.ConfiguredCount != events)
        {
            throw new InvalidOperationException($"OperationsPerInvoke is {events}; unset PRICEINTEL_WORKLOAD_EVENTS (it is {PriceStreamWorkload.ConfiguredCount}).");
        }

        _workload = PriceStreamWorkload.Get(events);
        _ = _workload.Events;
        _aggregator = new HoppingWindowAggregator(window, hop, allowedLatenessMs: 0, initialKeyCapacity: PriceStreamWorkload.Products);
    }

    public double SoaBatches()
    {
        var aggregator = _aggregator;
        aggregator.Reset();
        var consumer = default(ChecksumConsumer);
        var keys = _workload.ProductIds.AsSpan();
        var timestamps = _workload.Timestamps.AsSpan();
        var prices = _workload.Prices.AsSpan();
        for (int i = 0; i < keys.Length; i += BatchSize)
        {
            int n = Math.Min(BatchSize, keys.Length - i);
            aggregator.AddBatch(keys.Slice(i, n), timestamps.Slice(i, n), prices.Slice(i, n), ref consumer);
        }

        aggregator.Flush(ref consumer);
        return consumer.Checksum + consumer.Results;
    }

    public double MarketEventBatches()
    {
        var aggregator = _aggregator;
        aggregator.Reset();
        var consumer = default(ChecksumConsumer);
        var events = _workload.Events.AsSpan();
        for (int i = 0; i < events.Length; i += BatchSize)
        {
            aggregator.AddBatch(events.Slice(i, Math.Min(BatchSize, events.Length - i)), ref consumer);
        }

        aggregator.Flush(ref consumer);
        return consumer.Checksum + consumer.Results;
    }

    /// <summary>What one writes first: every value kept in a list per (window, key), statistics recomputed on close.</summary>
    public double Naive()
    {
        long panes = window / hop;
        var open = new Dictionary<long, Dictionary<int, List<double>>>();
        double checksum = 0;
        long results = 0;
        long nextClose = long.MinValue;
        var keys = _workload.ProductIds;
        var timestamps = _workload.Timestamps;
        var prices = _workload.Prices;
        for (int i = 0; i < keys.Length; i++)
        {
            long ts = timestamps[i];
            long pane = ts / hop;
            long oldestOpen = pane - panes + 1;
            if (nextClose == long.MinValue)
            {
                nextClose = oldestOpen;
            }

            for (; nextClose < oldestOpen; nextClose++)
            {
                Close(nextClose);
            }

            for (long k = pane - panes + 1; k <= pane; k++)
            {
                if (!open.TryGetValue(k, out var perKey))
                {
                    open[k] = perKey = [];
                }

                if (!perKey.TryGetValue(keys[i], out var values))
                {
                    perKey[keys[i]] = values = [];
                }

                values.Add(prices[i]);
            }
        }

        var remaining = new List<long>(open.Keys);
        remaining.Sort();
        foreach (long k in remaining)
        {
            Close(k);
        }

        return checksum + results;

        void Close(long k)
        {
            if (!open.Remove(k, out var perKey))
            {
                return;
            }

            var ordered = new List<int>(perKey.Keys);
            ordered.Sort();
            foreach (int key in ordered)
            {
                var values = perKey[key];
                double mean = 0;
                foreach (double v in values)
                {
                    mean += v;
                }

                mean /= values.Count;
                double variance = 0;
                foreach (double v in values)
                {
                    variance += (v - mean) * (v - mean);
                }

                double std = Math.Sqrt(variance / values.Count);
                checksum += mean + std + (values.Min() * 0) + (values.Max() * 0);
                results++;
            }
        }
    }
}
