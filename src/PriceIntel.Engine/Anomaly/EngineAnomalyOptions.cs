namespace PriceIntel.Engine.Anomaly;

/// <summary>How the engine's <see cref="AnomalyOptions"/> (configuration section <c>Anomaly</c>) map onto the detector's options.</summary>
internal static class EngineAnomalyOptions
{
    /// <summary>The engine's relative scale floor for competitor prices.</summary>
    public const double EnginePriceScaleFloor = 0.01;

    /// <summary>
    /// RobustZThreshold (a deviation in robust σ) becomes the score threshold that deviation has
    /// (5 → 2.13); EwmaLambda the level smoothing; HistoryLength the scale horizon; WarmUp and
    /// LevelShiftConfirmations carry over. Prices: a 1 % relative scale floor — a competitor that sits still
    /// and then reprices by a few percent is ordinary repricing, not an anomaly, so with the default threshold a
    /// move must be at least 5 % of the price to be anomalous (measured on the demo: with a 0.1 % floor, 57 % of
    /// all signals were price anomalies, mostly 2–8 % repricings of flat series). No seasonality (the quantum,
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
            RelativeScaleFloor = EnginePriceScaleFloor,
        };
    }
}
