namespace PriceIntel;

/// <summary>Which repeating pattern an <see cref="AnomalyDetector"/> learns per series.</summary>
public enum AnomalySeasonality : byte
{
    /// <summary>No seasonal baseline (prices, most business metrics).</summary>
    None = 0,

    /// <summary>One offset per hour of the day (UTC): 24 per series.</summary>
    Daily = 1,

    /// <summary>One offset per hour of the week (UTC, Monday 00:00 first): 168 per series.</summary>
    Weekly = 2,
}

/// <summary>
/// Settings of an <see cref="AnomalyDetector"/>. Every setter validates its value and throws
/// <see cref="ArgumentOutOfRangeException"/> naming the option and the value.
/// </summary>
public sealed class AnomalyDetectorOptions
{
    private double _outlierScore = 2.5;
    private double _levelSmoothing = 0.2;
    private int _scaleHorizon = 32;
    private int _warmUp = 12;
    private int _confirmations = 3;
    private double _minimumScale;
    private double _relativeScaleFloor = 0.001;
    private double _seasonalSmoothing = 0.1;

    /// <summary>
    /// <see cref="AnomalyScore.Score"/> (−log10 of the tail probability) at or above which a point is anomalous.
    /// Default 2.5 (one chance in about 300 under the heavy-tailed reference; |deviation| ≥ 7.4 robust σ).
    /// The same on every series. 0.1 to 300.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0.1..300.</exception>
    public double OutlierScore { get => _outlierScore; set => _outlierScore = Check(value, 0.1, TailProbability.MaxScore, nameof(OutlierScore)); }

    /// <summary>EWMA weight of a normal point in the series' level (after warm-up). Default 0.2. 0.001 to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0.001..1.</exception>
    public double LevelSmoothing { get => _levelSmoothing; set => _levelSmoothing = Check(value, 0.001, 1, nameof(LevelSmoothing)); }

    /// <summary>Points the robust scale averages over (EWMA weight 2 / (n + 1)). Default 32. 4 to 100,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 4..100,000.</exception>
    public int ScaleHorizon { get => _scaleHorizon; set => _scaleHorizon = (int)Check(value, 4, 100_000, nameof(ScaleHorizon)); }

    /// <summary>Points a series needs before it can be flagged. Default 12. 3 to 10,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 3..10,000.</exception>
    public int WarmUp { get => _warmUp; set => _warmUp = (int)Check(value, 3, 10_000, nameof(WarmUp)); }

    /// <summary>Consecutive anomalous points on one side at a consistent level that confirm a level shift. Default 3. 2 to 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 2..100.</exception>
    public int LevelShiftConfirmations { get => _confirmations; set => _confirmations = (int)Check(value, 2, 100, nameof(LevelShiftConfirmations)); }

    /// <summary>Absolute floor of the scale, in the series' units (e.g. one minor unit of a currency). Default 0: none beyond the learned quantum.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double MinimumScale { get => _minimumScale; set => _minimumScale = Check(value, 0, double.MaxValue, nameof(MinimumScale)); }

    /// <summary>The scale is never below this fraction of |level|. Default 0.001 (0.1 %). 0 to 0.5.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0..0.5.</exception>
    public double RelativeScaleFloor { get => _relativeScaleFloor; set => _relativeScaleFloor = Check(value, 0, 0.5, nameof(RelativeScaleFloor)); }

    /// <summary>The seasonal baseline learned per series. Default <see cref="AnomalySeasonality.None"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public AnomalySeasonality Seasonality
    {
        get;
        set => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Seasonality), value, $"AnomalyDetectorOptions.Seasonality {value} is not None, Daily or Weekly.");
    }

    /// <summary>EWMA weight of a normal point in its hour's seasonal offset. Default 0.1. 0.001 to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0.001..1.</exception>
    public double SeasonalSmoothing { get => _seasonalSmoothing; set => _seasonalSmoothing = Check(value, 0.001, 1, nameof(SeasonalSmoothing)); }

    /// <summary>A copy of these options.</summary>
    public AnomalyDetectorOptions Clone() => (AnomalyDetectorOptions)MemberwiseClone();

    private static double Check(double value, double min, double max, string name) =>
        value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"AnomalyDetectorOptions.{name} is {value}; it must be between {min} and {max}.");
}
