using PriceIntel.Engine.Anomaly;
using Xunit.Abstractions;

namespace PriceIntel.Engine.Tests.Anomaly;

public sealed class ExploreAnomalyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false, 0, 4.0)]
    [InlineData(false, 0, 100.0)]
    [InlineData(true, 0, 4.0)]
    [InlineData(true, 0, 100.0)]
    public void Explore(bool gaussian, int cadence, double limit)
    {
        var detector = new PriceAnomalyDetector(new AnomalyOptions { EwmaLimit = limit }, 1000, recomputeEvery: cadence);
        long early = 0;
        var gen = new SyntheticSeries(42);
        var levels = new double[1000];
        for (int s = 0; s < levels.Length; s++) levels[s] = gen.Level();
        long scored = 0, outliers = 0, shifts = 0;
        double maxScore = 0;
        for (int t = 0; t < 1000; t++)
        {
            for (int s = 0; s < levels.Length; s++)
            {
                double x = gaussian ? gen.Gaussian(levels[s]) : gen.Uniform(levels[s]);
                var r = detector.Observe(s, x);
                if (r.Verdict == AnomalyVerdict.WarmingUp) continue;
                scored++;
                if (r.Verdict == AnomalyVerdict.Outlier) { outliers++; if (t < 44) early++; }
                if (r.Verdict == AnomalyVerdict.LevelShift) shifts++;
                maxScore = Math.Max(maxScore, r.Score);
            }
        }
        output.WriteLine($"limit={limit} early={early} gaussian={gaussian} cadence={cadence} scored={scored} outliers={outliers} shifts={shifts} rate={(outliers + shifts) / (double)scored:E2} max={maxScore:F2}");
    }
}
