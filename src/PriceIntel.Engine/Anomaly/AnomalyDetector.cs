namespace PriceIntel;

/// <summary>
/// Streaming anomaly detection for many series at once (dense series ids 0..N−1), with a score that means the
/// same on every series: <see cref="AnomalyScore.Score"/> is −log10 of a calibrated tail probability, so one
/// threshold (<see cref="AnomalyDetectorOptions.OutlierScore"/>) serves prices, counts and metrics alike.
/// O(1) memory per series, no allocation per point. Not thread-safe: one thread owns a detector.
/// </summary>
/// <example>
/// <code>
/// var detector = AnomalyDetector.Create(new AnomalyDetectorOptions());
/// var result = detector.Observe(series: 0, timestampMs: 1_767_571_200_000, value: 19.99);
/// if (result.IsAnomalous) Console.WriteLine(result); // "Outlier score 7.10 (deviation 41.2 × scale 0.02 from 19.99)"
/// </code>
/// </example>
public abstract class AnomalyDetector
{
    private protected AnomalyDetector(AnomalyDetectorOptions options) => Options = options;

    /// <summary>The settings (a copy taken at creation; changing it has no effect).</summary>
    public AnomalyDetectorOptions Options { get; }

    /// <summary>Series ids that fit without growing.</summary>
    public abstract int Capacity { get; }

    /// <summary>Bytes of state one series costs.</summary>
    public abstract int StateBytesPerSeries { get; }

    /// <summary>Creates a detector.</summary>
    /// <param name="options">Settings; copied.</param>
    /// <param name="initialSeries">Series to allocate for up front (grows on demand).</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialSeries"/> is negative.</exception>
    public static AnomalyDetector Create(AnomalyDetectorOptions options, int initialSeries = 16)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(initialSeries);
        return new Engine.Anomaly.RobustSeriesDetector(options.Clone(), initialSeries);
    }

    /// <summary>
    /// Scores one point of a series and updates that series' state. A non-finite value is an
    /// <see cref="AnomalyVerdict.Outlier"/> with an infinite deviation and changes nothing. Points may arrive
    /// with gaps in time; a timestamp earlier than the series' last is scored but does not move its clock.
    /// </summary>
    /// <param name="series">Dense series id, ≥ 0 (state grows on demand).</param>
    /// <param name="timestampMs">Event time, Unix milliseconds (drives the seasonal hour and gap handling).</param>
    /// <param name="value">The observation.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="series"/> is negative.</exception>
    public abstract AnomalyScore Observe(int series, long timestampMs, double value);

    /// <summary>Forgets a series: its next point starts a new warm-up. Unknown ids are ignored.</summary>
    public abstract void Reset(int series);

    /// <summary>Makes room for series ids 0..<paramref name="seriesCount"/> − 1.</summary>
    public abstract void EnsureCapacity(int seriesCount);
}
