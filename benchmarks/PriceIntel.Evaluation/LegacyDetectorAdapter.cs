using PriceIntel.Engine.Anomaly;

namespace PriceIntel.Evaluation;

/// <summary>The detector the engine shipped before issue 8 (robust z over a 32-point ring + EWMA chart), default options.</summary>
internal sealed class LegacyDetectorAdapter : IEvaluatedDetector
{
    private readonly PriceAnomalyDetector _detector = new(new AnomalyOptions(), 256);

    public string Name => "PriceAnomalyDetector (before issue 8), default AnomalyOptions";

    public bool Observe(int series, long timestampMs, double value) => _detector.Observe(series, value).IsAnomalous;
}
