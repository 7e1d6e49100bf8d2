namespace PriceIntel.Evaluation;

/// <summary>
/// The synthetic half of the evaluation corpus: one family of labelled series per shape a detector
/// must handle. Every series is drawn from <see cref="Random"/> seeded with (shape seed × 1000 + index),
/// so the corpus is the same on every run and machine; the seeds and every parameter are here, and
/// these are the only data the detector was tuned on.
/// </summary>
/// <remarks>
/// Prices are hourly (one point an hour from Monday 2026-01-05 00:00 UTC) and rounded to cents unless
/// the shape says otherwise. Label conventions: a spike, dip or burst is labelled on its own points; a
/// level shift or a variance change on the first point of the new regime.
/// </remarks>
internal static class SyntheticShapes
{
    public const int SeriesPerShape = 20;
    public const int Length = 4000;
    private const long Start = 1_767_571_200_000; // 2026-01-05T00:00:00Z, a Monday
    private const long Hour = 3_600_000;

    /// <summary>The shape names in report order, each with its generator.</summary>
    public static IReadOnlyList<(string Name, Func<Random, string, LabelledSeries> Generate)> All { get; } =
    [
        ("flat", Flat),
        ("quantised", Quantised),
        ("spikes", Spikes),
        ("dips", Dips),
        ("level-shift", LevelShift),
        ("drift", Drift),
        ("variance-change", VarianceChange),
        ("seasonal", Seasonal),
        ("near-zero-counts", NearZeroCounts),
        ("gaps", Gaps),
        ("random-walk", RandomWalk),
    ];

    /// <summary>Generates every shape's series.</summary>
    public static List<LabelledSeries> Generate()
    {
        var all = new List<LabelledSeries>();
        for (int s = 0; s < All.Count; s++)
        {
            for (int i = 0; i < SeriesPerShape; i++)
            {
                var rng = new Random(((s + 1) * 1000) + i);
                all.Add(All[s].Generate(rng, All[s].Name));
            }
        }

        return all;
    }

    /// <summary>A shelf price that sits still for hundreds of hours, with rare one-cent corrections, and one real cut of 10–25 %.</summary>
    private static LabelledSeries Flat(Random rng, string name)
    {
        double level = Math.Round(rng.Next(5, 500) + 0.99, 2);
        int shiftAt = rng.Next(1000, 3000);
        var v = new double[Length];
        double current = level;
        for (int i = 0; i < Length; i++)
        {
            if (i == shiftAt)
            {
                current = Math.Round(current * (1 - (0.10 + (0.15 * rng.NextDouble()))), 2);
            }
            else if (rng.NextDouble() < 0.002)
            {
                current = Math.Round(current + (rng.NextDouble() < 0.5 ? -0.01 : 0.01), 2);
            }

            v[i] = current;
        }

        return new LabelledSeries(name, Hourly(Length), v, [new AnomalyLabel(shiftAt, shiftAt)]);
    }

    /// <summary>Integer-valued (a price in whole units, or a count around 20): most steps are zero; one spike of +12 to +20 units.</summary>
    private static LabelledSeries Quantised(Random rng, string name)
    {
        double level = rng.Next(10, 40);
        int spikeAt = rng.Next(500, Length - 10);
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            v[i] = Math.Round(level + (0.6 * Gaussian(rng)));
        }

