using PriceIntel.Engine.Scoring;
using PriceIntel.ML.History;
using PriceIntel.ML.Training;

namespace PriceIntel.ML.Tests;

/// <summary>The pooled elasticity's interval on overdispersed sales (demand bursts lasting hours, as the simulator's viral spikes).</summary>
public sealed class ElasticityIntervalTests
{
    private const double TrueElasticity = 3;

    [Fact]
    public void Interval_covers_the_true_elasticity_when_sales_come_in_bursts()
    {
        int covered = 0, replicates = 40;
        double widest = 0;
        for (int rep = 0; rep < replicates; rep++)
        {
            var model = ElasticityEstimator.Fit(BurstyHistory(new Random(1000 + rep)), categories: null);
            var pool = Assert.Single(model.Categories);
            widest = Math.Max(widest, pool.StandardError);
            if (Math.Abs(pool.Elasticity - TrueElasticity) <= 1.96 * pool.StandardError)
            {
                covered++;
            }
        }

        // A Poisson-only standard error covers the truth in roughly half of these replicates (the bursts
        // multiply the sales variance several times); the cluster-robust one in about 95 %.
        Assert.True(covered >= 34, $"the 95 % interval covered the true elasticity in {covered} of {replicates} replicates");
        Assert.True(widest < 0.5, $"standard error up to {widest}");
    }

    /// <summary>
    /// 300 products × 7 days; x = ln(our price / lowest) piecewise constant for 1–6 hours; units Poisson with
    /// mean base × e^(−3x) × a burst factor per product and 8-hour block (gamma, mean 1, variance 2), independent of x.
    /// </summary>
    private static DemandHistory BurstyHistory(Random rng)
    {
        const int products = 300, hours = 7 * 24, f = DemandFeatures.Count;
        int rows = products * hours;
        var keys = Enumerable.Range(0, products).Select(p => $"SKU-{p:D4}").ToArray();
        var product = new int[rows];
        var hourStart = new long[rows];
        var features = new float[rows * f];
        var units = new float[rows];
        var price = new double[rows];
        var cost = new double[rows];
        int r = 0;
        for (int h = 0; h < hours; h++)
        {
            for (int p = 0; p < products; p++, r++)
            {
                product[r] = p;
                hourStart[r] = h * 3_600_000L;
                price[r] = 10;
                cost[r] = 7;
            }
        }

        for (int p = 0; p < products; p++)
        {
            double baseRate = 0.2 + (0.6 * rng.NextDouble());
            double x = 0, burst = 1;
            int nextMove = 0;
            for (int h = 0; h < hours; h++)
            {
                if (h >= nextMove)
                {
                    x = 0.12 * Gaussian(rng);
                    nextMove = h + 1 + rng.Next(6);
                }

                if (h % 8 == 0)
                {
                    burst = Gamma(rng, 0.5) / 0.5;
                }

                int row = (h * products) + p;
                features[(row * f) + DemandFeatures.LogRatioToLowest] = (float)x;
                features[(row * f) + 12] = 50; // stock
                features[(row * f) + 13] = 8; // competitors in stock
                units[row] = Poisson(rng, baseRate * Math.Exp(-TrueElasticity * x) * burst);
            }
        }

        return new DemandHistory(keys, product, hourStart, features, units, price, cost);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    // Gamma(shape k < 1, scale 1) by Ahrens–Dieter's boost: Gamma(k + 1) × U^(1/k), Gamma(k + 1) by Marsaglia–Tsang.
    private static double Gamma(Random rng, double k)
    {
        double d = k + 1 - (1.0 / 3), c = 1 / Math.Sqrt(9 * d);
        double g;
        while (true)
        {
            double z = Gaussian(rng), v = Math.Pow(1 + (c * z), 3);
            if (v > 0 && Math.Log(1 - rng.NextDouble()) < (0.5 * z * z) + d - (d * v) + (d * Math.Log(v)))
            {
                g = d * v;
                break;
            }
        }

        return g * Math.Pow(1 - rng.NextDouble(), 1 / k);
    }

    private static float Poisson(Random rng, double mean)
    {
        double limit = Math.Exp(-mean), product = 1 - rng.NextDouble();
        int n = 0;
        while (product > limit)
        {
            product *= 1 - rng.NextDouble();
            n++;
        }

        return n;
    }
}
