using BenchmarkDotNet.Attributes;
using PriceIntel.Benchmarks.Workloads;
using PriceIntel.Engine.Statistics;

namespace PriceIntel.Benchmarks.Windows;

/// <summary>
/// The engine's price windows (<see cref="SlidingWindowSeries"/>, configured as <see cref="MarketEngine"/> configures
/// its per-product series: 1 h, 24 h and 7 d, 24 buckets each, median of the newest 8) over the reference price
/// stream, one series per product. Every event is added, then the product's 1 h window is read as of the event's
/// time (count, mean, standard deviation, min, max, median). The baseline keeps each product's values in a list
/// and recomputes the same window from them on every read. Both run over the first <see cref="WindowCheck.Events"/>
/// events of the stream (2,000 s of event time, so the 1 h window is still filling: about 200 values per product
/// at the end), and <see cref="Setup"/> checks that they give the same statistics for every one of those events.
/// Figures are per event.
/// </summary>
[MemoryDiagnoser]
public class PriceWindowBenchmarks
{
    private const int Events = WindowCheck.Events;

    private PriceStreamWorkload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = PriceStreamWorkload.Get(PriceStreamWorkload.DefaultCount);
        var engine = new WindowStats[Events];
        EngineWindows(Events, engine);
        NaiveWindows(Events, engine);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public double NaiveRecomputation() => NaiveWindows(Events, null);

    [Benchmark(OperationsPerInvoke = Events)]
    public double SlidingWindowSeries_AddRead() => EngineWindows(Events, null);

    private double EngineWindows(int count, WindowStats[]? results)
    {
        var series = new SlidingWindowSeries(WindowCheck.PriceLengths, WindowCheck.Buckets, 0.1, PriceStreamWorkload.Products);
        var products = _workload.ProductIds;
        var timestamps = _workload.Timestamps;
        var prices = _workload.Prices;
        double checksum = 0;
        for (int i = 0; i < count; i++)
        {
            series.Add(products[i], timestamps[i], prices[i]);
            var stats = series.Read(products[i], 0, timestamps[i]);
            checksum += stats.Mean + stats.StdDev + stats.Median;
            if (results is not null)
            {
                results[i] = stats;
            }
        }

        return checksum;
    }

    /// <summary>
    /// What one writes first: each product's values in a list, the window's statistics recomputed from it on every
    /// read; with <paramref name="expected"/>, each result is checked against it.
    /// </summary>
    private double NaiveWindows(int count, WindowStats[]? expected)
    {
        long width = WindowCheck.PriceLengths[0] / WindowCheck.Buckets;
        var history = new Dictionary<int, List<(long Ts, double Value)>>();
        var products = _workload.ProductIds;
        var timestamps = _workload.Timestamps;
        var prices = _workload.Prices;
        double checksum = 0;
        var inWindow = new List<double>();
        for (int i = 0; i < count; i++)
        {
            if (!history.TryGetValue(products[i], out var values))
            {
                history[products[i]] = values = [];
            }

            values.Add((timestamps[i], prices[i]));
            long firstBucket = WindowCheck.FloorDiv(timestamps[i], width) - WindowCheck.Buckets + 1;
            values.RemoveAll(v => WindowCheck.FloorDiv(v.Ts, width) < firstBucket);
            inWindow.Clear();
            foreach (var (_, value) in values)
            {
                inWindow.Add(value);
            }

            double mean = inWindow.Average();
            double std = Math.Sqrt(inWindow.Sum(v => (v - mean) * (v - mean)) / inWindow.Count);
            var newest = inWindow.Skip(Math.Max(0, inWindow.Count - 8)).Order().ToList();
            double median = newest.Count % 2 == 1 ? newest[newest.Count / 2] : (newest[(newest.Count / 2) - 1] + newest[newest.Count / 2]) * 0.5;
            var stats = new WindowStats(inWindow.Count, mean, std, inWindow.Min(), inWindow.Max(), median);
            checksum += stats.Mean + stats.StdDev + stats.Median;
            if (expected is not null)
            {
                WindowCheck.Same(i, expected[i], stats);
            }
        }

        return checksum;
    }
}

/// <summary>
/// The engine's demand windows (<see cref="DemandWindows"/>, 1 h and 7 d, 24 buckets each, as the engine configures
/// them) over the reference stream read as shopper actions (competitor 0–5: a view, 6: an add-to-cart, 7: a purchase
/// of one unit at the event's price), one product each. Every event is added, then the product's 1 h window is
/// read as of its time (what the demand-surge rule reads). The baseline keeps each product's actions in a list and
/// recounts the window on every read. Both run over the first <see cref="WindowCheck.Events"/> events, and
/// <see cref="Setup"/> checks that they give the same counts, revenue and covered time for every one of them.
/// Figures are per event.
/// </summary>
[MemoryDiagnoser]
public class DemandWindowBenchmarks
{
    private const int Events = WindowCheck.Events;

