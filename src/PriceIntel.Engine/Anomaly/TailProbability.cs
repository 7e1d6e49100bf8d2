using System.Runtime.CompilerServices;

namespace PriceIntel;

/// <summary>
/// Tail probabilities of Student's t with 4 degrees of freedom, in closed form (no special functions):
/// with u = 1 − |t| / √(t² + 4), the two-sided tail is P(|T| ≥ |t|) = u² (3 − u) / 2. u is computed as
/// 4 / (√(t²+4) (√(t²+4) + |t|)), which has no cancellation, so tiny tails stay accurate.
/// </summary>
internal static class TailProbability
{
    /// <summary>The largest score reported (a tail of 1e-300).</summary>
    public const double MaxScore = 300;

    /// <summary>Two-sided tail P(|T₄| ≥ |t|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TwoSided(double t)
    {
        double a = Math.Abs(t);
        if (double.IsNaN(a))
        {
            return 1;
        }

        if (double.IsPositiveInfinity(a))
        {
            return 0;
        }

        double root = Math.Sqrt((a * a) + 4);
        double u = 4 / (root * (root + a));
        return u * u * (3 - u) / 2;
    }

    /// <summary>−log10 of <see cref="TwoSided"/>, capped at <see cref="MaxScore"/>.</summary>
    public static double Score(double t)
    {
        double p = TwoSided(t);
        return p <= 1e-300 ? MaxScore : Math.Min(MaxScore, -Math.Log10(p));
    }

    /// <summary>The |t| whose <see cref="Score"/> is <paramref name="score"/> (bisection to 1e-12 relative; for thresholds, run once).</summary>
    public static double DeviationFor(double score)
    {
        if (score <= 0)
        {
            return 0;
        }

        double lo = 0;
        double hi = 1;
        while (Score(hi) < score)
        {
            hi *= 2;
        }

        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            double mid = (lo + hi) / 2;
            if (Score(mid) < score)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return hi;
    }
}
