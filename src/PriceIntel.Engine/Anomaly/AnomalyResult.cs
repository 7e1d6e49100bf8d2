namespace PriceIntel.Engine.Anomaly;

/// <summary>How <see cref="PriceAnomalyDetector"/> classified one observation.</summary>
internal enum AnomalyVerdict : byte
{
    /// <summary>Consistent with the series' recent history; it entered the baseline.</summary>
    Normal = 0,

    /// <summary>The series has fewer than <see cref="AnomalyOptions.WarmUp"/> points; never flagged, always entered the baseline.</summary>
    WarmingUp = 1,

    /// <summary>
    /// Anomalous and, so far, a one-off (likely a bad scrape). It did not enter the baseline. The first
    /// points of a real level shift are reported as outliers until the shift is confirmed.
    /// </summary>
    Outlier = 2,

    /// <summary>
    /// The <see cref="AnomalyOptions.LevelShiftConfirmations"/>-th consecutive anomalous point on the same
    /// side at a consistent level: a real price move. The detector re-baselined to the new level.
    /// </summary>
    LevelShift = 3,
}

/// <summary>The outcome of <see cref="PriceAnomalyDetector.Observe"/> for one point.</summary>
/// <param name="Score">
/// One normalised anomaly score on the robust-z scale: the larger of the robust z-score and the EWMA
/// chart's deviation rescaled so that its control limit maps to <see cref="AnomalyOptions.RobustZThreshold"/>.
/// A point is anomalous when Score ≥ RobustZThreshold. 0 while warming up.
/// </param>
/// <param name="Verdict">The classification.</param>
/// <param name="Baseline">The robust level (median) of the series before this point; NaN before the first point.</param>
internal readonly record struct AnomalyResult(double Score, AnomalyVerdict Verdict, double Baseline)
{
    /// <summary>True for <see cref="AnomalyVerdict.Outlier"/> and <see cref="AnomalyVerdict.LevelShift"/>.</summary>
    public bool IsAnomalous => Verdict >= AnomalyVerdict.Outlier;
}
