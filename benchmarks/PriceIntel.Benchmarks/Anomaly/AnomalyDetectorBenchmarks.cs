using BenchmarkDotNet.Attributes;
using PriceIntel.Engine.Anomaly;

namespace PriceIntel.Benchmarks.Anomaly;

/// <summary>
/// The anomaly detector alone: 4 M points over 80,000 series (10,000 products × 8 competitors, round-robin, one
/// point per series per hour) of a ±0.5 % random walk in cents with a bad scrape (×10) every 1,000 points.
/// Baseline: the same detector through the public abstract <see cref="AnomalyDetector"/> (a virtual call per
/// point, as a user scores their own series); the engine calls the sealed type directly. Both must flag the
/// same points (checked in setup). Figures are per point.
/// </summary>
[MemoryDiagnoser]
public class AnomalyDetectorBenchmarks
{
    private const int Series = 80_000;
    private const int Points = 4_000_000;

    private readonly int[] _series = new int[Points];
    private readonly long[] _timestamps = new long[Points];
    private readonly double[] _values = new double[Points];
    private AnomalyDetector _public = null!;
    private RobustSeriesDetector _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var price = new double[Series];
        var rng = new Random(42);
        for (int s = 0; s < Series; s++)
        {
            price[s] = 10 + (990 * rng.NextDouble());
        }

        for (int i = 0; i < Points; i++)
        {
            int s = i % Series;
            price[s] *= 1 + (0.005 * ((2 * rng.NextDouble()) - 1));
            _series[i] = s;
            _timestamps[i] = 1_767_571_200_000L + ((i / Series) * 3_600_000L) + (s * 40L);
            _values[i] = Math.Round(price[s], 2) * (i % 1000 == 999 ? 10 : 1);
        }

        var options = new AnomalyDetectorOptions();
        _public = AnomalyDetector.Create(options, Series);
        _sealed = new RobustSeriesDetector(options, Series);
        long a = ThroughPublicApi();
        long b = SealedDetector();
        if (a != b || a == 0)
        {
            throw new InvalidOperationException($"The two paths disagree: {a} vs {b} anomalous points.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public long ThroughPublicApi()
    {
        var detector = _public;
        long anomalous = 0;
        for (int i = 0; i < Points; i++)
        {
            anomalous += detector.Observe(_series[i], _timestamps[i], _values[i]).IsAnomalous ? 1 : 0;
        }

        return anomalous;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public long SealedDetector()
    {
        var detector = _sealed;
        long anomalous = 0;
        for (int i = 0; i < Points; i++)
        {
            anomalous += detector.Observe(_series[i], _timestamps[i], _values[i]).IsAnomalous ? 1 : 0;
        }

        return anomalous;
    }
}
