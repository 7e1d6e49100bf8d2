using System.Runtime.InteropServices;

namespace PriceIntel;

/// <summary>How an <see cref="AnomalyDetector"/> classified one observation.</summary>
public enum AnomalyVerdict : byte
{
    /// <summary>Consistent with the series' baseline; it updated the baseline.</summary>
    Normal = 0,

    /// <summary>The series has fewer than <see cref="AnomalyDetectorOptions.WarmUp"/> points: never flagged, always learned from.</summary>
    WarmingUp = 1,

    /// <summary>
    /// Anomalous and, so far, a one-off (a bad scrape, a spike or a dip). It did not update the baseline. The
    /// first points of a real level shift are reported as outliers until the shift is confirmed.
    /// </summary>
    Outlier = 2,

    /// <summary>
    /// The <see cref="AnomalyDetectorOptions.LevelShiftConfirmations"/>-th consecutive anomalous point on the same
    /// side at a consistent level: a real move. The detector re-baselined to the new level.
    /// </summary>
    LevelShift = 3,

    /// <summary>
    /// A long run of anomalous points that do not agree on a new level: the series got noisier. The detector
    /// widened its scale and learned from this point.
    /// </summary>
    VarianceChange = 4,
}

/// <summary>
/// The outcome of <see cref="AnomalyDetector.Observe"/> for one point. <see cref="Score"/> is a calibrated tail
/// probability on a log scale, so it means the same on every series: one threshold serves all of them.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct AnomalyScore : IEquatable<AnomalyScore>
{
    private readonly double _runScore;

    /// <summary>Creates a result (for tests and adapters; detectors create their own).</summary>
    /// <param name="deviation">Standardised deviation (value − baseline) / scale.</param>
    /// <param name="verdict">The classification.</param>
    /// <param name="baseline">Expected value before the point.</param>
    /// <param name="scale">Scale used to standardise.</param>
    /// <param name="runScore">For a level shift, the joint score of the confirming points; otherwise 0.</param>
    public AnomalyScore(double deviation, AnomalyVerdict verdict, double baseline, double scale, double runScore = 0)
    {
        Deviation = deviation;
        Verdict = verdict;
        Baseline = baseline;
        Scale = scale;
        _runScore = runScore;
    }

    /// <summary>(value − <see cref="Baseline"/>) / <see cref="Scale"/>: signed, in robust standard deviations. ±∞ for a non-finite value.</summary>
    public double Deviation { get; }

    /// <summary>The classification.</summary>
    public AnomalyVerdict Verdict { get; }

    /// <summary>What the detector expected before this point (level plus the seasonal offset); NaN before the first point.</summary>
    public double Baseline { get; }

    /// <summary>
    /// The scale <see cref="Deviation"/> was measured in: the robust standard deviation of the series' one-step
    /// residuals, floored by its quantum (smallest step seen), a fraction of its level and the option's minimum,
    /// and widened after a gap in time.
    /// </summary>
    public double Scale { get; }

    /// <summary>
    /// Two-sided tail probability of a deviation at least this large under a Student-t reference with 4 degrees of
    /// freedom (a heavy-tailed model of price residuals); for a <see cref="AnomalyVerdict.LevelShift"/>, the joint
    /// probability of the confirming run (the product of its points' one-sided probabilities). In (0, 1].
    /// </summary>
    public double PValue => Math.Pow(10, -Score);

    /// <summary>−log10 <see cref="PValue"/>: 0 for no deviation, 3 for one chance in a thousand, 6 for one in a million. Capped at 300.</summary>
    public double Score => _runScore > 0 ? _runScore : TailProbability.Score(Deviation);

    /// <summary>True for <see cref="AnomalyVerdict.Outlier"/> and <see cref="AnomalyVerdict.LevelShift"/>.</summary>
    public bool IsAnomalous => Verdict is AnomalyVerdict.Outlier or AnomalyVerdict.LevelShift;

    /// <summary>Compares two results.</summary>
    public static bool operator ==(AnomalyScore left, AnomalyScore right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    public static bool operator !=(AnomalyScore left, AnomalyScore right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(AnomalyScore other) =>
        Deviation.Equals(other.Deviation) && Verdict == other.Verdict && Baseline.Equals(other.Baseline) && Scale.Equals(other.Scale) && _runScore.Equals(other._runScore);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AnomalyScore other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Deviation, Verdict, Baseline, Scale, _runScore);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Verdict} score {Score:F2} (deviation {Deviation:F2} × scale {Scale:G6} from {Baseline:G10})");
}
