namespace PriceIntel.Engine.Experiments;

/// <summary>
/// Sums over one experiment arm's product-days (each product of the arm, each UTC day from the first
/// to the last purchase seen; a day without sales is a zero): the input of <see cref="ExperimentStatistics"/>.
/// </summary>
/// <param name="Arm">Arm index.</param>
/// <param name="Name">Arm name.</param>
/// <param name="Strategy">Arm strategy.</param>
/// <param name="ProductDays">Number of product-days.</param>
/// <param name="ProfitSum">Σ profit per product-day (currency units).</param>
/// <param name="ProfitSquares">Σ profit² per product-day.</param>
/// <param name="RevenueSum">Σ revenue per product-day.</param>
/// <param name="RevenueSquares">Σ revenue² per product-day.</param>
public sealed record ArmDailySums(int Arm, string Name, PricingStrategyKind Strategy, long ProductDays, double ProfitSum, double ProfitSquares, double RevenueSum, double RevenueSquares);

/// <summary>A mean per product-day with its 95 % confidence interval (normal approximation).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Low">Lower end of the 95 % interval.</param>
/// <param name="High">Upper end.</param>
/// <param name="StandardError">Standard error of the mean.</param>
public readonly record struct MeanEstimate(double Mean, double Low, double High, double StandardError);

/// <summary>
/// An arm against the control arm (arm 0) on profit per product-day, with a test that stays valid however
/// often it is looked at: the mixture sequential probability ratio test (mSPRT, normal mixture with
/// variance τ², Johari, Pekelis and Walsh). <see cref="AlwaysValidPValue"/> is 1 / Λ (at most 1) at this
/// look; the running minimum over all looks is also a valid p-value, and the difference is significant at
/// level α as soon as Λ ≥ 1/α at any look. <see cref="DifferenceLow"/>/<see cref="DifferenceHigh"/> is the
/// matching always-valid confidence sequence at level α.
/// </summary>
/// <param name="Difference">Mean profit per product-day of the arm minus the control's.</param>
/// <param name="DifferenceLow">Lower end of the always-valid interval of the difference.</param>
/// <param name="DifferenceHigh">Upper end.</param>
/// <param name="LikelihoodRatio">The mixture likelihood ratio Λ.</param>
/// <param name="AlwaysValidPValue">min(1, 1/Λ).</param>
/// <param name="Significant">Λ ≥ 1/α.</param>
public sealed record SequentialComparison(double Difference, double DifferenceLow, double DifferenceHigh, double LikelihoodRatio, double AlwaysValidPValue, bool Significant);

/// <summary>One arm's statistics.</summary>
/// <param name="Arm">Arm index.</param>
/// <param name="Name">Arm name.</param>
/// <param name="Strategy">Arm strategy.</param>
/// <param name="ProductDays">Product-days observed.</param>
/// <param name="Profit">Profit per product-day.</param>
/// <param name="Revenue">Revenue per product-day.</param>
/// <param name="VersusControl">Against arm 0 (null for arm 0 itself or without data).</param>
/// <param name="ThompsonShare">Probability this arm has the highest mean profit per product-day (normal posteriors, flat prior): the share Thompson sampling would give it.</param>
public sealed record ArmStatistics(int Arm, string Name, PricingStrategyKind Strategy, long ProductDays, MeanEstimate Profit, MeanEstimate Revenue, SequentialComparison? VersusControl, double ThompsonShare);

