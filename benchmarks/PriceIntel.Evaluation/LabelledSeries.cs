namespace PriceIntel.Evaluation;

/// <summary>A labelled anomaly: the points [Start, End] (indices, inclusive) are the anomaly itself.</summary>
/// <param name="Start">First anomalous point.</param>
/// <param name="End">Last anomalous point (= Start for a one-point spike or the first point of a level shift).</param>
public readonly record struct AnomalyLabel(int Start, int End);

/// <summary>One generated series with its anomalies.</summary>
/// <param name="Shape">The shape family it belongs to (one row of the report).</param>
/// <param name="Timestamps">Unix milliseconds, non-decreasing.</param>
/// <param name="Values">The observations.</param>
/// <param name="Labels">The anomalies, in order; empty for shapes that must raise nothing.</param>
public sealed record LabelledSeries(string Shape, long[] Timestamps, double[] Values, AnomalyLabel[] Labels);
