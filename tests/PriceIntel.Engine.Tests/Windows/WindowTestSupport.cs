using PriceIntel.Engine.Windows;

namespace PriceIntel.Engine.Tests.Windows;

/// <summary>One step of a test stream: an event, or (IsAdvance) a bare move of event time.</summary>
internal readonly record struct StreamStep(int Key, long Timestamp, double Value, bool IsAdvance);

/// <summary>A window's results as the consumer saw them.</summary>
internal sealed record ClosedWindow(long Start, long End, WindowResult[] Results);

/// <summary>Struct consumer that copies every closed window into a list.</summary>
internal struct CollectingConsumer : IWindowResultConsumer
{
    public CollectingConsumer() => Windows = [];

    public List<ClosedWindow> Windows { get; }

    public readonly void OnWindowClosed(long windowStart, long windowEnd, ReadOnlySpan<WindowResult> results) =>
        Windows.Add(new ClosedWindow(windowStart, windowEnd, results.ToArray()));
}

/// <summary>A random stream and the window configuration it runs under.</summary>
internal sealed record Scenario(long Window, long Hop, long Lateness, int InitialCapacity, StreamStep[] Steps)
{
    public int Panes => (int)(Window / Hop);

    public static Scenario Create(int seed, bool allowNaN)
    {
        var rng = new Random(seed);
        long[] hops = [1, 2, 3, 5, 10];
        long hop = hops[rng.Next(hops.Length)];
        int panes = rng.Next(1, 6);
        long window = hop * panes;
        long lateness = rng.Next(4) switch
        {
            0 => 0,
            1 => rng.Next(1, (int)hop + 1),
            _ => rng.Next(0, (int)(3 * hop) + 1),
        };
        int keys = rng.Next(1, 7);
        int n = rng.Next(0, 300);
        long t = rng.Next(-500, 500);
        int valueMode = rng.Next(4);
        var steps = new StreamStep[n];
        for (int i = 0; i < n; i++)
        {
            t += rng.Next(0, 4);
            if (rng.Next(30) == 0)
            {
                t += rng.Next(0, (int)(window * 4) + 1); // a gap: several windows close at once
            }

            long ts = t;
            if (rng.Next(5) == 0)
            {
                ts -= rng.Next(0, (int)(lateness + (3 * window)) + 1); // out of order, within or beyond lateness
            }

            if (rng.Next(25) == 0)
            {
                steps[i] = new StreamStep(0, ts + rng.Next(0, (int)window + 1), 0, true);
                continue;
            }

            int key = rng.Next(keys);
            if (rng.Next(40) == 0)
            {
                key = 64 + rng.Next(200); // forces capacity growth
            }

            // Values are whole ticks of money, as Money.ToDouble gives them.
            long ticks = valueMode switch
            {
                0 => rng.Next(1, 10_000_000),
                1 => 1_000_000_000_000L + rng.Next(0, 100), // large level, tiny spread
                2 => 5_000_000 + (rng.Next(3) * 100), // few distinct values, many equal
                _ => rng.NextInt64(1, 10_000_000_000L),
            };
            double value = new Money(ticks).ToDouble();
            if (allowNaN && rng.Next(50) == 0)
            {
                value = rng.Next(2) == 0 ? double.NaN : double.PositiveInfinity;
            }

            steps[i] = new StreamStep(key, ts, value, false);
        }

        return new Scenario(window, hop, lateness, rng.Next(2) == 0 ? 1 : 64, steps);
    }
}

/// <summary>The slow obvious twin: keeps every value per (window, key) and recomputes the statistics.</summary>
internal sealed class NaiveWindowModel
{
    private readonly long _window;
    private readonly long _hop;
    private readonly long _lateness;
    private readonly int _panes;
    private readonly SortedDictionary<(long Window, int Key), List<double>> _values = [];
    private long _max = long.MinValue;

    public NaiveWindowModel(long window, long hop, long lateness)
    {
        _window = window;
        _hop = hop;
        _lateness = lateness;
        _panes = (int)(window / hop);
    }

    public long Late { get; private set; }

    public long Invalid { get; private set; }

    public static long FloorDiv(long a, long b) => (long)decimal.Floor((decimal)a / b);

    /// <summary>Index of the oldest window whose end is still after the watermark.</summary>
    public long OldestOpen => FloorDiv(_max - _lateness, _hop) + 1 - _panes;

    public void Apply(StreamStep step)
    {
        if (step.IsAdvance)
        {
            _max = Math.Max(_max, step.Timestamp);
            return;
        }

        if (!double.IsFinite(step.Value))
        {
            Invalid++;
            return;
        }

        _max = Math.Max(_max, step.Timestamp);
        long pane = FloorDiv(step.Timestamp, _hop);
        long open = OldestOpen;
        if (pane < open)
        {
            Late++;
            return;
        }

        // The value joins every window containing it that is still open.
        for (long k = Math.Max(pane - _panes + 1, open); k <= pane; k++)
        {
            if (!_values.TryGetValue((k, step.Key), out var list))
            {
                _values[(k, step.Key)] = list = [];
            }

            list.Add(step.Value);
        }
    }

    /// <summary>Expected results of windows with index below <paramref name="beforeWindow"/>, in delivery order.</summary>
    public List<(long Start, long End, int Key, int Count, double Mean, double Min, double Max, double Variance, double Scale)> Expected(long beforeWindow)
    {
        var expected = new List<(long, long, int, int, double, double, double, double, double)>();
        foreach (var ((k, key), values) in _values)
        {
            if (k >= beforeWindow)
            {
                continue;
            }

            double mean = values.Sum() / values.Count;
            double variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
            double scale = values.Max(Math.Abs);
            expected.Add((k * _hop, (k * _hop) + _window, key, values.Count, mean, values.Min(), values.Max(), variance, scale));
        }

        return expected;
    }
}