    private PriceStreamWorkload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = PriceStreamWorkload.Get(PriceStreamWorkload.DefaultCount);
        var engine = new DemandStats[Events];
        EngineWindows(Events, engine);
        NaiveWindows(Events, engine);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public double NaiveRecount() => NaiveWindows(Events, null);

    [Benchmark(OperationsPerInvoke = Events)]
    public double DemandWindows_AddRead() => EngineWindows(Events, null);

    private static DemandAction ActionOf(int competitor) =>
        competitor < 6 ? DemandAction.View : competitor == 6 ? DemandAction.AddToCart : DemandAction.Purchase;

    private double EngineWindows(int count, DemandStats[]? results)
    {
        var windows = new DemandWindows(WindowCheck.DemandLengths, WindowCheck.Buckets, PriceStreamWorkload.Products);
        var products = _workload.ProductIds;
        var competitors = _workload.CompetitorIds;
        var timestamps = _workload.Timestamps;
        var prices = _workload.Prices;
        double checksum = 0;
        for (int i = 0; i < count; i++)
        {
            windows.Add(products[i], timestamps[i], ActionOf(competitors[i]), 1, prices[i]);
            var stats = windows.Read(products[i], 0, timestamps[i]);
            checksum += stats.ActionsPerHour + stats.Revenue;
            if (results is not null)
            {
                results[i] = stats;
            }
        }

        return checksum;
    }

    /// <summary>
    /// What one writes first: each product's actions in a list, the window recounted from it on every read; with
    /// <paramref name="expected"/>, each result is checked against it.
    /// </summary>
    private double NaiveWindows(int count, DemandStats[]? expected)
    {
        long width = WindowCheck.DemandLengths[0] / WindowCheck.Buckets;
        var history = new Dictionary<int, List<(long Ts, DemandAction Action, double Paid)>>();
        var firstSeen = new Dictionary<int, long>();
        var products = _workload.ProductIds;
        var competitors = _workload.CompetitorIds;
        var timestamps = _workload.Timestamps;
        var prices = _workload.Prices;
        double checksum = 0;
        for (int i = 0; i < count; i++)
        {
            long ts = timestamps[i];
            if (!history.TryGetValue(products[i], out var actions))
            {
                history[products[i]] = actions = [];
                firstSeen[products[i]] = ts;
            }

            actions.Add((ts, ActionOf(competitors[i]), prices[i]));
            long firstBucket = WindowCheck.FloorDiv(ts, width) - WindowCheck.Buckets + 1;
            actions.RemoveAll(a => WindowCheck.FloorDiv(a.Ts, width) < firstBucket);
            long covered = ts - Math.Max(firstBucket * width, firstSeen[products[i]]) + 1;
            var stats = new DemandStats(
                actions.Count(a => a.Action == DemandAction.View),
                actions.Count(a => a.Action == DemandAction.AddToCart),
                actions.Count(a => a.Action == DemandAction.Purchase),
                actions.Count(a => a.Action == DemandAction.Purchase),
                actions.Where(a => a.Action == DemandAction.Purchase).Sum(a => a.Paid),
                covered);
            checksum += stats.ActionsPerHour + stats.Revenue;
            if (expected is not null)
            {
                WindowCheck.Same(i, expected[i], stats);
            }
        }

        return checksum;
    }
}

/// <summary>The window shapes the engine uses and the result comparison of the window benchmarks.</summary>
internal static class WindowCheck
{
    /// <summary>Events each window benchmark runs over (a prefix of the reference stream): all of them are checked.</summary>
    public const int Events = 2_000_000;

    /// <summary>Buckets per window: the engine's default (<see cref="WindowOptions.BucketsPerWindow"/>).</summary>
    public const int Buckets = 24;

    /// <summary>The engine's default product price windows: 1 h, 24 h, 7 d.</summary>
    public static readonly long[] PriceLengths = [3_600_000, 86_400_000, 604_800_000];

    /// <summary>The engine's default demand windows: 1 h, 7 d.</summary>
    public static readonly long[] DemandLengths = [3_600_000, 604_800_000];

    public static long FloorDiv(long a, long b) => (a / b) - (a % b < 0 ? 1 : 0);

    public static void Same(int i, WindowStats engine, WindowStats naive)
    {
        if (engine.Count != naive.Count || engine.Min != naive.Min || engine.Max != naive.Max || engine.Median != naive.Median
            || !Close(engine.Mean, naive.Mean, 1e-9) || !Close(engine.StdDev, naive.StdDev, 1e-6 * Math.Max(1, naive.Max - naive.Min)))
        {
            throw new InvalidOperationException($"Event {i}: the engine's window says {engine}, the naive recomputation {naive}.");
        }
    }

    public static void Same(int i, DemandStats engine, DemandStats naive)
    {
        if (engine with { Revenue = 0 } != naive with { Revenue = 0 } || !Close(engine.Revenue, naive.Revenue, 1e-9))
        {
            throw new InvalidOperationException($"Event {i}: the engine's demand window says {engine}, the naive recount {naive}.");
        }
    }

    private static bool Close(double a, double b, double tolerance) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(b));
}