/// <summary>
/// Experiment statistics per arm: profit and revenue per product-day with 95 % intervals, an always-valid
/// sequential test of each arm against the control (arm 0), and Thompson-sampling shares for allocating
/// products to arms. Allocation moves products between arms only; every arm's prices stay inside the
/// same margin band and bounds.
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>Computes the statistics.</summary>
    /// <param name="arms">Per-arm sums (arm 0 is the control).</param>
    /// <param name="alpha">Significance level of the sequential test, in (0, 1). Default 0.05.</param>
    /// <param name="mixingScale">τ of the mSPRT mixture as a fraction of the control's mean profit per product-day (the size of effect the test is tuned to). Default 0.1.</param>
    /// <param name="thompsonDraws">Posterior draws for the Thompson shares. Default 4000.</param>
    /// <param name="seed">Seed of those draws (the same input and seed give the same shares).</param>
    /// <exception cref="ArgumentNullException"><paramref name="arms"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">alpha, mixingScale or thompsonDraws is out of range.</exception>
    public static IReadOnlyList<ArmStatistics> Compute(IReadOnlyList<ArmDailySums> arms, double alpha = 0.05, double mixingScale = 0.1, int thompsonDraws = 4000, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha must be between 0 and 1; got {alpha}.");
        }

        if (!(mixingScale > 0 && double.IsFinite(mixingScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(mixingScale), mixingScale, $"mixingScale must be positive; got {mixingScale}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(thompsonDraws, 1);
        var profit = arms.Select(a => Mean(a.ProductDays, a.ProfitSum, a.ProfitSquares)).ToArray();
        var revenue = arms.Select(a => Mean(a.ProductDays, a.RevenueSum, a.RevenueSquares)).ToArray();
        var shares = ThompsonShares(profit, thompsonDraws, seed);
        var result = new ArmStatistics[arms.Count];
        for (int i = 0; i < arms.Count; i++)
        {
            SequentialComparison? versus = null;
            if (i > 0 && arms[0].ProductDays > 1 && arms[i].ProductDays > 1)
            {
                versus = Compare(profit[i], profit[0], alpha, mixingScale);
            }

            result[i] = new ArmStatistics(arms[i].Arm, arms[i].Name, arms[i].Strategy, arms[i].ProductDays, profit[i], revenue[i], versus, shares[i]);
        }

        return result;
    }

    /// <summary>Arm weights from Thompson shares, each at least <paramref name="floor"/> so no arm stops learning; they sum to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="floor"/> is not in [0, 1 / arms).</exception>
    public static double[] AllocationWeights(IReadOnlyList<ArmStatistics> statistics, double floor = 0.05)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        int n = statistics.Count;
        if (!(floor >= 0 && floor * n < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(floor), floor, $"floor must be in [0, 1/{n}); got {floor}.");
        }

        return statistics.Select(s => floor + ((1 - (floor * n)) * s.ThompsonShare)).ToArray();
    }

    private static MeanEstimate Mean(long n, double sum, double squares)
    {
        if (n <= 0)
        {
            return new MeanEstimate(0, 0, 0, double.PositiveInfinity);
        }

        double mean = sum / n;
        double variance = n > 1 ? Math.Max(0, (squares - (n * mean * mean)) / (n - 1)) : double.PositiveInfinity;
        double se = Math.Sqrt(variance / n);
        return new MeanEstimate(mean, mean - (1.959963984540054 * se), mean + (1.959963984540054 * se), se);
    }

    private static SequentialComparison Compare(MeanEstimate arm, MeanEstimate control, double alpha, double mixingScale)
    {
        double delta = arm.Mean - control.Mean;
        double v = (arm.StandardError * arm.StandardError) + (control.StandardError * control.StandardError);
        double tau = mixingScale * Math.Max(Math.Abs(control.Mean), 1e-9);
        double tau2 = tau * tau;
        if (!(v > 0) || !double.IsFinite(v))
        {
            return new SequentialComparison(delta, double.NegativeInfinity, double.PositiveInfinity, 1, 1, false);
        }

        double logLambda = (0.5 * Math.Log(v / (v + tau2))) + (delta * delta * tau2 / (2 * v * (v + tau2)));
        double lambda = Math.Exp(Math.Min(logLambda, 700));
        double halfWidth = Math.Sqrt(v * (v + tau2) / tau2 * (Math.Log((v + tau2) / v) + (2 * Math.Log(1 / alpha))));
        return new SequentialComparison(delta, delta - halfWidth, delta + halfWidth, lambda, Math.Min(1, 1 / lambda), logLambda >= Math.Log(1 / alpha));
    }

    private static double[] ThompsonShares(MeanEstimate[] arms, int draws, ulong seed)
    {
        var wins = new double[arms.Length];
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        for (int d = 0; d < draws; d++)
        {
            int best = -1;
            double bestValue = double.NegativeInfinity;
            for (int a = 0; a < arms.Length; a++)
            {
                double se = double.IsFinite(arms[a].StandardError) ? arms[a].StandardError : 1e6;
                double value = arms[a].Mean + (se * Gaussian(rng));
                if (value > bestValue)
                {
                    bestValue = value;
                    best = a;
                }
            }

            wins[best]++;
        }

        return wins.Select(w => w / draws).ToArray();
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