        v[spikeAt] += rng.Next(12, 21);
        return new LabelledSeries(name, Hourly(Length), v, [new AnomalyLabel(spikeAt, spikeAt)]);
    }

    /// <summary>A noisy price (σ 0.5 % of level) with four bad scrapes: ×10, ÷10, ×1.5, ×0.6.</summary>
    private static LabelledSeries Spikes(Random rng, string name)
    {
        double level = 20 + (200 * rng.NextDouble());
        var v = Noisy(rng, level, 0.005 * level);
        double[] factors = [10, 0.1, 1.5, 0.6];
        var labels = SpreadPositions(rng, factors.Length, 1);
        for (int k = 0; k < factors.Length; k++)
        {
            v[labels[k].Start] = Math.Round(v[labels[k].Start] * factors[k], 2);
        }

        return new LabelledSeries(name, Hourly(Length), v, labels);
    }

    /// <summary>A noisy price (σ 0.5 %) with three short dips of 15–40 % lasting 1–3 points.</summary>
    private static LabelledSeries Dips(Random rng, string name)
    {
        double level = 20 + (200 * rng.NextDouble());
        var v = Noisy(rng, level, 0.005 * level);
        var labels = SpreadPositions(rng, 3, 3);
        foreach (var label in labels)
        {
            double cut = 0.15 + (0.25 * rng.NextDouble());
            for (int i = label.Start; i <= label.End; i++)
            {
                v[i] = Math.Round(v[i] * (1 - cut), 2);
            }
        }

        return new LabelledSeries(name, Hourly(Length), v, labels);
    }

    /// <summary>A noisy price (σ 0.5 %) that moves for good twice, each by 8–20 % up or down.</summary>
    private static LabelledSeries LevelShift(Random rng, string name)
    {
        double level = 20 + (200 * rng.NextDouble());
        double sigma = 0.005 * level;
        int first = rng.Next(800, 1800);
        int second = rng.Next(2400, 3400);
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            if (i == first || i == second)
            {
                level *= 1 + ((rng.NextDouble() < 0.5 ? -1 : 1) * (0.08 + (0.12 * rng.NextDouble())));
            }

            v[i] = Math.Round(level + (sigma * Gaussian(rng)), 2);
        }

        return new LabelledSeries(name, Hourly(Length), v, [new AnomalyLabel(first, first), new AnomalyLabel(second, second)]);
    }

    /// <summary>A price that drifts 20–40 % up or down over the whole series, with σ 0.3 % noise: nothing to flag.</summary>
    private static LabelledSeries Drift(Random rng, string name)
    {
        double level = 20 + (200 * rng.NextDouble());
        double total = (rng.NextDouble() < 0.5 ? -1 : 1) * (0.2 + (0.2 * rng.NextDouble()));
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            double mean = level * (1 + (total * i / Length));
            v[i] = Math.Round(mean + (0.003 * mean * Gaussian(rng)), 2);
        }

        return new LabelledSeries(name, Hourly(Length), v, []);
    }

    /// <summary>A price whose noise jumps from σ 0.2 % to σ 1.5 % of level once (labelled at the change), then stays.</summary>
    private static LabelledSeries VarianceChange(Random rng, string name)
    {
        double level = 20 + (200 * rng.NextDouble());
        int change = rng.Next(1000, 3000);
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            double sigma = (i < change ? 0.002 : 0.015) * level;
            v[i] = Math.Round(level + (sigma * Gaussian(rng)), 2);
        }

        return new LabelledSeries(name, Hourly(Length), v, [new AnomalyLabel(change, change)]);
    }

    /// <summary>
    /// Hourly demand-like values with a daily cycle (amplitude 30 % of level, peak at 20:00) and a weekend
    /// lift of 15 %, σ 2 % noise, and three spikes of +40–60 %.
    /// </summary>
    private static LabelledSeries Seasonal(Random rng, string name)
    {
        double level = 50 + (100 * rng.NextDouble());
        var ts = Hourly(Length);
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            int hour = i % 24;
            int day = (i / 24) % 7;
            double mean = level * (1 + (0.3 * Math.Cos(2 * Math.PI * (hour - 20) / 24)) + (day >= 5 ? 0.15 : 0));
            v[i] = Math.Round(mean + (0.02 * level * Gaussian(rng)), 2);
        }

        var labels = SpreadPositions(rng, 3, 1, first: 24 * 21);
        foreach (var label in labels)
        {
            v[label.Start] = Math.Round(v[label.Start] + (level * (0.4 + (0.2 * rng.NextDouble()))), 2);
        }

        return new LabelledSeries(name, ts, v, labels);
    }

    /// <summary>Poisson counts with mean 0.3–2 (mostly zeros) and three bursts of +15–30 lasting 1–2 points.</summary>
    private static LabelledSeries NearZeroCounts(Random rng, string name)
    {
        double mean = 0.3 + (1.7 * rng.NextDouble());
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            v[i] = Poisson(rng, mean);
        }

        var labels = SpreadPositions(rng, 3, 2);
        foreach (var label in labels)
        {
            for (int i = label.Start; i <= label.End; i++)
            {
                v[i] += rng.Next(15, 31);
            }
        }

        return new LabelledSeries(name, Hourly(Length), v, labels);
    }

    /// <summary>
    /// A noisy price (σ 0.5 %) scraped hourly with five outages of 2–7 days; across the third outage the
    /// price moved for good by 10–20 % (labelled at the first point after it), and two bad scrapes (×10, ÷10).
    /// </summary>
    private static LabelledSeries Gaps(Random rng, string name)
    {
        double level = 20 + (200 * rng.NextDouble());
        double sigma = 0.005 * level;
        var ts = new long[Length];
        var v = new double[Length];
        var gapsAt = new SortedSet<int>();
        while (gapsAt.Count < 5)
        {
            gapsAt.Add(rng.Next(300, Length - 300));
        }

        int[] gaps = [.. gapsAt];
        int shiftAt = gaps[2];
        long t = Start;
        for (int i = 0; i < Length; i++)
        {
            if (Array.IndexOf(gaps, i) >= 0)
            {
                t += rng.Next(2 * 24, (7 * 24) + 1) * Hour;
                if (i == shiftAt)
                {
                    level *= 1 + ((rng.NextDouble() < 0.5 ? -1 : 1) * (0.10 + (0.10 * rng.NextDouble())));
                }
            }

            ts[i] = t;
            v[i] = Math.Round(level + (sigma * Gaussian(rng)), 2);
            t += Hour;
        }

        var labels = new List<AnomalyLabel> { new(shiftAt, shiftAt) };
        int spikeA;
        int spikeB;
        do
        {
            spikeA = rng.Next(200, Length - 20);
            spikeB = rng.Next(200, Length - 20);
        }
        while (Math.Abs(spikeA - spikeB) < 100 || Math.Abs(spikeA - shiftAt) < 100 || Math.Abs(spikeB - shiftAt) < 100);

        v[spikeA] = Math.Round(v[spikeA] * 10, 2);
        v[spikeB] = Math.Round(v[spikeB] / 10, 2);
        labels.Add(new AnomalyLabel(spikeA, spikeA));
        labels.Add(new AnomalyLabel(spikeB, spikeB));
        labels.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new LabelledSeries(name, ts, v, [.. labels]);
    }

    /// <summary>A ±0.5 % random walk (uniform steps), rounded to cents: no anomaly at all.</summary>
    private static LabelledSeries RandomWalk(Random rng, string name)
    {
        double price = 20 + (200 * rng.NextDouble());
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            price *= 1 + (0.005 * ((2 * rng.NextDouble()) - 1));
            v[i] = Math.Round(price, 2);
        }

        return new LabelledSeries(name, Hourly(Length), v, []);
    }

    private static double[] Noisy(Random rng, double level, double sigma)
    {
        var v = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            v[i] = Math.Round(level + (sigma * Gaussian(rng)), 2);
        }

        return v;
    }

    /// <summary><paramref name="count"/> anomalies of up to <paramref name="maxLength"/> points, at least 300 points apart, after <paramref name="first"/>.</summary>
    private static AnomalyLabel[] SpreadPositions(Random rng, int count, int maxLength, int first = 300)
    {
        int slot = (Length - first) / count;
        var labels = new AnomalyLabel[count];
        for (int k = 0; k < count; k++)
        {
            int start = first + (k * slot) + rng.Next(0, slot - 300);
            labels[k] = new AnomalyLabel(start, start + rng.Next(0, maxLength));
        }

        return labels;
    }

    private static long[] Hourly(int length)
    {
        var ts = new long[length];
        for (int i = 0; i < length; i++)
        {
            ts[i] = Start + (i * Hour);
        }

        return ts;
    }

    private static double Gaussian(Random rng)
    {
        double u = 1 - rng.NextDouble();
        double w = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * w);
    }

    private static int Poisson(Random rng, double mean)
    {
        double limit = Math.Exp(-mean);
        double product = rng.NextDouble();
        int k = 0;
        while (product > limit)
        {
            product *= rng.NextDouble();
            k++;
        }

        return k;
    }
}
