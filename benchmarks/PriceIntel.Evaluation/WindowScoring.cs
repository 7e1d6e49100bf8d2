using System.Globalization;
using System.Text;

namespace PriceIntel.Evaluation;

/// <summary>A detector under evaluation: one flagged / not-flagged answer per point.</summary>
internal interface IEvaluatedDetector
{
    /// <summary>Name in the report.</summary>
    string Name { get; }

    /// <summary>Scores one point of series <paramref name="series"/>; true when the point is flagged anomalous.</summary>
    bool Observe(int series, long timestampMs, double value);
}

/// <summary>The figures of one shape (or of the whole corpus).</summary>
internal sealed record ShapeResult(
    string Shape,
    int Series,
    long Points,
    int Windows,
    int Detected,
    long FalsePositives,
    double MeanDelayPoints,
    double RawScore,
    double NullScore,
    double PerfectScore)
{
    public double Recall => Windows == 0 ? double.NaN : Detected / (double)Windows;

    public double Precision => Detected + FalsePositives == 0 ? double.NaN : Detected / (double)(Detected + FalsePositives);

    public double FalsePositivesPer10k => FalsePositives * 10_000.0 / Points;

    /// <summary>NAB-style normalised score: 0 = raising nothing, 100 = every window detected at its first point, no false positive.</summary>
    public double Normalised => PerfectScore == NullScore ? double.NaN : 100 * (RawScore - NullScore) / (PerfectScore - NullScore);
}

/// <summary>
/// Window-wise scoring in the manner of the Numenta Anomaly Benchmark's standard profile (Lavin &amp;
/// Ahmad 2015): every label gets a window from <see cref="Lead"/> points before it to <see cref="Tail"/>
/// points after its last point. The first detection in a window earns A_TP × σ(y), where y ∈ [−1, 0] is
/// its position relative to the window's end (early = about 1, at the end = 0) and
/// σ(y) = 2 / (1 + e^{5y}) − 1; further detections in the same window count nothing; a window without a
/// detection costs A_FN = −1; every detection outside all windows costs A_FP = −0.11 (NAB discounts
/// false positives just after a window; we do not, which is stricter). The normalised score maps raising
/// nothing to 0 and a perfect detector to 100.
/// </summary>
internal static class WindowScoring
{
    public const int Lead = 2;
    public const int Tail = 24;
    private const double TruePositiveWeight = 1.0;
    private const double FalsePositiveWeight = -0.11;
    private const double FalseNegativeWeight = -1.0;

    /// <summary>Runs <paramref name="detector"/> over every series (each its own series id) and scores each shape.</summary>
    public static List<ShapeResult> Evaluate(IEvaluatedDetector detector, IReadOnlyList<LabelledSeries> corpus)
    {
        var byShape = new Dictionary<string, List<(LabelledSeries Series, List<int> Flags)>>();
        var order = new List<string>();
        for (int s = 0; s < corpus.Count; s++)
        {
            var series = corpus[s];
            var flags = new List<int>();
            for (int i = 0; i < series.Values.Length; i++)
            {
                if (detector.Observe(s, series.Timestamps[i], series.Values[i]))
                {
                    flags.Add(i);
                }
            }

            if (!byShape.TryGetValue(series.Shape, out var list))
            {
                byShape[series.Shape] = list = [];
                order.Add(series.Shape);
            }

            list.Add((series, flags));
        }

        var results = new List<ShapeResult>();
        foreach (var shape in order)
        {
            results.Add(Score(shape, byShape[shape]));
        }

        results.Add(Total(results));
        return results;
    }

    private static ShapeResult Score(string shape, List<(LabelledSeries Series, List<int> Flags)> runs)
    {
        long points = 0;
        int windows = 0;
        int detected = 0;
        long falsePositives = 0;
        double delaySum = 0;
        double raw = 0;
        double perfect = 0;
        foreach (var (series, flags) in runs)
        {
            points += series.Values.Length;
            var taken = new bool[series.Labels.Length];
            foreach (int f in flags)
            {
                int w = WindowOf(series.Labels, f);
                if (w < 0)
                {
                    falsePositives++;
                    raw += FalsePositiveWeight;
                    continue;
                }

                if (taken[w])
                {
                    continue;
                }

                taken[w] = true;
                var label = series.Labels[w];
                int windowStart = label.Start - Lead;
                int windowEnd = label.End + Tail;
                double y = (f - windowEnd) / (double)(windowEnd - windowStart);
                raw += TruePositiveWeight * Sigmoid(y);
                detected++;
                delaySum += f - label.Start;
            }

            for (int w = 0; w < series.Labels.Length; w++)
            {
                windows++;
                perfect += TruePositiveWeight * Sigmoid(-1);
                if (!taken[w])
                {
                    raw += FalseNegativeWeight;
                }
            }
        }

        return new ShapeResult(shape, runs.Count, points, windows, detected, falsePositives, detected == 0 ? double.NaN : delaySum / detected, raw, windows * FalseNegativeWeight, perfect);
    }

    private static ShapeResult Total(List<ShapeResult> shapes)
    {
        int series = 0;
        long points = 0;
        int windows = 0;
        int detected = 0;
        long fp = 0;
        double delay = 0;
        double raw = 0;
        double nul = 0;
        double perfect = 0;
        foreach (var r in shapes)
        {
            series += r.Series;
            points += r.Points;
            windows += r.Windows;
            detected += r.Detected;
            fp += r.FalsePositives;
            delay += double.IsNaN(r.MeanDelayPoints) ? 0 : r.MeanDelayPoints * r.Detected;
            raw += r.RawScore;
            nul += r.NullScore;
            perfect += r.PerfectScore;
        }

        return new ShapeResult("all", series, points, windows, detected, fp, detected == 0 ? double.NaN : delay / detected, raw, nul, perfect);
    }

    /// <summary>The window containing point <paramref name="index"/>, or −1.</summary>
    private static int WindowOf(AnomalyLabel[] labels, int index)
    {
        for (int w = 0; w < labels.Length; w++)
        {
            if (index >= labels[w].Start - Lead && index <= labels[w].End + Tail)
            {
                return w;
            }
        }

        return -1;
    }

    private static double Sigmoid(double y) => (2 / (1 + Math.Exp(5 * y))) - 1;

    /// <summary>The results as a Markdown table.</summary>
    public static string ToMarkdown(string detector, List<ShapeResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"detector: {detector}");
        sb.AppendLine();
        sb.AppendLine("| shape | series × points | windows | detected | recall | precision | mean delay (points) | FP / 10k points | NAB-style score |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            sb.AppendLine(inv, $"| {r.Shape} | {r.Series} × {r.Points / Math.Max(1, r.Series)} | {r.Windows} | {r.Detected} | {Fmt(r.Recall, "P0")} | {Fmt(r.Precision, "P1")} | {Fmt(r.MeanDelayPoints, "F1")} | {r.FalsePositivesPer10k.ToString("F1", inv)} | {Fmt(r.Normalised, "F1")} |");
        }

        return sb.ToString();
    }

    private static string Fmt(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
}
