namespace PriceIntel.Evaluation;

/// <summary>The public <see cref="AnomalyDetector"/> under evaluation; a point counts as detected when its verdict is anomalous.</summary>
internal sealed class DetectorAdapter(string name, AnomalyDetectorOptions options) : IEvaluatedDetector
{
    private readonly AnomalyDetector _detector = AnomalyDetector.Create(options, 256);

    public string Name => name;

    public bool Observe(int series, long timestampMs, double value) => _detector.Observe(series, timestampMs, value).IsAnomalous;
}
