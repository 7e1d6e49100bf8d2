using System.Globalization;
using PriceIntel;
using PriceIntel.Evaluation;

// The anomaly-detection evaluation (not a unit test, not BenchmarkDotNet):
//   dotnet run -c Release --project benchmarks/PriceIntel.Evaluation [-- --quick]
// Scores the detector over the synthetic labelled corpus (SyntheticShapes), once with default options and once
// with the daily seasonal baseline on, then runs the whole engine over a pure random walk and counts
// price-anomaly signals. --quick uses 1 M random-walk prices instead of 10 M.
var inv = CultureInfo.InvariantCulture;
bool quick = args.Contains("--quick");
var corpus = SyntheticShapes.Generate();
IEvaluatedDetector[] detectors =
[
    new DetectorAdapter("AnomalyDetector, default options", new AnomalyDetectorOptions()),
    new DetectorAdapter("AnomalyDetector, Seasonality = Weekly", new AnomalyDetectorOptions { Seasonality = AnomalySeasonality.Weekly }),
];
foreach (var detector in detectors)
{
    Console.WriteLine(WindowScoring.ToMarkdown(detector.Name, WindowScoring.Evaluate(detector, corpus)));
}

int rounds = quick ? 13 : 125;
var walk = RandomWalkCheck.Run(10_000, 8, rounds);
Console.WriteLine(string.Create(inv, $"random walk: {walk.Prices:N0} prices (10,000 products × 8 competitors × {rounds}), engine defaults: price-anomaly signals Info {walk.Info:N0}, Warning {walk.Warning:N0}, Critical {walk.Critical:N0}; outliers kept out {walk.Outliers:N0}; {walk.Seconds:F1} s"));
