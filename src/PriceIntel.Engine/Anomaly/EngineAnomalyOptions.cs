namespace PriceIntel.Engine.Anomaly;

/// <summary>How the engine's <see cref="AnomalyOptions"/> (configuration section <c>Anomaly</c>) map onto the detector's options.</summary>
internal static class EngineAnomalyOptions
{
    /// <summary>
    /// RobustZThreshold (a deviation in robust σ) becomes the score threshold that deviation has
    /// (5 → 2.13); EwmaLambda the level smoothing; HistoryLength the scale horizon; WarmUp and
    /// LevelShiftConfirmations carry over. Prices: 0.1 % relative scale floor, no seasonality (the quantum,
    /// one minor unit on most series, is learned per series).
    /// </summary>
    public static AnomalyDetectorOptions From(AnomalyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AnomalyDetectorOptions
        {
            OutlierScore = Math.Max(0.1, TailProbability.Score(options.RobustZThreshold)),
            LevelSmoothing = options.EwmaLambda,
            ScaleHorizon = options.HistoryLength,
            WarmUp = options.WarmUp,
            LevelShiftConfirmations = options.LevelShiftConfirmations,
            RelativeScaleFloor = 0.001,
        };
    }
}
